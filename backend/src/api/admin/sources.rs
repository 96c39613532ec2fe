//! The calendar sources: their statuses, a sync now, the dashboard's sources (add, edit,
//! remove; secrets sealed, never answered) and the calendars of a CalDAV account.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openslot_wire::admin::{
    CalendarJson, CalendarsBody, Freshness, Origin as WireOrigin, SourceBody, SourceJson,
    SourceKind, SourceRole, SourceSettings,
};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::sync::catalog::{CatalogError, Origin};

use super::{AdminAuth, Checked, OwnerToken, Part, Tag, invalid, utc};

/// Calendar sources.
#[derive(Debug)]
pub struct SourcesApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for SourcesApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
pub(crate) enum SourceChangeResponse {
    /// Edited: the source with its status (like one entry of `GET /sources`).
    #[oai(status = 200)]
    Ok(Json<SourceJson>),
    /// Added and synced once: the source with its status.
    #[oai(status = 201)]
    Created(Json<SourceJson>),
    /// Removed.
    #[oai(status = 204)]
    Deleted,
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// `file_source` (the configuration file has this id; it wins and is read-only here) or
    /// `exists`.
    #[oai(status = 409)]
    Conflict(Json<ErrorJson>),
    /// `invalid` (with `fields`), `url_refused`, `auth_failed`, `unreachable`, `sync_failed`:
    /// nothing was changed.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum SourcesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<SourceJson>>),
}

#[derive(ApiResponse)]
enum CalendarsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<CalendarJson>>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The settings of a source body and its secrets (`password`, `token`: a string, or absent /
/// null for "not given").
fn split_secrets(
    body: serde_json::Value,
) -> Result<(serde_json::Value, crate::config::SourceSecrets), Json<ErrorJson>> {
    let serde_json::Value::Object(mut o) = body else {
        return Err(invalid("", "expected an object (a `[[sources]]` entry)"));
    };
    let mut take = |key: &str| match o.remove(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(key, "expected a string")),
    };
    let secrets = crate::config::SourceSecrets {
        password: take("password")?,
        token: take("token")?,
    };
    Ok((serde_json::Value::Object(o), secrets))
}

/// A refused source change in words, with a stable code.
pub(crate) fn change_error(e: CatalogError) -> SourceChangeResponse {
    use crate::sources::SourceError as S;
    let message = e.to_string();
    let discovery = matches!(e, CatalogError::Discovery(_));
    match e {
        CatalogError::Invalid(problems) => {
            let mut body = error(ErrorCode::Invalid, message);
            body.0.fields = problems
                .0
                .iter()
                .map(|p| crate::api::public::FieldError {
                    field: p.key.clone(),
                    reason: p.message.clone(),
                })
                .collect();
            SourceChangeResponse::Invalid(body)
        }
        CatalogError::FileSource(_) => {
            SourceChangeResponse::Conflict(error(ErrorCode::FileSource, message))
        }
        CatalogError::Exists(_) => {
            SourceChangeResponse::Conflict(error(ErrorCode::Exists, message))
        }
        CatalogError::NotFound(_) => {
            SourceChangeResponse::NotFound(error(ErrorCode::NotFound, message))
        }
        CatalogError::Refused(S::Unreachable { .. }) => {
            SourceChangeResponse::Invalid(error(ErrorCode::Unreachable, message))
        }
        CatalogError::Refused(_) => {
            SourceChangeResponse::Invalid(error(ErrorCode::UrlRefused, message))
        }
        CatalogError::SyncFailed(source) | CatalogError::Discovery(source) => {
            let code = match source {
                S::AuthFailed { .. } | S::NotAuthorized { .. } | S::ReconnectNeeded { .. } => {
                    ErrorCode::AuthFailed
                }
                S::Unreachable { .. } | S::Timeout { .. } => ErrorCode::Unreachable,
                _ if discovery => ErrorCode::NotCaldav,
                _ => ErrorCode::SyncFailed,
            };
            SourceChangeResponse::Invalid(error(code, message))
        }
        CatalogError::Secret(_) => {
            tracing::error!(error = %message, "a source's secret");
            SourceChangeResponse::Internal(error(ErrorCode::Secret, message))
        }
        CatalogError::Store(e) => SourceChangeResponse::Internal(internal(&e)),
    }
}

/// The stored settings of a dashboard source as the wire type (they were checked when saved).
fn settings(value: &serde_json::Value) -> Option<SourceSettings> {
    serde_json::from_value(value.clone())
        .inspect_err(|e| tracing::warn!(error = %e, "a dashboard source's stored settings"))
        .ok()
}

fn wire_kind(kind: &str) -> SourceKind {
    match kind {
        "caldav" => SourceKind::Caldav,
        "google" => SourceKind::Google,
        "microsoft" => SourceKind::Microsoft,
        _ => SourceKind::Ics,
    }
}

/// Every source in use with its status, `origin` and, for the dashboard's, `settings` (to
/// edit) and `has_secret`; then the dashboard's sources the file shadows (`shadowed: true`,
/// not used).
fn sources_json(auth: &AdminAuth, now: DateTime<Utc>) -> Vec<SourceJson> {
    use crate::sync::status::Freshness as F;
    let catalog = &auth.sources;
    let entries = catalog.entries();
    let statuses = auth.service.source_statuses(now);
    let mut list: Vec<SourceJson> = statuses
        .iter()
        .map(|s| {
            let origin = catalog.origin(&s.id).unwrap_or(Origin::File);
            let dashboard = match origin {
                Origin::Dashboard => entries.get(&s.id),
                Origin::File => None,
            };
            SourceJson {
                id: s.id.clone(),
                kind: wire_kind(s.kind),
                name: s.name.clone(),
                origin: match origin {
                    Origin::File => WireOrigin::File,
                    Origin::Dashboard => WireOrigin::Dashboard,
                },
                shadowed: false,
                summary: s.summary(),
                healthy: s.healthy(),
                blocks_booking: s.blocks_booking(),
                settings: dashboard.and_then(|e| settings(&e.settings)),
                has_secret: dashboard.map(|e| e.has_secret),
                writable: Some(s.writable),
                fail_open: Some(s.fail_open),
                role: Some(if s.role == "availability" {
                    SourceRole::Availability
                } else {
                    SourceRole::Busy
                }),
                last_attempt: s.last_attempt.map(utc),
                last_success: s.last_success.map(utc),
                last_error: s.last_error.clone(),
                consecutive_failures: Some(s.consecutive_failures),
                failing_since: s.failing_since.map(utc),
                reconnect_needed: Some(s.reconnect_needed),
                event_count: Some(s.event_count as u64),
                age_seconds: s.age_seconds,
                freshness: Some(match s.freshness {
                    F::Fresh => Freshness::Fresh,
                    F::Stale => Freshness::Stale,
                    F::Never => Freshness::Never,
                }),
            }
        })
        .collect();
    list.extend(entries.iter().filter(|(_, e)| e.shadowed).map(|(id, e)| {
        let settings = settings(&e.settings);
        SourceJson {
            id: id.clone(),
            kind: settings.as_ref().map(|s| s.kind).unwrap_or_default(),
            name: settings.as_ref().and_then(|s| s.name.clone()),
            origin: WireOrigin::Dashboard,
            shadowed: true,
            summary: format!(
                "not used: the configuration file has a source `{id}`, and the file wins"
            ),
            healthy: false,
            blocks_booking: false,
            settings,
            has_secret: Some(e.has_secret),
            writable: None,
            fail_open: None,
            role: None,
            last_attempt: None,
            last_success: None,
            last_error: None,
            consecutive_failures: None,
            failing_since: None,
            reconnect_needed: None,
            event_count: None,
            age_seconds: None,
            freshness: None,
        }
    }));
    list
}

/// The status entry of one source (after a change; a shadowed entry if it is not in use).
pub(crate) fn source_status(auth: &AdminAuth, id: &str) -> Option<SourceJson> {
    sources_json(auth, auth.service.now())
        .into_iter()
        .find(|s| s.id == id)
}

impl SourcesApi {
    /// The status entry of one source after a change (it was just saved, so it is listed).
    fn source_json(&self, id: &str) -> SourceChangeResponse {
        match source_status(&self.auth, id) {
            Some(s) => SourceChangeResponse::Ok(Json(s)),
            None => SourceChangeResponse::Internal(error(
                ErrorCode::Internal,
                "the source was saved but is not listed",
            )),
        }
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl SourcesApi {
    /// Every calendar source and its status (last sync, error in words, freshness).
    #[oai(
        path = "/sources",
        method = "get",
        operation_id = "listSources",
        tag = "Tag::Availability"
    )]
    async fn sources(&self, _auth: OwnerToken) -> SourcesResponse {
        SourcesResponse::Ok(Json(sources_json(&self.auth, self.service().now())))
    }

    /// Syncs every source now (waiting at most `server.refresh_budget_ms`), then the statuses.
    #[oai(
        path = "/sources/sync",
        method = "post",
        operation_id = "syncSources",
        tag = "Tag::Availability"
    )]
    async fn sync(&self, _auth: OwnerToken) -> SourcesResponse {
        let service = self.service();
        service.refresh_sources().await;
        SourcesResponse::Ok(Json(sources_json(&self.auth, service.now())))
    }

    /// Adds a calendar source: the body is a `[[sources]]` entry as JSON (`id`, `kind` "ics" or
    /// "caldav", `url`, `username`, `calendar`, `write`, …) plus the secrets `password` and
    /// `token`, which are stored encrypted and never answered (`has_secret`). The source is
    /// synced once before it is saved; its time blocks slots from the answer on.
    #[oai(
        path = "/sources",
        method = "post",
        operation_id = "addSource",
        tag = "Tag::Availability"
    )]
    async fn add_source(
        &self,
        _auth: OwnerToken,
        body: Json<Checked<SourceBody>>,
    ) -> SourceChangeResponse {
        let (settings, secrets) = match split_secrets(body.0.value) {
            Ok(parts) => parts,
            Err(e) => return SourceChangeResponse::Invalid(e),
        };
        if let Some(kind @ ("google" | "microsoft")) = settings.get("kind").and_then(|k| k.as_str())
        {
            return SourceChangeResponse::Invalid(invalid(
                "kind",
                format!(
                    "a \"{kind}\" account is connected with POST /admin/api/oauth/{kind}/start (\"Connect\" in the dashboard)"
                ),
            ));
        }
        let id = settings
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let service = self.service();
        match self
            .auth
            .sources
            .create(settings, secrets, service.now())
            .await
        {
            Ok(()) => match self.source_json(&id) {
                SourceChangeResponse::Ok(s) => SourceChangeResponse::Created(s),
                other => other,
            },
            Err(e) => change_error(e),
        }
    }

    /// Edits a source added in the dashboard (the whole entry; `password` or `token` left out
    /// keep the stored ones, `""` removes one). File sources are read-only (409).
    #[oai(
        path = "/sources/:id",
        method = "put",
        operation_id = "editSource",
        tag = "Tag::Availability"
    )]
    async fn edit_source(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<Checked<SourceBody>>,
    ) -> SourceChangeResponse {
        let (settings, secrets) = match split_secrets(body.0.value) {
            Ok(parts) => parts,
            Err(e) => return SourceChangeResponse::Invalid(e),
        };
        let service = self.service();
        match self
            .auth
            .sources
            .update(&id.0, settings, secrets, service.now())
            .await
        {
            Ok(()) => self.source_json(&id.0),
            Err(e) => change_error(e),
        }
    }

    /// Removes a source added in the dashboard; its busy time is free from the next answer.
    /// Pending calendar writes to it fail with a reason. File sources are read-only (409).
    #[oai(
        path = "/sources/:id",
        method = "delete",
        operation_id = "deleteSource",
        tag = "Tag::Availability"
    )]
    async fn delete_source(&self, _auth: OwnerToken, id: Path<String>) -> SourceChangeResponse {
        match self.auth.sources.delete(&id.0).await {
            Ok(()) => {
                // Writes queued for it fail now rather than at their next attempt.
                self.service().outbox_wake().notify_one();
                SourceChangeResponse::Deleted
            }
            Err(e) => change_error(e),
        }
    }

    /// The calendars at a CalDAV URL (discovery), to pick the `calendar` of a new source.
    /// Only calendars that can hold events are listed. Errors say what went wrong in words:
    /// `auth_failed` (wrong username or password), `unreachable`, `not_caldav`, `url_refused`.
    #[oai(
        path = "/caldav/calendars",
        method = "post",
        operation_id = "listCaldavCalendars",
        tag = "Tag::Availability"
    )]
    async fn caldav_calendars(
        &self,
        _auth: OwnerToken,
        body: Json<CalendarsBody>,
    ) -> CalendarsResponse {
        let b = body.0;
        match self
            .auth
            .sources
            .calendars(&b.url, b.username.as_deref(), b.password.as_deref())
            .await
        {
            Ok(list) => CalendarsResponse::Ok(Json(
                list.into_iter()
                    .map(|c| CalendarJson {
                        href: c.url,
                        name: c.name,
                        color: c.color,
                        supports_events: true,
                    })
                    .collect(),
            )),
            Err(e) => match change_error(e) {
                SourceChangeResponse::Invalid(j) => CalendarsResponse::Invalid(j),
                SourceChangeResponse::Internal(j) => CalendarsResponse::Internal(j),
                _ => CalendarsResponse::Internal(error(ErrorCode::Internal, "unexpected answer")),
            },
        }
    }
}
