//! The owner's statistics, pure: bookings made and cancelled per week (Monday to Sunday) and
//! per day, both in the owner's zone (a day of a clock change is 23 or 25 hours long),
//! by event type and by where the visit came from, lead times, cancellation and no-show
//! rates, over the rows the store gives (`BookingService::stats` reads them).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::store::{BookingRow, BookingStatus, StoreError};

use super::BookingService;

/// One week (Monday to Sunday in the owner's zone) of bookings made and cancelled.
#[derive(Clone, Debug, PartialEq)]
pub struct Week {
    /// `2026-W48`.
    pub week: String,
    /// Its Monday.
    pub starts: String,
    /// Bookings made that week (any status now).
    pub booked: u32,
    /// Of those, by event type.
    pub by_event_type: BTreeMap<String, u32>,
    /// Cancellations made that week.
    pub cancelled: u32,
}

/// How many bookings were made this long before their meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadBucket {
    /// The bucket holds lead times below this many hours (and at or above the previous
    /// bucket's); `None` for the last, open-ended one.
    pub below_hours: Option<u32>,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// The last 12 ISO weeks, oldest first (the current one last).
    pub weeks: Vec<Week>,
    pub booked: u32,
    pub cancelled: u32,
    /// From booking to meeting, over the bookings made in those weeks; none without bookings.
    pub average_lead_time_hours: Option<f64>,
    /// The same bookings by lead time: under a day, 1-3 days, 3-7 days, 1-2 weeks, longer.
    pub lead_time: Vec<LeadBucket>,
    /// Every day of those weeks (owner's zone), oldest first: bookings made and cancellations.
    pub days: Vec<Day>,
    /// Bookings made in those weeks by event type.
    pub by_event_type: BTreeMap<String, u32>,
    /// Bookings made in those weeks by where the visit came from (the booking page's `?ref=`;
    /// `direct` without one).
    pub by_ref: BTreeMap<String, u32>,
    /// Of the bookings made in those weeks, the share cancelled since (0-1); none without
    /// bookings.
    pub cancellation_rate: Option<f64>,
    /// Of those whose meeting has begun and that were not cancelled, the share the owner marked
    /// as no-show (0-1); none without such meetings.
    pub no_show_rate: Option<f64>,
}

/// One day (in the owner's zone) of bookings made and cancelled.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    /// `2026-11-30`.
    pub date: String,
    pub booked: u32,
    pub cancelled: u32,
}

/// Statistics over `rows` (bookings made or cancelled since the start of `first`, a Monday in
/// `zone`), `weeks` weeks on, each moment counted on its day in `zone`; `now` decides which
/// meetings have begun (no-show rate).
pub fn stats(
    rows: &[BookingRow],
    first: NaiveDate,
    zone: Tz,
    weeks: usize,
    now: DateTime<Utc>,
) -> Stats {
    let day_of = |t: DateTime<Utc>| -> Option<usize> {
        let local = t.with_timezone(&zone).date_naive();
        usize::try_from((local - first).num_days())
            .ok()
            .filter(|&i| i < weeks * 7)
    };
    let mut days: Vec<Day> = (0..weeks * 7)
        .map(|i| Day {
            date: (first + Duration::days(i as i64)).to_string(),
            booked: 0,
            cancelled: 0,
        })
        .collect();
    let (mut by_event_type, mut by_ref) = (BTreeMap::new(), BTreeMap::new());
    let (mut made, mut made_cancelled, mut met, mut no_shows) = (0u32, 0u32, 0u32, 0u32);
    for b in rows {
        if let Some(i) = day_of(b.created_at) {
            days[i].booked += 1;
            made += 1;
            *by_event_type.entry(b.event_type.clone()).or_insert(0) += 1;
            let source = b.visit_ref.clone().unwrap_or_else(|| "direct".to_owned());
            *by_ref.entry(source).or_insert(0) += 1;
            match b.status {
                BookingStatus::Cancelled => made_cancelled += 1,
                BookingStatus::Confirmed if b.start <= now => {
                    met += 1;
                    no_shows += u32::from(b.no_show);
                }
                BookingStatus::Confirmed
                | BookingStatus::Pending
                | BookingStatus::Expired
                | BookingStatus::Declined => {}
            }
        }
        if let Some(i) = b.cancelled_at.and_then(day_of) {
            days[i].cancelled += 1;
        }
    }
    let rate = |n: u32, of: u32| {
        (of > 0).then(|| (f64::from(n) / f64::from(of) * 1000.0).round() / 1000.0)
    };
    let week_of = |t: DateTime<Utc>| day_of(t).map(|i| i / 7);
    let mut out: Vec<Week> = (0..weeks)
        .map(|i| {
            let monday = first + Duration::weeks(i as i64);
            let iso = monday.iso_week();
            Week {
                week: format!("{}-W{:02}", iso.year(), iso.week()),
                starts: monday.to_string(),
                booked: 0,
                by_event_type: BTreeMap::new(),
                cancelled: 0,
            }
        })
        .collect();
    const LEAD_BUCKETS: [u32; 4] = [24, 72, 168, 336];
    let mut lead_time: Vec<LeadBucket> = LEAD_BUCKETS
        .iter()
        .map(|&h| Some(h))
        .chain([None])
        .map(|below_hours| LeadBucket {
            below_hours,
            count: 0,
        })
        .collect();
    let (mut lead_sum, mut lead_n) = (0.0, 0u32);
    for b in rows {
        if let Some(i) = week_of(b.created_at) {
            out[i].booked += 1;
            *out[i]
                .by_event_type
                .entry(b.event_type.clone())
                .or_insert(0) += 1;
            let hours = (b.start - b.created_at).num_seconds() as f64 / 3600.0;
            lead_sum += hours;
            let bucket = LEAD_BUCKETS
                .iter()
                .position(|&h| hours < f64::from(h))
                .unwrap_or(LEAD_BUCKETS.len());
            lead_time[bucket].count += 1;
            lead_n += 1;
        }
        if let Some(i) = b.cancelled_at.and_then(week_of) {
            out[i].cancelled += 1;
        }
    }
    Stats {
        booked: out.iter().map(|w| w.booked).sum(),
        cancelled: out.iter().map(|w| w.cancelled).sum(),
        average_lead_time_hours: (lead_n > 0)
            .then(|| (lead_sum / f64::from(lead_n) * 10.0).round() / 10.0),
        weeks: out,
        lead_time,
        days,
        by_event_type,
        by_ref,
        cancellation_rate: rate(made_cancelled, made),
        no_show_rate: rate(no_shows, met),
    }
}

/// The Monday (in `zone`) of the week `weeks - 1` weeks before the one holding `now`.
pub fn stats_since(now: DateTime<Utc>, weeks: i64, zone: Tz) -> NaiveDate {
    let today = now.with_timezone(&zone).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    monday - Duration::weeks(weeks - 1)
}

impl BookingService {
    /// The statistics of the last `weeks` weeks in the owner's zone (the current one last).
    pub async fn stats(&self, weeks: u32) -> Result<Stats, StoreError> {
        let now = self.now();
        let zone = self.config().owner.timezone;
        let first = stats_since(now, i64::from(weeks), zone);
        // A day before the first midnight: rows outside the days are dropped by `stats`.
        let since = (first - Duration::days(1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let rows = self.bookings_touched_since(since).await?;
        Ok(stats(&rows, first, zone, weeks as usize, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn row(
        id: &str,
        slug: &str,
        created: &str,
        start: &str,
        cancelled: Option<&str>,
    ) -> BookingRow {
        BookingRow {
            id: id.into(),
            event_type: slug.into(),
            start: at(start),
            end: at(start) + Duration::minutes(30),
            name: "n".into(),
            email: "e@x".into(),
            notes: String::new(),
            timezone: "UTC".into(),
            status: if cancelled.is_some() {
                BookingStatus::Cancelled
            } else {
                BookingStatus::Confirmed
            },
            sequence: 0,
            created_at: at(created),
            updated_at: at(created),
            cancelled_at: cancelled.map(at),
            series: None,
            answers: Vec::new(),
            visit_ref: None,
            confirm_by: None,
            decline_reason: None,
            no_show: false,
            hold_until: None,
        }
    }

    #[test]
    fn weeks_count_bookings_cancellations_and_lead_time() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap(); // a Monday, W49
        let since = stats_since(now, 12, chrono_tz::UTC);
        assert_eq!(since.to_string(), "2026-09-14");
        let rows = [
            row(
                "a",
                "intro",
                "2026-11-30T06:00:00Z",
                "2026-12-01T06:00:00Z",
                None,
            ),
            row(
                "b",
                "consult",
                "2026-11-29T23:00:00Z",
                "2026-11-30T11:00:00Z",
                Some("2026-11-30T06:00:00Z"),
            ),
            row(
                "c",
                "intro",
                "2026-01-01T00:00:00Z",
                "2026-12-01T06:00:00Z",
                Some("2026-11-24T00:00:00Z"),
            ),
        ];
        let s = stats(&rows, since, chrono_tz::UTC, 12, now);
        assert_eq!(s.weeks.len(), 12);
        assert_eq!(s.weeks[11].week, "2026-W49");
        assert_eq!(s.weeks[11].starts, "2026-11-30");
        assert_eq!((s.weeks[11].booked, s.weeks[11].cancelled), (1, 1));
        assert_eq!((s.weeks[10].booked, s.weeks[10].cancelled), (1, 1));
        assert_eq!(s.weeks[10].by_event_type.get("consult"), Some(&1));
        assert_eq!((s.booked, s.cancelled), (2, 2));
        assert_eq!(s.average_lead_time_hours, Some(18.0));
        let counts: Vec<u32> = s.lead_time.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 0, 0, 0], "12 hours and exactly a day");
        let empty = stats(&[], since, chrono_tz::UTC, 12, now);
        assert_eq!(empty.average_lead_time_hours, None);
        assert_eq!((empty.cancellation_rate, empty.no_show_rate), (None, None));
        assert_eq!(empty.days.len(), 84);
    }

    #[test]
    fn days_sources_and_rates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let since = stats_since(now, 12, chrono_tz::UTC);
        let made = "2026-11-29T10:00:00Z";
        let mut rows = vec![
            row("a", "intro", made, "2026-11-30T09:00:00Z", None),
            row("b", "intro", made, "2026-11-30T10:00:00Z", None),
            row(
                "c",
                "consult",
                made,
                "2026-12-02T10:00:00Z",
                Some("2026-11-30T08:00:00Z"),
            ),
            row("d", "consult", made, "2026-12-03T10:00:00Z", None),
        ];
        rows[0].no_show = true;
        rows[0].visit_ref = Some("newsletter".into());
        rows[2].visit_ref = Some("newsletter".into());
        let s = stats(&rows, since, chrono_tz::UTC, 12, now);
        let day = |d: &str| {
            s.days
                .iter()
                .find(|x| x.date == d)
                .map(|x| (x.booked, x.cancelled))
        };
        assert_eq!(day("2026-11-29"), Some((4, 0)));
        assert_eq!(day("2026-11-30"), Some((0, 1)));
        assert_eq!(s.days.last().map(|d| d.date.as_str()), Some("2026-12-06"));
        assert_eq!(s.by_event_type.get("consult"), Some(&2));
        assert_eq!(s.by_ref.get("newsletter"), Some(&2));
        assert_eq!(s.by_ref.get("direct"), Some(&2));
        assert_eq!(s.cancellation_rate, Some(0.25));
        // a and b have begun and were not cancelled; a is a no-show.
        assert_eq!(s.no_show_rate, Some(0.5));
    }

    #[test]
    fn days_and_weeks_are_the_owners_across_the_change_to_summer_time() {
        // Berlin moves to summer time on Sunday 2027-03-28 (02:00 -> 03:00).
        let berlin = chrono_tz::Europe::Berlin;
        let now = at("2027-03-28T22:30:00Z"); // Monday 00:30 in Berlin, a new week there
        let first = stats_since(now, 2, berlin);
        assert_eq!(
            first.to_string(),
            "2027-03-22",
            "Monday of the week before, in Berlin"
        );
        let start = "2027-04-05T08:00:00Z";
        let rows = [
            // Saturday 23:30 UTC is Sunday 00:30 in Berlin (+01:00).
            row("a", "intro", "2027-03-27T23:30:00Z", start, None),
            // Sunday 22:30 UTC is Monday 00:30 in Berlin (+02:00 since the night).
            row("b", "intro", "2027-03-28T22:30:00Z", start, None),
            // Sunday 21:30 UTC is still Sunday 23:30 in Berlin.
            row("c", "intro", "2027-03-28T21:30:00Z", start, None),
            // Before the first Monday in Berlin (Sunday 23:30 +01:00): not counted.
            row("d", "intro", "2027-03-21T22:30:00Z", start, None),
        ];
        let s = stats(&rows, first, berlin, 2, now);
        let day = |d: &str| s.days.iter().find(|x| x.date == d).map(|x| x.booked);
        assert_eq!(day("2027-03-27"), Some(0));
        assert_eq!(day("2027-03-28"), Some(2), "a and c on the 23-hour Sunday");
        assert_eq!(day("2027-03-29"), Some(1), "b on Monday");
        assert_eq!(day("2027-03-22"), Some(0), "d is before the first day");
        assert_eq!(s.weeks[0].starts, "2027-03-22");
        assert_eq!((s.weeks[0].booked, s.weeks[1].booked), (2, 1));
        assert_eq!(s.booked, 3);
        // Counted in UTC (as before), b falls on Sunday, into the first week.
        let utc = stats(&rows, first, chrono_tz::UTC, 2, now);
        assert_eq!((utc.weeks[0].booked, utc.weeks[1].booked), (3, 0));
    }
}
