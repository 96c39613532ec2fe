//! Declined invitations through the command line and the stand-ins: `openslot slots` offers the
//! time of a meeting the owner declined (Google: the `self` attendee's `responseStatus`; Graph:
//! the signed-in user's `responseStatus.response`), and keeps every other meeting busy.

use std::process::Command;

use serde_json::{Value, json};

use super::google_standin::GoogleStandIn;
use super::graph_standin::GraphStandIn;

/// `openslot slots` for Monday 2 March 2026 (hours 09:00-17:00 UTC, one-hour calls), the
/// clock pinned to 1 March; the slot starts as "HH:MM".
async fn slot_hours(kind: &str, api: &str, oauth: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[owner]\nname = \"Owner\"\nemail = \"owner@example.org\"\ntimezone = \"UTC\"\n\
         [server]\ndata_dir = \"data\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 60\n\
         [[sources]]\nid = \"work\"\nkind = \"{kind}\"\nurl = \"{api}\"\noauth_url = \"{oauth}\"\n\
         client_id = \"client-1\"\nclient_secret = \"secret-1\"\ntoken = \"rt-0\"\n\
         timeout_seconds = 5\n"
    );
    std::fs::write(dir.path().join("openslot.toml"), config).unwrap();
    let path = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_openslot"))
            .args([
                "slots",
                "--config",
                "openslot.toml",
                "--from",
                "2026-03-02",
                "--to",
                "2026-03-02",
                "--json",
                "--now",
                "2026-03-01T00:00:00Z",
            ])
            .current_dir(&path)
            .env_remove("OPENSLOT_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

/// An event of Google's events.list (singleEvents) on 2 March, `hour`:00-+1 UTC, with `more`.
fn google_event(id: &str, hour: u32, more: Value) -> Value {
    let mut e = json!({
        "kind": "calendar#event", "id": id, "status": "confirmed", "summary": id,
        "start": { "dateTime": format!("2026-03-02T{hour:02}:00:00Z") },
        "end": { "dateTime": format!("2026-03-02T{:02}:00:00Z", hour + 1) },
    });
    for (k, v) in more.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

fn attendee(email: &str, is_self: bool, response: &str) -> Value {
    let mut a = json!({ "email": email, "responseStatus": response });
    if is_self {
        a["self"] = json!(true);
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_a_meeting_the_owner_declined_is_free() {
    let g = GoogleStandIn::start().await;
    let boss = json!({ "email": "boss@example.org" });
    // Declined by the owner (`self`): free.
    g.put(google_event(
        "declined",
        9,
        json!({ "organizer": boss, "attendees": [
            attendee("boss@example.org", false, "accepted"),
            attendee("owner@example.org", true, "declined"),
        ]}),
    ));
    // Someone else declined; the owner accepted: busy.
    g.put(google_event(
        "other-declined",
        10,
        json!({ "organizer": boss, "attendees": [
            attendee("guest@example.org", false, "declined"),
            attendee("owner@example.org", true, "accepted"),
        ]}),
    ));
    // The owner organizes it: busy whatever their own entry says.
    g.put(google_event(
        "organized",
        11,
        json!({ "organizer": { "email": "owner@example.org", "self": true }, "attendees": [
            attendee("owner@example.org", true, "declined"),
            attendee("guest@example.org", false, "accepted"),
        ]}),
    ));
    // Not answered yet, and tentatively accepted: the source's policy (busy).
    g.put(google_event(
        "needs-action",
        12,
        json!({ "organizer": boss, "attendees": [attendee("owner@example.org", true, "needsAction")] }),
    ));
    g.put(google_event(
        "tentative",
        13,
        json!({ "organizer": boss, "attendees": [attendee("owner@example.org", true, "tentative")] }),
    ));
    // No attendees at all (the owner's own event): busy.
    g.put(google_event("own", 14, json!({})));
    let hours = slot_hours("google", &g.api(), &g.oauth()).await;
    assert_eq!(hours, ["09:00", "15:00", "16:00"]);
}

/// An event of Graph's calendarView (`Prefer: outlook.timezone="UTC"`) on 2 March.
fn graph_event(id: &str, hour: u32, more: Value) -> Value {
    let t = |h: u32| json!({ "dateTime": format!("2026-03-02T{h:02}:00:00.0000000"), "timeZone": "UTC" });
    let mut e = json!({
        "id": id, "subject": id, "isAllDay": false, "isCancelled": false, "showAs": "busy",
        "type": "singleInstance", "start": t(hour), "end": t(hour + 1),
    });
    for (k, v) in more.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

fn response(r: &str) -> Value {
    json!({ "response": r, "time": "2026-02-20T10:00:00Z" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_a_meeting_the_owner_declined_is_free() {
    let m = GraphStandIn::start().await;
    let invitee = |r: &str| {
        json!({
            "isOrganizer": false, "responseStatus": response(r),
            "organizer": { "emailAddress": { "name": "Boss", "address": "boss@example.org" } },
            "attendees": [
                { "type": "required", "status": response("declined"),
                  "emailAddress": { "name": "Guest", "address": "guest@example.org" } },
            ],
        })
    };
    // The signed-in user declined: free. (A guest declining, in the others, changes nothing.)
    m.put(graph_event("declined", 9, invitee("declined")));
    m.put(graph_event("accepted", 10, invitee("accepted")));
    // The owner organizes it: `organizer`, busy.
    m.put(graph_event(
        "organized",
        11,
        json!({ "isOrganizer": true, "responseStatus": response("organizer") }),
    ));
    m.put(graph_event("not-responded", 12, invitee("notResponded")));
    m.put(graph_event("tentative", 13, invitee("tentativelyAccepted")));
    m.put(graph_event("none", 14, invitee("none")));
    let hours = slot_hours("microsoft", &m.api(), &m.oauth()).await;
    assert_eq!(hours, ["09:00", "15:00", "16:00"]);
}
