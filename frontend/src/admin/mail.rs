//! The mail settings: the file's `[mail]` shown read-only (never the password), or, while the
//! file has none, the form that sets them (`mail_form.rs`); "Send a test mail" with the
//! settings in effect; above the delivery log (`[security]`: `security.rs`).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::mail_form::MailForm;
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::{MailJson, TestMailJson};

#[component]
pub fn MailSettings() -> impl IntoView {
    let session = session();
    let settings = RwSignal::new(Load::<MailJson>::Loading);
    load(session, "/admin/api/mail".to_owned(), settings);
    view! {
        <section class="card mail-settings" aria-labelledby="mail-title">
            <h3 id="mail-title">{t::MAIL_TITLE}</h3>
            {move || match settings.get() {
                Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Load::Ready(m) if !m.from_file => view! {
                    {(!m.configured).then(|| view! { <p class="hint">{t::MAIL_OFF}</p> })}
                    <MailForm loaded=m.clone() settings/>
                    {m.configured.then(|| view! { <TestMail/> })}
                }
                .into_any(),
                Load::Ready(m) => {
                    let server = format!(
                        "{}:{} ({})",
                        m.smtp_host.clone().unwrap_or_default(),
                        m.smtp_port.unwrap_or_default(),
                        m.tls.clone().unwrap_or_default()
                    );
                    let reminders = if m.reminder_hours.is_empty() {
                        t::NONE.to_owned()
                    } else {
                        t::hours_before(&m.reminder_hours)
                    };
                    view! {
                        <p class="hint">{t::FROM_FILE}</p>
                        <dl class="answers">
                            <dt>{t::MAIL_SERVER}</dt><dd>{server}</dd>
                            <dt>{t::MAIL_USER}</dt><dd>{m.username.clone().unwrap_or_else(|| t::NONE.to_owned())}</dd>
                            <dt>{t::MAIL_FROM}</dt><dd>{m.from.clone().unwrap_or_default()}</dd>
                            <dt>{t::MAIL_OWNER}</dt><dd>{m.owner_email.clone()}{m.owner_copy.then_some(t::OWNER_COPY)}</dd>
                            <dt>{t::MAIL_REMINDERS}</dt><dd>{reminders}</dd>
                            <dt>{t::MAIL_LIMITS}</dt><dd>{t::mail_limits(m.max_per_address_per_day, m.max_per_day)}</dd>
                        </dl>
                        <TestMail/>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// "Send a test mail": one mail to the owner now, with the settings in effect.
#[component]
fn TestMail() -> impl IntoView {
    let session = session();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<(bool, String)>);
    let send = move |_| {
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let call = Call {
                method: "POST",
                path: "/admin/api/mail/test".to_owned(),
                ..Call::default()
            };
            let answer = session.send::<TestMailJson>(call).await;
            busy.set(false);
            let said = match answer {
                Ok(sent) => (true, t::test_mail_sent(&sent.sent_to)),
                Err(e) => (false, explain(&e)),
            };
            session.announce(said.1.clone());
            outcome.set(Some(said));
        });
    };
    view! {
        <button type="button" class="secondary test-mail" disabled=move || busy.get() on:click=send>
            {t::SEND_TEST_MAIL}
        </button>
        {move || outcome.get().map(|(ok, text)| view! {
            <p class=if ok { "ok" } else { "error" }>{text}</p>
        })}
    }
}
