//! The booking page's intro, accent colour, the name visitors see and the logo, edited here
//! where the configuration file leaves them unset (a value the file sets is shown read-only).
//! Saved, they apply on the booking page at once; any accent is made readable there
//! (`/api/v1/page/accent.css`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::client::{Load, explain, load, session};
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::{LogoBody, PageSettingsJson};

#[component]
pub fn PageSettings() -> impl IntoView {
    let session = session();
    let settings = RwSignal::new(Load::<PageSettingsJson>::Loading);
    load(session, "/admin/api/page".to_owned(), settings);
    move || match settings.get() {
        Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
        Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Load::Ready(s) => view! {
            <PageForm loaded=s.clone() settings/>
            <LogoForm loaded=s settings/>
        }
        .into_any(),
    }
}

#[component]
fn PageForm(loaded: PageSettingsJson, settings: RwSignal<Load<PageSettingsJson>>) -> impl IntoView {
    let session = session();
    let intro = RwSignal::new(loaded.intro.clone().unwrap_or_default());
    let accent = RwSignal::new(loaded.accent_color.clone().unwrap_or_default());
    let name = RwSignal::new(loaded.display_name.clone().unwrap_or_default());
    let zone = RwSignal::new(loaded.owner_timezone.clone());
    let zone_fixed = loaded.timezone_from_file;
    let zones = if zone_fixed {
        Vec::new()
    } else {
        crate::time::known_zones()
    };
    let browser_zone =
        crate::time::browser_zone().filter(|z| !zone_fixed && *z != loaded.owner_timezone);
    let (intro_fixed, accent_fixed) = (loaded.intro_from_file, loaded.accent_from_file);
    let name_fixed = loaded.display_name_from_file;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = PageSettingsJson {
            intro: text(intro),
            accent_color: text(accent),
            display_name: text(name),
            owner_timezone: zone.get_untracked().trim().to_owned(),
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
            </dl>
            <p class="hint small">{t::OWNER_NAME_FROM_FILE}</p>
            <label for="page-zone">{t::PAGE_ZONE}</label>
            <div class="row">
                <input id="page-zone" type="text" list="page-zones" autocomplete="off" readonly=zone_fixed
                    aria-describedby="page-zone-hint"
                    prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev))/>
                {browser_zone.map(|z| {
                    let label = format!("{} {z}", t::PAGE_ZONE_BROWSER);
                    view! { <button type="button" class="secondary" on:click=move |_| zone.set(z.clone())>{label}</button> }
                })}
            </div>
            <datalist id="page-zones">
                {zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
            </datalist>
            <p class="hint small" id="page-zone-hint">{if zone_fixed { t::SET_IN_FILE } else { t::PAGE_ZONE_HINT }}</p>
            <label for="page-display-name">{t::PAGE_DISPLAY_NAME}</label>
            <input id="page-display-name" type="text" maxlength="100" readonly=name_fixed
                placeholder=loaded.owner_name.clone() aria-describedby="page-display-name-hint"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <p class="hint small" id="page-display-name-hint">{if name_fixed { t::SET_IN_FILE } else { t::PAGE_DISPLAY_NAME_HINT }}</p>
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

/// The logo: shown as visitors see it; uploaded (replacing it) or removed where the file sets
/// none.
#[component]
fn LogoForm(loaded: PageSettingsJson, settings: RwSignal<Load<PageSettingsJson>>) -> impl IntoView {
    let session = session();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let answered = move |answer: Result<PageSettingsJson, crate::api::ApiError>, done: &str| {
        busy.set(false);
        match answer {
            Ok(saved) => {
                error.set(None);
                session.announce(done.to_owned());
                settings.set(Load::Ready(saved));
            }
            Err(e) => error.set(Some(explain(&e))),
        }
    };
    let upload = move |ev: leptos::ev::Event| {
        let Some(file) = event_target::<web_sys::HtmlInputElement>(&ev)
            .files()
            .and_then(|list| list.get(0))
        else {
            return;
        };
        if file.size() > 512.0 * 1024.0 {
            error.set(Some(t::LOGO_TOO_BIG.to_owned()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let Some(data_base64) = read_base64(&file).await else {
                busy.set(false);
                error.set(Some(t::LOGO_UNREADABLE.to_owned()));
                return;
            };
            let body = LogoBody {
                media_type: file.type_(),
                data_base64,
            };
            let call = Call::send("PUT", "/admin/api/page/logo".to_owned(), &body);
            answered(session.send::<PageSettingsJson>(call).await, t::LOGO_SAVED);
        });
    };
    let remove = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let call = Call {
                method: "DELETE",
                path: "/admin/api/page/logo".to_owned(),
                ..Call::default()
            };
            answered(
                session.send::<PageSettingsJson>(call).await,
                t::LOGO_REMOVED,
            );
        });
    };
    let fixed = loaded.logo_from_file;
    let has_logo = loaded.logo_url.is_some();
    view! {
        <section class="card logo-settings" aria-labelledby="logo-title">
            <h3 id="logo-title">{t::LOGO}</h3>
            {match loaded.logo_url.clone() {
                Some(src) => view! { <img class="logo-preview" src=src alt=t::LOGO_ALT width="48" height="48"/> }.into_any(),
                None => view! { <p class="hint">{t::LOGO_NONE}</p> }.into_any(),
            }}
            {if fixed {
                view! { <p class="hint small">{t::LOGO_FROM_FILE}</p> }.into_any()
            } else {
                view! {
                    <label for="logo-file">{t::LOGO_CHOOSE}</label>
                    <input id="logo-file" type="file" accept="image/png,image/jpeg,image/webp,image/svg+xml"
                        aria-describedby="logo-hint" disabled=move || busy.get() on:change=upload/>
                    <p class="hint small" id="logo-hint">{t::LOGO_HINT}</p>
                    <p class="error" role="alert">{move || error.get()}</p>
                    {has_logo.then(|| view! {
                        <button type="button" class="secondary" disabled=move || busy.get() on:click=remove>{t::LOGO_REMOVE}</button>
                    })}
                }
                .into_any()
            }}
        </section>
    }
}

/// The file's bytes, base64 (the browser's `btoa` over a byte string).
async fn read_base64(file: &web_sys::File) -> Option<String> {
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(buffer.dyn_ref::<js_sys::ArrayBuffer>()?).to_vec();
    let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
    web_sys::window()?.btoa(&binary).ok()
}
