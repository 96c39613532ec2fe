//! The week calendar: seven day columns by hours in the owner's zone (wall-clock minutes, so a
//! day of a clock change is drawn by its clock), each calendar's busy time in its colour with
//! a legend, bookings (click: details) and blocks drawn apart, the free time of one event
//! type, a now-line. Dragging in a day column (pointer events: mouse, pen, touch) adds a block
//! through the blocks API; the Blocks section's form is the keyboard way. On a phone the grid
//! scrolls sideways inside its region with the hours kept in view.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::client::{Load, explain, load, session};
use super::clock;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{AdminBookingJson, BlockJson, SpanJson, WeekViewJson};

/// Pixels per minute of the grid (48 px an hour).
const PX: f64 = 0.8;
/// What a drag snaps to, in minutes.
const SNAP: f64 = 15.0;

/// Minutes from the day's midnight by the wall clock in `zone`.
fn minutes(local: NaiveDateTime) -> f64 {
    f64::from(local.hour() * 60 + local.minute())
}

/// The part of `[start, end)` (RFC 3339) on `day` in `zone`, in wall-clock minutes.
fn on_day(start: &str, end: &str, day: NaiveDate, zone: &str) -> Option<(f64, f64)> {
    let a = clock::local(clock::ms(start), zone)?;
    let b = clock::local(clock::ms(end), zone)?;
    if a.date() > day || b.date() < day {
        return None;
    }
    let from = if a.date() < day { 0.0 } else { minutes(a) };
    let to = if b.date() > day { 1440.0 } else { minutes(b) };
    (from < to).then_some((from, to))
}

/// `spans` merged where they touch or overlap (free slots of a 30-minute type every 15
/// minutes become one free stretch).
fn merged(spans: &[SpanJson]) -> Vec<(String, String)> {
    let mut list: Vec<(f64, &SpanJson)> = spans.iter().map(|s| (clock::ms(&s.start), s)).collect();
    list.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(String, String, f64)> = Vec::new();
    for (_, s) in list {
        let end = clock::ms(&s.end);
        match out.last_mut() {
            Some(last) if clock::ms(&s.start) <= last.2 => {
                if end > last.2 {
                    last.1 = s.end.clone();
                    last.2 = end;
                }
            }
            _ => out.push((s.start.clone(), s.end.clone(), end)),
        }
    }
    out.into_iter().map(|(a, b, _)| (a, b)).collect()
}

/// The Monday of the week holding `day`.
fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn hhmm(m: f64) -> String {
    let m = m.clamp(0.0, 1440.0) as u32;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A drag in a day column: the day and the minutes where it began and where it is now.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Drag {
    day: NaiveDate,
    from: f64,
    to: f64,
}

impl Drag {
    fn range(self) -> (f64, f64) {
        (self.from.min(self.to), self.from.max(self.to))
    }
}

#[component]
pub fn WeekView() -> impl IntoView {
    let session = session();
    // None: the service's today (its clock, not the browser's).
    let first = RwSignal::new(None::<NaiveDate>);
    let week = RwSignal::new(Load::<WeekViewJson>::Loading);
    let chosen = RwSignal::new(String::new());
    let opened = RwSignal::new(None::<Opened>);
    let refresh = move || {
        let path = match first.get_untracked() {
            None => "/admin/api/week?week=true&days=7".to_owned(),
            Some(d) => format!("/admin/api/week?from={d}&week=true&days=7"),
        };
        load(session, path, week);
    };
    refresh();
    let step = move |days: i64| {
        let base = first
            .get_untracked()
            .or_else(|| match week.get_untracked() {
                Load::Ready(w) => w.days.first().and_then(|d| d.parse().ok()),
                _ => None,
            });
        let Some(base) = base else { return };
        first.set(Some(monday(base) + Duration::days(days)));
        week.set(Load::Loading);
        refresh();
    };
    view! {
        <div class="toolbar week-nav">
            <button type="button" class="secondary" on:click=move |_| step(-7)>
                "← " {t::PREVIOUS_WEEK}
            </button>
            <button type="button" class="secondary" on:click=move |_| {
                first.set(None);
                week.set(Load::Loading);
                refresh();
            }>{t::THIS_WEEK}</button>
            <button type="button" class="secondary" on:click=move |_| step(7)>
                {t::NEXT_WEEK} " →"
            </button>
        </div>
        <p class="hint">{t::DRAG_TO_BLOCK}</p>
        {move || match week.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(w) => view! { <WeekGrid week=w chosen opened refresh/> }.into_any(),
        }}
        {move || opened.get().map(|o| view! { <BookingDetails booking=o opened/> })}
    }
}

/// The booking whose details are open: its id, start and end (RFC 3339), event type's title.
#[derive(Clone, Debug, PartialEq)]
struct Opened {
    id: String,
    start: String,
    end: String,
    title: String,
}

/// What one day column shows, placed in minutes.
#[derive(Clone, Debug, PartialEq)]
struct Item {
    from: f64,
    to: f64,
    class: &'static str,
    style: String,
    label: String,
    /// A booking: clicking opens it.
    booking: Option<Opened>,
    source: Option<String>,
}

#[component]
fn WeekGrid(
    week: WeekViewJson,
    chosen: RwSignal<String>,
    opened: RwSignal<Option<Opened>>,
    refresh: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let session = session();
    let zone = week.timezone.clone();
    if chosen.get_untracked().is_empty()
        && let Some(f) = week.free.first()
    {
        chosen.set(f.event_type.clone());
    }
    let days: Vec<NaiveDate> = week.days.iter().filter_map(|d| d.parse().ok()).collect();
    let today: Option<NaiveDate> = week.today.parse().ok();
    let now_local = clock::local(clock::ms(&week.now), &zone);
    let label = |what: &str, start: &str, end: &str| {
        t::span_label(
            what,
            &crate::time::clock(start, &zone),
            &crate::time::clock(end, &zone),
        )
    };
    let title_of = |slug: &str| {
        week.free
            .iter()
            .find(|f| f.event_type == slug)
            .map_or_else(|| slug.to_owned(), |f| f.title.clone())
    };
    // Everything but the free time, per day.
    let n = week.sources.len().max(1) as f64;
    let items_of = |day: NaiveDate| -> Vec<Item> {
        let mut out = Vec::new();
        for (i, s) in week.sources.iter().enumerate() {
            let name = s.name.clone().unwrap_or_else(|| s.id.clone());
            let left = 45.0 / n * i as f64;
            for b in &s.busy {
                if let Some((from, to)) = on_day(&b.start, &b.end, day, &zone) {
                    out.push(Item {
                        from,
                        to,
                        class: "cal-busy",
                        style: format!(
                            "left:{left:.2}%;width:{:.2}%;background:{}",
                            45.0 / n,
                            s.shown_color
                        ),
                        label: format!("{name}: {}", label(t::BUSY, &b.start, &b.end)),
                        booking: None,
                        source: Some(s.id.clone()),
                    });
                }
            }
        }
        for b in &week.bookings {
            if let Some((from, to)) = on_day(&b.start, &b.end, day, &zone) {
                out.push(Item {
                    from,
                    to,
                    class: "cal-booking",
                    style: String::new(),
                    label: format!(
                        "{}, {}",
                        b.name,
                        label(&title_of(&b.event_type), &b.start, &b.end)
                    ),
                    booking: Some(Opened {
                        id: b.id.clone(),
                        start: b.start.clone(),
                        end: b.end.clone(),
                        title: title_of(&b.event_type),
                    }),
                    source: None,
                });
            }
        }
        for b in &week.blocks {
            if let Some((from, to)) = on_day(&b.start, &b.end, day, &zone) {
                let what = if b.label.is_empty() {
                    t::BLOCK.to_owned()
                } else {
                    format!("{} {}", t::BLOCK, b.label)
                };
                out.push(Item {
                    from,
                    to,
                    class: "cal-block",
                    style: String::new(),
                    label: label(&what, &b.start, &b.end),
                    booking: None,
                    source: None,
                });
            }
        }
        out
    };
    let per_day: Vec<(NaiveDate, Vec<Item>)> = days.iter().map(|d| (*d, items_of(*d))).collect();
    // The hours shown: 08-18 at least, more when something (or now) lies outside.
    let now_on = |d: NaiveDate| now_local.filter(|n| n.date() == d).map(minutes);
    let mut lo = 8.0 * 60.0_f64;
    let mut hi = 18.0 * 60.0_f64;
    for (d, items) in &per_day {
        for i in items {
            lo = lo.min(i.from);
            hi = hi.max(i.to);
        }
        if let Some(m) = now_on(*d) {
            lo = lo.min(m);
            hi = hi.max(m);
        }
    }
    let (lo, hi) = ((lo / 60.0).floor() * 60.0, (hi / 60.0).ceil() * 60.0);
    let height = (hi - lo) * PX;
    let free = week.free.clone();
    let legend = week
        .sources
        .iter()
        .map(|s| {
            let name = s.name.clone().unwrap_or_else(|| s.id.clone());
            view! {
                <li>
                    <span class="swatch" style=format!("background:{}", s.shown_color)></span>
                    " " {name}
                </li>
            }
        })
        .collect_view();
    let drag = RwSignal::new(None::<Drag>);
    let minute_at = move |ev: &leptos::ev::PointerEvent| -> Option<f64> {
        let el = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
        let y = f64::from(ev.client_y()) - el.get_bounding_client_rect().top();
        Some((((lo + y / PX) / SNAP).round() * SNAP).clamp(lo, hi))
    };
    let zone_for_add = zone.clone();
    let add_block = move |d: Drag| {
        let (from, to) = d.range();
        let zone = zone_for_add.clone();
        let at = |m: f64| clock::instant_of(&format!("{}T{}", d.day, hhmm(m)), &zone);
        let (Some(start), Some(end)) = (at(from), at(to)) else {
            return;
        };
        let body = serde_json::json!({"start": start, "end": end, "label": ""});
        let refresh = refresh.clone();
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<BlockJson>(Call::send("POST", "/admin/api/blocks", &body))
                .await;
            match answer {
                Ok(_) => {
                    session.announce(t::BLOCK_ADDED);
                    refresh();
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    // On a narrow screen the grid opens scrolled to today.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        let Some(el) = scroller.get() else { return };
        let today = el
            .query_selector(".week-day.is-today")
            .ok()
            .flatten()
            .and_then(|d| d.dyn_into::<web_sys::HtmlElement>().ok());
        let hours = el
            .query_selector(".cal-hours")
            .ok()
            .flatten()
            .and_then(|d| d.dyn_into::<web_sys::HtmlElement>().ok());
        if let (Some(today), Some(hours)) = (today, hours) {
            el.set_scroll_left(today.offset_left() - hours.offset_width());
        }
    });
    let hours: Vec<u32> = ((lo / 60.0) as u32..(hi / 60.0) as u32).collect();
    let free_options = free.clone();
    let columns = per_day
        .into_iter()
        .map(|(d, items)| {
            let free = free.clone();
            let zone = zone.clone();
            let add_block = add_block.clone();
            let is_today = today == Some(d);
            let now_line = now_on(d).map(|m| {
                view! {
                    <div class="now-line" style=format!("top:{:.1}px", (m - lo) * PX)
                        role="img" aria-label=format!("{} {}", t::NOW, hhmm(m))></div>
                }
            });
            let place = move |from: f64, to: f64| {
                format!(
                    "top:{:.1}px;height:{:.1}px",
                    (from - lo) * PX,
                    ((to - from) * PX).max(2.0)
                )
            };
            let drawn = items
                .into_iter()
                .map(|i| {
                    let style = format!("{};{}", place(i.from, i.to), i.style);
                    let title = i.label.clone();
                    match i.booking {
                        Some(b) => view! {
                            <button type="button" class="cal-item cal-booking" style=style
                                data-booking=b.id.clone()
                                on:pointerdown=|ev| ev.stop_propagation()
                                on:click=move |_| opened.set(Some(b.clone()))>
                                <span class="cal-text">{i.label}</span>
                            </button>
                        }
                        .into_any(),
                        None => view! {
                            <div class=format!("cal-item {}", i.class) style=style title=title
                                data-source=i.source>
                                <span class="cal-text">{i.label}</span>
                            </div>
                        }
                        .into_any(),
                    }
                })
                .collect_view();
            let free_view = move || {
                let slug = chosen.get();
                free.iter()
                    .find(|f| f.event_type == slug)
                    .map(|f| merged(&f.slots))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(a, b)| {
                        let (from, to) = on_day(&a, &b, d, &zone)?;
                        let text = t::span_label(t::FREE_SLOT, &hhmm(from), &hhmm(to));
                        Some(view! {
                            <div class="cal-item cal-free" style=place(from, to)>
                                <span class="cal-text">{text}</span>
                            </div>
                        })
                    })
                    .collect_view()
            };
            let selection = move || {
                drag.get().filter(|g| g.day == d).map(|g| {
                    let (from, to) = g.range();
                    view! {
                        <div class="cal-item cal-selection" style=place(from, to.max(from + SNAP))>
                            <span class="cal-text">{format!("{}–{}", hhmm(from), hhmm(to))}</span>
                        </div>
                    }
                })
            };
            let down = move |ev: leptos::ev::PointerEvent| {
                if ev.button() != 0 {
                    return;
                }
                let Some(m) = minute_at(&ev) else { return };
                ev.prevent_default();
                if let Some(el) = ev
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = el.set_pointer_capture(ev.pointer_id());
                }
                drag.set(Some(Drag { day: d, from: m, to: m }));
            };
            let moved = move |ev: leptos::ev::PointerEvent| {
                if drag.get_untracked().is_some_and(|g| g.day == d)
                    && let Some(m) = minute_at(&ev)
                {
                    drag.update(|g| {
                        if let Some(g) = g {
                            g.to = m;
                        }
                    });
                }
            };
            let up = move |_| {
                if let Some(g) = drag.get_untracked().filter(|g| g.day == d) {
                    drag.set(None);
                    let (from, to) = g.range();
                    if to - from >= SNAP {
                        add_block(g);
                    }
                }
            };
            view! {
                <section class="week-day" class:is-today=is_today data-day=d.to_string()
                    aria-label=clock::short_day(d)>
                    <h3 class="cal-head" aria-current=is_today.then_some("date")>{clock::short_day(d)}</h3>
                    <div class="cal-col" style=format!("height:{height:.0}px")
                        on:pointerdown=down on:pointermove=moved on:pointerup=up
                        on:pointercancel=move |_| drag.set(None)>
                        {drawn}
                        {free_view}
                        {selection}
                        {now_line}
                    </div>
                </section>
            }
        })
        .collect_view();
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
        <ul class="cal-legend" aria-label=t::LEGEND>
            {legend}
            <li><span class="swatch cal-booking"></span> " " {t::BOOKINGS_KEY}</li>
            <li><span class="swatch cal-block"></span> " " {t::BLOCKS_KEY}</li>
            <li><span class="swatch cal-free"></span> " " {t::FREE}</li>
        </ul>
        <p class="hint">{t::times_in(&week.timezone)}</p>
        // Focusable so that keyboard users can scroll it on a narrow screen.
        <div class="cal-scroll" tabindex="0" role="region" aria-label=t::WEEK node_ref=scroller>
            <div class="cal">
                <div class="cal-hours" aria-hidden="true">
                    <div class="cal-head"></div>
                    <div class="cal-hours-body" style=format!("height:{height:.0}px")>
                        {hours
                            .into_iter()
                            .map(|h| {
                                let top = (f64::from(h) * 60.0 - lo) * PX;
                                view! {
                                    <span class="cal-hour" style=format!("top:{top:.1}px")>
                                        {format!("{h:02}:00")}
                                    </span>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
                {columns}
            </div>
        </div>
    }
}

/// A booking's details, as the owner's booking list has them, read from it.
#[component]
fn BookingDetails(booking: Opened, opened: RwSignal<Option<Opened>>) -> impl IntoView {
    let Opened {
        id,
        start,
        end,
        title,
    } = booking;
    let session = session();
    let found = RwSignal::new(Load::<Vec<AdminBookingJson>>::Loading);
    load(
        session,
        format!(
            "/admin/api/bookings?from={}&to={}",
            encode(&start),
            encode(&end)
        ),
        found,
    );
    let zone = session.zone.get_untracked();
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(b) = close.get() {
            let _ = b.focus();
        }
    });
    view! {
        <section class="card booking-details" role="dialog" aria-labelledby="booking-details-title">
            <h3 id="booking-details-title">{t::BOOKING_DETAILS}</h3>
            {move || match found.get() {
                Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Load::Ready(rows) => match rows.into_iter().find(|b| b.id == id) {
                    None => view! { <p class="empty">{t::NO_BOOKINGS}</p> }.into_any(),
                    Some(b) => {
                        let when = format!(
                            "{} – {}",
                            crate::time::moment(&b.start, &zone),
                            crate::time::clock(&b.end, &zone)
                        );
                        view! {
                            <dl class="facts">
                                <dt>{t::WHEN}</dt><dd>{when}</dd>
                                <dt>{t::EVENT_TYPE}</dt><dd>{title.clone()}</dd>
                                <dt>{t::NAME}</dt><dd class="who">{b.name.clone()}</dd>
                                <dt>{t::EMAIL}</dt><dd>{b.email.clone()}</dd>
                                <dt>{t::NOTES}</dt><dd>{b.notes.clone()}</dd>
                                {b.answers.iter().map(|a| view! {
                                    <dt>{a.label.clone()}</dt><dd>{a.value.clone()}</dd>
                                }).collect_view()}
                            </dl>
                            <p class="muted small">{t::visitor_zone(&b.timezone)}</p>
                        }
                        .into_any()
                    }
                },
            }}
            <button type="button" class="secondary" node_ref=close
                on:click=move |_| opened.set(None)>{t::CLOSE}</button>
        </section>
    }
}
