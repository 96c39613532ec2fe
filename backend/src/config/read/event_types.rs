//! `[availability]` (working hours, overrides, recurring blocks, limits) and
//! `[[event_types]]` (durations, buffers, location, questions, series).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use toml::{Table, Value};

use crate::availability::{RecurringBlock, WeeklyHours};
use crate::config::schema;
use crate::config::{AvailabilityConfig, Confirm, EventTypeConfig, defaults};

/// `confirm_hold_minutes` when not given.
const DEFAULT_HOLD_MINUTES: u32 = 30;
/// `confirm_owner_hours` when not given, and its largest value (30 days).
const DEFAULT_OWNER_HOURS: u32 = 48;
const MAX_OWNER_HOURS: u32 = 720;
use crate::domain::details::{
    Location, LocationKind, MAX_CHOICES, MAX_QUESTIONS, Question, QuestionKind,
};
use crate::domain::series::{DEFAULT_MAX_SESSIONS, Frequency, MAX_SESSIONS, MIN_SESSIONS};

use super::{ID_RULE, MINUTES_PER_DAY, Reader, is_id, join, parse_range, parse_weekday};

impl Reader<'_> {
    pub(in crate::config) fn availability(&mut self, root: &Table) -> AvailabilityConfig {
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

    pub(super) fn working_hours(&mut self, value: &Value) -> WeeklyHours {
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

    pub(super) fn block(&mut self, p: &str, value: &Value) -> Option<RecurringBlock> {
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
    pub(super) fn location(&mut self, t: Option<&Table>, path: &str) -> Option<Location> {
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
    pub(super) fn questions(&mut self, t: Option<&Table>, path: &str) -> Vec<Question> {
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

    pub(super) fn choices(&mut self, path: &str, list: &[Value]) -> Vec<String> {
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
    pub(super) fn frequencies(&mut self, t: Option<&Table>, path: &str) -> Vec<Frequency> {
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

    pub(in crate::config) fn event_types(&mut self, root: &Table) -> Vec<EventTypeConfig> {
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
            let confirm = match self.str(t, &p, "confirm").as_deref() {
                None | Some("none") => Confirm::None,
                Some("email") => Confirm::Email,
                Some("owner") => Confirm::Owner,
                Some(other) => {
                    self.problem(
                        join(&p, "confirm"),
                        format!("`{other}` is not one of \"none\", \"email\", \"owner\""),
                    );
                    Confirm::None
                }
            };
            let confirm_hold_minutes = self
                .int(t, &p, "confirm_hold_minutes", 5, MINUTES_PER_DAY)
                .unwrap_or(DEFAULT_HOLD_MINUTES);
            if confirm != Confirm::Email
                && t.is_some_and(|t| t.contains_key("confirm_hold_minutes"))
            {
                self.problem(
                    join(&p, "confirm_hold_minutes"),
                    "only means something with confirm = \"email\"",
                );
            }
            let confirm_owner_hours = self
                .int(t, &p, "confirm_owner_hours", 1, MAX_OWNER_HOURS)
                .unwrap_or(DEFAULT_OWNER_HOURS);
            if confirm != Confirm::Owner && t.is_some_and(|t| t.contains_key("confirm_owner_hours"))
            {
                self.problem(
                    join(&p, "confirm_owner_hours"),
                    "only means something with confirm = \"owner\"",
                );
            }
            types.push(EventTypeConfig {
                confirm,
                confirm_hold_minutes,
                confirm_owner_hours,
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
