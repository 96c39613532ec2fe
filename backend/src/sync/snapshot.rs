//! The last good copy of a source: what it held, the cursor to continue from, and when it was
//! fetched. Kept in memory (with its calendars parsed once) and on disk in
//! `{data_dir}/snapshots/{source_id}.json`, so a restart serves slots at once.
//!
//! Invariant: a snapshot only ever changes by a whole successful fetch (`apply`), and the file
//! is replaced atomically (temp file, fsync, rename): a crash leaves the old or the new copy,
//! never half of one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::availability::{Opening, start_of_day, title_matches};
use crate::calendar::{
    BusyPolicy, Calendar, Interval, OwnerAddresses, Status, Warning, busy_intervals,
    for_each_instance, is_booking_event, merge_intervals, parse_calendar,
};
use crate::sources::{Cursor, Fetched, Item, Occurrence, When};

/// What the file holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub source_id: String,
    /// The last successful fetch (also an "unchanged" answer).
    pub fetched_at: Option<DateTime<Utc>>,
    /// The window the ranged protocols were asked for; a full fetch moves it.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub cursor: Option<Cursor>,
    pub items: BTreeMap<String, Item>,
    /// What the items hold ([`FORMAT`]); older copies are refetched whole once.
    #[serde(default)]
    pub format: u32,
}

/// 1: service occurrences carry `declined` and `summary` (availability sources, declined
/// invitations). A copy of an older format keeps serving until a full fetch replaces it: its
/// cursor is dropped on load, since a delta would only bring the marks of changed events.
pub const FORMAT: u32 = 1;

/// A snapshot with its iCalendar items parsed (once per change, not once per request).
#[derive(Debug, Default)]
pub struct Loaded {
    pub snapshot: Snapshot,
    calendars: Vec<Calendar>,
}

impl Loaded {
    pub fn new(snapshot: Snapshot) -> Self {
        let mut loaded = Loaded {
            snapshot,
            calendars: Vec::new(),
        };
        loaded.reparse();
        loaded
    }

    /// Parses the held iCalendar items; the events OpenSlot wrote for its own bookings are left
    /// out (the booking store has them, see `calendar::is_booking_event`).
    fn reparse(&mut self) {
        let id = &self.snapshot.source_id;
        self.calendars = self
            .snapshot
            .items
            .values()
            .filter_map(|item| match item {
                Item::Ics { text, .. } => {
                    let mut cal = parse_calendar(text, id);
                    cal.events
                        .retain(|e| !e.uid.as_deref().is_some_and(is_booking_event));
                    Some(cal)
                }
                Item::Occurrence(_) => None,
            })
            .collect();
    }

    /// Takes the answer of a successful fetch.
    pub fn apply(&mut self, fetched: Fetched, window: Interval, now: DateTime<Utc>) {
        let s = &mut self.snapshot;
        let changed = match fetched {
            Fetched::Unchanged { cursor } => {
                s.cursor = Some(cursor);
                false
            }
            Fetched::Full { items, cursor } => {
                s.items = items;
                s.format = FORMAT;
                s.cursor = Some(cursor);
                s.window = Some((window.start, window.end));
                true
            }
            Fetched::Delta {
                changed,
                removed,
                cursor,
            } => {
                for key in removed {
                    s.items.remove(&key);
                }
                s.items.extend(changed);
                s.cursor = Some(cursor);
                true
            }
        };
        s.fetched_at = Some(now);
        if changed {
            self.reparse();
        }
    }

    /// Events (iCalendar events and service-expanded occurrences) held.
    pub fn event_count(&self) -> usize {
        let occurrences = self
            .snapshot
            .items
            .values()
            .filter(|i| matches!(i, Item::Occurrence(_)))
            .count();
        occurrences + self.calendars.iter().map(|c| c.events.len()).sum::<usize>()
    }

    /// Parser warnings of the held calendars.
    pub fn warnings(&self) -> impl Iterator<Item = &Warning> {
        self.calendars.iter().flat_map(|c| c.warnings.iter())
    }

    /// Busy time in `window`: sorted, merged, clipped.
    pub fn busy(
        &self,
        window: Interval,
        owner: Tz,
        policy: &BusyPolicy,
        warnings: &mut Vec<Warning>,
    ) -> Vec<Interval> {
        let mut all = Vec::new();
        for cal in &self.calendars {
            all.extend(busy_intervals(cal, window, owner, policy, warnings));
        }
        for item in self.snapshot.items.values() {
            if let Item::Occurrence(o) = item
                && let Some(i) = occurrence_busy(o, owner, policy)
                && let Some(clipped) = clip(i, window)
            {
                all.push(clipped);
            }
        }
        merge_intervals(&mut all);
        all
    }
}

impl Loaded {
    /// The events that open bookable time in `window` (an availability source's): every
    /// instance whose title `pattern` takes (see `availability::title_matches`), clipped; not
    /// cancelled, not declined by the owner (`addresses`), not empty. Transparency, tentative and
    /// all-day marks do not matter: such an event opens its time.
    pub fn openings(
        &self,
        window: Interval,
        owner: Tz,
        pattern: Option<&str>,
        addresses: &OwnerAddresses,
        warnings: &mut Vec<Warning>,
    ) -> Vec<Opening> {
        let source_id = &self.snapshot.source_id;
        let mut out = Vec::new();
        let mut push = |title: Option<&str>, start, end| {
            if let Some(iv) = Interval::new(start, end).and_then(|i| clip(i, window))
                && title_matches(pattern, title)
            {
                out.push(Opening {
                    source_id: source_id.clone(),
                    title: title.unwrap_or_default().to_owned(),
                    start: iv.start,
                    end: iv.end,
                });
            }
        };
        for cal in &self.calendars {
            for_each_instance(cal, window, owner, warnings, |inst| {
                let e = inst.event;
                if e.status != Status::Cancelled && !e.declined_by(addresses) {
                    push(e.summary.as_deref(), inst.start(), inst.end());
                }
            });
        }
        for item in self.snapshot.items.values() {
            if let Item::Occurrence(o) = item
                && o.status != Status::Cancelled
                && !o.declined
            {
                let (start, end) = span(o, owner);
                push(o.summary.as_deref(), start, end);
            }
        }
        out.sort_by_key(|o| (o.start, o.end));
        out
    }
}

/// Where an occurrence lies; all-day dates take the owner's midnights.
fn span(o: &Occurrence, owner: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    match o.when {
        When::Timed { start, end } => (start, end),
        When::AllDay { start, end } => (day_start(owner, start), day_start(owner, end)),
    }
}

fn occurrence_busy(o: &Occurrence, owner: Tz, policy: &BusyPolicy) -> Option<Interval> {
    let all_day = matches!(o.when, When::AllDay { .. });
    if o.declined || !policy.blocks(o.status, o.transparent, all_day) {
        return None;
    }
    let (start, end) = span(o, owner);
    (end > start).then_some(Interval { start, end })
}

/// The first instant of a day in `zone` (also when a DST gap skips midnight).
fn day_start(zone: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    start_of_day(zone, day).unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn clip(i: Interval, w: Interval) -> Option<Interval> {
    let start = i.start.max(w.start);
    let end = i.end.min(w.end);
    (end > start).then_some(Interval { start, end })
}

/// Where a source's snapshot lives.
pub fn path(data_dir: &Path, source_id: &str) -> PathBuf {
    data_dir.join("snapshots").join(format!("{source_id}.json"))
}

/// Reads a snapshot; `Ok(None)` when there is none yet. A damaged file is an error (the caller
/// reports it and starts empty: the source then counts as never synced, never as free).
pub fn load(data_dir: &Path, source_id: &str) -> std::io::Result<Option<Snapshot>> {
    let p = path(data_dir, source_id);
    let bytes = match std::fs::read(&p) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is damaged: {e}", p.display()),
        )
    })?;
    Ok((snapshot.source_id == source_id).then_some(upgraded(snapshot)))
}

/// An older copy with service occurrences loses its cursor: the next sync is a full fetch.
fn upgraded(mut snapshot: Snapshot) -> Snapshot {
    if snapshot.format < FORMAT
        && snapshot
            .items
            .values()
            .any(|i| matches!(i, Item::Occurrence(_)))
    {
        snapshot.cursor = None;
    }
    snapshot
}

/// Writes a snapshot atomically.
pub fn save(data_dir: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(snapshot).map_err(std::io::Error::other)?;
    write_atomic(&path(data_dir, &snapshot.source_id), &bytes)
}

/// The outcome of the last attempts, kept beside the snapshot so a restart (or another
/// command) still shows why a source fails.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    pub last_attempt: Option<DateTime<Utc>>,
    /// The last success, also an "unchanged" answer (the snapshot file is not rewritten then).
    pub last_success: Option<DateTime<Utc>>,
    /// The last attempt's error in plain words; `None` when it succeeded.
    pub last_error: Option<String>,
    /// Failures in a row.
    pub failures: u32,
    /// The first failure of the current run of failures (None after a success).
    #[serde(default)]
    pub failing_since: Option<DateTime<Utc>>,
    /// The last attempt failed because the service refused the stored sign-in.
    #[serde(default)]
    pub reconnect_needed: bool,
}

pub fn attempts_path(data_dir: &Path, source_id: &str) -> PathBuf {
    data_dir
        .join("snapshots")
        .join(format!("{source_id}.attempts.json"))
}

/// The saved attempts; default when there are none or the file is damaged (it only explains).
pub fn load_attempts(data_dir: &Path, source_id: &str) -> Attempts {
    std::fs::read(attempts_path(data_dir, source_id))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn save_attempts(data_dir: &Path, source_id: &str, a: &Attempts) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(a).map_err(std::io::Error::other)?;
    write_atomic(&attempts_path(data_dir, source_id), &bytes)
}

/// Temp file in the same folder, fsync, rename, fsync the folder: the old or the new content,
/// never half of one.
fn write_atomic(p: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = p.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, p)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Status;
    use chrono::{NaiveDate, TimeZone};

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn window() -> Interval {
        Interval {
            start: at(1, 0),
            end: at(8, 0),
        }
    }

    fn ics(uid: &str, day: u32) -> Item {
        Item::Ics {
            etag: None,
            text: format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:202612{day:02}T100000Z\r\n\
                 DTEND:202612{day:02}T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
        }
    }

    fn occurrence(when: When, status: Status, transparent: bool) -> Item {
        Item::Occurrence(Occurrence {
            when,
            status,
            transparent,
            declined: false,
            summary: None,
        })
    }

    /// A copy after one full fetch of `items`.
    fn fetched(items: BTreeMap<String, Item>) -> Loaded {
        let mut l = Loaded::default();
        l.apply(
            Fetched::Full {
                items,
                cursor: Cursor::default(),
            },
            window(),
            at(1, 0),
        );
        l
    }

    fn busy(l: &Loaded) -> Vec<Interval> {
        l.busy(
            window(),
            chrono_tz::Europe::Berlin,
            &BusyPolicy::default(),
            &mut Vec::new(),
        )
    }

    /// The events OpenSlot wrote for its bookings are not busy time: the booking store holds
    /// them, so a cancelled booking's slot is free before the calendar's delete is read back.
    #[test]
    fn own_booking_events_are_not_busy() {
        let l = fetched(BTreeMap::from([
            ("a".to_owned(), ics("owner-meeting@example.org", 2)),
            ("b".to_owned(), ics("0123abcd-0@openslot", 3)),
            ("c".to_owned(), ics("openslot-lookalike@example.org", 4)),
        ]));
        let days: Vec<u32> = busy(&l)
            .iter()
            .map(|i| chrono::Datelike::day(&i.start))
            .collect();
        assert_eq!(days, vec![2, 4]);
    }

    /// An availability source's openings: events whose title matches, from iCalendar and from
    /// service-expanded occurrences; cancelled and declined ones open nothing; free, tentative
    /// and all-day ones do.
    #[test]
    fn openings_are_the_matching_events() {
        let vevent = |uid: &str, day: u32, lines: &str| Item::Ics {
            etag: None,
            text: format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:202612{day:02}T100000Z\r\n\
                 DTEND:202612{day:02}T110000Z\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
            ),
        };
        let occ = |day: u32, title: &str, status: Status, declined: bool| {
            Item::Occurrence(Occurrence {
                when: When::AllDay {
                    start: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
                    end: NaiveDate::from_ymd_opt(2026, 12, day + 1).unwrap(),
                },
                status,
                transparent: true,
                declined,
                summary: Some(title.to_owned()),
            })
        };
        let items = BTreeMap::from([
            (
                "a".into(),
                vevent("a", 2, "SUMMARY:Office Hours\r\nTRANSP:TRANSPARENT\r\n"),
            ),
            ("b".into(), vevent("b", 3, "SUMMARY:Lunch\r\n")),
            (
                "c".into(),
                vevent("c", 4, "SUMMARY:office hours\r\nSTATUS:CANCELLED\r\n"),
            ),
            ("d".into(), vevent("d", 5, "STATUS:TENTATIVE\r\n")),
            (
                "e".into(),
                vevent(
                    "e",
                    6,
                    "SUMMARY:Office hours\\, room 2\r\n\
                     ATTENDEE;PARTSTAT=DECLINED:mailto:owner@example.org\r\n",
                ),
            ),
            (
                "f".into(),
                occ(2, "Office hours (term)", Status::Tentative, false),
            ),
            ("g".into(), occ(3, "Office hours", Status::Cancelled, false)),
            ("h".into(), occ(4, "Office hours", Status::Confirmed, true)),
        ]);
        let mut l = fetched(items);
        l.snapshot.source_id = "uni".into();
        let owner = OwnerAddresses::new(["owner@example.org"]);
        let shown = |pattern: Option<&str>| -> Vec<String> {
            l.openings(window(), chrono_tz::UTC, pattern, &owner, &mut Vec::new())
                .iter()
                .map(|o| format!("{} {} {}", o.source_id, o.start.format("%d %H"), o.title))
                .collect()
        };
        assert_eq!(
            shown(Some("office HOURS")),
            ["uni 02 00 Office hours (term)", "uni 02 10 Office Hours"]
        );
        assert_eq!(
            shown(None),
            [
                "uni 02 00 Office hours (term)",
                "uni 02 10 Office Hours",
                "uni 03 10 Lunch",
                "uni 05 10 ",
            ]
        );
        // Without the owner's addresses the declined one opens its time.
        let all = l.openings(
            window(),
            chrono_tz::UTC,
            Some("room 2"),
            &OwnerAddresses::default(),
            &mut Vec::new(),
        );
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].title, "Office hours, room 2");
    }

    /// A copy saved before occurrences carried their title and answer is refetched whole.
    #[test]
    fn an_older_copy_of_occurrences_loses_its_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"source_id":"g","fetched_at":null,"window":null,
            "cursor":{"sync_token":"t"},"items":{"e1":{"type":"occurrence",
            "when":{"kind":"timed","start":"2026-12-02T10:00:00Z","end":"2026-12-02T11:00:00Z"},
            "status":"confirmed","transparent":false}}}"#;
        std::fs::create_dir_all(dir.path().join("snapshots")).unwrap();
        std::fs::write(path(dir.path(), "g"), old).unwrap();
        let s = load(dir.path(), "g").unwrap().unwrap();
        assert_eq!((s.format, &s.cursor, s.items.len()), (0, &None, 1));
        // A feed's copy (iCalendar text, parsed again anyway) keeps its cursor.
        let mut ics_copy = Snapshot {
            source_id: "f".into(),
            cursor: Some(Cursor::default().with("etag", "x")),
            ..Snapshot::default()
        };
        ics_copy.items.insert("u".into(), ics("a", 2));
        save(dir.path(), &ics_copy).unwrap();
        assert!(load(dir.path(), "f").unwrap().unwrap().cursor.is_some());
    }

    #[test]
    fn full_then_delta_then_unchanged() {
        let mut l = Loaded::default();
        let items = BTreeMap::from([("a".to_owned(), ics("a", 2)), ("b".to_owned(), ics("b", 3))]);
        let cursor = Cursor::default().with("token", "1");
        l.apply(
            Fetched::Full {
                items,
                cursor: cursor.clone(),
            },
            window(),
            at(1, 0),
        );
        assert_eq!(busy(&l).len(), 2);
        assert_eq!(l.event_count(), 2);
        l.apply(
            Fetched::Delta {
                changed: BTreeMap::from([("c".to_owned(), ics("c", 4))]),
                removed: vec!["a".to_owned(), "never-there".to_owned()],
                cursor: Cursor::default().with("token", "2"),
            },
            window(),
            at(1, 1),
        );
        assert_eq!(
            busy(&l),
            vec![
                Interval {
                    start: at(3, 10),
                    end: at(3, 11)
                },
                Interval {
                    start: at(4, 10),
                    end: at(4, 11)
                }
            ]
        );
        l.apply(
            Fetched::Unchanged {
                cursor: Cursor::default().with("token", "2"),
            },
            window(),
            at(1, 2),
        );
        assert_eq!(l.snapshot.fetched_at, Some(at(1, 2)));
        assert_eq!(busy(&l).len(), 2);
    }

    #[test]
    fn occurrences_follow_the_policy_and_the_owner_zone() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let items = BTreeMap::from([
            (
                "timed".to_owned(),
                occurrence(
                    When::Timed {
                        start: at(2, 9),
                        end: at(2, 10),
                    },
                    Status::Confirmed,
                    false,
                ),
            ),
            (
                "free".to_owned(),
                occurrence(
                    When::Timed {
                        start: at(3, 9),
                        end: at(3, 10),
                    },
                    Status::Confirmed,
                    true,
                ),
            ),
            (
                "cancelled".to_owned(),
                occurrence(
                    When::Timed {
                        start: at(4, 9),
                        end: at(4, 10),
                    },
                    Status::Cancelled,
                    false,
                ),
            ),
            (
                "all-day".to_owned(),
                occurrence(
                    When::AllDay {
                        start: day(5),
                        end: day(6),
                    },
                    Status::Tentative,
                    false,
                ),
            ),
        ]);
        let l = fetched(items);
        assert_eq!(
            busy(&l),
            vec![
                Interval {
                    start: at(2, 9),
                    end: at(2, 10)
                },
                // Berlin midnight is 23:00 UTC the day before.
                Interval {
                    start: at(4, 23),
                    end: at(5, 23)
                },
            ]
        );
        let strict = BusyPolicy {
            tentative: false,
            all_day: true,
            transparent: true,
            ..BusyPolicy::default()
        };
        let b = l.busy(window(), chrono_tz::UTC, &strict, &mut Vec::new());
        assert_eq!(b.len(), 2, "{b:?}");
    }

    #[test]
    fn saved_snapshots_load_back_and_damaged_ones_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path(), "a").unwrap(), None);
        let snapshot = Snapshot {
            source_id: "a".into(),
            fetched_at: Some(at(1, 0)),
            window: Some((window().start, window().end)),
            cursor: Some(Cursor::default().with("etag", "\"x\"")),
            items: BTreeMap::from([("feed".to_owned(), ics("a", 2))]),
            format: FORMAT,
        };
        save(dir.path(), &snapshot).unwrap();
        assert_eq!(load(dir.path(), "a").unwrap(), Some(snapshot));
        std::fs::write(path(dir.path(), "a"), b"{\"source_id\": \"a\", \"ite").unwrap();
        let e = load(dir.path(), "a").unwrap_err().to_string();
        assert!(e.contains("damaged"), "{e}");
    }
}
