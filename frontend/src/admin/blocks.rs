//! Manual blocks: the owner hides a span of time from booking (and removes it again).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use super::clock;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::BlockJson;

#[component]
pub fn Blocks() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<BlockJson>>::Loading);
    let refresh = move || load(session, "/admin/api/blocks".to_owned(), list);
    refresh();
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A new action: the banner of the last one no longer applies.
        session.announce(String::new());
        let zone = session.zone.get_untracked();
        let (Some(from), Some(to)) = (
            clock::instant_of(&start.get_untracked(), &zone),
            clock::instant_of(&end.get_untracked(), &zone),
        ) else {
            error.set(Some(t::BAD_TIME.to_owned()));
            return;
        };
        error.set(None);
        busy.set(true);
        let body = serde_json::json!({"start": from, "end": to, "label": label.get_untracked()});
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<BlockJson>(Call::send("POST", "/admin/api/blocks", &body))
                .await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    label.set(String::new());
                    session.announce(t::BLOCK_ADDED);
                    refresh();
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    view! {
        <p class="hint">{t::BLOCKS_INTRO} " " {move || t::times_in(&session.zone.get())}</p>
        <form class="card block-form" on:submit=add>
            <h3>{t::ADD_BLOCK}</h3>
            <div class="fields">
                <div>
                    <label for="block-start">{t::START}</label>
                    <input id="block-start" type="datetime-local" required
                        prop:value=move || start.get()
                        on:input=move |ev| start.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="block-end">{t::END}</label>
                    <input id="block-end" type="datetime-local" required
                        prop:value=move || end.get()
                        on:input=move |ev| end.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="block-label">{t::LABEL}</label>
                    <input id="block-label" type="text" maxlength="100"
                        prop:value=move || label.get()
                        on:input=move |ev| label.set(event_target_value(&ev)) />
                </div>
            </div>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get()>{t::ADD}</button>
        </form>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_BLOCKS}</p> }.into_any()
            }
            Load::Ready(rows) => {
                let zone = session.zone.get_untracked();
                view! {
                    <ul class="blocks">
                        {rows
                            .into_iter()
                            .map(|b| {
                                let when = format!(
                                    "{} – {}",
                                    crate::time::moment(&b.start, &zone),
                                    crate::time::moment(&b.end, &zone),
                                );
                                let name = if b.label.is_empty() { when.clone() } else { b.label.clone() };
                                let id = b.id.clone();
                                let remove = move |_| {
                                    session.announce(String::new());
                                    let path = format!("/admin/api/blocks/{}", encode(&id));
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
                                                session.announce(t::BLOCK_REMOVED);
                                                refresh();
                                            }
                                            Err(e) => session.announce(explain(&e)),
                                        }
                                    });
                                };
                                view! {
                                    <li class="block-item">
                                        <span>
                                            <strong>{b.label.clone()}</strong>
                                            " "
                                            <span>{when}</span>
                                        </span>
                                        <button type="button" class="secondary"
                                            aria-label=t::remove_block(&name)
                                            on:click=remove>
                                            {t::REMOVE}
                                        </button>
                                    </li>
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
