//! Add, remove, restart: busy time without a restart, the file wins, secrets at rest.

use serde_json::json;

use super::app::{spawn_app, spawn_in};
use super::servers::{Kind, PASSWORD, Server};
use super::{admin, busy_event, caldav_source, login, owner_login, source_entry, tuesday};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_source_blocks_its_time_at_once_and_frees_it_when_removed() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "dentist.ics", &busy_event("dentist-1"))
        .await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let free = tuesday(&app).await;
    assert!(
        free.contains(&"10:00".to_owned()) && free.contains(&"10:30".to_owned()),
        "{free:?}"
    );

    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["id"], "lan");
    assert_eq!(v["origin"], "dashboard");
    assert_eq!(v["freshness"], "fresh", "synced before the answer: {v}");
    assert_eq!(v["has_secret"], true);
    assert_eq!(v["event_count"], 1);
    assert!(!v.to_string().contains(PASSWORD), "never echoed: {v}");
    assert_eq!(v["settings"]["calendar"], cal.as_str());

    let busy = tuesday(&app).await;
    assert!(!busy.contains(&"10:00".to_owned()), "{busy:?}");
    assert!(!busy.contains(&"10:30".to_owned()), "{busy:?}");
    assert_eq!(busy.len(), free.len() - 2, "{busy:?}");

    // An edit without the password keeps the stored one (it syncs again before it is saved).
    let mut edit = caldav_source("lan", &server, &cal, false);
    edit.as_object_mut().unwrap().remove("password");
    edit["name"] = json!("LAN calendar");
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/sources/lan",
        Some(&token),
        Some(edit.clone()),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["name"].as_str(), v["has_secret"].as_bool()),
        (Some("LAN calendar"), Some(true)),
        "{v}"
    );
    assert_eq!(v["healthy"], true, "{v}");
    let (status, week) = admin(
        &app,
        "GET",
        "/admin/api/week?from=2026-12-01&days=1",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{week}");
    assert_eq!(
        week["sources"][0]["name"], "LAN calendar",
        "the week view names it: {week}"
    );
    assert_eq!(
        week["sources"][0]["busy"].as_array().map(Vec::len),
        Some(1),
        "{week}"
    );
    edit["id"] = json!("other");
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/sources/lan",
        Some(&token),
        Some(edit),
    )
    .await;
    assert_eq!(
        (status, v["fields"][0]["field"].as_str()),
        (422, Some("id")),
        "{v}"
    );
    assert_eq!(tuesday(&app).await, busy, "a refused edit changes nothing");

    let (status, v) = admin(&app, "DELETE", "/admin/api/sources/lan", Some(&token), None).await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(
        tuesday(&app).await,
        free,
        "its time is free again without a restart"
    );
    assert!(source_entry(&app, &token, "lan").await.0.is_none());
    let (status, v) = admin(&app, "DELETE", "/admin/api/sources/lan", Some(&token), None).await;
    assert_eq!(status, 404, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_cannot_be_read_is_not_saved() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    let app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let mut body = caldav_source("lan", &server, &cal, false);
    body["password"] = json!("wrong");
    let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "auth_failed", "{v}");
    assert!(v["message"].as_str().unwrap().contains("not saved"), "{v}");
    assert!(source_entry(&app, &token, "lan").await.0.is_none());
    // Checked like the file: the same keys and messages.
    let body = json!({"id": "bad", "kind": "ics", "url": "https://example.org/x.ics", "write": true, "colour": "red"});
    let (status, v) = admin(&app, "POST", "/admin/api/sources", Some(&token), Some(body)).await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"write") && fields.contains(&"colour"),
        "{v}"
    );
    assert_eq!(tuesday(&app).await.len(), 16, "nothing blocks bookings");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_wins_and_its_sources_are_read_only() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "dentist.ics", &busy_event("dentist-1"))
        .await;
    let mut app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("work", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 201, "{v}");

    // Restart with a file source of the same id (an empty feed): the file's is used.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    std::fs::write(
        dir.path().join("empty.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let file_source = "[[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://empty.ics\"\n";
    let app = spawn_in(dir, &format!("{}{file_source}", owner_login())).await;
    let token = login(&app).await;
    let (_, all) = source_entry(&app, &token, "work").await;
    let file: Vec<_> = all
        .iter()
        .filter(|s| s["id"] == "work" && s["origin"] == "file")
        .collect();
    let shadowed: Vec<_> = all
        .iter()
        .filter(|s| s["id"] == "work" && s["shadowed"] == true)
        .collect();
    assert_eq!((file.len(), shadowed.len()), (1, 1), "{all:?}");
    assert_eq!(shadowed[0]["origin"], "dashboard");
    assert!(
        shadowed[0]["summary"]
            .as_str()
            .unwrap()
            .contains("the file wins")
    );
    for _ in 0..100 {
        if tuesday(&app).await.len() == 16 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        tuesday(&app).await.contains(&"10:00".to_owned()),
        "the dashboard's copy is not used"
    );

    // The file's id cannot be taken, edited or removed here.
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("work", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"], "file_source");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("configuration file"),
        "{v}"
    );
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/sources/work",
        Some(&token),
        Some(caldav_source("work", &server, &cal, false)),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("file_source")),
        "{v}"
    );
    // DELETE removes the shadowed dashboard copy; the file's stays.
    let (status, _) = admin(
        &app,
        "DELETE",
        "/admin/api/sources/work",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, v) = admin(
        &app,
        "DELETE",
        "/admin/api/sources/work",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("file_source")),
        "{v}"
    );
    let (_, all) = source_entry(&app, &token, "work").await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["origin"], "file");
}

/// The database and its WAL hold no copy of the password in the clear.
fn stored_bytes(dir: &std::path::Path) -> Vec<u8> {
    ["openslot.db", "openslot.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(dir.join("data").join(f)).ok())
        .flatten()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_encrypted_at_rest_and_another_key_is_a_clear_error() {
    let server = Server::start(Kind::Radicale).await;
    let cal = server.mkcalendar("work", "Work", "#112233FF").await;
    server
        .put(&cal, "dentist.ics", &busy_event("dentist-1"))
        .await;
    let mut app = spawn_app(&owner_login()).await;
    let token = login(&app).await;
    let (status, v) = admin(
        &app,
        "POST",
        "/admin/api/sources",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let bytes = stored_bytes(app.dir.path());
    assert!(
        bytes.windows(b"\"lan\"".len()).any(|w| w == b"\"lan\""),
        "the row is there"
    );
    assert!(
        !bytes
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes()),
        "the password is not in the clear"
    );

    // A restart with the same key reads the password back: a new event syncs.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let mut app = spawn_in(dir, &owner_login()).await;
    let token = login(&app).await;
    server.remove(&cal, "dentist.ics").await;
    let (status, v) = admin(&app, "POST", "/admin/api/sources/sync", Some(&token), None).await;
    assert_eq!(status, 200, "{v}");
    let (lan, _) = source_entry(&app, &token, "lan").await;
    let lan = lan.unwrap();
    assert_eq!(lan["last_error"], serde_json::Value::Null, "{lan}");
    assert_eq!(
        lan["event_count"], 0,
        "synced with the stored password: {lan}"
    );
    assert_eq!(tuesday(&app).await.len(), 16);

    // Another key: that source fails in words, the service runs.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let key = dir.path().join("data/secrets.key");
    std::fs::write(&key, [7u8; 32]).unwrap();
    let app = spawn_in(dir, &owner_login()).await;
    let token = login(&app).await;
    let (lan, _) = source_entry(&app, &token, "lan").await;
    let lan = lan.unwrap();
    let error = lan["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("cannot be decrypted"), "{lan}");
    assert_eq!(lan["healthy"], false);
    // Entering the password again mends it.
    let (status, v) = admin(
        &app,
        "PUT",
        "/admin/api/sources/lan",
        Some(&token),
        Some(caldav_source("lan", &server, &cal, false)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["last_error"], serde_json::Value::Null, "{v}");
    assert_eq!(v["healthy"], true, "{v}");
}
