//! Connecting a Google or Microsoft account (or reconnecting a calendar): the sign-in page to
//! open (it sends the browser back to the admin listener) with a place to paste the address
//! when that redirect cannot arrive, or Microsoft's device code, polled until signed in; then
//! the account's calendars to pick one from, saved as a dashboard calendar.
//!
//! Invariant: the page never holds a token; it knows the connection's id only, kept in
//! sessionStorage while the browser is away on the sign-in page.

use leptos::prelude::*;

use super::client::{Session, explain, session};
use super::sources::CalendarChoices;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{AccountCalendarJson, ConnectionJson, ConnectionStatus, Flow};

const CONNECTION_KEY: &str = "openslot.admin.connection";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The connection the page was sent back with (`?connection=ID`), or the one started before the
/// browser left for the sign-in page.
pub fn pending_connection() -> Option<String> {
    let from_query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|p| p.strip_prefix("connection=").map(str::to_owned))
        });
    if from_query.is_some()
        && let Some(history) = web_sys::window().and_then(|w| w.history().ok())
    {
        // The id is not for bookmarks: the address goes back to the plain section.
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some("/admin/calendars"),
        );
    }
    from_query.or_else(|| storage().and_then(|s| s.get_item(CONNECTION_KEY).ok().flatten()))
}

/// Keeps (or forgets) the id of the sign-in in progress for this tab.
pub fn remember(id: Option<&str>) {
    if let Some(s) = storage() {
        let _ = match id {
            Some(id) => s.set_item(CONNECTION_KEY, id),
            None => s.remove_item(CONNECTION_KEY),
        };
    }
}

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Starts a sign-in; `source`: the calendar to reconnect.
pub async fn start(
    session: Session,
    service: &str,
    flow: Option<&str>,
    source: Option<&str>,
    write: bool,
) -> Result<ConnectionJson, String> {
    let mut body = serde_json::json!({"write": write});
    if let Some(f) = flow {
        body["flow"] = f.into();
    }
    if let Some(s) = source {
        body["source"] = s.into();
    }
    let path = format!("/admin/api/oauth/{}/start", encode(service));
    let c = session
        .send::<ConnectionJson>(Call::send("POST", path, &body))
        .await
        .map_err(|e| explain(&e))?;
    remember(Some(&c.id));
    Ok(c)
}

/// The panel of one connection; `done` runs when it was saved or given up.
#[component]
pub fn ConnectPanel(connection: ConnectionJson, done: Callback<bool>) -> impl IntoView {
    let session = session();
    let current = RwSignal::new(connection);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let calendars = RwSignal::new(None::<Vec<AccountCalendarJson>>);
    let picked = RwSignal::new(String::new());
    let id_field = RwSignal::new(String::new());
    let name_field = RwSignal::new(String::new());
    let alive = RwSignal::new(true);
    on_cleanup(move || alive.set(false));

    let load_calendars = move || {
        let id = current.get_untracked().id;
        leptos::task::spawn_local(async move {
            let path = format!("/admin/api/oauth/connections/{}/calendars", encode(&id));
            match session
                .send::<Vec<AccountCalendarJson>>(Call::get(path))
                .await
            {
                Ok(list) => {
                    if let Some(first) = list.iter().find(|c| c.primary).or(list.first()) {
                        picked.set(first.id.clone());
                    }
                    session.announce(t::found_calendars(list.len()));
                    calendars.set(Some(list));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let settle = move |c: ConnectionJson| {
        let authorized = c.status == ConnectionStatus::Authorized;
        let reconnect = c.source.is_some();
        current.set(c);
        if authorized {
            if reconnect {
                session.announce(t::RECONNECTED_READY);
            } else {
                load_calendars();
            }
        }
    };
    // Where it stands now (back from the sign-in page), then, while it waits for a device code,
    // again every two seconds; for each new sign-in the panel starts.
    let follow = move || {
        leptos::task::spawn_local(async move {
            loop {
                let id = current.get_untracked().id;
                let path = format!("/admin/api/oauth/connections/{}", encode(&id));
                match session.send::<ConnectionJson>(Call::get(path)).await {
                    Ok(c) => {
                        let waiting =
                            c.status == ConnectionStatus::Waiting && c.flow == Flow::Device;
                        if c.status != ConnectionStatus::Waiting {
                            remember(None);
                        }
                        if alive.get_untracked() {
                            settle(c);
                        }
                        if !waiting {
                            return;
                        }
                    }
                    Err(e) => {
                        remember(None);
                        if alive.get_untracked() {
                            error.set(Some(explain(&e)));
                        }
                        return;
                    }
                }
                sleep(2000).await;
                if !alive.get_untracked() || current.get_untracked().id != id {
                    return;
                }
            }
        })
    };
    follow();

    let paste = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let id = current.get_untracked().id;
        let body = serde_json::json!({"code": pasted.get_untracked()});
        leptos::task::spawn_local(async move {
            let path = format!("/admin/api/oauth/connections/{}/code", encode(&id));
            let answer = session
                .send::<ConnectionJson>(Call::send("POST", path, &body))
                .await;
            busy.set(false);
            match answer {
                Ok(c) => {
                    remember(None);
                    pasted.set(String::new());
                    settle(c);
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let redirect_instead = move |_| {
        let service = current.get_untracked().service;
        let source = current.get_untracked().source;
        leptos::task::spawn_local(async move {
            let write = current.get_untracked().write;
            match start(
                session,
                service.as_str(),
                Some(Flow::Redirect.as_str()),
                source.as_deref(),
                write,
            )
            .await
            {
                Ok(c) => {
                    current.set(c);
                    follow();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Writing bookings needs another permission: the sign-in starts again asking for it.
    let toggle_write = move |ev: leptos::ev::Event| {
        let write = event_target_checked(&ev);
        let old = current.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = session
                .send::<serde_json::Value>(Call {
                    method: "DELETE",
                    path: format!("/admin/api/oauth/connections/{}", encode(&old.id)),
                    ..Call::default()
                })
                .await;
            match start(
                session,
                old.service.as_str(),
                Some(old.flow.as_str()),
                None,
                write,
            )
            .await
            {
                Ok(c) => {
                    current.set(c);
                    follow();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let c = current.get_untracked();
        let mut body = serde_json::json!({});
        if c.source.is_none() {
            body["id"] = id_field.get_untracked().into();
            body["calendar"] = picked.get_untracked().into();
            let name = name_field.get_untracked();
            if !name.trim().is_empty() {
                body["name"] = name.into();
            }
        }
        leptos::task::spawn_local(async move {
            let path = format!("/admin/api/oauth/connections/{}/source", encode(&c.id));
            let answer = session
                .send::<serde_json::Value>(Call::send("POST", path, &body))
                .await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    session.announce(if c.source.is_some() {
                        t::SOURCE_RECONNECTED
                    } else {
                        t::SOURCE_SAVED
                    });
                    done.run(true);
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };

    let title = move || {
        let c = current.get();
        match &c.source {
            Some(s) => t::reconnect_source(s),
            None => t::connect(c.service),
        }
    };
    let write_choice = move || {
        let c = current.get();
        (c.status == ConnectionStatus::Waiting && c.source.is_none()).then(|| {
            view! {
                <label class="checkbox">
                    <input type="checkbox" prop:checked=c.write on:change=toggle_write />
                    " " {t::WRITE_BOOKINGS_ASK}
                </label>
            }
        })
    };
    let waiting = move || {
        let c = current.get();
        (c.status == ConnectionStatus::Waiting).then(|| {
            if c.flow == Flow::Device {
                let uri = c.verification_uri.clone().unwrap_or_default();
                let code = c.user_code.clone().unwrap_or_default();
                view! {
                    <div class="device">
                        <p>{t::device_steps(&uri, &code)}</p>
                        <p class="user-code"><a href=uri.clone() target="_blank"
                            rel="noopener noreferrer">{uri.clone()}</a>" "<strong>{code}</strong></p>
                        <p class="muted" aria-live="polite">{t::DEVICE_WAITING}</p>
                        <button type="button" class="secondary" on:click=redirect_instead>
                            {t::USE_REDIRECT}
                        </button>
                    </div>
                }
                .into_any()
            } else {
                let href = c.authorize_url.clone().unwrap_or_default();
                view! {
                    <div class="consent">
                        <p>{t::CONSENT_HINT}</p>
                        <p><a class="button primary" href=href>{t::OPEN_CONSENT}</a></p>
                        <form class="paste" on:submit=paste>
                            <p>{t::PASTE_HINT}</p>
                            <label for="connect-paste">{t::PASTE_LABEL}</label>
                            <input id="connect-paste" type="text" autocomplete="off" required
                                spellcheck="false"
                                prop:value=move || pasted.get()
                                on:input=move |ev| pasted.set(event_target_value(&ev)) />
                            <button type="submit" class="secondary" disabled=move || busy.get()>
                                {t::PASTE_SUBMIT}
                            </button>
                        </form>
                    </div>
                }
                .into_any()
            }
        })
    };
    let finished = move || {
        let c = current.get();
        match c.status {
            ConnectionStatus::Failed => Some(
                view! { <p class="error" role="alert">{c.error.clone().unwrap_or_default()}</p> }
                    .into_any(),
            ),
            ConnectionStatus::Expired => {
                Some(view! { <p class="error" role="alert">{t::CONNECT_EXPIRED}</p> }.into_any())
            }
            ConnectionStatus::Authorized if c.source.is_some() => Some(
                view! {
                    <form on:submit=save>
                        <p>{t::RECONNECTED_READY}</p>
                        <button type="submit" class="primary" disabled=move || busy.get()>
                            {t::SAVE_RECONNECT}
                        </button>
                    </form>
                }
                .into_any(),
            ),
            _ => None,
        }
    };
    let picker = move || {
        calendars.get().map(|list| {
            let choices = list
                .into_iter()
                .map(|c| (c.id.clone(), c.name.unwrap_or(c.id), c.color))
                .collect();
            view! {
                <form class="pick" on:submit=save>
                    <CalendarChoices legend=t::CONNECTED name="account-calendar"
                        choices=choices chosen=picked/>
                    <div class="fields">
                        <div>
                            <label for="connect-id">{t::SOURCE_ID}</label>
                            <input id="connect-id" type="text" required maxlength="64"
                                pattern="[a-z0-9_\\-]+"
                                prop:value=move || id_field.get()
                                on:input=move |ev| id_field.set(event_target_value(&ev)) />
                        </div>
                        <div>
                            <label for="connect-name">{t::SOURCE_NAME}</label>
                            <input id="connect-name" type="text"
                                prop:value=move || name_field.get()
                                on:input=move |ev| name_field.set(event_target_value(&ev)) />
                        </div>
                    </div>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { t::CHECKING } else { t::SAVE_SOURCE }}
                    </button>
                </form>
            }
        })
    };
    view! {
        <section class="card connect" aria-labelledby="connect-title">
            <h3 id="connect-title">{title}</h3>
            {write_choice}
            {waiting}
            {finished}
            {picker}
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="toolbar">
                <button type="button" class="secondary" on:click=move |_| {
                    remember(None);
                    // The server forgets it too (a device code is no longer polled).
                    let id = current.get_untracked().id;
                    leptos::task::spawn_local(async move {
                        let path = format!("/admin/api/oauth/connections/{}", encode(&id));
                        let _ = session
                            .send::<serde_json::Value>(Call {
                                method: "DELETE",
                                path,
                                ..Call::default()
                            })
                            .await;
                    });
                    done.run(false);
                }>{t::CLOSE}</button>
            </div>
        </section>
    }
}
