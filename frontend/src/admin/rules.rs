//! The availability rules and event types, read and edited. The form edits the API's document
//! (the configuration file's shape); the server checks it with the file's own checks and its
//! problems are shown keyed like the file's keys. "Reset" returns to the file's rules.

use leptos::prelude::*;
use serde_json::{Map, Value, json};

use super::client::{Load, explain, session};
use crate::api::{ApiError, Call};
use crate::strings::admin as t;
use openslot_wire::admin::RulesJson;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "09:00-12:00, 13:00-17:00" → the ranges.
fn ranges(text: &str) -> Vec<Value> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| json!(r))
        .collect()
}

fn ranges_text(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// A whole number as JSON; empty is absent; anything else goes as written, so that the
/// server names the key and what is wrong with it.
fn number(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.parse::<u64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
    )
}

fn number_text(v: &Value) -> String {
    v.as_u64().map(|n| n.to_string()).unwrap_or_default()
}

/// Lines of "2026-12-24: 09:00-12:00, 13:00-14:00" (nothing after the colon: a day off).
fn parse_overrides(text: &str) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (date, list) = line
            .split_once(':')
            .filter(|(d, _)| d.trim().len() == 10)
            .ok_or_else(|| t::bad_override(line))?;
        out.insert(date.trim().to_owned(), Value::Array(ranges(list)));
    }
    Ok(out)
}

fn overrides_text(v: &Value) -> String {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(d, r)| format!("{d}: {}", ranges_text(r)))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Lines of "Lunch | mon,tue | 12:00-13:00".
fn parse_recurring(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let [label, days, time] = parts[..] else {
                return Err(t::bad_recurring(line));
            };
            let days: Vec<Value> = days
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| json!(d))
                .collect();
            Ok(json!({"label": label, "days": days, "time": time}))
        })
        .collect()
}

fn recurring_text(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|b| {
                    let days: Vec<&str> = b["days"]
                        .as_array()
                        .map(|d| d.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    format!(
                        "{} | {} | {}",
                        b["label"].as_str().unwrap_or_default(),
                        days.join(","),
                        b["time"].as_str().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// One event type's fields, as typed.
#[derive(Clone, Copy, Debug)]
struct EventTypeForm {
    key: usize,
    slug: RwSignal<String>,
    title: RwSignal<String>,
    description: RwSignal<String>,
    duration: RwSignal<String>,
    step: RwSignal<String>,
    before: RwSignal<String>,
    after: RwSignal<String>,
    max: RwSignal<String>,
    /// Series the visitor may book: every week, every two weeks; at most this many sessions.
    weekly: RwSignal<bool>,
    every_2_weeks: RwSignal<bool>,
    max_sessions: RwSignal<String>,
    /// Where, the questions, who confirms (`event_details.rs`).
    details: super::event_details::DetailsForm,
    /// The event type as loaded: what this form does not edit is sent back unchanged.
    loaded: RwSignal<Value>,
}

const ET_NUMBERS: [&str; 5] = [
    "duration_minutes",
    "step_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "max_per_day",
];

impl EventTypeForm {
    fn new(key: usize, v: &Value) -> Self {
        let s = |k: &str| RwSignal::new(v[k].as_str().unwrap_or_default().to_owned());
        let n = |k: &str| RwSignal::new(number_text(&v[k]));
        EventTypeForm {
            key,
            slug: s("slug"),
            title: s("title"),
            description: s("description"),
            duration: n("duration_minutes"),
            step: n("step_minutes"),
            before: n("buffer_before_minutes"),
            after: n("buffer_after_minutes"),
            max: n("max_per_day"),
            weekly: RwSignal::new(repeats(v, "weekly")),
            every_2_weeks: RwSignal::new(repeats(v, "every_2_weeks")),
            max_sessions: n("max_sessions"),
            details: super::event_details::DetailsForm::new(v),
            loaded: RwSignal::new(v.clone()),
        }
    }

    fn numbers(&self) -> [RwSignal<String>; 5] {
        [self.duration, self.step, self.before, self.after, self.max]
    }

    fn to_json(self) -> Value {
        let mut v = match self.loaded.get_untracked() {
            Value::Object(o) => Value::Object(o),
            _ => json!({}),
        };
        v["slug"] = json!(self.slug.get_untracked().trim());
        v["title"] = json!(self.title.get_untracked().trim());
        v["description"] = json!(self.description.get_untracked().trim());
        for (key, field) in ET_NUMBERS.iter().zip(self.numbers()) {
            match (number(&field.get_untracked()), v.as_object_mut()) {
                (Some(n), _) => v[*key] = n,
                (None, Some(o)) => {
                    o.remove(*key);
                }
                (None, None) => {}
            }
        }
        let repeat: Vec<&str> = [
            ("weekly", self.weekly.get_untracked()),
            ("every_2_weeks", self.every_2_weeks.get_untracked()),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        if let Some(o) = v.as_object_mut() {
            o.remove("repeat");
            o.remove("max_sessions");
        }
        if !repeat.is_empty() {
            v["repeat"] = json!(repeat);
            if let Some(n) = number(&self.max_sessions.get_untracked()) {
                v["max_sessions"] = n;
            }
        }
        self.details.write(&mut v);
        v
    }
}

/// Whether the loaded event type offers series of `frequency`.
fn repeats(v: &Value, frequency: &str) -> bool {
    v["repeat"]
        .as_array()
        .is_some_and(|list| list.iter().any(|f| f == frequency))
}

/// One "from – to" row of a day's working hours (`HH:MM` as the time pickers give them).
#[derive(Clone, Copy, Debug)]
struct HoursRow {
    key: usize,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl HoursRow {
    fn new(key: usize, range: &str) -> Self {
        let (from, to) = range.split_once('-').unwrap_or(("", ""));
        HoursRow {
            key,
            from: RwSignal::new(from.trim().to_owned()),
            to: RwSignal::new(to.trim().to_owned()),
        }
    }
}

/// A problem's key in the owner's words where the form has them: the working hours'
/// `availability.working_hours.mon[0]` is "Monday, hours 1"; other keys as the file names them.
fn field_name(key: &str) -> String {
    let Some(rest) = key.strip_prefix("availability.working_hours.") else {
        return key.to_owned();
    };
    let (day, index) = rest.split_once('[').unwrap_or((rest, ""));
    let Some(name) = DAYS.iter().position(|d| *d == day).map(|i| t::DAY_NAMES[i]) else {
        return key.to_owned();
    };
    match index.trim_end_matches(']').parse::<usize>() {
        Ok(i) => format!("{name}, hours {}", i + 1),
        Err(_) => name.to_owned(),
    }
}

/// A day's rows as the document's ranges (`"09:00-17:00"`), or what is wrong in plain words.
fn day_ranges(day: &str, rows: &[(String, String)]) -> Result<Vec<Value>, String> {
    rows.iter()
        .filter(|(from, to)| !(from.is_empty() && to.is_empty()))
        .map(|(from, to)| {
            if from.is_empty() || to.is_empty() {
                Err(t::hours_need_both(day))
            } else if to <= from {
                Err(t::hours_end_after_start(day, from, to))
            } else {
                Ok(json!(format!("{from}-{to}")))
            }
        })
        .collect()
}

/// The whole form.
#[derive(Clone, Copy, Debug)]
struct Form {
    hours: [RwSignal<Vec<HoursRow>>; 7],
    overrides: RwSignal<String>,
    recurring: RwSignal<String>,
    limits: [RwSignal<String>; 5],
    event_types: RwSignal<Vec<EventTypeForm>>,
    next_key: RwSignal<usize>,
}

const LIMITS: [(&str, &str); 5] = [
    ("min_notice_minutes", t::MIN_NOTICE),
    ("horizon_days", t::HORIZON),
    ("buffer_before_minutes", t::BUFFER_BEFORE),
    ("buffer_after_minutes", t::BUFFER_AFTER),
    ("max_bookings_per_day", t::MAX_PER_DAY),
];

impl Form {
    fn new(doc: &Value) -> Self {
        let a = &doc["availability"];
        let types: Vec<EventTypeForm> = doc["event_types"]
            .as_array()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, e)| EventTypeForm::new(i, e))
                    .collect()
            })
            .unwrap_or_default();
        Form {
            hours: DAYS.map(|d| {
                let rows: Vec<HoursRow> = a["working_hours"][d]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .filter_map(Value::as_str)
                            .enumerate()
                            .map(|(i, r)| HoursRow::new(i, r))
                            .collect()
                    })
                    .unwrap_or_default();
                RwSignal::new(rows)
            }),
            overrides: RwSignal::new(overrides_text(&a["date_overrides"])),
            recurring: RwSignal::new(recurring_text(&a["blocks"])),
            limits: LIMITS.map(|(k, _)| RwSignal::new(number_text(&a[k]))),
            next_key: RwSignal::new(types.len()),
            event_types: RwSignal::new(types),
        }
    }

    /// The document to send, or what is wrong before sending.
    fn to_json(self) -> Result<Value, String> {
        let mut hours = Map::new();
        for ((d, h), name) in DAYS.iter().zip(self.hours).zip(t::DAY_NAMES) {
            let rows: Vec<(String, String)> = h
                .get_untracked()
                .iter()
                .map(|r| (r.from.get_untracked(), r.to.get_untracked()))
                .collect();
            hours.insert((*d).to_owned(), Value::Array(day_ranges(name, &rows)?));
        }
        let mut availability = json!({
            "working_hours": hours,
            "date_overrides": parse_overrides(&self.overrides.get_untracked())?,
            "blocks": parse_recurring(&self.recurring.get_untracked())?,
        });
        for ((key, _), field) in LIMITS.iter().zip(self.limits) {
            if let Some(n) = number(&field.get_untracked()) {
                availability[*key] = n;
            }
        }
        let event_types: Vec<Value> = self
            .event_types
            .get_untracked()
            .into_iter()
            .map(EventTypeForm::to_json)
            .collect();
        Ok(json!({"availability": availability, "event_types": event_types}))
    }
}

#[component]
pub fn RulesEditor() -> impl IntoView {
    let session = session();
    let rules = RwSignal::new(Load::<RulesJson>::Loading);
    super::client::load(session, "/admin/api/rules".to_owned(), rules);
    move || match rules.get() {
        Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
        Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Load::Ready(r) => view! { <RulesForm rules=r all=rules/> }.into_any(),
    }
}

#[component]
fn RulesForm(rules: RulesJson, all: RwSignal<Load<RulesJson>>) -> impl IntoView {
    let session = session();
    let form = Form::new(&serde_json::to_value(&rules.document).unwrap_or_default());
    let problems = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let problems_ref = NodeRef::<leptos::html::Div>::new();
    let show_problems = move |list: Vec<String>| {
        problems.set(list);
        request_animation_frame(move || {
            if let Some(el) = problems_ref.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let doc = match form.to_json() {
            Ok(doc) => doc,
            Err(e) => return show_problems(vec![e]),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<RulesJson>(Call::send("PUT", "/admin/api/rules", &doc))
                .await;
            busy.set(false);
            match answer {
                Ok(r) => {
                    problems.set(Vec::new());
                    session.announce(t::RULES_SAVED);
                    all.set(Load::Ready(r));
                }
                Err(ApiError::Status {
                    status: 422,
                    body: Some(body),
                    ..
                }) => show_problems(
                    body.fields
                        .iter()
                        .map(|f| {
                            if f.field.is_empty() {
                                f.reason.clone()
                            } else {
                                format!("{}: {}", field_name(&f.field), f.reason)
                            }
                        })
                        .collect(),
                ),
                Err(e) => show_problems(vec![explain(&e)]),
            }
        });
    };
    let reset = move |_| {
        let sure = web_sys::window()
            .and_then(|w| w.confirm_with_message(t::RESET_CONFIRM).ok())
            .unwrap_or(false);
        if !sure {
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<RulesJson>(Call {
                    method: "DELETE",
                    path: "/admin/api/rules".to_owned(),
                    ..Call::default()
                })
                .await;
            match answer {
                Ok(r) => {
                    session.announce(t::RULES_RESET);
                    all.set(Load::Ready(r));
                }
                Err(e) => show_problems(vec![explain(&e)]),
            }
        });
    };
    let add_type = move |_| {
        let key = form.next_key.get_untracked();
        form.next_key.set(key + 1);
        let mut et = EventTypeForm::new(key, &json!({"duration_minutes": 30}));
        et.title = RwSignal::new(t::new_event_type(key + 1));
        form.event_types.update(|l| l.push(et));
    };
    let from_dashboard = rules.source == openslot_wire::admin::Origin::Dashboard;
    let text_field = move |id: String,
                           label: &'static str,
                           value: RwSignal<String>,
                           hint: Option<&'static str>| {
        let hint_id = format!("{id}-hint");
        view! {
            <div>
                <label for=id.clone()>{label}</label>
                <input id=id type="text"
                    aria-describedby=hint.map(|_| hint_id.clone())
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                {hint.map(|h| view! { <p class="hint small" id=hint_id.clone()>{h}</p> })}
            </div>
        }
    };
    let number_field = move |id: String, label: &'static str, value: RwSignal<String>| {
        view! {
            <div>
                <label for=id.clone()>{label}</label>
                <input id=id type="text" inputmode="numeric" class="short"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <p class="hint">
            {if from_dashboard { t::RULES_FROM_DASHBOARD } else { t::RULES_FROM_FILE }}
            " "
            {t::times_in(&rules.timezone)}
        </p>
        <form class="rules" on:submit=save novalidate>
            <div class="problems" tabindex="-1" node_ref=problems_ref role="alert">
                {move || {
                    let list = problems.get();
                    (!list.is_empty()).then(|| view! {
                        <p>{t::RULES_INVALID}</p>
                        <ul>{list.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    })
                }}
            </div>
            <fieldset class="card">
                <legend>{t::WORKING_HOURS}</legend>
                <p class="hint small" id="hours-hint">{t::HOURS_PICKER_HINT}</p>
                <div class="days">
                    {DAYS
                        .iter()
                        .zip(form.hours)
                        .zip(t::DAY_NAMES)
                        .map(|((d, h), name)| {
                            let add = move |_| {
                                h.update(|rows| {
                                    let key = rows.iter().map(|r| r.key + 1).max().unwrap_or(0);
                                    rows.push(HoursRow::new(key, ""));
                                });
                            };
                            view! {
                                <div class="day-hours" id=format!("hours-{d}")>
                                    <p><strong>{name}</strong></p>
                                    {move || {
                                        h.get()
                                            .into_iter()
                                            .enumerate()
                                            .map(|(i, row)| {
                                                let key = row.key;
                                                let remove = move |_| {
                                                    h.update(|rows| rows.retain(|r| r.key != key));
                                                };
                                                view! {
                                                    <div class="hours-row">
                                                        <input type="time"
                                                            aria-label=t::hours_from_on(name, i + 1)
                                                            prop:value=move || row.from.get()
                                                            on:input=move |ev| row.from.set(event_target_value(&ev)) />
                                                        " " {t::HOURS_TO} " "
                                                        <input type="time"
                                                            aria-label=t::hours_to_on(name, i + 1)
                                                            prop:value=move || row.to.get()
                                                            on:input=move |ev| row.to.set(event_target_value(&ev)) />
                                                        " "
                                                        <button type="button" class="secondary"
                                                            aria-label=t::remove_hours_on(name, i + 1)
                                                            on:click=remove>
                                                            {t::REMOVE}
                                                        </button>
                                                    </div>
                                                }
                                            })
                                            .collect_view()
                                    }}
                                    <button type="button" class="secondary"
                                        aria-label=t::add_hours_on(name)
                                        on:click=add>
                                        {t::ADD_HOURS}
                                    </button>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <fieldset class="card">
                <legend>{t::OVERRIDES}</legend>
                <label for="rules-overrides" class="sr-only">{t::OVERRIDES}</label>
                <p class="hint small" id="overrides-hint">{t::OVERRIDES_HINT}</p>
                <textarea id="rules-overrides" rows="3" aria-describedby="overrides-hint"
                    prop:value=move || form.overrides.get()
                    on:input=move |ev| form.overrides.set(event_target_value(&ev))></textarea>
                <label for="rules-recurring">{t::RECURRING}</label>
                <p class="hint small" id="recurring-hint">{t::RECURRING_HINT}</p>
                <textarea id="rules-recurring" rows="3" aria-describedby="recurring-hint"
                    prop:value=move || form.recurring.get()
                    on:input=move |ev| form.recurring.set(event_target_value(&ev))></textarea>
            </fieldset>
            <fieldset class="card">
                <legend>{t::LIMITS}</legend>
                <div class="fields">
                    {LIMITS
                        .iter()
                        .zip(form.limits)
                        .map(|((k, label), v)| number_field(format!("limit-{k}"), label, v))
                        .collect_view()}
                </div>
            </fieldset>
            <h3>{t::EVENT_TYPES}</h3>
            <For
                each=move || form.event_types.get()
                key=|et| et.key
                children=move |et| {
                    let k = et.key;
                    let remove = move |_| form.event_types.update(|l| l.retain(|e| e.key != k));
                    let id = |f: &str| format!("et-{k}-{f}");
                    view! {
                        <fieldset class="card event-type">
                            <legend>{move || et.title.get()}</legend>
                            <div class="fields">
                                {text_field(id("slug"), t::SLUG, et.slug, None)}
                                {text_field(id("title"), t::EVENT_TITLE, et.title, None)}
                                {text_field(id("description"), t::DESCRIPTION, et.description, None)}
                                {number_field(id("duration"), t::DURATION, et.duration)}
                                {number_field(id("step"), t::STEP, et.step)}
                                {number_field(id("before"), t::ET_BUFFER_BEFORE, et.before)}
                                {number_field(id("after"), t::ET_BUFFER_AFTER, et.after)}
                                {number_field(id("max"), t::ET_MAX_PER_DAY, et.max)}
                            </div>
                            <fieldset class="series">
                                <legend>{t::SERIES}</legend>
                                <label class="checkbox">
                                    <input type="checkbox" prop:checked=move || et.weekly.get()
                                        on:change=move |ev| et.weekly.set(event_target_checked(&ev))/>
                                    {t::SERIES_WEEKLY}
                                </label>
                                <label class="checkbox">
                                    <input type="checkbox" prop:checked=move || et.every_2_weeks.get()
                                        on:change=move |ev| et.every_2_weeks.set(event_target_checked(&ev))/>
                                    {t::SERIES_EVERY_2_WEEKS}
                                </label>
                                {number_field(id("max-sessions"), t::MAX_SESSIONS, et.max_sessions)}
                            </fieldset>
                            <super::event_details::DetailsFields details=et.details prefix=id("d")/>
                            <button type="button" class="secondary" on:click=remove>
                                {t::REMOVE_EVENT_TYPE}
                            </button>
                        </fieldset>
                    }
                }
            />
            <div class="row">
                <button type="button" class="secondary" on:click=add_type>{t::ADD_EVENT_TYPE}</button>
            </div>
            <div class="row actions">
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t::SAVING } else { t::SAVE_RULES }}
                </button>
                {from_dashboard.then(|| view! {
                    <button type="button" class="danger" on:click=reset>{t::RESET_RULES}</button>
                })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_recurring_blocks_read_their_lines() {
        let o = parse_overrides("2026-12-24: 09:00-12:00, 13:00-14:00\n\n2026-12-25:\n").unwrap();
        assert_eq!(o["2026-12-24"], json!(["09:00-12:00", "13:00-14:00"]));
        assert_eq!(o["2026-12-25"], json!([]));
        assert_eq!(
            overrides_text(&Value::Object(o)),
            "2026-12-24: 09:00-12:00, 13:00-14:00\n2026-12-25: "
        );
        assert!(parse_overrides("christmas 09:00-12:00").is_err());
        assert!(
            parse_overrides("12:00-13:00").is_err(),
            "not a date before the colon"
        );

        let b = parse_recurring("Lunch | mon, tue | 12:00-13:00").unwrap();
        assert_eq!(
            b,
            vec![json!({"label": "Lunch", "days": ["mon", "tue"], "time": "12:00-13:00"})]
        );
        assert_eq!(
            recurring_text(&Value::Array(b)),
            "Lunch | mon,tue | 12:00-13:00"
        );
        assert!(parse_recurring("Lunch | 12:00-13:00").is_err());
    }

    #[test]
    fn numbers_go_as_numbers_and_anything_else_as_written() {
        assert_eq!(number(" 30 "), Some(json!(30)));
        assert_eq!(number(""), None);
        assert_eq!(number("-5"), Some(json!("-5")), "the server names the key");
        assert_eq!(
            ranges("09:00-12:00,, 13:00-17:00 "),
            vec![json!("09:00-12:00"), json!("13:00-17:00")]
        );
    }

    #[test]
    fn series_are_edited_and_what_the_form_does_not_edit_is_sent_back() {
        let loaded = json!({
            "slug": "coaching", "title": "Coaching", "description": "", "duration_minutes": 60,
            "max_per_day": 2, "repeat": ["weekly"], "max_sessions": 4,
            "location": {"kind": "phone", "value": "+49 30 1"},
        });
        let form = EventTypeForm::new(0, &loaded);
        form.title.set("Coaching session".into());
        form.max.set(String::new());
        let sent = form.to_json();
        assert_eq!(sent["title"], "Coaching session");
        assert_eq!(sent["repeat"], json!(["weekly"]));
        assert_eq!(sent["max_sessions"], 4);
        assert!(
            sent.get("max_per_day").is_none(),
            "an emptied number is left out"
        );
        assert_eq!(
            sent["location"]["kind"], "phone",
            "kept though not edited here"
        );

        form.every_2_weeks.set(true);
        assert_eq!(form.to_json()["repeat"], json!(["weekly", "every_2_weeks"]));
        form.weekly.set(false);
        form.every_2_weeks.set(false);
        let none = form.to_json();
        assert!(
            none.get("repeat").is_none() && none.get("max_sessions").is_none(),
            "{none}"
        );
    }

    /// The time pickers' rows become the document's ranges; a wrong row is said in plain words.
    #[test]
    fn hours_rows_become_ranges_or_plain_words() {
        let row = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            day_ranges(
                "Monday",
                &[row("09:00", "12:00"), row("", ""), row("13:00", "17:00")]
            ),
            Ok(vec![json!("09:00-12:00"), json!("13:00-17:00")])
        );
        assert_eq!(
            day_ranges("Monday", &[row("17:00", "09:00")]),
            Err("Monday: the end (09:00) must be after the start (17:00).".to_owned())
        );
        assert_eq!(
            day_ranges("Friday", &[row("09:00", "")]),
            Err("Friday: give both a start and an end time.".to_owned())
        );
    }

    /// The server's keys for the working hours read as the form names them.
    #[test]
    fn hour_keys_read_as_the_form_names_them() {
        assert_eq!(
            field_name("availability.working_hours.mon[0]"),
            "Monday, hours 1"
        );
        assert_eq!(field_name("availability.working_hours.sun"), "Sunday");
        assert_eq!(
            field_name("availability.horizon_days"),
            "availability.horizon_days"
        );
    }
}
