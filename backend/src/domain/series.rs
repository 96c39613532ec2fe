//! Recurring bookings: a series of sessions of one event type, every week or every two weeks.
//!
//! Invariant: every session of a series is at the same wall-clock time in the owner's zone (a
//! weekly 10:00 stays 10:00 across a change to or from summer time, as a calendar's RRULE
//! would keep it), and a series is booked whole or not at all (`BookingService::book`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use crate::availability::Reason;

/// How often a series repeats. Names are a contract (config `repeat`, API `repeat.frequency`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    Weekly,
    EveryTwoWeeks,
}

impl Frequency {
    pub const ALL: [Frequency; 2] = [Frequency::Weekly, Frequency::EveryTwoWeeks];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::EveryTwoWeeks => "every_2_weeks",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// Weeks between two sessions.
    pub fn weeks(self) -> i64 {
        match self {
            Self::Weekly => 1,
            Self::EveryTwoWeeks => 2,
        }
    }
}

/// What a visitor asks for besides the first session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesRequest {
    pub frequency: Frequency,
    /// The number of sessions, the first one included.
    pub sessions: u32,
}

/// The fewest sessions a series has (one session is a plain booking).
pub const MIN_SESSIONS: u32 = 2;
/// The most sessions an event type may allow.
pub const MAX_SESSIONS: u32 = 52;
/// When an event type offers series but does not say how many sessions at most.
pub const DEFAULT_MAX_SESSIONS: u32 = 6;

/// The starts of the sessions, the first one first: the same wall-clock time in `zone` every
/// `frequency.weeks()` weeks. A time that does not exist on a later day (it falls into a
/// change to summer time) keeps the first session's UTC distance instead, so it is still
/// checked, and refused, like any other time.
pub fn session_starts(first: DateTime<Utc>, series: SeriesRequest, zone: Tz) -> Vec<DateTime<Utc>> {
    let local = first.with_timezone(&zone).naive_local();
    (0..i64::from(series.sessions))
        .map(|k| {
            let step = Duration::weeks(k * series.frequency.weeks());
            zone.from_local_datetime(&(local + step))
                .earliest()
                .map_or(first + step, |t| t.with_timezone(&Utc))
        })
        .collect()
}

/// Why a session of a series cannot be booked, as a visitor may be told (never whose or which
/// calendar is busy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Taken or busy (a calendar, a booking, a block, a buffer).
    Busy,
    /// Outside the owner's hours (a day off, a recurring block, off the slot grid, no
    /// availability event).
    Unavailable,
    /// Past the last day bookings are taken for.
    BeyondHorizon,
    /// The day already has as many bookings as the owner allows.
    DayFull,
}

impl Conflict {
    /// The most telling conflict among the rules' verdicts on a time.
    pub fn from_reasons(reasons: &[Reason]) -> Conflict {
        let has = |f: fn(&Reason) -> bool| reasons.iter().any(f);
        if has(|r| matches!(r, Reason::BeyondHorizon { .. })) {
            Conflict::BeyondHorizon
        } else if has(|r| {
            matches!(
                r,
                Reason::OutsideWorkingHours { .. }
                    | Reason::DayOff { .. }
                    | Reason::DateOverride { .. }
                    | Reason::NotOnSlotGrid { .. }
                    | Reason::RecurringBlock { .. }
                    | Reason::NoAvailabilityEvent
                    | Reason::TooSoon { .. }
                    | Reason::InPast
            )
        }) {
            Conflict::Unavailable
        } else if has(|r| matches!(r, Reason::DailyLimitReached { .. })) {
            Conflict::DayFull
        } else {
            Conflict::Busy
        }
    }

    /// A stable code for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Busy => "busy",
            Conflict::Unavailable => "unavailable",
            Conflict::BeyondHorizon => "beyond_horizon",
            Conflict::DayFull => "day_full",
        }
    }

    /// For people.
    pub fn explain(self) -> &'static str {
        match self {
            Conflict::Busy => "that time is already taken",
            Conflict::Unavailable => "the owner is not available at that time",
            Conflict::BeyondHorizon => "it is further ahead than bookings are taken",
            Conflict::DayFull => "that day is fully booked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weekly_sessions_keep_the_owners_wall_clock_across_the_change_to_winter_time() {
        // Berlin leaves summer time on 2026-10-25: 10:00 is 08:00Z before, 09:00Z after.
        let starts = session_starts(
            utc("2026-10-13T08:00:00Z"),
            SeriesRequest {
                frequency: Frequency::Weekly,
                sessions: 3,
            },
            chrono_tz::Europe::Berlin,
        );
        assert_eq!(
            starts,
            [
                utc("2026-10-13T08:00:00Z"),
                utc("2026-10-20T08:00:00Z"),
                utc("2026-10-27T09:00:00Z")
            ]
        );
    }

    #[test]
    fn every_two_weeks_skips_a_week() {
        let starts = session_starts(
            utc("2026-12-01T09:00:00Z"),
            SeriesRequest {
                frequency: Frequency::EveryTwoWeeks,
                sessions: 2,
            },
            chrono_tz::UTC,
        );
        assert_eq!(
            starts,
            [utc("2026-12-01T09:00:00Z"), utc("2026-12-15T09:00:00Z")]
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_keeps_the_utc_distance() {
        // 02:30 does not exist in Berlin on 2027-03-28.
        let starts = session_starts(
            utc("2027-03-21T01:30:00Z"),
            SeriesRequest {
                frequency: Frequency::Weekly,
                sessions: 2,
            },
            chrono_tz::Europe::Berlin,
        );
        assert_eq!(starts[1], utc("2027-03-28T01:30:00Z"));
    }

    #[test]
    fn the_most_telling_conflict_is_named() {
        use chrono::NaiveDate;
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let busy = Reason::Booked {
            booking_id: "b".into(),
        };
        let limit = Reason::DailyLimitReached {
            limit: 2,
            event_type: None,
        };
        assert_eq!(
            Conflict::from_reasons(std::slice::from_ref(&busy)),
            Conflict::Busy
        );
        assert_eq!(
            Conflict::from_reasons(&[busy.clone(), limit.clone()]),
            Conflict::DayFull
        );
        assert_eq!(
            Conflict::from_reasons(&[limit, Reason::DayOff { date: day }]),
            Conflict::Unavailable
        );
        assert_eq!(
            Conflict::from_reasons(&[busy.clone(), Reason::NoAvailabilityEvent]),
            Conflict::Unavailable
        );
        assert_eq!(
            Conflict::from_reasons(&[busy, Reason::BeyondHorizon { last_day: day }]),
            Conflict::BeyondHorizon
        );
    }

    #[test]
    fn names_round_trip() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(Frequency::parse("biweekly"), None);
    }
}
