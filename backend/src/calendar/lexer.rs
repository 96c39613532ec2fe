//! RFC 5545 content lines: unfolding, CRLF or LF, a leading BOM, parameters, line numbers.
//!
//! The lexer borrows from the input and only allocates for folded lines, so a calendar is read
//! at memory speed. It never fails: a line without a colon is reported to the caller as such.

use std::borrow::Cow;

/// One logical (unfolded) content line: `NAME;PARAM=VALUE;...:VALUE`.
#[derive(Debug, Clone)]
pub struct ContentLine<'a> {
    /// 1-based number of the physical line where this content line starts.
    pub line: u32,
    pub name: Cow<'a, str>,
    /// The raw parameter text between the name and the value, without the leading `;`.
    pub params: Cow<'a, str>,
    pub value: Cow<'a, str>,
    /// False when the line had no `:` (malformed); name holds the whole line then.
    pub well_formed: bool,
}

impl ContentLine<'_> {
    /// The value of parameter `key` (case-insensitive), without surrounding quotes.
    pub fn param(&self, key: &str) -> Option<&str> {
        if self.params.is_empty() {
            return None;
        }
        params_iter(&self.params).find_map(|(k, v)| k.eq_ignore_ascii_case(key).then_some(v))
    }

    /// True when the property name equals `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Iterates `KEY=VALUE` pairs of a raw parameter string; quoted values may hold `;` and `:`.
fn params_iter(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let eq = rest.find('=');
            let semi = find_unquoted(rest, b';').unwrap_or(rest.len());
            let part = &rest[..semi];
            rest = rest.get(semi + 1..).unwrap_or("");
            if let Some(eq) = eq.filter(|&e| e < semi) {
                let key = part[..eq].trim_ascii();
                let value = part[eq + 1..].trim_ascii();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                return Some((key, value));
            }
        }
        None
    })
}

/// The first `needle` byte outside double quotes.
fn find_unquoted(s: &str, needle: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    // Fast path: no quote before the first needle.
    let first = memchr_byte(needle, bytes)?;
    match memchr_byte(b'"', &bytes[..first]) {
        None => Some(first),
        Some(_) => {
            let mut quoted = false;
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'"' {
                    quoted = !quoted;
                } else if b == needle && !quoted {
                    return Some(i);
                }
            }
            None
        }
    }
}

#[inline]
fn memchr_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// Splits `name;params:value` at the first unquoted `:` after the name.
fn split_line(text: &str) -> (&str, &str, &str, bool) {
    let bytes = text.as_bytes();
    let name_end = memchr::memchr2(b';', b':', bytes).unwrap_or(bytes.len());
    let name = &text[..name_end];
    if name_end == bytes.len() {
        return (name, "", "", false);
    }
    if bytes[name_end] == b':' {
        return (name, "", &text[name_end + 1..], true);
    }
    let after = &text[name_end + 1..];
    match find_unquoted(after, b':') {
        Some(colon) => (name, &after[..colon], &after[colon + 1..], true),
        None => (name, after, "", false),
    }
}

/// Iterator over the logical content lines of an iCalendar text.
#[derive(Debug)]
pub struct Lexer<'a> {
    rest: &'a str,
    line: u32,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Lexer {
            rest: text,
            line: 0,
        }
    }

    /// A later piece of the same text, starting at line `first_line` (1-based).
    pub fn continuing(text: &'a str, first_line: u32) -> Self {
        Lexer {
            rest: text,
            line: first_line.saturating_sub(1),
        }
    }

    /// Takes the next physical line (without its terminator).
    fn physical(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let bytes = self.rest.as_bytes();
        let (line, next) = match memchr_byte(b'\n', bytes) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = next;
        self.line += 1;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    fn next_is_continuation(&self) -> bool {
        matches!(self.rest.as_bytes().first(), Some(b' ') | Some(b'\t'))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = ContentLine<'a>;

    fn next(&mut self) -> Option<ContentLine<'a>> {
        loop {
            let first = self.physical()?;
            let start_line = self.line;
            if !self.next_is_continuation() {
                if first.trim_ascii().is_empty() {
                    continue;
                }
                let (name, params, value, well_formed) = split_line(first);
                return Some(ContentLine {
                    line: start_line,
                    name: Cow::Borrowed(name.trim_ascii()),
                    params: Cow::Borrowed(params),
                    value: Cow::Borrowed(value),
                    well_formed,
                });
            }
            let mut joined = String::with_capacity(first.len() + 80);
            joined.push_str(first);
            while self.next_is_continuation() {
                if let Some(cont) = self.physical() {
                    joined.push_str(&cont[1..]);
                }
            }
            if joined.trim_ascii().is_empty() {
                continue;
            }
            let (name, params, value, well_formed) = split_line(&joined);
            return Some(ContentLine {
                line: start_line,
                name: Cow::Owned(name.trim_ascii().to_owned()),
                params: Cow::Owned(params.to_owned()),
                value: Cow::Owned(value.to_owned()),
                well_formed,
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u32, String, String, String)> {
        Lexer::new(text)
            .map(|l| {
                (
                    l.line,
                    l.name.into_owned(),
                    l.params.into_owned(),
                    l.value.into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn unfolds_and_numbers() {
        let got =
            lines("\u{feff}BEGIN:VEVENT\r\nSUMMARY:Hel\r\n lo\r\n\tWorld\r\nUID:1\nEND:VEVENT");
        assert_eq!(
            got,
            vec![
                (1, "BEGIN".into(), "".into(), "VEVENT".into()),
                (2, "SUMMARY".into(), "".into(), "HelloWorld".into()),
                (5, "UID".into(), "".into(), "1".into()),
                (6, "END".into(), "".into(), "VEVENT".into()),
            ]
        );
    }

    #[test]
    fn params_with_quotes() {
        let l = Lexer::new("DTSTART;TZID=\"Eastern: Time;US\";VALUE=DATE-TIME:20250101T090000\n")
            .next()
            .unwrap();
        assert_eq!(l.param("tzid"), Some("Eastern: Time;US"));
        assert_eq!(l.param("VALUE"), Some("DATE-TIME"));
        assert_eq!(l.value, "20250101T090000");
        assert!(l.well_formed);
    }

    #[test]
    fn malformed_line() {
        let l = Lexer::new("garbage line\n").next().unwrap();
        assert!(!l.well_formed);
    }
}
