//! The calendars: status, age of the data, the last error, and "sync now"; adding, editing and
//! removing the calendars kept in the dashboard (the configuration file's are read-only here).
//! A CalDAV server is asked for its calendars first, and one is picked from the list; Google
//! and Microsoft accounts are connected (`connect.rs`) and one of their calendars picked.

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::connect::{ConnectPanel, pending_connection, remember, start};
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{
    CalendarJson, ConnectionJson, ServiceJson, SourceBody, SourceJson, SourceKind, SourceSettings,
};

#[component]
pub fn Sources() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<SourceJson>>::Loading);
    let refresh = move || load(session, "/admin/api/sources".to_owned(), list);
    refresh();
    let busy = RwSignal::new(false);
    // The form: closed, adding (None) or editing a source.
    let form = RwSignal::new(None::<Option<SourceJson>>);
    let sync = move |_| {
        busy.set(true);
        session.announce(t::SYNCING);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<Vec<SourceJson>>(Call {
                    method: "POST",
                    path: "/admin/api/sources/sync".to_owned(),
                    ..Call::default()
                })
                .await;
            busy.set(false);
            match answer {
                Ok(rows) => {
                    list.set(Load::Ready(rows));
                    session.announce(t::SYNCED);
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    let done = Callback::new(move |()| {
        form.set(None);
        refresh();
    });
    let edit = Callback::new(move |s: SourceJson| form.set(Some(Some(s))));
    // Google and Microsoft: the services the file configures, and the sign-in in progress.
    let services = RwSignal::new(Vec::<ServiceJson>::new());
    let connecting = RwSignal::new(None::<ConnectionJson>);
    leptos::task::spawn_local(async move {
        if let Ok(list) = session
            .send::<Vec<ServiceJson>>(Call::get("/admin/api/oauth/services"))
            .await
        {
            services.set(list);
        }
    });
    if let Some(id) = pending_connection() {
        leptos::task::spawn_local(async move {
            let path = format!("/admin/api/oauth/connections/{}", encode(&id));
            match session.send::<ConnectionJson>(Call::get(path)).await {
                Ok(c) => connecting.set(Some(c)),
                Err(e) => {
                    remember(None);
                    session.announce(explain(&e));
                }
            }
        });
    }
    let begin = move |service: String, source: Option<String>| {
        leptos::task::spawn_local(async move {
            match start(session, &service, None, source.as_deref(), false).await {
                Ok(c) => connecting.set(Some(c)),
                Err(e) => session.announce(e),
            }
        });
    };
    let reconnect =
        Callback::new(move |s: SourceJson| begin(s.kind.as_str().to_owned(), Some(s.id.clone())));
    let connected = Callback::new(move |saved: bool| {
        connecting.set(None);
        if saved {
            refresh();
        }
    });
    view! {
        <div class="toolbar">
            <button type="button" class="primary" on:click=sync disabled=move || busy.get()>
                {move || if busy.get() { t::SYNCING } else { t::SYNC_NOW }}
            </button>
            <button type="button" class="secondary" on:click=move |_| form.set(Some(None))>
                {t::ADD_SOURCE}
            </button>
            {move || services.get().into_iter().map(|s| {
                let service = s.service.as_str().to_owned();
                view! {
                    <button type="button" class="secondary"
                        on:click=move |_| begin(service.clone(), None)>
                        {t::connect(s.service)}
                    </button>
                }
            }).collect_view()}
        </div>
        {move || connecting.get().map(|c| view! { <ConnectPanel connection=c done=connected/> })}
        {move || form.get().map(|editing| view! { <SourceForm editing=editing done=done/> })}
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_SOURCES}</p> }.into_any()
            }
            Load::Ready(rows) => {
                view! {
                    <ul class="sources">
                        {rows
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <SourceCard source=s edit=edit done=done reconnect=reconnect/>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn SourceCard(
    source: SourceJson,
    edit: Callback<SourceJson>,
    done: Callback<()>,
    reconnect: Callback<SourceJson>,
) -> impl IntoView {
    let session = session();
    let state = if source.reconnect_needed == Some(true) {
        t::RECONNECT_NEEDED
    } else if source.healthy {
        t::HEALTHY
    } else {
        t::UNHEALTHY
    };
    let state_class = if source.healthy {
        "badge badge-ok"
    } else {
        "badge badge-bad"
    };
    let age = source
        .age_seconds
        .map_or_else(|| t::NEVER.to_owned(), t::age);
    let label = source.label().to_owned();
    let origin = if source.is_dashboard() {
        t::FROM_DASHBOARD
    } else {
        t::FROM_FILE
    };
    let actions = source.is_dashboard().then(|| {
        let id = source.id.clone();
        let remove = move |_| {
            let path = format!("/admin/api/sources/{}", encode(&id));
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
                        session.announce(t::SOURCE_REMOVED);
                        done.run(());
                    }
                    Err(e) => session.announce(explain(&e)),
                }
            });
        };
        let editable = source.clone();
        let shadowed = source.shadowed;
        let oauth = matches!(source.kind, SourceKind::Google | SourceKind::Microsoft);
        let again = source.clone();
        view! {
            <div class="toolbar">
                {(oauth && !shadowed).then(|| view! {
                    <button type="button"
                        class=if again.reconnect_needed == Some(true) { "primary" } else { "secondary" }
                        aria-label=t::reconnect_source(&label)
                        on:click=move |_| reconnect.run(again.clone())>
                        {t::RECONNECT}
                    </button>
                })}
                {(!shadowed && !oauth).then(|| view! {
                    <button type="button" class="secondary"
                        aria-label=t::edit_source(&label)
                        on:click=move |_| edit.run(editable.clone())>
                        {t::EDIT}
                    </button>
                })}
                <button type="button" class="secondary"
                    aria-label=t::remove_source(&label)
                    on:click=remove>
                    {t::REMOVE}
                </button>
            </div>
        }
    });
    view! {
        <li class="card source" class:is-unhealthy=!source.healthy>
            <div class="booking-head">
                <h3>{source.label().to_owned()}</h3>
                <span class=state_class>{state}</span>
            </div>
            <p class="muted">{origin}</p>
            {source.shadowed.then(|| view! { <p class="error">{t::SHADOWED}</p> })}
            <p class="summary">{source.summary.clone()}</p>
            <dl class="facts">
                <dt>{t::KIND}</dt>
                <dd>{source.kind.as_str()}</dd>
                <dt>{t::LAST_SYNC}</dt>
                <dd>{age}</dd>
                <dt>{t::EVENTS}</dt>
                <dd>{source.event_count.unwrap_or_default()}</dd>
                {source.failing_since.clone().map(|since| {
                    let zone = session.zone.get_untracked();
                    view! {
                        <dt>{t::FAILING_SINCE}</dt>
                        <dd class="error">{crate::time::moment(&since, &zone)}</dd>
                    }
                })}
                <dt>{t::LAST_ERROR}</dt>
                <dd class:error=source.last_error.is_some()>
                    {source.last_error.clone().unwrap_or_else(|| "—".to_owned())}
                </dd>
            </dl>
            {(source.writable == Some(true)).then(|| view! { <p class="muted">{t::WRITABLE}</p> })}
            {source.blocks_booking.then(|| view! { <p class="error">{t::BLOCKS_BOOKING}</p> })}
            {(source.reconnect_needed == Some(true)).then(|| view! {
                <div class="notice reconnect" role="note">
                    <p><strong>{t::RECONNECT_NEEDED}</strong></p>
                    <p>{t::RECONNECT_WHY}</p>
                </div>
            })}
            {actions}
        </li>
    }
}

/// Adding (`editing` = None) or editing a dashboard calendar. Saving checks it on the server
/// (a first sync); the answer's message is shown when that fails.
#[component]
fn SourceForm(editing: Option<SourceJson>, done: Callback<()>) -> impl IntoView {
    let session = session();
    let existing = editing.clone();
    let settings = existing
        .as_ref()
        .and_then(|s| s.settings.clone())
        .unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let id = RwSignal::new(existing.as_ref().map(|s| s.id.clone()).unwrap_or_default());
    let name = RwSignal::new(text(&settings.name));
    let kind = RwSignal::new(
        existing
            .as_ref()
            .map_or_else(|| "caldav".to_owned(), |s| s.kind.as_str().to_owned()),
    );
    let url = RwSignal::new(text(&settings.url));
    let username = RwSignal::new(text(&settings.username));
    let password = RwSignal::new(String::new());
    let calendar = RwSignal::new(text(&settings.calendar));
    let write = RwSignal::new(existing.as_ref().and_then(|s| s.writable) == Some(true));
    let has_secret = existing.as_ref().and_then(|s| s.has_secret) == Some(true);
    let found = RwSignal::new(None::<Vec<CalendarJson>>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let is_edit = editing.is_some();
    let caldav = move || kind.get() == "caldav";

    let find = move |_| {
        error.set(None);
        busy.set(true);
        let body = serde_json::json!({
            "url": url.get_untracked(),
            "username": Some(username.get_untracked()).filter(|u| !u.is_empty()),
            "password": Some(password.get_untracked()).filter(|p| !p.is_empty()),
        });
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<Vec<CalendarJson>>(Call::send("POST", "/admin/api/caldav/calendars", &body))
                .await;
            busy.set(false);
            match answer {
                Ok(list) => {
                    session.announce(if list.is_empty() {
                        t::NO_CALENDARS.to_owned()
                    } else {
                        t::found_calendars(list.len())
                    });
                    if calendar.get_untracked().is_empty()
                        && let Some(first) = list.first()
                    {
                        calendar.set(first.href.clone());
                    }
                    found.set(Some(list));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let is_caldav = kind.get_untracked() == "caldav";
        let text = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        let body = SourceBody {
            settings: SourceSettings {
                id: id.get_untracked(),
                kind: if is_caldav {
                    SourceKind::Caldav
                } else {
                    SourceKind::Ics
                },
                url: Some(url.get_untracked()),
                name: text(name.get_untracked()),
                username: text(username.get_untracked()).filter(|_| is_caldav),
                calendar: text(calendar.get_untracked()).filter(|_| is_caldav),
                write: is_caldav.then(|| write.get_untracked()),
                ..SourceSettings::default()
            },
            password: text(password.get_untracked()),
            token: None,
        };
        let (method, path) = if is_edit {
            (
                "PUT",
                format!("/admin/api/sources/{}", encode(&id.get_untracked())),
            )
        } else {
            ("POST", "/admin/api/sources".to_owned())
        };
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<serde_json::Value>(Call::send(method, path, &body))
                .await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    session.announce(t::SOURCE_SAVED);
                    done.run(());
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };

    view! {
        <form class="card source-form" on:submit=save>
            <h3>{if is_edit { t::EDIT_SOURCE } else { t::ADD_SOURCE }}</h3>
            <div class="fields">
                <div>
                    <label for="source-id">{t::SOURCE_ID}</label>
                    <input id="source-id" type="text" required maxlength="64"
                        pattern="[a-z0-9_\\-]+" disabled=is_edit
                        prop:value=move || id.get()
                        on:input=move |ev| id.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="source-name">{t::SOURCE_NAME}</label>
                    <input id="source-name" type="text"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="source-kind">{t::SOURCE_KIND}</label>
                    <select id="source-kind" disabled=is_edit
                        prop:value=move || kind.get()
                        on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="caldav">{t::KIND_CALDAV}</option>
                        <option value="ics">{t::KIND_ICS}</option>
                    </select>
                </div>
                <div>
                    <label for="source-url">{t::SOURCE_URL}</label>
                    <input id="source-url" type="url" required
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev)) />
                </div>
                <Show when=caldav>
                    <div>
                        <label for="source-user">{t::USERNAME}</label>
                        <input id="source-user" type="text" autocomplete="off"
                            prop:value=move || username.get()
                            on:input=move |ev| username.set(event_target_value(&ev)) />
                    </div>
                </Show>
                <div>
                    <label for="source-password">{t::SOURCE_PASSWORD}</label>
                    <input id="source-password" type="password" autocomplete="new-password"
                        placeholder=if has_secret { t::PASSWORD_KEPT } else { "" }
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
            </div>
            <Show when=caldav>
                <div class="toolbar">
                    <button type="button" class="secondary" on:click=find
                        disabled=move || busy.get()>
                        {move || if busy.get() { t::FINDING } else { t::FIND_CALENDARS }}
                    </button>
                </div>
                {move || found.get().map(|list| {
                    let choices = list
                        .into_iter()
                        .map(|c| (c.href.clone(), c.name.unwrap_or(c.href), c.color))
                        .collect();
                    view! {
                        <CalendarChoices legend=t::CALENDAR name="source-calendar"
                            choices=choices chosen=calendar/>
                    }
                })}
                <div class="fields">
                    <div>
                        <label for="source-calendar">{t::CALENDAR}</label>
                        <input id="source-calendar" type="text"
                            prop:value=move || calendar.get()
                            on:input=move |ev| calendar.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label class="checkbox">
                            <input type="checkbox"
                                prop:checked=move || write.get()
                                on:change=move |ev| write.set(event_target_checked(&ev)) />
                            " " {t::WRITE_BOOKINGS}
                        </label>
                    </div>
                </div>
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="toolbar">
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t::CHECKING } else { t::SAVE_SOURCE }}
                </button>
                <button type="button" class="secondary" on:click=move |_| done.run(())>
                    {t::CLOSE}
                </button>
            </div>
        </form>
    }
}

/// Radio buttons for the calendars found (CalDAV discovery, a connected account's list):
/// `choices` are (value, label, colour); `chosen` holds the value picked.
#[component]
pub(super) fn CalendarChoices(
    legend: &'static str,
    name: &'static str,
    choices: Vec<(String, String, Option<String>)>,
    chosen: RwSignal<String>,
) -> impl IntoView {
    view! {
        <fieldset class="calendars">
            <legend>{legend}</legend>
            {choices.into_iter().map(|(value, label, color)| {
                let this = value.clone();
                view! {
                    <label class="calendar-choice">
                        <input type="radio" name=name
                            prop:checked=move || chosen.get() == this
                            on:change=move |_| chosen.set(value.clone()) />
                        {color.as_deref().and_then(swatch).map(|col| view! {
                            <span class="swatch" aria-hidden="true"
                                style=format!("background:{col}")></span>
                        })}
                        " " {label}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A server's calendar colour as `#rrggbb` (CalDAV servers add alpha: `#rrggbbaa`); anything
/// else is not put into a style.
fn swatch(color: &str) -> Option<String> {
    let hex = color.strip_prefix('#')?;
    (matches!(hex.len(), 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("#{}", &hex[..6]))
}
