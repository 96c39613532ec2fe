//! Discovery against a server that fails (500) on the full discovery PROPFIND: a small stand-in
//! for exactly this fault (the real DAViCal, which fails on `sync-token` of a non-calendar,
//! runs in the `davical` scenarios). After a 5xx, discovery asks again for the fewest
//! properties; a failure that remains names the URL and suggests the principal URL.

use std::sync::{Arc, Mutex};

use openslot::sources::caldav::CalDav;
use openslot::sources::{CalendarSource, SourceContext, SourceError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the stand-in answers: status and body for a method, path and request body.
type Handler = Arc<dyn Fn(&str, &str, &str) -> (u16, String) + Send + Sync>;

/// The requests seen, as `METHOD path` and the body.
pub type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A server on 127.0.0.1 answering with `handler`; its base URL and the requests it saw.
pub async fn stand_in(
    handler: impl Fn(&str, &str, &str) -> (u16, String) + Send + Sync + 'static,
) -> (String, Seen) {
    let handler: Handler = Arc::new(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                // The head, then the body to its Content-Length.
                let (head, body) = loop {
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
                    let head = text[..end].to_owned();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if data.len() >= end + 4 + length {
                        break (head, text[end + 4..].to_owned());
                    }
                };
                let mut words = head.split_whitespace();
                let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                log.lock()
                    .unwrap()
                    .push((format!("{method} {path}"), body.clone()));
                let (status, answer) = handler(method, path, &body);
                let reason = match status {
                    207 => "Multi-Status",
                    404 => "Not Found",
                    _ => "Internal Server Error",
                };
                let response = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

pub fn multistatus(responses: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{responses}</d:multistatus>"#
    )
}

/// Whether a PROPFIND body asks for more than the minimal set.
fn is_full(body: &str) -> bool {
    body.contains("supported-calendar-component-set")
}

/// A root that fails on the full discovery PROPFIND and answers the minimal one; a home with
/// one calendar.
fn fails_on_full_propfind(method: &str, path: &str, body: &str) -> (u16, String) {
    match (method, path) {
        ("PROPFIND", "/") if is_full(body) => (500, "DAViCal Fatal Error".to_owned()),
        ("PROPFIND", "/") => (
            207,
            multistatus(
                r#"<d:response><d:href>/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>/p/alice/</d:href></d:current-user-principal><c:calendar-home-set><d:href>/cal/</d:href></c:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
            ),
        ),
        ("PROPFIND", "/cal/") => (
            207,
            multistatus(
                r#"<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/cal/work/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
            ),
        ),
        _ => (404, String::new()),
    }
}

/// A server that fails on every request.
fn always_fails(_: &str, _: &str, _: &str) -> (u16, String) {
    (500, "DAViCal Fatal Error".to_owned())
}

fn caldav(url: &str) -> CalDav {
    let config = super::servers::config_for(url);
    CalDav::new(&config, &SourceContext::new(".")).unwrap()
}

#[tokio::test]
async fn a_500_on_the_full_discovery_propfind_is_retried_with_the_minimal_one() {
    let (base, seen) = stand_in(fails_on_full_propfind).await;
    let found = caldav(&format!("{base}/")).discover().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].url, format!("{base}/cal/work/"));
    assert_eq!(found[0].name.as_deref(), Some("Work"));
    assert!(found[0].selected, "the only calendar is chosen: {found:?}");

    let seen = seen.lock().unwrap().clone();
    let on_root: Vec<_> = seen.iter().filter(|(r, _)| r == "PROPFIND /").collect();
    assert_eq!(on_root.len(), 2, "{seen:?}");
    assert!(
        is_full(&on_root[0].1),
        "the full set first: {}",
        on_root[0].1
    );
    assert!(
        !is_full(&on_root[1].1),
        "then the minimal: {}",
        on_root[1].1
    );
    // Discovery never asks a root, principal or home for its sync state.
    for (request, body) in &seen {
        assert!(
            !body.contains("sync-token") && !body.contains("getctag"),
            "{request}: {body}"
        );
    }
}

#[tokio::test]
async fn a_failure_that_remains_names_the_url_and_suggests_the_principal_url() {
    let (base, seen) = stand_in(always_fails).await;
    let url = format!("{base}/caldav.php/");
    let source = caldav(&url);
    for e in [
        source.discover().await.unwrap_err(),
        source
            .fetch(
                openslot::calendar::Interval {
                    start: super::at(3, 1, 0),
                    end: super::at(4, 1, 0),
                },
                None,
            )
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(e, SourceError::Discovery { .. }), "{e:?}");
        assert!(e.is_transient(), "a 500 may pass: {e:?}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "calendar discovery failed at {url}: the server answered 500: Internal Server Error; set `url` to your principal URL"
            )),
            "{text}"
        );
        assert!(text.contains("/caldav.php/USERNAME/"), "{text}");
    }
    // Both property sets were tried on the configured URL.
    let seen = seen.lock().unwrap().clone();
    let asked: Vec<_> = seen
        .iter()
        .filter(|(r, _)| r == "PROPFIND /caldav.php/")
        .map(|(_, b)| is_full(b))
        .collect();
    assert!(asked.starts_with(&[true, false]), "{seen:?}");
}
