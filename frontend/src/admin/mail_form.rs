//! The mail server's settings, edited here while the configuration file has no `[mail]`: each
//! field with its note, the server's objections shown next to the field they name; saved, they
//! apply at once. The password is never shown: the field says whether one is saved, and left
//! empty keeps it.

use leptos::prelude::*;

use super::client::{Load, explain, session};
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::{MailBody, MailJson};

/// Objections by field (`reminder_hours[0]` counts as `reminder_hours`).
type Notes = RwSignal<Vec<(String, String)>>;

fn note_for(notes: Notes, field: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || {
        notes.with(|all| {
            let found: Vec<&str> = all
                .iter()
                .filter(|(f, _)| f.split('[').next() == Some(field))
                .map(|(_, r)| r.as_str())
                .collect();
            (!found.is_empty()).then(|| found.join("; "))
        })
    }
}

/// A whole number as typed: empty is none.
fn number<T: std::str::FromStr>(text: &str) -> Result<Option<T>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| ())
}

#[component]
pub fn MailForm(loaded: MailJson, settings: RwSignal<Load<MailJson>>) -> impl IntoView {
    let session = session();
    let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let host = text(&loaded.smtp_host);
    let port = RwSignal::new(loaded.smtp_port.map(|p| p.to_string()).unwrap_or_default());
    let tls = RwSignal::new(loaded.tls.clone().unwrap_or_else(|| "starttls".to_owned()));
    let user = text(&loaded.username);
    let password = RwSignal::new(String::new());
    let remove_password = RwSignal::new(false);
    let from = text(&loaded.from);
    let owner_copy = RwSignal::new(!loaded.configured || loaded.owner_copy);
    let reminders = RwSignal::new(
        loaded
            .reminder_hours
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    let limit = |n: u32, default: u32| {
        RwSignal::new(if loaded.configured { n } else { default }.to_string())
    };
    let per_address = limit(loaded.max_per_address_per_day, 5);
    let per_day = limit(loaded.max_per_day, 200);
    let (configured, password_set) = (loaded.configured, loaded.password_set);
    let notes: Notes = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(false);

    let answered = move |answer: Result<MailJson, crate::api::ApiError>, done: &str| {
        busy.set(false);
        match answer {
            Ok(saved) => {
                notes.set(Vec::new());
                error.set(None);
                session.announce(done.to_owned());
                settings.set(Load::Ready(saved));
            }
            Err(e) => {
                let fields: Vec<(String, String)> = e
                    .body()
                    .map(|b| {
                        b.fields
                            .iter()
                            .map(|f| (f.field.clone(), f.reason.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                // Forget is refused for an event type's sake: no field here to mark.
                let named = fields
                    .iter()
                    .any(|(f, _)| !f.is_empty() && !f.starts_with("event_types"));
                error.set(Some(if named {
                    t::MAIL_FIX_FIELDS.to_owned()
                } else {
                    explain(&e)
                }));
                notes.set(fields);
            }
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut local = Vec::new();
        let mut bad = |field: &str, why: &str| local.push((field.to_owned(), why.to_owned()));
        let smtp_port = number::<u16>(&port.get_untracked()).unwrap_or_else(|()| {
            bad("smtp_port", t::MAIL_PORT_INVALID);
            None
        });
        let reminder_hours: Vec<u32> = reminders
            .get_untracked()
            .split(',')
            .filter(|h| !h.trim().is_empty())
            .filter_map(|h| {
                number::<u32>(h).ok().flatten().or_else(|| {
                    bad("reminder_hours", t::MAIL_REMINDERS_INVALID);
                    None
                })
            })
            .collect();
        let mut limit = |field: &str, s: RwSignal<String>| {
            number::<u32>(&s.get_untracked()).unwrap_or_else(|()| {
                bad(field, t::MAIL_NUMBER_INVALID);
                None
            })
        };
        let max_per_address_per_day = limit("max_per_address_per_day", per_address);
        let max_per_day = limit("max_per_day", per_day);
        if !local.is_empty() {
            notes.set(local);
            error.set(Some(t::MAIL_FIX_FIELDS.to_owned()));
            return;
        }
        let typed = password.get_untracked();
        let body = MailBody {
            smtp_host: host.get_untracked().trim().to_owned(),
            smtp_port,
            tls: Some(tls.get_untracked()),
            username: Some(user.get_untracked().trim().to_owned()).filter(|u| !u.is_empty()),
            password: if remove_password.get_untracked() {
                Some(String::new())
            } else {
                Some(typed).filter(|p| !p.is_empty())
            },
            from: from.get_untracked().trim().to_owned(),
            owner_copy: Some(owner_copy.get_untracked()),
            reminder_hours,
            max_per_address_per_day,
            max_per_day,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let call = Call::send("PUT", "/admin/api/mail".to_owned(), &body);
            answered(session.send::<MailJson>(call).await, t::MAIL_SAVED);
        });
    };
    let forget = move |_| {
        busy.set(true);
        asking.set(false);
        leptos::task::spawn_local(async move {
            let call = Call {
                method: "DELETE",
                path: "/admin/api/mail".to_owned(),
                ..Call::default()
            };
            answered(session.send::<MailJson>(call).await, t::MAIL_FORGOTTEN);
        });
    };
    let field_note = move |field: &'static str, id: &'static str, hint: &'static str| {
        let note = note_for(notes, field);
        view! {
            <p class="hint small" id=id>{hint}</p>
            {move || note().map(|n| view! { <p class="error field-error" role="alert">{n}</p> })}
        }
    };
    let invalid = move |field: &'static str| move || note_for(notes, field)().is_some().to_string();
    view! {
        <form class="mail-form" on:submit=save novalidate>
            <p class="hint">{t::MAIL_EDIT_HINT}</p>
            <div class="fields">
                <TextField id="mail-host" label=t::MAIL_HOST field="smtp_host" hint="" value=host notes placeholder="smtp.example.org"/>
                <TextField id="mail-port" label=t::MAIL_PORT field="smtp_port" hint=t::MAIL_PORT_HINT value=port notes short=true numeric=true/>
                <div>
                    <label for="mail-tls">{t::MAIL_TLS}</label>
                    <select id="mail-tls" aria-describedby="mail-tls-note" aria-invalid=invalid("tls")
                        prop:value=move || tls.get() on:change=move |ev| tls.set(event_target_value(&ev))>
                        <option value="starttls">{t::MAIL_TLS_STARTTLS}</option>
                        <option value="tls">{t::MAIL_TLS_TLS}</option>
                        <option value="none">{t::MAIL_TLS_NONE}</option>
                    </select>
                    {field_note("tls", "mail-tls-note", "")}
                </div>
                <TextField id="mail-user" label=t::MAIL_USER field="username" hint=t::MAIL_USER_HINT value=user notes/>
                <div>
                    <label for="mail-password">{t::MAIL_PASSWORD}</label>
                    <input id="mail-password" type="password" autocomplete="new-password"
                        aria-describedby="mail-password-note" aria-invalid=invalid("password")
                        disabled=move || remove_password.get()
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                    {field_note("password", "mail-password-note",
                        if password_set { t::MAIL_PASSWORD_SAVED } else { t::MAIL_PASSWORD_NONE })}
                    {password_set.then(|| view! {
                        <label class="checkbox">
                            <input id="mail-password-remove" type="checkbox" prop:checked=move || remove_password.get()
                                on:change=move |ev| remove_password.set(event_target_checked(&ev))/>
                            " " {t::MAIL_PASSWORD_REMOVE}
                        </label>
                    })}
                </div>
                <TextField id="mail-from" label=t::MAIL_FROM field="from" hint=t::MAIL_FROM_HINT value=from notes placeholder="book@example.org"/>
                <TextField id="mail-reminders" label=t::MAIL_REMINDERS field="reminder_hours" hint=t::MAIL_REMINDERS_HINT value=reminders notes/>
                <TextField id="mail-per-address" label=t::MAIL_PER_ADDRESS field="max_per_address_per_day" hint="" value=per_address notes short=true numeric=true/>
                <TextField id="mail-per-day" label=t::MAIL_PER_DAY field="max_per_day" hint="" value=per_day notes short=true numeric=true/>
            </div>
            <label class="checkbox">
                <input id="mail-owner-copy" type="checkbox" prop:checked=move || owner_copy.get()
                    on:change=move |ev| owner_copy.set(event_target_checked(&ev))/>
                " " {t::MAIL_OWNER_COPY}
            </label>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="row">
                <button type="submit" class="primary" disabled=move || busy.get()>{t::MAIL_SAVE}</button>
                {configured.then(|| view! {
                    <button type="button" class="secondary" disabled=move || busy.get()
                        on:click=move |_| asking.set(true)>{t::MAIL_FORGET}</button>
                })}
            </div>
            {move || asking.get().then(|| view! {
                <div class="confirm" role="group">
                    <p>{t::MAIL_FORGET_ASK}</p>
                    <button type="button" class="danger" on:click=forget>{t::MAIL_FORGET_CONFIRM}</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>{t::MAIL_KEEP}</button>
                </div>
            })}
        </form>
    }
}

/// One text field with its label, its hint and the server's objection to it.
#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    /// The body's key the server names in its objections.
    field: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
    notes: Notes,
    #[prop(optional)] short: bool,
    #[prop(optional)] numeric: bool,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let note_id = format!("{id}-note");
    let note = note_for(notes, field);
    view! {
        <div>
            <label for=id>{label}</label>
            <input id=id type="text" autocomplete="off" class=short.then_some("short")
                inputmode=numeric.then_some("numeric") placeholder=placeholder
                aria-describedby=note_id.clone() aria-invalid=move || note().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <p class="hint small" id=note_id>{hint}</p>
            {move || note().map(|n| view! { <p class="error field-error" role="alert">{n}</p> })}
        </div>
    }
}
