//! Upcoming, past, cancelled bookings and requests, searched by name or email; requests
//! (`confirm = "owner"`) come first with Approve and Decline; the owner cancels with a note;
//! each booking shows its calendar writes (per writable calendar: created, pending, failed).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::clock;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{AdminBookingJson, WeekViewJson};
use openslot_wire::public::BookingStatus;
use openslot_wire::public::ConfirmBy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Upcoming,
    Past,
    Cancelled,
    Pending,
}

const DAY_MS: f64 = 86_400_000.0;

fn path(period: Period, q: &str) -> String {
    let now = clock::now_iso();
    let year_ago = clock::iso_of_ms(clock::ms(&now) - 365.0 * DAY_MS);
    let range = match period {
        Period::Upcoming => format!("from={}", encode(&now)),
        Period::Past => format!(
            "from={}&to={}&status=confirmed",
            encode(&year_ago),
            encode(&now)
        ),
        Period::Cancelled => format!("from={}", encode(&year_ago)),
        Period::Pending => "status=pending".to_owned(),
    };
    let q = q.trim();
    if q.is_empty() {
        format!("/admin/api/bookings?{range}")
    } else {
        format!("/admin/api/bookings?{range}&q={}", encode(q))
    }
}

/// Puts the API's answer about a booking in place of its row.
fn replace_row(list: RwSignal<Load<Vec<AdminBookingJson>>>, updated: AdminBookingJson) {
    list.update(|l| {
        if let Load::Ready(rows) = l
            && let Some(row) = rows.iter_mut().find(|r| r.id == updated.id)
        {
            *row = updated;
        }
    });
}

/// Whether a booking no longer stands (cancelled, declined, or a hold that ran out).
fn ended(b: &AdminBookingJson) -> bool {
    matches!(
        b.status,
        BookingStatus::Cancelled | BookingStatus::Declined | BookingStatus::Expired
    )
}

/// A request waiting for the owner's decision.
fn is_request(b: &AdminBookingJson) -> bool {
    b.status == BookingStatus::Pending && b.confirm_by == Some(ConfirmBy::Owner)
}

/// What a period shows of the rows the API gave (oldest first), in the order shown: upcoming
/// without the ended ones, requests first; past and cancelled newest first.
fn shown(period: Period, mut rows: Vec<AdminBookingJson>) -> Vec<AdminBookingJson> {
    match period {
        Period::Upcoming => {
            rows.retain(|b| !ended(b));
            rows.sort_by_key(|b| !is_request(b));
        }
        Period::Past => rows.reverse(),
        Period::Cancelled => {
            rows.retain(ended);
            rows.reverse();
        }
        Period::Pending => rows.sort_by_key(|b| !is_request(b)),
    }
    rows
}

#[component]
pub fn Bookings() -> impl IntoView {
    let session = session();
    let period = RwSignal::new(Period::Upcoming);
    let query = RwSignal::new(String::new());
    let list = RwSignal::new(Load::<Vec<AdminBookingJson>>::Loading);
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
                {tab(Period::Cancelled, t::CANCELLED_TAB)}
                {tab(Period::Pending, t::REQUESTS_TAB)}
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
        <super::new_booking::NewBooking on_booked=Callback::new(move |_| refresh())/>
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
            Load::Ready(rows) => {
                let rows = shown(period.get_untracked(), rows);
                super::seen::saw(&rows);
                if rows.is_empty() {
                    view! { <p class="empty">{t::NO_BOOKINGS}</p> }.into_any()
                } else {
                    let fresh = rows.iter().filter(|b| super::seen::is_new(b)).count();
                    let count = t::booking_count(rows.len());
                    view! {
                        <p class="count">{count}{(fresh > 0).then(|| format!(" · {}", t::new_since_last_visit(fresh)))}</p>
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
fn BookingItem(
    booking: AdminBookingJson,
    list: RwSignal<Load<Vec<AdminBookingJson>>>,
) -> impl IntoView {
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
    // Pending (waiting for a confirmation), expired, declined and cancelled bookings have
    // nothing to cancel; a request has its own decision.
    let cancelled = booking.status != BookingStatus::Confirmed;
    let is_ended = ended(&booking);
    let request = is_request(&booking);
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
                .send::<AdminBookingJson>(Call {
                    method: "POST",
                    path: url,
                    ..Call::default()
                })
                .await;
            busy.set(false);
            match answer {
                Ok(updated) => {
                    asking.set(false);
                    replace_row(list, updated);
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
                    .send::<AdminBookingJson>(Call::send(
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
        BookingStatus::Pending if request => t::REQUEST,
        BookingStatus::Pending => t::PENDING,
        BookingStatus::Expired => t::EXPIRED,
        BookingStatus::Cancelled => t::CANCELLED,
        BookingStatus::Declined => t::DECLINED,
    };
    let reason = booking
        .decline_reason
        .as_ref()
        .map(|r| view! { <p class="notes">{t::declined_because(r)}</p> });
    let decision = request.then(|| {
        let by = booking
            .hold_until
            .as_ref()
            .map(|u| t::decide_by(&crate::time::moment(u, &zone)));
        view! { <Decision id=booking.id.clone() name=booking.name.clone() by list/> }
    });
    let notes = (!booking.notes.is_empty()).then(|| {
        view! {
            <p class="notes">
                <span class="muted">{t::NOTES} ": "</span>
                {booking.notes.clone()}
            </p>
        }
    });
    view! {
        <li class="booking" class:is-cancelled=is_ended class:is-request=request data-start=booking.start.clone()>
            <div class="booking-head">
                <strong class="when">{when}</strong>
                <span class=status_class>{status_text}</span>
                {super::seen::is_new(&booking).then(|| view! { <span class="badge badge-new">{t::NEW}</span> })}
            </div>
            <p>
                <span class="what" title=booking.event_type.clone()>{booking.event_title.clone()}</span>
                " · "
                <span class="who">{booking.name.clone()}</span>
                " · "
                <a href=format!("mailto:{}", booking.email)>{booking.email.clone()}</a>
            </p>
            <p class="muted small">{t::visitor_zone(&booking.timezone)}</p>
            {details}
            {answers}
            {notes}
            {reason}
            {decision}
            <p class="writes">
                <span class="muted">{t::CALENDARS} ": "</span>
                {writes}
            </p>
            <Show when=move || !cancelled && !asking.get()>
                <button type="button" class="secondary" on:click=ask>
                    {t::CANCEL}
                </button>
            </Show>
            {(!begun && !cancelled).then(|| view! { <Move booking=booking.clone() list/> })}
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

/// Approve or decline a request (with an optional reason told to the visitor); the row is
/// replaced by the answer.
#[component]
fn Decision(
    id: String,
    name: String,
    by: Option<String>,
    list: RwSignal<Load<Vec<AdminBookingJson>>>,
) -> impl IntoView {
    let session = session();
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let reason_id = format!("reason-{id}");
    let send = {
        let (id, name) = (id.clone(), name.clone());
        move |approve: bool| {
            let (id, name) = (id.clone(), name.clone());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let path = format!(
                    "/admin/api/bookings/{}/{}",
                    encode(&id),
                    if approve { "approve" } else { "decline" }
                );
                let body = openslot_wire::admin::DeclineBody {
                    reason: (!approve).then(|| reason.get_untracked()),
                };
                let answer = session
                    .send::<AdminBookingJson>(Call::send("POST", path, &body))
                    .await;
                busy.set(false);
                match answer {
                    Ok(updated) => {
                        replace_row(list, updated);
                        session.announce(if approve {
                            t::approved_booking(&name)
                        } else {
                            t::declined_booking(&name)
                        });
                    }
                    Err(e) => error.set(Some(explain(&e))),
                }
            });
        }
    };
    let approve = {
        let send = send.clone();
        move |_| send(true)
    };
    let decline = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(false);
    };
    view! {
        <div class="decision">
            {by.map(|b| view! { <p class="muted small">{b}</p> })}
            <Show when=move || !asking.get()>
                <div class="row">
                    <button type="button" class="primary" disabled=move || busy.get()
                        on:click=approve.clone()>{t::APPROVE}</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(true)>
                        {t::DECLINE}
                    </button>
                </div>
            </Show>
            <Show when=move || asking.get()>
                <form class="cancel-form" on:submit=decline.clone()>
                    <label for=reason_id.clone()>{t::DECLINE_REASON}</label>
                    <textarea id=reason_id.clone() rows="2" maxlength="500"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <div class="row">
                        <button type="submit" class="danger" disabled=move || busy.get()>
                            {t::DECLINE_CONFIRM}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| asking.set(false)>
                            {t::KEEP}
                        </button>
                    </div>
                </form>
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The owner moves a booking: a day, its free times of the booking's event type (the week
/// view's), one click; the visitor's reschedule does the rest (checks, calendars, mail).
#[component]
fn Move(booking: AdminBookingJson, list: RwSignal<Load<Vec<AdminBookingJson>>>) -> impl IntoView {
    let session = session();
    let open = RwSignal::new(false);
    let day = RwSignal::new(booking.start.get(..10).unwrap_or_default().to_owned());
    let free = RwSignal::new(None::<Load<WeekViewJson>>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let day_id = format!("move-day-{}", booking.id);
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        free.set(Some(Load::Loading));
        let path = format!(
            "/admin/api/week?from={}&days=1",
            encode(&day.get_untracked())
        );
        leptos::task::spawn_local(async move {
            free.set(Some(
                match session.send::<WeekViewJson>(Call::get(path)).await {
                    Ok(week) => Load::Ready(week),
                    Err(e) => Load::Failed(explain(&e)),
                },
            ));
        });
    };
    let (id, name, slug) = (booking.id.clone(), booking.name.clone(), booking.event_type);
    let go = move |start: String| {
        let (id, name) = (id.clone(), name.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let body = openslot_wire::public::RescheduleBody { start: Some(start) };
            let path = format!("/admin/api/bookings/{}/reschedule", encode(&id));
            let answer = session
                .send::<AdminBookingJson>(Call::send("POST", path, &body))
                .await;
            busy.set(false);
            match answer {
                Ok(updated) => {
                    let when = crate::time::moment(&updated.start, &session.zone.get_untracked());
                    replace_row(list, updated);
                    session.announce(t::moved_booking(&name, &when));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let slots = move || {
        let zone = session.zone.get_untracked();
        match free.get() {
            None => ().into_any(),
            Some(Load::Loading) => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Some(Load::Failed(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Load::Ready(week)) => {
                let starts: Vec<String> = week
                    .free
                    .iter()
                    .filter(|f| f.event_type == slug)
                    .flat_map(|f| f.slots.iter().map(|s| s.start.clone()))
                    .collect();
                if starts.is_empty() {
                    return view! { <p class="empty">{t::MOVE_NONE}</p> }.into_any();
                }
                let go = go.clone();
                view! {
                    <div role="group" aria-label=t::MOVE_TIMES class="row move-times">
                        {starts.into_iter().map(|s| {
                            let time = crate::time::clock(&s, &zone);
                            let go = go.clone();
                            view! {
                                <button type="button" class="secondary" aria-label=t::move_to(&time)
                                    disabled=move || busy.get() on:click=move |_| go(s.clone())>{time.clone()}</button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            }
        }
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="secondary" on:click=move |_| open.set(true)>{t::MOVE}</button>
        }>
            <form class="move-form" on:submit=show>
                <label for=day_id.clone()>{t::MOVE_DAY}</label>
                <input id=day_id.clone() type="date" prop:value=move || day.get()
                    on:input=move |ev| day.set(event_target_value(&ev))/>
                <button type="submit" class="secondary">{t::MOVE_SHOW}</button>
            </form>
        </Show>
        {slots}
        <p class="error" role="alert">{move || error.get()}</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: BookingStatus, by: Option<ConfirmBy>) -> AdminBookingJson {
        AdminBookingJson {
            id: id.into(),
            event_type: "intro".into(),
            start: String::new(),
            end: String::new(),
            status,
            name: "n".into(),
            email: "e@x".into(),
            notes: String::new(),
            timezone: "UTC".into(),
            created_at: String::new(),
            cancelled_at: None,
            manage_url: String::new(),
            writes: Vec::new(),
            series_id: None,
            session: None,
            answers: Vec::new(),
            visit_ref: None,
            no_show: false,
            confirm_by: by,
            hold_until: None,
            decline_reason: None,
            event_title: "Intro".into(),
        }
    }

    fn ids(rows: &[AdminBookingJson]) -> Vec<&str> {
        rows.iter().map(|b| b.id.as_str()).collect()
    }

    #[test]
    fn each_filter_shows_its_bookings_requests_first() {
        use BookingStatus::*;
        let rows = vec![
            row("a", Confirmed, None),
            row("b", Cancelled, None),
            row("c", Pending, Some(ConfirmBy::Owner)),
            row("d", Declined, Some(ConfirmBy::Owner)),
            row("e", Expired, Some(ConfirmBy::Visitor)),
            row("f", Confirmed, Some(ConfirmBy::Owner)),
        ];
        assert_eq!(ids(&shown(Period::Upcoming, rows.clone())), ["c", "a", "f"]);
        assert_eq!(
            ids(&shown(Period::Cancelled, rows.clone())),
            ["e", "d", "b"]
        );
        assert_eq!(ids(&shown(Period::Past, rows[..2].to_vec())), ["b", "a"]);
        let pending = vec![
            row("v", Pending, Some(ConfirmBy::Visitor)),
            row("o", Pending, Some(ConfirmBy::Owner)),
        ];
        assert_eq!(ids(&shown(Period::Pending, pending)), ["o", "v"]);
    }
}
