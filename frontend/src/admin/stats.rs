//! Statistics as small hand-made SVG bar charts (no chart library): bookings and
//! cancellations per week, bookings by event type, lead time. Each chart is an image with its
//! numbers in its accessible name.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::client::{Load, load, session};
use super::model::Stats;
use crate::strings::admin as t;

const W: f64 = 360.0;
const H: f64 = 160.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 16.0;

/// A vertical bar chart of `bars` (label, value).
fn chart(title: &'static str, class: &'static str, bars: Vec<(String, u32)>) -> impl IntoView {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as f64;
    let slot = W / n;
    let summary = format!(
        "{title}. {}",
        bars.iter()
            .map(|(l, v)| t::chart_value(l, *v))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rects = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let h = (H - BOTTOM - TOP) * f64::from(value) / f64::from(max);
            let x = slot * i as f64 + slot * 0.15;
            let y = H - BOTTOM - h;
            let cx = slot * i as f64 + slot / 2.0;
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}")
                        width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")></rect>
                    <text class="value" x=format!("{cx:.1}") y=format!("{:.1}", y - 3.0)
                        text-anchor="middle">{value.to_string()}</text>
                    <text class="label" x=format!("{cx:.1}") y=format!("{:.1}", H - 8.0)
                        text-anchor="middle">{label}</text>
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

/// "W49" of "2026-W49".
fn short_week(week: &str) -> String {
    week.rsplit('-').next().unwrap_or(week).to_owned()
}

#[component]
pub fn Statistics() -> impl IntoView {
    let session = session();
    let stats = RwSignal::new(Load::<Stats>::Loading);
    load(session, "/admin/api/stats".to_owned(), stats);
    move || match stats.get() {
        Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
        Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Load::Ready(s) => {
            let per_week = s
                .weeks
                .iter()
                .map(|w| (short_week(&w.week), w.booked))
                .collect();
            let cancelled = s
                .weeks
                .iter()
                .map(|w| (short_week(&w.week), w.cancelled))
                .collect();
            let mut by_type: BTreeMap<String, u32> = BTreeMap::new();
            for w in &s.weeks {
                for (k, v) in &w.by_event_type {
                    *by_type.entry(k.clone()).or_default() += v;
                }
            }
            // The last four weeks, labelled by day of the month.
            let per_day = s
                .days
                .iter()
                .rev()
                .take(28)
                .rev()
                .map(|d| {
                    (
                        d.date
                            .get(8..)
                            .unwrap_or(&d.date)
                            .trim_start_matches('0')
                            .to_owned(),
                        d.booked,
                    )
                })
                .collect();
            let by_ref = s.by_ref.clone().into_iter().collect();
            let lead = t::LEAD_BUCKETS
                .iter()
                .zip(s.lead_time.iter())
                .map(|(l, b)| ((*l).to_owned(), b.count))
                .collect();
            view! {
                <p>
                    {t::totals(s.booked, s.cancelled)}
                    " "
                    {s.average_lead_time_hours.map(t::average_lead)}
                </p>
                <p class="rates">{t::rates(s.cancellation_rate, s.no_show_rate)}</p>
                <div class="charts">
                    {chart(t::PER_WEEK, "chart-booked", per_week)}
                    {chart(t::CANCELLATIONS, "chart-cancelled", cancelled)}
                    {chart(t::BY_EVENT_TYPE, "chart-types", by_type.into_iter().collect())}
                    {chart(t::LEAD_TIME, "chart-lead", lead)}
                    {chart(t::PER_DAY, "chart-days", per_day)}
                    {chart(t::BY_SOURCE, "chart-refs", by_ref)}
                </div>
            }
            .into_any()
        }
    }
}
