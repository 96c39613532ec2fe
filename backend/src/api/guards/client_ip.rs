//! Who is asking: the address the rate limit is keyed by.
//!
//! Invariant: a client cannot choose its own address. `X-Forwarded-For` is anyone's to write,
//! so it is read only when the connection comes from a proxy the owner trusts, and then only
//! the part that trusted proxies appended (the right end) counts.

use std::net::{IpAddr, SocketAddr};

/// The client's address. `peer` is the address of the TCP connection; `x_forwarded_for` the
/// header's value (several headers joined with `,`, in order); `trusted_proxies` the
/// addresses of the owner's reverse proxies.
///
/// Each trusted proxy appends the address it was connected from, so the chain is walked from
/// the right, skipping trusted proxies; the first address that is not one is the client.
/// Everything left of it was written by the client and is ignored. An unreadable entry met on
/// the way means the chain cannot be trusted, and the peer is used. IPv4-mapped IPv6
/// addresses (`::ffff:1.2.3.4`) are read as the IPv4 address, on both sides.
pub fn client_ip(
    peer: IpAddr,
    x_forwarded_for: Option<&str>,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let peer = peer.to_canonical();
    let trusted = |ip: IpAddr| trusted_proxies.iter().any(|t| t.to_canonical() == ip);
    let Some(header) = x_forwarded_for.filter(|_| trusted(peer)) else {
        return peer;
    };
    let mut nearest = peer;
    for entry in header.rsplit(',') {
        let Some(ip) = parse_entry(entry) else {
            return peer;
        };
        if !trusted(ip) {
            return ip;
        }
        nearest = ip;
    }
    // Every hop is a trusted proxy: the request started on one of the owner's own machines.
    nearest
}

/// One `X-Forwarded-For` entry: an address, or an address with a port as some proxies write
/// it (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: &str = "10.0.0.1";
    const PROXY2: &str = "10.0.0.2";

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// `peer`, the header, and the expected client, with `PROXY` and `PROXY2` trusted.
    fn check(peer: &str, xff: Option<&str>, expected: &str) {
        let trusted = [ip(PROXY), ip(PROXY2)];
        assert_eq!(
            client_ip(ip(peer), xff, &trusted),
            ip(expected),
            "peer {peer}, X-Forwarded-For {xff:?}"
        );
    }

    #[test]
    fn no_proxy() {
        check("203.0.113.7", None, "203.0.113.7");
        check("2001:db8::1", None, "2001:db8::1");
    }

    #[test]
    fn untrusted_peer_cannot_spoof() {
        check("203.0.113.7", Some("198.51.100.1"), "203.0.113.7");
        check("203.0.113.7", Some("10.0.0.1"), "203.0.113.7");
        check("203.0.113.7", Some("garbage"), "203.0.113.7");
    }

    #[test]
    fn trusted_proxy() {
        check(PROXY, Some("198.51.100.1"), "198.51.100.1");
        check(PROXY, Some(" 198.51.100.1 "), "198.51.100.1");
        check(PROXY, None, PROXY);
        // Two proxies in a row: the one nearer the client appended the client.
        check(PROXY, Some("198.51.100.1, 10.0.0.2"), "198.51.100.1");
        // All hops trusted: the request came from the owner's own machine.
        check(PROXY, Some("10.0.0.2"), PROXY2);
    }

    #[test]
    fn client_written_entries_are_ignored() {
        // The attacker sent "X-Forwarded-For: attacker"; the proxy appended the real address.
        check(PROXY, Some("1.1.1.1, 198.51.100.1"), "198.51.100.1");
        check(PROXY, Some("10.0.0.2, 198.51.100.1"), "198.51.100.1");
        check(PROXY, Some("garbage, 198.51.100.1"), "198.51.100.1");
        check(
            PROXY,
            Some("1.1.1.1, 198.51.100.1, 10.0.0.2"),
            "198.51.100.1",
        );
    }

    #[test]
    fn garbage_falls_back_to_peer() {
        check(PROXY, Some(""), PROXY);
        check(PROXY, Some("unknown"), PROXY);
        check(PROXY, Some("198.51.100.1, "), PROXY);
        check(PROXY, Some("198.51.100.1,,10.0.0.2"), PROXY);
        check(PROXY, Some("198.51.100.1, 10.0.0.2 junk"), PROXY);
        check(PROXY, Some("999.1.1.1"), PROXY);
    }

    #[test]
    fn ports_are_dropped() {
        check(PROXY, Some("198.51.100.1:4711"), "198.51.100.1");
        check(PROXY, Some("[2001:db8::5]:4711"), "2001:db8::5");
    }

    #[test]
    fn ipv4_mapped_addresses_are_ipv4() {
        check("::ffff:203.0.113.7", None, "203.0.113.7");
        // A proxy reached over an IPv6 socket that accepts IPv4 is still the trusted proxy.
        check("::ffff:10.0.0.1", Some("198.51.100.1"), "198.51.100.1");
        check(PROXY, Some("::ffff:198.51.100.1"), "198.51.100.1");
        check(PROXY, Some("198.51.100.1, ::ffff:10.0.0.2"), "198.51.100.1");
        check(PROXY, Some("2001:db8::9"), "2001:db8::9");
    }

    #[test]
    fn trusted_list_may_hold_mapped_addresses() {
        let trusted = [ip("::ffff:10.0.0.1")];
        assert_eq!(
            client_ip(ip(PROXY), Some("198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
    }
}
