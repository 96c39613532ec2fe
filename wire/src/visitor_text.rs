//! The rules of the visitor's text fields (name, email, notes), with nothing but std: the API
//! (`booking/input.rs` wraps them in newtypes) and the booking page check with this one file (in
//! the wire crate, which both depend on), so the form refuses exactly what the API refuses.
//! Each check returns the kept value or the reason, worded for the visitor.

pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const EMAIL_LOCAL_MAX_CHARS: usize = 64;
pub const DOMAIN_LABEL_MAX_CHARS: usize = 63;
pub const NOTES_MAX_CHARS: usize = 2000;
pub const ANSWER_MAX_CHARS: usize = 500;

/// Characters that end a line somewhere: in mail headers, ICS content lines, logs.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Embeddings, overrides and isolates: they reorder the text around them, so a name could
/// show as something else than what it is ("Trojan Source"). The plain marks (U+200E/F) only
/// affect themselves and are allowed.
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn too_long(max: usize, len: usize) -> String {
    format!("must not be longer than {max} characters (it has {len})")
}

const DIRECTION: &str = "must not contain characters that change the text direction";
const CONTROL: &str = "must not contain control characters";

/// Characters that show nothing by themselves: the format characters (Unicode category Cf:
/// zero-width spaces and joiners, the BOM, invisible operators, tags...), the Hangul fillers,
/// variation selectors, the combining grapheme joiner and the blank Braille pattern. Listed
/// here because std has no category tables and this file stays std only.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A character a reader sees: a letter, digit, mark of punctuation or symbol; not white space,
/// a control or an invisible character.
pub fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !is_invisible(c)
}

/// Whether the text holds a MIME encoded word (`=?charset?q?...?=`, RFC 2047): mail programs
/// decode those in a subject into any character, line breaks included.
pub fn has_encoded_word(text: &str) -> bool {
    text.find("=?")
        .is_some_and(|start| text[start + 2..].contains("?="))
}

/// The visitor's name: trims surrounding white space; 1 to 100 characters on one line, at
/// least one of them visible, no MIME encoded word.
pub fn name(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let kept = one_line(text, NAME_MAX_CHARS)?;
    if !kept.chars().any(is_visible) {
        return Err("must contain at least one visible letter, digit or sign".into());
    }
    if has_encoded_word(&kept) {
        return Err("must not contain \"=?\" followed by \"?=\" (a mail encoding)".into());
    }
    Ok(kept)
}

/// Trimmed text on one line, without control or direction characters, at most `max` characters.
fn one_line(text: &str, max: usize) -> Result<String, String> {
    let text = text.trim();
    if text.chars().any(is_line_break) {
        return Err("must be a single line".into());
    }
    if text.chars().any(char::is_control) {
        return Err(CONTROL.into());
    }
    if text.chars().any(is_direction_control) {
        return Err(DIRECTION.into());
    }
    let len = text.chars().count();
    if len > max {
        return Err(too_long(max, len));
    }
    Ok(text.to_owned())
}

/// An email address in the common `local@domain` form: trims, lowercases the domain.
pub fn email(text: &str) -> Result<String, String> {
    let not_an_address = |why: &str| format!("is not an email address ({why})");
    let text = text.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    // Early, so that a megabyte of input is not walked several times.
    let len = text.chars().count();
    if len > EMAIL_MAX_CHARS {
        return Err(too_long(EMAIL_MAX_CHARS, len));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(not_an_address("it must not contain spaces or line breaks"));
    }
    let Some((local, domain)) = text.split_once('@') else {
        return Err(not_an_address("it has no @"));
    };
    if domain.contains('@') {
        return Err(not_an_address("it has more than one @"));
    }
    check_local(local).map_err(not_an_address)?;
    let domain = domain.to_lowercase();
    check_domain(&domain).map_err(not_an_address)?;
    let address = format!("{local}@{domain}");
    // Lowercasing can lengthen a few characters.
    let len = address.chars().count();
    if len > EMAIL_MAX_CHARS {
        return Err(too_long(EMAIL_MAX_CHARS, len));
    }
    Ok(address)
}

/// Free text: CRLF becomes LF, trimmed; up to 2000 characters, line feeds and tabs allowed.
pub fn notes(text: &str) -> Result<String, String> {
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(CONTROL.into());
    }
    if text.chars().any(is_direction_control) {
        return Err(DIRECTION.into());
    }
    let len = text.chars().count();
    if len > NOTES_MAX_CHARS {
        return Err(too_long(NOTES_MAX_CHARS, len));
    }
    Ok(text.to_owned())
}

/// The answer to one of the owner's questions: trimmed, one line, up to 500 characters (may
/// be empty: whether it must be given is the question's business).
pub fn answer(text: &str) -> Result<String, String> {
    one_line(text, ANSWER_MAX_CHARS)
}

/// The `ref` of a visit (where the visitor came from, for the owner's statistics): 1 to 64
/// letters, digits, `.`, `-` or `_`.
pub fn visit_ref(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 64 {
        return Err("must be 1 to 64 characters".into());
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err("may only contain letters, digits, `.`, `-` and `_`".into());
    }
    Ok(text.to_owned())
}

/// RFC 5322 `atext` and dots, dots only between atoms.
fn check_local(local: &str) -> Result<(), &'static str> {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    if local.is_empty() {
        return Err("nothing before the @");
    }
    if local.chars().count() > EMAIL_LOCAL_MAX_CHARS {
        return Err("the part before the @ is longer than 64 characters");
    }
    if !local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || SPECIALS.contains(c))
    {
        return Err("the part before the @ contains characters that are not allowed");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before the @ has a misplaced dot");
    }
    Ok(())
}

/// Dot-separated labels of letters, digits and inner hyphens; at least two labels, the last
/// one not a number (that would be an IP address, not a mail domain).
fn check_domain(domain: &str) -> Result<(), &'static str> {
    if domain.is_empty() {
        return Err("nothing after the @");
    }
    if !domain.contains('.') {
        return Err("the part after the @ needs a dot, like example.com");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("the part after the @ has a misplaced dot");
        }
        if label.chars().count() > DOMAIN_LABEL_MAX_CHARS {
            return Err("a part of the domain is longer than 63 characters");
        }
        let allowed = |c: char| {
            c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
        };
        if !label.chars().all(allowed) {
            return Err("the part after the @ contains characters that are not allowed");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part of the domain starts or ends with a hyphen");
        }
    }
    let top = domain.rsplit('.').next().unwrap_or_default();
    if top.chars().all(|c| c.is_ascii_digit()) {
        return Err("the domain must end in a name, not a number");
    }
    Ok(())
}
