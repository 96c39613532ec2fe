//! `OPENSLOT_*` environment overrides, applied to the parsed TOML table before it is read.
//!
//! Scheme: `OPENSLOT_` + the key path in upper case, path parts joined by `__`:
//! `OPENSLOT_OWNER__TIMEZONE`, `OPENSLOT_AVAILABILITY__WORKING_HOURS__MON`. Entries of
//! `[[sources]]` and `[[event_types]]` are addressed by id or slug (upper case, `-` written `_`):
//! `OPENSLOT_SOURCES__WORK__URL`, `OPENSLOT_EVENT_TYPES__INTRO__DURATION_MINUTES`. A whole
//! section or table can be set at once as an inline TOML value (`OPENSLOT_AVAILABILITY__DATE_OVERRIDES`).
//! Values for string keys are taken verbatim; other values are parsed as a TOML value when they
//! parse (`30`, `false`, `["09:00-12:00"]`), else kept as a string (and then reported as the
//! wrong type). Variables that name no key are problems, except [`NON_CONFIG_VARS`].

use toml::{Table, Value};

use super::Problem;
use super::schema::{self, SECTIONS, Ty};

/// The prefix of every variable this module reads.
pub const PREFIX: &str = "OPENSLOT_";

/// `OPENSLOT_*` variables that are not configuration keys and are therefore not reported:
/// the path of the configuration file, the log filter and format, and the pinned clock of tests
/// (`crate::clock`).
pub const NON_CONFIG_VARS: &[&str] = &[
    "OPENSLOT_CONFIG",
    "OPENSLOT_LOG",
    "OPENSLOT_LOG_FORMAT",
    crate::clock::CLOCK_START_VAR,
];

/// Which key a variable set, to name the variable in problems about that key.
#[derive(Debug)]
pub(super) struct Origin {
    pub path: String,
    pub var: String,
}

/// Applies every `OPENSLOT_*` pair of `env` to `root`, in name order (so that a whole section
/// comes before its keys); other pairs are ignored.
pub(super) fn apply(
    root: &mut Table,
    env: &[(String, String)],
    problems: &mut Vec<Problem>,
) -> Vec<Origin> {
    let mut vars: Vec<&(String, String)> = env
        .iter()
        .filter(|(name, _)| name.starts_with(PREFIX) && !NON_CONFIG_VARS.contains(&name.as_str()))
        .collect();
    vars.sort();
    let mut origins = Vec::new();
    for (name, raw) in vars {
        match set(root, &name[PREFIX.len()..], raw) {
            Ok(path) => origins.push(Origin {
                path,
                var: name.clone(),
            }),
            Err(message) => problems.push(Problem::new(name.clone(), message)),
        }
    }
    origins
}

/// Sets the key `rest` (the variable name without the prefix) names; returns its path.
fn set(root: &mut Table, rest: &str, raw: &str) -> Result<String, String> {
    let (head, tail) = match rest.split_once("__") {
        Some((head, tail)) => (head, Some(tail)),
        None => (rest, None),
    };
    let head = head.to_ascii_lowercase();
    let Some(section) = SECTIONS.iter().find(|s| s.name == head) else {
        return Err(unknown(&head, SECTIONS.iter().map(|s| s.name)));
    };
    let Some(tail) = tail else {
        let ty = if section.id_key.is_some() {
            Ty::Array
        } else {
            Ty::Table(section.fields)
        };
        root.insert(head.clone(), parse_value(raw, ty));
        return Ok(head);
    };
    match section.id_key {
        None => {
            let table = sub_table(root, section.name)?;
            let parts: Vec<String> = tail.split("__").map(str::to_ascii_lowercase).collect();
            set_in(table, section.name, section.fields, &parts, raw)
        }
        Some(id_key) => {
            let Some((id, key)) = tail.rsplit_once("__") else {
                return Err(format!(
                    "expected {PREFIX}{}__<{}>__<KEY>",
                    section.name.to_ascii_uppercase(),
                    id_key.to_ascii_uppercase()
                ));
            };
            let key = key.to_ascii_lowercase();
            let Some(ty) = schema::field(section.fields, &key) else {
                return Err(unknown(&key, section.fields.iter().map(|f| f.0)));
            };
            let Some(Value::Array(entries)) = root.get_mut(section.name) else {
                return Err(format!(
                    "there is no [[{}]] entry to override",
                    section.name
                ));
            };
            let matching: Vec<usize> = (0..entries.len())
                .filter(|&i| {
                    entries[i]
                        .get(id_key)
                        .and_then(Value::as_str)
                        .is_some_and(|v| env_name(v) == id)
                })
                .collect();
            let &[index] = matching.as_slice() else {
                return Err(if matching.is_empty() {
                    format!(
                        "no [[{}]] entry has the {id_key} `{}`",
                        section.name,
                        id.to_ascii_lowercase()
                    )
                } else {
                    format!("more than one [[{}]] entry matches `{id}`", section.name)
                });
            };
            let Some(table) = entries[index].as_table_mut() else {
                return Err(format!("{}[{index}] is not a table", section.name));
            };
            table.insert(key.clone(), parse_value(raw, ty));
            Ok(format!("{}[{index}].{key}", section.name))
        }
    }
}

fn set_in(
    table: &mut Table,
    path: &str,
    fields: &[schema::Field],
    parts: &[String],
    raw: &str,
) -> Result<String, String> {
    let [key, rest @ ..] = parts else {
        return Err("empty key".into());
    };
    let Some(ty) = schema::field(fields, key) else {
        return Err(unknown(key, fields.iter().map(|f| f.0)));
    };
    let path = format!("{path}.{key}");
    match (ty, rest) {
        (_, []) => {
            table.insert(key.clone(), parse_value(raw, ty));
            Ok(path)
        }
        (Ty::Table(sub), _) => set_in(sub_table(table, key)?, &path, sub, rest, raw),
        _ => Err(format!("`{path}` can only be set as a whole")),
    }
}

/// The table under `key`, created when absent.
fn sub_table<'t>(table: &'t mut Table, key: &str) -> Result<&'t mut Table, String> {
    table
        .entry(key)
        .or_insert_with(|| Value::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| format!("`{key}` is not a table"))
}

fn unknown<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match schema::suggest(name, known) {
        Some(k) => format!("unknown key `{name}` (did you mean `{k}`?)"),
        None => format!("unknown key `{name}`"),
    }
}

/// How an id or slug is spelled inside a variable name.
pub(super) fn env_name(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

fn parse_value(raw: &str, ty: Ty) -> Value {
    if ty == Ty::Str {
        return Value::String(raw.to_owned());
    }
    match toml::from_str::<Table>(&format!("v = {raw}")) {
        Ok(mut t) if t.len() == 1 => t
            .remove("v")
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        _ => Value::String(raw.to_owned()),
    }
}

/// Adds "(from OPENSLOT_…)" to every problem about a key that a variable set.
pub(super) fn attribute(problems: &mut [Problem], origins: &[Origin]) {
    for problem in problems {
        let origin = origins.iter().rev().find(|o| {
            problem.key == o.path
                || problem
                    .key
                    .strip_prefix(&o.path)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        });
        if let Some(origin) = origin {
            problem.message = format!("{} (from {})", problem.message, origin.var);
        }
    }
}
