//! OpenSlot in the browser: the booking page and manage page for visitors (`public/`, entry
//! `main.rs` + `index.html`), the owner's dashboard (`admin/`, entry `bin/dashboard.rs` +
//! `admin.html`, built into `dist/admin/`). Client-side rendered with Leptos; the backend
//! serves the built files and the JSON API on the same origin.

pub mod admin;
pub mod api;
pub mod public;
pub mod route;
pub mod strings;
pub mod time;

/// The visitor text rules of the API, from the wire crate the backend checks with, so that
/// the form and the API cannot disagree.
pub use openslot_wire::visitor_text;

use leptos::prelude::*;

use route::Route;

/// The visitors' root: the view the address asks for. (`/admin` never reaches this app: the
/// public listener answers 404 there, and the dashboard is its own entry, `admin.html`.)
#[component]
pub fn App() -> impl IntoView {
    let route = route::current();
    move || match route.get() {
        Route::Admin => view! { <public::BookingPage/> }.into_any(),
        Route::Manage { id, token } => {
            view! { <public::manage::ManagePage id token route/> }.into_any()
        }
        Route::Confirm { id, token } => {
            view! { <public::confirm::ConfirmLink id token route/> }.into_any()
        }
        Route::Booking => view! { <public::BookingPage/> }.into_any(),
    }
}
