//! The owner's dashboard (`/admin`, served by the admin listener only; talks only to the
//! admin API): login, then one section at a time (bookings, week, blocks, calendars, rules,
//! explain, statistics, deliveries, API keys, webhooks), each its own module.
//!
//! Invariant: nothing here talks to another origin or keeps the token beyond the tab
//! (sessionStorage); every outcome is announced in one polite live region.

mod api_keys;
mod blocks;
mod bookings;
mod client;
mod clock;
mod connect;
mod deliveries;
mod event_details;
mod explain;
mod feeds;
mod login;
mod mail;
mod mail_form;
mod new_booking;
mod page;
mod rules;
mod security;
mod seen;
mod sources;
mod stats;
mod webhooks;
mod week;

use leptos::html;
use leptos::prelude::*;

use crate::api::Call;
use crate::strings::admin as t;
use client::{Session, session};

/// The sections, in the order of the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Bookings,
    Week,
    Blocks,
    Sources,
    Rules,
    Explain,
    Stats,
    Deliveries,
    ApiKeys,
    Webhooks,
    Page,
}

const SECTIONS: [Section; 11] = [
    Section::Bookings,
    Section::Week,
    Section::Blocks,
    Section::Sources,
    Section::Rules,
    Section::Explain,
    Section::Stats,
    Section::Deliveries,
    Section::ApiKeys,
    Section::Webhooks,
    Section::Page,
];

impl Section {
    fn slug(self) -> &'static str {
        match self {
            Section::Bookings => "bookings",
            Section::Week => "week",
            Section::Blocks => "blocks",
            Section::Sources => "calendars",
            Section::Rules => "rules",
            Section::Explain => "explain",
            Section::Stats => "statistics",
            Section::Deliveries => "deliveries",
            Section::ApiKeys => "keys",
            Section::Webhooks => "webhooks",
            Section::Page => "page",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Section::Bookings => t::BOOKINGS,
            Section::Week => t::WEEK,
            Section::Blocks => t::BLOCKS,
            Section::Sources => t::SOURCES,
            Section::Rules => t::RULES,
            Section::Explain => t::EXPLAIN,
            Section::Stats => t::STATS,
            Section::Deliveries => t::DELIVERIES,
            Section::ApiKeys => t::API_KEYS,
            Section::Webhooks => t::WEBHOOKS,
            Section::Page => t::PAGE,
        }
    }

    /// The section an address names (`/admin/calendars`); bookings by default.
    fn from_path(path: &str) -> Section {
        let slug = path.trim_start_matches("/admin").trim_matches('/');
        SECTIONS
            .into_iter()
            .find(|s| s.slug() == slug)
            .unwrap_or(Section::Bookings)
    }

    fn href(self) -> String {
        format!("/admin/{}", self.slug())
    }
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// The dashboard's root: the login form until there is a session, then the sections.
#[component]
pub fn Dashboard() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    view! {
        <div class="admin">
            <a class="skip" href="#admin-main">{t::SKIP}</a>
            <p class="admin-status" role="status" aria-live="polite" aria-atomic="true">
                {move || session.status.get()}
            </p>
            {move || match session.token.get() {
                None => view! { <login::Login/> }.into_any(),
                Some(_) => view! { <Shell/> }.into_any(),
            }}
        </div>
    }
}

/// The header, navigation and the current section.
#[component]
fn Shell() -> impl IntoView {
    let session = session();
    let section = RwSignal::new(Section::from_path(&current_path()));
    let heading = NodeRef::<html::H2>::new();
    // The owner's zone: every time is shown in it.
    leptos::task::spawn_local(async move {
        if let Ok(rules) = session
            .send::<openslot_wire::admin::RulesJson>(Call::get("/admin/api/rules"))
            .await
        {
            session.zone.set(rules.timezone);
        }
    });
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        section.set(Section::from_path(&current_path()));
    });
    on_cleanup(move || handle.remove());
    let go = move |ev: leptos::ev::MouseEvent, to: Section| {
        // Modified clicks open a new tab as links do.
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to.href()));
        }
        section.set(to);
        session.announce(String::new());
        // The new section's heading takes the focus, so a screen reader starts there.
        request_animation_frame(move || {
            if let Some(h) = heading.get_untracked() {
                let _ = h.focus();
            }
        });
    };
    let logout = move |_| session.end(t::LOGGED_OUT);
    view! {
        <header class="admin-header">
            <h1>{t::TITLE}</h1>
            <button type="button" class="secondary" on:click=logout>{t::LOGOUT}</button>
        </header>
        <nav class="admin-nav" aria-label=t::NAV_LABEL>
            <ul>
                {SECTIONS
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li>
                                <a
                                    href=s.href()
                                    aria-current=move || (section.get() == s).then_some("page")
                                    on:click=move |ev| go(ev, s)
                                >
                                    {s.title()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <main id="admin-main" class="admin-main">
            <h2 tabindex="-1" node_ref=heading>{move || section.get().title()}</h2>
            {move || match section.get() {
                Section::Bookings => view! { <bookings::Bookings/> }.into_any(),
                Section::Week => view! { <week::WeekView/> }.into_any(),
                Section::Blocks => view! { <blocks::Blocks/> }.into_any(),
                Section::Sources => view! { <sources::Sources/><feeds::Feeds/> }.into_any(),
                Section::Rules => view! { <rules::RulesEditor/> }.into_any(),
                Section::Explain => view! { <explain::Explain/> }.into_any(),
                Section::Stats => view! { <stats::Statistics/> }.into_any(),
                Section::Deliveries => view! { <deliveries::Deliveries/> }.into_any(),
                Section::ApiKeys => view! { <api_keys::ApiKeys/> }.into_any(),
                Section::Webhooks => view! { <webhooks::Webhooks/> }.into_any(),
                Section::Page => view! { <page::PageSettings/> }.into_any(),
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_through_their_address() {
        for s in SECTIONS {
            assert_eq!(Section::from_path(&s.href()), s);
        }
        assert_eq!(Section::from_path("/admin"), Section::Bookings);
        assert_eq!(Section::from_path("/admin/"), Section::Bookings);
        assert_eq!(Section::from_path("/admin/nope"), Section::Bookings);
    }
}
