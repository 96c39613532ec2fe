//! Listing a CalDAV server's calendars to pick from, and the outbound URL guard.

use serde_json::json;

use super::app::spawn_app;
use super::servers::{Kind, PASSWORD, Server, USER};
use super::{admin, login, owner_login};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caldav_server_lists_its_calendars_and_errors_read_plainly() {
    let server = Server::start(Kind::Radicale).await;
    let work = server.mkcalendar("work", "Work", "#112233FF").await;
    let home = server.mkcalendar("home", "Home", "#445566FF").await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let ask = |password: &str| json!({"url": format!("{}/", server.base), "username": USER, "password": password});

    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/caldav/calendars",
        Some(&token),
        Some(ask(PASSWORD)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let mut found: Vec<(String, String, String, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["href"].as_str().unwrap().to_owned(),
                c["color"].as_str().unwrap_or_default().to_owned(),
                c["supports_events"].as_bool().unwrap(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("Home".to_owned(), home, "#445566FF".to_owned(), true),
            ("Work".to_owned(), work, "#112233FF".to_owned(), true),
        ]
    );
    assert!(!v.to_string().contains(PASSWORD));

    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/caldav/calendars",
        Some(&token),
        Some(ask("wrong")),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "auth_failed", "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("check the username and password"),
        "{message}"
    );
    assert!(!message.contains("wrong"), "{message}");

    // Not a CalDAV server: OpenSlot's own public listener.
    let body = json!({"url": format!("http://{}/", app.public)});
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/caldav/calendars",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "not_caldav", "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("is it a CalDAV server?"),
        "{v}"
    );

    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let body = json!({"url": format!("http://127.0.0.1:{port}/")});
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/caldav/calendars",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "unreachable", "{v}");
}

#[tokio::test]
async fn link_local_and_metadata_addresses_are_refused() {
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]:5232/",
        "http://0.0.0.0:5232/",
    ] {
        let body = json!({"id": "meta", "kind": "ics", "url": url});
        let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
        assert_eq!(status, 422, "{url}: {v}");
        assert_eq!(v["error"], "url_refused", "{url}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains("is not allowed"),
            "{v}"
        );
        let body = json!({"url": url, "username": "a", "password": "b"});
        let (status, v) = admin(
            &app,
            "POST",
            "/admin/api/caldav/calendars",
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (422, Some("url_refused")),
            "{url}: {v}"
        );
    }
    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&token), None).await;
    assert_eq!((status, v), (200, json!([])));
}
