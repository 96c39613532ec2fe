//! "Explain this time": a moment in the owner's zone (and an event type) → every reason it is
//! offered or not.

use leptos::prelude::*;

use super::client::{explain as say, session};
use super::clock;
use crate::api::{Call, encode};
use crate::strings::admin as t;
use openslot_wire::admin::{ExplainJson, RulesJson};

#[component]
pub fn Explain() -> impl IntoView {
    let session = session();
    let at = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let slugs = RwSignal::new(Vec::<String>::new());
    let result = RwSignal::new(None::<Result<ExplainJson, String>>);
    leptos::task::spawn_local(async move {
        if let Ok(rules) = session
            .send::<RulesJson>(Call::get("/admin/api/rules"))
            .await
        {
            slugs.set(rules.event_types.into_iter().map(|e| e.slug).collect());
        }
    });
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The answer is a finding, not a success: it goes in its own panel, and the banner
        // of an earlier action goes.
        session.announce(String::new());
        let Some(instant) = clock::instant_of(&at.get_untracked(), &session.zone.get_untracked())
        else {
            result.set(Some(Err(t::BAD_TIME.to_owned())));
            return;
        };
        let mut path = format!("/admin/api/explain?at={}", encode(&instant));
        let s = slug.get_untracked();
        if !s.is_empty() {
            path.push_str(&format!("&event_type={}", encode(&s)));
        }
        leptos::task::spawn_local(async move {
            let answer = session.send::<ExplainJson>(Call::get(path)).await;
            result.set(Some(answer.map_err(|e| say(&e))));
        });
    };
    view! {
        <p class="hint">{t::EXPLAIN_INTRO} " " {move || t::times_in(&session.zone.get())}</p>
        <form class="card" on:submit=ask>
            <div class="fields">
                <div>
                    <label for="explain-at">{t::MOMENT}</label>
                    <input id="explain-at" type="datetime-local" required
                        prop:value=move || at.get()
                        on:input=move |ev| at.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="explain-type">{t::WHAT}</label>
                    <select id="explain-type" on:change=move |ev| slug.set(event_target_value(&ev))>
                        <option value="">{t::ANY_EVENT_TYPE}</option>
                        {move || {
                            slugs
                                .get()
                                .into_iter()
                                .map(|s| view! { <option value=s.clone()>{s.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            <button type="submit" class="primary">{t::EXPLAIN_GO}</button>
        </form>
        <div class="explanation" role="status" aria-live="polite">
            {move || match result.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(e)) => {
                    let (class, head) = if e.bookable {
                        ("verdict ok", t::BOOKABLE)
                    } else {
                        ("verdict bad", t::NOT_BOOKABLE)
                    };
                    view! {
                        <div class="card">
                        <p class=class>{head}</p>
                        <ul class="reasons">
                            {e
                                .reasons
                                .into_iter()
                                .chain(e.opened_by)
                                .map(|r| view! { <li>{r}</li> })
                                .collect_view()}
                        </ul>
                        </div>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
