//! The admin listener answers only under its own names: a `Host` that is an address literal
//! (127.0.0.1, [::1], the bound address, a LAN address), `localhost`, the host of
//! `server.admin_url`, or one of `[admin] allowed_hosts`. Any other name is refused 421
//! before routing: a page of `evil.example` whose name was rebound to 127.0.0.1 (DNS
//! rebinding) makes the browser send `Host: evil.example`, and must not read `/metrics` or the
//! admin API. An address literal cannot be rebound (the page's origin would be the listener
//! itself). A request without any `Host` (no browser sends one) is let through.

use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// The names the admin listener answers under, besides address literals.
#[derive(Clone, Debug)]
pub struct AdminHosts {
    names: std::sync::Arc<Vec<String>>,
}

impl AdminHosts {
    /// `localhost`, the host of `admin_url` and `allowed` (lower case, no port).
    pub fn new(admin_url: Option<&str>, allowed: &[String]) -> AdminHosts {
        let mut names = vec!["localhost".to_owned()];
        if let Some(host) = admin_url
            .and_then(|u| reqwest::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        {
            names.push(host);
        }
        names.extend(allowed.iter().map(|n| n.to_ascii_lowercase()));
        AdminHosts {
            names: std::sync::Arc::new(names),
        }
    }

    /// Whether a `Host` value (with or without port) names this listener.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        if let Some(rest) = host.strip_prefix('[') {
            // An IPv6 literal: `[::1]` or `[::1]:8081`.
            return rest
                .split_once(']')
                .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
        }
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        if name.parse::<std::net::Ipv4Addr>().is_ok() {
            return true;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.contains(&name)
    }
}

impl<E: Endpoint> Middleware<E> for AdminHosts {
    type Output = AdminHostsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        AdminHostsEndpoint {
            inner: ep,
            hosts: self.clone(),
        }
    }
}

/// The endpoint behind [`AdminHosts`].
#[derive(Debug)]
pub struct AdminHostsEndpoint<E> {
    inner: E,
    hosts: AdminHosts,
}

impl<E: Endpoint> Endpoint for AdminHostsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let host = req
            .headers()
            .get(header::HOST)
            .map(|h| h.to_str().unwrap_or("\u{0}").to_owned())
            .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()));
        if host.is_some_and(|h| !self.hosts.allows(&h)) {
            return Ok(crate::api::error_response(
                StatusCode::MISDIRECTED_REQUEST,
                openslot_wire::errors::ErrorCode::WrongHost,
                "this server does not answer under that name; add it to \
                 [admin] allowed_hosts if it is yours",
            ));
        }
        Ok(self.inner.call(req).await?.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_own_names_and_address_literals_pass() {
        let hosts = AdminHosts::new(
            Some("https://Admin.example.org/"),
            &["openslot.lan".to_owned()],
        );
        for ok in [
            "127.0.0.1:8081",
            "127.0.0.1",
            "[::1]:8081",
            "[::1]",
            "192.168.1.5:8081",
            "localhost:8081",
            "LOCALHOST",
            "admin.example.org",
            "openslot.lan:8081",
            "openslot.lan.",
        ] {
            assert!(hosts.allows(ok), "{ok} must pass");
        }
        for bad in [
            "evil.example",
            "evil.example:8081",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[evil]:8081",
            "x",
            "",
            "\u{0}",
        ] {
            assert!(!hosts.allows(bad), "{bad} must be refused");
        }
    }
}
