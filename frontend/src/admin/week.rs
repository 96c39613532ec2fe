//! The week view: per day, the busy time of each calendar, all of it merged, the bookings and
//! blocks, and the free slots of one event type, as lanes on one time axis (CSS, no chart
//! library). Every bar also says what it is in words for screen readers.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;

use super::client::{Load, load, session};
use super::clock;
use super::model::{Span, Week};
use crate::strings::admin as t;

/// A bar on a day's lane, in minutes from the day's midnight.
#[derive(Clone, Debug, PartialEq)]
struct Bar {
    from: f64,
    to: f64,
    label: String,
}

/// The parts of `[start, end)` (ms) on `day` in `zone`, in minutes from that day's midnight.
fn on_day(start: f64, end: f64, day: NaiveDate, zone: &str) -> Option<(f64, f64)> {
    let midnight =
        |d: NaiveDate| clock::instant_of(&format!("{d}T00:00"), zone).map(|s| clock::ms(&s));
    let (lo, hi) = (midnight(day)?, midnight(day.succ_opt()?)?);
    let (a, b) = (start.max(lo), end.min(hi));
    (a < b).then(|| ((a - lo) / 60_000.0, (b - lo) / 60_000.0))
}

/// (start, end, what it is), RFC 3339.
type Labelled = (String, String, String);

/// One lane of a day: its name, CSS class and what lies on it.
type Lane = (String, &'static str, Vec<Labelled>);

fn bars(spans: &[Labelled], day: NaiveDate, zone: &str) -> Vec<Bar> {
    spans
        .iter()
        .filter_map(|(start, end, what)| {
            let (from, to) = on_day(clock::ms(start), clock::ms(end), day, zone)?;
            let label = t::span_label(
                what,
                &crate::time::clock(start, zone),
                &crate::time::clock(end, zone),
            );
            Some(Bar { from, to, label })
        })
        .collect()
}

fn spans(list: &[Span], what: &str) -> Vec<Labelled> {
    list.iter()
        .map(|s| (s.start.clone(), s.end.clone(), what.to_owned()))
        .collect()
}

/// The monday of the week holding `day`.
fn monday(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

#[component]
pub fn WeekView() -> impl IntoView {
    let session = session();
    let zone = session.zone.get_untracked();
    let today = crate::time::today_in(&zone).unwrap_or_default();
    let first = RwSignal::new(monday(today));
    let week = RwSignal::new(Load::<Week>::Loading);
    let chosen = RwSignal::new(String::new());
    let refresh = move || {
        week.set(Load::Loading);
        load(
            session,
            format!("/admin/api/week?from={}&days=7", first.get_untracked()),
            week,
        );
    };
    refresh();
    let step = move |days: i64| {
        first.update(|d| *d += Duration::days(days));
        refresh();
    };
    view! {
        <div class="toolbar week-nav">
            <button type="button" class="secondary" on:click=move |_| step(-7)>
                "← " {t::PREVIOUS_WEEK}
            </button>
            <button type="button" class="secondary" on:click=move |_| {
                first.set(monday(today));
                refresh();
            }>{t::THIS_WEEK}</button>
            <button type="button" class="secondary" on:click=move |_| step(7)>
                {t::NEXT_WEEK} " →"
            </button>
        </div>
        <p class="hint" aria-live="polite">
            {move || t::week_of(&clock::short_day(first.get()))}
            ". "
            {move || t::times_in(&session.zone.get())}
        </p>
        {move || match week.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(w) => view! { <WeekGrid week=w chosen/> }.into_any(),
        }}
    }
}

#[component]
fn WeekGrid(week: Week, chosen: RwSignal<String>) -> impl IntoView {
    let zone = week.timezone.clone();
    if chosen.get_untracked().is_empty()
        && let Some(f) = week.free.first()
    {
        chosen.set(f.event_type.clone());
    }
    let days: Vec<NaiveDate> = week
        .days
        .iter()
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect();
    // Lanes: (label, css class, spans).
    let mut lanes: Vec<Lane> = week
        .sources
        .iter()
        .map(|s| {
            let name = s.name.clone().unwrap_or_else(|| s.id.clone());
            (name.clone(), "lane-source", spans(&s.busy, t::BUSY))
        })
        .collect();
    lanes.push((
        t::MERGED_BUSY.to_owned(),
        "lane-busy",
        spans(&week.merged_busy, t::BUSY),
    ));
    let mut booked: Vec<Labelled> = week
        .bookings
        .iter()
        .map(|b| {
            (
                b.start.clone(),
                b.end.clone(),
                format!("{} ({}, {})", t::BOOKING, b.event_type, b.name),
            )
        })
        .collect();
    booked.extend(week.blocks.iter().map(|b| {
        (
            b.start.clone(),
            b.end.clone(),
            format!("{} {}", t::BLOCK, b.label),
        )
    }));
    lanes.push((t::BOOKED.to_owned(), "lane-booked", booked));
    let free = week.free.clone();
    // The hours shown: 08-18 at least, more when something lies outside.
    let all: Vec<Bar> = days
        .iter()
        .flat_map(|d| {
            lanes
                .iter()
                .flat_map(|(_, _, s)| bars(s, *d, &zone))
                .chain(
                    free.iter()
                        .flat_map(|f| bars(&spans(&f.slots, t::FREE_SLOT), *d, &zone)),
                )
                .collect::<Vec<_>>()
        })
        .collect();
    let lo = all
        .iter()
        .map(|b| (b.from / 60.0).floor())
        .fold(8.0_f64, f64::min);
    let hi = all
        .iter()
        .map(|b| (b.to / 60.0).ceil())
        .fold(18.0_f64, f64::max);
    let (lo_m, hi_m) = (lo * 60.0, hi * 60.0);
    let place = move |b: &Bar| {
        let left = (b.from - lo_m) / (hi_m - lo_m) * 100.0;
        let width = (b.to - b.from) / (hi_m - lo_m) * 100.0;
        format!("left:{left:.2}%;width:{width:.2}%")
    };
    let lane_view = move |label: String, class: &'static str, list: Vec<Bar>| {
        let empty = list.is_empty();
        view! {
            <div class="lane-row">
                <span class="lane-label">{label.clone()}</span>
                <ul class=format!("lane {class}") aria-label=label>
                    {list
                        .into_iter()
                        .map(|b| {
                            let style = place(&b);
                            view! {
                                <li class="bar" style=style title=b.label.clone()>
                                    <span class="sr-only">{b.label.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                    {empty.then(|| view! { <li class="sr-only">{t::NOTHING}</li> })}
                </ul>
            </div>
        }
    };
    let hours: Vec<u32> = (lo as u32..=hi as u32).step_by(2).collect();
    let free_options = free.clone();
    view! {
        <div class="week-controls">
            <label for="week-free">{t::FREE_FOR}</label>
            <select id="week-free" on:change=move |ev| chosen.set(event_target_value(&ev))>
                {free_options
                    .iter()
                    .map(|f| {
                        let slug = f.event_type.clone();
                        let selected = chosen.get_untracked() == slug;
                        view! { <option value=slug selected=selected>{f.title.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
        // Focusable so that keyboard users can scroll it on a narrow screen.
        <div class="week-scroll" tabindex="0" role="region" aria-label=t::WEEK>
            <div class="week">
                <div class="lane-row scale" aria-hidden="true">
                    <span class="lane-label"></span>
                    <div class="lane">
                        {hours
                            .into_iter()
                            .map(|h| {
                                let left = (f64::from(h) - lo) / (hi - lo) * 100.0;
                                view! {
                                    <span class="tick" style=format!("left:{left:.2}%")>
                                        {format!("{h:02}")}
                                    </span>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
                {days
                    .into_iter()
                    .map(|d| {
                        let zone = zone.clone();
                        let lanes = lanes.clone();
                        let free = free.clone();
                        view! {
                            <section class="week-day" aria-label=clock::short_day(d)>
                                <h3>{clock::short_day(d)}</h3>
                                {lanes
                                    .into_iter()
                                    .map(|(label, class, s)| lane_view(label, class, bars(&s, d, &zone)))
                                    .collect_view()}
                                {move || {
                                    let slug = chosen.get();
                                    let slots = free
                                        .iter()
                                        .find(|f| f.event_type == slug)
                                        .map(|f| spans(&f.slots, t::FREE_SLOT))
                                        .unwrap_or_default();
                                    lane_view(t::FREE.to_owned(), "lane-free", bars(&slots, d, &zone))
                                }}
                            </section>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}
