//! Reads the (overridden) TOML table into typed configuration, collecting every problem.
//!
//! Invariant: never stops at the first problem and never panics; a key that is missing or
//! wrong gets its default so that reading goes on, and the caller discards the result when any
//! problem was recorded.
//!
//! Layout: the `Reader` and its typed getters (strings, numbers, secrets, addresses, time
//! ranges) and the shared checks are here; `sections` reads the single sections, `sources` the
//! `[[sources]]`, `event_types` `[availability]` and `[[event_types]]`, `channels` mail,
//! webhooks and the OAuth clients.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Weekday};
use toml::{Table, Value};

use crate::availability::TimeRange;

use super::schema::{self, Field};
use super::{Problem, Secret, SourceKind};

mod channels;
mod event_types;
mod sections;
mod sources;

const MINUTES_PER_DAY: u32 = 24 * 60;

pub(super) struct Reader<'a> {
    pub problems: Vec<Problem>,
    pub base_dir: &'a Path,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Reader<'_> {
    fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(key, message));
    }

    fn wrong_type(&mut self, key: String, expected: &str, found: &Value) {
        self.problem(
            key,
            format!("expected {expected}, found {}", found.type_str()),
        );
    }

    /// `value` as a table with only `fields`; unknown keys are reported.
    pub(super) fn table<'t>(
        &mut self,
        path: &str,
        value: &'t Value,
        fields: &[Field],
    ) -> Option<&'t Table> {
        let Some(table) = value.as_table() else {
            self.wrong_type(path.to_owned(), "a table", value);
            return None;
        };
        self.unknown_keys(path, table, fields);
        Some(table)
    }

    fn unknown_keys(&mut self, path: &str, table: &Table, fields: &[Field]) {
        for key in table.keys() {
            if schema::field(fields, key).is_none() {
                let message = match schema::suggest(key, fields.iter().map(|f| f.0)) {
                    Some(k) => format!("unknown key (did you mean `{k}`?)"),
                    None => "unknown key".to_owned(),
                };
                self.problem(join(path, key), message);
            }
        }
    }

    /// The section `name` of the root; an empty table when absent.
    fn section<'t>(&mut self, root: &'t Table, name: &str, fields: &[Field]) -> Option<&'t Table> {
        match root.get(name) {
            None => None,
            Some(value) => self.table(name, value, fields),
        }
    }

    fn str(&mut self, t: Option<&Table>, path: &str, key: &str) -> Option<String> {
        match t?.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(join(path, key), "a string", other);
                None
            }
        }
    }

    fn required_str(&mut self, t: Option<&Table>, path: &str, key: &str) -> String {
        if t.is_none_or(|t| !t.contains_key(key)) {
            self.problem(join(path, key), "is required");
            return String::new();
        }
        let value = self.str(t, path, key);
        if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
            self.problem(join(path, key), "must not be empty");
        }
        value.unwrap_or_default()
    }

    fn bool(&mut self, t: Option<&Table>, path: &str, key: &str, default: bool) -> bool {
        match t.and_then(|t| t.get(key)) {
            None => default,
            Some(Value::Boolean(b)) => *b,
            Some(other) => {
                self.wrong_type(join(path, key), "true or false", other);
                default
            }
        }
    }

    /// An integer in `min..=max`, or `None` when absent or wrong.
    fn int(&mut self, t: Option<&Table>, path: &str, key: &str, min: u32, max: u32) -> Option<u32> {
        let value = t?.get(key)?;
        let Value::Integer(n) = value else {
            self.wrong_type(join(path, key), "a whole number", value);
            return None;
        };
        match u32::try_from(*n) {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problem(
                    join(path, key),
                    format!("must be between {min} and {max}, found {n}"),
                );
                None
            }
        }
    }

    /// `key` or `key_file` (the file's content without the trailing newline); both is a problem.
    fn secret(&mut self, t: Option<&Table>, path: &str, key: &str) -> Option<Secret> {
        let file_key = format!("{key}_file");
        let inline = self.str(t, path, key);
        let file = self.str(t, path, &file_key);
        match (inline, file) {
            (Some(_), Some(_)) => {
                self.problem(
                    join(path, key),
                    format!("set either `{key}` or `{file_key}`, not both"),
                );
                None
            }
            (Some(value), None) => Some(Secret::new(value)),
            (None, Some(file)) => {
                let full = self.base_dir.join(&file);
                match std::fs::read_to_string(&full) {
                    Ok(text) => {
                        let value = text.strip_suffix('\n').unwrap_or(&text);
                        let value = value.strip_suffix('\r').unwrap_or(value);
                        if value.is_empty() {
                            self.problem(
                                join(path, &file_key),
                                format!("{} is empty", full.display()),
                            );
                        }
                        Some(Secret::new(value))
                    }
                    Err(e) => {
                        self.problem(
                            join(path, &file_key),
                            format!("cannot read {}: {e}", full.display()),
                        );
                        None
                    }
                }
            }
            (None, None) => None,
        }
    }

    /// `None` when absent or wrong (wrong is reported).
    fn addr(&mut self, t: Option<&Table>, path: &str, key: &str) -> Option<SocketAddr> {
        let text = self.str(t, path, key)?;
        let addr = text.parse().ok();
        if addr.is_none() {
            self.problem(
                join(path, key),
                format!("`{text}` is not an address (expected IP:port, such as 127.0.0.1:8080 or [::]:8080)"),
            );
        }
        addr
    }

    fn array<'t>(&mut self, t: Option<&'t Table>, path: &str, key: &str) -> Option<&'t [Value]> {
        match t?.get(key)? {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(join(path, key), "an array", other);
                None
            }
        }
    }

    /// A list of "HH:MM-HH:MM" ranges of one day, checked for overlaps; sorted.
    fn ranges(&mut self, path: &str, value: &Value) -> Vec<TimeRange> {
        let Value::Array(items) = value else {
            self.wrong_type(
                path.to_owned(),
                "an array of \"HH:MM-HH:MM\" strings",
                value,
            );
            return Vec::new();
        };
        let mut ranges: Vec<(TimeRange, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{path}[{i}]");
            match item.as_str() {
                None => self.wrong_type(key, "a string \"HH:MM-HH:MM\"", item),
                Some(text) => match parse_range(text) {
                    Ok(range) => ranges.push((range, i)),
                    Err(message) => self.problem(key, message),
                },
            }
        }
        ranges.sort();
        for pair in ranges.windows(2) {
            let [(a, _), (b, j)] = pair else { continue };
            if minute_of(b.start) < end_minute(a) {
                self.problem(
                    format!("{path}[{j}]"),
                    format!("overlaps {}", format_range(a)),
                );
            }
        }
        ranges.into_iter().map(|(r, _)| r).collect()
    }

    fn weekday(&mut self, key: String, value: &Value) -> Option<Weekday> {
        let day = value.as_str().and_then(parse_weekday);
        if day.is_none() {
            self.problem(
                key,
                "expected a day: \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"",
            );
        }
        day
    }
}

pub(super) fn parse_weekday(name: &str) -> Option<Weekday> {
    let index = schema::WEEKDAYS.iter().position(|(n, _)| *n == name)?;
    let mut day = Weekday::Mon;
    for _ in 0..index {
        day = day.succ();
    }
    Some(day)
}

fn minute_of(t: NaiveTime) -> u32 {
    use chrono::Timelike;
    t.hour() * 60 + t.minute()
}

fn end_minute(r: &TimeRange) -> u32 {
    if r.end_of_day {
        MINUTES_PER_DAY
    } else {
        minute_of(r.end)
    }
}

/// "HH:MM-HH:MM" as the configuration writes it (24:00 for the end of the day).
pub(crate) fn format_range(r: &TimeRange) -> String {
    let end = if r.end_of_day {
        "24:00".to_owned()
    } else {
        r.end.format("%H:%M").to_string()
    };
    format!("{}-{end}", r.start.format("%H:%M"))
}

/// "HH:MM"; `Some(None)` is 24:00 (allowed only as an end).
fn parse_time(text: &str) -> Option<Option<NaiveTime>> {
    let bytes = text.as_bytes();
    if bytes.len() != 5
        || bytes[2] != b':'
        || ![0, 1, 3, 4].iter().all(|&i| bytes[i].is_ascii_digit())
    {
        return None;
    }
    let hour = u32::from(bytes[0] - b'0') * 10 + u32::from(bytes[1] - b'0');
    let minute = u32::from(bytes[3] - b'0') * 10 + u32::from(bytes[4] - b'0');
    if hour == 24 && minute == 0 {
        return Some(None);
    }
    NaiveTime::from_hms_opt(hour, minute, 0).map(Some)
}

/// "HH:MM-HH:MM", start before end; "24:00" as the end is the end of the day.
pub(super) fn parse_range(text: &str) -> Result<TimeRange, String> {
    let bad = || {
        format!("`{text}` is not a time range (expected \"HH:MM-HH:MM\", such as \"09:00-12:30\")")
    };
    let (start, end) = text.split_once('-').ok_or_else(bad)?;
    let start = match parse_time(start.trim()).ok_or_else(bad)? {
        Some(t) => t,
        None => return Err(format!("`{text}`: 24:00 can only end a range")),
    };
    let range = match parse_time(end.trim()).ok_or_else(bad)? {
        Some(end) => TimeRange {
            start,
            end,
            end_of_day: false,
        },
        None => TimeRange {
            start,
            end: NaiveTime::MIN,
            end_of_day: true,
        },
    };
    if minute_of(range.start) >= end_minute(&range) {
        return Err(format!("`{text}`: the start must be before the end"));
    }
    Ok(range)
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

const ID_RULE: &str = "use 1 to 64 of a-z, 0-9, `-` and `_`";

fn has_key(t: Option<&Table>, key: &str) -> bool {
    t.is_some_and(|t| t.contains_key(key) || t.contains_key(&format!("{key}_file")))
}

/// An argon2 (id, i or d) PHC string with a salt and a hash.
fn is_argon2_phc(text: &str) -> bool {
    argon2::PasswordHash::new(text).is_ok_and(|h| {
        h.algorithm.as_str().starts_with("argon2") && h.salt.is_some() && h.hash.is_some()
    })
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_color(text: &str) -> bool {
    text.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks the scheme against the kind; for `file://` returns the path as written (relative to
/// the configuration folder unless it starts with `/`).
pub(super) fn check_url(url: &str, kind: SourceKind) -> Result<Option<PathBuf>, String> {
    let allowed = kind.schemes();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "`{url}` is not a URL (expected {}://…)",
            allowed.join("://, ")
        ));
    };
    if !allowed.contains(&scheme) {
        return Err(format!(
            "a \"{}\" source takes {} URLs, not {scheme}://",
            kind.as_str(),
            allowed.join(", ")
        ));
    }
    if rest.is_empty() || url.contains(char::is_whitespace) {
        return Err(format!("`{url}` is not a URL"));
    }
    if scheme == "file" {
        return Ok(Some(PathBuf::from(rest)));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let authority = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = matches!(name, "127.0.0.1" | "localhost" | "::1");
    if scheme == "http" && matches!(kind, SourceKind::Google | SourceKind::Microsoft) && !loopback {
        return Err(format!(
            "a \"{}\" source takes https URLs (http only for a local stand-in on 127.0.0.1)",
            kind.as_str()
        ));
    }
    Ok(None)
}
