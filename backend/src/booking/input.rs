//! Visitor input, parsed once at the edge into newtypes; the domain never sees raw strings.
//!
//! Invariant: a value of these types has passed its rules, so code holding one does not check
//! again. The rules keep out what breaks other systems (line breaks that forge mail headers or
//! ICS lines, control characters, text direction overrides that disguise a name), not what
//! merely looks suspicious: `<script>` is a fine name here, kept verbatim, because escaping
//! belongs to whoever renders it. Lengths are counted in characters, not bytes.

use std::fmt;

use chrono_tz::Tz;

use super::visitor_text;
pub use super::visitor_text::{
    DOMAIN_LABEL_MAX_CHARS, EMAIL_LOCAL_MAX_CHARS, EMAIL_MAX_CHARS, NAME_MAX_CHARS, NOTES_MAX_CHARS,
};

/// One problem with one field, worded for the visitor: "{field}: {reason}".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InputError {
    /// The name of the field in the booking request (`name`, `email`, `notes`, `timezone`).
    pub field: std::borrow::Cow<'static, str>,
    pub reason: String,
}

impl InputError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The visitor's name: 1 to 100 characters on one line, otherwise any Unicode.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VisitorName(String);

impl VisitorName {
    pub const FIELD: &'static str = "name";

    /// Trims surrounding white space, then checks.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        visitor_text::name(text)
            .map(Self)
            .map_err(|reason| InputError::new(Self::FIELD, reason))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address in the common `local@domain` form, the domain lowercased.
///
/// Deliberately narrower than RFC 5321: no quoted local parts, no IP literals, no comments;
/// the local part is ASCII (its case is kept, servers may care), the domain may be
/// internationalized (Unicode letters and digits, as typed; not converted to punycode).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const FIELD: &'static str = "email";

    /// Trims surrounding white space, lowercases the domain, then checks.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        visitor_text::email(text)
            .map(Self)
            .map_err(|reason| InputError::new(Self::FIELD, reason))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// The part after the `@`, lowercased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// Free text for the owner: up to 2000 characters, several lines allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Notes(String);

impl Notes {
    pub const FIELD: &'static str = "notes";

    /// Turns CRLF into LF and trims surrounding white space, then checks. Line feeds and tabs
    /// are the only control characters kept: a lone CR or an escape sequence is refused.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        visitor_text::notes(text)
            .map(Self)
            .map_err(|reason| InputError::new(Self::FIELD, reason))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The visitor's time zone, an IANA name (any case), shown in its canonical spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zone(Tz);

impl Zone {
    pub const FIELD: &'static str = "timezone";

    pub fn parse(text: &str) -> Result<Self, InputError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(InputError::new(Self::FIELD, "must not be empty"));
        }
        Tz::from_str_insensitive(text).map(Self).map_err(|_| {
            InputError::new(
                Self::FIELD,
                "is not a known time zone (use a name like Europe/Berlin)",
            )
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    pub fn into_inner(self) -> Tz {
        self.0
    }

    pub fn tz(&self) -> Tz {
        self.0
    }
}

macro_rules! display_as_str {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(VisitorName, Email, Notes, Zone);

/// The visitor's part of a booking request, every field checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingInput {
    pub name: VisitorName,
    pub email: Email,
    pub notes: Notes,
    pub timezone: Zone,
}

/// Parses every field and reports every problem, in field order, so the visitor fixes the
/// form once. Absent notes are empty notes.
pub fn parse_booking(
    name: &str,
    email: &str,
    notes: Option<&str>,
    timezone: &str,
) -> Result<BookingInput, Vec<InputError>> {
    let name = VisitorName::parse(name);
    let email = Email::parse(email);
    let notes = notes.map_or_else(|| Ok(Notes::default()), Notes::parse);
    let timezone = Zone::parse(timezone);
    match (name, email, notes, timezone) {
        (Ok(name), Ok(email), Ok(notes), Ok(timezone)) => Ok(BookingInput {
            name,
            email,
            notes,
            timezone,
        }),
        (name, email, notes, timezone) => {
            Err([name.err(), email.err(), notes.err(), timezone.err()]
                .into_iter()
                .flatten()
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The four field types behind one face, for `check` and the properties.
    trait Field: Sized {
        const FIELD: &'static str;
        fn parse(text: &str) -> Result<Self, InputError>;
        fn text(&self) -> &str;
    }

    macro_rules! field {
        ($($ty:ty),*) => {$(
            impl Field for $ty {
                const FIELD: &'static str = <$ty>::FIELD;
                fn parse(text: &str) -> Result<Self, InputError> {
                    <$ty>::parse(text)
                }
                fn text(&self) -> &str {
                    self.as_str()
                }
            }
        )*};
    }
    field!(VisitorName, Email, Notes, Zone);

    /// `Ok(kept value)`, or `Err(a part of the reason)`.
    fn check<T: Field>(input: &str, expected: Result<&str, &str>) {
        let got = T::parse(input);
        match (&got, expected) {
            (Ok(value), Ok(want)) => assert_eq!(value.text(), want, "input {input:?}"),
            (Err(e), Err(part)) => {
                assert_eq!(e.field, T::FIELD);
                assert!(
                    e.reason.contains(part),
                    "input {input:?}: reason {:?} lacks {part:?}",
                    e.reason
                );
            }
            _ => panic!(
                "input {input:?}: got {:?}, expected {expected:?}",
                got.map(|v| v.text().to_owned())
            ),
        }
    }

    #[test]
    fn names() {
        let c = check::<VisitorName>;
        c("Ann", Ok("Ann"));
        c("  Ann Lee \t", Ok("Ann Lee"));
        c("José Müller-Lüdenscheidt", Ok("José Müller-Lüdenscheidt"));
        c("李小龙", Ok("李小龙"));
        c("مريم", Ok("مريم"));
        c("O'Brien & \"Sons\"", Ok("O'Brien & \"Sons\""));
        // HTML is data: kept verbatim, escaped by whoever renders it.
        c("<script>alert(1)</script>", Ok("<script>alert(1)</script>"));
        c("", Err("must not be empty"));
        c(" \t ", Err("must not be empty"));
        c("Ann\nLee", Err("single line"));
        c("Ann\r\nBcc: x@y.z", Err("single line"));
        c("Ann\rLee", Err("single line"));
        c("Ann\u{2028}Lee", Err("single line"));
        c("Ann\u{2029}Lee", Err("single line"));
        c("Ann\u{85}Lee", Err("single line"));
        c("Ann\0", Err("control characters"));
        c("Ann\tLee", Err("control characters"));
        c("Ann\u{1b}[31mLee", Err("control characters"));
        c("Ann\u{7f}", Err("control characters"));
        c("\u{202E}moc.elgoog", Err("text direction"));
        c("Ann \u{2066}Lee\u{2069}", Err("text direction"));
        c("Ann\u{202A}", Err("text direction"));
        // Nothing visible: zero-width space, ZWJ + BOM, Hangul fillers, tag characters,
        // variation selectors, blank Braille, soft hyphen (issue 16 row 11).
        for invisible in [
            "\u{200B}",
            "\u{200D}\u{FEFF}",
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "\u{E0041}\u{E0042}\u{E007F}",
            "\u{E0001}",
            "\u{FE0F}",
            "\u{2800}",
            "\u{AD}",
            " \u{200B} \u{3164} ",
            "\u{2060}\u{2061}\u{2064}",
        ] {
            c(invisible, Err("at least one visible"));
        }
        // One visible character among them is enough: joiners are part of some scripts and
        // of emoji.
        c("Ann\u{200B}", Ok("Ann\u{200B}"));
        c("👩\u{200D}💻", Ok("👩\u{200D}💻"));
        c("क्\u{200D}ष", Ok("क्\u{200D}ष"));
        c("\u{3164}x", Ok("\u{3164}x"));
        c("-", Ok("-"));
        c("7", Ok("7"));
        // MIME encoded words would be decoded by mail programs in a subject (issue 16 row 8).
        c("Ann =?utf-8?q?=E2=80=AEfdp.exe?=", Err("=?"));
        c("=?UTF-8?B?QW5uDQpCY2M6IHhAeS56?=", Err("mail encoding"));
        c("Ann =?", Ok("Ann =?"));
        c("Ann ?= =?", Ok("Ann ?= =?"));
        c("a=b?c", Ok("a=b?c"));
    }

    #[test]
    fn name_length_counts_characters() {
        let c = check::<VisitorName>;
        c(&"x".repeat(100), Ok(&"x".repeat(100)));
        c(&format!("  {}  ", "x".repeat(100)), Ok(&"x".repeat(100)));
        c(
            &"x".repeat(101),
            Err("must not be longer than 100 characters"),
        );
        c(&"é".repeat(100), Ok(&"é".repeat(100)));
        c(&"😀".repeat(100), Ok(&"😀".repeat(100)));
        c(&"😀".repeat(101), Err("longer than 100"));
        c(&"x".repeat(100_000), Err("(it has 100000)"));
    }

    #[test]
    fn emails() {
        let c = check::<Email>;
        c("ann@example.com", Ok("ann@example.com"));
        c("  Ann.Lee+tag@Example.COM ", Ok("Ann.Lee+tag@example.com"));
        c("a@b.c", Ok("a@b.c"));
        c("x!#$%&'*+-/=?^_`{|}~@b.cd", Ok("x!#$%&'*+-/=?^_`{|}~@b.cd"));
        c("a@sub-domain.b2.example", Ok("a@sub-domain.b2.example"));
        c("a@xn--mnchen-3ya.de", Ok("a@xn--mnchen-3ya.de"));
        c("a@münchen.de", Ok("a@münchen.de"));
        c("a@MÜNCHEN.DE", Ok("a@münchen.de"));
        c("a@例え.テスト", Ok("a@例え.テスト"));
        c("", Err("must not be empty"));
        c("a@b", Err("needs a dot"));
        c("ann", Err("no @"));
        c("a@b@c.d", Err("more than one @"));
        c("@b.cd", Err("nothing before the @"));
        c("a@", Err("nothing after the @"));
        c("a..b@c.d", Err("misplaced dot"));
        c(".a@b.cd", Err("misplaced dot"));
        c("a.@b.cd", Err("misplaced dot"));
        c("a@b..cd", Err("misplaced dot"));
        c("a@.b.cd", Err("misplaced dot"));
        c("a@b.cd.", Err("misplaced dot"));
        c("a@-b.c", Err("hyphen"));
        c("a@b-.c", Err("hyphen"));
        c("a@b.-c", Err("hyphen"));
        c("a b@c.d", Err("spaces"));
        c("a@b c.d", Err("spaces"));
        c("a@b.c\nBcc: x@y.z", Err("spaces or line breaks"));
        c("a@b.cd\r\n", Ok("a@b.cd"));
        c("a\0@b.cd", Err("spaces or line breaks"));
        c("<a@b.cd>", Err("not allowed"));
        c("Ann <a@b.cd>", Err("not an email address"));
        c("\"a b\"@c.d", Err("not an email address"));
        c(
            "\"ab\"@c.d",
            Err("before the @ contains characters that are not allowed"),
        );
        c("a@b.cd<script>", Err("after the @ contains characters"));
        c("a@b_c.de", Err("not allowed"));
        c("ä@b.cd", Err("not allowed"));
        c("a@b.c\u{202E}", Err("not allowed"));
        c("a@1.2.3.4", Err("not a number"));
        c("a@[1.2.3.4]", Err("not allowed"));
        c("a@localhost", Err("needs a dot"));
    }

    #[test]
    fn email_lengths() {
        let c = check::<Email>;
        let local64 = "l".repeat(64);
        c(&format!("{local64}@b.cd"), Ok(&format!("{local64}@b.cd")));
        c(&format!("l{local64}@b.cd"), Err("longer than 64"));
        let label63 = "d".repeat(63);
        c(&format!("a@{label63}.cd"), Ok(&format!("a@{label63}.cd")));
        c(&format!("a@d{label63}.cd"), Err("longer than 63"));
        // 64 + 1 + 189 = 254 characters.
        let domain189 = format!("{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(61));
        let longest = format!("{local64}@{domain189}");
        c(&longest, Ok(&longest));
        c(
            &format!("{longest}c"),
            Err("must not be longer than 254 characters"),
        );
        c(&"a".repeat(10_000), Err("longer than 254"));
    }

    #[test]
    fn notes() {
        let c = check::<Notes>;
        c("", Ok(""));
        c("  \n ", Ok(""));
        c("  hi  ", Ok("hi"));
        c("line 1\r\nline 2\r\n", Ok("line 1\nline 2"));
        c("line 1\n\n\tline 2", Ok("line 1\n\n\tline 2"));
        c("<script>alert(1)</script>", Ok("<script>alert(1)</script>"));
        c(
            "Let's talk about 😀 and مريم",
            Ok("Let's talk about 😀 and مريم"),
        );
        c("a\rb", Err("control characters"));
        c("a\0b", Err("control characters"));
        c("a\u{1b}[31mb", Err("control characters"));
        c("a\u{202E}b", Err("text direction"));
        c(&"x".repeat(2000), Ok(&"x".repeat(2000)));
        c(&"😀".repeat(2000), Ok(&"😀".repeat(2000)));
        c(
            &"x".repeat(2001),
            Err("must not be longer than 2000 characters"),
        );
        // CRLF counts as one character once normalized.
        let lines = "x\r\n".repeat(1000);
        c(&lines, Ok(&"x\n".repeat(1000)[..1999]));
    }

    #[test]
    fn zones() {
        let c = check::<Zone>;
        c("Europe/Berlin", Ok("Europe/Berlin"));
        c("europe/berlin", Ok("Europe/Berlin"));
        c(" America/New_York\n", Ok("America/New_York"));
        c(
            "AMERICA/ARGENTINA/BUENOS_AIRES",
            Ok("America/Argentina/Buenos_Aires"),
        );
        c("UTC", Ok("UTC"));
        c("", Err("must not be empty"));
        c("Mars/Olympus_Mons", Err("not a known time zone"));
        c("+02:00", Err("not a known time zone"));
        c("Europe/Berlin\0", Err("not a known time zone"));
        assert_eq!(
            Zone::parse("Asia/Tokyo").unwrap().tz(),
            chrono_tz::Asia::Tokyo
        );
    }

    #[test]
    fn display_is_the_value_and_error_names_the_field() {
        assert_eq!(VisitorName::parse(" Ann ").unwrap().to_string(), "Ann");
        assert_eq!(Zone::parse("utc").unwrap().to_string(), "UTC");
        let e = VisitorName::parse(&"x".repeat(101)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "name: must not be longer than 100 characters (it has 101)"
        );
        assert_eq!(
            Email::parse("a@b").unwrap_err().to_string(),
            "email: is not an email address (the part after the @ needs a dot, like example.com)"
        );
    }

    #[test]
    fn booking_reports_every_problem() {
        let input = parse_booking(" Ann ", "Ann@Example.com", None, "europe/paris").unwrap();
        assert_eq!(input.name.as_str(), "Ann");
        assert_eq!(input.email.as_str(), "Ann@example.com");
        assert_eq!(input.email.domain(), "example.com");
        assert!(input.notes.is_empty());
        assert_eq!(input.timezone.tz(), chrono_tz::Europe::Paris);

        let with_notes = parse_booking("Ann", "a@b.cd", Some("see you\r\n"), "UTC").unwrap();
        assert_eq!(with_notes.notes.as_str(), "see you");

        let errors = parse_booking("Ann\nLee", "a@b", Some("\0"), "Nowhere").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["name", "email", "notes", "timezone"]);

        let errors = parse_booking("Ann", "nope", Some("fine"), "UTC").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "email");
    }

    /// Never panics; what is accepted is a fixed point (parsing the kept value keeps it).
    fn stable<T: Field>(input: &str) -> Result<(), TestCaseError> {
        if let Ok(value) = T::parse(input) {
            match T::parse(value.text()) {
                Ok(again) => prop_assert_eq!(again.text(), value.text()),
                Err(e) => prop_assert!(false, "{:?} re-parsed as {}", value.text(), e),
            }
        }
        Ok(())
    }

    fn stable_all(input: &str) -> Result<(), TestCaseError> {
        stable::<VisitorName>(input)?;
        stable::<Email>(input)?;
        stable::<Notes>(input)?;
        stable::<Zone>(input)
    }

    proptest! {
        #[test]
        fn any_text(input in any::<String>()) {
            stable_all(&input)?;
        }

        #[test]
        fn email_like(input in "[ \t]?[a-zA-Z0-9.+_\"-]{0,8}@[a-zA-Z0-9.ÄÉİßΣ_-]{0,12}[ \n]?") {
            stable_all(&input)?;
        }

        #[test]
        fn text_like(input in "[\\PC\r\n\t\u{202E}\u{2028}]{0,30}") {
            stable_all(&input)?;
        }
    }
}
