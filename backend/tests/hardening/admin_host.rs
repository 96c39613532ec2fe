//! Row 13 (DNS rebinding): the admin listener answers only under its own names. A page of
//! `evil.example` whose name now resolves to 127.0.0.1 makes the browser send
//! `Host: evil.example`; neither `/metrics` nor the admin API may answer it. Names in
//! `[admin] allowed_hosts` are the owner's and answered.

use std::time::Duration;

use crate::live::{Live, Options, raw};

/// The status and body of one `GET path` on the admin listener with this `Host`.
async fn get(live: &Live, path: &str, host: &str) -> (String, String) {
    let answer = raw(
        &format!("127.0.0.1:{}", live.admin_port),
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    let status = answer.get(9..12).unwrap_or("").to_owned();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[tokio::test]
async fn a_foreign_host_name_gets_no_admin_answer() {
    let live = Live::start(Options {
        extra_toml: "[admin]\nallowed_hosts = [\"openslot.lan\"]\n".to_owned(),
        ..Options::default()
    })
    .await;
    let port = live.admin_port;
    for path in [
        "/metrics",
        "/admin/api/sources",
        "/admin/api/openapi.yaml",
        "/admin/",
    ] {
        for host in [
            "evil.example",
            &format!("evil.example:{port}"),
            "localhost.evil.example",
        ] {
            let (status, body) = get(&live, path, host).await;
            assert_eq!(status, "421", "{path} with Host {host}: {body}");
            assert!(body.contains("\"wrong_host\""), "{path}: {body}");
            assert!(!body.contains("openslot_"), "{path}: {body}");
        }
    }
    // Its own names still answer.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "openslot.lan".to_owned(),
        format!("OpenSlot.lan:{port}"),
    ] {
        let (status, body) = get(&live, "/metrics", &host).await;
        assert_eq!(status, "200", "Host {host}: {body}");
        assert!(body.contains("openslot_"), "{body}");
        let (status, _) = get(&live, "/admin/api/sources", &host).await;
        assert_eq!(status, "401", "Host {host}: the login is still needed");
    }
    // The public listener is not concerned: it serves any name a proxy forwards.
    let answer = raw(
        &format!("127.0.0.1:{}", live.port),
        b"GET /healthz HTTP/1.1\r\nHost: book.example\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
