//! The `google` adapter against the Google stand-in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use openslot::calendar::{BookingEvent, Status};
use openslot::sources::google::Google;
use openslot::sources::oauth::authorize_google;
use openslot::sources::{
    CalendarSource, CalendarWriter, Fetched, Item, Occurrence, SourceError, When,
};
use serde_json::{Value, json};

use super::google_standin::GoogleStandIn;
use super::standin::Fault;
use super::{Dir, Screen, at, booking, data_dir, source, stored_token, window};

fn timed(id: &str, day: u32, hour: u32) -> Value {
    json!({
        "id": id, "summary": id,
        "start": { "dateTime": at(day, hour).to_rfc3339() },
        "end": { "dateTime": at(day, hour + 1).to_rfc3339() },
    })
}

async fn setup() -> (Arc<GoogleStandIn>, Dir, Google) {
    let g = GoogleStandIn::start().await;
    let dir = data_dir();
    let google = Google::new(&source("google", &g.api(), &g.oauth(), ""), &dir.ctx).unwrap();
    (g, dir, google)
}

fn full(f: Fetched) -> (BTreeMap<String, Item>, openslot::sources::Cursor) {
    match f {
        Fetched::Full { items, cursor } => (items, cursor),
        other => panic!("expected a full fetch: {other:?}"),
    }
}

fn occurrence(items: &BTreeMap<String, Item>, id: &str) -> Occurrence {
    match items.get(id) {
        Some(Item::Occurrence(o)) => o.clone(),
        other => panic!("{id}: {other:?}"),
    }
}

#[tokio::test]
async fn a_listing_of_several_pages_is_read_whole() {
    let (g, _dir, google) = setup().await;
    g.with(|s| s.page_size = 3);
    for i in 1..=10 {
        g.put(timed(&format!("e{i:02}"), i, 9));
    }
    g.with(|s| s.log.clear());
    let (items, cursor) = full(google.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 10, "{items:?}");
    assert!(cursor.get("sync_token").is_some());
    let lists: Vec<String> = g.with(|s| s.log.clone());
    assert_eq!(lists.len(), 4, "{lists:#?}");
    assert!(lists[0].contains("singleEvents=true"), "{}", lists[0]);
    assert!(
        lists[0].contains("timeMin=2026-03-01T00:00:00Z"),
        "{}",
        lists[0]
    );
    assert!(lists[0].contains("showDeleted=false"), "{}", lists[0]);
    assert!(lists[1].contains("pageToken=page-3"), "{}", lists[1]);
}

#[tokio::test]
async fn changes_come_as_a_delta_and_an_expired_sync_token_means_a_full_fetch() {
    let (g, _dir, google) = setup().await;
    g.put(timed("keep", 2, 9));
    g.put(timed("move", 3, 9));
    g.put(timed("drop", 4, 9));
    let (_, cursor) = full(google.fetch(window(), None).await.unwrap());

    let nothing = google.fetch(window(), Some(&cursor)).await.unwrap();
    assert!(matches!(nothing, Fetched::Unchanged { .. }), "{nothing:?}");

    g.put(timed("move", 5, 14));
    g.put(timed("new", 6, 9));
    g.remove("drop");
    let Fetched::Delta {
        changed,
        removed,
        cursor,
    } = google.fetch(window(), Some(&cursor)).await.unwrap()
    else {
        panic!("expected a delta");
    };
    assert_eq!(changed.keys().collect::<Vec<_>>(), ["move", "new"]);
    assert_eq!(removed, ["drop"]);
    assert_eq!(
        occurrence(&changed, "move").when,
        When::Timed {
            start: at(5, 14),
            end: at(5, 15)
        }
    );
    let sync = g.with(|s| s.log.last().cloned().unwrap());
    assert!(
        sync.contains("syncToken=") && !sync.contains("timeMin"),
        "{sync}"
    );

    g.remove("keep");
    g.put(timed("late", 7, 9));
    g.expire_sync_tokens();
    let (items, cursor) = full(google.fetch(window(), Some(&cursor)).await.unwrap());
    assert_eq!(items.keys().collect::<Vec<_>>(), ["late", "move", "new"]);
    assert!(cursor.get("sync_token").is_some());
}

#[tokio::test]
async fn a_wider_window_than_the_cursors_asks_for_everything_again() {
    let (g, _dir, google) = setup().await;
    g.put(timed("a", 2, 9));
    let (_, cursor) = full(google.fetch(window(), None).await.unwrap());
    let mut wider = window();
    wider.end += chrono::Duration::days(30);
    full(google.fetch(wider, Some(&cursor)).await.unwrap());
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_a_rotated_refresh_token_is_stored() {
    let (g, dir, google) = setup().await;
    g.with(|s| s.auth.rotate = true);
    g.put(timed("a", 2, 9));
    google.fetch(window(), None).await.unwrap();
    assert_eq!(stored_token(&dir).as_deref(), Some("rt-1"));

    g.with(|s| s.auth.expire_access_tokens());
    let (items, _) = full(google.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 1);
    // The second refresh used the stored token (rt-1), not the config's rt-0.
    assert_eq!(g.with(|s| s.auth.refreshes), 2);
    assert_eq!(stored_token(&dir).as_deref(), Some("rt-2"));

    // A token that expires at once is refreshed before every request, never used stale.
    g.with(|s| s.auth.expires_in = 0);
    google.fetch(window(), None).await.unwrap();
    google.fetch(window(), None).await.unwrap();
    assert!(g.with(|s| s.log.len()) >= 4);
}

#[tokio::test]
async fn a_refresh_token_google_refuses_is_reconnect_needed() {
    let (g, _dir, google) = setup().await;
    g.with(|s| s.auth.revoked = true);
    let e = google.fetch(window(), None).await.unwrap_err();
    assert!(matches!(e, SourceError::ReconnectNeeded { .. }), "{e:?}");
    assert!(e.needs_reconnect());
    let text = e.to_string();
    assert!(text.starts_with("reconnect needed"), "{text}");
    assert!(
        text.contains("openslot auth google --source work"),
        "{text}"
    );
    assert!(text.contains("7 days"), "{text}");
    assert!(!e.is_transient());
    let e = google.create(&booking("b-1@openslot")).await.unwrap_err();
    assert!(matches!(e, SourceError::ReconnectNeeded { .. }), "{e:?}");
}

#[tokio::test]
async fn a_401_after_a_fresh_token_is_authentication_failed() {
    let (g, _dir, google) = setup().await;
    g.with(|s| s.auth.reject_all = true);
    let e = google.fetch(window(), None).await.unwrap_err();
    assert!(
        e.to_string().starts_with("authentication failed (401)"),
        "{e}"
    );
    // Refreshed once and sent again, then gave up.
    assert_eq!(g.with(|s| s.log.len()), 2);
}

#[tokio::test]
async fn garbage_json_is_a_bad_response() {
    let (g, _dir, google) = setup().await;
    g.fail_next(Fault::Garbage);
    let e = google.fetch(window(), None).await.unwrap_err();
    assert!(matches!(e, SourceError::BadResponse(_)), "{e:?}");
    g.fail_next(Fault::Status(503));
    let e = google.fetch(window(), None).await.unwrap_err();
    assert!(e.is_transient(), "{e:?}");
}

#[tokio::test]
async fn all_day_tentative_free_and_cancelled_events_map() {
    let (g, _dir, google) = setup().await;
    g.put(json!({ "id": "holiday", "start": { "date": "2026-03-09" }, "end": { "date": "2026-03-10" } }));
    g.put(json!({ "id": "maybe", "status": "tentative",
        "start": { "dateTime": "2026-03-02T10:00:00+01:00", "timeZone": "Europe/Berlin" },
        "end": { "dateTime": "2026-03-02T11:00:00+01:00", "timeZone": "Europe/Berlin" } }));
    let mut free = timed("free", 3, 9);
    free["transparency"] = json!("transparent");
    g.put(free);
    g.put(timed("gone", 4, 9));
    g.remove("gone");
    let (items, _) = full(google.fetch(window(), None).await.unwrap());
    assert_eq!(
        items.keys().collect::<Vec<_>>(),
        ["free", "holiday", "maybe"]
    );
    let holiday = occurrence(&items, "holiday");
    assert_eq!(
        holiday.when,
        When::AllDay {
            start: "2026-03-09".parse().unwrap(),
            end: "2026-03-10".parse().unwrap()
        }
    );
    assert_eq!(holiday.status, Status::Confirmed);
    assert!(!holiday.transparent);
    let maybe = occurrence(&items, "maybe");
    assert_eq!(maybe.status, Status::Tentative);
    assert_eq!(
        maybe.when,
        When::Timed {
            start: at(2, 9),
            end: at(2, 10)
        }
    );
    assert!(occurrence(&items, "free").transparent);
}

#[tokio::test]
async fn a_create_retried_after_a_timeout_makes_one_event() {
    let (g, _dir, google) = setup().await;
    let event = booking("booking-7@openslot");
    // The stand-in makes the event, then answers after the client gave up.
    g.fail_next(Fault::Delay(Duration::from_millis(1500)));
    let e = google.create(&event).await.unwrap_err();
    assert!(matches!(e, SourceError::Timeout { .. }), "{e:?}");
    assert_eq!(g.live_ids().len(), 1);

    let written = google.create(&event).await.unwrap();
    let again = google.create(&event).await.unwrap();
    assert_eq!(written, again);
    assert_eq!(g.live_ids(), std::slice::from_ref(&written.remote_id));
    assert_eq!(written.uid, event.uid);
    let stored = g.event(&written.remote_id).unwrap();
    assert_eq!(stored["summary"], "Call with Eve");
    assert_eq!(stored["start"]["dateTime"], "2026-03-10T10:00:00Z");
    let inserts = g.with(|s| s.log.iter().filter(|l| l.starts_with("POST")).count());
    assert_eq!(inserts, 3);
    assert!(g.with(|s| {
        s.log
            .iter()
            .any(|l| l.starts_with("POST") && l.contains("sendUpdates=none"))
    }));
}

#[tokio::test]
async fn deleting_twice_is_fine() {
    let (g, _dir, google) = setup().await;
    let written = google.create(&booking("booking-8@openslot")).await.unwrap();
    google.delete(&written).await.unwrap();
    google.delete(&written).await.unwrap();
    assert!(g.live_ids().is_empty());
    let mut gone = written.clone();
    gone.remote_id = "neverexisted".to_owned();
    google.delete(&gone).await.unwrap();
}

/// A reschedule is "Events: patch" of the same event id (Google raises its sequence); an
/// event the owner deleted meanwhile is made again under an id of this version.
#[tokio::test]
async fn a_reschedule_patches_the_same_event_and_a_deleted_one_is_made_again() {
    let (g, _dir, google) = setup().await;
    let first = booking("booking-10@openslot");
    let written = google.create(&first).await.unwrap();
    let moved = BookingEvent {
        sequence: 1,
        start: at(11, 10),
        end: at(11, 11),
        ..first.clone()
    };
    g.with(|s| s.log.clear());
    let updated = google.update(&written, &moved).await.unwrap();
    assert_eq!(updated.remote_id, written.remote_id);
    let log = g.with(|s| s.log.clone());
    assert_eq!(
        log,
        [format!(
            "PATCH /calendar/v3/calendars/primary/events/{}?sendUpdates=none",
            written.remote_id
        )]
    );
    let stored = g.event(&written.remote_id).unwrap();
    assert_eq!(stored["start"]["dateTime"], "2026-03-11T10:00:00Z");
    assert_eq!(stored["sequence"], 1);
    assert_eq!(g.live_ids(), std::slice::from_ref(&written.remote_id));

    g.remove(&written.remote_id);
    let again = BookingEvent {
        sequence: 2,
        ..moved
    };
    let made = google.update(&updated, &again).await.unwrap();
    assert_ne!(
        made.remote_id, written.remote_id,
        "Google keeps deleted ids"
    );
    assert_eq!(g.live_ids(), std::slice::from_ref(&made.remote_id));
    // The same again (a retry after a lost answer): still one event.
    let retried = google.update(&updated, &again).await.unwrap();
    assert_eq!(retried.remote_id, made.remote_id);
    assert_eq!(g.live_ids(), [made.remote_id]);
}

#[tokio::test]
async fn discovery_lists_the_calendars() {
    let (_g, _dir, google) = setup().await;
    let found = google.discover().await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].name.as_deref(), Some("Owner"));
    assert_eq!(found[0].color.as_deref(), Some("#9fe1e7"));
    assert!(found[0].selected && !found[1].selected);
}

#[tokio::test]
async fn the_loopback_flow_stores_the_refresh_token() {
    let g = GoogleStandIn::start().await;
    let dir = data_dir();
    let config = source("google", &g.api(), &g.oauth(), "");
    let screen = Screen::default();
    let flow = {
        let (config, ctx, mut out) = (config.clone(), dir.ctx.clone(), screen.clone());
        tokio::spawn(async move { authorize_google(&config, &ctx, &mut out).await })
    };
    // The owner opens the printed address; the consent page redirects to the loopback.
    let line = screen.wait_for("/o/oauth2/v2/auth?").await;
    let url = reqwest::Url::parse(line.trim()).unwrap();
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["access_type"], "offline");
    // The source writes (`write = true`): events may be created; the calendar list is read.
    assert_eq!(q["scope"], openslot::sources::oauth::GOOGLE_SCOPE_WRITE);
    let redirect = q["redirect_uri"].clone();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    g.with(|s| {
        s.auth.codes.insert(
            "code-1".to_owned(),
            (q["code_challenge"].clone(), redirect.clone()),
        )
    });
    let browser = openslot::sources::http::client(Default::default()).unwrap();
    let mut back = reqwest::Url::parse(&redirect).unwrap();
    back.query_pairs_mut()
        .append_pair("state", &q["state"])
        .append_pair("code", "code-1")
        .append_pair("scope", &q["scope"]);
    let page = browser.get(back).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("authorized"));
    flow.await.unwrap().unwrap();
    let stored = stored_token(&dir).unwrap();
    assert_eq!(stored, g.with(|s| s.auth.refresh.clone()));
    assert!(!screen.text().contains(&stored), "the token is never shown");

    // The stored token works (the config's rt-0 is no longer the server's).
    g.put(timed("a", 2, 9));
    let google = Google::new(&config, &dir.ctx).unwrap();
    let (items, _) = full(google.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_refused() {
    let g = GoogleStandIn::start().await;
    let dir = data_dir();
    let config = source("google", &g.api(), &g.oauth(), "");
    let screen = Screen::default();
    let flow = {
        let (config, ctx, mut out) = (config.clone(), dir.ctx.clone(), screen.clone());
        tokio::spawn(async move { authorize_google(&config, &ctx, &mut out).await })
    };
    let line = screen.wait_for("/o/oauth2/v2/auth?").await;
    let url = reqwest::Url::parse(line.trim()).unwrap();
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let browser = openslot::sources::http::client(Default::default()).unwrap();
    let page = browser
        .get(format!("{redirect}?state=forged&code=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    let e = flow.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("state"), "{e}");
    assert!(stored_token(&dir).is_none());
}

/// A source that only reads asks Google for `calendar.readonly`, never `calendar.events`.
#[tokio::test]
async fn a_read_only_source_asks_google_for_the_read_scope_only() {
    let g = GoogleStandIn::start().await;
    let dir = data_dir();
    let mut config = source("google", &g.api(), &g.oauth(), "");
    config.write = false;
    let screen = Screen::default();
    let flow = {
        let (config, ctx, mut out) = (config.clone(), dir.ctx.clone(), screen.clone());
        tokio::spawn(async move { authorize_google(&config, &ctx, &mut out).await })
    };
    let line = screen.wait_for("/o/oauth2/v2/auth?").await;
    flow.abort();
    let url = reqwest::Url::parse(line.trim()).unwrap();
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["scope"], openslot::sources::oauth::GOOGLE_SCOPE_READ);
    assert!(!q["scope"].contains("calendar.events"));
}
