//! Issue 16, rows 5 and 13: a URL typed in the dashboard is checked as it is fetched. The
//! parser trick `webcal://0.0.0.0:PORT\@127.0.0.1:PORT2/` (checked as 127.0.0.1, fetched from
//! 0.0.0.0 after the rewrite to https) is refused and reaches nothing; the cloud metadata
//! addresses of AWS (IPv6) and Alibaba are refused like 169.254.169.254.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::app::spawn_app;
use super::{admin, login, owner_login};

#[tokio::test]
async fn the_webcal_backslash_trick_and_metadata_addresses_are_refused() {
    // What 0.0.0.0:PORT reaches on Linux: a listener on loopback that counts connections.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    for url in [
        format!(
            "webcal://0.0.0.0:{port}\\@127.0.0.1:{}/cal.ics",
            app.public.port()
        ),
        format!("http://0.0.0.0:{port}/cal.ics"),
        "http://[fd00:ec2::254]/latest/meta-data/".to_owned(),
        "http://100.100.100.200/latest/meta-data/".to_owned(),
    ] {
        let body = json!({"id": "trick", "kind": "ics", "url": url});
        let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
        assert_eq!(status, 422, "{url}: {v}");
        assert_eq!(v["error"], "url_refused", "{url}: {v}");
        let body = json!({"url": url.replace("webcal://", "http://")});
        let (status, v) = admin(
            &app,
            "POST",
            "/admin/api/caldav/calendars",
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(status, 422, "{url}: {v}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "0.0.0.0 was reached");
    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&token), None).await;
    assert_eq!((status, v), (200, json!([])));
}
