//! The `microsoft` adapter against the Graph stand-in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use openslot::calendar::{BookingEvent, Status};
use openslot::sources::microsoft::Microsoft;
use openslot::sources::oauth::authorize_microsoft;
use openslot::sources::{
    CalendarSource, CalendarWriter, Cursor, Fetched, Item, Occurrence, SourceError, When,
};
use serde_json::{Value, json};

use super::graph_standin::GraphStandIn;
use super::standin::Fault;
use super::{Dir, Screen, at, booking, data_dir, source, stored_token, window};

/// A Graph event as calendarView delta gives it with `Prefer: outlook.timezone="UTC"`.
fn timed(id: &str, day: u32, hour: u32) -> Value {
    let t = |h: u32| json!({ "dateTime": at(day, h).format("%Y-%m-%dT%H:%M:%S.0000000").to_string(), "timeZone": "UTC" });
    json!({
        "id": id, "subject": id, "isAllDay": false, "isCancelled": false, "showAs": "busy",
        "type": "singleInstance", "start": t(hour), "end": t(hour + 1),
    })
}

async fn setup() -> (Arc<GraphStandIn>, Dir, Microsoft) {
    let m = GraphStandIn::start().await;
    let dir = data_dir();
    let ms = Microsoft::new(&source("microsoft", &m.api(), &m.oauth(), ""), &dir.ctx).unwrap();
    (m, dir, ms)
}

fn full(f: Fetched) -> (BTreeMap<String, Item>, Cursor) {
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
async fn a_round_of_several_pages_is_read_whole() {
    let (m, _dir, ms) = setup().await;
    m.with(|s| s.page_cap = 3);
    for i in 1..=10 {
        m.put(timed(&format!("e{i:02}"), i, 9));
    }
    let (items, cursor) = full(ms.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 10, "{items:?}");
    assert!(cursor.get("delta_link").unwrap().contains("deltatoken="));
    let (log, prefer) = m.with(|s| (s.log.clone(), s.prefer.clone()));
    assert_eq!(log.len(), 4, "{log:#?}");
    assert!(
        log[0].starts_with("GET /v1.0/me/calendarView/delta?startDateTime=2026-03-01T00:00:00Z"),
        "{}",
        log[0]
    );
    assert!(log[1].contains("$skiptoken=3"), "{}", log[1]);
    for p in &prefer {
        assert!(p.contains("outlook.timezone=\"UTC\""), "{p}");
        assert!(p.contains("odata.maxpagesize="), "{p}");
    }
}

#[tokio::test]
async fn a_configured_calendar_is_read_through_its_own_view() {
    let m = GraphStandIn::start().await;
    let dir = data_dir();
    let config = source("microsoft", &m.api(), &m.oauth(), "calendar = \"AAMkCal2\"");
    let ms = Microsoft::new(&config, &dir.ctx).unwrap();
    m.put(timed("a", 2, 9));
    full(ms.fetch(window(), None).await.unwrap());
    let written = ms.create(&booking("b@openslot")).await.unwrap();
    let log = m.with(|s| s.log.clone());
    assert!(log[0].starts_with("GET /v1.0/me/calendars/AAMkCal2/calendarView/delta?"));
    assert!(log[1].starts_with("POST /v1.0/me/calendars/AAMkCal2/events"));
    ms.delete(&written).await.unwrap();
    let found = ms.discover().await.unwrap();
    assert!(found[1].selected && !found[0].selected);
}

#[tokio::test]
async fn changes_come_as_a_delta_and_a_lost_delta_token_means_a_full_fetch() {
    let (m, _dir, ms) = setup().await;
    m.put(timed("keep", 2, 9));
    m.put(timed("move", 3, 9));
    m.put(timed("drop", 4, 9));
    let (_, cursor) = full(ms.fetch(window(), None).await.unwrap());

    let nothing = ms.fetch(window(), Some(&cursor)).await.unwrap();
    assert!(matches!(nothing, Fetched::Unchanged { .. }), "{nothing:?}");

    m.put(timed("move", 5, 14));
    m.put(timed("new", 6, 9));
    m.remove("drop");
    let Fetched::Delta {
        changed,
        removed,
        cursor,
    } = ms.fetch(window(), Some(&cursor)).await.unwrap()
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
    let last = m.with(|s| s.log.last().cloned().unwrap());
    assert!(last.contains("$deltatoken="), "{last}");

    m.remove("keep");
    m.put(timed("late", 7, 9));
    m.expire_delta_tokens();
    let (items, cursor) = full(ms.fetch(window(), Some(&cursor)).await.unwrap());
    assert_eq!(items.keys().collect::<Vec<_>>(), ["late", "move", "new"]);
    assert!(cursor.get("delta_link").is_some());
}

#[tokio::test]
async fn a_paging_link_to_another_host_is_not_followed() {
    let (m, _dir, ms) = setup().await;
    m.put(timed("a", 2, 9));
    let (_, cursor) = full(ms.fetch(window(), None).await.unwrap());
    let forged = cursor.clone().with(
        "delta_link",
        "http://198.51.100.7/v1.0/me/calendarView/delta?$deltatoken=1",
    );
    let e = ms.fetch(window(), Some(&forged)).await.unwrap_err();
    assert!(matches!(e, SourceError::BadResponse(_)), "{e:?}");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_is_stored() {
    let (m, dir, ms) = setup().await;
    m.with(|s| s.auth.rotate = true);
    m.put(timed("a", 2, 9));
    ms.fetch(window(), None).await.unwrap();
    assert_eq!(stored_token(&dir).as_deref(), Some("rt-1"));
    m.with(|s| s.auth.expire_access_tokens());
    let (items, _) = full(ms.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 1);
    assert_eq!(m.with(|s| s.auth.refreshes), 2);
    assert_eq!(stored_token(&dir).as_deref(), Some("rt-2"));
}

#[tokio::test]
async fn a_refresh_token_microsoft_refuses_is_reconnect_needed() {
    let (m, _dir, ms) = setup().await;
    m.with(|s| s.auth.revoked = true);
    let e = ms.fetch(window(), None).await.unwrap_err();
    assert!(matches!(e, SourceError::ReconnectNeeded { .. }), "{e:?}");
    assert!(e.to_string().starts_with("reconnect needed"), "{e}");
    assert!(
        e.to_string()
            .contains("openslot auth microsoft --source work"),
        "{e}"
    );
}

#[tokio::test]
async fn a_401_after_a_fresh_token_is_authentication_failed() {
    let (m, _dir, ms) = setup().await;
    m.with(|s| s.auth.reject_all = true);
    let e = ms.fetch(window(), None).await.unwrap_err();
    assert!(
        e.to_string().starts_with("authentication failed (401)"),
        "{e}"
    );
    assert_eq!(m.with(|s| s.log.len()), 2);
}

#[tokio::test]
async fn garbage_json_is_a_bad_response() {
    let (m, _dir, ms) = setup().await;
    m.fail_next(Fault::Garbage);
    let e = ms.fetch(window(), None).await.unwrap_err();
    assert!(matches!(e, SourceError::BadResponse(_)), "{e:?}");
    m.fail_next(Fault::Status(429));
    let e = ms.fetch(window(), None).await.unwrap_err();
    assert!(e.is_transient(), "{e:?}");
}

#[tokio::test]
async fn all_day_tentative_free_and_cancelled_events_map() {
    let (m, _dir, ms) = setup().await;
    m.put(json!({ "id": "holiday", "isAllDay": true, "showAs": "free",
        "start": { "dateTime": "2026-03-09T00:00:00.0000000", "timeZone": "UTC" },
        "end": { "dateTime": "2026-03-11T00:00:00.0000000", "timeZone": "UTC" } }));
    let mut maybe = timed("maybe", 2, 9);
    maybe["showAs"] = json!("tentative");
    m.put(maybe);
    let mut off = timed("off", 3, 9);
    off["isCancelled"] = json!(true);
    m.put(off);
    let mut away = timed("away", 4, 9);
    away["showAs"] = json!("oof");
    m.put(away);
    let (items, _) = full(ms.fetch(window(), None).await.unwrap());
    let holiday = occurrence(&items, "holiday");
    assert_eq!(
        holiday.when,
        When::AllDay {
            start: "2026-03-09".parse().unwrap(),
            end: "2026-03-11".parse().unwrap()
        }
    );
    assert!(holiday.transparent);
    assert_eq!(occurrence(&items, "maybe").status, Status::Tentative);
    assert_eq!(occurrence(&items, "off").status, Status::Cancelled);
    let away = occurrence(&items, "away");
    assert_eq!(away.status, Status::Confirmed);
    assert!(!away.transparent);
    assert_eq!(
        away.when,
        When::Timed {
            start: at(4, 9),
            end: at(4, 10)
        }
    );
}

#[tokio::test]
async fn a_create_retried_after_a_timeout_makes_one_event() {
    let (m, _dir, ms) = setup().await;
    let event = booking("booking-7@openslot");
    m.fail_next(Fault::Delay(Duration::from_millis(1500)));
    let e = ms.create(&event).await.unwrap_err();
    assert!(matches!(e, SourceError::Timeout { .. }), "{e:?}");
    assert_eq!(m.live_ids().len(), 1);
    let written = ms.create(&event).await.unwrap();
    let again = ms.create(&event).await.unwrap();
    assert_eq!(written, again);
    assert_eq!(m.live_ids(), std::slice::from_ref(&written.remote_id));
    // Another booking is another event.
    let other = ms.create(&booking("booking-8@openslot")).await.unwrap();
    assert_ne!(other.remote_id, written.remote_id);
    assert_eq!(m.live_ids().len(), 2);
}

#[tokio::test]
async fn deleting_twice_is_fine() {
    let (m, _dir, ms) = setup().await;
    let written = ms.create(&booking("booking-9@openslot")).await.unwrap();
    ms.delete(&written).await.unwrap();
    ms.delete(&written).await.unwrap();
    assert!(m.live_ids().is_empty());
}

/// A reschedule is "Update event" (`PATCH /me/events/{id}`) of the same event; one the owner
/// deleted meanwhile is made again (a new id; a retry of that POST makes no second).
#[tokio::test]
async fn a_reschedule_patches_the_same_event_and_a_deleted_one_is_made_again() {
    let (m, _dir, ms) = setup().await;
    let first = booking("booking-11@openslot");
    let written = ms.create(&first).await.unwrap();
    let moved = BookingEvent {
        sequence: 1,
        start: at(11, 10),
        end: at(11, 11),
        ..first.clone()
    };
    m.with(|s| s.log.clear());
    let updated = ms.update(&written, &moved).await.unwrap();
    assert_eq!(updated.remote_id, written.remote_id);
    let log = m.with(|s| s.log.clone());
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].starts_with(&format!("PATCH /v1.0/me/events/{}", written.remote_id)),
        "{log:?}"
    );
    assert_eq!(m.live_ids(), std::slice::from_ref(&written.remote_id));
    let stored = m.event(&written.remote_id).unwrap();
    assert_eq!(stored["start"]["dateTime"], "2026-03-11T10:00:00");
    assert_eq!(stored["id"], written.remote_id.as_str());

    m.remove(&written.remote_id);
    let again = BookingEvent {
        sequence: 2,
        ..moved
    };
    let made = ms.update(&updated, &again).await.unwrap();
    assert_ne!(made.remote_id, written.remote_id);
    let retried = ms.update(&updated, &again).await.unwrap();
    assert_eq!(retried.remote_id, made.remote_id);
    assert_eq!(m.live_ids(), [made.remote_id]);
}

#[tokio::test]
async fn discovery_lists_the_calendars() {
    let (_m, _dir, ms) = setup().await;
    let found = ms.discover().await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].name.as_deref(), Some("Calendar"));
    assert_eq!(found[0].color.as_deref(), Some("#3a87ad"));
    assert_eq!(found[1].color, None);
    assert!(found[0].selected && !found[1].selected);
}

#[tokio::test]
async fn the_device_code_flow_waits_for_the_sign_in_and_stores_the_token() {
    let m = GraphStandIn::start().await;
    let dir = data_dir();
    let config = source("microsoft", &m.api(), &m.oauth(), "tenant = \"contoso\"");
    m.with(|s| s.auth.pending_polls = 1);
    let mut screen = Screen::default();
    authorize_microsoft(&config, &dir.ctx, &mut screen)
        .await
        .unwrap();
    let text = screen.text();
    assert!(
        text.contains("https://microsoft.com/devicelogin") && text.contains("ABCD-EFGH"),
        "{text}"
    );
    assert_eq!(m.with(|s| s.auth.device_polls), 2);
    let stored = stored_token(&dir).unwrap();
    assert_eq!(stored, m.with(|s| s.auth.refresh.clone()));
    assert!(!text.contains(&stored));

    let ms = Microsoft::new(&config, &dir.ctx).unwrap();
    m.put(timed("a", 2, 9));
    let (items, _) = full(ms.fetch(window(), None).await.unwrap());
    assert_eq!(items.len(), 1);
    // The source writes bookings: the read-write scope, at sign-in and at the refresh.
    let scopes = m.with(|s| s.auth.scopes.clone());
    assert_eq!(scopes.len(), 2, "{scopes:?}");
    assert!(
        scopes
            .iter()
            .all(|s| s == openslot::sources::oauth::MICROSOFT_SCOPE_WRITE),
        "{scopes:?}"
    );
}

/// A source that only reads asks for `Calendars.Read`, never `Calendars.ReadWrite`.
#[tokio::test]
async fn a_read_only_source_asks_for_the_read_scope_only() {
    let m = GraphStandIn::start().await;
    let dir = data_dir();
    let mut config = source("microsoft", &m.api(), &m.oauth(), "tenant = \"contoso\"");
    config.write = false;
    let mut screen = Screen::default();
    authorize_microsoft(&config, &dir.ctx, &mut screen)
        .await
        .unwrap();
    let ms = Microsoft::new(&config, &dir.ctx).unwrap();
    m.put(timed("a", 2, 9));
    ms.fetch(window(), None).await.unwrap();
    m.with(|s| s.auth.expire_access_tokens());
    ms.fetch(window(), None).await.unwrap();
    let scopes = m.with(|s| s.auth.scopes.clone());
    assert!(scopes.len() >= 3, "{scopes:?}");
    for s in &scopes {
        assert_eq!(
            s,
            openslot::sources::oauth::MICROSOFT_SCOPE_READ,
            "{scopes:?}"
        );
        assert!(!s.contains("ReadWrite"));
    }
}
