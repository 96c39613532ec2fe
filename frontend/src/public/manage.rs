//! The manage page (`/manage/{id}?token=...`, the link of the confirmation): see the booking,
//! cancel it, or move it to another free time of the same event type.

use leptos::prelude::*;

use super::confirm::{BookingFacts, CalendarLinks};
use super::picker::SlotPicker;
use super::zone::ZonePicker;
use super::{
    BookingJson, BookingStatus, EventTypeJson, PageJson, Shell, announcer, explain, focus_on_mount,
    initial_zone,
};
use crate::api::{ApiError, Call, SlotJson, encode};
use crate::route::Route;
use crate::strings::public as t;
use crate::time;

#[component]
pub fn ManagePage(id: String, token: String, route: RwSignal<Route>) -> impl IntoView {
    view! {
        <Shell content=Box::new(move |page, types| {
            view! { <Manage id=id.clone() token=token.clone() page types route/> }.into_any()
        })/>
    }
}

/// What the visitor is doing on the page.
#[derive(Clone, Debug, PartialEq)]
enum Doing {
    Looking,
    /// With `true`: this session and every later one of its series.
    ConfirmCancel(bool),
    Picking,
    ConfirmMove(SlotJson),
}

fn booking_path(id: &str, token: &str, rest: &str) -> String {
    format!(
        "/api/v1/bookings/{}{rest}?token={}",
        encode(id),
        encode(token)
    )
}

#[component]
fn Manage(
    id: String,
    token: String,
    page: PageJson,
    types: Vec<EventTypeJson>,
    route: RwSignal<Route>,
) -> impl IntoView {
    let path = StoredValue::new(booking_path(&id, &token, ""));
    let move_path = StoredValue::new(booking_path(&id, &token, "/reschedule"));
    let loaded = LocalResource::new(move || Call::get(path.get_value()).json::<BookingJson>());
    let booking = RwSignal::new(None::<BookingJson>);
    let doing = RwSignal::new(Doing::Looking);
    let problem = RwSignal::new(None::<String>);
    // What the last change did, shown until the next one ("The booking is moved to ...").
    let done_note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let zone = RwSignal::new(initial_zone(&page.timezone));
    let say = announcer();
    let page = StoredValue::new(page);
    let types = StoredValue::new(types);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_on_mount(heading);

    // The links of a webhook or mail (`cancel_url`, `reschedule_url`) open the page at the step:
    // `?action=cancel` asks "cancel this booking?", `?action=reschedule` shows the free times.
    let asked_action = StoredValue::new(
        web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|q| crate::route::query_value(&q, "action")),
    );
    Effect::new(move |_| {
        if let Some(Ok(b)) = loaded.get() {
            if b.status == BookingStatus::Confirmed {
                match asked_action.get_value().as_deref() {
                    Some("cancel") => doing.set(Doing::ConfirmCancel(false)),
                    Some("reschedule") => doing.set(Doing::Picking),
                    _ => {}
                }
            }
            booking.set(Some(b));
        }
    });

    // Runs a change of the booking: the new state on success, the reason otherwise. `done` says
    // what happened, from the new state.
    let change = move |call: Call<'static>, done: fn(&BookingJson) -> String| {
        busy.set(true);
        done_note.set(None);
        leptos::task::spawn_local(async move {
            let answer = call.json::<BookingJson>().await;
            busy.set(false);
            match answer {
                Ok(b) => {
                    let note = done(&b);
                    booking.set(Some(b));
                    doing.set(Doing::Looking);
                    problem.set(None);
                    say.say(note.clone());
                    done_note.set(Some(note));
                }
                Err(e) if e.status() == Some(409) => {
                    problem.set(Some(format!("{} {}", t::just_taken(), t::pick_another())));
                    doing.set(Doing::Picking);
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
        });
    };
    let withdraw = move || {
        let call = Call {
            method: "DELETE",
            path: path.get_value(),
            ..Call::default()
        };
        change(call, |_| t::withdrawn().to_owned());
    };
    let cancel = move |following: bool| {
        let path = path.get_value();
        let (path, done): (_, fn(&BookingJson) -> String) = if following {
            (format!("{path}&scope=following"), |_| {
                t::cancel_following_done().to_owned()
            })
        } else {
            (path, |_| t::cancel_done().to_owned())
        };
        let call = Call {
            method: "DELETE",
            path,
            ..Call::default()
        };
        change(call, done);
    };
    let reschedule = move |slot: SlotJson| {
        let body = openslot_wire::public::RescheduleBody {
            start: Some(slot.start),
        };
        change(Call::send("POST", move_path.get_value(), &body), |b| {
            let when = format!("{} ({})", time::moment(&b.start, &b.timezone), b.timezone);
            t::moved_to(&when)
        });
    };

    view! {
        <main class="card">
            <h1 id="step-title" tabindex="-1" node_ref=heading>{t::your_booking()}</h1>
            <p class="sr-only" aria-live="polite">{move || problem.get()}</p>
            {move || match (loaded.get(), booking.get()) {
                (None, _) => view! { <p class="loading" role="status">{t::loading_booking()}</p> }.into_any(),
                (Some(Err(ApiError::Status { status: 404, .. })), _) => view! {
                    <p class="problem" role="alert">{t::bad_link()}</p>
                    <a href="/" on:click=move |ev| { ev.prevent_default(); super::go_home(route); }>{t::book_another()}</a>
                }.into_any(),
                (Some(Err(e)), _) => view! {
                    <p class="problem" role="alert">{explain(&e)}</p>
                    <button type="button" on:click=move |_| loaded.refetch()>{t::retry()}</button>
                }.into_any(),
                (Some(Ok(_)), None) => ().into_any(),
                (Some(Ok(_)), Some(b)) => {
                    let event = types.with_value(|all| all.iter().find(|e| e.slug == b.event_type).cloned())
                        .unwrap_or_else(|| unlisted_type(&b, &page.get_value()));
                    let cancelled = b.status == BookingStatus::Cancelled;
                    let later = has_later_sessions(&b);
                    // Waiting (the page's words, never the server's English), declined by the owner, or not confirmed in time.
                    let waiting = match b.status {
                        BookingStatus::Pending if b.confirm_by == Some(openslot_wire::public::ConfirmBy::Owner) => {
                            Some(t::waiting_owner().to_owned())
                        }
                        BookingStatus::Pending => Some(t::check_mail().to_owned()),
                        BookingStatus::Declined => Some(
                            b.decline_reason.as_ref().map_or(t::declined().to_owned(), |r| format!("{} {r}", t::declined())),
                        ),
                        BookingStatus::Expired => Some(t::confirm_ended().to_owned()),
                        _ => None,
                    };
                    let stands = b.status == BookingStatus::Confirmed;
                    let asked = b.status == BookingStatus::Pending
                        && b.confirm_by == Some(openslot_wire::public::ConfirmBy::Owner);
                    view! {
                        <BookingFacts booking=b.clone() event=event.clone() page=page.get_value()/>
                        {cancelled.then(|| view! { <p class="notice" role="status">{t::cancelled()}</p> })}
                        {waiting.map(|w| view! { <p class="notice pending" role="status">{w}</p> })}
                        {asked.then(|| view! {
                            <button type="button" class="danger" disabled=move || busy.get()
                                on:click=move |_| withdraw()>{t::withdraw()}</button>
                        })}
                        {move || done_note.get().map(|n| view! { <p class="notice done">{n}</p> })}
                        <p class="problem" role="alert">{move || problem.get()}</p>
                        {stands.then(|| view! {
                            <h2>{t::add_to_calendar()}</h2>
                            <CalendarLinks booking=b.clone() title=t::with_whom(&event.title, &page.with_value(|p| p.owner_name.clone()))/>
                        })}
                        {stands.then(|| view! {
                            <ManageActions doing busy event=event.clone() zone page=page.get_value() later
                                cancel=Callback::new(cancel)
                                reschedule=Callback::new(reschedule)/>
                        })}
                        <p><a href="/" on:click=move |ev| { ev.prevent_default(); super::go_home(route); }>{t::book_another()}</a></p>
                    }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn ManageActions(
    doing: RwSignal<Doing>,
    busy: RwSignal<bool>,
    event: EventTypeJson,
    zone: RwSignal<String>,
    page: PageJson,
    /// The booking is a session of a series with later confirmed sessions.
    later: bool,
    cancel: Callback<bool>,
    reschedule: Callback<SlotJson>,
) -> impl IntoView {
    let event = StoredValue::new(event);
    let page = StoredValue::new(page);
    move || {
        match doing.get() {
        Doing::Looking => view! {
            <div class="actions">
                <button type="button" on:click=move |_| doing.set(Doing::Picking)>{t::reschedule()}</button>
                <button type="button" class="danger" on:click=move |_| doing.set(Doing::ConfirmCancel(false))>
                    {if later { t::cancel_session() } else { t::cancel() }}
                </button>
                {later.then(|| view! {
                    <button type="button" class="danger" on:click=move |_| doing.set(Doing::ConfirmCancel(true))>{t::cancel_following()}</button>
                })}
            </div>
        }
        .into_any(),
        Doing::ConfirmCancel(following) => {
            let question = NodeRef::<leptos::html::P>::new();
            focus_on_mount(question);
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="cancel-question">
                    <p id="cancel-question" tabindex="-1" node_ref=question>
                        {if following { t::cancel_following_confirm() } else { t::cancel_confirm() }}
                    </p>
                    <div class="actions">
                        <button type="button" class="danger" aria-disabled=move || busy.get().to_string()
                            on:click=move |_| if !busy.get_untracked() { cancel.run(following) }>{t::cancel_yes()}</button>
                        <button type="button" class="secondary" on:click=move |_| doing.set(Doing::Looking)>{t::cancel_no()}</button>
                    </div>
                </div>
            }
            .into_any()
        }
        Doing::Picking => view! {
            <section aria-labelledby="pick-title">
                <h2 id="pick-title">{t::reschedule_pick()}</h2>
                <ZonePicker zone/>
                <SlotPicker slug=event.with_value(|e| e.slug.clone()) zone page=page.get_value()
                    on_pick=Callback::new(move |slot| doing.set(Doing::ConfirmMove(slot)))/>
                <button type="button" class="secondary" on:click=move |_| doing.set(Doing::Looking)>{t::keep_time()}</button>
            </section>
        }
        .into_any(),
        Doing::ConfirmMove(slot) => {
            let question = NodeRef::<leptos::html::P>::new();
            focus_on_mount(question);
            let when = format!("{} ({})", time::moment(&slot.start, &zone.get_untracked()), zone.get_untracked());
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="move-question">
                    <p id="move-question" tabindex="-1" node_ref=question>{t::reschedule_confirm(&when)}</p>
                    <div class="actions">
                        <button type="button" class="primary" aria-disabled=move || busy.get().to_string()
                            on:click=move |_| if !busy.get_untracked() { reschedule.run(slot.clone()) }>{t::reschedule_yes()}</button>
                        <button type="button" class="secondary" on:click=move |_| doing.set(Doing::Picking)>{t::keep_time()}</button>
                    </div>
                </div>
            }
            .into_any()
        }
    }
    }
}

/// An event type no longer offered: what the booking itself says of it.
fn unlisted_type(b: &BookingJson, page: &PageJson) -> EventTypeJson {
    EventTypeJson {
        slug: b.event_type.clone(),
        title: b.event_type.clone(),
        duration: 0,
        description: String::new(),
        owner_name: page.owner_name.clone(),
        timezone: page.timezone.clone(),
        repeat: Vec::new(),
        max_sessions: None,
        location: None,
        questions: Vec::new(),
    }
}

/// Whether `b` is a session of a series with a confirmed session after it.
fn has_later_sessions(b: &BookingJson) -> bool {
    b.series.as_ref().is_some_and(|series| {
        series
            .sessions
            .iter()
            .skip_while(|s| s.id != b.id)
            .skip(1)
            .any(|s| s.status == BookingStatus::Confirmed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public::{SeriesJson, SessionJson};
    use BookingStatus::{Cancelled, Confirmed};
    use openslot_wire::public::Frequency;

    fn booking(id: &str, states: &[(&str, BookingStatus)]) -> BookingJson {
        BookingJson {
            id: id.into(),
            event_type: "consult".into(),
            start: String::new(),
            end: String::new(),
            status: BookingStatus::Confirmed,
            timezone: "UTC".into(),
            name: "n".into(),
            email: "e@x".into(),
            notes: String::new(),
            manage_url: String::new(),
            manage_token: String::new(),
            location: None,
            answers: Vec::new(),
            hold_until: None,
            message: None,
            confirm_by: None,
            decline_reason: None,
            series: (!states.is_empty()).then(|| {
                Box::new(SeriesJson {
                    id: "s".into(),
                    frequency: Frequency::Weekly,
                    sessions: states
                        .iter()
                        .map(|(id, status)| SessionJson {
                            id: (*id).into(),
                            start: String::new(),
                            end: String::new(),
                            status: *status,
                            manage_url: String::new(),
                            manage_token: String::new(),
                        })
                        .collect(),
                })
            }),
        }
    }

    #[test]
    fn later_sessions_are_only_confirmed_ones_after_this_one() {
        let all = [("a", Confirmed), ("b", Confirmed), ("c", Cancelled)];
        assert!(has_later_sessions(&booking("a", &all)));
        assert!(
            !has_later_sessions(&booking("b", &all)),
            "only a cancelled one after it"
        );
        assert!(!has_later_sessions(&booking("c", &all)));
        assert!(!has_later_sessions(&booking("a", &[])), "not a series");
    }
}
