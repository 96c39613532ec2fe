//! Integrators' API keys: the list (name, scopes, made, last used, revoked), a form that
//! makes one and shows the key once with a copy button, and revoking after a confirmation.
//! The key is kept in this component's memory only until the owner dismisses it.

use leptos::prelude::*;
use openslot_wire::admin::{ApiKeyJson as ApiKey, NewApiKeyJson};

use super::client::{Load, explain, load, session};
use crate::api::{Call, encode};
use crate::strings::admin as t;

const SCOPES: [(&str, &str); 3] = [
    ("slots:read", t::SCOPE_SLOTS),
    ("bookings:write", t::SCOPE_BOOKINGS),
    ("webhooks:manage", t::SCOPE_WEBHOOKS),
];

#[component]
pub fn ApiKeys() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<ApiKey>>::Loading);
    let refresh = move || load(session, "/admin/api/api-keys".to_owned(), list);
    refresh();
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec!["slots:read".to_owned(), "bookings:write".to_owned()]);
    let error = RwSignal::new(None::<String>);
    let made = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let body =
            serde_json::json!({"name": name.get_untracked(), "scopes": chosen.get_untracked()});
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<NewApiKeyJson>(Call::send("POST", "/admin/api/api-keys", &body))
                .await;
            match answer {
                Ok(k) => {
                    name.set(String::new());
                    made.set(Some(k.key));
                    session.announce(t::API_KEY_MADE);
                    refresh();
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let revoke = move |id: String| {
        confirming.set(None);
        let path = format!("/admin/api/api-keys/{}", encode(&id));
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
                    session.announce(t::API_KEY_REVOKED);
                    refresh();
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    let copy = move |_| {
        let (Some(key), Some(clipboard)) = (
            made.get_untracked(),
            web_sys::window().map(|w| w.navigator().clipboard()),
        ) else {
            return;
        };
        let promise = clipboard.write_text(&key);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => session.announce(t::COPIED),
                Err(_) => session.announce(t::COPY_FAILED),
            }
        });
    };
    view! {
        <super::security::SecuritySettings/>
        <p class="hint">{t::API_KEYS_INTRO}</p>
        {move || made.get().map(|key| view! {
            <div class="card new-key" role="group" aria-labelledby="new-key-title">
                <h3 id="new-key-title">{t::API_KEY_ONCE}</h3>
                <div class="row">
                    <input id="new-key" type="text" readonly value=key spellcheck="false"
                        aria-labelledby="new-key-title"/>
                    <button type="button" class="secondary" on:click=copy>{t::COPY}</button>
                </div>
                <button type="button" class="secondary" on:click=move |_| made.set(None)>{t::API_KEY_DONE}</button>
            </div>
        })}
        <form class="card api-key-form" on:submit=add>
            <h3>{t::API_KEY_ADD}</h3>
            <div class="fields">
                <div>
                    <label for="api-key-name">{t::API_KEY_NAME}</label>
                    <input id="api-key-name" type="text" maxlength="100" required
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <fieldset>
                    <legend>{t::API_KEY_SCOPES}</legend>
                    {SCOPES.into_iter().map(|(scope, label)| view! {
                        <label class="check">
                            <input type="checkbox"
                                prop:checked=move || chosen.get().iter().any(|s| s == scope)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|s| s != scope);
                                        if on { c.push(scope.to_owned()); }
                                    });
                                }/>
                            " " {label}
                        </label>
                    }).collect_view()}
                </fieldset>
            </div>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary">{t::API_KEY_MAKE}</button>
        </form>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_API_KEYS}</p> }.into_any()
            }
            Load::Ready(rows) => {
                let zone = session.zone.get_untracked();
                view! {
                    <ul class="api-keys">
                        {rows.into_iter().map(|k| {
                            let used = k.last_used_at.as_deref().map_or_else(
                                || t::API_KEY_NEVER_USED.to_owned(),
                                |at| t::api_key_used(&crate::time::moment(at, &zone)),
                            );
                            let (id, name) = (k.id.clone(), k.name.clone());
                            let state = match &k.revoked_at {
                                Some(at) => view! {
                                    <span class="muted">{t::api_key_revoked_at(&crate::time::moment(at, &zone))}</span>
                                }.into_any(),
                                None => {
                                    let asked = id.clone();
                                    view! {
                                        {move || if confirming.get().as_deref() == Some(asked.as_str()) {
                                            let id = asked.clone();
                                            view! {
                                                <span class="confirm" role="group">
                                                    {t::API_KEY_REVOKE_CONFIRM} " "
                                                    <button type="button" class="danger"
                                                        on:click=move |_| revoke(id.clone())>{t::API_KEY_REVOKE_YES}</button>
                                                    <button type="button" class="secondary"
                                                        on:click=move |_| confirming.set(None)>{t::API_KEY_KEEP}</button>
                                                </span>
                                            }.into_any()
                                        } else {
                                            let id = asked.clone();
                                            view! {
                                                <button type="button" class="secondary"
                                                    aria-label=t::revoke_api_key(&name)
                                                    on:click=move |_| confirming.set(Some(id.clone()))>
                                                    {t::API_KEY_REVOKE}
                                                </button>
                                            }.into_any()
                                        }}
                                    }.into_any()
                                }
                            };
                            view! {
                                <li class="api-key">
                                    <span>
                                        <strong>{k.name.clone()}</strong> " "
                                        <code>{format!("osk_{}_…", k.id)}</code> " "
                                        <span>{k.scopes.join(", ")}</span> " "
                                        <span class="muted">{used}</span>
                                    </span>
                                    {state}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}
