//! The one story every source adapter passes (reader) and every writer passes (writer).
//! Each adapter's test uses it (`openslot_testkit::conformance`) and
//! gives a fixture that can put iCalendar objects into its server (Radicale, Xandikos, a local
//! feed server, the Google/Graph stand-ins).
//!
//! The expected busy time is what our engine computes from the same text read directly (the
//! engine itself is checked against the corpus): the story checks that the adapter brings the
//! calendar over whole: recurring series with overrides and EXDATE, all-day, floating, DST,
//! cancelled, tentative and free events, and every add, change and delete after that.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use openslot::calendar::{BookingEvent, BusyPolicy, Interval, merge_intervals, parse_calendar};
use openslot::sources::{CalendarSource, CalendarWriter, Fetched, Item};
use openslot::sync::Loaded;

/// A place the story can put calendar objects into, read back through `source()`.
#[async_trait::async_trait]
pub trait ReaderFixture: Send + Sync {
    /// Creates or replaces the object `name` (one VCALENDAR with one UID).
    async fn put(&self, name: &str, ics: &str);
    /// Deletes the object `name`.
    async fn remove(&self, name: &str);
    /// The adapter under test, reading the place above.
    fn source(&self) -> Arc<dyn CalendarSource>;
}

/// The owner's zone in the story (floating and all-day values).
pub const OWNER: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// The window the story reads: October 2026 to January 2027 (one DST change inside).
pub fn window() -> Interval {
    Interval {
        start: Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap(),
    }
}

const BERLIN: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// One VCALENDAR around `body` (VEVENTs), with the Berlin zone.
pub fn vcalendar(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenSlot//conformance//EN\r\n{BERLIN}{body}END:VCALENDAR\r\n"
    )
}

fn vevent(uid: &str, props: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260901T000000Z\r\nSUMMARY:{uid}\r\n{props}END:VEVENT\r\n"
    )
}

/// The objects of the story, by name.
pub fn seed() -> Vec<(&'static str, String)> {
    let weekly = vevent(
        "weekly",
        "DTSTART;TZID=Europe/Berlin:20261019T100000\r\nDTEND;TZID=Europe/Berlin:20261019T110000\r\n\
         RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20261102T100000\r\n",
    ) + &vevent(
        "weekly",
        "RECURRENCE-ID;TZID=Europe/Berlin:20261109T100000\r\n\
         DTSTART;TZID=Europe/Berlin:20261110T150000\r\nDTEND;TZID=Europe/Berlin:20261110T163000\r\n",
    );
    vec![
        ("weekly", vcalendar(&weekly)),
        (
            "all-day",
            vcalendar(&vevent(
                "all-day",
                "DTSTART;VALUE=DATE:20261203\r\nDTEND;VALUE=DATE:20261205\r\n",
            )),
        ),
        (
            "floating",
            vcalendar(&vevent(
                "floating",
                "DTSTART:20261207T090000\r\nDTEND:20261207T093000\r\n",
            )),
        ),
        (
            "cancelled",
            vcalendar(&vevent(
                "cancelled",
                "DTSTART:20261208T090000Z\r\nDTEND:20261208T100000Z\r\nSTATUS:CANCELLED\r\n",
            )),
        ),
        (
            "tentative",
            vcalendar(&vevent(
                "tentative",
                "DTSTART:20261209T090000Z\r\nDTEND:20261209T100000Z\r\nSTATUS:TENTATIVE\r\n",
            )),
        ),
        (
            "free",
            vcalendar(&vevent(
                "free",
                "DTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nTRANSP:TRANSPARENT\r\n",
            )),
        ),
        (
            "utc",
            vcalendar(&vevent(
                "utc",
                "DTSTART:20261211T120000Z\r\nDURATION:PT45M\r\n",
            )),
        ),
    ]
}

/// Busy time of these objects, computed by the engine from their text.
pub fn expected_busy(objects: &BTreeMap<String, String>) -> Vec<Interval> {
    let mut all = Vec::new();
    for text in objects.values() {
        let cal = parse_calendar(text, "expected");
        all.extend(openslot::calendar::busy_intervals(
            &cal,
            window(),
            OWNER,
            &BusyPolicy::default(),
            &mut Vec::new(),
        ));
    }
    merge_intervals(&mut all);
    all
}

/// Busy time of what the adapter brought over.
pub fn busy_of(loaded: &Loaded) -> Vec<Interval> {
    loaded.busy(window(), OWNER, &BusyPolicy::default(), &mut Vec::new())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()
}

/// Seeds the fixture, reads it whole, then follows an add, a change and a delete
/// incrementally; the busy time must equal the engine's at every step.
pub async fn reader_story(fx: &impl ReaderFixture) {
    let source = fx.source();
    let mut objects = BTreeMap::new();
    for (name, text) in seed() {
        fx.put(name, &text).await;
        objects.insert(name.to_owned(), text);
    }
    let mut loaded = Loaded::default();
    let first = source.fetch(window(), None).await.expect("full fetch");
    assert!(
        matches!(first, Fetched::Full { .. }),
        "a fetch without cursor is full"
    );
    loaded.apply(first, window(), now());
    let expected = expected_busy(&objects);
    assert!(
        expected.len() >= 12,
        "the story has substance: {expected:?}"
    );
    assert_eq!(busy_of(&loaded), expected, "after the full fetch");

    // Nothing changed: unchanged, or a delta/full with the same content.
    let cursor = loaded.snapshot.cursor.clone();
    let again = source
        .fetch(window(), cursor.as_ref())
        .await
        .expect("second fetch");
    loaded.apply(again, window(), now());
    assert_eq!(busy_of(&loaded), expected, "after a fetch with no change");

    // Add one, change one, delete one.
    let added = vcalendar(&vevent(
        "added",
        "DTSTART:20261215T080000Z\r\nDTEND:20261215T090000Z\r\n",
    ));
    fx.put("added", &added).await;
    objects.insert("added".into(), added);
    let changed = vcalendar(&vevent(
        "utc",
        "DTSTART:20261211T140000Z\r\nDURATION:PT2H\r\nSEQUENCE:1\r\n",
    ));
    fx.put("utc", &changed).await;
    objects.insert("utc".into(), changed);
    fx.remove("floating").await;
    objects.remove("floating");
    let cursor = loaded.snapshot.cursor.clone();
    let delta = source
        .fetch(window(), cursor.as_ref())
        .await
        .expect("incremental fetch");
    loaded.apply(delta, window(), now());
    assert_eq!(
        busy_of(&loaded),
        expected_busy(&objects),
        "after add, change and delete"
    );
}

/// The booking event the writer story creates.
pub fn booking_event(uid: &str) -> BookingEvent {
    let at = |h| Utc.with_ymd_and_hms(2026, 12, 14, h, 0, 0).unwrap();
    BookingEvent {
        uid: uid.to_owned(),
        sequence: 0,
        stamp: at(8),
        start: at(13),
        end: at(14),
        summary: "Intro call with Ada; \"quoted\", commas".to_owned(),
        description: "Line one\nLine two".to_owned(),
        location: None,
        organizer: None,
        attendees: Vec::new(),
    }
}

/// How many copies of the event at `event`'s time the reader holds.
fn copies(items: &BTreeMap<String, Item>, uid: &str, event: &BookingEvent) -> usize {
    items
        .values()
        .map(|item| match item {
            Item::Ics { text, .. } => usize::from(
                text.lines()
                    .any(|l| l.trim_end() == format!("UID:{uid}").as_str()),
            ),
            Item::Occurrence(o) => usize::from(
                o.when
                    == openslot::sources::When::Timed {
                        start: event.start,
                        end: event.end,
                    },
            ),
        })
        .sum()
}

async fn full_items(reader: &Arc<dyn CalendarSource>) -> BTreeMap<String, Item> {
    match reader.fetch(window(), None).await.expect("fetch") {
        Fetched::Full { items, .. } => items,
        other => panic!("a fetch without cursor is full, got {other:?}"),
    }
}

/// Create, a retried create (no second copy), read back, update in place (and again), delete,
/// delete again.
pub async fn writer_story(writer: Arc<dyn CalendarWriter>, reader: Arc<dyn CalendarSource>) {
    let uid = "openslot-conformance-1@openslot";
    let event = booking_event(uid);
    let written = writer.create(&event).await.expect("create");
    assert_eq!(written.uid, uid);
    let again = writer.create(&event).await.expect("a retried create");
    assert_eq!(
        again.remote_id, written.remote_id,
        "a retry names the same event"
    );
    let items = full_items(&reader).await;
    assert_eq!(
        copies(&items, uid, &event),
        1,
        "exactly one copy: {items:?}"
    );
    // A calendar's copy of OpenSlot's own booking event is not busy time when it carries the
    // UID (iCalendar): the booking store blocks the booking, and a cancel frees it at once.
    // Services that answer occurrences without the UID (Google, Graph) still count it.
    let has_uid = items.values().any(|i| matches!(i, Item::Ics { .. }));
    let mut loaded = Loaded::default();
    loaded.apply(
        Fetched::Full {
            items,
            cursor: Default::default(),
        },
        window(),
        now(),
    );
    let counted = busy_of(&loaded).contains(&Interval {
        start: event.start,
        end: event.end,
    });
    assert_eq!(
        counted, !has_uid,
        "own booking events count as busy only where the UID is unknown"
    );
    // A reschedule: the same event (same UID, same place), an hour later, SEQUENCE 1.
    let moved = BookingEvent {
        sequence: 1,
        start: event.start + chrono::Duration::hours(1),
        end: event.end + chrono::Duration::hours(1),
        ..event.clone()
    };
    let updated = writer.update(&again, &moved).await.expect("update");
    assert_eq!(
        (updated.uid.as_str(), updated.remote_id.as_str()),
        (uid, written.remote_id.as_str()),
        "an update keeps the event's place"
    );
    // A retried update (the answer was lost, the stored version may be the old one).
    let retried = writer
        .update(&again, &moved)
        .await
        .expect("a retried update");
    assert_eq!(retried.remote_id, written.remote_id);
    let items = full_items(&reader).await;
    assert_eq!(
        copies(&items, uid, &moved),
        1,
        "one copy after the update: {items:?}"
    );
    for item in items.values() {
        match item {
            Item::Ics { text, .. } if text.contains(&format!("UID:{uid}")) => {
                let unfolded = text.replace("\r\n ", "").replace("\n ", "");
                assert!(unfolded.contains("SEQUENCE:1"), "{text}");
                assert!(unfolded.contains("DTSTART:20261214T140000Z"), "{text}");
            }
            Item::Occurrence(o) => assert_ne!(
                o.when,
                openslot::sources::When::Timed {
                    start: event.start,
                    end: event.end
                },
                "the old time is gone"
            ),
            Item::Ics { .. } => {}
        }
    }
    writer.delete(&retried).await.expect("delete");
    writer
        .delete(&retried)
        .await
        .expect("a second delete is fine");
    let items = full_items(&reader).await;
    assert_eq!(copies(&items, uid, &moved), 0, "deleted: {items:?}");
}
