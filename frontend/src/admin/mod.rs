//! The owner's dashboard (`/admin`, served by the admin listener only; talks only to the
//! admin API).

use leptos::prelude::*;

use crate::strings::admin as t;

/// The dashboard's root.
#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <main class="card"><h1>{t::TITLE}</h1></main>
    }
}
