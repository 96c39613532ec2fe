//! Reads the (overridden) TOML table into typed configuration, collecting every problem.
//!
//! Invariant: never stops at the first problem and never panics; a key that is missing or
//! wrong gets its default so that reading goes on, and the caller discards the result when any
//! problem was recorded.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use toml::{Table, Value};

use super::schema::{self, Field, Ty};
use super::{
    AdminConfig, AlertsConfig, AvailabilityConfig, Config, DEFAULT_WEBHOOK_EVENTS, EventTypeConfig,
    MailConfig, MailTls, OAuthClientConfig, OwnerConfig, PageConfig, Problem, Secret,
    SecurityConfig, ServerConfig, SourceConfig, SourceKind, SourceRole, WEBHOOK_EVENTS,
    WebhookConfig, defaults,
};
use crate::availability::{RecurringBlock, TimeRange, WeeklyHours};
use crate::domain::details::{
    Location, LocationKind, MAX_CHOICES, MAX_QUESTIONS, Question, QuestionKind,
};
use crate::domain::series::{DEFAULT_MAX_SESSIONS, Frequency, MAX_SESSIONS, MIN_SESSIONS};

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

impl Reader<'_> {
    pub(super) fn config(&mut self, root: &Table) -> Config {
        self.unknown_keys(
            "",
            root,
            &schema::SECTIONS
                .iter()
                .map(|s| (s.name, Ty::Map))
                .collect::<Vec<_>>(),
        );
        Config {
            owner: self.owner(root),
            server: self.server(root),
            security: self.security(root),
            admin: self.admin(root),
            page: self.page(root),
            sources: self.sources(root),
            availability: self.availability(root),
            event_types: self.event_types(root),
            mail: self.mail(root),
            webhooks: self.webhooks(root),
            alerts: self.alerts(root),
            google: self.oauth_client(root, "google"),
            microsoft: self.oauth_client(root, "microsoft"),
        }
    }

    fn alerts(&mut self, root: &Table) -> AlertsConfig {
        let p = "alerts";
        let t = self.section(root, p, schema::ALERTS);
        let key = "calendar_failing_minutes";
        let minutes = match t.and_then(|t| t.get(key)) {
            None => defaults::CALENDAR_FAILING_MINUTES,
            Some(Value::Integer(n)) => match u32::try_from(*n) {
                Ok(n) if n <= AlertsConfig::MAX_MINUTES => n,
                _ => {
                    self.problem(
                        join(p, key),
                        format!(
                            "must be 0 (no alerts) or a number of minutes up to {} (30 days), \
                             found {n}",
                            AlertsConfig::MAX_MINUTES
                        ),
                    );
                    defaults::CALENDAR_FAILING_MINUTES
                }
            },
            Some(other) => {
                self.wrong_type(
                    join(p, key),
                    "a whole number of minutes (0: no alerts)",
                    other,
                );
                defaults::CALENDAR_FAILING_MINUTES
            }
        };
        AlertsConfig {
            calendar_failing_minutes: minutes,
        }
    }

    fn owner(&mut self, root: &Table) -> OwnerConfig {
        let p = "owner";
        let t = self.section(root, p, schema::OWNER);
        let name = self.required_str(t, p, "name");
        let display_name = self.str(t, p, "display_name");
        let email = self.required_str(t, p, "email");
        if !email.is_empty() && !is_email(&email) {
            self.problem("owner.email", format!("`{email}` is not an email address"));
        }
        let other_emails = self.other_emails(t, p);
        let zone = self.required_str(t, p, "timezone");
        let timezone = if zone.is_empty() {
            Tz::UTC
        } else {
            zone.parse::<Tz>().unwrap_or_else(|_| {
                self.problem(
                    "owner.timezone",
                    format!("`{zone}` is not an IANA time zone (such as \"Europe/Berlin\")"),
                );
                Tz::UTC
            })
        };
        OwnerConfig {
            name,
            display_name,
            email,
            other_emails,
            timezone,
        }
    }

    /// `owner.other_emails`: more addresses of the owner (`mailto:` allowed), for declined
    /// invitations; every entry checked.
    fn other_emails(&mut self, t: Option<&Table>, p: &str) -> Vec<String> {
        let Some(items) = self.array(t, p, "other_emails") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{}[{i}]", join(p, "other_emails"));
            let Some(text) = item.as_str() else {
                self.wrong_type(key, "a string (an email address)", item);
                continue;
            };
            let bare = crate::calendar::normalize_address(text);
            if is_email(&bare) {
                out.push(text.trim().to_owned());
            } else {
                self.problem(
                    key,
                    format!("`{text}` is not an email address (such as \"ada@example.org\")"),
                );
            }
        }
        out
    }

    fn server(&mut self, root: &Table) -> ServerConfig {
        let p = "server";
        let t = self.section(root, p, schema::SERVER);
        let before = self.problems.len();
        let listen = self.addr(t, p, "listen").unwrap_or(defaults::LISTEN);
        let admin_listen = self
            .addr(t, p, "admin_listen")
            .unwrap_or(defaults::ADMIN_LISTEN);
        if listen == admin_listen && listen.port() != 0 && self.problems.len() == before {
            self.problem("server.admin_listen", "must differ from `server.listen`");
        }
        let data_dir = self
            .str(t, p, "data_dir")
            .unwrap_or_else(|| defaults::DATA_DIR.to_owned());
        let public_url = self
            .str(t, p, "public_url")
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            self.problem("server.public_url", "must start with https:// or http://");
        }
        if data_dir.is_empty() {
            self.problem("server.data_dir", "must not be empty");
        }
        let admin_url = self
            .str(t, p, "admin_url")
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &admin_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            self.problem("server.admin_url", "must start with https:// or http://");
        }
        ServerConfig {
            listen,
            admin_listen,
            data_dir: self.base_dir.join(&data_dir),
            refresh_budget_ms: self
                .int(t, p, "refresh_budget_ms", 0, 60_000)
                .unwrap_or(defaults::REFRESH_BUDGET_MS),
            public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
            admin_url,
            static_dir: self.str(t, p, "static_dir").map(|d| self.base_dir.join(d)),
            secrets_key_file: match self.str(t, p, "secrets_key_file") {
                Some(f) => self.base_dir.join(f),
                None => self
                    .base_dir
                    .join(&data_dir)
                    .join(defaults::SECRETS_KEY_FILE),
            },
        }
    }

    fn security(&mut self, root: &Table) -> SecurityConfig {
        let p = "security";
        let t = self.section(root, p, schema::SECURITY);
        SecurityConfig {
            captcha: self.bool(t, p, "captcha", defaults::CAPTCHA),
            rate_limit_per_minute: self
                .int(t, p, "rate_limit_per_minute", 0, 100_000)
                .unwrap_or(defaults::RATE_LIMIT_PER_MINUTE),
            trusted_proxies: self.addresses(t, p, "trusted_proxies"),
        }
    }

    fn admin(&mut self, root: &Table) -> AdminConfig {
        let p = "admin";
        let t = self.section(root, p, schema::ADMIN);
        let password_hash = self.secret(t, p, "password_hash");
        if let Some(hash) = &password_hash
            && !hash.expose().is_empty()
            && !is_argon2_phc(hash.expose())
        {
            let key = if t.is_some_and(|t| t.contains_key("password_hash")) {
                "password_hash"
            } else {
                "password_hash_file"
            };
            self.problem(
                join(p, key),
                "is not an argon2 hash (a PHC string `$argon2id$v=19$...`; make one with \
                 `openslot hash-password`)",
            );
        }
        AdminConfig {
            password_hash,
            session_minutes: self
                .int(t, p, "session_minutes", 5, MINUTES_PER_DAY)
                .unwrap_or(defaults::SESSION_MINUTES),
        }
    }

    fn page(&mut self, root: &Table) -> PageConfig {
        let p = "page";
        let t = self.section(root, p, schema::PAGE);
        let intro = self.str(t, p, "intro").map(|i| i.trim().to_owned());
        if let Some(i) = &intro
            && i.chars().count() > PageConfig::MAX_INTRO_CHARS
        {
            self.problem(
                join(p, "intro"),
                format!("is longer than {} characters", PageConfig::MAX_INTRO_CHARS),
            );
        }
        let accent_color = self.str(t, p, "accent_color");
        if let Some(c) = &accent_color
            && !is_color(c)
        {
            self.problem(
                join(p, "accent_color"),
                format!("`{c}` is not a color (expected \"#rrggbb\")"),
            );
        }
        let page = PageConfig {
            intro: intro.filter(|i| !i.is_empty()),
            accent_color,
            logo_file: self.str(t, p, "logo_file").map(|f| self.base_dir.join(f)),
        };
        if let Some(path) = &page.logo_file {
            if page.logo_media_type().is_none() {
                self.problem(
                    join(p, "logo_file"),
                    "must be a .png, .jpg, .jpeg, .svg or .webp file",
                );
            } else {
                match std::fs::metadata(path) {
                    Ok(m) if m.len() > PageConfig::MAX_LOGO_BYTES => self.problem(
                        join(p, "logo_file"),
                        format!("is larger than {} KB", PageConfig::MAX_LOGO_BYTES / 1024),
                    ),
                    Ok(_) => {}
                    Err(e) => self.problem(
                        join(p, "logo_file"),
                        format!("cannot be read ({}): {e}", path.display()),
                    ),
                }
            }
        }
        page
    }

    /// A list of IP addresses; each wrong one is reported.
    fn addresses(&mut self, t: Option<&Table>, path: &str, key: &str) -> Vec<std::net::IpAddr> {
        let Some(items) = self.array(t, path, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(str::parse::<std::net::IpAddr>) {
                Some(Ok(ip)) => out.push(ip),
                _ => self.problem(
                    format!("{}[{i}]", join(path, key)),
                    "is not an IP address (e.g. \"127.0.0.1\")",
                ),
            }
        }
        out
    }

    fn sources(&mut self, root: &Table) -> Vec<SourceConfig> {
        let Some(items) = self.array(Some(root), "", "sources") else {
            return Vec::new();
        };
        let mut sources = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("sources[{i}]");
            let Some(t) = self.table(&p, item, schema::SOURCE) else {
                continue;
            };
            let source = self.source(&p, t);
            if is_id(&source.id) && !seen.insert(source.id.clone()) {
                self.problem(
                    join(&p, "id"),
                    format!("`{}` is used by another source", source.id),
                );
            }
            sources.push(source);
        }
        sources
    }

    pub(super) fn source(&mut self, p: &str, t: &Table) -> SourceConfig {
        let t = Some(t);
        let id = self.required_str(t, p, "id");
        if !id.is_empty() && !is_id(&id) {
            self.problem(
                join(p, "id"),
                format!("`{id}` is not a valid id: {ID_RULE}"),
            );
        }
        let kind_text = self.required_str(t, p, "kind");
        let kind = SourceKind::parse(&kind_text);
        if kind.is_none() && !kind_text.is_empty() {
            self.problem(
                join(p, "kind"),
                format!("`{kind_text}` is not a kind: use \"ics\", \"caldav\", \"google\" or \"microsoft\""),
            );
        }
        let kind = kind.unwrap_or(SourceKind::Ics);
        let remote_api = matches!(kind, SourceKind::Google | SourceKind::Microsoft);
        let url = if remote_api {
            self.str(t, p, "url").unwrap_or_default()
        } else {
            self.required_str(t, p, "url")
        };
        let mut file_path = None;
        if !url.is_empty() {
            match check_url(&url, kind) {
                Err(message) => self.problem(join(p, "url"), message),
                Ok(Some(path)) => file_path = Some(self.base_dir.join(path)),
                Ok(None) => {}
            }
        }
        let oauth_url = self.str(t, p, "oauth_url");
        if let Some(u) = &oauth_url
            && let Err(message) = check_url(u, SourceKind::Google)
        {
            self.problem(join(p, "oauth_url"), message);
        }
        let color = self.str(t, p, "color");
        if let Some(c) = &color
            && !is_color(c)
        {
            self.problem(
                join(p, "color"),
                format!("`{c}` is not a color (expected \"#rrggbb\")"),
            );
        }
        let username = self.str(t, p, "username");
        let password = self.secret(t, p, "password");
        let token = self.secret(t, p, "token");
        if kind == SourceKind::Caldav
            && username.is_some()
            && password.is_none()
            && !has_key(t, "password")
        {
            self.problem(
                join(p, "password"),
                "is required with `username` (or set `password_file`)",
            );
        }
        let client_id = self.str(t, p, "client_id");
        if remote_api && client_id.is_none() {
            self.problem(
                join(p, "client_id"),
                format!(
                    "is required for kind \"{}\" (the OAuth client of your app registration)",
                    kind.as_str()
                ),
            );
        }
        let client_secret = self.secret(t, p, "client_secret");
        if kind == SourceKind::Google && client_secret.is_none() && !has_key(t, "client_secret") {
            self.problem(
                join(p, "client_secret"),
                "is required for kind \"google\" (or set `client_secret_file`)",
            );
        }
        let role_text = self.str(t, p, "role");
        let role = match role_text.as_deref() {
            None => SourceRole::Busy,
            Some(text) => SourceRole::parse(text).unwrap_or_else(|| {
                self.problem(
                    join(p, "role"),
                    format!(
                        "`{text}` is not a role: use \"busy\" (the default) or \"availability\""
                    ),
                );
                SourceRole::Busy
            }),
        };
        let match_title = self.str(t, p, "match");
        if let Some(m) = &match_title {
            if m.trim().is_empty() {
                self.problem(
                    join(p, "match"),
                    "is empty: leave it out to take every event of the source",
                );
            } else if role_text.as_deref().is_none_or(|r| r == "busy") {
                self.problem(
                    join(p, "match"),
                    "only applies with `role = \"availability\"`",
                );
            }
        }
        let write = self.bool(t, p, "write", false);
        if write && kind == SourceKind::Ics {
            self.problem(join(p, "write"), "an \"ics\" source is read-only");
        }
        SourceConfig {
            name: self.str(t, p, "name"),
            color,
            username,
            password,
            token,
            write,
            tentative_busy: self.bool(t, p, "tentative_busy", defaults::TENTATIVE_BUSY),
            all_day_busy: self.bool(t, p, "all_day_busy", defaults::ALL_DAY_BUSY),
            transparent_busy: self.bool(t, p, "transparent_busy", defaults::TRANSPARENT_BUSY),
            sync_interval_minutes: self
                .int(t, p, "sync_interval_minutes", 1, MINUTES_PER_DAY)
                .unwrap_or(defaults::SYNC_INTERVAL_MINUTES),
            max_age_minutes: self
                .int(t, p, "max_age_minutes", 1, 7 * MINUTES_PER_DAY)
                .unwrap_or(defaults::MAX_AGE_MINUTES),
            fail_open: self.bool(t, p, "fail_open", defaults::FAIL_OPEN),
            role,
            match_title,
            calendar: self.str(t, p, "calendar"),
            client_id,
            client_secret,
            tenant: self.str(t, p, "tenant"),
            oauth_url,
            timeout_seconds: self
                .int(t, p, "timeout_seconds", 1, 300)
                .unwrap_or(defaults::TIMEOUT_SECONDS),
            max_size_mb: self
                .int(t, p, "max_size_mb", 1, 1024)
                .unwrap_or(defaults::MAX_SIZE_MB),
            id,
            kind,
            url,
            file_path,
        }
    }

    pub(super) fn availability(&mut self, root: &Table) -> AvailabilityConfig {
        let p = "availability";
        let t = self.section(root, p, schema::AVAILABILITY);
        let working_hours = match t.and_then(|t| t.get("working_hours")) {
            None => defaults::working_hours(),
            Some(value) => self.working_hours(value),
        };
        let mut date_overrides = BTreeMap::new();
        if let Some(value) = t.and_then(|t| t.get("date_overrides")) {
            let key = "availability.date_overrides";
            match value.as_table() {
                None => self.wrong_type(
                    key.to_owned(),
                    "a table of \"YYYY-MM-DD\" = [ranges]",
                    value,
                ),
                Some(table) => {
                    for (date, ranges) in table {
                        let path = format!("{key}.{date}");
                        let ranges = self.ranges(&path, ranges);
                        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                            Ok(date) => {
                                date_overrides.insert(date, ranges);
                            }
                            Err(_) => self.problem(path, "is not a date (expected \"YYYY-MM-DD\")"),
                        }
                    }
                }
            }
        }
        let blocks = match self.array(t, p, "blocks") {
            None => Vec::new(),
            Some(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.block(&format!("{p}.blocks[{i}]"), item))
                .collect(),
        };
        let minutes = |r: &mut Self, key, max| r.int(t, p, key, 0, max);
        AvailabilityConfig {
            working_hours,
            date_overrides,
            blocks,
            min_notice_minutes: minutes(self, "min_notice_minutes", 365 * MINUTES_PER_DAY)
                .unwrap_or(defaults::MIN_NOTICE_MINUTES),
            horizon_days: self
                .int(t, p, "horizon_days", 1, 3 * 366)
                .unwrap_or(defaults::HORIZON_DAYS),
            buffer_before_minutes: minutes(self, "buffer_before_minutes", MINUTES_PER_DAY)
                .unwrap_or(0),
            buffer_after_minutes: minutes(self, "buffer_after_minutes", MINUTES_PER_DAY)
                .unwrap_or(0),
            max_bookings_per_day: self.int(t, p, "max_bookings_per_day", 1, 1000),
        }
    }

    fn working_hours(&mut self, value: &Value) -> WeeklyHours {
        let p = "availability.working_hours";
        let mut hours = WeeklyHours::default();
        let Some(t) = self.table(p, value, schema::WEEKDAYS) else {
            return hours;
        };
        for (name, ranges) in t {
            if let Some(day) = parse_weekday(name) {
                hours.days[day.num_days_from_monday() as usize] =
                    self.ranges(&join(p, name), ranges);
            }
        }
        hours
    }

    fn block(&mut self, p: &str, value: &Value) -> Option<RecurringBlock> {
        let t = Some(self.table(p, value, schema::BLOCK)?);
        let label = self
            .str(t, p, "label")
            .unwrap_or_else(|| "Blocked".to_owned());
        let mut days = Vec::new();
        if t.is_some_and(|t| !t.contains_key("days")) {
            self.problem(join(p, "days"), "is required");
        }
        for (i, day) in self
            .array(t, p, "days")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(day) = self.weekday(format!("{p}.days[{i}]"), day) {
                days.push(day);
            }
        }
        let time = self.required_str(t, p, "time");
        let range = match parse_range(&time) {
            Ok(range) => Some(range),
            Err(message) => {
                if !time.is_empty() {
                    self.problem(join(p, "time"), message);
                }
                None
            }
        };
        Some(RecurringBlock {
            label,
            days,
            range: range?,
        })
    }

    /// `location = { kind = "video" | "address" | "phone", value = "..." }`.
    fn location(&mut self, t: Option<&Table>, path: &str) -> Option<Location> {
        let p = join(path, "location");
        let value = t?.get("location")?;
        let table = Some(self.table(&p, value, schema::LOCATION)?);
        let kind_text = self.required_str(table, &p, "kind");
        let value = self.required_str(table, &p, "value");
        let Some(kind) = LocationKind::parse(&kind_text) else {
            if !kind_text.is_empty() {
                self.problem(
                    join(&p, "kind"),
                    format!(
                        "`{kind_text}` is not a kind of place: use `video`, `address` or `phone`"
                    ),
                );
            }
            return None;
        };
        let location = Location {
            kind,
            value: value.trim().to_owned(),
        };
        if let Some(problem) = location.problem().filter(|_| !value.is_empty()) {
            self.problem(join(&p, "value"), problem);
        }
        Some(location)
    }

    /// `[[event_types.questions]]`: id, label, kind (`text` or `choice` with `choices`), required.
    fn questions(&mut self, t: Option<&Table>, path: &str) -> Vec<Question> {
        let items = self.array(t, path, "questions").unwrap_or_default();
        if items.len() > MAX_QUESTIONS {
            self.problem(
                join(path, "questions"),
                format!("at most {MAX_QUESTIONS} questions, found {}", items.len()),
            );
        }
        let mut seen = HashSet::new();
        let mut questions = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{}[{i}]", join(path, "questions"));
            let Some(q) = self.table(&p, item, schema::QUESTION) else {
                continue;
            };
            let q = Some(q);
            let id = self.required_str(q, &p, "id");
            if !id.is_empty() && !is_id(&id) {
                self.problem(join(&p, "id"), format!("`{id}` is not url-safe: {ID_RULE}"));
            } else if is_id(&id) && !seen.insert(id.clone()) {
                self.problem(
                    join(&p, "id"),
                    format!("`{id}` is used by another question"),
                );
            }
            let label = self.required_str(q, &p, "label");
            if label.chars().count() > 200 || label.chars().any(char::is_control) {
                self.problem(
                    join(&p, "label"),
                    "must be one line of at most 200 characters",
                );
            }
            let required = self.bool(q, &p, "required", false);
            let kind = self.str(q, &p, "kind").unwrap_or_else(|| "text".to_owned());
            let choices = self.array(q, &p, "choices");
            let kind = match (kind.as_str(), choices) {
                ("text", None) => QuestionKind::Text,
                ("text", Some(_)) => {
                    self.problem(join(&p, "choices"), "only a `choice` question has choices");
                    QuestionKind::Text
                }
                ("choice", Some(list)) => QuestionKind::Choice(self.choices(&p, list)),
                ("choice", None) => {
                    self.problem(join(&p, "choices"), "a `choice` question needs its choices");
                    QuestionKind::Choice(Vec::new())
                }
                (other, _) => {
                    self.problem(
                        join(&p, "kind"),
                        format!("`{other}` is not a kind of question: use `text` or `choice`"),
                    );
                    QuestionKind::Text
                }
            };
            questions.push(Question {
                id,
                label,
                required,
                kind,
            });
        }
        questions
    }

    fn choices(&mut self, path: &str, list: &[Value]) -> Vec<String> {
        let key = join(path, "choices");
        if list.is_empty() || list.len() > MAX_CHOICES {
            self.problem(key.clone(), format!("must have 1 to {MAX_CHOICES} choices"));
        }
        let mut out: Vec<String> = Vec::new();
        for (i, value) in list.iter().enumerate() {
            match value.as_str().map(str::trim) {
                Some(c)
                    if c.is_empty()
                        || c.chars().count() > 100
                        || c.chars().any(char::is_control) =>
                {
                    self.problem(
                        format!("{key}[{i}]"),
                        "must be one line of 1 to 100 characters",
                    )
                }
                Some(c) if out.iter().any(|o| o == c) => {
                    self.problem(format!("{key}[{i}]"), format!("`{c}` is listed twice"))
                }
                Some(c) => out.push(c.to_owned()),
                None => self.wrong_type(format!("{key}[{i}]"), "a string", value),
            }
        }
        out
    }

    /// `repeat`: the series frequencies an event type offers, each once.
    fn frequencies(&mut self, t: Option<&Table>, path: &str) -> Vec<Frequency> {
        let key = join(path, "repeat");
        let mut found = Vec::new();
        for (i, value) in self
            .array(t, path, "repeat")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let known = || {
                Frequency::ALL
                    .iter()
                    .map(|f| format!("`{}`", f.as_str()))
                    .collect::<Vec<_>>()
                    .join(" or ")
            };
            match value.as_str().map(|v| (v, Frequency::parse(v))) {
                Some((_, Some(f))) if !found.contains(&f) => found.push(f),
                Some((_, Some(f))) => self.problem(
                    format!("{key}[{i}]"),
                    format!("`{}` is listed twice", f.as_str()),
                ),
                Some((v, None)) => self.problem(
                    format!("{key}[{i}]"),
                    format!("`{v}` is not a frequency: use {}", known()),
                ),
                None => self.wrong_type(format!("{key}[{i}]"), "a string", value),
            }
        }
        found
    }

    pub(super) fn event_types(&mut self, root: &Table) -> Vec<EventTypeConfig> {
        let items = self
            .array(Some(root), "", "event_types")
            .unwrap_or_default();
        if items.is_empty() && root.get("event_types").is_none_or(Value::is_array) {
            self.problem(
                "event_types",
                "at least one [[event_types]] entry is required",
            );
        }
        let mut seen = HashSet::new();
        let mut types = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("event_types[{i}]");
            let Some(t) = self.table(&p, item, schema::EVENT_TYPE) else {
                continue;
            };
            let t = Some(t);
            let slug = self.required_str(t, &p, "slug");
            if !slug.is_empty() && !is_id(&slug) {
                self.problem(
                    join(&p, "slug"),
                    format!("`{slug}` is not url-safe: {ID_RULE}"),
                );
            } else if is_id(&slug) && !seen.insert(slug.clone()) {
                self.problem(
                    join(&p, "slug"),
                    format!("`{slug}` is used by another event type"),
                );
            }
            let title = self.required_str(t, &p, "title");
            if t.is_some_and(|t| !t.contains_key("duration_minutes")) {
                self.problem(join(&p, "duration_minutes"), "is required");
            }
            let duration_minutes = self
                .int(t, &p, "duration_minutes", 1, MINUTES_PER_DAY)
                .unwrap_or(30);
            let repeat = self.frequencies(t, &p);
            let max_sessions = self
                .int(t, &p, "max_sessions", MIN_SESSIONS, MAX_SESSIONS)
                .unwrap_or(DEFAULT_MAX_SESSIONS);
            if repeat.is_empty() && t.is_some_and(|t| t.contains_key("max_sessions")) {
                self.problem(
                    join(&p, "max_sessions"),
                    "only means something with `repeat` (e.g. repeat = [\"weekly\"])",
                );
            }
            let location = self.location(t, &p);
            let questions = self.questions(t, &p);
            types.push(EventTypeConfig {
                repeat,
                max_sessions,
                location,
                questions,
                description: self.str(t, &p, "description").unwrap_or_default(),
                step_minutes: self.int(t, &p, "step_minutes", 1, MINUTES_PER_DAY),
                buffer_before_minutes: self.int(t, &p, "buffer_before_minutes", 0, MINUTES_PER_DAY),
                buffer_after_minutes: self.int(t, &p, "buffer_after_minutes", 0, MINUTES_PER_DAY),
                max_per_day: self.int(t, &p, "max_per_day", 1, 1000),
                slug,
                title,
                duration_minutes,
            });
        }
        types
    }
}

impl Reader<'_> {
    /// `[google]` / `[microsoft]`: the OAuth client of accounts connected in the dashboard.
    fn oauth_client(&mut self, root: &Table, p: &str) -> Option<OAuthClientConfig> {
        let t = Some(self.section(root, p, schema::OAUTH_CLIENT)?);
        let client_id = self.required_str(t, p, "client_id");
        let client_secret = self.secret(t, p, "client_secret");
        if p == "google" && client_secret.is_none() && !has_key(t, "client_secret") {
            self.problem(
                join(p, "client_secret"),
                "is required for Google (or set `client_secret_file`)",
            );
        }
        let mut url_key = |key: &str| {
            let u = self.str(t, p, key)?;
            if let Err(message) = check_url(&u, SourceKind::Google) {
                self.problem(join(p, key), message);
            }
            Some(u)
        };
        let url = url_key("url");
        let oauth_url = url_key("oauth_url");
        Some(OAuthClientConfig {
            client_id,
            client_secret,
            tenant: self.str(t, p, "tenant"),
            url,
            oauth_url,
        })
    }

    fn mail(&mut self, root: &Table) -> Option<MailConfig> {
        let p = "mail";
        let t = Some(self.section(root, p, schema::MAIL)?);
        let smtp_host = self.required_str(t, p, "smtp_host");
        let tls_text = self
            .str(t, p, "tls")
            .unwrap_or_else(|| "starttls".to_owned());
        let tls = MailTls::parse(&tls_text).unwrap_or_else(|| {
            self.problem(
                join(p, "tls"),
                format!("`{tls_text}` is not a mode: use \"starttls\", \"tls\" or \"none\""),
            );
            MailTls::Starttls
        });
        let loopback = matches!(smtp_host.as_str(), "localhost" | "::1")
            || smtp_host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if tls == MailTls::None && !smtp_host.is_empty() && !loopback {
            self.problem(
                join(p, "tls"),
                "\"none\" sends passwords and visitors' details in the clear: it is only \
                 allowed for an SMTP server on a loopback address (such as 127.0.0.1)",
            );
        }
        let smtp_port = self
            .int(t, p, "smtp_port", 1, u32::from(u16::MAX))
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or_else(|| tls.default_port());
        let username = self.str(t, p, "username");
        let password = self.secret(t, p, "password");
        if username.is_some() && password.is_none() && !has_key(t, "password") {
            self.problem(
                join(p, "password"),
                "is required with `username` (or set `password_file`)",
            );
        }
        let from = self.required_str(t, p, "from");
        if !from.is_empty() && from.parse::<lettre::message::Mailbox>().is_err() {
            self.problem(
                join(p, "from"),
                format!(
                    "`{from}` is not a sender (expected \"addr@example.org\" or \"Name <addr@example.org>\")"
                ),
            );
        }
        let mut reminder_hours = Vec::new();
        for (i, item) in self
            .array(t, p, "reminder_hours")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match item.as_integer().and_then(|n| u32::try_from(n).ok()) {
                Some(n) if (1..=720).contains(&n) => reminder_hours.push(n),
                _ => self.problem(
                    format!("{p}.reminder_hours[{i}]"),
                    "must be a whole number of hours between 1 and 720",
                ),
            }
        }
        reminder_hours.sort_unstable();
        reminder_hours.dedup();
        let tls_ca_file = self.str(t, p, "tls_ca_file").map(|f| self.base_dir.join(f));
        if let Some(path) = &tls_ca_file {
            match std::fs::read(path) {
                Ok(pem) if lettre::transport::smtp::client::Certificate::from_pem(&pem).is_ok() => {
                    if tls == MailTls::None {
                        self.problem(join(p, "tls_ca_file"), "means nothing with tls = \"none\"");
                    }
                }
                Ok(_) => self.problem(
                    join(p, "tls_ca_file"),
                    format!("{} is not a PEM certificate", path.display()),
                ),
                Err(e) => self.problem(
                    join(p, "tls_ca_file"),
                    format!("cannot read {}: {e}", path.display()),
                ),
            }
        }
        Some(MailConfig {
            tls_ca_file,
            smtp_host,
            smtp_port,
            tls,
            username,
            password,
            from,
            owner_copy: self.bool(t, p, "owner_copy", true),
            reminder_hours,
        })
    }

    fn webhooks(&mut self, root: &Table) -> Vec<WebhookConfig> {
        let Some(items) = self.array(Some(root), "", "webhooks") else {
            return Vec::new();
        };
        let mut hooks = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("webhooks[{i}]");
            let Some(table) = self.table(&p, item, schema::WEBHOOK) else {
                continue;
            };
            let t = Some(table);
            let id = self.required_str(t, &p, "id");
            if !id.is_empty() && !is_id(&id) {
                self.problem(
                    join(&p, "id"),
                    format!("`{id}` is not a valid id: {ID_RULE}"),
                );
            } else if is_id(&id) && !seen.insert(id.clone()) {
                self.problem(join(&p, "id"), format!("`{id}` is used by another webhook"));
            }
            let url = self.required_str(t, &p, "url");
            if !url.is_empty()
                && let Err(message) = check_url(&url, SourceKind::Caldav)
            {
                self.problem(join(&p, "url"), message);
            }
            let secret = self.secret(t, &p, "secret");
            if secret.as_ref().is_some_and(|s| s.expose().is_empty())
                && t.is_some_and(|t| t.contains_key("secret"))
            {
                self.problem(join(&p, "secret"), "must not be empty");
            }
            if secret.is_none() && !has_key(t, "secret") {
                self.problem(
                    join(&p, "secret"),
                    "is required (or set `secret_file`): it signs every request",
                );
            }
            let events = match self.array(t, &p, "events") {
                None => DEFAULT_WEBHOOK_EVENTS
                    .iter()
                    .map(|e| (*e).to_owned())
                    .collect(),
                Some(list) => {
                    let mut events = Vec::new();
                    for (j, e) in list.iter().enumerate() {
                        match e.as_str() {
                            Some(name) if WEBHOOK_EVENTS.contains(&name) => {
                                events.push(name.to_owned());
                            }
                            _ => self.problem(
                                format!("{p}.events[{j}]"),
                                format!("is not an event: use {}", WEBHOOK_EVENTS.join(", ")),
                            ),
                        }
                    }
                    events
                }
            };
            hooks.push(WebhookConfig {
                id,
                url,
                secret: secret.unwrap_or_else(|| Secret::new(String::new())),
                events,
            });
        }
        hooks
    }
}

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
