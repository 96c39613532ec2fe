//! The delivery log: every booking mail and webhook request with its state, attempts and
//! last answer, newest first; a failed one can be retried. Above it, the mail settings and a
//! test mail (`mail.rs`).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::{DeliveryJson, WorkState};

const PATH: &str = "/admin/api/deliveries?limit=200";

#[component]
pub fn Deliveries() -> impl IntoView {
    let session = session();
    let list = RwSignal::new(Load::<Vec<DeliveryJson>>::Loading);
    load(session, PATH.to_owned(), list);
    let reload = move |_| {
        list.set(Load::Loading);
        load(session, PATH.to_owned(), list);
    };
    view! {
        <super::mail::MailSettings/>
        <div class="toolbar">
            <button type="button" class="secondary" on:click=reload>{t::REFRESH}</button>
        </div>
        {move || match list.get() {
            Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
            Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Load::Ready(rows) if rows.is_empty() => {
                view! { <p class="empty">{t::NO_DELIVERIES}</p> }.into_any()
            }
            Load::Ready(rows) => {
                view! {
                    <table class="deliveries">
                        <thead>
                            <tr>
                                <th scope="col">{t::DELIVERY_WHEN}</th>
                                <th scope="col">{t::DELIVERY_WHAT}</th>
                                <th scope="col">{t::DELIVERY_TO}</th>
                                <th scope="col">{t::DELIVERY_STATE}</th>
                                <th scope="col">{t::LAST_ERROR}</th>
                                <th scope="col"><span class="sr-only">{t::RETRY}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|d| view! { <DeliveryRow delivery=d list=list/> })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn DeliveryRow(delivery: DeliveryJson, list: RwSignal<Load<Vec<DeliveryJson>>>) -> impl IntoView {
    let session = session();
    let zone = session.zone.get_untracked();
    let busy = RwSignal::new(false);
    let when = crate::time::moment(&delivery.updated_at, &zone);
    let what = t::delivery_what(delivery.channel, &delivery.event);
    let to = t::delivery_target(delivery.channel, &delivery.target);
    let state = t::delivery_state(delivery.state, delivery.attempts, delivery.last_status);
    let state_class = format!("badge delivery-{}", delivery.state.as_str());
    let failed = delivery.state == WorkState::Failed;
    let id = delivery.id;
    let retry = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<DeliveryJson>(Call {
                    method: "POST",
                    path: format!("/admin/api/deliveries/{id}/retry"),
                    ..Call::default()
                })
                .await;
            busy.set(false);
            match answer {
                Ok(updated) => {
                    list.update(|l| {
                        if let Load::Ready(rows) = l
                            && let Some(row) = rows.iter_mut().find(|r| r.id == updated.id)
                        {
                            *row = updated;
                        }
                    });
                    session.announce(t::RETRY_QUEUED);
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    view! {
        <tr>
            <td>{when}</td>
            <td>{what}</td>
            <td>{to}</td>
            <td><span class=state_class>{state}</span></td>
            <td class:error=delivery.last_error.is_some()>
                {delivery.last_error.clone().unwrap_or_else(|| "—".to_owned())}
            </td>
            <td>
                {failed
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                on:click=retry
                                disabled=move || busy.get()
                            >
                                {t::RETRY}
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}
