//! The login form: the owner's password gives a token (kept in sessionStorage).

use leptos::html;
use leptos::prelude::*;

use super::client::{explain, session};
use crate::api::{ApiError, Call};
use crate::strings::admin as t;
use openslot_wire::admin::SessionJson;

#[component]
pub fn Login() -> impl IntoView {
    let session = session();
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    // The password field takes the focus: it is the only thing to do here.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = serde_json::json!({ "password": password.get_untracked() });
        leptos::task::spawn_local(async move {
            let answer = Call::send("POST", "/admin/api/login", &body)
                .json::<SessionJson>()
                .await;
            busy.set(false);
            match answer {
                Ok(s) => {
                    password.set(String::new());
                    session.start(s.token);
                }
                Err(e) => {
                    let text = match &e {
                        ApiError::Status { status: 401, .. } => t::WRONG_PASSWORD.to_owned(),
                        ApiError::Status { status: 503, .. } => t::NO_PASSWORD.to_owned(),
                        other => explain(other),
                    };
                    error.set(Some(text));
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                        el.select();
                    }
                }
            }
        });
    };
    view! {
        <main id="admin-main" class="admin-login">
            <h1>{t::TITLE}</h1>
            <form on:submit=submit class="card" novalidate>
                <h2>{t::LOGIN_TITLE}</h2>
                {move || {
                    session
                        .notice
                        .get()
                        .map(|n| view! { <p class="notice" role="status">{n}</p> })
                }}
                <p class="hint" id="login-hint">{t::LOGIN_INTRO}</p>
                <label for="admin-password">{t::PASSWORD}</label>
                <input
                    id="admin-password"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required
                    aria-describedby="login-hint login-error"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    node_ref=input
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <p id="login-error" class="error" role="alert">
                    {move || error.get()}
                </p>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t::LOGGING_IN } else { t::LOGIN }}
                </button>
            </form>
        </main>
    }
}
