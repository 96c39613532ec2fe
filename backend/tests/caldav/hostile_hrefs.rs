//! Issue 16, row 4: a hostile CalDAV server cannot steer discovery to another place with the
//! absolute hrefs it returns: not to an address literal the resolver never sees
//! (`http://0.0.0.0:PORT/`, which reaches this machine), not to another port or host of the
//! LAN. An absolute href on the server's own origin is still followed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use openslot::sources::caldav::CalDav;
use openslot::sources::{CalendarSource, SourceContext};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A listener that counts the connections made to it (and answers none).
async fn target() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, hits)
}

fn multistatus(responses: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{responses}</d:multistatus>"#
    )
}

/// A CalDAV stand-in whose root names `principal` (any href) as the current user's principal
/// and calendar home; a PROPFIND of `/cal/` lists one calendar. Its base URL.
async fn hostile(principal: impl Fn(u16) -> String + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let principal = Arc::new(principal(port));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let principal = principal.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                let head = loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&data).into_owned();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if data.len() >= end + 4 + length {
                        break text[..end].to_owned();
                    }
                };
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let (status, body) = match path.as_str() {
                    "/cal/" => (
                        207,
                        multistatus(
                            r#"<d:response><d:href>/cal/work/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
                        ),
                    ),
                    "/" => (
                        207,
                        multistatus(&format!(
                            r#"<d:response><d:href>/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>{principal}</d:href></d:current-user-principal><c:calendar-home-set><d:href>{principal}</d:href></c:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
                        )),
                    ),
                    _ => (404, String::new()),
                };
                let reason = if status == 207 {
                    "Multi-Status"
                } else {
                    "Not Found"
                };
                let response = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn caldav(url: &str) -> CalDav {
    let config = super::servers::config_for(url);
    CalDav::new(&config, &SourceContext::new(".")).unwrap()
}

#[tokio::test]
async fn hrefs_to_an_address_literal_or_another_port_are_not_followed() {
    for (case, to) in [
        ("0.0.0.0", "http://0.0.0.0:{port}/principal/"),
        ("another port", "http://127.0.0.1:{port}/principal/"),
        ("localhost", "https://localhost:{port}/principal/"),
        (
            "IPv6 loopback",
            "http://[::ffff:127.0.0.1]:{port}/principal/",
        ),
    ] {
        let (target_port, hits) = target().await;
        let href = to.replace("{port}", &target_port.to_string());
        let base = hostile(move |_| href.clone()).await;
        let e = caldav(&base).discover().await.unwrap_err().to_string();
        assert!(
            e.contains("not allowed") || e.contains("not followed"),
            "{case}: {e}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "{case}: the href was followed"
        );
    }
}

#[tokio::test]
async fn an_absolute_href_on_the_servers_own_origin_is_followed() {
    let base = hostile(|port| format!("http://127.0.0.1:{port}/cal/")).await;
    let found = caldav(&base).discover().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].url, format!("{base}cal/work/"));
}
