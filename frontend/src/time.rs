//! Times for people: the browser's own time-zone data and locale (`Intl`), so the page carries
//! no zone database. The API gives RFC 3339 times already in the zone asked for; the civil date
//! and time of a slot are read straight off that text, and only shown through `Intl`.

use chrono::{Datelike, NaiveDate};
use js_sys::{Array, Date, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The browser's language for dates and times ("en-GB", "de-DE", ...); "en" without one.
pub fn locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}

fn intl() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"Intl".into()).ok()
}

/// The zone the browser runs in ("Asia/Tokyo"), if it says.
pub fn browser_zone() -> Option<String> {
    let dtf = Reflect::get(&intl()?, &"DateTimeFormat".into()).ok()?;
    let dtf: Function = dtf.dyn_into().ok()?;
    let formatter = Reflect::construct(&dtf, &Array::new()).ok()?;
    let resolved: Function = Reflect::get(&formatter, &"resolvedOptions".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = resolved.call0(&formatter).ok()?;
    let zone = Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()?;
    // Chromium still says "Asia/Calcutta": show the name people know now, when it is known here.
    let now = current_name(&zone);
    Some(if is_zone(now) { now } else { &zone }.to_owned())
}

/// Zone names that browsers still report and the names they have now (tzdata's `backward`).
const RENAMED: &str = "Africa/Asmera Africa/Asmara,America/Buenos_Aires America/Argentina/Buenos_Aires,\
America/Catamarca America/Argentina/Catamarca,America/Coral_Harbour America/Atikokan,\
America/Cordoba America/Argentina/Cordoba,America/Fort_Wayne America/Indiana/Indianapolis,\
America/Godthab America/Nuuk,America/Indianapolis America/Indiana/Indianapolis,\
America/Jujuy America/Argentina/Jujuy,America/Louisville America/Kentucky/Louisville,\
America/Mendoza America/Argentina/Mendoza,Asia/Ashkhabad Asia/Ashgabat,Asia/Calcutta Asia/Kolkata,\
Asia/Dacca Asia/Dhaka,Asia/Istanbul Europe/Istanbul,Asia/Katmandu Asia/Kathmandu,Asia/Macao Asia/Macau,\
Asia/Rangoon Asia/Yangon,Asia/Saigon Asia/Ho_Chi_Minh,Asia/Tel_Aviv Asia/Jerusalem,\
Asia/Thimbu Asia/Thimphu,Asia/Ujung_Pandang Asia/Makassar,Asia/Ulan_Bator Asia/Ulaanbaatar,\
Atlantic/Faeroe Atlantic/Faroe,Europe/Kiev Europe/Kyiv,Pacific/Enderbury Pacific/Kanton,\
Pacific/Ponape Pacific/Pohnpei,Pacific/Truk Pacific/Chuuk";

/// Every (old, current) pair of [`RENAMED`].
pub fn renamed() -> impl Iterator<Item = (&'static str, &'static str)> {
    RENAMED.split(',').filter_map(|pair| pair.split_once(' '))
}

/// The current name of a zone ("Asia/Calcutta" -> "Asia/Kolkata"); any other name as it is.
pub fn current_name(zone: &str) -> &str {
    renamed()
        .find(|(old, _)| old.eq_ignore_ascii_case(zone))
        .map_or(zone, |(_, now)| now)
}

/// The zone's offset from UTC ("GMT+9", "GMT-3:30", "GMT") and its clock time now, in the
/// visitor's locale.
pub fn offset_and_clock(zone: &str) -> (String, String) {
    let now = Date::new_0();
    let with_offset = now
        .to_locale_string(
            "en-US",
            &options(&[("timeZone", zone), ("timeZoneName", "shortOffset")]),
        )
        .as_string()
        .unwrap_or_default();
    // "12/4/2026, 6:05:00 PM GMT+9": the offset is the last word.
    let offset = with_offset
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let clock = format(&now, zone, &[("hour", "numeric"), ("minute", "2-digit")]);
    (offset, clock)
}

/// Every IANA zone the browser knows, sorted; empty when it cannot tell.
pub fn known_zones() -> Vec<String> {
    let Some(values) = intl()
        .and_then(|i| Reflect::get(&i, &"supportedValuesOf".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return Vec::new();
    };
    let Ok(list) = values.call1(&JsValue::NULL, &"timeZone".into()) else {
        return Vec::new();
    };
    let mut zones: Vec<String> = Array::from(&list)
        .iter()
        .filter_map(|z| z.as_string())
        .collect();
    // Chromium lists "UTC" apart from the canonical ids; make sure it is there once.
    if !zones.iter().any(|z| z == "UTC") {
        zones.push("UTC".to_owned());
    }
    zones.sort();
    zones
}

/// Whether the browser accepts `zone` as a time zone.
pub fn is_zone(zone: &str) -> bool {
    let options = options(&[("timeZone", zone)]);
    // An unknown zone makes toLocaleString throw a RangeError.
    let date = Date::new_0();
    let f: Option<Function> = Reflect::get(&date, &"toLocaleString".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    f.is_some_and(|f| f.call2(&date, &"en".into(), &options).is_ok())
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}

/// Formats an instant (RFC 3339 or milliseconds) in `zone` with Intl `options`.
fn format(instant: &Date, zone: &str, pairs: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    all.push(("timeZone", zone));
    instant
        .to_locale_string(&locale(), &options(&all))
        .as_string()
        .unwrap_or_default()
}

/// Parses an RFC 3339 time into a JS date (an instant).
pub fn instant(rfc3339: &str) -> Date {
    Date::new(&JsValue::from_str(rfc3339))
}

/// "14:30" or "2:30 PM", as the visitor's locale writes clock times.
pub fn clock(rfc3339: &str, zone: &str) -> String {
    format(
        &instant(rfc3339),
        zone,
        &[("hour", "numeric"), ("minute", "2-digit")],
    )
}

/// "Tuesday, 1 December 2026" in the visitor's locale.
pub fn long_date(date: NaiveDate) -> String {
    // Noon UTC of that civil date, shown in UTC: the same date whatever the zone.
    let ms = Date::utc(f64::from(date.year()), f64::from(date.month0()))
        + f64::from(date.day() - 1) * 86_400_000.0
        + 12.0 * 3_600_000.0;
    format(
        &Date::new(&JsValue::from_f64(ms)),
        "UTC",
        &[
            ("weekday", "long"),
            ("day", "numeric"),
            ("month", "long"),
            ("year", "numeric"),
        ],
    )
}

/// "December 2026" in the visitor's locale.
pub fn month_title(first: NaiveDate) -> String {
    let ms = Date::utc(f64::from(first.year()), f64::from(first.month0())) + 12.0 * 3_600_000.0;
    format(
        &Date::new(&JsValue::from_f64(ms)),
        "UTC",
        &[("month", "long"), ("year", "numeric")],
    )
}

/// Short weekday names from Monday, in the visitor's locale.
pub fn weekday_names() -> Vec<String> {
    // 2024-01-01 was a Monday.
    (0..7)
        .map(|i| {
            let ms = Date::utc(2024.0, 0.0) + f64::from(i) * 86_400_000.0 + 12.0 * 3_600_000.0;
            format(
                &Date::new(&JsValue::from_f64(ms)),
                "UTC",
                &[("weekday", "short")],
            )
        })
        .collect()
}

/// A whole moment for a sentence: "Tuesday, 1 December 2026 at 14:30 (Asia/Tokyo)".
pub fn moment(rfc3339: &str, zone: &str) -> String {
    format(
        &instant(rfc3339),
        zone,
        &[
            ("weekday", "long"),
            ("day", "numeric"),
            ("month", "long"),
            ("year", "numeric"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
        ],
    )
}

/// Today's civil date in `zone`.
pub fn today_in(zone: &str) -> Option<NaiveDate> {
    // en-CA writes dates as YYYY-MM-DD.
    let text = Date::new_0()
        .to_locale_date_string("en-CA", &options(&[("timeZone", zone)]))
        .as_string()?;
    iso_date(&text)
}

/// The civil date of an RFC 3339 time, as written (the API writes it in the zone asked for).
pub fn civil_date(rfc3339: &str) -> Option<NaiveDate> {
    iso_date(rfc3339.get(..10)?)
}

/// `YYYY-MM-DD` exactly. By hand: chrono's format parser costs the booking page about 5 KB
/// gzip of wasm, for this one format.
pub fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|_| text.get(r)?.parse::<u32>().ok())
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(digits(0..4)?).ok()?,
        digits(5..7)?,
        digits(8..10)?,
    )
}

/// `YYYYMMDDTHHMMSSZ` of an instant, for calendar links and .ics files.
pub fn utc_stamp(rfc3339: &str) -> String {
    let iso = instant(rfc3339)
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    // 2026-12-01T05:30:00.000Z -> 20261201T053000Z
    iso.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>()
        + "Z"
}

/// The first day of the month of `date`.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The first day of the next month.
pub fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// The first day of the previous month.
pub fn previous_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 1 {
        (first.year() - 1, 12)
    } else {
        (first.year(), first.month() - 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// The days of the month grid: leading blanks (`None`) so weeks start on Monday, then each day.
pub fn month_grid(first: NaiveDate) -> Vec<Option<NaiveDate>> {
    let blanks = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Option<NaiveDate>> = vec![None; blanks];
    let mut day = first;
    while day.month() == first.month() {
        cells.push(Some(day));
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_grid_starts_on_monday() {
        // December 2026 starts on a Tuesday: one blank, then 31 days.
        let cells = month_grid(d(2026, 12, 1));
        assert_eq!(cells.len(), 32);
        assert_eq!(cells[0], None);
        assert_eq!(cells[1], Some(d(2026, 12, 1)));
        assert_eq!(cells[31], Some(d(2026, 12, 31)));
        // February 2027 starts on a Monday: no blank, 28 days.
        assert_eq!(month_grid(d(2027, 2, 1)).len(), 28);
    }

    #[test]
    fn months_step_across_years() {
        assert_eq!(next_month(d(2026, 12, 1)), d(2027, 1, 1));
        assert_eq!(previous_month(d(2027, 1, 1)), d(2026, 12, 1));
        assert_eq!(month_start(d(2026, 11, 30)), d(2026, 11, 1));
    }

    #[test]
    fn old_zone_names_become_current_ones() {
        assert_eq!(current_name("Asia/Calcutta"), "Asia/Kolkata");
        assert_eq!(current_name("Europe/Kiev"), "Europe/Kyiv");
        assert_eq!(current_name("Asia/Saigon"), "Asia/Ho_Chi_Minh");
        assert_eq!(current_name("Asia/Katmandu"), "Asia/Kathmandu");
        assert_eq!(
            current_name("America/Buenos_Aires"),
            "America/Argentina/Buenos_Aires"
        );
        assert_eq!(current_name("Asia/Tokyo"), "Asia/Tokyo");
        // Every pair is well formed: two different zone ids, each old name once.
        let pairs: Vec<_> = renamed().collect();
        assert_eq!(pairs.len(), RENAMED.split(',').count());
        for (old, now) in &pairs {
            assert!(
                old.contains('/') && now.contains('/') && old != now,
                "{old} {now}"
            );
            assert_eq!(pairs.iter().filter(|(o, _)| o == old).count(), 1, "{old}");
        }
    }

    #[test]
    fn civil_date_is_read_off_the_text() {
        // 23:30 in Tokyo is the previous day in UTC; the date as written is what counts.
        assert_eq!(
            civil_date("2026-12-02T00:30:00+09:00"),
            Some(d(2026, 12, 2))
        );
        assert_eq!(civil_date("bad"), None);
    }

    #[test]
    fn iso_dates_are_exactly_year_month_day() {
        assert_eq!(iso_date("2028-02-29"), Some(d(2028, 2, 29)));
        assert_eq!(iso_date("0001-01-01"), Some(d(1, 1, 1)));
        for bad in [
            "2027-02-29",
            "2026-13-01",
            "2026-1-01",
            "2026-01-1",
            "2026/01/01",
            "+026-01-01",
            "2026-01-011",
            "",
            "2026-0a-01",
            "2026-+1-01",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }
}
