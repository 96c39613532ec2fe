//! Statistics as small hand-made SVG bar charts (no chart library): bookings and
//! cancellations per week, bookings by event type, lead time. Each chart is an image with its
//! numbers in its accessible name.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use leptos::prelude::*;

use super::client::{Load, load, session};
use crate::strings::admin as t;
use openslot_wire::admin::StatsJson;

const W: f64 = 360.0;
const H: f64 = 160.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 16.0;
/// A row of a horizontal chart, and the room its labels get on the left.
const ROW: f64 = 24.0;
const LABELS: f64 = 104.0;

/// A bar: what it is called (read out), what is written under it (may be empty when the
/// labels would run together), its value.
struct Bar {
    name: String,
    shown: String,
    value: u32,
}

fn bar(name: String, value: u32) -> Bar {
    Bar {
        shown: name.clone(),
        name,
        value,
    }
}

fn summary(title: &str, bars: &[Bar]) -> String {
    format!(
        "{title}. {}",
        bars.iter()
            .map(|b| t::chart_value(&b.name, b.value))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A vertical bar chart of `bars`.
fn chart(title: &'static str, class: &'static str, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as f64;
    let slot = W / n;
    let summary = summary(title, &bars);
    let rects = bars
        .into_iter()
        .enumerate()
        .map(|(i, Bar { shown, value, .. })| {
            let h = (H - BOTTOM - TOP) * f64::from(value) / f64::from(max);
            let x = slot * i as f64 + slot * 0.15;
            let y = H - BOTTOM - h;
            let cx = slot * i as f64 + slot / 2.0;
            // Narrow bars carry only a few labels: they start at their bar and run right.
            let (lx, anchor) = if slot < 30.0 {
                (slot * i as f64, "start")
            } else {
                (cx, "middle")
            };
            // Values only where they have room (and are not zero) so digits never touch.
            let value_text = (slot >= 14.0 || value > 0).then(|| value.to_string());
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}")
                        width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")></rect>
                    <text class="value" x=format!("{cx:.1}") y=format!("{:.1}", y - 3.0)
                        text-anchor="middle">{value_text}</text>
                    <text class="label" x=format!("{lx:.1}") y=format!("{:.1}", H - 8.0)
                        text-anchor=anchor>{shown}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class=format!("chart card {class}")>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=summary
                preserveAspectRatio="xMidYMid meet">
                <line class="axis" x1="0" x2=W.to_string()
                    y1=(H - BOTTOM).to_string() y2=(H - BOTTOM).to_string()></line>
                {rects}
            </svg>
        </figure>
    }
}

/// A horizontal bar chart: one row per bar, its label on the left, so long labels such as
/// week ranges stay readable however many there are.
fn rows_chart(title: &'static str, class: &'static str, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len().max(1) as f64 + 4.0;
    let summary = summary(title, &bars);
    let room = W - LABELS - 28.0;
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, Bar { shown, value, .. })| {
            let y = ROW * i as f64 + 2.0;
            let w = room * f64::from(value) / f64::from(max);
            view! {
                <g>
                    <text class="label" x=format!("{:.1}", LABELS - 6.0) y=format!("{:.1}", y + ROW * 0.65)
                        text-anchor="end">{shown}</text>
                    <rect class="bar" x=LABELS.to_string() y=format!("{:.1}", y + 3.0)
                        width=format!("{w:.1}") height=format!("{:.1}", ROW - 6.0)></rect>
                    <text class="value" x=format!("{:.1}", LABELS + w + 4.0) y=format!("{:.1}", y + ROW * 0.65)>
                        {value.to_string()}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class=format!("chart card chart-rows {class}")>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=summary
                preserveAspectRatio="xMidYMid meet">
                <line class="axis" x1=LABELS.to_string() x2=LABELS.to_string()
                    y1="0" y2=height.to_string()></line>
                {rows}
            </svg>
        </figure>
    }
}

/// "14–20 Sep" for the week from Monday `starts` (`2026-09-14`); "28 Sep – 4 Oct" across months.
pub fn week_range(starts: &str) -> String {
    let Ok(monday) = starts.parse::<NaiveDate>() else {
        return starts.to_owned();
    };
    let sunday = monday + Duration::days(6);
    if monday.month() == sunday.month() {
        format!("{}–{} {}", monday.day(), sunday.day(), sunday.format("%b"))
    } else {
        format!(
            "{} {} – {} {}",
            monday.day(),
            monday.format("%b"),
            sunday.day(),
            sunday.format("%b")
        )
    }
}

/// "7 Dec" of `2026-12-07`.
fn day_month(date: &str) -> String {
    date.parse::<NaiveDate>()
        .map(|d| format!("{} {}", d.day(), d.format("%b")))
        .unwrap_or_else(|_| date.to_owned())
}

#[component]
pub fn Statistics() -> impl IntoView {
    let session = session();
    let stats = RwSignal::new(Load::<StatsJson>::Loading);
    load(session, "/admin/api/stats".to_owned(), stats);
    move || match stats.get() {
        Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
        Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Load::Ready(s) => {
            let per_week = s
                .weeks
                .iter()
                .map(|w| bar(week_range(&w.starts), w.booked))
                .collect();
            let cancelled = s
                .weeks
                .iter()
                .map(|w| bar(week_range(&w.starts), w.cancelled))
                .collect();
            let mut by_type: BTreeMap<String, u32> = BTreeMap::new();
            for w in &s.weeks {
                for (k, v) in &w.by_event_type {
                    *by_type.entry(k.clone()).or_default() += v;
                }
            }
            // The last four weeks; only Mondays are written under the bars (28 labels would run
            // together), every day is in the chart's name.
            let per_day = s
                .days
                .iter()
                .rev()
                .take(28)
                .rev()
                .enumerate()
                .map(|(i, d)| Bar {
                    name: day_month(&d.date),
                    shown: if i % 7 == 0 {
                        day_month(&d.date)
                    } else {
                        String::new()
                    },
                    value: d.booked,
                })
                .collect();
            let by_ref = s
                .by_ref
                .clone()
                .into_iter()
                .map(|(k, v)| bar(k, v))
                .collect();
            let lead = t::LEAD_BUCKETS
                .iter()
                .zip(s.lead_time.iter())
                .map(|(l, b)| bar((*l).to_owned(), b.count))
                .collect();
            view! {
                <p>
                    {t::totals(s.booked, s.cancelled)}
                    " "
                    {s.average_lead_time_hours.map(t::average_lead)}
                </p>
                <p class="rates">{t::rates(s.cancellation_rate, s.no_show_rate)}</p>
                <div class="charts">
                    {rows_chart(t::PER_WEEK, "chart-booked", per_week)}
                    {rows_chart(t::CANCELLATIONS, "chart-cancelled", cancelled)}
                    {rows_chart(
                        t::BY_EVENT_TYPE,
                        "chart-types",
                        by_type.into_iter().map(|(k, v)| bar(k, v)).collect(),
                    )}
                    {chart(t::LEAD_TIME, "chart-lead", lead)}
                    {chart(t::PER_DAY, "chart-days", per_day)}
                    {rows_chart(t::BY_SOURCE, "chart-refs", by_ref)}
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::week_range;

    #[test]
    fn weeks_are_named_by_their_dates() {
        assert_eq!(week_range("2026-09-14"), "14–20 Sep");
        assert_eq!(week_range("2026-09-28"), "28 Sep – 4 Oct");
        assert_eq!(week_range("2026-12-28"), "28 Dec – 3 Jan");
    }
}
