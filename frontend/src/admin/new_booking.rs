//! "New booking…": the owner books a free time for someone (who phoned, wrote): the event
//! type, a day, one of its free times, the visitor's name and address. It stands at once and
//! the visitor is told as if they had booked (`POST /admin/api/bookings`).

use leptos::prelude::*;

use super::client::{explain, session};
use super::clock;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{AdminBookingJson, ManualBookingBody, RulesJson, WeekViewJson};

#[component]
pub fn NewBooking(on_booked: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="secondary" on:click=move |_| open.set(true)>{t::NEW_BOOKING}</button>
        }>
            <Form on_close=Callback::new(move |booked: bool| {
                open.set(false);
                if booked {
                    on_booked.run(());
                }
            })/>
        </Show>
    }
}

#[component]
fn Form(on_close: Callback<bool>) -> impl IntoView {
    let session = session();
    let types = LocalResource::new(move || async move {
        session
            .send::<RulesJson>(Call::get("/admin/api/rules".to_owned()))
            .await
            .map(|r| r.event_types)
    });
    let slug = RwSignal::new(String::new());
    let zone = session.zone.get_untracked();
    let today = clock::local(clock::ms(&clock::now_iso()), &zone)
        .map(|d| d.date().to_string())
        .unwrap_or_default();
    let day = RwSignal::new(today);
    let times = RwSignal::new(None::<Result<Vec<String>, String>>);
    let start = RwSignal::new(None::<String>);
    let (name, email, notes) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(list)) = types.get()
            && slug.get_untracked().is_empty()
            && let Some(first) = list.first()
        {
            slug.set(first.slug.clone());
        }
    });
    let show = move |_| {
        start.set(None);
        times.set(None);
        let path = format!(
            "/admin/api/week?from={}&days=1",
            encode(&day.get_untracked())
        );
        leptos::task::spawn_local(async move {
            let answer = session.send::<WeekViewJson>(Call::get(path)).await;
            let wanted = slug.get_untracked();
            times.set(Some(match answer {
                Ok(week) => Ok(week
                    .free
                    .iter()
                    .filter(|f| f.event_type == wanted)
                    .flat_map(|f| f.slots.iter().map(|s| s.start.clone()))
                    .collect()),
                Err(e) => Err(explain(&e)),
            }));
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(at) = start.get_untracked() else {
            error.set(Some(t::NEW_BOOKING_PICK.to_owned()));
            return;
        };
        let body = ManualBookingBody {
            event_type: slug.get_untracked(),
            start: at,
            name: name.get_untracked(),
            email: email.get_untracked(),
            notes: Some(notes.get_untracked()).filter(|n| !n.trim().is_empty()),
            timezone: None,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<AdminBookingJson>(Call::send(
                    "POST",
                    "/admin/api/bookings".to_owned(),
                    &body,
                ))
                .await;
            busy.set(false);
            match answer {
                Ok(b) => {
                    let when = crate::time::moment(&b.start, &session.zone.get_untracked());
                    session.announce(t::booked_for(&b.name, &when));
                    on_close.run(true);
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let field = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 required: bool,
                 value: RwSignal<String>| {
        view! {
            <div>
                <label for=id>{label}</label>
                <input id=id type=kind required=required prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <form class="card new-booking" aria-labelledby="new-booking-title" on:submit=submit>
            <h3 id="new-booking-title">{t::NEW_BOOKING_TITLE}</h3>
            <div class="fields">
                <div>
                    <label for="new-type">{t::EVENT_TYPE}</label>
                    <select id="new-type" on:change=move |ev| { slug.set(event_target_value(&ev)); times.set(None); start.set(None); }>
                        {move || match types.get() {
                            Some(Ok(list)) => list.into_iter().map(|e| {
                                let selected = e.slug == slug.get_untracked();
                                view! { <option value=e.slug.clone() selected=selected>{e.title.clone()}</option> }
                            }).collect_view().into_any(),
                            _ => ().into_any(),
                        }}
                    </select>
                </div>
                <div>
                    <label for="new-day">{t::DAY}</label>
                    <input id="new-day" type="date" prop:value=move || day.get()
                        on:input=move |ev| { day.set(event_target_value(&ev)); times.set(None); start.set(None); }/>
                </div>
            </div>
            <button type="button" class="secondary" on:click=show>{t::MOVE_SHOW}</button>
            {move || match times.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty">{t::MOVE_NONE}</p> }.into_any(),
                Some(Ok(list)) => {
                    let zone = session.zone.get_untracked();
                    view! {
                        <div role="group" aria-label=t::MOVE_TIMES class="row move-times">
                            {list.into_iter().map(|s| {
                                let time = crate::time::clock(&s, &zone);
                                let chosen = s.clone();
                                view! {
                                    <button type="button" class="toggle"
                                        aria-pressed=move || (start.get().as_deref() == Some(chosen.as_str())).to_string()
                                        on:click=move |_| start.set(Some(s.clone()))>{time}</button>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
            <div class="fields">
                {field("new-name", t::VISITOR_NAME, "text", true, name)}
                {field("new-email", t::VISITOR_EMAIL, "email", true, email)}
                {field("new-notes", t::NOTES, "text", false, notes)}
            </div>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="row">
                <button type="submit" class="primary" disabled=move || busy.get()>{t::BOOK}</button>
                <button type="button" class="secondary" on:click=move |_| on_close.run(false)>{t::CLOSE}</button>
            </div>
        </form>
    }
}
