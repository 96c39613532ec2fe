//! The parts of an event type the rules editor's main fields leave out: where the meeting is
//! (video link per booking, address, phone), the owner's questions on the booking form, and
//! who confirms a booking. They are read from and written into the event type's document
//! (`PUT /admin/api/rules` checks them like the file: a problem is named by its key).

use leptos::prelude::*;
use serde_json::{Value, json};

use crate::strings::admin as t;

/// One question, as typed.
#[derive(Clone, Copy, Debug)]
struct QuestionRow {
    key: usize,
    id: RwSignal<String>,
    label: RwSignal<String>,
    /// `text` or `choice`.
    kind: RwSignal<String>,
    required: RwSignal<bool>,
    /// One choice per line.
    choices: RwSignal<String>,
}

impl QuestionRow {
    fn new(key: usize, v: &Value) -> Self {
        let s = |k: &str| RwSignal::new(v[k].as_str().unwrap_or_default().to_owned());
        let choices = v["choices"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        QuestionRow {
            key,
            id: s("id"),
            label: s("label"),
            kind: RwSignal::new(v["kind"].as_str().unwrap_or("text").to_owned()),
            required: RwSignal::new(v["required"].as_bool().unwrap_or(false)),
            choices: RwSignal::new(choices),
        }
    }

    fn to_json(self) -> Value {
        let label = self.label.get_untracked().trim().to_owned();
        let typed = self.id.get_untracked().trim().to_owned();
        let id = if typed.is_empty() {
            id_from(&label)
        } else {
            typed
        };
        let mut q = json!({
            "id": id,
            "label": label,
            "kind": self.kind.get_untracked(),
            "required": self.required.get_untracked(),
        });
        if self.kind.get_untracked() == "choice" {
            q["choices"] = json!(
                self.choices
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
            );
        }
        q
    }
}

/// A question's key made from its label when the owner leaves it empty: lower-case letters
/// and digits, words joined by `-` ("Your company" -> "your-company").
pub fn id_from(label: &str) -> String {
    let mut id = String::new();
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(&word.to_ascii_lowercase());
    }
    id.chars().take(64).collect()
}

/// Where, what is asked, who confirms: one event type's.
#[derive(Clone, Copy, Debug)]
pub struct DetailsForm {
    /// `` (not said), `video`, `address` or `phone`.
    location_kind: RwSignal<String>,
    location_value: RwSignal<String>,
    questions: RwSignal<Vec<QuestionRow>>,
    next_key: RwSignal<usize>,
    /// `none`, `email` or `owner`.
    confirm: RwSignal<String>,
    hold_minutes: RwSignal<String>,
    owner_hours: RwSignal<String>,
}

fn number_text(v: &Value) -> String {
    v.as_u64().map(|n| n.to_string()).unwrap_or_default()
}

impl DetailsForm {
    pub fn new(v: &Value) -> Self {
        let questions: Vec<QuestionRow> = v["questions"]
            .as_array()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, q)| QuestionRow::new(i, q))
                    .collect()
            })
            .unwrap_or_default();
        DetailsForm {
            location_kind: RwSignal::new(
                v["location"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            location_value: RwSignal::new(
                v["location"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            next_key: RwSignal::new(questions.len()),
            questions: RwSignal::new(questions),
            confirm: RwSignal::new(v["confirm"].as_str().unwrap_or("none").to_owned()),
            hold_minutes: RwSignal::new(number_text(&v["confirm_hold_minutes"])),
            owner_hours: RwSignal::new(number_text(&v["confirm_owner_hours"])),
        }
    }

    /// Writes the location, questions and confirmation into the event type's document `v`.
    pub fn write(self, v: &mut Value) {
        let Some(o) = v.as_object_mut() else {
            return;
        };
        for key in [
            "location",
            "questions",
            "confirm",
            "confirm_hold_minutes",
            "confirm_owner_hours",
        ] {
            o.remove(key);
        }
        let kind = self.location_kind.get_untracked();
        if !kind.is_empty() {
            o.insert(
                "location".into(),
                json!({ "kind": kind, "value": self.location_value.get_untracked().trim() }),
            );
        }
        let questions: Vec<Value> = self
            .questions
            .get_untracked()
            .into_iter()
            .map(QuestionRow::to_json)
            .collect();
        if !questions.is_empty() {
            o.insert("questions".into(), json!(questions));
        }
        let confirm = self.confirm.get_untracked();
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<u64>().ok();
        match confirm.as_str() {
            "email" => {
                if let Some(n) = number(self.hold_minutes) {
                    o.insert("confirm_hold_minutes".into(), json!(n));
                }
            }
            "owner" => {
                if let Some(n) = number(self.owner_hours) {
                    o.insert("confirm_owner_hours".into(), json!(n));
                }
            }
            _ => {}
        }
        if confirm != "none" {
            o.insert("confirm".into(), json!(confirm));
        }
    }
}

/// The fields of `details`; `prefix` makes their ids unique per event type.
#[component]
pub fn DetailsFields(details: DetailsForm, prefix: String) -> impl IntoView {
    let id = move |f: &str| format!("{prefix}-{f}");
    let add = move |_| {
        let key = details.next_key.get_untracked();
        details.next_key.set(key + 1);
        details
            .questions
            .update(|l| l.push(QuestionRow::new(key, &json!({}))));
    };
    let rows = move || -> Vec<(usize, QuestionRow)> {
        details.questions.get().into_iter().enumerate().collect()
    };
    let (kind_id, value_id, confirm_id) = (id("where"), id("where-value"), id("confirm"));
    let (hold_id, hours_id) = (id("hold"), id("owner-hours"));
    let value_hint = move || match details.location_kind.get().as_str() {
        "video" => t::WHERE_VIDEO_HINT,
        "address" => t::WHERE_ADDRESS_HINT,
        "phone" => t::WHERE_PHONE_HINT,
        _ => "",
    };
    view! {
        <fieldset class="details">
            <legend>{t::WHERE}</legend>
            <div class="fields">
                <div>
                    <label for=kind_id.clone()>{t::WHERE_KIND}</label>
                    <select id=kind_id on:change=move |ev| details.location_kind.set(event_target_value(&ev))>
                        {[("", t::WHERE_NONE), ("video", t::WHERE_VIDEO), ("address", t::WHERE_ADDRESS), ("phone", t::WHERE_PHONE)]
                            .into_iter()
                            .map(|(k, label)| view! {
                                <option value=k selected=move || details.location_kind.get() == k>{label}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || !details.location_kind.get().is_empty()>
                    <div>
                        <label for=value_id.clone()>{t::WHERE_VALUE}</label>
                        <input id=value_id.clone() type="text" prop:value=move || details.location_value.get()
                            on:input=move |ev| details.location_value.set(event_target_value(&ev))/>
                        <p class="hint small">{value_hint}</p>
                    </div>
                </Show>
            </div>
        </fieldset>
        <fieldset class="details">
            <legend>{t::QUESTIONS}</legend>
            <p class="hint small">{t::QUESTIONS_HINT}</p>
            <For
                each=rows
                key=|(i, q)| (*i, q.key)
                children=move |(i, q)| {
                    let qid = |f: &str| format!("{}-q{}-{f}", id("x"), q.key);
                    let remove = move |_| details.questions.update(|l| l.retain(|r| r.key != q.key));
                    let up = move |_| details.questions.update(|l| {
                        if let Some(p) = l.iter().position(|r| r.key == q.key).filter(|&p| p > 0) {
                            l.swap(p, p - 1);
                        }
                    });
                    let (label_id, kind_id, choices_id, key_id) = (qid("label"), qid("kind"), qid("choices"), qid("id"));
                    view! {
                        <div class="question" role="group" aria-label=t::question_n(i + 1)>
                            <div class="fields">
                                <div>
                                    <label for=label_id.clone()>{t::QUESTION_LABEL}</label>
                                    <input id=label_id type="text" prop:value=move || q.label.get()
                                        on:input=move |ev| q.label.set(event_target_value(&ev))/>
                                </div>
                                <div>
                                    <label for=kind_id.clone()>{t::QUESTION_KIND}</label>
                                    <select id=kind_id on:change=move |ev| q.kind.set(event_target_value(&ev))>
                                        <option value="text" selected=move || q.kind.get() == "text">{t::QUESTION_TEXT}</option>
                                        <option value="choice" selected=move || q.kind.get() == "choice">{t::QUESTION_CHOICE}</option>
                                    </select>
                                </div>
                                <div>
                                    <label for=key_id.clone()>{t::QUESTION_KEY}</label>
                                    <input id=key_id type="text" class="short" placeholder=move || id_from(&q.label.get())
                                        prop:value=move || q.id.get()
                                        on:input=move |ev| q.id.set(event_target_value(&ev))/>
                                </div>
                            </div>
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=move || q.required.get()
                                    on:change=move |ev| q.required.set(event_target_checked(&ev))/>
                                {t::QUESTION_REQUIRED}
                            </label>
                            <Show when=move || q.kind.get() == "choice">
                                <label for=choices_id.clone()>{t::QUESTION_CHOICES}</label>
                                <textarea id=choices_id.clone() rows="3" prop:value=move || q.choices.get()
                                    on:input=move |ev| q.choices.set(event_target_value(&ev))></textarea>
                            </Show>
                            <div class="row">
                                <button type="button" class="secondary" disabled=i == 0 on:click=up
                                    aria-label=t::question_up(i + 1)>{t::MOVE_UP}</button>
                                <button type="button" class="secondary" on:click=remove
                                    aria-label=t::question_remove(i + 1)>{t::REMOVE}</button>
                            </div>
                        </div>
                    }
                }
            />
            <button type="button" class="secondary" on:click=add>{t::ADD_QUESTION}</button>
        </fieldset>
        <fieldset class="details">
            <legend>{t::CONFIRM_LEGEND}</legend>
            <div class="fields">
                <div>
                    <label for=confirm_id.clone()>{t::CONFIRM_WHO}</label>
                    <select id=confirm_id on:change=move |ev| details.confirm.set(event_target_value(&ev))>
                        {[("none", t::CONFIRM_NONE), ("email", t::CONFIRM_EMAIL), ("owner", t::CONFIRM_OWNER)]
                            .into_iter()
                            .map(|(k, label)| view! {
                                <option value=k selected=move || details.confirm.get() == k>{label}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || details.confirm.get() == "email">
                    <div>
                        <label for=hold_id.clone()>{t::CONFIRM_HOLD}</label>
                        <input id=hold_id.clone() type="text" inputmode="numeric" class="short"
                            prop:value=move || details.hold_minutes.get()
                            on:input=move |ev| details.hold_minutes.set(event_target_value(&ev))/>
                    </div>
                </Show>
                <Show when=move || details.confirm.get() == "owner">
                    <div>
                        <label for=hours_id.clone()>{t::CONFIRM_OWNER_HOURS}</label>
                        <input id=hours_id.clone() type="text" inputmode="numeric" class="short"
                            prop:value=move || details.owner_hours.get()
                            on:input=move |ev| details.owner_hours.set(event_target_value(&ev))/>
                    </div>
                </Show>
            </div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_key_comes_from_its_label() {
        assert_eq!(id_from("Your company?"), "your-company");
        assert_eq!(id_from("  Größe / size  "), "gr-e-size");
        assert_eq!(id_from("???"), "");
    }

    #[test]
    fn location_questions_and_confirmation_are_written_back() {
        let owner = leptos::prelude::Owner::new();
        owner.with(|| {
            let loaded = json!({
                "slug": "intro",
                "location": {"kind": "video", "value": "https://meet.example.org/{booking_id}"},
                "questions": [{"id": "topic", "label": "Topic", "kind": "choice", "required": true,
                               "choices": ["A", "B"]}],
                "confirm": "email", "confirm_hold_minutes": 20,
            });
            let form = DetailsForm::new(&loaded);
            let mut out = json!({"slug": "intro"});
            form.write(&mut out);
            assert_eq!(out, loaded, "unchanged when nothing is edited");

            form.location_kind.set("address".into());
            form.location_value.set(" Main St 1 ".into());
            form.questions.update(|l| {
                l.push(QuestionRow::new(9, &json!({})));
            });
            let added = form.questions.get_untracked()[1];
            added.label.set("Your company".into());
            form.confirm.set("none".into());
            let mut out = json!({"slug": "intro"});
            form.write(&mut out);
            assert_eq!(out["location"], json!({"kind": "address", "value": "Main St 1"}));
            assert_eq!(
                out["questions"][1],
                json!({"id": "your-company", "label": "Your company", "kind": "text", "required": false})
            );
            assert!(out.get("confirm").is_none() && out.get("confirm_hold_minutes").is_none());

            form.location_kind.set(String::new());
            form.questions.set(Vec::new());
            let mut out = json!({"slug": "intro", "location": {"kind": "phone", "value": "1"}});
            form.write(&mut out);
            assert_eq!(out, json!({"slug": "intro"}), "removed");
        });
    }
}
