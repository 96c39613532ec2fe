//! Issue 16, row 13: `user:password@` typed into a dashboard source's URL is moved into the
//! source's user name and sealed secret when it is saved: `GET /admin/api/sources` and the
//! stored settings never show the password, and the feed, which requires Basic
//! authentication, is still read with it.

use openslot_testkit::feed_server;

use serde_json::json;

use super::app::spawn_app;
use super::{admin, login, owner_login};

const PASSWORD: &str = "s3cr3t:pw";

#[tokio::test]
async fn a_password_in_a_feed_url_is_sealed_not_stored_or_shown() {
    let feed = feed_server::FeedServer::start().await;
    feed.state.lock().unwrap().basic = Some(("ada".to_owned(), PASSWORD.to_owned()));
    feed.put(
        "a",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n\
         DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n\
         SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let typed = format!("http://ada:s3cr3t%3Apw@{}/feed.ics", feed.addr);
    let body = json!({"id": "private", "kind": "ics", "url": typed});
    let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
    assert!(status == 200 || status == 201, "{status}: {v}");
    // The trial sync sent the credentials as Basic authentication.
    let expected = openslot::sources::ics_feed::basic_auth("ada", PASSWORD);
    assert!(
        feed.seen()
            .iter()
            .any(|s| s.authorization.as_deref() == Some(expected.as_str())),
        "{:?}",
        feed.seen()
    );

    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&token), None).await;
    assert_eq!(status, 200, "{v}");
    let text = v.to_string();
    assert!(!text.contains("s3cr3t"), "{text}");
    let entry = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s.to_string().contains("\"private\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        entry
            .to_string()
            .contains(&format!("\"http://{}/feed.ics\"", feed.addr)),
        "{entry}"
    );

    // Nor in the database's settings (the secret column is sealed).
    let db = app.dir.path().join("data/openslot.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let settings: String = conn
        .query_row(
            "SELECT settings FROM sources WHERE id = 'private'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!settings.contains("s3cr3t"), "{settings}");
    assert!(settings.contains("\"username\":\"ada\""), "{settings}");

    // A later sync still authenticates.
    let before = feed.seen().len();
    let (status, v) = admin(&app, "POST", "/admin/api/sources/sync", Some(&token), None).await;
    assert!(status < 300, "{status}: {v}");
    let after = feed.seen();
    assert!(after.len() > before, "no sync: {after:?}");
    assert_eq!(
        after.last().unwrap().authorization.as_deref(),
        Some(expected.as_str())
    );
}

#[tokio::test]
async fn a_password_stored_in_a_url_before_is_sealed_at_the_next_start() {
    let feed = feed_server::FeedServer::start().await;
    feed.put(
        "a",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n",
    );
    let mut app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let body = json!({"id": "old", "kind": "ics", "url": feed.url("/feed.ics")});
    let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
    assert!(status == 200 || status == 201, "{status}: {v}");
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    // As an earlier version stored it: the password in the URL, no secret.
    let db = dir.path().join("data/openslot.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let legacy = json!({"id": "old", "kind": "ics",
        "url": format!("http://ada:s3cr3t%3Apw@{}/feed.ics", feed.addr)});
    conn.execute(
        "UPDATE sources SET settings = ?1, secret_ciphertext = NULL, secret_nonce = NULL \
         WHERE id = 'old'",
        [legacy.to_string()],
    )
    .unwrap();
    drop(conn);
    feed.state.lock().unwrap().basic = Some(("ada".to_owned(), PASSWORD.to_owned()));

    let app = super::app::spawn_in(dir, &owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(&app, "GET", "/admin/api/sources", Some(&token), None).await;
    assert_eq!(status, 200, "{v}");
    assert!(!v.to_string().contains("s3cr3t"), "{v}");
    let conn = rusqlite::Connection::open(app.dir.path().join("data/openslot.db")).unwrap();
    let (settings, sealed): (String, Option<Vec<u8>>) = conn
        .query_row(
            "SELECT settings, secret_ciphertext FROM sources WHERE id = 'old'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(!settings.contains("s3cr3t"), "{settings}");
    assert!(sealed.is_some_and(|s| !String::from_utf8_lossy(&s).contains("s3cr3t")));
    // And the feed is read with the moved password.
    let (status, v) = admin(&app, "POST", "/admin/api/sources/sync", Some(&token), None).await;
    assert!(status < 300, "{status}: {v}");
    let expected = openslot::sources::ics_feed::basic_auth("ada", PASSWORD);
    assert_eq!(
        feed.seen().last().unwrap().authorization.as_deref(),
        Some(expected.as_str())
    );
}
