//! The owner's edits of the rules from the dashboard: `[availability]` and `[[event_types]]` as
//! one JSON document of the same shape as the TOML file, read by the file's own reader; a
//! source added there (`dashboard_source`) and the SMTP settings (`dashboard_mail`) likewise.
//!
//! Invariant: an edited configuration is checked exactly like the file (same keys, ranges and
//! messages); only those two sections change, everything else stays the file's.

use serde_json::{Map, Value, json};

use super::read::{Reader, format_range};
use super::{Config, ConfigErrors, Problem};

/// The two sections an edit may hold.
const EDITABLE: &[&str] = &["availability", "event_types"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `base` with its rules and event types replaced by `doc` (`{"availability": {…},
/// "event_types": [{…}]}`), or every problem, keyed like the file's (`availability.horizon_days`).
/// A missing `availability` key means the defaults, as in the file.
pub fn with_rules(base: &Config, doc: &Value) -> Result<Config, ConfigErrors> {
    let problem = |m: &str| ConfigErrors(vec![Problem::new("", m)]);
    let Some(object) = doc.as_object() else {
        return Err(problem(
            "expected an object with `availability` and `event_types`",
        ));
    };
    let mut problems: Vec<Problem> = object
        .keys()
        .filter(|k| !EDITABLE.contains(&k.as_str()))
        .map(|k| {
            Problem::new(
                k.clone(),
                "cannot be edited here (only the rules and event types)",
            )
        })
        .collect();
    let root = match toml::Table::try_from(object) {
        Ok(t) => t,
        Err(e) => {
            // TOML has no null: the usual cause.
            problems.push(Problem::new("", format!("not a valid document: {e}")));
            return Err(ConfigErrors(problems));
        }
    };
    let mut reader = Reader {
        problems,
        base_dir: &base.server.data_dir,
    };
    let availability = reader.availability(&root);
    let event_types = reader.event_types(&root);
    if reader.problems.is_empty() {
        Ok(Config {
            availability,
            event_types,
            ..base.clone()
        })
    } else {
        Err(ConfigErrors(reader.problems))
    }
}

/// The rules and event types of `config` as a document [`with_rules`] reads back to the same.
pub fn rules_document(config: &Config) -> Value {
    let a = &config.availability;
    let ranges = |list: &[crate::availability::TimeRange]| -> Vec<String> {
        list.iter().map(format_range).collect()
    };
    let hours: Map<String, Value> = DAYS
        .iter()
        .zip(a.working_hours.days.iter())
        .map(|(d, r)| ((*d).to_owned(), json!(ranges(r))))
        .collect();
    let overrides: Map<String, Value> = a
        .date_overrides
        .iter()
        .map(|(date, r)| (date.to_string(), json!(ranges(r))))
        .collect();
    let blocks: Vec<Value> = a
        .blocks
        .iter()
        .map(|b| {
            let days: Vec<&str> = b
                .days
                .iter()
                .map(|d| DAYS[d.num_days_from_monday() as usize])
                .collect();
            json!({"label": b.label, "days": days, "time": format_range(&b.range)})
        })
        .collect();
    let mut availability = json!({
        "working_hours": hours,
        "date_overrides": overrides,
        "blocks": blocks,
        "min_notice_minutes": a.min_notice_minutes,
        "horizon_days": a.horizon_days,
        "buffer_before_minutes": a.buffer_before_minutes,
        "buffer_after_minutes": a.buffer_after_minutes,
    });
    if let Some(n) = a.max_bookings_per_day {
        availability["max_bookings_per_day"] = json!(n);
    }
    let event_types: Vec<Value> = config
        .event_types
        .iter()
        .map(|e| {
            let mut v = json!({
                "slug": e.slug,
                "title": e.title,
                "description": e.description,
                "duration_minutes": e.duration_minutes,
            });
            let optional = [
                ("step_minutes", e.step_minutes),
                ("buffer_before_minutes", e.buffer_before_minutes),
                ("buffer_after_minutes", e.buffer_after_minutes),
                ("max_per_day", e.max_per_day),
            ];
            for (key, value) in optional {
                if let Some(n) = value {
                    v[key] = json!(n);
                }
            }
            if !e.repeat.is_empty() {
                let repeat: Vec<&str> = e.repeat.iter().map(|f| f.as_str()).collect();
                v["repeat"] = json!(repeat);
                v["max_sessions"] = json!(e.max_sessions);
            }
            if e.confirm != crate::config::Confirm::None {
                v["confirm"] = json!(e.confirm.as_str());
            }
            if e.confirm == crate::config::Confirm::Email {
                v["confirm_hold_minutes"] = json!(e.confirm_hold_minutes);
            }
            if e.confirm == crate::config::Confirm::Owner {
                v["confirm_owner_hours"] = json!(e.confirm_owner_hours);
            }
            if let Some(l) = &e.location {
                v["location"] = json!({"kind": l.kind.as_str(), "value": l.value});
            }
            if !e.questions.is_empty() {
                let questions: Vec<Value> = e
                    .questions
                    .iter()
                    .map(|q| {
                        let mut v = json!({
                            "id": q.id,
                            "label": q.label,
                            "kind": q.kind.as_str(),
                            "required": q.required,
                        });
                        if let crate::domain::details::QuestionKind::Choice(c) = &q.kind {
                            v["choices"] = json!(c);
                        }
                        v
                    })
                    .collect();
                v["questions"] = json!(questions);
            }
            v
        })
        .collect();
    json!({"availability": availability, "event_types": event_types})
}

/// The keys a source added in the dashboard may set: those of ics and caldav sources, without
/// `*_file` keys (the dashboard must not read files on the server) and without the secrets,
/// which come apart (sealed in the database, see `store::secret_box`).
pub const DASHBOARD_SOURCE_KEYS: &[&str] = &[
    "id",
    "kind",
    "url",
    "name",
    "color",
    "username",
    "calendar",
    "timeout_seconds",
    "max_size_mb",
    "write",
    "tentative_busy",
    "all_day_busy",
    "transparent_busy",
    "sync_interval_minutes",
    "max_age_minutes",
    "fail_open",
];

/// The secrets of a dashboard source, apart from its settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceSecrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl SourceSecrets {
    pub fn is_empty(&self) -> bool {
        self.password.is_none() && self.token.is_none()
    }
}

/// A source added in the dashboard: `settings` is a `[[sources]]` entry as JSON (the keys of
/// [`DASHBOARD_SOURCE_KEYS`]), read by the file's own reader with `secrets` put in, so it obeys
/// the same rules and its problems read the same (keyed `url`, `kind`, …). Kinds "ics" (http,
/// https, webcal; no `file://`) and "caldav"; "google" and "microsoft" only with their refresh
/// token (from a connection made in the dashboard) and the file's `[google]`/`[microsoft]`
/// section, whose OAuth client settings are put in here (never stored with the source).
pub fn dashboard_source(
    settings: &Value,
    secrets: &SourceSecrets,
    base: &Config,
) -> Result<crate::config::SourceConfig, ConfigErrors> {
    let problem = |k: &str, m: &str| ConfigErrors(vec![Problem::new(k, m)]);
    let Some(object) = settings.as_object() else {
        return Err(problem("", "expected an object (a `[[sources]]` entry)"));
    };
    let mut problems: Vec<Problem> = object
        .keys()
        .filter(|k| !DASHBOARD_SOURCE_KEYS.contains(&k.as_str()))
        .map(|k| Problem::new(k.clone(), "cannot be set from the dashboard"))
        .collect();
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let client = match kind {
        "google" => Some(base.google.as_ref()),
        "microsoft" => Some(base.microsoft.as_ref()),
        _ => None,
    };
    match client {
        Some(None) => {
            // Only this: the client keys the reader would miss come from that section.
            return Err(problem(
                "kind",
                &format!(
                    "a \"{kind}\" account is connected in the dashboard only when the configuration file has a `[{kind}]` section (the OAuth client)"
                ),
            ));
        }
        Some(Some(_)) => {
            if object.contains_key("url") {
                problems.push(Problem::new(
                    "url",
                    format!("comes from `[{kind}] url` in the configuration file"),
                ));
            }
            if secrets.token.is_none() {
                problems.push(Problem::new(
                    "token",
                    format!(
                        "connect the account first (\"Connect {}\" in the dashboard)",
                        if kind == "google" {
                            "Google"
                        } else {
                            "Microsoft"
                        }
                    ),
                ));
            }
        }
        None => {}
    }
    if let Some(url) = object.get("url").and_then(Value::as_str)
        && url.trim_start().to_ascii_lowercase().starts_with("file:")
    {
        problems.push(Problem::new(
            "url",
            "a source added in the dashboard cannot read files on the server (use the configuration file)",
        ));
    }
    let mut entry = object.clone();
    entry.retain(|k, _| DASHBOARD_SOURCE_KEYS.contains(&k.as_str()));
    if let Some(p) = &secrets.password {
        entry.insert("password".into(), Value::String(p.clone()));
    }
    if let Some(t) = &secrets.token {
        entry.insert("token".into(), Value::String(t.clone()));
    }
    if let Some(Some(c)) = client {
        entry.insert("client_id".into(), Value::String(c.client_id.clone()));
        let optional = [
            (
                "client_secret",
                c.client_secret.as_ref().map(|s| s.expose().to_owned()),
            ),
            ("tenant", c.tenant.clone()),
            ("url", c.url.clone()),
            ("oauth_url", c.oauth_url.clone()),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                entry.insert(key.into(), Value::String(v));
            }
        }
    }
    let table = match toml::Value::try_from(Value::Object(entry)) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::new("", format!("not a valid entry: {e}")));
            return Err(ConfigErrors(problems));
        }
    };
    let mut reader = Reader {
        problems,
        base_dir: &base.server.data_dir,
    };
    let source = reader
        .table("", &table, super::schema::SOURCE)
        .map(|t| reader.source("", t));
    match source {
        Some(s) if reader.problems.is_empty() => Ok(s),
        _ => Err(ConfigErrors(reader.problems)),
    }
}

/// The keys of `[mail]` the dashboard may set: not `password_file` or `tls_ca_file` (the
/// dashboard must not read files on the server); the password comes apart (sealed).
pub const DASHBOARD_MAIL_KEYS: &[&str] = &[
    "smtp_host",
    "smtp_port",
    "tls",
    "username",
    "from",
    "owner_copy",
    "reminder_hours",
    "max_per_address_per_day",
    "max_per_day",
];

/// SMTP settings typed in the dashboard: `settings` is a `[mail]` section as JSON (the keys of
/// [`DASHBOARD_MAIL_KEYS`]; a `null` is an absent key) with `password` put in, read by the
/// file's own reader, so the same values pass and fail with the same words. Problems are keyed
/// by the field (`smtp_port`), without the section's name.
pub fn dashboard_mail(
    settings: &Value,
    password: Option<&str>,
    base: &Config,
) -> Result<crate::config::MailConfig, ConfigErrors> {
    let Some(object) = settings.as_object() else {
        return Err(ConfigErrors(vec![Problem::new(
            "",
            "expected an object (the `[mail]` settings)",
        )]));
    };
    let mut problems: Vec<Problem> = object
        .keys()
        .filter(|k| !DASHBOARD_MAIL_KEYS.contains(&k.as_str()))
        .map(|k| Problem::new(k.clone(), "cannot be set from the dashboard"))
        .collect();
    let mut section = object.clone();
    section.retain(|k, v| DASHBOARD_MAIL_KEYS.contains(&k.as_str()) && !v.is_null());
    // A cleared user name field means none, as a cleared password does.
    if section
        .get("username")
        .and_then(Value::as_str)
        .is_some_and(|u| u.trim().is_empty())
    {
        section.remove("username");
    }
    if let Some(p) = password {
        section.insert("password".into(), Value::String(p.to_owned()));
    }
    let root = match toml::Table::try_from(json!({"mail": section})) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::new("", format!("not valid settings: {e}")));
            return Err(ConfigErrors(problems));
        }
    };
    let mut reader = Reader {
        problems,
        base_dir: &base.server.data_dir,
    };
    let mail = reader.mail(&root);
    match mail {
        Some(m) if reader.problems.is_empty() => Ok(m),
        _ => Err(ConfigErrors(
            reader
                .problems
                .into_iter()
                .map(|p| match p.key.strip_prefix("mail.") {
                    Some(key) => Problem::new(key, p.message),
                    None => p,
                })
                .collect(),
        )),
    }
}
