//! RRULE text -> [`RecurRule`] -> local wall-clock occurrences, with the `rrule` crate.
//!
//! Occurrences are computed in naive local time (the crate is handed the wall-clock time as if it
//! were UTC), because RFC 5545 repeats events at the same local time across DST changes; callers
//! convert each occurrence to UTC with the series' zone. Long-running open rules are fast-forwarded
//! to the window so that cost depends on the window, not on how old the series is.

use chrono::{Datelike, Duration, NaiveDateTime, TimeZone, Weekday};
use rrule::{Frequency, NWeekday, RRule};

use super::model::RecurRule;

/// Parses the value of an RRULE property. Unknown parts are ignored; a bad value is an error.
pub fn parse_rrule(text: &str) -> Result<RecurRule, String> {
    let mut rule = RecurRule {
        interval: 1,
        ..RecurRule::default()
    };
    for part in text.trim().split(';').filter(|p| !p.trim().is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("RRULE part \"{part}\" has no '='"))?;
        let value = value.trim();
        let bad = || format!("RRULE {key}={value} is not valid");
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => {
                rule.freq = Some(match value.to_ascii_uppercase().as_str() {
                    "YEARLY" => Frequency::Yearly,
                    "MONTHLY" => Frequency::Monthly,
                    "WEEKLY" => Frequency::Weekly,
                    "DAILY" => Frequency::Daily,
                    "HOURLY" => Frequency::Hourly,
                    "MINUTELY" => Frequency::Minutely,
                    "SECONDLY" => Frequency::Secondly,
                    _ => return Err(bad()),
                })
            }
            "INTERVAL" => {
                rule.interval = value.parse().map_err(|_| bad())?;
                if rule.interval == 0 {
                    return Err(bad());
                }
            }
            "COUNT" => rule.count = Some(value.parse().map_err(|_| bad())?),
            "UNTIL" => {
                rule.until = Some(if value.len() == 8 {
                    super::model::CalTime::Date(super::values::parse_date(value).ok_or_else(bad)?)
                } else {
                    let (dt, utc) = super::values::parse_date_time(value).ok_or_else(bad)?;
                    let anchor = if utc {
                        super::model::Anchor::Utc
                    } else {
                        super::model::Anchor::Floating
                    };
                    super::model::CalTime::DateTime(dt, anchor)
                })
            }
            "WKST" => rule.week_start = Some(weekday(value).ok_or_else(bad)?),
            "BYSETPOS" => rule.by_set_pos = list(value).ok_or_else(bad)?,
            "BYMONTH" => rule.by_month = list(value).ok_or_else(bad)?,
            "BYMONTHDAY" => rule.by_month_day = list(value).ok_or_else(bad)?,
            "BYYEARDAY" => rule.by_year_day = list(value).ok_or_else(bad)?,
            "BYWEEKNO" => rule.by_week_no = list(value).ok_or_else(bad)?,
            "BYHOUR" => rule.by_hour = list(value).ok_or_else(bad)?,
            "BYMINUTE" => rule.by_minute = list(value).ok_or_else(bad)?,
            "BYSECOND" => rule.by_second = list(value).ok_or_else(bad)?,
            "BYDAY" => {
                rule.by_weekday = value
                    .split(',')
                    .map(|d| nweekday(d.trim()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(bad)?
            }
            _ => {}
        }
    }
    if rule.freq.is_none() {
        return Err("RRULE has no FREQ".into());
    }
    Ok(rule)
}

fn list<T: std::str::FromStr>(value: &str) -> Option<Vec<T>> {
    value
        .split(',')
        .map(|v| v.trim().trim_start_matches('+').parse().ok())
        .collect()
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn nweekday(s: &str) -> Option<NWeekday> {
    // The day is the last two bytes; `split_at_checked` refuses a cut inside a multi-byte char
    // (e.g. the U+FFFD that a bad byte becomes).
    let (num, day) = s.split_at_checked(s.len().checked_sub(2)?)?;
    let day = weekday(day)?;
    if num.is_empty() {
        return Some(NWeekday::Every(day));
    }
    let n: i16 = num.trim_start_matches('+').parse().ok()?;
    if n == 0 || !(-53..=53).contains(&n) {
        return None;
    }
    Some(NWeekday::Nth(n, day))
}

fn as_rr(local: NaiveDateTime) -> chrono::DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// The length of one period of a fixed-length frequency, used to fast-forward open rules.
fn fixed_period(freq: Frequency) -> Option<Duration> {
    match freq {
        Frequency::Weekly => Some(Duration::weeks(1)),
        Frequency::Daily => Some(Duration::days(1)),
        Frequency::Hourly => Some(Duration::hours(1)),
        Frequency::Minutely => Some(Duration::minutes(1)),
        Frequency::Secondly => Some(Duration::seconds(1)),
        Frequency::Monthly | Frequency::Yearly => None,
    }
}

/// A start for the rule at or before `target` that yields exactly the original occurrences from
/// there on: the original start moved by whole multiples of (interval x period). Only for rules
/// without COUNT (a count must be counted from the real start) and with a fixed-length period.
fn fast_forward(rule: &RecurRule, start: NaiveDateTime, target: NaiveDateTime) -> NaiveDateTime {
    let (Some(freq), None) = (rule.freq, rule.count) else {
        return start;
    };
    let Some(period) = fixed_period(freq) else {
        return start;
    };
    let step = period * i32::from(rule.interval.max(1));
    let gap = target - start;
    if gap <= step {
        return start;
    }
    let steps = gap.num_seconds() / step.num_seconds().max(1);
    start + Duration::seconds(step.num_seconds() * steps)
}

/// Occurrences of `rule` from `start` (local time), in order. `until_local` is UNTIL already
/// expressed in the same local time. `skip_to` lets an open rule start near the window.
/// DTSTART itself is yielded only when it matches the rule (callers add it: RFC 5545 3.8.5.3).
///
/// The commonest rules (DAILY, or WEEKLY with plain BYDAY, nothing else) take a direct path that
/// a property test keeps equal to the `rrule` crate's; every other rule goes through the crate.
pub fn occurrences(
    rule: &RecurRule,
    start: NaiveDateTime,
    until_local: Option<NaiveDateTime>,
    count: Option<u32>,
    skip_to: Option<NaiveDateTime>,
) -> Result<Occurrences, String> {
    let begin = match skip_to {
        Some(target) if count.is_none() => fast_forward(rule, start, target),
        _ => start,
    };
    match SimpleRule::of(rule) {
        Some(simple) => Ok(Occurrences::Simple(simple.iter(begin, until_local, count))),
        None => crate_occurrences(rule, begin, until_local, count),
    }
}

/// Occurrences through the `rrule` crate (any rule), from `begin`.
pub(crate) fn crate_occurrences(
    rule: &RecurRule,
    begin: NaiveDateTime,
    until_local: Option<NaiveDateTime>,
    count: Option<u32>,
) -> Result<Occurrences, String> {
    let freq = rule.freq.ok_or("RRULE has no FREQ")?;
    let mut rr = RRule::new(freq)
        .interval(rule.interval.max(1))
        .by_set_pos(rule.by_set_pos.clone())
        .by_month_day(rule.by_month_day.clone())
        .by_year_day(rule.by_year_day.clone())
        .by_week_no(rule.by_week_no.clone())
        .by_weekday(rule.by_weekday.clone())
        .by_hour(rule.by_hour.clone())
        .by_minute(rule.by_minute.clone())
        .by_second(rule.by_second.clone());
    if !rule.by_month.is_empty() {
        let months: Vec<chrono::Month> = rule
            .by_month
            .iter()
            .filter_map(|&m| chrono::Month::try_from(m).ok())
            .collect();
        if months.len() != rule.by_month.len() {
            return Err("RRULE BYMONTH out of range".into());
        }
        rr = rr.by_month(&months);
    }
    if let Some(wkst) = rule.week_start {
        rr = rr.week_start(wkst);
    }
    if let Some(c) = count {
        rr = rr.count(c);
    }
    if let Some(until) = until_local {
        if until < begin {
            return Ok(Occurrences::Empty);
        }
        rr = rr.until(as_rr(until));
    }
    let dt_start = as_rr(begin);
    let set = rr
        .build(dt_start)
        .map_err(|e| format!("RRULE rejected: {e}"))?
        .limit();
    Ok(Occurrences::Crate(Box::new(set.into_iter())))
}

/// The occurrences of one rule, from either path.
pub enum Occurrences {
    Empty,
    Simple(SimpleIter),
    Crate(Box<rrule::RRuleSetIter>),
}

impl std::fmt::Debug for Occurrences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Occurrences::Empty => "Occurrences::Empty",
            Occurrences::Simple(_) => "Occurrences::Simple",
            Occurrences::Crate(_) => "Occurrences::Crate",
        })
    }
}

impl Iterator for Occurrences {
    type Item = NaiveDateTime;

    fn next(&mut self) -> Option<NaiveDateTime> {
        match self {
            Occurrences::Empty => None,
            Occurrences::Simple(it) => it.next(),
            Occurrences::Crate(it) => it.next().map(|d| d.naive_utc()),
        }
    }
}

/// DAILY (optionally limited by plain BYDAY) or WEEKLY with plain BYDAY, and no other BY part.
#[derive(Clone, Copy, Debug)]
struct SimpleRule {
    weekly: bool,
    interval: i64,
    /// Bit `n` set: the weekday `n` days after Monday is allowed; 0 means "the start's weekday"
    /// (weekly) or "every day" (daily).
    days: u8,
    week_start: Weekday,
}

impl SimpleRule {
    fn of(rule: &RecurRule) -> Option<SimpleRule> {
        let weekly = match rule.freq? {
            Frequency::Daily => false,
            Frequency::Weekly => true,
            _ => return None,
        };
        let plain = rule.by_set_pos.is_empty()
            && rule.by_month.is_empty()
            && rule.by_month_day.is_empty()
            && rule.by_year_day.is_empty()
            && rule.by_week_no.is_empty()
            && rule.by_hour.is_empty()
            && rule.by_minute.is_empty()
            && rule.by_second.is_empty();
        if !plain {
            return None;
        }
        let mut days = 0u8;
        for d in &rule.by_weekday {
            match d {
                NWeekday::Every(w) => days |= 1 << w.num_days_from_monday(),
                NWeekday::Nth(..) => return None,
            }
        }
        Some(SimpleRule {
            weekly,
            interval: i64::from(rule.interval.max(1)),
            days,
            week_start: rule.week_start.unwrap_or(Weekday::Mon),
        })
    }

    fn iter(
        self,
        start: NaiveDateTime,
        until: Option<NaiveDateTime>,
        count: Option<u32>,
    ) -> SimpleIter {
        let days = match (self.days, self.weekly) {
            (0, true) => 1 << start.weekday().num_days_from_monday(),
            (0, false) => 0x7f,
            (d, _) => d,
        };
        // A DAILY step that is a whole number of weeks only ever lands on the start's weekday:
        // keep just that day, or nothing (the walk would otherwise never yield).
        let days = if !self.weekly && self.interval % 7 == 0 {
            days & (1 << start.weekday().num_days_from_monday())
        } else {
            days
        };
        // Weekly periods start on WKST: the period holding `start` is period 0.
        let back = (7 + i64::from(start.weekday().num_days_from_monday())
            - i64::from(self.week_start.num_days_from_monday()))
            % 7;
        let day = i64::from(start.date().num_days_from_ce());
        SimpleIter {
            rule: self,
            days,
            time: start.time(),
            start,
            until,
            left: if days == 0 { Some(0) } else { count },
            period_start: if self.weekly { day - back } else { day },
            offset: 0,
        }
    }
}

/// Iterator of a [`SimpleRule`]: period by period, and day by day within a weekly period.
#[derive(Debug)]
pub struct SimpleIter {
    rule: SimpleRule,
    days: u8,
    time: chrono::NaiveTime,
    start: NaiveDateTime,
    until: Option<NaiveDateTime>,
    left: Option<u32>,
    /// Day number (days from CE, as `NaiveDate::num_days_from_ce`) where the period begins.
    period_start: i64,
    /// Day within the current weekly period (0..7).
    offset: i64,
}

/// Day 1 from CE (0001-01-01) was a Monday: weekday 0 = Monday, as `num_days_from_monday`.
fn weekday_of(day: i64) -> u32 {
    (day - 1).rem_euclid(7) as u32
}

impl Iterator for SimpleIter {
    type Item = NaiveDateTime;

    fn next(&mut self) -> Option<NaiveDateTime> {
        if self.left == Some(0) {
            return None;
        }
        // `days` is never empty here (else `left` is 0), so a yield is at most a week of steps
        // away. Day arithmetic is on plain day numbers; a date is built only for a matching day.
        loop {
            let day = if self.rule.weekly {
                let day = self.period_start + self.offset;
                self.offset += 1;
                if self.offset == 7 {
                    self.offset = 0;
                    self.period_start += 7 * self.rule.interval;
                }
                day
            } else {
                let day = self.period_start;
                self.period_start += self.rule.interval;
                day
            };
            if self.days & (1 << weekday_of(day)) == 0 {
                continue;
            }
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).ok()?)?;
            let t = date.and_time(self.time);
            if t < self.start {
                continue;
            }
            if self.until.is_some_and(|u| t > u) {
                self.left = Some(0);
                return None;
            }
            if let Some(left) = &mut self.left {
                *left -= 1;
            }
            return Some(t);
        }
    }
}

/// Occurrences of a VTIMEZONE observance rule (its UNTIL is in UTC; `offset_from` turns it local).
pub fn local_occurrences(
    rule: &RecurRule,
    start: NaiveDateTime,
    offset_from: i32,
    skip_to: Option<NaiveDateTime>,
) -> Box<dyn Iterator<Item = NaiveDateTime>> {
    let until = rule.until.map(|u| match u {
        super::model::CalTime::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or_default(),
        super::model::CalTime::DateTime(dt, super::model::Anchor::Utc) => {
            dt + Duration::seconds(i64::from(offset_from))
        }
        super::model::CalTime::DateTime(dt, _) => dt,
    });
    match occurrences(rule, start, until, rule.count, skip_to) {
        Ok(it) => Box::new(it),
        Err(_) => Box::new(std::iter::empty()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn parses_rules() {
        let r = parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,-1FR;UNTIL=20250101T000000Z;WKST=SU")
            .unwrap();
        assert_eq!(r.freq, Some(Frequency::Weekly));
        assert_eq!(r.interval, 2);
        assert_eq!(r.by_weekday.len(), 2);
        assert_eq!(r.week_start, Some(Weekday::Sun));
        for bad in [
            "",
            "INTERVAL=2",
            "FREQ=FORTNIGHTLY",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;BYDAY=XX",
            "FREQ=DAILY;COUNT=-1",
            "FREQ=DAILY;BYDAY=0MO",
            "FREQ=DAILY;BYDAY=\u{FFFD}",
            "FREQ=DAILY;BYDAY=1\u{e9}",
        ] {
            assert!(parse_rrule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fast_forward_keeps_the_same_occurrences() {
        let rule = parse_rrule("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH").unwrap();
        let start = at(2020, 1, 7, 9);
        let target = at(2024, 6, 1, 0);
        let slow: Vec<_> = occurrences(&rule, start, None, None, None)
            .unwrap()
            .skip_while(|t| *t < target)
            .take(20)
            .collect();
        let fast: Vec<_> = occurrences(&rule, start, None, None, Some(target))
            .unwrap()
            .skip_while(|t| *t < target)
            .take(20)
            .collect();
        assert_eq!(slow, fast);
        assert_eq!(slow.len(), 20);
    }

    #[test]
    fn until_before_start_gives_nothing() {
        let rule = parse_rrule("FREQ=DAILY").unwrap();
        let n = occurrences(
            &rule,
            at(2025, 1, 2, 9),
            Some(at(2025, 1, 1, 0)),
            None,
            None,
        )
        .unwrap()
        .count();
        assert_eq!(n, 0);
    }

    #[test]
    fn daily_whole_weeks_missing_the_start_day_is_empty_at_once() {
        let rule = parse_rrule("FREQ=DAILY;INTERVAL=14;BYDAY=TU,WE").unwrap();
        let it = SimpleRule::of(&rule)
            .unwrap()
            .iter(at(2025, 3, 3, 9), None, None); // a Monday
        assert_eq!(
            it.left,
            Some(0),
            "no day can ever match: the iterator must not walk"
        );
        let rule = parse_rrule("FREQ=DAILY;INTERVAL=7;BYDAY=MO,TU").unwrap();
        let mut it = SimpleRule::of(&rule)
            .unwrap()
            .iter(at(2025, 3, 3, 9), None, None);
        assert_eq!(it.next(), Some(at(2025, 3, 3, 9)));
        assert_eq!(it.next(), Some(at(2025, 3, 10, 9)));
    }

    mod simple_path_equals_crate {
        use super::*;
        use proptest::prelude::*;

        fn rule_text() -> impl Strategy<Value = String> {
            let freq = prop_oneof![Just("DAILY"), Just("WEEKLY")];
            let days = proptest::sample::subsequence(
                vec!["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                0..=7,
            );
            let wkst = prop_oneof![
                Just(""),
                Just(";WKST=SU"),
                Just(";WKST=WE"),
                Just(";WKST=MO")
            ];
            (freq, 1u16..5, days, wkst).prop_map(|(f, i, d, w)| {
                let byday = if d.is_empty() {
                    String::new()
                } else {
                    format!(";BYDAY={}", d.join(","))
                };
                format!("FREQ={f};INTERVAL={i}{byday}{w}")
            })
        }

        fn start() -> impl Strategy<Value = NaiveDateTime> {
            (0i64..3000, 0u32..86_400).prop_map(|(d, s)| {
                NaiveDate::from_ymd_opt(2020, 1, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    + Duration::days(d)
                    + Duration::seconds(i64::from(s))
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            /// The direct path for simple rules yields exactly what the `rrule` crate yields.
            #[test]
            fn same_occurrences(
                text in rule_text(),
                start in start(),
                count in proptest::option::of(1u32..40),
                until_days in proptest::option::of(0i64..400),
                skip_days in proptest::option::of(0i64..900),
            ) {
                let rule = parse_rrule(&text).unwrap();
                prop_assert!(SimpleRule::of(&rule).is_some());
                let until = until_days.map(|d| start + Duration::days(d));
                let skip = skip_days.map(|d| start + Duration::days(d));
                let fast: Vec<_> = occurrences(&rule, start, until, count, skip).unwrap().take(60).collect();
                // The crate walks from the real start (no fast-forward), so this also checks the
                // fast-forward: from `skip` on, both must agree.
                let from = skip.filter(|_| count.is_none()).unwrap_or(start);
                let slow: Vec<_> = crate_occurrences(&rule, start, until, count)
                    .unwrap()
                    .skip_while(|t| *t < from)
                    .take(30)
                    .collect();
                let fast: Vec<_> = fast.into_iter().filter(|t| *t >= from).take(30).collect();
                prop_assert_eq!(fast, slow, "{}", text);
            }
        }
    }
}
