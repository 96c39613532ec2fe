//! The OpenAPI documents as they are served and as `openslot openapi` prints them: the one
//! poem-openapi derives from the endpoints, with what client generators need and poem-openapi
//! cannot say from Rust types alone.
//!
//! Invariant: only the document changes, never an answer: a field listed as required here is
//! still checked by its handler (which reports every missing field at once as `invalid`), and
//! every name listed must exist in the derived document, or generating it fails (the drift
//! test then fails too).

use serde_yaml::{Mapping, Value};

/// Why a document could not be refined.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the OpenAPI document cannot be read or written as YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// A name in this module's tables that the endpoints do not have (any more).
    #[error("the OpenAPI document has no {0}")]
    Missing(String),
    #[error("quoting the YAML document changed its content")]
    Quoting,
}

/// Request body fields every request must send. Their types stay `Option` so that the handler
/// can name each missing field in one 422 answer.
const REQUIRED_FIELDS: &[(&str, &[&str])] = &[
    (
        "BookingBody",
        &["event_type", "start", "name", "email", "timezone"],
    ),
    ("RescheduleBody", &["start"]),
    ("RepeatBody", &["frequency", "sessions"]),
];

/// String fields holding RFC 3339 times (with the offset of the zone they are shown in).
const DATE_TIME_FIELDS: &[(&str, &[&str])] = &[
    ("BookingBody", &["start"]),
    ("RescheduleBody", &["start"]),
    ("SlotJson", &["start", "end"]),
    ("BookingJson", &["start", "end"]),
    ("SessionJson", &["start", "end"]),
    ("SeriesConflictJson", &["start"]),
];

/// Query parameters the handler refuses to go without (`listSlots` answers 422 naming each,
/// the booking and feed endpoints 404), and their formats.
const REQUIRED_QUERY: &[(&str, &str, Option<&str>)] = &[
    ("listSlots", "event_type", None),
    ("listSlots", "from", Some("date")),
    ("listSlots", "to", Some("date")),
    ("getBooking", "token", None),
    ("cancelBooking", "token", None),
    ("rescheduleBooking", "token", None),
    ("getBookingsFeed", "token", None),
    ("getFreebusyFeed", "token", None),
];

/// The public API's document (poem-openapi's YAML, whose order it keeps), refined.
pub fn public_yaml(derived: &str) -> Result<String, SpecError> {
    let mut doc: Value = serde_yaml::from_str(derived)?;
    refine_common(&mut doc);
    for (schema, fields) in REQUIRED_FIELDS {
        for field in *fields {
            property_mut(&mut doc, schema, field)?;
        }
        let schema = schema_mut(&mut doc, schema)?;
        let required = schema
            .entry("required".into())
            .or_insert_with(|| Value::Sequence(Vec::new()));
        if let Value::Sequence(list) = required {
            list.extend(fields.iter().map(|f| Value::from(*f)));
        }
    }
    for (schema, fields) in DATE_TIME_FIELDS {
        for field in *fields {
            property_mut(&mut doc, schema, field)?.insert("format".into(), "date-time".into());
        }
    }
    for (operation, name, format) in REQUIRED_QUERY {
        let param = query_param_mut(&mut doc, operation, name)?;
        param.insert("required".into(), true.into());
        if let (Some(format), Some(Value::Mapping(schema))) = (format, param.get_mut("schema")) {
            schema.insert("format".into(), (*format).into());
        }
    }
    declare_bearer(
        &mut doc,
        "apiKey",
        "osk_<id>_<secret>",
        "An API key made in the owner's dashboard (scopes `slots:read`, `bookings:write`, \
         `webhooks:manage`). Optional: without it a request is a visitor's.",
        |path| path.starts_with("/api/v1/"),
        true,
    );
    to_yaml(&doc)
}

/// The admin API's document (poem-openapi's YAML), refined.
pub fn admin_yaml(derived: &str) -> Result<String, SpecError> {
    let mut doc: Value = serde_yaml::from_str(derived)?;
    refine_common(&mut doc);
    declare_bearer(
        &mut doc,
        "session",
        "JWT",
        "The session token `POST /admin/api/login` answers.",
        |path| path.starts_with("/admin/api/") && !path.starts_with("/admin/api/login"),
        false,
    );
    to_yaml(&doc)
}

/// Declares a bearer scheme `name` in `components.securitySchemes` and lists it on every
/// operation under a path `covered` accepts: as an alternative to none when `optional`.
fn declare_bearer(
    doc: &mut Value,
    name: &str,
    format: &str,
    description: &str,
    covered: impl Fn(&str) -> bool,
    optional: bool,
) {
    let Value::Mapping(root) = doc else {
        return;
    };
    let mut scheme = Mapping::new();
    scheme.insert("type".into(), "http".into());
    scheme.insert("scheme".into(), "bearer".into());
    scheme.insert("bearerFormat".into(), format.into());
    scheme.insert("description".into(), description.into());
    if let Value::Mapping(components) = root
        .entry("components".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()))
        && let Value::Mapping(schemes) = components
            .entry("securitySchemes".into())
            .or_insert_with(|| Value::Mapping(Mapping::new()))
    {
        schemes.insert(name.into(), scheme.into());
    }
    let mut requirement = Mapping::new();
    requirement.insert(name.into(), Value::Sequence(Vec::new()));
    let mut security = Vec::new();
    if optional {
        security.push(Value::Mapping(Mapping::new()));
    }
    security.push(requirement.into());
    let Some(Value::Mapping(paths)) = root.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let (Some(path), Value::Mapping(item)) = (path.as_str(), item) else {
            continue;
        };
        if !covered(path) {
            continue;
        }
        for method in ["get", "put", "post", "delete", "patch"] {
            if let Some(Value::Mapping(op)) = item.get_mut(method) {
                op.insert("security".into(), Value::Sequence(security.clone()));
            }
        }
    }
}

/// What both documents need: a server (relative, so the document does not depend on where it
/// is served), security said at the root (operations that need a token say so themselves),
/// and references without `allOf` wrappers (generators make a new class of each wrapper).
fn refine_common(doc: &mut Value) {
    if let Value::Mapping(root) = doc {
        let mut server = Mapping::new();
        server.insert("url".into(), "/".into());
        root.insert("servers".into(), Value::Sequence(vec![server.into()]));
        root.entry("security".into())
            .or_insert_with(|| Value::Sequence(Vec::new()));
    }
    unwrap_described_refs(doc);
}

/// `{description, allOf: [{$ref}, {description}]}` becomes `{$ref}`: the field's words stay in
/// the code, the referenced type keeps its own description.
fn unwrap_described_refs(v: &mut Value) {
    match v {
        Value::Mapping(map) => {
            let reference = match map.get("allOf") {
                Some(Value::Sequence(parts)) => match parts.as_slice() {
                    [Value::Mapping(first), rest @ ..]
                        if first.len() == 1 && rest.iter().all(only_words) =>
                    {
                        first.get("$ref").cloned()
                    }
                    _ => None,
                },
                _ => None,
            };
            let wrapper_only = map
                .keys()
                .all(|k| matches!(k.as_str(), Some("description" | "title" | "allOf")));
            match reference {
                Some(reference) if wrapper_only => {
                    map.clear();
                    map.insert("$ref".into(), reference);
                }
                _ => map.iter_mut().for_each(|(_, v)| unwrap_described_refs(v)),
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(unwrap_described_refs),
        _ => {}
    }
}

/// A schema that only describes (no type, no constraint).
fn only_words(v: &Value) -> bool {
    matches!(v, Value::Mapping(m)
        if m.keys().all(|k| matches!(k.as_str(), Some("description" | "title"))))
}

fn mapping_mut(
    v: Option<&mut Value>,
    what: impl FnOnce() -> String,
) -> Result<&mut Mapping, SpecError> {
    match v {
        Some(Value::Mapping(m)) => Ok(m),
        _ => Err(SpecError::Missing(what())),
    }
}

fn schema_mut<'a>(doc: &'a mut Value, name: &str) -> Result<&'a mut Mapping, SpecError> {
    let schemas = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(|s| s.get_mut(name));
    mapping_mut(schemas, || format!("schema {name}"))
}

fn property_mut<'a>(
    doc: &'a mut Value,
    schema: &str,
    field: &str,
) -> Result<&'a mut Mapping, SpecError> {
    let property = schema_mut(doc, schema)?
        .get_mut("properties")
        .and_then(|p| p.get_mut(field));
    mapping_mut(property, || format!("field {schema}.{field}"))
}

fn query_param_mut<'a>(
    doc: &'a mut Value,
    operation_id: &str,
    name: &str,
) -> Result<&'a mut Mapping, SpecError> {
    let missing = || SpecError::Missing(format!("query parameter `{name}` of {operation_id}"));
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_mapping_mut)
        .ok_or_else(missing)?;
    let operation = paths
        .iter_mut()
        .filter_map(|(_, item)| item.as_mapping_mut())
        .flat_map(|item| item.iter_mut().map(|(_, op)| op))
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
        .ok_or_else(missing)?;
    operation
        .get_mut("parameters")
        .and_then(Value::as_sequence_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_mapping_mut)
        .find(|p| {
            p.get("in").and_then(Value::as_str) == Some("query")
                && p.get("name").and_then(Value::as_str) == Some(name)
        })
        .ok_or_else(missing)
}

/// YAML in which no string reads as a date: serde_yaml writes YAML 1.2, where
/// `2026-12-01T09:00:00+01:00` is a string, but YAML 1.1 loaders (PyYAML, many generators)
/// make a date of it and lose the offset. Such scalars are single-quoted; the result must read
/// back as the same document.
fn to_yaml(doc: &Value) -> Result<String, SpecError> {
    let plain = serde_yaml::to_string(doc)?;
    let quoted = quote_dates(&plain);
    let back: Value = serde_yaml::from_str(&quoted)?;
    if &back != doc {
        return Err(SpecError::Quoting);
    }
    Ok(quoted)
}

fn quote_dates(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 64);
    // The indentation of the block scalar being read (`|`, `>`), whose lines are text.
    let mut block: Option<usize> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(i) = block {
            if line.trim().is_empty() || indent > i {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            block = None;
        }
        let body = line.trim_start();
        let item = body.strip_prefix("- ").unwrap_or(body);
        let (head, value) = match item.split_once(": ") {
            Some((key, value)) if !key.starts_with(['\'', '"']) => {
                (line.len() - value.len(), value)
            }
            _ => (line.len() - item.len(), item),
        };
        if value.starts_with(['|', '>']) {
            block = Some(indent);
        }
        if looks_like_date(value) {
            out.push_str(&line[..head]);
            out.push('\'');
            out.push_str(value);
            out.push('\'');
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `YYYY-M-D...`: what YAML 1.1 may read as a timestamp.
fn looks_like_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn dates_are_quoted_and_text_is_not_touched() {
        let doc = yaml(concat!(
            "example: {start: '2026-12-01T09:00:00+01:00', day: '2026-12-01'}\n",
            "list: ['2026-12-01']\n",
            "text: \"line one\\n2026-12-01 in a block\\n\"\n",
            "n: '2026'\n",
        ));
        let out = to_yaml(&doc).unwrap();
        assert!(out.contains("start: '2026-12-01T09:00:00+01:00'"), "{out}");
        assert!(out.contains("day: '2026-12-01'"), "{out}");
        assert!(out.contains("- '2026-12-01'"), "{out}");
        assert!(out.contains("\n  2026-12-01 in a block"), "{out}");
    }

    #[test]
    fn described_references_become_plain_references() {
        let mut doc = yaml(concat!(
            "p: {description: words, allOf: [{$ref: '#/components/schemas/A'}, {description: words}]}\n",
            "q: {allOf: [{$ref: '#/x'}, {type: object}]}\n",
        ));
        unwrap_described_refs(&mut doc);
        assert_eq!(doc["p"], yaml("{$ref: '#/components/schemas/A'}"));
        assert_eq!(
            doc["q"]["allOf"][1]["type"],
            yaml("object"),
            "a real allOf stays"
        );
    }

    #[test]
    fn keys_are_an_optional_bearer_and_admin_operations_need_the_session() {
        let admin = concat!(
            "paths:\n",
            "  /admin/api/login: {post: {operationId: login}}\n",
            "  /admin/api/bookings: {get: {operationId: listBookings}}\n",
        );
        let doc = yaml(&admin_yaml(admin).unwrap());
        let session = &doc["components"]["securitySchemes"]["session"];
        assert_eq!(
            (&session["type"], &session["scheme"]),
            (&yaml("http"), &yaml("bearer"))
        );
        assert_eq!(
            doc["paths"]["/admin/api/bookings"]["get"]["security"],
            yaml("[{session: []}]")
        );
        assert_eq!(
            doc["paths"]["/admin/api/login"]["post"].get("security"),
            None
        );
        let mut public = yaml("paths: {/api/v1/slots: {get: {}}, /healthz: {get: {}}}\n");
        declare_bearer(
            &mut public,
            "apiKey",
            "osk",
            "",
            |p| p.starts_with("/api/v1/"),
            true,
        );
        assert_eq!(
            public["paths"]["/api/v1/slots"]["get"]["security"],
            yaml("[{}, {apiKey: []}]")
        );
        assert_eq!(public["paths"]["/healthz"]["get"].get("security"), None);
        assert_eq!(
            public["components"]["securitySchemes"]["apiKey"]["scheme"],
            yaml("bearer")
        );
    }

    #[test]
    fn a_name_the_document_lacks_is_an_error() {
        let doc = "components: {schemas: {}}\npaths: {}\n";
        assert!(matches!(public_yaml(doc), Err(SpecError::Missing(_))));
    }
}
