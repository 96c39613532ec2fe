//! Name, email and notes, checked as the visitor types with the API's own rules
//! (`visitor_text`, the same file the backend uses), then the proof of work and the booking.

use leptos::prelude::*;
use openslot_wire::public::{BookingBody, Frequency, RepeatBody};

use super::captcha::{self, CaptchaError};
use super::{
    BookingJson, EventTypeJson, QuestionJson, QuestionKind, check_answer, explain, focus_id,
    focus_on_mount,
};
use crate::api::{ApiError, Call, ErrorCode, ErrorJson, FieldError, SlotJson};
use crate::strings::public as t;
use crate::time;
use crate::visitor_text;

/// What the visitor typed, kept for the page session: it outlives the form, so "just taken", a
/// new time and "Back to the times" never make them type it again.
#[derive(Clone, Default)]
struct Draft {
    name: String,
    email: String,
    notes: String,
    /// (question id, answer)
    answers: Vec<(String, String)>,
}

thread_local! {
    static DRAFT: std::cell::RefCell<Draft> = std::cell::RefCell::default();
}

fn draft() -> Draft {
    DRAFT.with(|d| d.borrow().clone())
}

fn keep_draft(draft: Draft) {
    DRAFT.with(|d| *d.borrow_mut() = draft);
}

/// One input with its live check.
#[derive(Clone, Copy)]
struct Field {
    value: RwSignal<String>,
    /// Shown once the field was left or the form was sent.
    touched: RwSignal<bool>,
    /// What the server said about it (cleared when the visitor edits).
    server: RwSignal<Option<String>>,
    check: fn(&str) -> Result<String, String>,
}

impl Field {
    fn new(check: fn(&str) -> Result<String, String>, typed: String) -> Self {
        Field {
            value: RwSignal::new(typed),
            touched: RwSignal::new(false),
            server: RwSignal::new(None),
            check,
        }
    }

    fn problem(&self) -> Option<String> {
        if let Some(s) = self.server.get() {
            return Some(s);
        }
        if !self.touched.get() {
            return None;
        }
        (self.check)(&self.value.get()).err()
    }
}

/// One of the owner's questions with its input.
#[derive(Clone)]
struct QuestionField {
    question: QuestionJson,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
    server: RwSignal<Option<String>>,
}

impl QuestionField {
    fn new(question: QuestionJson, typed: Option<&String>) -> Self {
        QuestionField {
            question,
            value: RwSignal::new(typed.cloned().unwrap_or_default()),
            touched: RwSignal::new(false),
            server: RwSignal::new(None),
        }
    }

    /// The element id of its input.
    fn dom_id(&self) -> String {
        format!("q-{}", self.question.id)
    }

    fn problem(&self) -> Option<String> {
        if let Some(s) = self.server.get() {
            return Some(s);
        }
        if !self.touched.get() {
            return None;
        }
        check_answer(&self.question, &self.value.get()).err()
    }
}

/// The `ref` of the page's address (where the visitor came from), when it is one the API takes.
pub fn visit_ref_of_page() -> Option<String> {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| crate::route::query_value(&q, "ref"))
        .and_then(|r| visitor_text::visit_ref(&r).ok())
}

/// What the form is doing.
#[derive(Clone, Debug, PartialEq)]
enum Sending {
    Idle,
    Solving,
    Booking,
}

#[component]
pub fn BookingForm(
    event: EventTypeJson,
    time_slot: SlotJson,
    zone: String,
    captcha: bool,
    on_back: Callback<()>,
    on_taken: Callback<Vec<SlotJson>>,
    on_booked: Callback<BookingJson>,
) -> impl IntoView {
    let typed = draft();
    let name = Field::new(visitor_text::name, typed.name);
    let email = Field::new(visitor_text::email, typed.email);
    let notes = Field::new(visitor_text::notes, typed.notes);
    // None = once; else one of the event type's frequencies.
    let frequency = RwSignal::new(None::<Frequency>);
    let max_sessions = event.max_sessions.unwrap_or(2).max(2);
    let sessions = RwSignal::new(max_sessions.min(4));
    let questions: Vec<QuestionField> = event
        .questions
        .iter()
        .map(|q| {
            let kept = typed.answers.iter().find(|(id, _)| *id == q.id);
            QuestionField::new(q.clone(), kept.map(|(_, a)| a))
        })
        .collect();
    let questions = StoredValue::new(questions);
    // Kept when the visitor leaves the form for the times ("Back", "just taken"); a plain
    // call there, not an effect on every keystroke.
    let keep_typed = move || {
        // Answers to the questions of other event types stay too.
        let mut answers = draft().answers;
        questions.with_value(|qs| {
            for q in qs {
                answers.retain(|(id, _)| *id != q.question.id);
                answers.push((q.question.id.clone(), q.value.get_untracked()));
            }
        });
        keep_draft(Draft {
            name: name.value.get_untracked(),
            email: email.value.get_untracked(),
            notes: notes.value.get_untracked(),
            answers,
        });
    };
    let visit_ref = visit_ref_of_page();
    let sending = RwSignal::new(Sending::Idle);
    // In percent on the page: writing a float would pull the float formatter into the page
    // (about 4 KB gzip of wasm).
    let progress = RwSignal::new(0.0_f64);
    let failure = RwSignal::new(None::<String>);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_on_mount(heading);
    // One key per form: a retry after a lost answer gives the same booking, never a second.
    let idempotency_key = random_key();
    let when = time::moment(&time_slot.start, &zone);
    let slot = StoredValue::new(time_slot);
    let event = StoredValue::new(event);
    let zone = StoredValue::new(zone);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() != Sending::Idle {
            return;
        }
        for f in [name, email, notes] {
            f.touched.set(true);
        }
        questions.with_value(|qs| qs.iter().for_each(|q| q.touched.set(true)));
        let first_bad = [("name", name), ("email", email), ("notes", notes)]
            .into_iter()
            .find(|(_, f)| {
                (f.check)(&f.value.get_untracked()).is_err() || f.server.get_untracked().is_some()
            })
            .map(|(id, _)| id.to_owned())
            .or_else(|| {
                questions.with_value(|qs| {
                    qs.iter()
                        .find(|q| {
                            check_answer(&q.question, &q.value.get_untracked()).is_err()
                                || q.server.get_untracked().is_some()
                        })
                        .map(QuestionField::dom_id)
                })
            });
        if let Some(id) = first_bad {
            failure.set(Some(t::fix_fields().to_owned()));
            focus_id(&id);
            return;
        }
        let answers: std::collections::BTreeMap<String, String> = questions.with_value(|qs| {
            qs.iter()
                .filter_map(|q| {
                    let v = check_answer(&q.question, &q.value.get_untracked()).ok()?;
                    (!v.is_empty()).then(|| (q.question.id.clone(), v))
                })
                .collect()
        });
        let visit_ref = visit_ref.clone();
        failure.set(None);
        let key = idempotency_key.clone();
        leptos::task::spawn_local(async move {
            let answer = send(
                SendArgs {
                    event: event.get_value(),
                    slot: slot.get_value(),
                    zone: zone.get_value(),
                    name: name.value.get_untracked(),
                    email: email.value.get_untracked(),
                    notes: notes.value.get_untracked(),
                    key,
                    captcha,
                    answers,
                    visit_ref,
                    repeat: frequency.get_untracked().map(|f| RepeatBody {
                        frequency: Some(f.as_str().to_owned()),
                        sessions: Some(sessions.get_untracked()),
                    }),
                },
                sending,
                progress,
            )
            .await;
            sending.set(Sending::Idle);
            match answer {
                Ok(booking) => {
                    // Who they are stays for another booking; what this one was about does not.
                    keep_draft(Draft {
                        notes: String::new(),
                        answers: Vec::new(),
                        ..draft()
                    });
                    on_booked.run(booking)
                }
                Err(Failed::Taken(next)) => {
                    keep_typed();
                    on_taken.run(next)
                }
                Err(Failed::Fields(fields)) => {
                    for fe in &fields {
                        if let Some(id) = fe.field.strip_prefix("answers.") {
                            questions.with_value(|qs| {
                                if let Some(q) = qs.iter().find(|q| q.question.id == id) {
                                    q.server.set(Some(fe.reason.clone()));
                                }
                            });
                            continue;
                        }
                        let target = match fe.field.as_str() {
                            "name" => name,
                            "email" => email,
                            "notes" => notes,
                            _ => {
                                failure.set(Some(t::field_error(&fe.field, &fe.reason)));
                                continue;
                            }
                        };
                        target.server.set(Some(fe.reason.clone()));
                    }
                    if failure.get_untracked().is_none() {
                        failure.set(Some(t::fix_fields().to_owned()));
                    }
                    if let Some(fe) = fields.first() {
                        match fe.field.strip_prefix("answers.") {
                            Some(id) => focus_id(&format!("q-{id}")),
                            None => focus_id(&fe.field),
                        }
                    }
                }
                // The problem line is role="alert": read out once, not also by the live region.
                Err(Failed::Say(message)) => failure.set(Some(message)),
            }
        });
    };

    let input = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      autocomplete: &'static str,
                      f: Field| {
        let problem_id = format!("{id}-problem");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=id type=kind autocomplete=autocomplete required=true
                    aria-invalid=move || f.problem().is_some().to_string()
                    aria-describedby=problem_id.clone()
                    prop:value=move || f.value.get()
                    on:input=move |ev| { f.value.set(event_target_value(&ev)); f.server.set(None); }
                    on:blur=move |_| { if !f.value.get_untracked().is_empty() { f.touched.set(true); } } />
                <p id=problem_id class="field-problem">{move || f.problem().map(|p| t::field_error(label, &p))}</p>
            </div>
        }
    };

    view! {
        <section aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1" node_ref=heading>{t::your_details()}</h1>
            <p class="meta"><strong>{event.with_value(|e| e.title.clone())}</strong>", "{when}" ("{zone.get_value()}")"</p>
            <button type="button" class="link" on:click=move |_| { keep_typed(); on_back.run(()) }>{t::back_to_times()}</button>
            <form class="booking-form" novalidate=true on:submit=submit aria-describedby="form-problem">
                {input("name", t::name(), "text", "name", name)}
                {input("email", t::email(), "email", "email", email)}
                <div class="field">
                    <label for="notes">{t::notes()}</label>
                    <textarea id="notes" name="notes" rows="4"
                        aria-invalid=move || notes.problem().is_some().to_string()
                        aria-describedby="notes-count notes-problem"
                        prop:value=move || notes.value.get()
                        on:input=move |ev| { notes.value.set(event_target_value(&ev)); notes.server.set(None); notes.touched.set(true); }></textarea>
                    <p id="notes-count" class="hint">{move || t::notes_count(notes.value.get().chars().count(), visitor_text::NOTES_MAX_CHARS)}</p>
                    <p id="notes-problem" class="field-problem">{move || notes.problem().map(|p| t::field_error(t::notes(), &p))}</p>
                </div>
                {questions.get_value().into_iter().map(question_input).collect_view()}
                {(!event.with_value(|e| e.repeat.is_empty())).then(|| view! {
                    <fieldset class="field repeat">
                        <legend>{t::repeat_legend()}</legend>
                        <label class="choice">
                            <input type="radio" name="repeat" value="" prop:checked=move || frequency.get().is_none()
                                on:change=move |_| frequency.set(None)/>
                            {t::repeat_once()}
                        </label>
                        {event.with_value(|e| e.repeat.clone()).into_iter().map(|f| {
                            let label = t::frequency(f);
                            view! {
                                <label class="choice">
                                    <input type="radio" name="repeat" value=f.as_str() prop:checked=move || frequency.get() == Some(f)
                                        on:change=move |_| frequency.set(Some(f))/>
                                    {label}
                                </label>
                            }
                        }).collect_view()}
                        <Show when=move || frequency.get().is_some()>
                            <label for="sessions">{t::sessions()}</label>
                            <select id="sessions" name="sessions" aria-describedby="sessions-hint"
                                on:change=move |ev| if let Ok(n) = event_target_value(&ev).parse() { sessions.set(n) }>
                                {(2..=max_sessions).map(|n| view! {
                                    <option value=n.to_string() selected=move || sessions.get() == n>{n.to_string()}</option>
                                }).collect_view()}
                            </select>
                            <p id="sessions-hint" class="hint">{t::sessions_hint(max_sessions)}</p>
                        </Show>
                    </fieldset>
                })}
                <div id="form-problem" class="problem" role="alert">{move || failure.get()}</div>
                <Show when=move || sending.get() == Sending::Solving>
                    <div class="solving" role="status">
                        <label for="captcha-progress">{t::solving()}</label>
                        <progress id="captcha-progress" max="100" value=move || ((progress.get() * 100.0) as u32).to_string()></progress>
                    </div>
                </Show>
                <button type="submit" class="primary" aria-disabled=move || (sending.get() != Sending::Idle).to_string()>
                    {move || if sending.get() == Sending::Idle { t::book() } else { t::booking() }}
                </button>
            </form>
        </section>
    }
}

struct SendArgs {
    event: EventTypeJson,
    slot: SlotJson,
    zone: String,
    name: String,
    email: String,
    notes: String,
    key: String,
    captcha: bool,
    repeat: Option<RepeatBody>,
    answers: std::collections::BTreeMap<String, String>,
    visit_ref: Option<String>,
}

enum Failed {
    Taken(Vec<SlotJson>),
    Fields(Vec<FieldError>),
    Say(String),
}

/// The proof of work (once more if the server refuses it), then the booking.
async fn send(
    args: SendArgs,
    sending: RwSignal<Sending>,
    progress: RwSignal<f64>,
) -> Result<BookingJson, Failed> {
    let mut attempts = 0;
    // The owner may switch the captcha on or off while the page is open: a refusal asks for
    // it, and a challenge that is no longer given (404) means booking without it.
    let mut captcha_on = args.captcha;
    loop {
        attempts += 1;
        let captcha = if captcha_on {
            sending.set(Sending::Solving);
            match captcha::solve(progress).await {
                Ok(payload) => Some(payload),
                Err(CaptchaError::Api(e)) if e.status() == Some(404) => None,
                Err(CaptchaError::Api(e)) => return Err(Failed::Say(explain(&e))),
                Err(CaptchaError::Worker) => {
                    return Err(Failed::Say(t::captcha_unsupported().to_owned()));
                }
            }
        } else {
            None
        };
        sending.set(Sending::Booking);
        let body = BookingBody {
            event_type: Some(args.event.slug.clone()),
            start: Some(args.slot.start.clone()),
            name: Some(args.name.trim().to_owned()),
            email: Some(args.email.trim().to_owned()),
            notes: Some(args.notes.trim().to_owned()),
            timezone: Some(args.zone.clone()),
            captcha,
            repeat: args.repeat.clone(),
            answers: (!args.answers.is_empty()).then(|| args.answers.clone()),
            visit_ref: args.visit_ref.clone(),
        };
        let answer: Result<BookingJson, ApiError> = Call::send("POST", "/api/v1/bookings", &body)
            .header("Idempotency-Key", args.key.clone())
            .json()
            .await;
        return match answer {
            Ok(b) => Ok(b),
            Err(e) => match (e.status(), e.code()) {
                (Some(409), Some(ErrorCode::SeriesConflict)) => Err(Failed::Say(match e.body() {
                    Some(ErrorJson {
                        conflict: Some(c), ..
                    }) => {
                        t::series_conflict(c.session, &time::moment(&c.start, &args.zone), c.reason)
                    }
                    _ => explain(&e),
                })),
                (Some(409), _) => Err(Failed::Taken(
                    e.into_body().map(|b| b.next_slots).unwrap_or_default(),
                )),
                (Some(400), Some(ErrorCode::Captcha)) if attempts < 2 => {
                    captcha_on = true;
                    continue;
                }
                (Some(400), Some(ErrorCode::Captcha)) => {
                    Err(Failed::Say(t::captcha_failed().to_owned()))
                }
                (Some(422), _) => match e.body() {
                    Some(body) if !body.fields.is_empty() => {
                        Err(Failed::Fields(body.fields.clone()))
                    }
                    _ => Err(Failed::Say(explain(&e))),
                },
                _ => Err(Failed::Say(explain(&e))),
            },
        };
    }
}

/// The input of one question: a line of text, or a list of its choices.
fn question_input(f: QuestionField) -> impl IntoView {
    let id = f.dom_id();
    let problem_id = format!("{id}-problem");
    let label = f.question.label.clone();
    let shown_label = if f.question.required {
        label.clone()
    } else {
        format!("{label} {}", t::optional())
    };
    let (value, touched, server) = (f.value, f.touched, f.server);
    let problem = {
        let f = f.clone();
        move || f.problem().map(|p| t::field_error(&label, &p))
    };
    let invalid = {
        let f = f.clone();
        move || f.problem().is_some().to_string()
    };
    let input = if f.question.kind == QuestionKind::Choice {
        view! {
            <select id=id.clone() name=id.clone() required=f.question.required
                aria-invalid=invalid aria-describedby=problem_id.clone()
                on:change=move |ev| { value.set(event_target_value(&ev)); server.set(None); touched.set(true); }>
                <option value="">{t::choose()}</option>
                {f.question.choices.iter().map(|c| {
                    let (shown, v) = (c.clone(), c.clone());
                    // A kept answer is chosen again.
                    let kept = value.get_untracked() == *c;
                    view! { <option value=v selected=kept>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=id.clone() type="text" required=f.question.required
                maxlength=visitor_text::ANSWER_MAX_CHARS.to_string()
                aria-invalid=invalid aria-describedby=problem_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| { value.set(event_target_value(&ev)); server.set(None); }
                on:blur=move |_| { if !value.get_untracked().is_empty() { touched.set(true); } } />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{shown_label}</label>
            {input}
            <p id=problem_id class="field-problem">{problem}</p>
        </div>
    }
}

/// A random idempotency key (the browser's UUID generator).
fn random_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{}", js_sys::Math::random().to_bits()))
}
