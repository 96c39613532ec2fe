//! The owner's edits of the rules from the dashboard: `[availability]` and `[[event_types]]` as
//! one JSON document of the same shape as the TOML file, read by the file's own reader.
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
                        if let crate::booking::details::QuestionKind::Choice(c) = &q.kind {
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
