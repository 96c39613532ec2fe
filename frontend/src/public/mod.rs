//! The visitor's side: the booking page (`/`) and a booking's manage page (`/manage/{id}`).
//!
//! One path through the page: event type (skipped when there is one) → day and time, in the
//! visitor's zone → name, email, notes (+ the proof-of-work check) → confirmation. Every
//! failure on the way says what happened and offers a way on.

mod captcha;
pub mod confirm;
mod form;
pub mod manage;
mod picker;
mod prefs;
mod zone;

pub use prefs::restore_clock;

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;

use crate::api::{ApiError, Call, SlotJson};
use crate::route::{Route, query_value};
use crate::strings::public as t;
use crate::time;

use confirm::Confirmation;
use form::BookingForm;
use picker::SlotPicker;
use zone::ZonePicker;

pub use openslot_wire::public::{
    AnswerJson, BookingJson, BookingStatus, EventTypeJson, LocationJson, PageJson, QuestionJson,
    QuestionKind, SeriesJson, SessionJson,
};

/// The last day slots can be on, as a date in `zone` (one day of slack for zones ahead of the
/// owner's; the API never offers a slot past the horizon anyway).
pub fn last_day(page: &PageJson, today: NaiveDate) -> NaiveDate {
    today + Duration::days(i64::from(page.horizon_days.max(1)))
}

/// The answer to `question` as the API will keep it, or why it will refuse it (the same rules).
pub fn check_answer(question: &QuestionJson, text: &str) -> Result<String, String> {
    let value = crate::visitor_text::answer(text)?;
    if value.is_empty() {
        return if question.required {
            Err(t::answer_required())
        } else {
            Ok(value)
        };
    }
    if question.kind == QuestionKind::Choice && !question.choices.contains(&value) {
        return Err(t::not_a_choice(&question.choices));
    }
    Ok(value)
}

/// Announces changes to screen readers (one polite live region for the whole app).
#[derive(Clone, Copy, Debug)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    pub fn say(&self, text: impl Into<String>) {
        let text = text.into();
        // The same text twice is still announced: clear first.
        self.0.set(String::new());
        let signal = self.0;
        request_animation_frame(move || signal.set(text));
    }
}

pub fn announcer() -> Announcer {
    use_context::<Announcer>().unwrap_or(Announcer(RwSignal::new(String::new())))
}

const ZONE_KEY: &str = "openslot.zone";

/// The visitor's zone: the one they chose before, else the browser's, else the owner's.
pub fn initial_zone(owner_zone: &str) -> String {
    let stored = storage().and_then(|s| s.get_item(ZONE_KEY).ok().flatten());
    stored
        .filter(|z| time::is_zone(z))
        .or_else(time::browser_zone)
        .unwrap_or_else(|| owner_zone.to_owned())
}

/// Remembers the visitor's choice of zone in this browser.
pub fn remember_zone(zone: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(ZONE_KEY, zone);
    }
}

/// Moves keyboard focus to the element with `id`, when there is one.
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Loads the page description and the event types together.
async fn load_page() -> Result<(PageJson, Vec<EventTypeJson>), ApiError> {
    let page: PageJson = Call::get("/api/v1/page").json().await?;
    let types: Vec<EventTypeJson> = Call::get("/api/v1/event-types").json().await?;
    Ok((page, types))
}

/// The frame of both visitor pages: the owner's logo, name and text, the accent colour, the
/// live region; `content` gets the loaded page description.
#[component]
pub fn Shell(
    content: Box<dyn Fn(PageJson, Vec<EventTypeJson>) -> AnyView + Send + Sync>,
) -> impl IntoView {
    let live = RwSignal::new(String::new());
    provide_context(Announcer(live));
    let loaded = LocalResource::new(load_page);
    let content = std::sync::Arc::new(content);
    view! {
        <div class="page">
            <p class="sr-only" aria-live="polite" aria-atomic="true">{move || live.get()}</p>
            {move || {
                let content = std::sync::Arc::clone(&content);
                match loaded.get() {
                    None => view! {
                        <main class="card" aria-busy="true"><p class="loading">{t::loading_page()}</p></main>
                    }.into_any(),
                    Some(Err(e)) => view! {
                        <main class="card">
                            <p class="problem" role="alert">{t::page_failed()}" "{explain(&e)}</p>
                            <button type="button" on:click=move |_| loaded.refetch()>{t::retry()}</button>
                        </main>
                    }.into_any(),
                    Some(Ok((page, types))) => {
                        let style = page.accent_color.as_ref().map(|c| format!("--accent: {c}"));
                        view! {
                            <div class="frame" style=style>
                                // One banner landmark holds the language and clock selects and the owner.
                                <header>
                                    <prefs::Preferences/>
                                    <div class="owner">
                                        {page.logo_url.clone().map(|src| view! { <img class="logo" src=src alt={t::logo_alt()} width="48" height="48"/> })}
                                        <div>
                                            <p class="owner-name">{page.owner_name.clone()}</p>
                                            {page.intro.clone().map(|i| view! { <p class="intro">{i}</p> })}
                                        </div>
                                    </div>
                                </header>
                                {content(page, types)}
                            </div>
                        }.into_any()
                    }
                }
            }}
        </div>
    }
}

/// One sentence for a person about a failed request (never the raw internals).
pub fn explain(e: &ApiError) -> String {
    match e {
        ApiError::Offline => t::offline().to_owned(),
        ApiError::Unreachable => t::unreachable().to_owned(),
        ApiError::Status {
            status: 429,
            retry_after,
            ..
        } => t::rate_limited(*retry_after),
        ApiError::Status { status: 503, .. } => t::stale().to_owned(),
        // The code, in the page's words: the server's message is English.
        ApiError::Status {
            status,
            body: Some(body),
            ..
        } if *status < 500 => t::error_code(body.error).to_owned(),
        _ => t::server_error().to_owned(),
    }
}

/// Where the visitor is on the booking page.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    ChooseType,
    Pick,
    Form(SlotJson),
    Done(Box<BookingJson>),
}

/// The booking page.
#[component]
pub fn BookingPage() -> impl IntoView {
    view! {
        <Shell content=Box::new(|page, types| view! { <Booking page types/> }.into_any())/>
    }
}

#[component]
fn Booking(page: PageJson, types: Vec<EventTypeJson>) -> impl IntoView {
    let zone = RwSignal::new(initial_zone(&page.timezone));
    let wanted = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| query_value(&q, "type"));
    let preselected = types
        .iter()
        .find(|e| Some(&e.slug) == wanted.as_ref())
        .or(if types.len() == 1 {
            types.first()
        } else {
            None
        })
        .cloned();
    let chosen = RwSignal::new(preselected.clone());
    let step = RwSignal::new(if preselected.is_some() {
        Step::Pick
    } else {
        Step::ChooseType
    });
    // After "just taken": the next free times the server suggested.
    let taken = RwSignal::new(None::<Vec<SlotJson>>);
    let several = types.len() > 1;
    let page = StoredValue::new(page);
    let types = StoredValue::new(types);
    let heading = NodeRef::<leptos::html::H1>::new();

    let pick = Callback::new(move |slot: SlotJson| {
        taken.set(None);
        step.set(Step::Form(slot));
    });

    view! {
        <main class="card">
            {move || match step.get() {
                Step::ChooseType => view! {
                    <section aria-labelledby="step-title">
                        <h1 id="step-title" tabindex="-1" node_ref=heading>{t::book_with(&page.with_value(|p| p.owner_name.clone()))}</h1>
                        <h2>{t::choose_type()}</h2>
                        <ul class="types">
                            {types.get_value().into_iter().map(|e| {
                                let chosen_type = e.clone();
                                view! {
                                    <li>
                                        <button type="button" class="type" on:click=move |_| {
                                            chosen.set(Some(chosen_type.clone()));
                                            step.set(Step::Pick);
                                        }>
                                            <span class="type-title">{e.title.clone()}</span>
                                            <span class="type-duration">{t::minutes(e.duration)}</span>
                                            <span class="type-description">{e.description.clone()}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any(),
                Step::Pick => {
                    let Some(event) = chosen.get_untracked() else {
                        return view! { <p>{t::choose_type()}</p> }.into_any();
                    };
                    view! {
                        <section aria-labelledby="step-title">
                            <EventSummary event=event.clone()/>
                            {several.then(|| view! {
                                <button type="button" class="link" on:click=move |_| step.set(Step::ChooseType)>{t::change_type()}</button>
                            })}
                            {move || taken.get().map(|next| view! { <Taken next pick zone/> })}
                            <ZonePicker zone/>
                            <SlotPicker slug=event.slug.clone() zone page=page.get_value() on_pick=pick/>
                        </section>
                    }.into_any()
                }
                Step::Form(slot) => {
                    let Some(event) = chosen.get_untracked() else {
                        return ().into_any();
                    };
                    view! {
                        <BookingForm
                            event
                            time_slot=slot
                            zone=zone.get_untracked()
                            captcha=page.with_value(|p| p.captcha)
                            on_back=Callback::new(move |_| step.set(Step::Pick))
                            on_taken=Callback::new(move |next: Vec<SlotJson>| {
                                taken.set(Some(next));
                                step.set(Step::Pick);
                            })
                            on_booked=Callback::new(move |b: BookingJson| step.set(Step::Done(Box::new(b))))
                        />
                    }.into_any()
                }
                Step::Done(booking) => {
                    let Some(event) = chosen.get_untracked() else {
                        return ().into_any();
                    };
                    view! {
                        <Confirmation
                            booking=*booking
                            event
                            page=page.get_value()
                            on_again=Callback::new(move |_| step.set(Step::Pick))
                        />
                    }.into_any()
                }
            }}
        </main>
    }
}

/// The title, length and description of the chosen event type, as the step's heading.
#[component]
pub fn EventSummary(event: EventTypeJson) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_on_mount(heading);
    view! {
        <h1 id="step-title" tabindex="-1" node_ref=heading>{event.title.clone()}</h1>
        <p class="meta">{t::minutes(event.duration)}</p>
        {event.location.as_ref().map(|l| t::location_before(l.kind, l.value.as_deref()))
            .filter(|s| !s.is_empty())
            .map(|s| view! { <p class="meta location">{s}</p> })}
        {(!event.description.is_empty()).then(|| view! { <p class="description">{event.description.clone()}</p> })}
    }
}

/// "Someone took that time": the server's next free times, one click each.
#[component]
fn Taken(next: Vec<SlotJson>, pick: Callback<SlotJson>, zone: RwSignal<String>) -> impl IntoView {
    let box_ref = NodeRef::<leptos::html::Div>::new();
    focus_on_mount(box_ref);
    view! {
        <div class="notice" role="alert" tabindex="-1" node_ref=box_ref>
            <p><strong>{t::just_taken()}</strong></p>
            {if next.is_empty() {
                view! { <p>{t::pick_another()}</p> }.into_any()
            } else {
                view! {
                    <p>{t::next_free()}</p>
                    <ul class="slots">
                        {next.into_iter().map(|slot| {
                            let label = time::moment(&slot.start, &zone.get_untracked());
                            let chosen = slot.clone();
                            let start = slot.start.clone();
                            view! { <li><button type="button" class="slot" data-start=start on:click=move |_| pick.run(chosen.clone())>{label}</button></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

/// Moves keyboard and screen-reader focus to `target` once it is on the page.
pub fn focus_on_mount<E>(target: NodeRef<E>)
where
    E: leptos::html::ElementType + 'static,
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
    NodeRef<E>: Get<Value = Option<E::Output>>,
{
    Effect::new(move |_| {
        if let Some(el) = target.get() {
            use wasm_bindgen::JsCast;
            if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// Goes to the booking page (from the manage page).
pub fn go_home(route: RwSignal<Route>) {
    crate::route::navigate(route, "/");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorCode, ErrorJson};

    #[test]
    fn questions_check_like_the_api() {
        let q = QuestionJson {
            id: "topic".into(),
            label: "Topic".into(),
            kind: QuestionKind::Choice,
            required: true,
            choices: vec!["Sales".into(), "Support".into()],
        };
        assert_eq!(check_answer(&q, " Sales "), Ok("Sales".into()));
        assert_eq!(check_answer(&q, ""), Err(t::answer_required()));
        assert!(
            check_answer(&q, "Other")
                .unwrap_err()
                .contains("Sales, Support")
        );
        let free = QuestionJson {
            kind: QuestionKind::Text,
            required: false,
            choices: Vec::new(),
            ..q
        };
        assert_eq!(check_answer(&free, ""), Ok(String::new()));
        assert!(check_answer(&free, "a\nb").is_err());
    }

    fn status(status: u16, message: &str, retry_after: Option<u32>) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorJson::new(ErrorCode::Invalid, message)),
            retry_after,
        }
    }

    #[test]
    fn every_failure_has_a_sentence_for_people() {
        assert_eq!(explain(&ApiError::Offline), t::offline());
        assert_eq!(explain(&ApiError::Unreachable), t::unreachable());
        assert!(explain(&status(429, "", Some(42))).contains("wait 42 seconds"));
        assert!(explain(&status(429, "", None)).contains("wait a minute"));
        assert_eq!(explain(&status(503, "internal words", None)), t::stale());
        // The server's English message is never shown: its code is, in the page's words.
        assert_eq!(explain(&status(404, "no such booking", None)), t::invalid());
        let not_found = ApiError::Status {
            status: 404,
            body: Some(ErrorJson::new(ErrorCode::NotFound, "no such booking")),
            retry_after: None,
        };
        assert_eq!(explain(&not_found), t::not_found());
        // A 500's message is never shown: it is ours, not the visitor's business.
        assert_eq!(explain(&status(500, "db locked", None)), t::server_error());
        assert_eq!(
            explain(&ApiError::Unexpected("x".into())),
            t::server_error()
        );
        // Not our JSON (a proxy's page): the status alone decides.
        let bare = ApiError::Status {
            status: 404,
            body: None,
            retry_after: None,
        };
        assert_eq!(explain(&bare), t::server_error());
    }
}
