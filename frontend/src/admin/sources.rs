//! The calendars: status, age of the data, the last error, and "sync now".

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::model::Source;
use crate::api::Call;
use crate::strings::admin as t;

#[component]
pub fn Sources() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<Source>>::Loading);
    load(session, "/admin/api/sources".to_owned(), list);
    let busy = RwSignal::new(false);
    let sync = move |_| {
        busy.set(true);
        session.announce(t::SYNCING);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<Vec<Source>>(Call {
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
    view! {
        <div class="toolbar">
            <button type="button" class="primary" on:click=sync disabled=move || busy.get()>
                {move || if busy.get() { t::SYNCING } else { t::SYNC_NOW }}
            </button>
        </div>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_SOURCES}</p> }.into_any()
            }
            Load::Ready(rows) => {
                view! {
                    <ul class="sources">
                        {rows.into_iter().map(|s| view! { <SourceCard source=s/> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn SourceCard(source: Source) -> impl IntoView {
    let state = if source.healthy {
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
    view! {
        <li class="card source" class:is-unhealthy=!source.healthy>
            <div class="booking-head">
                <h3>{source.label().to_owned()}</h3>
                <span class=state_class>{state}</span>
            </div>
            <p class="summary">{source.summary.clone()}</p>
            <dl class="facts">
                <dt>{t::KIND}</dt>
                <dd>{source.kind.clone()}</dd>
                <dt>{t::LAST_SYNC}</dt>
                <dd>{age}</dd>
                <dt>{t::EVENTS}</dt>
                <dd>{source.event_count}</dd>
                <dt>{t::LAST_ERROR}</dt>
                <dd class:error=source.last_error.is_some()>
                    {source.last_error.clone().unwrap_or_else(|| "—".to_owned())}
                </dd>
            </dl>
            {source.writable.then(|| view! { <p class="muted">{t::WRITABLE}</p> })}
            {source.blocks_booking.then(|| view! { <p class="error">{t::BLOCKS_BOOKING}</p> })}
        </li>
    }
}
