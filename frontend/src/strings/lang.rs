//! The visitor's language: the one chosen before in this browser (localStorage), else the first
//! of the browser's languages (`navigator.languages`) that the page has, else English. English
//! is built in; another language is one small JSON file (`frontend/i18n/<code>.json`, copied
//! into the built page by trunk) fetched before the page shows, so visitors who read English
//! never download it. The URL carries a hash of the file's content, compiled in: a changed
//! translation is a new URL, whatever a cache kept. Choosing another language on the page
//! stores it and loads the page again (`public/prefs.rs`).

use std::cell::Cell;

/// The page's languages: (code, the language's own name).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ja", "日本語"),
];

/// FNV-1a of a file, at compile time (the file itself is not in the page).
const fn fnv(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// The content hash of each translation, for its URL.
const VERSIONS: &[(&str, u32)] = &[
    ("de", fnv(include_bytes!("../../i18n/de.json"))),
    ("es", fnv(include_bytes!("../../i18n/es.json"))),
    ("fr", fnv(include_bytes!("../../i18n/fr.json"))),
    ("ja", fnv(include_bytes!("../../i18n/ja.json"))),
];

const LANG_KEY: &str = "openslot.lang";

/// A loaded language: each key's text, by the index of `public::ENGLISH`.
type Table = &'static [Option<&'static str>];

thread_local! {
    static CURRENT: Cell<&'static str> = const { Cell::new("en") };
    static TABLE: Cell<Option<Table>> = const { Cell::new(None) };
}

/// The code of the language shown ("en", "de", ...).
pub fn current() -> &'static str {
    CURRENT.with(Cell::get)
}

/// The text of key `index` in the language shown; `None` for English or a missing key.
pub fn text(index: usize) -> Option<&'static str> {
    TABLE
        .with(Cell::get)
        .and_then(|t| t.get(index).copied().flatten())
}

/// The supported code for a language tag ("de-AT" -> "de"), if the page has it.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    LANGUAGES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(primary))
        .map(|(code, _)| *code)
}

/// The language to show: the stored choice, else the first of the browser's that the page has.
pub fn pick(stored: Option<&str>, browser: &[String]) -> &'static str {
    stored
        .and_then(supported)
        .or_else(|| browser.iter().find_map(|tag| supported(tag)))
        .unwrap_or("en")
}

/// The locale for dates and times in language `code`: the browser's own tag for it when it has
/// one ("de-AT" keeps Austrian months), else the code.
pub fn locale_for(code: &str, browser: &[String]) -> String {
    browser
        .iter()
        .find(|tag| supported(tag) == Some(code))
        .cloned()
        .unwrap_or_else(|| code.to_owned())
}

/// The browser's languages, most wanted first.
fn browser_languages(window: &web_sys::Window) -> Vec<String> {
    let navigator = window.navigator();
    let list: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if list.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        list
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Remembers the visitor's language in this browser; the page is then loaded again in it.
pub fn remember(code: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, code);
    }
}

/// Chooses the language at start-up and loads its texts; English when they cannot be had.
pub async fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let stored = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = browser_languages(&window);
    let mut code = pick(stored.as_deref(), &browser);
    if let Some((_, version)) = VERSIONS.iter().find(|(c, _)| *c == code) {
        match load(&window, code, *version).await {
            Some(table) => TABLE.with(|t| t.set(Some(table))),
            None => code = "en",
        }
    }
    CURRENT.with(|c| c.set(code));
    crate::time::set_locale(&locale_for(code, &browser));
    if let Some(document) = window.document() {
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", code);
        }
        document.set_title(super::public::page_title());
    }
}

/// The texts of `code`, in the order of `public::ENGLISH` (the file's order: a unit test holds
/// it to that), through the browser's fetch and JSON parser (neither is in the page's wasm).
async fn load(window: &web_sys::Window, code: &str, version: u32) -> Option<Table> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let url = ["/i18n/", code, ".json?v=", &version.to_string()].concat();
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    let object = JsFuture::from(response.json().ok()?).await.ok()?;
    let object: js_sys::Object = object.dyn_into().ok()?;
    let table: Vec<Option<&'static str>> = js_sys::Object::values(&object)
        .iter()
        // Kept for the page's life: a language is loaded once.
        .map(|v| v.as_string().map(|s| &*s.leak()))
        .collect();
    Some(Box::leak(table.into_boxed_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_first_supported_browser_language_wins_unless_one_was_chosen() {
        assert_eq!(pick(None, &tags(&["de-DE", "en-US"])), "de");
        assert_eq!(pick(None, &tags(&["pt-BR", "fr-CA", "en"])), "fr");
        assert_eq!(pick(None, &tags(&["ja"])), "ja");
        assert_eq!(pick(None, &tags(&["ES-mx"])), "es");
        assert_eq!(pick(None, &tags(&["pt-BR", "ru"])), "en");
        assert_eq!(pick(None, &[]), "en");
        assert_eq!(pick(Some("ja"), &tags(&["de-DE"])), "ja");
        assert_eq!(pick(Some("en"), &tags(&["de-DE"])), "en");
        // A stored value the page no longer has: the browser's languages decide.
        assert_eq!(pick(Some("xx"), &tags(&["de-DE"])), "de");
    }

    #[test]
    fn dates_follow_the_browsers_own_tag_for_the_language() {
        let browser = tags(&["de-AT", "en-GB"]);
        assert_eq!(locale_for("de", &browser), "de-AT");
        assert_eq!(locale_for("en", &browser), "en-GB");
        assert_eq!(locale_for("ja", &browser), "ja");
    }

    #[test]
    fn every_language_but_english_has_a_versioned_file() {
        for (code, _) in LANGUAGES.iter().filter(|(c, _)| *c != "en") {
            assert!(VERSIONS.iter().any(|(c, v)| c == code && *v != 0), "{code}");
        }
        assert_eq!(VERSIONS.len(), LANGUAGES.len() - 1);
        assert_ne!(fnv(b"a"), fnv(b"b"));
    }
}
