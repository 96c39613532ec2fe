use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::strings::lang::LANGUAGES;
use crate::visitor_text;

/// The `{name}` places of a text.
fn places(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn translation(code: &str) -> BTreeMap<String, String> {
    let path = format!("{}/i18n/{code}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_language_translates_every_text_with_the_same_places() {
    assert_eq!(KEYS.len(), ENGLISH.len());
    let keys: BTreeSet<&str> = KEYS.iter().copied().collect();
    assert_eq!(keys.len(), KEYS.len(), "a key is there twice");
    for (code, _) in LANGUAGES.iter().filter(|(c, _)| *c != "en") {
        let table = translation(code);
        let theirs: BTreeSet<&str> = table.keys().map(String::as_str).collect();
        let missing: Vec<_> = keys.difference(&theirs).collect();
        let unknown: Vec<_> = theirs.difference(&keys).collect();
        assert!(missing.is_empty(), "i18n/{code}.json lacks {missing:?}");
        assert!(
            unknown.is_empty(),
            "i18n/{code}.json has unknown keys {unknown:?}"
        );
        for (key, english) in KEYS.iter().zip(ENGLISH) {
            let text = &table[*key];
            assert!(!text.trim().is_empty(), "{code}.{key} is empty");
            assert_eq!(places(text), places(english), "{code}.{key}: {text}");
        }
        // The page reads the texts by place (Object.values): the file's order is the keys'.
        let raw =
            std::fs::read_to_string(format!("{}/i18n/{code}.json", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_default();
        let at: Vec<usize> = KEYS
            .iter()
            .map(|key| {
                raw.find(&format!("\n  \"{key}\":"))
                    .unwrap_or_else(|| panic!("{code}.{key}: one key a line, two spaces in"))
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "i18n/{code}.json: the keys are not in the order of public.rs"
        );
    }
}

#[test]
fn every_translation_file_is_a_language_of_the_page() {
    let dir = format!("{}/i18n", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    files.sort();
    let mut expected: Vec<String> = LANGUAGES
        .iter()
        .filter(|(c, _)| *c != "en")
        .map(|(c, _)| format!("{c}.json"))
        .collect();
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn places_are_filled_in() {
    assert_eq!(book_with("Ada"), "Book a time with Ada");
    assert_eq!(minutes(30), "30 min");
    assert_eq!(minutes(60), "1 hour");
    assert_eq!(minutes(120), "2 hours");
    assert_eq!(free_times(0), "no free times");
    assert_eq!(free_times(1), "1 free time");
    assert_eq!(free_times(7), "7 free times");
    assert_eq!(slots_loaded("May 2027", 2), "May 2027: 2 free times.");
    assert_eq!(
        rate_limited(Some(42)),
        "Too many attempts from your network. Please wait 42 seconds, then try again."
    );
    assert_eq!(
        field_error("Name", "must not be empty"),
        "Name must not be empty."
    );
}

/// Every reason the wire crate's rules give (the form shows them as the visitor types, the API
/// sends the same words) has its text in every language.
#[test]
fn every_refusal_of_the_text_rules_is_translated() {
    let long = |n: usize| "a".repeat(n);
    let reasons: Vec<String> = [
        visitor_text::name(""),
        visitor_text::name("\u{200B}"),
        visitor_text::name("=?utf-8?q?x?="),
        visitor_text::name("a\nb"),
        visitor_text::name("a\u{1}b"),
        visitor_text::name("a\u{202E}b"),
        visitor_text::name(&long(101)),
        visitor_text::email(""),
        visitor_text::email("a b@x.org"),
        visitor_text::email("ax.org"),
        visitor_text::email("a@b@x.org"),
        visitor_text::email("@x.org"),
        visitor_text::email(&format!("{}@x.org", long(65))),
        visitor_text::email("a(b@x.org"),
        visitor_text::email(".a@x.org"),
        visitor_text::email("a@"),
        visitor_text::email("a@localhost"),
        visitor_text::email("a@x..org"),
        visitor_text::email(&format!("a@{}.org", long(64))),
        visitor_text::email("a@x_y.org"),
        visitor_text::email("a@-x.org"),
        visitor_text::email("a@x.123"),
        visitor_text::email(&format!("{}@{}.org", long(60), long(200))),
        visitor_text::notes("a\u{202E}b"),
        visitor_text::notes("a\u{1}b"),
        visitor_text::notes(&long(2001)),
        visitor_text::answer("a\nb"),
        visitor_text::answer(&long(501)),
    ]
    .into_iter()
    .map(|r| r.expect_err("each of these is refused"))
    .chain([
        answer_required(),
        not_a_choice(&["Sales".into(), "Support".into()]),
    ])
    .collect();
    for reason in &reasons {
        assert!(
            translate_refusal(reason).is_some(),
            "no translation for the reason {reason:?}: add it to REASONS and i18n/*.json"
        );
    }
    // The numbers and choices of a reason are kept.
    assert_eq!(
        translate_refusal("must not be longer than 100 characters (it has 101)").as_deref(),
        Some("must not be longer than 100 characters (it has 101)")
    );
    assert_eq!(
        translate_refusal("is not an email address (it has no @)").as_deref(),
        Some("is not an email address (it has no @)")
    );
    assert_eq!(translate_refusal("something new"), None);
}

#[test]
fn a_template_gives_back_its_places() {
    assert_eq!(
        places_of(
            K::too_long,
            "must not be longer than 5 characters (it has 7)"
        ),
        Some(vec!["5".to_owned(), "7".to_owned()])
    );
    assert_eq!(
        places_of(K::too_long, "must not be longer than 5 characters"),
        None
    );
    assert_eq!(
        places_of(K::times_in, "Times are shown in Asia/Tokyo"),
        Some(vec!["Asia/Tokyo".to_owned()])
    );
}

/// Every error code the booking page can meet has a sentence of the page's own.
#[test]
fn error_codes_have_the_pages_words() {
    assert_eq!(error_code(ErrorCode::NotFound), not_found());
    assert_eq!(error_code(ErrorCode::NotFree), just_taken());
    for code in [
        ErrorCode::Timeout,
        ErrorCode::WrongHost,
        ErrorCode::UnsupportedMediaType,
    ] {
        assert_eq!(error_code(code), refused(), "{code:?}");
    }
}
