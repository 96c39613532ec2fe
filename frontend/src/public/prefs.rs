//! The visitor's language and clock (12- or 24-hour), chosen on the page and remembered in this
//! browser; the page then loads again with them (the chosen time zone stays, as it is kept in
//! this browser too; the step the visitor was on does not).

use leptos::prelude::*;

use crate::strings::lang::{self, LANGUAGES};
use crate::strings::public as t;
use crate::time;

const CLOCK_KEY: &str = "openslot.clock";

/// Applies the clock the visitor chose before in this browser (none: the locale's own).
pub fn restore_clock() {
    let stored = super::storage().and_then(|s| s.get_item(CLOCK_KEY).ok().flatten());
    time::set_hour12(match stored.as_deref() {
        Some("12") => Some(true),
        Some("24") => Some(false),
        _ => None,
    });
}

/// Loads the page again (with the choice just stored).
fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The two small selects above the page.
#[component]
pub fn Preferences() -> impl IntoView {
    let hour12 = time::hour12();
    view! {
        <div class="prefs">
            <label for="language">{t::language()}</label>
            <select id="language" on:change=move |ev| {
                lang::remember(&event_target_value(&ev));
                reload();
            }>
                {LANGUAGES.iter().map(|(code, name)| view! {
                    <option value=*code lang=*code selected=lang::current() == *code>{*name}</option>
                }).collect_view()}
            </select>
            <label for="clock">{t::clock_label()}</label>
            <select id="clock" on:change=move |ev| {
                if let Some(s) = super::storage() {
                    let _ = s.set_item(CLOCK_KEY, &event_target_value(&ev));
                }
                reload();
            }>
                <option value="24" selected=!hour12>{t::clock_24()}</option>
                <option value="12" selected=hour12>{t::clock_12()}</option>
            </select>
        </div>
    }
}
