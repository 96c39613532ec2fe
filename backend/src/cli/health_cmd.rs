//! `openslot healthcheck`: the container's HEALTHCHECK. The runtime image has no shell, curl or
//! wget, so the binary asks itself: one plain HTTP/1.0 GET, exit 0 on a 200, else 1.
//!
//! Only `http://host:port/path` (the service's own listener, never TLS); a few seconds at most.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use super::CliError;

const TIMEOUT: Duration = Duration::from_secs(3);

/// `host:port` and the path of an `http://` URL.
fn split_url(url: &str) -> Result<(&str, &str), CliError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| CliError::Usage(format!("--url {url:?}: only http:// URLs")))?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    if authority.is_empty() || !authority.contains(':') {
        return Err(CliError::Usage(format!(
            "--url {url:?}: give host and port, e.g. http://127.0.0.1:8080/healthz"
        )));
    }
    Ok((authority, path))
}

/// The status code of an HTTP response's first line.
fn status_of(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

pub(super) fn healthcheck(url: &str) -> Result<ExitCode, CliError> {
    let (authority, path) = split_url(url)?;
    let failed = |what: &str, e: std::io::Error| CliError::Failed(format!("{url}: {what}: {e}"));
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| failed("cannot resolve", e))?
        .next()
        .ok_or_else(|| CliError::Failed(format!("{url}: no address")))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| failed("cannot connect", e))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| failed("socket", e))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n")
        .map_err(|e| failed("cannot send", e))?;
    let mut head = Vec::new();
    stream
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| failed("cannot read", e))?;
    match status_of(&String::from_utf8_lossy(&head)) {
        Some(200) => Ok(ExitCode::SUCCESS),
        Some(code) => Err(CliError::Failed(format!("{url}: HTTP {code}"))),
        None => Err(CliError::Failed(format!("{url}: not an HTTP answer"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/healthz").ok(),
            Some(("127.0.0.1:8080", "/healthz"))
        );
        assert_eq!(
            split_url("http://localhost:80").ok(),
            Some(("localhost:80", "/"))
        );
        assert!(split_url("https://127.0.0.1:8080/healthz").is_err());
        assert!(split_url("http://127.0.0.1/healthz").is_err());
        assert!(split_url("http:///healthz").is_err());
    }

    #[test]
    fn statuses() {
        assert_eq!(status_of("HTTP/1.1 200 OK\r\nx: y\r\n\r\nok"), Some(200));
        assert_eq!(status_of("HTTP/1.0 503 Service Unavailable\r\n"), Some(503));
        assert_eq!(status_of("SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_of(""), None);
    }
}
