//! Upcoming and past bookings, searched by name or email; the owner cancels with a note; each
//! booking shows its calendar writes (per writable calendar: created, pending, failed).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::clock;
use super::model::{Booking, BookingStatus};
use crate::api::{Call, encode};
use crate::strings::admin as t;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Upcoming,
    Past,
}

const DAY_MS: f64 = 86_400_000.0;

fn path(period: Period, q: &str) -> String {
    let now = clock::now_iso();
    let range = match period {
        Period::Upcoming => format!("from={}", encode(&now)),
        Period::Past => format!(
            "from={}&to={}",
            encode(&clock::iso_of_ms(clock::ms(&now) - 365.0 * DAY_MS)),
            encode(&now)
        ),
    };
    let q = q.trim();
    if q.is_empty() {
        format!("/admin/api/bookings?{range}")
    } else {
        format!("/admin/api/bookings?{range}&q={}", encode(q))
    }
}

#[component]
pub fn Bookings() -> impl IntoView {
    let session = session();
    let period = RwSignal::new(Period::Upcoming);
    let query = RwSignal::new(String::new());
    let list = RwSignal::new(Load::<Vec<Booking>>::Loading);
    let refresh = move || {
        list.set(Load::Loading);
        load(
            session,
            path(period.get_untracked(), &query.get_untracked()),
            list,
        );
    };
    refresh();
    let pick = move |p: Period| {
        period.set(p);
        refresh();
    };
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        refresh();
    };
    let tab = move |p: Period, label: &'static str| {
        view! {
            <button
                type="button"
                class="toggle"
                aria-pressed=move || if period.get() == p { "true" } else { "false" }
                on:click=move |_| pick(p)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="toolbar">
            <div role="group" aria-label=t::WHICH_BOOKINGS class="toggles">
                {tab(Period::Upcoming, t::UPCOMING)}
                {tab(Period::Past, t::PAST)}
            </div>
            <form role="search" on:submit=search class="search">
                <label for="booking-search">{t::SEARCH_LABEL}</label>
                <input
                    id="booking-search"
                    type="search"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">{t::SEARCH}</button>
            </form>
        </div>
        <p class="hint">{move || t::times_in(&session.zone.get())}</p>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => {
                view! {
                    <p class="error" role="alert">{e}</p>
                    <button type="button" on:click=move |_| refresh()>{t::RETRY}</button>
                }
                    .into_any()
            }
            Load::Ready(mut rows) => {
                if period.get_untracked() == Period::Past {
                    rows.reverse();
                }
                if rows.is_empty() {
                    view! { <p class="empty">{t::NO_BOOKINGS}</p> }.into_any()
                } else {
                    let count = t::booking_count(rows.len());
                    view! {
                        <p class="count">{count}</p>
                        <ul class="bookings">
                            {rows
                                .into_iter()
                                .map(|b| view! { <BookingItem booking=b list/> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }
        }}
    }
}

#[component]
fn BookingItem(booking: Booking, list: RwSignal<Load<Vec<Booking>>>) -> impl IntoView {
    let session = session();
    let asking = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let zone = session.zone.get_untracked();
    let when = format!(
        "{} – {}",
        crate::time::moment(&booking.start, &zone),
        crate::time::clock(&booking.end, &zone)
    );
    // Pending (waiting for the visitor's mail confirmation), expired and cancelled bookings
    // have nothing to cancel.
    let cancelled = booking.status != BookingStatus::Confirmed;
    let id = booking.id.clone();
    let name = booking.name.clone();
    let note_id = format!("note-{}", booking.id);
    let note_ref = NodeRef::<leptos::html::Textarea>::new();
    let ask = move |_| {
        asking.set(true);
        // The note field takes the focus once it is there.
        request_animation_frame(move || {
            if let Some(el) = note_ref.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    let cancel = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let url = format!(
            "/admin/api/bookings/{}/cancel?note={}",
            encode(&id),
            encode(&note.get_untracked())
        );
        let name = name.clone();
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<Booking>(Call {
                    method: "POST",
                    path: url,
                    ..Call::default()
                })
                .await;
            busy.set(false);
            match answer {
                Ok(updated) => {
                    asking.set(false);
                    list.update(|l| {
                        if let Load::Ready(rows) = l
                            && let Some(row) = rows.iter_mut().find(|r| r.id == updated.id)
                        {
                            *row = updated;
                        }
                    });
                    session.announce(t::cancelled_booking(&name));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let writes = if booking.writes.is_empty() {
        view! { <span class="muted">{t::NO_WRITES}</span> }.into_any()
    } else {
        booking
            .writes
            .iter()
            .map(|w| {
                let class = format!("write write-{}", w.state.as_str());
                let text = t::write_state(&w.source, w.action.as_str(), w.state.as_str());
                let title = w.last_error.clone().unwrap_or_default();
                view! { <span class=class title=title>{text}</span> }
            })
            .collect_view()
            .into_any()
    };
    // A meeting that has begun and was not cancelled can be marked as a no-show.
    let begun = crate::time::instant(&booking.start).get_time() <= js_sys::Date::now();
    let no_show = RwSignal::new(booking.no_show);
    let toggle_no_show = {
        let (id, name) = (booking.id.clone(), booking.name.clone());
        move |_| {
            let (id, name) = (id.clone(), name.clone());
            let wanted = !no_show.get_untracked();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = session
                    .send::<Booking>(Call::send(
                        "POST",
                        format!("/admin/api/bookings/{}/no-show", encode(&id)),
                        &serde_json::json!({ "no_show": wanted }),
                    ))
                    .await;
                busy.set(false);
                match answer {
                    Ok(updated) => {
                        no_show.set(updated.no_show);
                        session.announce(t::no_show_marked(&name, updated.no_show));
                    }
                    Err(e) => error.set(Some(explain(&e))),
                }
            });
        }
    };
    let details = {
        let mut parts = Vec::new();
        if let Some(n) = booking.session {
            parts.push(t::session_of_series(n));
        }
        if let Some(r) = &booking.visit_ref {
            parts.push(t::came_from(r));
        }
        (!parts.is_empty()).then(|| view! { <p class="muted small">{parts.join(" · ")}</p> })
    };
    let answers = (!booking.answers.is_empty()).then(|| {
        view! {
            <dl class="answers">
                {booking.answers.iter().map(|a| view! {
                    <dt>{a.label.clone()}</dt>
                    <dd>{a.value.clone()}</dd>
                }).collect_view()}
            </dl>
        }
    });
    let status_class = format!("badge badge-{}", booking.status.as_str());
    let status_text = match booking.status {
        BookingStatus::Confirmed => t::CONFIRMED,
        BookingStatus::Pending => t::PENDING,
        BookingStatus::Expired => t::EXPIRED,
        BookingStatus::Cancelled => t::CANCELLED,
    };
    let notes = (!booking.notes.is_empty()).then(|| {
        view! {
            <p class="notes">
                <span class="muted">{t::NOTES} ": "</span>
                {booking.notes.clone()}
            </p>
        }
    });
    view! {
        <li class="booking" class:is-cancelled=cancelled>
            <div class="booking-head">
                <strong class="when">{when}</strong>
                <span class=status_class>{status_text}</span>
            </div>
            <p>
                <span class="what">{booking.event_type.clone()}</span>
                " · "
                <span class="who">{booking.name.clone()}</span>
                " · "
                <a href=format!("mailto:{}", booking.email)>{booking.email.clone()}</a>
            </p>
            <p class="muted small">{t::visitor_zone(&booking.timezone)}</p>
            {details}
            {answers}
            {notes}
            <p class="writes">
                <span class="muted">{t::CALENDARS} ": "</span>
                {writes}
            </p>
            <Show when=move || !cancelled && !asking.get()>
                <button type="button" class="secondary" on:click=ask>
                    {t::CANCEL}
                </button>
            </Show>
            {(begun && !cancelled).then(|| view! {
                <Show when=move || no_show.get()>
                    <span class="badge badge-no-show">{t::NO_SHOW}</span>
                </Show>
                <button type="button" class="secondary" aria-pressed=move || no_show.get().to_string()
                    disabled=move || busy.get() on:click=toggle_no_show.clone()>
                    {move || if no_show.get() { t::UNMARK_NO_SHOW } else { t::MARK_NO_SHOW }}
                </button>
            })}
            <Show when=move || asking.get()>
                <form class="cancel-form" on:submit=cancel.clone()>
                    <label for=note_id.clone()>{t::CANCEL_NOTE}</label>
                    <textarea
                        id=note_id.clone()
                        rows="2"
                        maxlength="500"
                        node_ref=note_ref
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    ></textarea>
                    <p class="error" role="alert">{move || error.get()}</p>
                    <div class="row">
                        <button type="submit" class="danger" disabled=move || busy.get()>
                            {t::CANCEL_CONFIRM}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| asking.set(false)>
                            {t::KEEP}
                        </button>
                    </div>
                </form>
            </Show>
        </li>
    }
}
