//! Parsers for iCalendar value types: DATE, DATE-TIME, DURATION, PERIOD, UTC-OFFSET.
//!
//! Each returns `None` on malformed input; callers turn that into a warning with context.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::model::Dur;

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        s.iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0')),
    )
}

/// `YYYYMMDD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.trim_ascii().as_bytes();
    if b.len() != 8 {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[4..6])?,
        digits(&b[6..8])?,
    )
}

/// `YYYYMMDDTHHMMSS[Z]` -> (local time, is UTC). Seconds of 60 (leap) are clamped to 59.
pub fn parse_date_time(s: &str) -> Option<(NaiveDateTime, bool)> {
    let s = s.trim_ascii();
    let (s, utc) = match s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let b = s.as_bytes();
    if b.len() != 15 || !(b[8] == b'T' || b[8] == b't') {
        return None;
    }
    let date = parse_date(&s[..8])?;
    let sec = digits(&b[13..15])?.min(59);
    let time = NaiveTime::from_hms_opt(digits(&b[9..11])?, digits(&b[11..13])?, sec)?;
    Some((date.and_time(time), utc))
}

/// `[+-]P[nW][nD][T[nH][nM][nS]]`.
pub fn parse_duration(s: &str) -> Option<Dur> {
    let s = s.trim_ascii();
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let rest = rest.strip_prefix('P').or_else(|| rest.strip_prefix('p'))?;
    let mut dur = Dur::default();
    let mut num: Option<i64> = None;
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' => {
                let d = i64::from(c as u8 - b'0');
                num = Some(num.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
            }
            'T' if !in_time && num.is_none() => in_time = true,
            unit => {
                let n = num.take()?;
                any = true;
                match (unit, in_time) {
                    ('W', false) => dur.days = dur.days.checked_add(n.checked_mul(7)?)?,
                    ('D', false) => dur.days = dur.days.checked_add(n)?,
                    ('H', true) => dur.seconds = dur.seconds.checked_add(n.checked_mul(3600)?)?,
                    ('M', true) => dur.seconds = dur.seconds.checked_add(n.checked_mul(60)?)?,
                    ('S', true) => dur.seconds = dur.seconds.checked_add(n)?,
                    _ => return None,
                }
            }
        }
    }
    // Bound to about 100 years so later arithmetic cannot overflow.
    if num.is_some() || !any || dur.days > 36_600 || dur.seconds > 36_600 * 86_400 {
        return None;
    }
    if neg {
        dur.days = -dur.days;
        dur.seconds = -dur.seconds;
    }
    Some(dur)
}

/// `+HHMM[SS]` or `-HHMM[SS]` -> seconds east of UTC.
pub fn parse_utc_offset(s: &str) -> Option<i32> {
    let s = s.trim_ascii();
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let b = &s.as_bytes()[1..];
    if b.len() != 4 && b.len() != 6 {
        return None;
    }
    let h = digits(&b[0..2])? as i32;
    let m = digits(&b[2..4])? as i32;
    let sec = if b.len() == 6 {
        digits(&b[4..6])? as i32
    } else {
        0
    };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let check = |s: &str, want: Option<(i64, i64)>| {
            assert_eq!(parse_duration(s).map(|d| (d.days, d.seconds)), want, "{s}");
        };
        check("PT1H", Some((0, 3600)));
        check("P1D", Some((1, 0)));
        check("P2W", Some((14, 0)));
        check("P1DT2H3M4S", Some((1, 7384)));
        check("-PT15M", Some((0, -900)));
        check("PT-2H", None);
        check("P", None);
        check("PT", None);
        check("1H", None);
        check("P99999999999999999999D", None);
    }

    #[test]
    fn date_times() {
        assert!(parse_date_time("20250101T090000Z").unwrap().1);
        assert!(!parse_date_time("20250101T090000").unwrap().1);
        assert!(parse_date_time("20250101").is_none());
        assert!(parse_date_time("20251301T090000").is_none());
        assert!(parse_date_time("20250101T250000").is_none());
        assert_eq!(parse_date("20240229"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(parse_date("20230229"), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("+0100"), Some(3600));
        assert_eq!(parse_utc_offset("-0530"), Some(-19800));
        assert_eq!(parse_utc_offset("+013015"), Some(5415));
        assert_eq!(parse_utc_offset("0100"), None);
    }
}
