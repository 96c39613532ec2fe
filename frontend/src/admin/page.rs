//! The booking page's intro and accent colour, edited here where the configuration file leaves
//! them unset (a value the file sets is shown read-only). Saved, they apply on the booking page
//! at once; any accent is made readable there (`/api/v1/page/accent.css`).

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::PageSettingsJson;

#[component]
pub fn PageSettings() -> impl IntoView {
    let session = session();
    let settings = RwSignal::new(Load::<PageSettingsJson>::Loading);
    load(session, "/admin/api/page".to_owned(), settings);
    move || match settings.get() {
        Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
        Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Load::Ready(s) => view! { <PageForm loaded=s settings/> }.into_any(),
    }
}

#[component]
fn PageForm(loaded: PageSettingsJson, settings: RwSignal<Load<PageSettingsJson>>) -> impl IntoView {
    let session = session();
    let intro = RwSignal::new(loaded.intro.clone().unwrap_or_default());
    let accent = RwSignal::new(loaded.accent_color.clone().unwrap_or_default());
    let (intro_fixed, accent_fixed) = (loaded.intro_from_file, loaded.accent_from_file);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = PageSettingsJson {
            intro: text(intro),
            accent_color: text(accent),
            ..PageSettingsJson::default()
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = session
                .send::<PageSettingsJson>(Call::send("PUT", "/admin/api/page".to_owned(), &body))
                .await;
            busy.set(false);
            match answer {
                Ok(saved) => {
                    error.set(None);
                    session.announce(t::PAGE_SAVED);
                    settings.set(Load::Ready(saved));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    view! {
        <form class="card page-settings" on:submit=save>
            <p class="hint">{t::PAGE_HINT}</p>
            <dl class="answers">
                <dt>{t::PAGE_OWNER}</dt><dd>{loaded.owner_name.clone()}</dd>
                <dt>{t::PAGE_ZONE}</dt><dd>{loaded.owner_timezone.clone()}</dd>
            </dl>
            <p class="hint small">{t::OWNER_FROM_FILE}</p>
            <label for="page-intro">{t::PAGE_INTRO}</label>
            <textarea id="page-intro" rows="3" maxlength="500" readonly=intro_fixed
                aria-describedby="page-intro-hint"
                prop:value=move || intro.get() on:input=move |ev| intro.set(event_target_value(&ev))></textarea>
            <p class="hint small" id="page-intro-hint">{if intro_fixed { t::SET_IN_FILE } else { t::PAGE_INTRO_HINT }}</p>
            <label for="page-accent">{t::PAGE_ACCENT}</label>
            <div class="row">
                <input id="page-accent" type="text" class="short" placeholder="#0b6e4f" readonly=accent_fixed
                    aria-describedby="page-accent-hint"
                    prop:value=move || accent.get() on:input=move |ev| accent.set(event_target_value(&ev))/>
                <span class="accent-swatch" aria-hidden="true"
                    style=move || format!("background: {}", if accent.get().is_empty() { "transparent".to_owned() } else { accent.get() })></span>
            </div>
            <p class="hint small" id="page-accent-hint">{if accent_fixed { t::SET_IN_FILE } else { t::PAGE_ACCENT_HINT }}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get()>{t::PAGE_SAVE}</button>
        </form>
    }
}
