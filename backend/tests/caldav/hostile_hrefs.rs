//! Issue 16, row 4: a hostile CalDAV server cannot steer discovery to another place with the
//! absolute hrefs it returns: not to an address literal the resolver never sees
//! (`http://0.0.0.0:PORT/`, which reaches this machine), not to another port or host of the
//! LAN. An absolute href on the server's own origin is still followed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use openslot::sources::caldav::CalDav;
use openslot::sources::{CalendarSource, SourceContext};
use tokio::net::TcpListener;

use super::discovery_faults::{multistatus, stand_in};

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

/// A CalDAV stand-in whose root names `principal(base)` (any href) as the current user's
/// principal and calendar home; a PROPFIND of `/cal/` lists one calendar. Its base URL.
async fn hostile(principal: impl Fn(&str) -> String + Send + Sync + 'static) -> String {
    let base: Arc<OnceLock<String>> = Arc::default();
    let known = base.clone();
    let (url, _) = stand_in(move |_, path, _| match path {
        "/cal/" => (
            207,
            multistatus(
                r#"<d:response><d:href>/cal/work/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
            ),
        ),
        "/" => {
            let principal = principal(known.get().map_or("", String::as_str));
            (
                207,
                multistatus(&format!(
                    r#"<d:response><d:href>/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>{principal}</d:href></d:current-user-principal><c:calendar-home-set><d:href>{principal}</d:href></c:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
                )),
            )
        }
        _ => (404, String::new()),
    })
    .await;
    let url = format!("{url}/");
    base.set(url.clone()).unwrap();
    url
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
    let base = hostile(|base| format!("{base}cal/")).await;
    let found = caldav(&base).discover().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].url, format!("{base}cal/work/"));
}
