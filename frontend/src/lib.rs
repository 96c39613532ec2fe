//! OpenSlot booking page (Leptos CSR). A placeholder page until the booking page issue builds it out.
use leptos::prelude::*;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main>
            <h1>"OpenSlot"</h1>
            <p>"The booking page is coming. The API and the calendar engine come first."</p>
        </main>
    }
}
