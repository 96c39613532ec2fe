//! Webhooks: the list (the file's marked read-only), a form that adds one (URL + event
//! checkboxes) and shows its signing secret once with a copy button, "Send a test", and
//! deleting after a confirmation. The secret is kept in this component's memory only until the
//! owner dismisses it.

use leptos::prelude::*;
use openslot_wire::admin::{NewWebhookJson, Origin, WebhookJson, WebhookTestJson};

use super::client::{Load, explain, load, session};
use crate::api::{Call, encode};
use crate::strings::admin as t;

/// The events a webhook can listen to (the server's list), the booking ones first.
const EVENTS: [&str; 8] = [
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.requested",
    "booking.declined",
    "booking.withdrawn",
    "source.failing",
    "source.recovered",
];

#[component]
pub fn Webhooks() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<WebhookJson>>::Loading);
    let refresh = move || load(session, "/admin/api/webhooks".to_owned(), list);
    refresh();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(
        EVENTS[..3]
            .iter()
            .map(|e| (*e).to_owned())
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<String>);
    let made = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let body =
            serde_json::json!({"url": url.get_untracked(), "events": chosen.get_untracked()});
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<NewWebhookJson>(Call::send("POST", "/admin/api/webhooks", &body))
                .await;
            match answer {
                Ok(w) => {
                    url.set(String::new());
                    made.set(Some(w.secret));
                    session.announce(t::WEBHOOK_MADE);
                    refresh();
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let delete = move |id: String| {
        confirming.set(None);
        let path = format!("/admin/api/webhooks/{}", encode(&id));
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<serde_json::Value>(Call {
                    method: "DELETE",
                    path,
                    ..Call::default()
                })
                .await;
            match answer {
                Ok(_) => {
                    session.announce(t::WEBHOOK_DELETED);
                    refresh();
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    let test = move |id: String| {
        let path = format!("/admin/api/webhooks/{}/test", encode(&id));
        let body = serde_json::json!({});
        leptos::task::spawn_local(async move {
            match session
                .send::<WebhookTestJson>(Call::send("POST", &path, &body))
                .await
            {
                Ok(r) => session.announce(t::webhook_tested(r.status)),
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    let copy = move |_| {
        let (Some(secret), Some(clipboard)) = (
            made.get_untracked(),
            web_sys::window().map(|w| w.navigator().clipboard()),
        ) else {
            return;
        };
        let promise = clipboard.write_text(&secret);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => session.announce(t::COPIED),
                Err(_) => session.announce(t::COPY_FAILED),
            }
        });
    };
    view! {
        <p class="hint">{t::WEBHOOKS_INTRO}</p>
        {move || made.get().map(|secret| view! {
            <div class="card new-key" role="group" aria-labelledby="new-secret-title">
                <h3 id="new-secret-title">{t::WEBHOOK_SECRET_ONCE}</h3>
                <div class="row">
                    <input id="new-webhook-secret" type="text" readonly value=secret spellcheck="false"
                        aria-labelledby="new-secret-title"/>
                    <button type="button" class="secondary" on:click=copy>{t::COPY}</button>
                </div>
                <button type="button" class="secondary" on:click=move |_| made.set(None)>{t::WEBHOOK_DONE}</button>
            </div>
        })}
        <form class="card webhook-form" on:submit=add>
            <h3>{t::WEBHOOK_ADD}</h3>
            <div class="fields">
                <div>
                    <label for="webhook-url">{t::WEBHOOK_URL}</label>
                    <input id="webhook-url" type="url" maxlength="2000" required
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev)) />
                </div>
                <fieldset>
                    <legend>{t::WEBHOOK_EVENTS}</legend>
                    {EVENTS.into_iter().map(|event| view! {
                        <label class="check">
                            <input type="checkbox"
                                prop:checked=move || chosen.get().iter().any(|e| e == event)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|e| e != event);
                                        if on { c.push(event.to_owned()); }
                                    });
                                }/>
                            " " <code>{event}</code>
                        </label>
                    }).collect_view()}
                </fieldset>
            </div>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary">{t::WEBHOOK_MAKE}</button>
        </form>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_WEBHOOKS}</p> }.into_any()
            }
            Load::Ready(rows) => view! {
                <ul class="webhooks">
                    {rows.into_iter().map(|w| webhook_row(w, confirming, test, delete)).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// One webhook: its address, events and origin; "Send a test"; delete (not the file's).
fn webhook_row(
    w: WebhookJson,
    confirming: RwSignal<Option<String>>,
    test: impl Fn(String) + Copy + Send + Sync + 'static,
    delete: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let from_file = w.origin == Origin::File;
    let origin = if from_file {
        t::WEBHOOK_FROM_FILE.to_owned()
    } else {
        t::webhook_made_by(w.created_by.as_deref().unwrap_or("dashboard"))
    };
    let (id, shown_url) = (w.id.clone(), w.url.clone());
    let tested = id.clone();
    let remove = (!from_file).then(|| {
        let asked = id.clone();
        view! {
            {move || if confirming.get().as_deref() == Some(asked.as_str()) {
                let id = asked.clone();
                view! {
                    <span class="confirm" role="group">
                        {t::WEBHOOK_DELETE_CONFIRM} " "
                        <button type="button" class="danger"
                            on:click=move |_| delete(id.clone())>{t::WEBHOOK_DELETE_YES}</button>
                        <button type="button" class="secondary"
                            on:click=move |_| confirming.set(None)>{t::WEBHOOK_KEEP}</button>
                    </span>
                }.into_any()
            } else {
                let id = asked.clone();
                view! {
                    <button type="button" class="secondary"
                        aria-label=t::delete_webhook(&shown_url)
                        on:click=move |_| confirming.set(Some(id.clone()))>
                        {t::WEBHOOK_DELETE}
                    </button>
                }.into_any()
            }}
        }
    });
    view! {
        <li class="webhook" class:read-only=from_file>
            <span>
                <code>{w.url.clone()}</code> " "
                <span>{w.events.join(", ")}</span> " "
                <span class="muted">{origin}</span>
            </span>
            <button type="button" class="secondary"
                on:click=move |_| test(tested.clone())>{t::WEBHOOK_TEST}</button>
            {remove}
        </li>
    }
}
