//! Why one instant is or is not bookable: every rule that applies, as data with a human message.
//!
//! Built from the same helpers as `slots`, so `explain(at).bookable` holds exactly when a slot
//! from `slots` contains `at`. Never names an event title: busy time is known by source only.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::local_time::local_date;
use super::model::{EventType, Facts, Opening, Rules};
use super::slots::{
    DayCounts, Params, add, bookable_ranges, booking_span, earliest_start, last_bookable_day,
    open_intervals, ranges_utc, recurring_on, sub,
};
use crate::calendar::Interval;

/// The verdict for one instant and everything that led to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub bookable: bool,
    /// When bookable: `WithinSlot` (with an event type) or nothing. Otherwise every reason that
    /// applies to the slot nearest `at` (or to `at` itself when no slot contains it).
    pub reasons: Vec<Reason>,
    /// The availability events (title and source) whose time contains `at`, bookable or not;
    /// empty without availability sources.
    pub opened_by: Vec<Opening>,
}

/// One rule's verdict. Times are UTC, dates are owner-local.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Not within the weekly working hours of that local day.
    OutsideWorkingHours {
        local_date: NaiveDate,
        weekday: Weekday,
    },
    /// A date override with no hours.
    DayOff {
        date: NaiveDate,
    },
    /// A date override with other hours, and `at` lies outside them.
    DateOverride {
        date: NaiveDate,
    },
    /// Within the hours, but no slot of the event type's grid contains `at` (the grid starts at
    /// each range start every `step`; a slot must end within its range). `in_events`: the
    /// ranges are availability events (∩ hours), not the working hours themselves.
    NotOnSlotGrid {
        duration: Duration,
        step: Duration,
        in_events: bool,
    },
    RecurringBlock {
        label: String,
    },
    /// There are availability sources, and none of their events covers this time.
    NoAvailabilityEvent,
    /// A busy interval of one calendar source overlaps the meeting.
    Busy {
        source_id: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// An existing booking, extended by its buffers, overlaps the meeting.
    Booked {
        booking_id: String,
    },
    ManualBlock {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// The free time needed before the meeting overlaps blocked time `[start, end)`.
    BufferBefore {
        buffer: Duration,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// The free time needed after the meeting overlaps blocked time `[start, end)`.
    BufferAfter {
        buffer: Duration,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// Inside the minimum notice.
    TooSoon {
        earliest: DateTime<Utc>,
    },
    /// Before `now` (then `TooSoon` is not repeated).
    InPast,
    BeyondHorizon {
        last_day: NaiveDate,
    },
    /// `event_type` is `None` for the owner's limit over all event types.
    DailyLimitReached {
        limit: u32,
        event_type: Option<String>,
    },
    /// Bookable: the slot that contains `at`.
    WithinSlot {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

/// Why `at` is or is not bookable, for `event_type` or (with `None`) as a bare instant with the
/// owner's default buffers and only the all-types daily limit.
pub fn explain(
    rules: &Rules,
    event_type: Option<&EventType>,
    facts: &Facts,
    at: DateTime<Utc>,
) -> Explanation {
    let p = Params::new(rules, event_type);
    let date = local_date(rules.timezone, at);
    // Slots are generated per local day; a neighbour day only matters in odd zones.
    let days: Vec<NaiveDate> = [date.pred_opt(), Some(date), date.succ_opt()]
        .into_iter()
        .flatten()
        .collect();

    let mut reasons = Vec::new();
    let in_hours = days
        .iter()
        .any(|&d| ranges_utc(rules, d).iter().any(|r| r.contains(at)));
    if !in_hours {
        reasons.push(hours_reason(rules, date));
    }
    let open = open_intervals(facts);
    let in_open = open
        .as_ref()
        .is_none_or(|o| o.iter().any(|iv| iv.contains(at)));
    if in_hours && !in_open {
        reasons.push(Reason::NoAvailabilityEvent);
    }
    let opened_by: Vec<Opening> = facts
        .open
        .unwrap_or_default()
        .iter()
        .filter(|o| o.start <= at && at < o.end)
        .cloned()
        .collect();

    let Some(et) = event_type else {
        reasons.extend(check(rules, None, facts, &p, date, Meeting::instant(at)));
        return Explanation {
            bookable: reasons.is_empty(),
            reasons,
            opened_by,
        };
    };

    let candidates = candidates(rules, open.as_deref(), &p, &days, at);
    if candidates.is_empty() {
        if in_hours && in_open {
            reasons.push(Reason::NotOnSlotGrid {
                duration: p.duration,
                step: p.step,
                in_events: open.is_some(),
            });
        }
        let meeting = Meeting {
            start: at,
            end: add(at, p.duration.max(Duration::zero())),
        };
        reasons.extend(check(rules, Some(et), facts, &p, date, meeting));
        return Explanation {
            bookable: false,
            reasons,
            opened_by,
        };
    }

    let mut nearest = Vec::new();
    for (day, slot) in candidates {
        let found = check(rules, Some(et), facts, &p, day, slot);
        if found.is_empty() {
            return Explanation {
                bookable: true,
                reasons: vec![Reason::WithinSlot {
                    start: slot.start,
                    end: slot.end,
                }],
                opened_by,
            };
        }
        // Candidates come in ascending start; the last one starts nearest `at`.
        nearest = found;
    }
    Explanation {
        bookable: false,
        reasons: nearest,
        opened_by,
    }
}

/// The meeting under test: a slot, or an instant when `start == end`.
#[derive(Clone, Copy, Debug)]
struct Meeting {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Meeting {
    fn instant(at: DateTime<Utc>) -> Self {
        Self { start: at, end: at }
    }

    fn hits(&self, iv: &Interval) -> bool {
        if self.start == self.end {
            iv.contains(self.start)
        } else {
            iv.start < self.end && self.start < iv.end
        }
    }
}

/// Why `at` lies outside the hours of `date`.
fn hours_reason(rules: &Rules, date: NaiveDate) -> Reason {
    match rules.date_overrides.get(&date) {
        Some(ranges) if ranges.is_empty() => Reason::DayOff { date },
        Some(_) => Reason::DateOverride { date },
        None => Reason::OutsideWorkingHours {
            local_date: date,
            weekday: date.weekday(),
        },
    }
}

/// The grid slots (of the days that may produce them) that contain `at`, ascending by start.
fn candidates(
    rules: &Rules,
    open: Option<&[Interval]>,
    p: &Params,
    days: &[NaiveDate],
    at: DateTime<Utc>,
) -> Vec<(NaiveDate, Meeting)> {
    let mut out = Vec::new();
    if p.duration <= Duration::zero() {
        return out;
    }
    for &day in days {
        for range in bookable_ranges(rules, open, day)
            .iter()
            .filter(|r| r.contains(at))
        {
            let mut start = range.start;
            while start <= at {
                let end = add(start, p.duration);
                if end > range.end {
                    break;
                }
                if at < end {
                    out.push((day, Meeting { start, end }));
                }
                start = add(start, p.step);
            }
        }
    }
    out.sort_by_key(|(_, m)| m.start);
    out
}

/// Every rule except the working hours, applied to `meeting` generated by local day `day`.
fn check(
    rules: &Rules,
    event_type: Option<&EventType>,
    facts: &Facts,
    p: &Params,
    day: NaiveDate,
    meeting: Meeting,
) -> Vec<Reason> {
    let mut out = Vec::new();

    if meeting.start < facts.now {
        out.push(Reason::InPast);
    } else if meeting.start < earliest_start(rules, facts.now) {
        out.push(Reason::TooSoon {
            earliest: earliest_start(rules, facts.now),
        });
    }
    let last_day = last_bookable_day(rules, facts.now);
    if day > last_day {
        out.push(Reason::BeyondHorizon { last_day });
    }
    let counts = DayCounts::new(rules, event_type, facts.bookings);
    for (limit, event_type) in counts.limits_reached(rules, event_type, day) {
        out.push(Reason::DailyLimitReached { limit, event_type });
    }
    for (block, iv) in recurring_on(rules, day) {
        if meeting.hits(&iv) {
            out.push(Reason::RecurringBlock {
                label: block.label.clone(),
            });
        }
    }

    let before = Interval::new(sub(meeting.start, p.before), meeting.start);
    let after = Interval::new(meeting.end, add(meeting.end, p.after));
    // The reason for blocked time `iv`: `hit` if it meets the meeting, else a buffer reason.
    let mut classify = |iv: &Interval, hit: &dyn Fn() -> Reason| {
        if meeting.hits(iv) {
            out.push(hit());
        } else if before.is_some_and(|b| b.overlaps(iv)) {
            out.push(Reason::BufferBefore {
                buffer: p.before,
                start: iv.start,
                end: iv.end,
            });
        } else if after.is_some_and(|a| a.overlaps(iv)) {
            out.push(Reason::BufferAfter {
                buffer: p.after,
                start: iv.start,
                end: iv.end,
            });
        }
    };
    for source in facts.busy {
        for iv in source.intervals.iter().filter(|iv| iv.start < iv.end) {
            classify(iv, &|| Reason::Busy {
                source_id: source.source_id.clone(),
                start: iv.start,
                end: iv.end,
            });
        }
    }
    for iv in facts.blocks.iter().filter(|iv| iv.start < iv.end) {
        classify(iv, &|| Reason::ManualBlock {
            start: iv.start,
            end: iv.end,
        });
    }
    for booking in facts.bookings {
        if let Some(iv) = booking_span(rules, event_type, booking) {
            classify(&iv, &|| Reason::Booked {
                booking_id: booking.id.clone(),
            });
        }
    }
    out
}

/// `opened by "Office hours" (source "uni") from 2026-01-05 09:00 to 11:00 UTC`.
impl fmt::Display for Opening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "opened by {:?} (source {:?}) {}",
            self.title,
            self.source_id,
            Span(self.start, self.end)
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::OutsideWorkingHours {
                local_date,
                weekday,
            } => write!(
                f,
                "outside working hours on {} {local_date}",
                weekday_name(*weekday)
            ),
            Reason::DayOff { date } => write!(f, "{date} is a day off (date override)"),
            Reason::DateOverride { date } => {
                write!(f, "outside the hours set for {date} (date override)")
            }
            Reason::NotOnSlotGrid {
                duration,
                step,
                in_events,
            } => write!(
                f,
                "no {} slot contains this time (slots start every {} from the start of {} and \
                 must end within {})",
                Minutes(*duration),
                Minutes(*step),
                if *in_events {
                    "each availability event within the working hours"
                } else {
                    "the working hours"
                },
                if *in_events { "it" } else { "them" }
            ),
            Reason::RecurringBlock { label } => write!(f, "in the recurring block {label:?}"),
            Reason::NoAvailabilityEvent => write!(f, "no availability event covers this time"),
            Reason::Busy {
                source_id,
                start,
                end,
            } => write!(f, "busy in source {source_id:?} {}", Span(*start, *end)),
            Reason::Booked { booking_id } => {
                write!(
                    f,
                    "already booked (booking {booking_id:?}, with its buffers)"
                )
            }
            Reason::ManualBlock { start, end } => {
                write!(f, "blocked by the owner {}", Span(*start, *end))
            }
            Reason::BufferBefore { buffer, start, end } => write!(
                f,
                "the {} buffer before the meeting overlaps blocked time {}",
                Minutes(*buffer),
                Span(*start, *end)
            ),
            Reason::BufferAfter { buffer, start, end } => write!(
                f,
                "the {} buffer after the meeting overlaps blocked time {}",
                Minutes(*buffer),
                Span(*start, *end)
            ),
            Reason::TooSoon { earliest } => write!(
                f,
                "too soon: the minimum notice allows {} UTC at the earliest",
                earliest.format("%Y-%m-%d %H:%M")
            ),
            Reason::InPast => write!(f, "in the past"),
            Reason::BeyondHorizon { last_day } => {
                write!(
                    f,
                    "beyond the booking horizon (last bookable day {last_day})"
                )
            }
            Reason::DailyLimitReached { limit, event_type } => match event_type {
                None => write!(f, "the daily limit of {limit} bookings is reached"),
                Some(slug) => write!(f, "the daily limit of {limit} {slug:?} bookings is reached"),
            },
            Reason::WithinSlot { start, end } => {
                write!(f, "bookable: within the slot {}", Span(*start, *end))
            }
        }
    }
}

impl Reason {
    /// The reason for the owner: times in `zone` (named once at the end), a calendar by the
    /// name `calendar` gives its source id (or the id without one). The other reasons read as
    /// [`fmt::Display`] says.
    pub fn in_words(&self, zone: chrono_tz::Tz, calendar: impl Fn(&str) -> String) -> String {
        let span = |a: &DateTime<Utc>, b: &DateTime<Utc>| local_span(*a, *b, zone);
        match self {
            Reason::Busy {
                source_id,
                start,
                end,
            } => format!("busy in {} {}", calendar(source_id), span(start, end)),
            Reason::ManualBlock { start, end } => {
                format!("blocked by the owner {}", span(start, end))
            }
            Reason::BufferBefore { buffer, start, end } => format!(
                "the {} buffer before the meeting overlaps blocked time {}",
                Minutes(*buffer),
                span(start, end)
            ),
            Reason::BufferAfter { buffer, start, end } => format!(
                "the {} buffer after the meeting overlaps blocked time {}",
                Minutes(*buffer),
                span(start, end)
            ),
            Reason::TooSoon { earliest } => format!(
                "too soon: the minimum notice allows {} ({}) at the earliest",
                earliest.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
            Reason::WithinSlot { start, end } => {
                format!("bookable: within the slot {}", span(start, end))
            }
            other => other.to_string(),
        }
    }
}

impl Opening {
    /// For the owner, like [`Reason::in_words`]: the calendar by name, times in `zone`.
    pub fn in_words(&self, zone: chrono_tz::Tz, calendar: impl Fn(&str) -> String) -> String {
        format!(
            "opened by {:?} (in {}) {}",
            self.title,
            calendar(&self.source_id),
            local_span(self.start, self.end, zone)
        )
    }
}

/// "from 2026-03-30 10:00 to 11:00 (Europe/Berlin)" (the end's date only when it differs).
fn local_span(a: DateTime<Utc>, b: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    let (a, b) = (a.with_timezone(&zone), b.with_timezone(&zone));
    let end = if a.date_naive() == b.date_naive() {
        b.format("%H:%M")
    } else {
        b.format("%Y-%m-%d %H:%M")
    };
    format!(
        "from {} to {end} ({})",
        a.format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

/// "from 2026-03-30 09:00 to 10:00 UTC" (the end's date only when it differs).
struct Span(DateTime<Utc>, DateTime<Utc>);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.0.date_naive() == self.1.date_naive() {
            self.1.format("%H:%M")
        } else {
            self.1.format("%Y-%m-%d %H:%M")
        };
        write!(f, "from {} to {end} UTC", self.0.format("%Y-%m-%d %H:%M"))
    }
}

/// "15 min", "2 h", "1 h 30 min", or seconds when not whole minutes.
struct Minutes(Duration);

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.num_seconds();
        if secs % 60 != 0 {
            return write!(f, "{secs} s");
        }
        let (h, m) = (secs / 3600, secs % 3600 / 60);
        match (h, m) {
            (0, m) => write!(f, "{m} min"),
            (h, 0) => write!(f, "{h} h"),
            (h, m) => write!(f, "{h} h {m} min"),
        }
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Weekday::*;

    use super::*;
    use crate::availability::slots::slots;
    use crate::availability::test_support::Case;

    /// Explains the owner-local time `at` (for the case's event type when `with_type`) and
    /// compares the reasons' messages; bookable exactly when none is a refusal.
    fn check(case: Case, at: &str, with_type: bool, expected: &[&str]) {
        let et = with_type.then_some(&case.et);
        let got = explain(&case.rules, et, &case.facts(), case.at(at));
        let messages: Vec<String> = got.reasons.iter().map(ToString::to_string).collect();
        assert_eq!(messages, expected, "explaining {at}");
        let refused = got
            .reasons
            .iter()
            .any(|r| !matches!(r, Reason::WithinSlot { .. }));
        assert_eq!(got.bookable, !refused, "{got:?}");
        // With a type, `bookable` agrees with `slots` over that whole day.
        if let Some(et) = et {
            let (from, to) = case.bounds();
            let offered = slots(&case.rules, et, &case.facts(), from, to);
            let at = case.at(at);
            let inside = offered.iter().any(|s| s.start <= at && at < s.end);
            assert_eq!(got.bookable, inside, "slots disagree at {at}: {offered:?}");
        }
    }

    #[test]
    fn bookable() {
        // 10:15 local (CEST) is inside the 10:00 slot.
        check(
            Case::new(),
            "10:15",
            true,
            &["bookable: within the slot from 2026-06-01 08:00 to 09:00 UTC"],
        );
        check(Case::new(), "10:15", false, &[]);
        // Step shorter than the duration: the 09:30 slot is busy, the 10:00 one is free.
        check(
            Case::new().event(60, 30).busy("work", "09:00", "09:45"),
            "10:15",
            true,
            &["bookable: within the slot from 2026-06-01 08:00 to 09:00 UTC"],
        );
    }

    /// The opening event is named (title and source); time outside every event says so.
    #[test]
    fn availability_events() {
        let office = || {
            Case::new()
                .hours(&["09:00-17:00"])
                .opening("uni", "Office hours", "10:00", "12:00")
                .opening("uni", "Office hours", "14:00", "15:00")
        };
        let opened = |at: &str, with_type: bool| -> Vec<String> {
            let case = office();
            let et = with_type.then_some(&case.et);
            explain(&case.rules, et, &case.facts(), case.at(at))
                .opened_by
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        check(
            office(),
            "10:15",
            true,
            &["bookable: within the slot from 2026-06-01 08:00 to 09:00 UTC"],
        );
        assert_eq!(
            opened("10:15", true),
            ["opened by \"Office hours\" (source \"uni\") from 2026-06-01 08:00 to 10:00 UTC"]
        );
        check(office(), "10:15", false, &[]);
        check(
            office(),
            "13:00",
            true,
            &["no availability event covers this time"],
        );
        check(
            office(),
            "13:00",
            false,
            &["no availability event covers this time"],
        );
        assert!(opened("13:00", true).is_empty());
        // Outside the hours the hours are the reason, not the missing event.
        check(
            office(),
            "08:00",
            true,
            &["outside working hours on Monday 2026-06-01"],
        );
        // Inside an event but busy: busy is the reason, and the event is still named.
        check(
            office().busy("work", "14:00", "14:30"),
            "14:15",
            true,
            &["busy in source \"work\" from 2026-06-01 12:00 to 12:30 UTC"],
        );
        // Inside an event, but no whole meeting fits after it starts (the grid).
        check(
            office().event(60, 60),
            "11:30",
            true,
            &["bookable: within the slot from 2026-06-01 09:00 to 10:00 UTC"],
        );
        check(
            Case::new()
                .hours(&["09:00-17:00"])
                .opening("uni", "Short", "10:00", "10:30"),
            "10:15",
            true,
            &[
                "no 1 h slot contains this time (slots start every 1 h from the start of each availability event within the working hours and must end within it)",
            ],
        );
        // Without events at all.
        check(
            Case::new().no_openings(),
            "10:15",
            true,
            &["no availability event covers this time"],
        );
    }

    #[test]
    fn hours() {
        check(
            Case::new(),
            "08:00",
            true,
            &["outside working hours on Monday 2026-06-01"],
        );
        check(
            Case::new(),
            "12:00",
            false,
            &["outside working hours on Monday 2026-06-01"],
        );
        check(
            Case::new().on("2026-06-06"),
            "10:00",
            false,
            &["outside working hours on Saturday 2026-06-06"],
        );
        check(
            Case::new().override_day("2026-06-01", &[]),
            "10:00",
            true,
            &["2026-06-01 is a day off (date override)"],
        );
        check(
            Case::new().override_day("2026-06-01", &["13:00-15:00"]),
            "10:00",
            true,
            &["outside the hours set for 2026-06-01 (date override)"],
        );
        check(
            Case::new().override_day("2026-06-01", &["13:00-15:00"]),
            "13:30",
            true,
            &["bookable: within the slot from 2026-06-01 11:00 to 12:00 UTC"],
        );
        // Inside the hours, but the meeting would not end within them.
        check(
            Case::new().hours(&["09:00-11:30"]),
            "11:15",
            true,
            &[
                "no 1 h slot contains this time (slots start every 1 h from the start of the \
               working hours and must end within them)",
            ],
        );
        check(Case::new().hours(&["09:00-11:30"]), "11:15", false, &[]);
    }

    #[test]
    fn blocks_busy_and_bookings() {
        let day = || Case::new().hours(&["09:00-17:00"]);
        check(
            day().recurring("lunch", &[Mon], "12:00-13:00"),
            "12:30",
            true,
            &["in the recurring block \"lunch\""],
        );
        check(
            day().recurring("lunch", &[Mon], "12:00-13:00"),
            "12:30",
            false,
            &["in the recurring block \"lunch\""],
        );
        check(
            day().busy("work", "10:00", "10:30"),
            "10:15",
            true,
            &["busy in source \"work\" from 2026-06-01 08:00 to 08:30 UTC"],
        );
        // The slot 10:00-11:00 is refused for busy time after the instant itself.
        check(
            day().busy("work", "10:40", "10:50"),
            "10:15",
            true,
            &["busy in source \"work\" from 2026-06-01 08:40 to 08:50 UTC"],
        );
        check(day().busy("work", "10:40", "10:50"), "10:15", false, &[]);
        check(
            day().booking("b1", "intro", "10:00", "11:00"),
            "10:30",
            true,
            &["already booked (booking \"b1\", with its buffers)"],
        );
        check(
            day().block("10:00", "10:30"),
            "10:15",
            false,
            &["blocked by the owner from 2026-06-01 08:00 to 08:30 UTC"],
        );
    }

    #[test]
    fn buffers() {
        check(
            Case::new()
                .rule_buffers(30, 0)
                .busy("work", "08:00", "08:45"),
            "09:00",
            true,
            &[
                "the 30 min buffer before the meeting overlaps blocked time from 2026-06-01 \
                 06:00 to 06:45 UTC",
            ],
        );
        check(
            Case::new()
                .rule_buffers(0, 90)
                .busy("home", "12:15", "13:00"),
            "11:30",
            true,
            &[
                "the 1 h 30 min buffer after the meeting overlaps blocked time from \
                 2026-06-01 10:15 to 11:00 UTC",
            ],
        );
        // Without an event type the instant needs the owner's buffers around it.
        check(
            Case::new().rule_buffers(0, 15).block("11:10", "11:20"),
            "11:00",
            false,
            &[
                "the 15 min buffer after the meeting overlaps blocked time from 2026-06-01 \
                 09:10 to 09:20 UTC",
            ],
        );
        // An existing booking's own buffer (this type: 15 after) keeps 11:00 closed.
        check(
            Case::new()
                .event_buffers(0, 15)
                .booking("b1", "intro", "09:00", "10:00"),
            "10:00",
            true,
            &["already booked (booking \"b1\", with its buffers)"],
        );
    }

    #[test]
    fn time_limits() {
        check(
            Case::new().now("2026-06-01 08:00").notice(120),
            "09:30",
            true,
            &["too soon: the minimum notice allows 2026-06-01 08:00 UTC at the earliest"],
        );
        check(
            Case::new().now("2026-06-01 10:00"),
            "09:30",
            true,
            &["in the past"],
        );
        check(
            Case::new().now("2026-06-01 10:00").notice(600),
            "09:30",
            false,
            &["in the past"],
        );
        check(
            Case::new().horizon(10),
            "10:00",
            true,
            &["beyond the booking horizon (last bookable day 2026-05-10)"],
        );
        check(
            Case::new()
                .max_per_day(1)
                .booking("b1", "other", "07:00", "08:00"),
            "10:00",
            true,
            &["the daily limit of 1 bookings is reached"],
        );
        check(
            Case::new()
                .max_of_type(1)
                .booking("b1", "intro", "07:00", "08:00"),
            "10:00",
            true,
            &["the daily limit of 1 \"intro\" bookings is reached"],
        );
        check(
            Case::new()
                .max_of_type(1)
                .booking("b1", "intro", "07:00", "08:00"),
            "10:00",
            false,
            &[],
        );
    }

    #[test]
    fn lists_every_reason() {
        check(
            Case::new()
                .hours(&["09:00-17:00"])
                .now("2026-06-01 11:00")
                .notice(240)
                .max_per_day(1)
                .recurring("lunch", &[Mon], "12:00-13:00")
                .busy("work", "12:00", "12:15")
                .busy("home", "12:30", "13:30")
                .block("12:45", "13:00")
                .booking("b1", "other", "09:00", "10:00"),
            "12:30",
            true,
            &[
                "too soon: the minimum notice allows 2026-06-01 13:00 UTC at the earliest",
                "the daily limit of 1 bookings is reached",
                "in the recurring block \"lunch\"",
                "busy in source \"work\" from 2026-06-01 10:00 to 10:15 UTC",
                "busy in source \"home\" from 2026-06-01 10:30 to 11:30 UTC",
                "blocked by the owner from 2026-06-01 10:45 to 11:00 UTC",
            ],
        );
        check(
            Case::new().on("2026-06-06").horizon(10),
            "10:00",
            true,
            &[
                "outside working hours on Saturday 2026-06-06",
                "beyond the booking horizon (last bookable day 2026-05-10)",
            ],
        );
        check(
            Case::new().on("2026-06-06").now("2026-06-07 00:00"),
            "10:00",
            false,
            &[
                "outside working hours on Saturday 2026-06-06",
                "in the past",
            ],
        );
    }

    #[test]
    fn dst_day() {
        // 03:30 on spring-forward day is the second real hour of 01:00-04:00.
        check(
            Case::new()
                .now("2026-01-01 00:00")
                .hours(&["01:00-04:00"])
                .on("2026-03-29"),
            "03:30",
            true,
            &["bookable: within the slot from 2026-03-29 01:00 to 02:00 UTC"],
        );
    }

    /// For the owner: times in their zone, calendars by name.
    #[test]
    fn in_words_uses_the_owner_zone_and_calendar_names() {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let busy = Reason::Busy {
            source_id: "work".into(),
            start: at("2027-03-29T12:00:00Z"),
            end: at("2027-03-29T13:00:00Z"),
        };
        let name = |id: &str| {
            if id == "work" {
                "Work calendar".to_owned()
            } else {
                id.to_owned()
            }
        };
        assert_eq!(
            busy.in_words(chrono_tz::Europe::Berlin, name),
            "busy in Work calendar from 2027-03-29 14:00 to 15:00 (Europe/Berlin)"
        );
        let block = Reason::ManualBlock {
            start: at("2027-03-29T22:30:00Z"),
            end: at("2027-03-30T00:00:00Z"),
        };
        assert_eq!(
            block.in_words(chrono_tz::Europe::Berlin, name),
            "blocked by the owner from 2027-03-30 00:30 to 02:00 (Europe/Berlin)"
        );
        assert_eq!(Reason::InPast.in_words(chrono_tz::UTC, name), "in the past");
        let opening = Opening {
            source_id: "work".into(),
            title: "Office hours".into(),
            start: at("2027-03-29T07:00:00Z"),
            end: at("2027-03-29T09:00:00Z"),
        };
        assert_eq!(
            opening.in_words(chrono_tz::Europe::Berlin, name),
            "opened by \"Office hours\" (in Work calendar) from 2027-03-29 09:00 to 11:00 (Europe/Berlin)"
        );
    }
}
