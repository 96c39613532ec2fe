//! The month with its bookable days, and the free times of the chosen day, in the visitor's
//! zone. The month never moves before today or past the horizon; while times load the page
//! says so (loading never looks like "no free times").

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use openslot_wire::public::{NoticeCode, SlotsJson};

use super::{PageJson, announcer, explain};
use crate::api::{ApiError, Call, SlotJson, encode};
use crate::strings::public as t;
use crate::time;

/// One month's answer: its times by day, and whether the owner's calendars could all be read.
#[derive(Clone, Debug, Default)]
struct Month {
    days: Days,
    calendars_unavailable: bool,
}

type Days = BTreeMap<NaiveDate, Vec<SlotJson>>;

/// Free slots grouped by their civil date in the zone they were asked in.
fn by_day(slots: Vec<SlotJson>) -> Days {
    let mut days = Days::new();
    for slot in slots {
        if let Some(d) = time::civil_date(&slot.start) {
            days.entry(d).or_default().push(slot);
        }
    }
    days
}

async fn load(
    slug: String,
    zone: String,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Month, ApiError> {
    if to < from {
        return Ok(Month::default());
    }
    let path = format!(
        "/api/v1/slots?event_type={}&from={from}&to={to}&tz={}",
        encode(&slug),
        encode(&zone)
    );
    let answer: SlotsJson = Call::get(path).json().await?;
    Ok(Month {
        calendars_unavailable: answer
            .notice
            .is_some_and(|n| n.code == NoticeCode::CalendarsUnavailable),
        days: by_day(answer.slots),
    })
}

fn month_end(first: NaiveDate) -> NaiveDate {
    time::next_month(first).pred_opt().unwrap_or(first)
}

/// Brings the chosen day's times into view when their first button is not wholly on screen (on
/// a phone they start below the month): the heading goes to the top.
fn reveal_times() {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    // A method of a DOM object, called through Reflect (no extra web-sys features).
    fn call(target: &JsValue, name: &str, arg: &JsValue) -> Option<JsValue> {
        let f: Function = Reflect::get(target, &name.into()).ok()?.dyn_into().ok()?;
        f.call1(target, arg).ok()
    }
    let number = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).ok()?.as_f64();
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(doc) = window.document() else {
        return;
    };
    let (Ok(Some(first)), Some(heading)) = (
        doc.query_selector("#times-title + .slots .slot"),
        doc.get_element_by_id("times-title"),
    ) else {
        return;
    };
    let height = window.inner_height().ok().and_then(|h| h.as_f64());
    let Some(rect) = call(&first, "getBoundingClientRect", &JsValue::UNDEFINED) else {
        return;
    };
    let (top, bottom) = (number(&rect, "top"), number(&rect, "bottom"));
    if let (Some(top), Some(bottom), Some(height)) = (top, bottom, height)
        && top >= 0.0
        && bottom <= height
    {
        return;
    }
    // Smooth unless the visitor asked for less motion: style.css sets `scroll-behavior`.
    heading.scroll_into_view_with_bool(true);
}

/// The day `step` days on from `from` (again and again) that can be chosen: `bookable(day)` is
/// `Some(true)` for a day with times, `Some(false)` for one without, `None` off the month.
fn next_bookable(
    from: NaiveDate,
    step: i32,
    bookable: impl Fn(NaiveDate) -> Option<bool>,
) -> Option<NaiveDate> {
    let mut day = from;
    loop {
        day = NaiveDate::from_num_days_from_ce_opt(day.num_days_from_ce() + step)?;
        if bookable(day)? {
            return Some(day);
        }
    }
}

/// Arrow keys in the month: left and right a day, up and down a week, to the next day with
/// times (days without are skipped; the month's edge stops).
fn move_in_month(ev: web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let step = match ev.key().as_str() {
        "ArrowLeft" => -1,
        "ArrowRight" => 1,
        "ArrowUp" => -7,
        "ArrowDown" => 7,
        _ => return,
    };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(from) = doc
        .active_element()
        .and_then(|e| e.get_attribute("data-day"))
        .and_then(|d| time::iso_date(&d))
    else {
        return;
    };
    ev.prevent_default();
    let button = |day: NaiveDate| {
        doc.query_selector(&format!(".grid .day[data-day=\"{day}\"]"))
            .ok()
            .flatten()
    };
    let target = next_bookable(from, step, |day| {
        button(day).map(|b| !b.has_attribute("disabled"))
    });
    if let Some(b) = target.and_then(button)
        && let Ok(b) = b.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = b.focus();
    }
}

#[component]
pub fn SlotPicker(
    slug: String,
    zone: RwSignal<String>,
    page: PageJson,
    on_pick: Callback<SlotJson>,
) -> impl IntoView {
    let today = Memo::new(move |_| time::today_in(&zone.get()).unwrap_or_default());
    let last_day = Memo::new(move |_| super::last_day(&page, today.get()));
    let month = RwSignal::new(time::month_start(today.get_untracked()));
    let chosen_day = RwSignal::new(None::<NaiveDate>);
    let say = announcer();
    let slug = StoredValue::new(slug);

    let days = LocalResource::new(move || {
        let (first, zone, today, last) = (month.get(), zone.get(), today.get(), last_day.get());
        let key = (first, zone.clone());
        let answer = load(
            slug.get_value(),
            zone,
            first.max(today),
            month_end(first).min(last),
        );
        async move { (key, answer.await) }
    });
    // The times of the month and zone on screen, None while they load: a reload keeps the last
    // answer until the new one arrives, and that one belongs to another month or zone.
    let shown = move || {
        days.get()
            .and_then(|(key, answer)| (key == (month.get(), zone.get())).then_some(answer))
    };

    // When a month's times arrive: keep the chosen day if it has times, else the first that has.
    Effect::new(move |_| {
        if let Some(Ok(Month { days, .. })) = shown() {
            let keep = chosen_day.get_untracked().filter(|d| days.contains_key(d));
            chosen_day.set(keep.or_else(|| days.keys().next().copied()));
            let count = days.values().map(Vec::len).sum();
            say.say(t::slots_loaded(
                &time::month_title(month.get_untracked()),
                count,
            ));
        }
    });

    let can_go_back = move || month.get() > time::month_start(today.get());
    let can_go_on = move || time::next_month(month.get()) <= last_day.get();
    let week_start = time::first_weekday(&time::locale());
    let weekdays = time::weekday_names(week_start);

    view! {
        <div class="picker">
            <section class="month" aria-labelledby="month-title">
                <h2 class="sr-only">{t::pick_day()}</h2>
                <div class="month-nav">
                    <button type="button" class="icon" aria-label={t::previous_month()} title={t::previous_month()}
                        disabled=move || !can_go_back()
                        on:click=move |_| month.update(|m| *m = time::previous_month(*m))>"‹"</button>
                    <p id="month-title" class="month-title" aria-live="polite"
                        data-month=move || { let m = month.get(); format!("{:04}-{:02}", m.year(), m.month()) }>{move || time::month_title(month.get())}</p>
                    <button type="button" class="icon" aria-label={t::next_month()} title={t::next_month()}
                        disabled=move || !can_go_on()
                        on:click=move |_| month.update(|m| *m = time::next_month(*m))>"›"</button>
                </div>
                <div class="grid" role="group" aria-labelledby="month-title" aria-busy=move || shown().is_none().to_string()
                    on:keydown=move_in_month>
                    {weekdays.into_iter().zip(0u32..).map(|(w, i)| {
                        // As JavaScript's getDay(): 0 is Sunday.
                        let day = week_start.num_days_from_sunday() + i;
                        view! { <span class="weekday" aria-hidden="true" data-weekday=day % 7>{w}</span> }
                    }).collect_view()}
                    {move || {
                        let loaded = shown();
                        let (today, last) = (today.get(), last_day.get());
                        time::month_grid(month.get(), week_start).into_iter().map(|cell| match cell {
                            None => view! { <span class="blank" aria-hidden="true"></span> }.into_any(),
                            Some(day) => {
                                let count = match &loaded {
                                    Some(Ok(m)) => m.days.get(&day).map_or(0, Vec::len),
                                    _ => 0,
                                };
                                let outside = day < today || day > last;
                                let has_slots = count > 0;
                                let label = if outside || loaded.is_none() {
                                    time::long_date(day)
                                } else {
                                    format!("{}, {}", time::long_date(day), t::free_times(count))
                                };
                                view! {
                                    <button type="button" class="day" data-day=day.to_string()
                                        class:has-slots=has_slots
                                        class:chosen=move || chosen_day.get() == Some(day)
                                        class:today=day == today
                                        aria-current=(day == today).then_some("date")
                                        aria-pressed=move || (chosen_day.get() == Some(day)).to_string()
                                        aria-label=label
                                        disabled=!has_slots
                                        on:click=move |_| {
                                            chosen_day.set(Some(day));
                                            // After the times are drawn (signals update the DOM before the next frame).
                                            request_animation_frame(reveal_times);
                                        }>
                                        {day.day()}
                                    </button>
                                }.into_any()
                            }
                        }).collect_view()
                    }}
                </div>
            </section>
            <section class="times" aria-labelledby="times-title">
                {move || match shown() {
                    None => view! { <p id="times-title" class="loading" role="status">{t::loading_slots()}</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <div role="alert">
                            <p id="times-title" class="problem">{t::slots_failed()}" "{explain(&e)}</p>
                            <button type="button" on:click=move |_| days.refetch()>{t::retry()}</button>
                        </div>
                    }.into_any(),
                    Some(Ok(found)) => match chosen_day.get().and_then(|d| found.days.get(&d).cloned().map(|s| (d, s))) {
                        Some((day, slots)) => {
                            let zone_now = zone.get();
                            view! {
                                <h2 id="times-title">{t::slots_of(&time::long_date(day))}</h2>
                                <ul class="slots">
                                    {slots.into_iter().map(|slot| {
                                        let clock = time::clock(&slot.start, &zone_now);
                                        let label = time::moment(&slot.start, &zone_now);
                                        let start = slot.start.clone();
                                        view! {
                                            <li><button type="button" class="slot" aria-label=label data-start=start
                                                on:click=move |_| on_pick.run(slot.clone())>{clock}</button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        None if found.calendars_unavailable => view! {
                            <p id="times-title" class="problem" role="alert">{t::calendars_unavailable()}</p>
                            <button type="button" on:click=move |_| days.refetch()>{t::retry()}</button>
                        }.into_any(),
                        None => {
                            let first = month.get();
                            let more = time::next_month(first) <= last_day.get();
                            view! {
                                <p id="times-title">
                                    {if more || first > time::month_start(today.get()) {
                                        t::no_slots_in_month(&time::month_title(first))
                                    } else {
                                        t::no_slots_at_all().to_owned()
                                    }}
                                </p>
                                {more.then(|| view! {
                                    <button type="button" on:click=move |_| month.update(|m| *m = time::next_month(*m))>{t::try_next_month()}</button>
                                })}
                            }.into_any()
                        }
                    },
                }}
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_group_by_the_date_as_written() {
        let slot = |s: &str| SlotJson {
            start: s.to_owned(),
            end: s.to_owned(),
        };
        let days = by_day(vec![
            slot("2026-12-01T23:30:00+09:00"),
            slot("2026-12-02T00:00:00+09:00"),
            slot("2026-12-02T00:30:00+09:00"),
        ]);
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[&d(1)].len(), 1);
        assert_eq!(days[&d(2)].len(), 2);
    }

    #[test]
    fn arrow_keys_skip_days_without_times_and_stop_at_the_month() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        // December 2026: times on the 2nd, 3rd, 10th and 24th only.
        let bookable =
            |day: NaiveDate| (day.month() == 12).then(|| [2, 3, 10, 24].contains(&day.day()));
        assert_eq!(next_bookable(d(2), 1, bookable), Some(d(3)));
        assert_eq!(next_bookable(d(3), 1, bookable), Some(d(10)));
        assert_eq!(next_bookable(d(3), 7, bookable), Some(d(10)));
        assert_eq!(next_bookable(d(10), 7, bookable), Some(d(24)));
        assert_eq!(next_bookable(d(24), 7, bookable), None, "off the month");
        assert_eq!(next_bookable(d(2), -1, bookable), None);
        assert_eq!(next_bookable(d(10), -7, bookable), Some(d(3)));
    }

    #[test]
    fn month_end_of_december() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(month_end(d(12, 1)), d(12, 31));
        assert_eq!(month_end(d(2, 1)), d(2, 28));
    }
}
