//! Access, above the API keys: the captcha and the two rate limits, edited here where the
//! configuration file leaves them unset (what it sets is shown read-only) and applied at once;
//! the origins and trusted proxies are the file's only and shown as they are.

use leptos::prelude::*;

use super::client::{Load, explain, load, session};
use crate::api::Call;
use crate::strings::admin as t;
use openslot_wire::admin::{SecurityBody, SecurityJson};

/// The highest limit the service takes (`[security]`'s reader says the same).
const MAX_PER_MINUTE: u32 = 100_000;

#[component]
pub fn SecuritySettings() -> impl IntoView {
    let session = session();
    let settings = RwSignal::new(Load::<SecurityJson>::Loading);
    load(session, "/admin/api/security".to_owned(), settings);
    view! {
        <section class="card security-settings" aria-labelledby="security-title">
            <h3 id="security-title">{t::SECURITY_TITLE}</h3>
            {move || match settings.get() {
                Load::Loading => view! { <p class="loading">{t::LOADING}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Load::Ready(s) => view! { <SecurityForm loaded=s settings/> }.into_any(),
            }}
        </section>
    }
}

/// A limit as typed: empty is the default again; else a whole number in range.
fn limit(text: &str, label: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= MAX_PER_MINUTE)
        .map(Some)
        .ok_or_else(|| t::limit_wrong(label, MAX_PER_MINUTE))
}

#[component]
fn SecurityForm(loaded: SecurityJson, settings: RwSignal<Load<SecurityJson>>) -> impl IntoView {
    let session = session();
    let captcha = RwSignal::new(loaded.captcha);
    let visitors = RwSignal::new(loaded.rate_limit_per_minute.to_string());
    let keys = RwSignal::new(loaded.api_key_rate_per_minute.to_string());
    let captcha_fixed = loaded.captcha_from_file;
    let (visitors_fixed, keys_fixed) = (loaded.rate_limit_from_file, loaded.api_key_rate_from_file);
    let all_fixed = captcha_fixed && visitors_fixed && keys_fixed;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = |fixed: bool, s: RwSignal<String>, label: &str| {
            if fixed {
                Ok(None)
            } else {
                limit(&s.get_untracked(), label)
            }
        };
        let (rate, key_rate) = match (
            typed(visitors_fixed, visitors, t::VISITOR_LIMIT),
            typed(keys_fixed, keys, t::KEY_LIMIT),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                error.set(Some(e));
                return;
            }
        };
        // What the file sets is left out: it stays as the file says.
        let body = SecurityBody {
            captcha: (!captcha_fixed).then(|| captcha.get_untracked()),
            rate_limit_per_minute: rate,
            api_key_rate_per_minute: key_rate,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let call = Call::send("PUT", "/admin/api/security".to_owned(), &body);
            let answer = session.send::<SecurityJson>(call).await;
            busy.set(false);
            match answer {
                Ok(saved) => {
                    error.set(None);
                    session.announce(t::SECURITY_SAVED);
                    settings.set(Load::Ready(saved));
                }
                Err(e) => error.set(Some(explain(&e))),
            }
        });
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            t::NONE.to_owned()
        } else {
            items.join(", ")
        }
    };
    let hint =
        |fixed: bool, otherwise: &'static str| if fixed { t::SET_IN_FILE } else { otherwise };
    view! {
        // Our own check speaks (in the alert below), not the browser's bubble.
        <form class="security-form" novalidate on:submit=save>
            <p class="hint">{t::SECURITY_HINT}</p>
            <label class="checkbox">
                <input id="security-captcha" type="checkbox" disabled=captcha_fixed
                    aria-describedby="security-captcha-hint"
                    prop:checked=move || captcha.get()
                    on:change=move |ev| captcha.set(event_target_checked(&ev))/>
                " " {t::CAPTCHA}
            </label>
            <p class="hint small" id="security-captcha-hint">{hint(captcha_fixed, t::CAPTCHA_HINT)}</p>
            <label for="security-visitors">{t::VISITOR_LIMIT}</label>
            <input id="security-visitors" type="number" class="short" min="0" max="100000" step="1"
                inputmode="numeric" readonly=visitors_fixed aria-describedby="security-visitors-hint"
                prop:value=move || visitors.get() on:input=move |ev| visitors.set(event_target_value(&ev))/>
            <p class="hint small" id="security-visitors-hint">{hint(visitors_fixed, t::VISITOR_LIMIT_HINT)}</p>
            <label for="security-keys">{t::KEY_LIMIT}</label>
            <input id="security-keys" type="number" class="short" min="0" max="100000" step="1"
                inputmode="numeric" readonly=keys_fixed aria-describedby="security-keys-hint"
                prop:value=move || keys.get() on:input=move |ev| keys.set(event_target_value(&ev))/>
            <p class="hint small" id="security-keys-hint">{hint(keys_fixed, t::KEY_LIMIT_HINT)}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get() || all_fixed>
                {t::SECURITY_SAVE}
            </button>
        </form>
        <p class="hint">{t::FILE_ONLY}</p>
        <dl class="answers">
            <dt>{t::CORS_ORIGINS}</dt><dd>{list(loaded.cors_origins)}</dd>
            <dt>{t::EMBED_ORIGINS}</dt><dd>{list(loaded.embed_origins)}</dd>
            <dt>{t::TRUSTED_PROXIES}</dt><dd>{list(loaded.trusted_proxies)}</dd>
        </dl>
    }
}
