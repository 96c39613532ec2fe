//! The dashboard's arithmetic on instants in the owner's zone, with the browser's own zone
//! data (`Intl`): no zone database in the page.

use chrono::{NaiveDate, NaiveDateTime};
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}

/// Now, as RFC 3339 UTC.
pub fn now_iso() -> String {
    Date::new_0().to_iso_string().into()
}

/// `ms` since the epoch as RFC 3339 UTC.
pub fn iso_of_ms(ms: f64) -> String {
    Date::new(&JsValue::from_f64(ms)).to_iso_string().into()
}

/// Milliseconds since the epoch of an RFC 3339 time (NaN when it is not one).
pub fn ms(rfc3339: &str) -> f64 {
    Date::new(&JsValue::from_str(rfc3339)).get_time()
}

/// The owner's civil date and time of an instant in `zone`.
pub fn local(ms: f64, zone: &str) -> Option<NaiveDateTime> {
    let date = Date::new(&JsValue::from_f64(ms));
    // en-CA writes YYYY-MM-DD; h23 keeps midnight as 00 (never 24).
    let day: String = date
        .to_locale_date_string("en-CA", &options(&[("timeZone", zone)]))
        .into();
    let time: String = date
        .to_locale_time_string_with_options(
            "en-GB",
            &options(&[
                ("timeZone", zone),
                ("hourCycle", "h23"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ]),
        )
        .into();
    NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").ok()
}

/// The instant of a civil time in `zone` (`YYYY-MM-DDTHH:MM`, as `datetime-local` gives it),
/// as RFC 3339 UTC. In a gap (spring forward) the time after the gap; in an overlap the first.
pub fn instant_of(local_text: &str, zone: &str) -> Option<String> {
    let wanted = NaiveDateTime::parse_from_str(local_text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let target = wanted.and_utc().timestamp_millis() as f64;
    // Twice: the offset at the first guess may differ from the offset at the answer.
    let mut guess = target;
    for _ in 0..2 {
        let seen = local(guess, zone)?.and_utc().timestamp_millis() as f64;
        guess -= seen - target;
    }
    Some(iso_of_ms(guess))
}

/// "Mon 30 Nov" in the browser's locale.
pub fn short_day(date: NaiveDate) -> String {
    let noon = date
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() as f64);
    let Some(noon) = noon else {
        return date.to_string();
    };
    Date::new(&JsValue::from_f64(noon))
        .to_locale_date_string(
            &crate::time::locale(),
            &options(&[
                ("timeZone", "UTC"),
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
            ]),
        )
        .into()
}
