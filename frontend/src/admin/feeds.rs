//! The owner's secret feed URLs (bookings.ics, freebusy.ics) for calendars OpenSlot cannot
//! write to: shown with copy buttons, and rotated (the old URLs stop working) after a
//! confirmation.

use super::client::{Load, explain, load, session};
use crate::api::Call;
use crate::strings::admin as t;
use leptos::prelude::*;
use openslot_wire::admin::FeedUrlsJson;

#[component]
pub fn Feeds() -> impl IntoView {
    let session = session();
    let urls = RwSignal::new(Load::<FeedUrlsJson>::Loading);
    load(session, "/admin/api/feeds".to_owned(), urls);
    let confirming = RwSignal::new(false);
    let rotate = move |_| {
        confirming.set(false);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<FeedUrlsJson>(Call {
                    method: "POST",
                    path: "/admin/api/feeds/rotate".to_owned(),
                    ..Call::default()
                })
                .await;
            match answer {
                Ok(new) => {
                    urls.set(Load::Ready(new));
                    session.announce(t::FEEDS_ROTATED);
                }
                Err(e) => session.announce(explain(&e)),
            }
        });
    };
    view! {
        <section class="card feeds" aria-labelledby="feeds-title">
            <h3 id="feeds-title">{t::FEEDS_TITLE}</h3>
            <p class="muted">{t::FEEDS_INTRO}</p>
            {move || match urls.get() {
                Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Load::Ready(u) => view! {
                    <FeedUrl id="feed-bookings" label=t::FEED_BOOKINGS url=u.bookings_url.clone()/>
                    <FeedUrl id="feed-freebusy" label=t::FEED_FREEBUSY url=u.freebusy_url.clone()/>
                    {u.rotated_at.map(|at| {
                        let zone = session.zone.get_untracked();
                        view! { <p class="muted">{t::feeds_rotated_at(&crate::time::moment(&at, &zone))}</p> }
                    })}
                }.into_any(),
            }}
            {move || if confirming.get() {
                view! {
                    <div class="confirm" role="group" aria-labelledby="feeds-confirm">
                        <p id="feeds-confirm">{t::FEEDS_ROTATE_CONFIRM}</p>
                        <div class="toolbar">
                            <button type="button" class="danger" on:click=rotate>{t::FEEDS_ROTATE_YES}</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t::KEEP_THEM}</button>
                        </div>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="secondary" on:click=move |_| confirming.set(true)>
                        {t::FEEDS_ROTATE}
                    </button>
                }.into_any()
            }}
        </section>
    }
}

/// One URL in a read-only field (select it by hand too) and a button that copies it.
#[component]
fn FeedUrl(id: &'static str, label: &'static str, url: String) -> impl IntoView {
    let session = session();
    let text = StoredValue::new(url.clone());
    let copy = move |_| {
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        let promise = clipboard.write_text(&text.get_value());
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => session.announce(t::COPIED),
                Err(_) => session.announce(t::COPY_FAILED),
            }
        });
    };
    view! {
        <div class="field feed-url">
            <label for=id>{label}</label>
            <div class="row">
                <input id=id type="text" readonly value=url spellcheck="false"/>
                <button type="button" class="secondary" aria-label=t::copy_label(label) on:click=copy>
                    {t::COPY}
                </button>
            </div>
        </div>
    }
}
