//! Connecting Google and Microsoft accounts from the dashboard (`sync::connections`): start a
//! sign-in (redirect back to `server.admin_url`, or Microsoft's device code), follow it, paste
//! the code when the redirect cannot reach the admin listener, list the account's calendars,
//! save one as a dashboard source (its refresh token sealed) or put the new token into the
//! source being reconnected. Also the redirect's landing page, `GET /admin/oauth/SERVICE/callback`,
//! which has no bearer token (a browser navigation): the single-use `state` is its credential.
//!
//! Invariant: no answer and no log line holds a token, a code, a verifier or a state.

use std::sync::Arc;

use openslot_wire::admin::{
    AccountCalendarJson, ConnectionJson, Flow as WireFlow, PasteBody, ServiceJson, StartBody,
};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::admin::{AdminAuth, OwnerToken};
use super::public::{ErrorCode, ErrorJson, error};
use crate::api::wire;
use crate::sources::oauth::Service;
use crate::sync::connections::{ConnectError, ConnectionView, Connections, Flow, callback_path};

#[derive(Tags)]
enum Tag {
    /// Connecting Google and Microsoft accounts.
    Accounts,
}

/// The connections part of the admin API.
#[derive(Debug)]
pub struct AdminOAuthApi {
    pub auth: Arc<AdminAuth>,
    pub connections: Arc<Connections>,
}

impl From<ConnectionView> for ConnectionJson {
    fn from(v: ConnectionView) -> Self {
        let error = match &v.progress {
            crate::sync::connections::Progress::Failed(e) => Some(e.clone()),
            _ => None,
        };
        ConnectionJson {
            status: wire::progress(&v.progress),
            error,
            id: v.id,
            service: wire::service(v.service),
            flow: wire::flow(v.flow),
            source: v.reconnect,
            write: v.write,
            expires_at: v
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            authorize_url: v.authorize_url,
            redirect_uri: v.redirect_uri,
            verification_uri: v.verification_uri,
            user_code: v.user_code,
        }
    }
}

#[derive(ApiResponse)]
enum ServicesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<ServiceJson>>),
}

#[derive(ApiResponse)]
enum ConnectionResponse {
    #[oai(status = 200)]
    Ok(Json<ConnectionJson>),
    /// `not_found`: no such sign-in (ended, or the service restarted).
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// `expired` (10 minutes to sign in), `wrong_state` (a pasted address of another
    /// sign-in, or used already), `not_yet`.
    #[oai(status = 409)]
    Conflict(Json<ErrorJson>),
    /// `not_configured` (no `[google]`/`[microsoft]` section), `invalid`, `refused` (the
    /// service refused: the reason in words), `unreachable`.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum EndResponse {
    #[oai(status = 204)]
    Ended,
}

#[derive(ApiResponse)]
enum AccountCalendarsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<AccountCalendarJson>>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 409)]
    Conflict(Json<ErrorJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum SaveResponse {
    /// The source being reconnected, with its status after a sync with the new token.
    #[oai(status = 200)]
    Ok(Json<openslot_wire::admin::SourceJson>),
    /// The new source, synced once, with its status.
    #[oai(status = 201)]
    Created(Json<openslot_wire::admin::SourceJson>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// As `POST /sources` (`exists`, `file_source`), and `expired`, `not_yet`.
    #[oai(status = 409)]
    Conflict(Json<ErrorJson>),
    /// As `POST /sources`: `invalid`, `auth_failed`, `unreachable`, `sync_failed`.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn service_of(text: &str) -> Option<Service> {
    match text {
        "google" => Some(Service::Google),
        "microsoft" => Some(Service::Microsoft),
        _ => None,
    }
}

/// A refused step in words, with a stable code.
fn refusal(e: &ConnectError) -> (u16, Json<ErrorJson>) {
    use crate::sources::SourceError as S;
    let message = e.to_string();
    match e {
        ConnectError::NotFound(_) => (404, error(ErrorCode::NotFound, message)),
        ConnectError::Expired => (409, error(ErrorCode::Expired, message)),
        ConnectError::UnknownState => (409, error(ErrorCode::WrongState, message)),
        ConnectError::NotYet => (409, error(ErrorCode::NotYet, message)),
        ConnectError::NotConfigured(_) => (422, error(ErrorCode::NotConfigured, message)),
        ConnectError::NoDeviceFlow => (422, error(ErrorCode::Invalid, message)),
        ConnectError::Source(S::Unreachable { .. } | S::Timeout { .. }) => {
            (422, error(ErrorCode::Unreachable, message))
        }
        ConnectError::Source(S::Refused(m)) if m.contains("another sign-in") => {
            (409, error(ErrorCode::WrongState, message))
        }
        ConnectError::Failed(_) | ConnectError::Source(_) => {
            (422, error(ErrorCode::Refused, message))
        }
    }
}

fn connection_error(e: &ConnectError) -> ConnectionResponse {
    match refusal(e) {
        (404, j) => ConnectionResponse::NotFound(j),
        (409, j) => ConnectionResponse::Conflict(j),
        (_, j) => ConnectionResponse::Invalid(j),
    }
}

#[OpenApi(prefix_path = "/admin/api", tag = "Tag::Accounts")]
impl AdminOAuthApi {
    /// The services whose accounts can be connected here (the configuration file has their
    /// `[google]` / `[microsoft]` section), with the redirect URI to register.
    #[oai(
        path = "/oauth/services",
        method = "get",
        operation_id = "listOAuthServices"
    )]
    async fn services(&self, _auth: OwnerToken) -> ServicesResponse {
        let list = self
            .connections
            .services()
            .into_iter()
            .map(|s| ServiceJson {
                service: wire::service(s),
                redirect_uri: self.connections.redirect_uri(s),
                flows: match s {
                    Service::Google => vec![WireFlow::Redirect],
                    Service::Microsoft => vec![WireFlow::Device, WireFlow::Redirect],
                },
            })
            .collect();
        ServicesResponse::Ok(Json(list))
    }

    /// Starts connecting an account of `service` (`google`, `microsoft`): the consent page to
    /// open (redirect), or the code to enter (device). Ten minutes to finish.
    #[oai(
        path = "/oauth/:service/start",
        method = "post",
        operation_id = "startOAuthConnection"
    )]
    async fn start(
        &self,
        _auth: OwnerToken,
        service: Path<String>,
        body: Json<StartBody>,
    ) -> ConnectionResponse {
        let Some(service) = service_of(&service.0) else {
            return ConnectionResponse::NotFound(error(
                ErrorCode::NotFound,
                "the services are `google` and `microsoft`",
            ));
        };
        let flow = match (body.0.flow.as_deref(), service) {
            (Some("redirect"), _) | (None, Service::Google) => Flow::Redirect,
            (Some("device"), _) | (None, Service::Microsoft) => Flow::Device,
            (Some(_), _) => {
                return ConnectionResponse::Invalid(error(
                    ErrorCode::Invalid,
                    "flow: `redirect` or `device`",
                ));
            }
        };
        let mut write = body.0.write.unwrap_or(false);
        if let Some(id) = &body.0.source {
            let entries = self.auth.sources.entries();
            let Some(entry) = entries.get(id) else {
                return ConnectionResponse::NotFound(error(
                    ErrorCode::NotFound,
                    format!("no source `{id}` was added in the dashboard"),
                ));
            };
            if entry.settings.get("kind").and_then(|k| k.as_str()) != Some(service.as_str()) {
                return ConnectionResponse::Invalid(error(
                    ErrorCode::Invalid,
                    format!("source `{id}` is not a {} source", service.as_str()),
                ));
            }
            // A reconnect asks for what the source needs.
            write = entry
                .settings
                .get("write")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
        }
        let now = self.auth.service.now();
        match self
            .connections
            .start(service, flow, body.0.source.clone(), write, now)
            .await
        {
            Ok(v) => ConnectionResponse::Ok(Json(v.into())),
            Err(e) => connection_error(&e),
        }
    }

    /// Where a sign-in stands (the dashboard polls this): `waiting`, `authorized`, `failed`
    /// (with `error`), `expired`.
    #[oai(
        path = "/oauth/connections/:id",
        method = "get",
        operation_id = "getOAuthConnection"
    )]
    async fn connection(&self, _auth: OwnerToken, id: Path<String>) -> ConnectionResponse {
        match self.connections.view(&id.0, self.auth.service.now()) {
            Ok(v) => ConnectionResponse::Ok(Json(v.into())),
            Err(e) => connection_error(&e),
        }
    }

    /// Ends a sign-in (the owner closed it): a device code is no longer polled, a token it
    /// brought is forgotten. 204 also when there was none.
    #[oai(
        path = "/oauth/connections/:id",
        method = "delete",
        operation_id = "endOAuthConnection"
    )]
    async fn end(&self, _auth: OwnerToken, id: Path<String>) -> EndResponse {
        self.connections.finish(&id.0);
        EndResponse::Ended
    }

    /// The paste-the-code fallback: the code, or the whole address the consent page sent the
    /// browser to (its `state` must be this sign-in's). The server exchanges it.
    #[oai(
        path = "/oauth/connections/:id/code",
        method = "post",
        operation_id = "pasteOAuthCode"
    )]
    async fn paste(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<PasteBody>,
    ) -> ConnectionResponse {
        match self
            .connections
            .paste(&id.0, &body.0.code, self.auth.service.now())
            .await
        {
            Ok(v) => ConnectionResponse::Ok(Json(v.into())),
            Err(e) => connection_error(&e),
        }
    }

    /// The calendars of the connected account, to pick one from.
    #[oai(
        path = "/oauth/connections/:id/calendars",
        method = "get",
        operation_id = "listAccountCalendars"
    )]
    async fn calendars(&self, _auth: OwnerToken, id: Path<String>) -> AccountCalendarsResponse {
        match self
            .connections
            .calendars(&id.0, self.auth.service.now())
            .await
        {
            Ok(list) => AccountCalendarsResponse::Ok(Json(
                list.into_iter()
                    .map(|c| AccountCalendarJson {
                        primary: c.selected,
                        id: c.url,
                        name: c.name,
                        color: c.color,
                    })
                    .collect(),
            )),
            Err(e) => match refusal(&e) {
                (404, j) => AccountCalendarsResponse::NotFound(j),
                (409, j) => AccountCalendarsResponse::Conflict(j),
                (_, j) => AccountCalendarsResponse::Invalid(j),
            },
        }
    }

    /// Saves the connected account: as a new dashboard source (the body: `id`, `name`,
    /// `calendar`, `color` and the busy policy keys; its `kind` and `write` come from the
    /// sign-in), or, for a reconnect, as the new token of that source (the body may be `{}`).
    /// Synced once before it is saved, like `POST /sources`; the token is sealed, never answered.
    #[oai(
        path = "/oauth/connections/:id/source",
        method = "post",
        operation_id = "saveAccountSource"
    )]
    async fn save(
        &self,
        _auth: OwnerToken,
        id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> SaveResponse {
        let now = self.auth.service.now();
        let authorized = match self.connections.authorized(&id.0, now) {
            Ok(a) => a,
            Err(e) => {
                return match refusal(&e) {
                    (404, j) => SaveResponse::NotFound(j),
                    (409, j) => SaveResponse::Conflict(j),
                    (_, j) => SaveResponse::Invalid(j),
                };
            }
        };
        let token = authorized.refresh_token.expose().to_owned();
        let (result, source_id, created) = match &authorized.reconnect {
            Some(source) => (
                self.auth.sources.replace_token(source, &token, now).await,
                source.clone(),
                false,
            ),
            None => {
                let serde_json::Value::Object(mut settings) = body.0 else {
                    return SaveResponse::Invalid(error(
                        ErrorCode::Invalid,
                        "expected an object (`id`, `name`, `calendar`, ...)",
                    ));
                };
                for secret in ["password", "token"] {
                    settings.remove(secret);
                }
                settings.insert("kind".into(), authorized.service.as_str().into());
                settings.insert("write".into(), authorized.write.into());
                let source_id = settings
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let secrets = crate::config::SourceSecrets {
                    password: None,
                    token: Some(token),
                };
                (
                    self.auth
                        .sources
                        .create(serde_json::Value::Object(settings), secrets, now)
                        .await,
                    source_id,
                    true,
                )
            }
        };
        match result {
            Ok(()) => {
                self.connections.finish(&id.0);
                match super::admin::source_status(&self.auth, &source_id) {
                    Some(status) if created => SaveResponse::Created(Json(status)),
                    Some(status) => SaveResponse::Ok(Json(status)),
                    None => SaveResponse::Internal(error(
                        ErrorCode::Internal,
                        "the source was saved but is not listed",
                    )),
                }
            }
            Err(e) => match super::admin::change_error(e) {
                super::admin::SourceChangeResponse::NotFound(j) => SaveResponse::NotFound(j),
                super::admin::SourceChangeResponse::Conflict(j) => SaveResponse::Conflict(j),
                super::admin::SourceChangeResponse::Invalid(j) => SaveResponse::Invalid(j),
                super::admin::SourceChangeResponse::Internal(j) => SaveResponse::Internal(j),
                _ => SaveResponse::Internal(error(ErrorCode::Internal, "unexpected answer")),
            },
        }
    }
}

/// `GET /admin/oauth/{service}/callback?code&state` (or `error`): the consent page sent the
/// owner's browser back. The state names the sign-in (used once); the code is exchanged; the
/// browser goes on to the dashboard's Calendars section, which shows the outcome.
pub fn callback(connections: Arc<Connections>, auth: Arc<AdminAuth>) -> poem::Route {
    let mut route = poem::Route::new();
    for service in [Service::Google, Service::Microsoft] {
        let (connections, auth) = (Arc::clone(&connections), Arc::clone(&auth));
        let endpoint = poem::endpoint::make(move |req: poem::Request| {
            let (connections, auth) = (Arc::clone(&connections), Arc::clone(&auth));
            async move {
                let query: Vec<(String, String)> =
                    reqwest::Url::parse(&format!("http://x/?{}", req.uri().query().unwrap_or("")))
                        .map(|u| u.query_pairs().into_owned().collect())
                        .unwrap_or_default();
                let get = |key: &str| {
                    query
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.as_str())
                };
                let outcome = connections
                    .callback(
                        service,
                        get("state").unwrap_or_default(),
                        get("code"),
                        get("error"),
                        auth.service.now(),
                    )
                    .await;
                match outcome {
                    Ok(id) => poem::Response::builder()
                        .status(poem::http::StatusCode::SEE_OTHER)
                        .header("Location", format!("/admin/calendars?connection={id}"))
                        .header("Cache-Control", "no-store")
                        .header("Referrer-Policy", "no-referrer")
                        .finish(),
                    Err(e) => {
                        tracing::warn!(
                            service = service.as_str(),
                            "a sign-in answer was refused: {e}"
                        );
                        page(&e.to_string())
                    }
                }
            }
        });
        // Nested at `/admin/oauth` (server.rs): the rest of `callback_path`.
        let path = callback_path(service);
        route = route.at(path.trim_start_matches("/admin/oauth"), poem::get(endpoint));
    }
    route
}

/// A small page for a refused answer (no script; the message is our own text).
fn page(message: &str) -> poem::Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>OpenSlot</title>\
         <main><h1>The sign-in did not finish</h1><p>{message}</p>\
         <p><a href=\"/admin/calendars\">Back to the calendars</a></p></main></html>"
    );
    poem::Response::builder()
        .status(poem::http::StatusCode::BAD_REQUEST)
        .content_type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(body)
}
