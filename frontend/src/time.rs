//! Times for people: the browser's own time-zone data and locale (`Intl`), so the page carries
//! no zone database. The API gives RFC 3339 times already in the zone asked for; the civil date
//! and time of a slot are read straight off that text, and only shown through `Intl`.

use std::cell::{Cell, RefCell};

use chrono::{Datelike, NaiveDate, Weekday};
use js_sys::{Array, Date, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The booking page's locale (its language, `strings::lang`); unset in the dashboard.
    static LOCALE: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The visitor's clock: `Some(true)` 12-hour, `Some(false)` 24-hour, `None` the locale's.
    static HOUR12: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Dates and times follow `locale` from now on (the booking page's language).
pub fn set_locale(locale: &str) {
    LOCALE.with(|l| *l.borrow_mut() = Some(locale.to_owned()));
}

/// Clock times in 12-hour (`true`) or 24-hour form from now on; `None`: as the locale has them.
pub fn set_hour12(hour12: Option<bool>) {
    HOUR12.with(|h| h.set(hour12));
}

/// Whether clock times are shown in 12-hour form (the visitor's choice, else the locale's).
pub fn hour12() -> bool {
    HOUR12
        .with(Cell::get)
        .unwrap_or_else(|| locale_uses_12_hours(&locale()))
}

/// The language for dates and times: the booking page's, else the browser's ("en-GB", "de-DE",
/// ...); "en" without one.
pub fn locale() -> String {
    LOCALE
        .with(|l| l.borrow().clone())
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".to_owned())
}

/// Whether `locale` writes clock times with AM/PM ("en-US": yes, "de-DE": no).
pub fn locale_uses_12_hours(locale: &str) -> bool {
    let cycle = intl()
        .and_then(|i| Reflect::get(&i, &"DateTimeFormat".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|dtf| {
            let args = Array::of2(&locale.into(), &options(&[("hour", "numeric")]));
            Reflect::construct(&dtf, &args).ok()
        })
        .and_then(|f| {
            let resolved: Function = Reflect::get(&f, &"resolvedOptions".into())
                .ok()?
                .dyn_into()
                .ok()?;
            resolved.call0(&f).ok()
        })
        .and_then(|o| Reflect::get(&o, &"hourCycle".into()).ok())
        .and_then(|c| c.as_string());
    matches!(cycle.as_deref(), Some("h11" | "h12"))
}

/// The first day of the week in `locale`: the browser's own answer (`Intl.Locale` week info)
/// when it has one, else [`first_weekday_of_region`].
pub fn first_weekday(locale: &str) -> Weekday {
    let from_intl = intl()
        .and_then(|i| Reflect::get(&i, &"Locale".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|ctor| Reflect::construct(&ctor, &Array::of1(&locale.into())).ok())
        .and_then(|l| {
            // getWeekInfo() in newer browsers, the weekInfo property in older Chromium.
            let info = Reflect::get(&l, &"getWeekInfo".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .and_then(|f| f.call0(&l).ok())
                .or_else(|| Reflect::get(&l, &"weekInfo".into()).ok())?;
            Reflect::get(&info, &"firstDay".into()).ok()?.as_f64()
        });
    match from_intl {
        // 1 = Monday ... 7 = Sunday.
        Some(day) if (1.0..=7.0).contains(&day) => {
            Weekday::try_from((day as u8 - 1) % 7).unwrap_or(Weekday::Mon)
        }
        _ => first_weekday_of_region(&region_of(locale)),
    }
}

/// The region of a locale tag ("de-AT" -> "AT"); for a bare language, the region most of its
/// speakers are in ("ja" -> "JP", "en" -> "US").
pub fn region_of(locale: &str) -> String {
    let mut parts = locale.split(['-', '_']);
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    if let Some(region) =
        parts.find(|p| p.len() == 2 || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit())))
    {
        return region.to_ascii_uppercase();
    }
    match language.as_str() {
        "en" => "US",
        "ja" => "JP",
        "es" => "ES",
        "fr" => "FR",
        "de" => "DE",
        "pt" => "BR",
        "zh" => "CN",
        "ko" => "KR",
        "ar" => "EG",
        "he" => "IL",
        "hi" => "IN",
        _ => "001",
    }
    .to_owned()
}

/// The first day of the week in a region, after CLDR's weekData: Sunday in the Americas' big
/// countries, Japan, Korea, China, India, Israel and others; Saturday in much of the Middle
/// East; Monday elsewhere (and in the world region "001").
pub fn first_weekday_of_region(region: &str) -> Weekday {
    const SUNDAY: &str = "AG AS BD BR BS BT BW BZ CA CN CO DM DO ET GT GU HK HN ID IL IN JM JP KE \
        KH KR LA MH MM MO MT MX MZ NI NP PA PE PH PK PR PT PY SA SG SV TH TT TW UM US VE VI WS YE ZA ZW";
    const SATURDAY: &str = "AE AF BH DJ DZ EG IQ IR JO KW LY OM QA SD SY";
    if SUNDAY.split_whitespace().any(|r| r == region) {
        Weekday::Sun
    } else if SATURDAY.split_whitespace().any(|r| r == region) {
        Weekday::Sat
    } else {
        Weekday::Mon
    }
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

/// Formats an instant (RFC 3339 or milliseconds) in `zone` with Intl `options`, clock times
/// in the visitor's 12- or 24-hour form.
fn format(instant: &Date, zone: &str, pairs: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    all.push(("timeZone", zone));
    if let Some(hour12) = HOUR12
        .with(Cell::get)
        .filter(|_| pairs.iter().any(|(k, _)| *k == "hour"))
    {
        all.push(("hourCycle", if hour12 { "h12" } else { "h23" }));
    }
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

/// Short weekday names from `first`, in the visitor's locale.
pub fn weekday_names(first: Weekday) -> Vec<String> {
    // 2024-01-01 was a Monday.
    let from = first.num_days_from_monday();
    (from..from + 7)
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

/// The days of the month grid: leading blanks (`None`) so weeks start on `week_start`, then
/// each day.
pub fn month_grid(first: NaiveDate, week_start: Weekday) -> Vec<Option<NaiveDate>> {
    let blanks = first.weekday().days_since(week_start) as usize;
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
    fn month_grid_starts_on_the_locales_first_day() {
        // December 2026 starts on a Tuesday: one blank from Monday, two from Sunday.
        let cells = month_grid(d(2026, 12, 1), Weekday::Mon);
        assert_eq!(cells.len(), 32);
        assert_eq!(cells[0], None);
        assert_eq!(cells[1], Some(d(2026, 12, 1)));
        assert_eq!(cells[31], Some(d(2026, 12, 31)));
        let cells = month_grid(d(2026, 12, 1), Weekday::Sun);
        assert_eq!(cells.len(), 33);
        assert_eq!(cells[2], Some(d(2026, 12, 1)));
        // February 2027 starts on a Monday: no blank from Monday, six from Tuesday.
        assert_eq!(month_grid(d(2027, 2, 1), Weekday::Mon).len(), 28);
        assert_eq!(month_grid(d(2027, 2, 1), Weekday::Sun).len(), 29);
        assert_eq!(month_grid(d(2027, 2, 1), Weekday::Tue).len(), 34);
        // November 2026 starts on a Sunday.
        assert_eq!(
            month_grid(d(2026, 11, 1), Weekday::Sun)[0],
            Some(d(2026, 11, 1))
        );
        assert_eq!(month_grid(d(2026, 11, 1), Weekday::Sat).len(), 31);
    }

    #[test]
    fn weeks_start_by_region() {
        for (locale, first) in [
            ("en-US", Weekday::Sun),
            ("ja-JP", Weekday::Sun),
            ("ja", Weekday::Sun),
            ("en", Weekday::Sun),
            ("en-GB", Weekday::Mon),
            ("de-DE", Weekday::Mon),
            ("de", Weekday::Mon),
            ("fr-FR", Weekday::Mon),
            ("fr-CA", Weekday::Sun),
            ("es", Weekday::Mon),
            ("es-MX", Weekday::Sun),
            ("ar-EG", Weekday::Sat),
            ("zh-Hant-TW", Weekday::Sun),
            ("es-419", Weekday::Mon),
            ("xx", Weekday::Mon),
        ] {
            assert_eq!(
                first_weekday_of_region(&region_of(locale)),
                first,
                "{locale}"
            );
        }
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
