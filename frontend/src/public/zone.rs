//! The visitor's time zone: shown, changeable in a searchable list (the ARIA combobox pattern:
//! arrows, Enter, Escape), remembered. Options read "Tokyo (Japan) — GMT+9 — 18:05"; the
//! offsets and clocks are the browser's (`Intl`), the countries come from `zones.txt`.

mod search;

use leptos::prelude::*;
use search::{ZoneEntry, country_of, current_zones};

use super::{announcer, remember_zone};
use crate::api::Call;
use crate::strings::public as t;
use crate::time;

/// At most this many options at once: each shows a clock the browser formats.
const SHOWN: usize = 8;

/// Every zone of the browser under its current name, with its country when `table`
/// (the lines of `zones.txt`) knows it.
fn entries(table: &[&str]) -> Vec<ZoneEntry> {
    current_zones(time::known_zones(), time::is_zone)
        .iter()
        .map(|z| ZoneEntry::new(z, country_of(table, z).unwrap_or_default().to_owned()))
        .collect()
}

/// The options as HTML, one string (far less code in the page than a list of views).
fn options_html(found: &[ZoneEntry], active: Option<usize>) -> String {
    let escape = |text: &str| {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
        out
    };
    let mut html = String::new();
    for (i, z) in found.iter().enumerate() {
        let (offset, clock) = time::offset_and_clock(&z.id);
        html.push_str(&format!(
            "<li role=\"option\" id=\"zone-option-{i}\" data-zone=\"{}\" aria-selected=\"{}\">{} — {} — {}</li>",
            escape(&z.id),
            active == Some(i),
            escape(&z.place()),
            escape(&offset),
            escape(&clock),
        ));
    }
    html
}

/// Puts the options (`html`, empty: none, and the list hides) under the field and tells
/// assistive technology whether the list is open and which option is active.
fn show_options(expanded: bool, active: Option<usize>, html: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(list) = doc.get_element_by_id("zone-options") {
        list.set_inner_html(html);
    }
    if let Some(input) = doc.get_element_by_id("zone-input") {
        let _ = input.set_attribute("aria-expanded", if expanded { "true" } else { "false" });
        let _ = match active {
            Some(i) => input.set_attribute("aria-activedescendant", &format!("zone-option-{i}")),
            None => input.remove_attribute("aria-activedescendant"),
        };
    }
}

/// The zone of the option a click landed in.
fn clicked_zone(ev: &leptos::ev::MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    target
        .closest("[data-zone]")
        .ok()??
        .get_attribute("data-zone")
}

#[component]
pub fn ZonePicker(zone: RwSignal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    // The list under the field: shown once the visitor types or presses an arrow.
    let listed = RwSignal::new(false);
    // The option the arrows are on, counted from 1; 0: none (a u32 signal like the page's
    // others: each new signal type costs the page code).
    let active = RwSignal::new(0_u32);
    let active_option = move || (active.get() as usize).checked_sub(1);
    let active_option_untracked = move || (active.get_untracked() as usize).checked_sub(1);
    let input = NodeRef::<leptos::html::Input>::new();
    let toggle = NodeRef::<leptos::html::Button>::new();
    let zones = RwSignal::new(Vec::<ZoneEntry>::new());
    // The options for what is typed: set when either changes (a signal, not a memo: less code).
    let found = RwSignal::new(Vec::<ZoneEntry>::new());
    let refind = move || {
        found.set(zones.with_untracked(|all| search::search(all, &typed.get_untracked(), SHOWN)));
    };
    let say = announcer();

    // A zone remembered under an old name ("Europe/Kiev") is shown under its current one.
    let now = time::current_name(&zone.get_untracked()).to_owned();
    if now != zone.get_untracked() && time::is_zone(&now) {
        zone.set(now);
    }

    let close = move || {
        open.set(false);
        listed.set(false);
        problem.set(None);
        if let Some(b) = toggle.get_untracked() {
            let _ = b.focus();
        }
    };
    let choose = move |z: String| {
        remember_zone(&z);
        say.say(t::zone_changed(&z));
        zone.set(z);
        close();
    };
    let apply = move || {
        let wanted = typed.get_untracked().trim().to_owned();
        let wanted_now = time::current_name(&wanted).to_owned();
        // An id as written (any case), else the browser's own spelling, else the best match.
        let exact = zones.with_untracked(|all| {
            all.iter()
                .find(|z| z.id.eq_ignore_ascii_case(&wanted_now))
                .map(|z| z.id.clone())
        });
        let best = || found.get_untracked().into_iter().next().map(|z| z.id);
        match exact
            .or_else(|| (!wanted.is_empty() && time::is_zone(&wanted)).then_some(wanted))
            .or_else(best)
        {
            Some(z) => choose(z),
            None => problem.set(Some(t::zone_unknown())),
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = found.with_untracked(Vec::len);
        let step = |down: bool| {
            listed.set(true);
            let next = match (active_option_untracked(), down) {
                _ if count == 0 => None,
                (None, true) => Some(0),
                (None, false) => Some(count - 1),
                (Some(i), true) => Some((i + 1) % count),
                (Some(i), false) => Some((i + count - 1) % count),
            };
            active.set(next.map_or(0, |i| i as u32 + 1));
        };
        match ev.key().as_str() {
            "ArrowDown" => step(true),
            "ArrowUp" => step(false),
            "Enter" => match active_option_untracked().filter(|_| listed.get_untracked()) {
                Some(i) => {
                    if let Some(z) = found.with_untracked(|f| f.get(i).map(|z| z.id.clone())) {
                        choose(z);
                    }
                }
                None => apply(),
            },
            "Escape" if listed.get_untracked() => {
                listed.set(false);
                active.set(0);
            }
            "Escape" => close(),
            _ => return,
        }
        ev.prevent_default();
    };

    // The list and the field's state for it, in one place (one effect instead of a reactive
    // attribute each: far less code in the page).
    Effect::new(move |_| {
        if open.get() {
            let shown = listed.get() && !found.with(Vec::is_empty);
            let active = active_option().filter(|_| shown);
            let html = if shown {
                found.with(|f| options_html(f, active))
            } else {
                String::new()
            };
            show_options(shown, active, &html);
        }
    });

    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        if zones.with_untracked(Vec::is_empty) {
            zones.set(entries(&[]));
            refind();
            // The countries arrive after the list; without them the list still works.
            leptos::task::spawn_local(async move {
                if let Ok(table) = Call::get("/zones.txt").text().await {
                    let table: Vec<&str> = table.split('\n').collect();
                    zones.set(entries(&table));
                    refind();
                }
            });
        }
        if let Some(i) = input.get() {
            let _ = i.focus();
            // After the field has its value (set on the same turn): then the whole text is
            // selected and typing replaces it.
            request_animation_frame(move || {
                if let Some(i) = input.get_untracked() {
                    i.select();
                }
            });
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
                        refind();
                        listed.set(false);
                        active.set(0);
                        open.update(|o| *o = !*o);
                    }>{t::change_zone()}</button>
            </p>
            <Show when=move || open.get()>
                <form id="zone-form" class="zone-form" on:submit=move |ev| { ev.prevent_default(); apply(); }>
                    <label for="zone-input">{t::zone_label()}</label>
                    <div class="combo">
                        <input id="zone-input" role="combobox" autocomplete="off" aria-expanded="false"
                            aria-autocomplete="list" aria-controls="zone-options"
                            node_ref=input
                            aria-describedby="zone-hint zone-problem"
                            aria-invalid=move || problem.get().is_some().to_string()
                            prop:value=move || typed.get()
                            on:input=move |ev| {
                                typed.set(event_target_value(&ev));
                                refind();
                                problem.set(None);
                                listed.set(true);
                                active.set(0);
                            }
                            on:keydown=keydown />
                        <ul id="zone-options" role="listbox" aria-label={t::zone_options()}
                            on:click=move |ev| { if let Some(z) = clicked_zone(&ev) { choose(z); } }>
                        </ul>
                    </div>
                    <p id="zone-hint" class="hint">{t::zone_hint()}</p>
                    <p id="zone-problem" class="field-problem" role="alert">{move || problem.get()}</p>
                    <div class="actions">
                        <button type="submit">{t::zone_apply()}</button>
                        <button type="button" class="secondary" on:click=move |_| close()>{t::zone_cancel()}</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}
