//! The one HTTP client builder: every outbound request of OpenSlot goes through a client made
//! here, so each has a total timeout, a connect timeout, a redirect limit and a body size cap.
//!
//! TLS is rustls with the `ring` provider (pure Rust + gcc, cross-compiles to arm64) and the
//! system's root certificates. Authorization headers are not sent on to another host after a
//! redirect (reqwest drops them across origins).
//!
//! Every client refuses to connect to link-local (cloud metadata), unspecified and multicast
//! addresses ([`refused_address`]): its resolver refuses names that resolve there, its
//! redirect policy refuses such address literals, and [`send`] refuses a request whose URL is
//! such a literal (a resolver never sees literals), so neither a redirect, nor an href a
//! CalDAV server returns, nor a name that changes its address after the check leads there.
//! A URL typed by the owner is parsed once by [`outbound_url`] (`webcal://` made https on the
//! parsed text, backslashes and a second `@` refused), so the guard checks what is fetched.
//! Loopback and private networks are allowed.

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
    if let Some(refused) = refused_literal(&url) {
        return Err(SourceError::Config(refused.to_string()));
    }
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

/// The refusal of a URL whose host is a refused address literal (names go through the
/// resolver).
fn refused_literal(url: &reqwest::Url) -> Option<RefusedTarget> {
    // `host_str` writes an IPv6 literal in brackets, and a domain never parses as an address.
    let host = url.host_str()?;
    let ip: std::net::IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    Some(RefusedTarget {
        host: host_of(url),
        why: refused_address(ip)?,
    })
}

/// At most `max` redirects, never to a refused address literal (names go through the
/// resolver).
fn guarded_redirects(max: usize) -> redirect::Policy {
    let limited = redirect::Policy::limited(max);
    redirect::Policy::custom(move |attempt| match refused_literal(attempt.url()) {
        Some(e) => attempt.error(e),
        None => limited.redirect(attempt),
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
/// fe80::/10), the cloud metadata addresses outside it (AWS's `fd00:ec2::254`, Alibaba's
/// `100.100.100.200`), unspecified (0.0.0.0, ::), multicast and broadcast, also when written
/// as an IPv4-mapped IPv6 address. Allowed on purpose: loopback and private networks, because
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
        IpAddr::V4(v4) if v4 == std::net::Ipv4Addr::new(100, 100, 100, 200) => {
            Some("a cloud metadata address (Alibaba Cloud)")
        }
        IpAddr::V4(v4) if v4.is_unspecified() => Some("the unspecified address"),
        IpAddr::V4(v4) if v4.is_multicast() || v4.is_broadcast() => {
            Some("a multicast or broadcast address")
        }
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => {
            Some("a link-local address (fe80::/10)")
        }
        IpAddr::V6(v6) if v6 == std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) => {
            Some("a cloud metadata address (AWS, IPv6)")
        }
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address"),
        IpAddr::V6(v6) if v6.is_multicast() => Some("a multicast address"),
        _ => None,
    }
}

/// A URL the owner typed, parsed once: what is checked is what is fetched. `webcal://` is
/// https (no feed host serves webcal over plain http any more), rewritten before the one parse
/// (the `url` crate treats `\\` as `/` in https but not in webcal URLs, so a rewrite after a
/// parse would fetch another host than the one checked). Refused: backslashes, whitespace and
/// control characters anywhere, and more than one `@` before the path (which part is the host
/// would be a matter of parser).
pub fn outbound_url(text: &str) -> Result<reqwest::Url, SourceError> {
    let bad = |why: &str| SourceError::Config(format!("the URL is not valid: {why}"));
    if text.contains('\\') {
        return Err(bad("it contains a backslash"));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it contains a space or a control character"));
    }
    let text = match text.get(..9) {
        Some(scheme) if scheme.eq_ignore_ascii_case("webcal://") => {
            format!("https://{}", &text[9..])
        }
        _ => text.to_owned(),
    };
    let authority = text.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    if authority.matches('@').count() > 1 {
        return Err(bad("it has more than one @ before the path"));
    }
    reqwest::Url::parse(&text).map_err(|e| bad(&e.to_string()))
}

/// Checks a URL the owner typed in the dashboard before anything is sent to it: every address
/// its host resolves to must pass [`refused_address`]. The check is made when the source is
/// added, edited or its calendars listed; [`send`] and the resolver check again at every
/// request.
pub async fn check_owner_url(url: &str) -> Result<(), SourceError> {
    let parsed = outbound_url(url)?;
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

/// Why a URL's address literal is one OpenSlot never connects to ([`refused_address`]), in
/// words; `None` for a name or an allowed literal. Clients that do not go through [`send`]
/// (the webhook sender) call it before each request.
pub fn refused_literal_reason(url: &reqwest::Url) -> Option<String> {
    refused_literal(url).map(|r| r.to_string())
}

/// Checks the URL of a webhook subscription made through an API (by the owner in the dashboard
/// or by an integrator's key) and returns it parsed, once ([`outbound_url`]): http or https,
/// no user info (`http://169.254.169.254@example.org` reads as a host to people but not to
/// the parser), and every address its host resolves to passes [`refused_address`] and, unless
/// `allow_private` (`[security] webhook_private_targets`), is public.
pub async fn check_subscription_url(
    url: &str,
    allow_private: bool,
) -> Result<reqwest::Url, SourceError> {
    let parsed = outbound_url(url)?;
    let bad = |why: &str| SourceError::Config(format!("the URL is not valid: {why}"));
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("use http:// or https://"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("it holds a user name or password before an @"));
    }
    let Some(host) = parsed.host_str() else {
        return Err(SourceError::Config("the URL names no host".to_owned()));
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
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
    let refused = |why: &str| {
        SourceError::Config(format!(
            "{} is not allowed: it names {why}",
            host_of(&parsed)
        ))
    };
    for ip in addresses {
        if let Some(why) = refused_address(ip) {
            return Err(refused(why));
        }
        if !allow_private && !is_public(ip) {
            return Err(refused(
                "a private or local address (the owner may allow these with \
                 [security] webhook_private_targets = true)",
            ));
        }
    }
    Ok(parsed)
}

/// Checks a URL that a server (not the owner) chose on another origin than the configured
/// one, such as an absolute CalDAV href: it must be https to a host name (not an address
/// literal, not `localhost`) whose every address is public. A hostile server thus cannot
/// steer OpenSlot to the owner's machine or LAN; a real service's partition hosts (iCloud's
/// `pNN-caldav.icloud.com`) pass.
pub async fn check_foreign_url(url: &reqwest::Url) -> Result<(), SourceError> {
    let refused = |why: &str| {
        SourceError::Config(format!(
            "the server pointed to {}, another server than the configured one, which is not \
             followed: {why}",
            host_of(url)
        ))
    };
    if url.scheme() != "https" {
        return Err(refused("only https is followed to another server"));
    }
    let host = url.host_str().unwrap_or_default();
    let name = host.trim_start_matches('[').trim_end_matches(']');
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Err(refused("it is an address, not a name"));
    }
    let lower = name.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return Err(refused("it names this machine"));
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses =
        tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| SourceError::Unreachable {
                host: host_of(url),
                detail: format!("the name does not resolve: {e}"),
            })?;
    for a in addresses {
        if !is_public(a.ip()) {
            return Err(refused("it resolves to a private or local address"));
        }
    }
    Ok(())
}

/// Whether an address is on the public internet: not loopback, private (10/8, 172.16/12,
/// 192.168/16, fc00::/7), shared (100.64/10), link-local, documentation, unspecified or any
/// address [`refused_address`] refuses.
fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    if refused_address(ip).is_some() {
        return false;
    }
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || (first & 0xfe00) == 0xfc00
                || first == 0x2001 && v6.segments()[1] == 0xdb8)
        }
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
            "fd00:ec2::254",
            "100.100.100.200",
            "::ffff:100.100.100.200",
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
    fn owner_urls_are_parsed_once_and_ambiguous_ones_refused() {
        let u = outbound_url("webcal://cal.example:8443/a.ics?k=1").unwrap();
        assert_eq!(u.as_str(), "https://cal.example:8443/a.ics?k=1");
        let u = outbound_url("WEBCAL://cal.example/a.ics").unwrap();
        assert_eq!(u.scheme(), "https");
        for bad in [
            "webcal://0.0.0.0:18555\\@127.0.0.1:18556/cal.ics",
            "https://a.example\\@b.example/",
            "http://a@b@127.0.0.1/x",
            "http://cal.example/a b.ics",
            "http://cal.example/a\tb",
        ] {
            let e = outbound_url(bad).unwrap_err().to_string();
            assert!(e.starts_with("the URL is not valid"), "{bad}: {e}");
        }
        // An @ in the path or query is no userinfo.
        outbound_url("https://cal.example/u/a@b.example/cal.ics?x=@").unwrap();
    }

    #[tokio::test]
    async fn the_parser_mismatch_of_row_5_is_refused_before_any_lookup() {
        let e = check_owner_url("webcal://0.0.0.0:18555\\@127.0.0.1:18556/cal.ics")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("backslash"), "{e}");
    }

    #[tokio::test]
    async fn send_refuses_an_address_literal_the_resolver_never_sees() {
        // A listener on loopback: 0.0.0.0 would reach it on Linux.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let c = client(Limits::default()).unwrap();
        for url in [
            format!("http://0.0.0.0:{port}/principal/"),
            format!("http://[::ffff:0.0.0.0]:{port}/"),
            "http://[fd00:ec2::254]/latest/meta-data/".to_owned(),
            "http://100.100.100.200/latest/meta-data/".to_owned(),
        ] {
            let e = send(c.get(&url), Limits::default()).await.unwrap_err();
            assert!(e.to_string().contains("is not allowed"), "{url}: {e}");
        }
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "a connection was made");
    }

    #[tokio::test]
    async fn foreign_urls_must_be_public_https_names() {
        for url in [
            "http://cal.example/",
            "https://127.0.0.1:5232/",
            "https://[::1]/",
            "https://localhost:5232/",
            "https://a.localhost/",
        ] {
            let u = reqwest::Url::parse(url).unwrap();
            let e = check_foreign_url(&u).await.unwrap_err().to_string();
            assert!(e.contains("not followed"), "{url}: {e}");
        }
        for (ip, public) in [
            ("10.1.2.3", false),
            ("172.20.0.1", false),
            ("100.64.0.1", false),
            ("fd12::1", false),
            ("127.0.0.1", false),
            ("169.254.169.254", false),
            ("17.253.144.10", true),
            ("2620:149::1", true),
        ] {
            assert_eq!(is_public(ip.parse().unwrap()), public, "{ip}");
        }
    }

    #[test]
    fn unauthorized_reads_as_authentication_failed() {
        let url = reqwest::Url::parse("https://caldav.icloud.com/").unwrap();
        let e = status_error(StatusCode::UNAUTHORIZED, &url).to_string();
        assert!(e.starts_with("authentication failed (401)"), "{e}");
        assert!(e.contains("app-specific password"), "{e}");
    }
}
