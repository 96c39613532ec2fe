//! The visitor's time zone: shown, changeable from a searchable list, remembered.

use leptos::prelude::*;

use super::{announcer, remember_zone};
use crate::strings::public as t;
use crate::time;

#[component]
pub fn ZonePicker(zone: RwSignal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let input = NodeRef::<leptos::html::Input>::new();
    let toggle = NodeRef::<leptos::html::Button>::new();
    let zones = StoredValue::new(Vec::<String>::new());
    let say = announcer();

    let close = move || {
        open.set(false);
        problem.set(None);
        if let Some(b) = toggle.get_untracked() {
            let _ = b.focus();
        }
    };
    let apply = move || {
        let wanted = typed.get_untracked().trim().to_owned();
        // Accept any spelling the browser accepts; show the canonical one from the list.
        let canonical = zones.with_value(|all| {
            all.iter()
                .find(|z| z.eq_ignore_ascii_case(&wanted))
                .cloned()
        });
        match canonical.or_else(|| time::is_zone(&wanted).then_some(wanted)) {
            Some(z) if !z.is_empty() => {
                remember_zone(&z);
                say.say(t::zone_changed(&z));
                zone.set(z);
                close();
            }
            _ => problem.set(Some(t::ZONE_UNKNOWN)),
        }
    };

    Effect::new(move |_| {
        if open.get() {
            if zones.with_value(Vec::is_empty) {
                zones.set_value(time::known_zones());
            }
            if let Some(i) = input.get() {
                let _ = i.focus();
            }
        }
    });

    view! {
        <div class="zone">
            <p class="zone-now">
                <span>{move || t::times_in(&zone.get())}</span>" "
                <button type="button" class="link" node_ref=toggle aria-expanded=move || open.get().to_string()
                    aria-controls="zone-form"
                    on:click=move |_| {
                        typed.set(zone.get_untracked());
                        open.update(|o| *o = !*o);
                    }>{t::CHANGE_ZONE}</button>
            </p>
            <Show when=move || open.get()>
                <form id="zone-form" class="zone-form" on:submit=move |ev| { ev.prevent_default(); apply(); }>
                    <label for="zone-input">{t::ZONE_LABEL}</label>
                    <input id="zone-input" type="text" list="zone-list" autocomplete="off" spellcheck="false"
                        node_ref=input
                        aria-describedby="zone-hint zone-problem"
                        aria-invalid=move || problem.get().is_some().to_string()
                        prop:value=move || typed.get()
                        on:input=move |ev| { typed.set(event_target_value(&ev)); problem.set(None); }
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { close(); } />
                    <datalist id="zone-list">
                        {move || zones.get_value().into_iter().map(|z| view! { <option value=z.clone()></option> }).collect_view()}
                    </datalist>
                    <p id="zone-hint" class="hint">{t::ZONE_HINT}</p>
                    <p id="zone-problem" class="field-problem" role="alert">{move || problem.get()}</p>
                    <div class="actions">
                        <button type="submit">{t::ZONE_APPLY}</button>
                        <button type="button" class="secondary" on:click=move |_| close()>{t::ZONE_CANCEL}</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}
