//! Time zones: resolving TZIDs and turning local wall-clock times into UTC instants.
//!
//! TZID resolution, in this order (the reference's choices, see ../shared/corpus/DISAGREEMENTS.md):
//! an IANA name uses tzdata even when the file embeds a different VTIMEZONE; otherwise the file's
//! own VTIMEZONE; otherwise a Windows name (Outlook); otherwise the IANA name at the end of a
//! globally unique TZID such as `/mozilla.org/20070129_1/America/New_York`; otherwise the TZID is
//! unknown and the time is read as floating (the owner's zone), with a warning.
//!
//! Local times follow RFC 5545 3.3.5: a time in a DST gap takes the offset before the gap; a
//! repeated time takes its first occurrence.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::model::RecurRule;
use super::recur;
use super::windows_zones::{outlook_display_name_to_iana, windows_to_iana};

/// One STANDARD or DAYLIGHT block of a VTIMEZONE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observance {
    pub start: NaiveDateTime,
    pub offset_from: i32,
    pub offset_to: i32,
    pub rrule: Option<RecurRule>,
    pub rdates: Vec<NaiveDateTime>,
}

/// A VTIMEZONE as written in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VTimezone {
    pub tzid: String,
    pub observances: Vec<Observance>,
}

/// A zone defined only by a VTIMEZONE: its transitions, precomputed.
#[derive(Debug, PartialEq, Eq)]
pub struct CustomZone {
    pub tzid: String,
    /// Offset before the first transition.
    initial: i32,
    /// (UTC instant of the transition, offset from then on), sorted.
    transitions: Vec<(i64, i32)>,
}

/// Transitions are computed up to this year; later instants keep the last offset.
const LAST_TRANSITION_YEAR: i32 = 2200;
/// At most this many onsets per observance, whatever its rule says.
const MAX_ONSETS: usize = 2_000;

impl CustomZone {
    pub fn from_vtimezone(vtz: &VTimezone) -> Option<CustomZone> {
        let mut transitions: Vec<(i64, i32)> = Vec::new();
        let mut first: Option<(i64, i32)> = None;
        for ob in &vtz.observances {
            let mut onsets: Vec<NaiveDateTime> = ob.rdates.clone();
            onsets.push(ob.start);
            if let Some(rule) = &ob.rrule {
                onsets.extend(
                    recur::local_occurrences(rule, ob.start, ob.offset_from, None)
                        .take_while(|t| t.year_ce().1 as i32 <= LAST_TRANSITION_YEAR)
                        .take(MAX_ONSETS),
                );
            }
            for onset in onsets {
                let utc = onset.and_utc().timestamp() - i64::from(ob.offset_from);
                transitions.push((utc, ob.offset_to));
                if first.is_none_or(|(t, _)| utc < t) {
                    first = Some((utc, ob.offset_from));
                }
            }
        }
        let (_, initial) = first?;
        transitions.sort_unstable();
        transitions.dedup_by_key(|t| t.0);
        Some(CustomZone {
            tzid: vtz.tzid.clone(),
            initial,
            transitions,
        })
    }

    fn offset_at(&self, utc: i64) -> i32 {
        let idx = self.transitions.partition_point(|&(t, _)| t <= utc);
        if idx == 0 {
            self.initial
        } else {
            self.transitions[idx - 1].1
        }
    }
}

use chrono::Datelike;

/// What a TZID resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zone {
    Iana(Tz),
    Custom(Arc<CustomZone>),
    /// Unknown TZID: read as floating (the owner's zone).
    Floating,
}

/// Resolves a TZID. The `String` in the error case is the warning to report (the zone is then
/// floating).
pub fn resolve_tzid(tzid: &str, vtimezone: Option<&VTimezone>) -> Result<Zone, String> {
    let name = tzid.trim().trim_matches('"');
    if name.is_empty() {
        return Err("empty TZID; the time is read in the owner's zone".into());
    }
    if let Some(tz) = iana(name) {
        return Ok(Zone::Iana(tz));
    }
    if let Some(custom) = vtimezone.and_then(CustomZone::from_vtimezone) {
        return Ok(Zone::Custom(Arc::new(custom)));
    }
    if let Some(tz) = windows_to_iana(name)
        .or_else(|| outlook_display_name_to_iana(name))
        .and_then(iana)
    {
        return Ok(Zone::Iana(tz));
    }
    // Globally unique TZIDs: the IANA name is the tail of a path.
    let segments: Vec<&str> = name.split('/').filter(|s| !s.is_empty()).collect();
    for take in [3, 2, 1] {
        if segments.len() >= take
            && let Some(tz) = iana(&segments[segments.len() - take..].join("/"))
        {
            return Ok(Zone::Iana(tz));
        }
    }
    Err(format!(
        "unknown TZID \"{name}\" without a VTIMEZONE; the time is read in the owner's zone"
    ))
}

fn iana(name: &str) -> Option<Tz> {
    Tz::from_str(name)
        .ok()
        .or_else(|| Tz::from_str_insensitive(name).ok())
}

/// Seconds east of UTC in `tz` at the UTC instant `utc` (Unix seconds).
pub fn iana_offset_at(tz: Tz, utc: i64) -> i32 {
    match DateTime::<Utc>::from_timestamp(utc, 0) {
        Some(dt) => tz
            .offset_from_utc_datetime(&dt.naive_utc())
            .fix()
            .local_minus_utc(),
        None => 0,
    }
}

impl Zone {
    /// Offset at a UTC instant; `owner` stands in for a floating zone.
    pub fn offset_at(&self, utc: i64, owner: Tz) -> i32 {
        match self {
            Zone::Iana(tz) => iana_offset_at(*tz, utc),
            Zone::Custom(c) => c.offset_at(utc),
            Zone::Floating => iana_offset_at(owner, utc),
        }
    }

    /// The UTC instant (Unix seconds) of a local wall-clock time, per RFC 5545 3.3.5.
    pub fn local_to_utc(&self, local: NaiveDateTime, owner: Tz) -> i64 {
        local_to_utc_with(local, |u| self.offset_at(u, owner))
    }

    /// The local wall-clock time of a UTC instant.
    pub fn utc_to_local(&self, utc: i64, owner: Tz) -> NaiveDateTime {
        let off = self.offset_at(utc, owner);
        DateTime::<Utc>::from_timestamp(utc + i64::from(off), 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }
}

/// Local -> UTC for any zone given by its offset function. A valid local time may match the
/// offset in force a day before or a day after; of two matches (a repeated hour) the earlier
/// instant wins; with no match (a gap) the offset before the gap is used.
pub fn local_to_utc_with(local: NaiveDateTime, offset_at: impl Fn(i64) -> i32) -> i64 {
    let l = local.and_utc().timestamp();
    let before = offset_at(l - 86_400);
    let after = offset_at(l + 86_400);
    if before == after {
        // No transition near: the one offset applies (zones never change twice within a day).
        return l - i64::from(before);
    }
    let mut best: Option<i64> = None;
    for off in [before, after] {
        let u = l - i64::from(off);
        if offset_at(u) == off {
            best = Some(best.map_or(u, |b| b.min(u)));
        }
    }
    best.unwrap_or(l - i64::from(before))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    fn utc_str(secs: i64) -> String {
        DateTime::<Utc>::from_timestamp(secs, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    #[test]
    fn dst_rules_of_rfc5545() {
        let ny = Zone::Iana(chrono_tz::America::New_York);
        let check = |l: NaiveDateTime, want: &str| {
            assert_eq!(utc_str(ny.local_to_utc(l, Tz::UTC)), want, "{l}");
        };
        check(local(2024, 3, 10, 2, 15), "2024-03-10T07:15:00Z"); // gap: offset before (EST)
        check(local(2025, 11, 2, 1, 15), "2025-11-02T05:15:00Z"); // repeated: first (EDT)
        check(local(2025, 7, 1, 9, 0), "2025-07-01T13:00:00Z");
        check(local(2025, 1, 1, 9, 0), "2025-01-01T14:00:00Z");
    }

    #[test]
    fn resolves_names() {
        let check = |tzid: &str, want: Option<Tz>| {
            let got = resolve_tzid(tzid, None).ok();
            assert_eq!(got, want.map(Zone::Iana), "{tzid}");
        };
        check("Europe/Berlin", Some(chrono_tz::Europe::Berlin));
        check("W. Europe Standard Time", Some(chrono_tz::Europe::Berlin));
        check("/Europe/Stockholm", Some(chrono_tz::Europe::Stockholm));
        check(
            "/mozilla.org/20070129_1/America/New_York",
            Some(chrono_tz::America::New_York),
        );
        check(
            "/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires",
            Some(chrono_tz::America::Argentina::Buenos_Aires),
        );
        check("\"Europe/Berlin\"", Some(chrono_tz::Europe::Berlin));
        check("Nowhere Standard Time", None);
        check("", None);
    }

    #[test]
    fn custom_zone_from_vtimezone() {
        let rule = recur::parse_rrule("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU").unwrap();
        let rule2 = recur::parse_rrule("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU").unwrap();
        let vtz = VTimezone {
            tzid: "My Berlin".into(),
            observances: vec![
                Observance {
                    start: local(1970, 3, 29, 2, 0),
                    offset_from: 3600,
                    offset_to: 7200,
                    rrule: Some(rule),
                    rdates: vec![],
                },
                Observance {
                    start: local(1970, 10, 25, 3, 0),
                    offset_from: 7200,
                    offset_to: 3600,
                    rrule: Some(rule2),
                    rdates: vec![],
                },
            ],
        };
        let zone = resolve_tzid("My Berlin", Some(&vtz)).unwrap();
        assert!(matches!(zone, Zone::Custom(_)));
        let check = |l: NaiveDateTime, want: &str| {
            assert_eq!(utc_str(zone.local_to_utc(l, Tz::UTC)), want, "{l}");
        };
        check(local(2026, 7, 1, 9, 0), "2026-07-01T07:00:00Z");
        check(local(2026, 1, 1, 9, 0), "2026-01-01T08:00:00Z");
        check(local(2026, 3, 29, 2, 30), "2026-03-29T01:30:00Z"); // gap
        check(local(2026, 10, 25, 2, 30), "2026-10-25T00:30:00Z"); // repeated: first
    }
}
