//! The one HTTP client builder: every outbound request of OpenSlot goes through a client made
//! here, so each has a total timeout, a connect timeout, a redirect limit and a body size cap.
//!
//! TLS is rustls with the `ring` provider (pure Rust + gcc, cross-compiles to arm64) and the
//! system's root certificates. Authorization headers are not sent on to another host after a
//! redirect (reqwest drops them across origins).
//!
//! Every client refuses to connect to link-local (cloud metadata), unspecified and multicast
//! addresses ([`refused_address`]): its resolver refuses names that resolve there, and its
//! redirect policy refuses such address literals, so neither a redirect nor a name that
//! changes its address after the check leads there. An address literal in the configured URL
//! itself is checked when a dashboard source is saved ([`check_owner_url`]); the configuration
//! file is the owner's and trusted. Loopback and private networks are allowed.

use std::time::Duration;

use reqwest::{Client, Response, StatusCode, redirect};

use super::SourceError;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;
pub const MAX_REDIRECTS: usize = 5;

/// Limits of one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The whole request, body included.
    pub timeout: Duration,
    /// The largest body read (after gzip decoding).
    pub max_bytes: u64,
    pub max_redirects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            max_redirects: MAX_REDIRECTS,
        }
    }
}

/// A client with these limits. gzip is accepted and decoded transparently.
pub fn client(limits: Limits) -> Result<Client, SourceError> {
    // Several threads may get here first; only one install wins, the rest see it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .user_agent(concat!("OpenSlot/", env!("CARGO_PKG_VERSION")))
        .timeout(limits.timeout)
        .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
        .redirect(guarded_redirects(limits.max_redirects))
        .dns_resolver(std::sync::Arc::new(GuardedResolver))
        .gzip(true)
        .build()
        .map_err(|e| SourceError::Config(format!("cannot build the HTTP client: {e}")))
}

/// The log target of the request lines: `OPENSLOT_LOG=openslot::http=debug` shows them alone.
pub const LOG_TARGET: &str = "openslot::http";

/// Sends a request built on a client of [`client`] and logs it ([`log_request`]).
pub async fn send(
    request: reqwest::RequestBuilder,
    limits: Limits,
) -> Result<Response, SourceError> {
    let (client, request) = request.build_split();
    let request = request.map_err(|e| request_error(e, "the server", limits))?;
    let (method, url) = (request.method().clone(), request.url().clone());
    let started = std::time::Instant::now();
    let result = client
        .execute(request)
        .await
        .map_err(|e| request_error(e, &host_of(&url), limits));
    log_request(
        &method,
        &url,
        result.as_ref().map(Response::status),
        started,
    );
    result
}

/// One line at debug level (target [`LOG_TARGET`]) for an outbound calendar request: method,
/// URL without user info or query ([`redacted`]: feeds and APIs put tokens and keys there),
/// status or the error, milliseconds. Never a header (Authorization) or a body.
pub fn log_request(
    method: &reqwest::Method,
    url: &reqwest::Url,
    outcome: Result<StatusCode, &SourceError>,
    started: std::time::Instant,
) {
    let ms = started.elapsed().as_millis();
    match outcome {
        Ok(status) => tracing::debug!(
            target: LOG_TARGET,
            method = %method,
            url = %redacted(url),
            status = status.as_u16(),
            ms,
            "request"
        ),
        Err(e) => tracing::debug!(
            target: LOG_TARGET,
            method = %method,
            url = %redacted(url),
            error = %e,
            ms,
            "request failed"
        ),
    }
}

/// A target OpenSlot does not connect to.
#[derive(Debug, thiserror::Error)]
#[error("{host} is not allowed: it names {why}")]
struct RefusedTarget {
    host: String,
    why: &'static str,
}

/// The system's resolver, without the addresses of [`refused_address`].
#[derive(Debug)]
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(why) = addresses.iter().find_map(|a| refused_address(a.ip())) {
                return Err(Box::new(RefusedTarget { host, why }) as _);
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// At most `max` redirects, never to a refused address literal (names go through the
/// resolver).
fn guarded_redirects(max: usize) -> redirect::Policy {
    let limited = redirect::Policy::limited(max);
    redirect::Policy::custom(move |attempt| {
        let refused = attempt.url().host_str().and_then(|h| {
            let ip = h.trim_start_matches('[').trim_end_matches(']');
            let why = refused_address(ip.parse().ok()?)?;
            Some(RefusedTarget {
                host: host_of(attempt.url()),
                why,
            })
        });
        match refused {
            Some(e) => attempt.error(e),
            None => limited.redirect(attempt),
        }
    })
}

/// The refused target somewhere in the cause chain of `e`.
fn refused_target(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(r) = c.downcast_ref::<RefusedTarget>() {
            return Some(r.to_string());
        }
        cause = c.source();
    }
    None
}

/// Reads the body, refusing it as soon as it passes `max_bytes` (the part already read is
/// dropped; a huge or endless answer never fills the memory).
pub async fn read_capped(mut response: Response, limits: Limits) -> Result<Vec<u8>, SourceError> {
    let too_large = || SourceError::TooLarge {
        limit_mb: limits.max_bytes.div_ceil(1024 * 1024),
    };
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(too_large());
    }
    let host = host_of(response.url());
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| request_error(e, &host, limits))?
    {
        if body.len() as u64 + chunk.len() as u64 > limits.max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error in plain words.
pub fn request_error(e: reqwest::Error, host: &str, limits: Limits) -> SourceError {
    let host = e.url().map(host_of).unwrap_or_else(|| host.to_owned());
    if let Some(refused) = refused_target(&e) {
        SourceError::Config(refused)
    } else if e.is_redirect() {
        SourceError::TooManyRedirects(limits.max_redirects)
    } else if e.is_timeout() {
        SourceError::Timeout {
            host,
            seconds: limits.timeout.as_secs(),
        }
    } else if e.is_connect() {
        SourceError::Unreachable {
            host,
            detail: root_cause(&e),
        }
    } else if e.is_decode() || e.is_body() {
        SourceError::BadResponse(format!("the answer broke off: {}", root_cause(&e)))
    } else {
        SourceError::Unreachable {
            host,
            detail: root_cause(&e),
        }
    }
}

/// An unexpected status in plain words. 401/403 say "authentication failed".
pub fn status_error(status: StatusCode, url: &reqwest::Url) -> SourceError {
    match status.as_u16() {
        401 | 403 => SourceError::AuthFailed {
            status: status.as_u16(),
            hint: if url.host_str().is_some_and(|h| h.ends_with("icloud.com")) {
                " (iCloud needs an app-specific password)"
            } else {
                ""
            },
        },
        404 => SourceError::NotFound { url: redacted(url) },
        s => SourceError::Http {
            status: s,
            reason: status.canonical_reason().map(str::to_owned),
        },
    }
}

/// The host (and port) of a URL, for messages.
pub fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.to_string(),
    }
}

/// A URL fit for a message: no user info, no query (feeds put secret tokens there).
pub fn redacted(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    if u.query().is_none() {
        return u.to_string();
    }
    u.set_query(None);
    // Appended as text: `set_query` would percent-encode the ellipsis.
    format!("{u}?…")
}

/// Why an address must not be reached by a URL the owner typed in the dashboard, or `None`.
///
/// Refused: link-local (169.254.0.0/16 with the cloud metadata address 169.254.169.254,
/// fe80::/10), unspecified (0.0.0.0, ::), multicast and broadcast, also when written as an
/// IPv4-mapped IPv6 address. Allowed on purpose: loopback and private networks, because
/// self-hosters run their Radicale or Nextcloud next to OpenSlot or on their LAN.
pub fn refused_address(ip: std::net::IpAddr) -> Option<&'static str> {
    use std::net::IpAddr;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) if v4.is_link_local() => {
            Some("a link-local address (169.254.0.0/16, where cloud metadata services answer)")
        }
        IpAddr::V4(v4) if v4.is_unspecified() => Some("the unspecified address"),
        IpAddr::V4(v4) if v4.is_multicast() || v4.is_broadcast() => {
            Some("a multicast or broadcast address")
        }
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => {
            Some("a link-local address (fe80::/10)")
        }
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address"),
        IpAddr::V6(v6) if v6.is_multicast() => Some("a multicast address"),
        _ => None,
    }
}

/// Checks a URL the owner typed in the dashboard before anything is sent to it: every address
/// its host resolves to must pass [`refused_address`]. The check is made when the source is
/// added, edited or its calendars listed (a name that later resolves elsewhere is not seen:
/// the owner, who chose the name, is trusted with their own DNS).
pub async fn check_owner_url(url: &str) -> Result<(), SourceError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| SourceError::Config(format!("the URL is not valid: {e}")))?;
    let refused = |why: &str| {
        SourceError::Config(format!(
            "{} is not allowed: it names {why}",
            host_of(&parsed)
        ))
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let Some(host) = parsed.host_str() else {
        return Err(SourceError::Config("the URL names no host".to_owned()));
    };
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<std::net::IpAddr> = match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| SourceError::Unreachable {
                host: host_of(&parsed),
                detail: format!("the name does not resolve: {e}"),
            })?
            .map(|a| a.ip())
            .collect(),
    };
    match addresses.into_iter().find_map(refused_address) {
        Some(why) => Err(refused(why)),
        None => Ok(()),
    }
}

/// The innermost cause: "connection refused" rather than "error sending request for url".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_credentials_or_query_tokens() {
        let url = reqwest::Url::parse("https://bob:pw@cal.example/feed.ics?token=s3cret").unwrap();
        let text = redacted(&url);
        assert!(!text.contains("pw") && !text.contains("s3cret"), "{text}");
        assert_eq!(text, "https://cal.example/feed.ics?…");
        let plain = reqwest::Url::parse("https://cal.example/a/b/#frag").unwrap();
        assert_eq!(redacted(&plain), "https://cal.example/a/b/");
        let e = status_error(StatusCode::NOT_FOUND, &url).to_string();
        assert!(!e.contains("s3cret") && !e.contains("pw"), "{e}");
    }

    #[test]
    fn owner_urls_may_reach_the_lan_but_not_link_local_or_metadata() {
        let refused = |ip: &str| refused_address(ip.parse().unwrap()).is_some();
        for ip in [
            "169.254.169.254",
            "169.254.1.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "fe80::1",
            "febf::1",
            "::",
            "ff02::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "127.0.0.1",
            "10.0.0.2",
            "192.168.1.5",
            "172.16.0.1",
            "::1",
            "fd00::1",
            "fec0::1",
            "93.184.216.34",
        ] {
            assert!(!refused(ip), "{ip} must be allowed");
        }
    }

    #[tokio::test]
    async fn owner_urls_are_checked_after_resolution() {
        let e = check_owner_url("http://169.254.169.254/latest/meta-data/")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("169.254.169.254 is not allowed: it names a link-local"),
            "{e}"
        );
        let e = check_owner_url("http://[fe80::1]:5232/").await.unwrap_err();
        assert!(e.to_string().contains("not allowed"), "{e}");
        check_owner_url("http://localhost:5232/").await.unwrap();
        check_owner_url("http://10.1.2.3/dav/").await.unwrap();
    }

    /// A server that answers every request with a redirect to `location`.
    async fn redirecting_to(location: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(answer.as_bytes()).await;
            }
        });
        format!("http://{addr}/feed.ics")
    }

    #[tokio::test]
    async fn no_request_reaches_a_refused_address_not_even_by_redirect() {
        let c = client(Limits::default()).unwrap();
        let url = redirecting_to("http://169.254.169.254/latest/meta-data/").await;
        let e = c.get(&url).send().await.unwrap_err();
        let text = request_error(e, "x", Limits::default()).to_string();
        assert!(
            text.contains("169.254.169.254 is not allowed: it names a link-local"),
            "{text}"
        );
        let url = redirecting_to("http://[fe80::1]:5232/").await;
        let e = c.get(&url).send().await.unwrap_err();
        let text = request_error(e, "x", Limits::default()).to_string();
        assert!(text.contains("[fe80::1]:5232 is not allowed"), "{text}");
    }

    #[test]
    fn unauthorized_reads_as_authentication_failed() {
        let url = reqwest::Url::parse("https://caldav.icloud.com/").unwrap();
        let e = status_error(StatusCode::UNAUTHORIZED, &url).to_string();
        assert!(e.starts_with("authentication failed (401)"), "{e}");
        assert!(e.contains("app-specific password"), "{e}");
    }
}
