//! OAuth 2.0 for the `google` and `microsoft` adapters: the token store, access tokens refreshed
//! on demand (with refresh-token rotation), authorized requests, and the interactive flows that
//! `openslot auth` runs (Google: loopback redirect with PKCE; Microsoft: device code).
//!
//! Invariants: tokens never reach a log line or a message (they are [`Secret`]s); the store is
//! `{data_dir}/tokens/{source_id}.json`, written whole (temp file + rename, mode 0600); a refresh
//! token the service no longer accepts (`invalid_grant`: revoked, expired, password changed) is
//! [`SourceError::NotAuthorized`] naming the `openslot auth` command, never a quiet empty
//! calendar.
//!
//! Built from the documented requests and answers (Google: "OAuth 2.0 for Mobile & Desktop Apps"
//! (loopback IP address, PKCE S256) and "Using OAuth 2.0 to Access Google APIs" (refresh);
//! Microsoft identity platform: "OAuth 2.0 device authorization grant" and "Refresh the access
//! token"); tested against local stand-ins of those shapes (tests/google_microsoft), since
//! neither service is reachable from the test machines.
//!
//! Layout: access tokens, refresh and authorized requests are here; `store` is the token file
//! store, `cursor` the window kept in a delta cursor, `login` the authorization code flow with
//! PKCE (loopback redirect, pasted address), `device` the device code flow.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::{Secret, SourceConfig};

use super::http::{self, Limits};
use super::{SourceContext, SourceError};

mod cursor;
mod device;
mod login;
mod store;

pub(in crate::sources) use cursor::{covers, cursor_window, window_cursor};
pub use device::{
    DeviceCode, DevicePoll, authorize_microsoft, poll_device_code, start_device_code,
};
pub use login::{
    Consent, authorize_google, authorize_google_within, authorize_pasted, consent, exchange_code,
    paste_redirect_uri, pasted_code, pkce_challenge, random_text,
};
pub use store::{load_refresh_token, store_refresh_token, token_path};

/// How long `openslot auth google` waits for the browser.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

const GOOGLE_AUTH: &str = "https://accounts.google.com/o/oauth2/v2/auth";
const GOOGLE_TOKEN: &str = "https://oauth2.googleapis.com/token";
const MICROSOFT_LOGIN: &str = "https://login.microsoftonline.com";
/// Google, read only: events and the calendar list (for `openslot sources`).
pub const GOOGLE_SCOPE_READ: &str = "https://www.googleapis.com/auth/calendar.readonly";
/// Google for a source with `write = true`: also creating and deleting events.
pub const GOOGLE_SCOPE_WRITE: &str = "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.readonly";
/// Microsoft, read only. `offline_access` is what makes the identity platform return a
/// refresh token.
pub const MICROSOFT_SCOPE_READ: &str = "offline_access Calendars.Read";
/// Microsoft for a source with `write = true`.
pub const MICROSOFT_SCOPE_WRITE: &str = "offline_access Calendars.ReadWrite";

/// The least a source needs: read only unless it writes bookings (`write = true`).
pub fn scope(service: Service, write: bool) -> &'static str {
    match (service, write) {
        (Service::Google, false) => GOOGLE_SCOPE_READ,
        (Service::Google, true) => GOOGLE_SCOPE_WRITE,
        (Service::Microsoft, false) => MICROSOFT_SCOPE_READ,
        (Service::Microsoft, true) => MICROSOFT_SCOPE_WRITE,
    }
}
/// An access token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN_SECONDS: i64 = 60;

/// The service behind a source, as `openslot auth SERVICE` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Google,
    Microsoft,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Google => "google",
            Service::Microsoft => "microsoft",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Service::Google => "Google",
            Service::Microsoft => "Microsoft",
        }
    }
}

/// The OAuth endpoints of a source: the real ones, or below `oauth_url` when it is set (a local
/// stand-in), keeping the real paths (`/o/oauth2/v2/auth`, `/token`; `/{tenant}/oauth2/v2.0/…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Google: the consent page; Microsoft: the device code endpoint.
    pub authorize: Url,
    pub token: Url,
    /// The consent page of the authorization code flow (both services).
    pub consent: Url,
}

impl Endpoints {
    pub fn of(service: Service, config: &SourceConfig) -> Result<Self, SourceError> {
        let base = config
            .oauth_url
            .as_deref()
            .map(|b| b.trim_end_matches('/').to_owned());
        let (authorize, token, consent) = match service {
            Service::Google => match &base {
                Some(b) => (
                    format!("{b}/o/oauth2/v2/auth"),
                    format!("{b}/token"),
                    format!("{b}/o/oauth2/v2/auth"),
                ),
                None => (
                    GOOGLE_AUTH.to_owned(),
                    GOOGLE_TOKEN.to_owned(),
                    GOOGLE_AUTH.to_owned(),
                ),
            },
            Service::Microsoft => {
                let tenant = config.tenant.as_deref().unwrap_or("common");
                let b = base.unwrap_or_else(|| MICROSOFT_LOGIN.to_owned());
                (
                    format!("{b}/{tenant}/oauth2/v2.0/devicecode"),
                    format!("{b}/{tenant}/oauth2/v2.0/token"),
                    format!("{b}/{tenant}/oauth2/v2.0/authorize"),
                )
            }
        };
        let parse = |u: String| {
            Url::parse(&u).map_err(|e| SourceError::Config(format!("`{u}` is not a URL: {e}")))
        };
        Ok(Endpoints {
            authorize: parse(authorize)?,
            token: parse(token)?,
            consent: parse(consent)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Access tokens and authorized requests.

/// An access token and when it stops working.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub token: Secret,
    pub expires_at: DateTime<Utc>,
}

impl AccessToken {
    fn usable(&self, now: DateTime<Utc>) -> bool {
        now + chrono::Duration::seconds(EXPIRY_MARGIN_SECONDS) < self.expires_at
    }
}

/// The OAuth side of one source: gets access tokens (refreshing and rotating the refresh token)
/// and sends authorized requests.
#[derive(Debug)]
pub struct OAuth {
    service: Service,
    source_id: String,
    client_id: String,
    client_secret: Option<Secret>,
    token_url: Url,
    /// Where a new refresh token goes: the file store (`openslot auth`), or the vault of the
    /// dashboard's sealed secrets ([`SourceContext::tokens`]).
    keeper: Keeper,
    /// `token` / `token_file` of the config (a dashboard source's sealed token): used until a
    /// stored one exists.
    configured: Option<Secret>,
    /// With a vault: the refresh token since the last rotation (the vault has it sealed).
    rotated: std::sync::Mutex<Option<Secret>>,
    /// The source writes bookings: the write scope, else the read-only one.
    write: bool,
    http: Client,
    limits: Limits,
    /// Held while refreshing, so that concurrent requests refresh once.
    cached: tokio::sync::Mutex<Option<AccessToken>>,
    /// The service's clock (`SourceContext::clock`).
    clock: fn() -> DateTime<Utc>,
}

/// Where the refresh tokens of a source are kept.
#[derive(Debug)]
enum Keeper {
    File(PathBuf),
    Vault(std::sync::Arc<dyn TokenVault>),
}

/// Keeps the refresh tokens of sources added in the dashboard (sealed in the database) instead
/// of `tokens/ID.json`: a token the service rotates is handed here before it is used.
#[async_trait::async_trait]
pub trait TokenVault: Send + Sync + std::fmt::Debug {
    /// Replaces the stored refresh token of `source_id`.
    async fn rotate(&self, source_id: &str, refresh_token: &str) -> Result<(), SourceError>;
}

/// An answer of an API, its body read within the size cap.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub url: Url,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as `T`; anything else is [`SourceError::BadResponse`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, SourceError> {
        parse_json(&self.body)
    }

    /// The error for an answer the caller did not expect. Google says "rate limit" with a 403
    /// (reasons `rateLimitExceeded`, `userRateLimitExceeded`): that is load, not credentials.
    pub fn error(&self) -> SourceError {
        if self.status == StatusCode::FORBIDDEN {
            let text = String::from_utf8_lossy(&self.body);
            if text.contains("ateLimitExceeded") {
                return SourceError::Http {
                    status: 429,
                    reason: Some("rate limit exceeded".to_owned()),
                };
            }
        }
        http::status_error(self.status, &self.url)
    }
}

/// Parses JSON; a body that is not the expected shape is [`SourceError::BadResponse`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, SourceError> {
    serde_json::from_slice(body)
        .map_err(|e| SourceError::BadResponse(format!("not the JSON expected ({e})")))
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenRefusal {
    error: String,
}

impl OAuth {
    pub fn new(
        service: Service,
        config: &SourceConfig,
        ctx: &SourceContext,
        http: Client,
        limits: Limits,
    ) -> Result<Self, SourceError> {
        Ok(OAuth {
            service,
            source_id: config.id.clone(),
            client_id: client_id(config)?,
            client_secret: config.client_secret.clone(),
            token_url: Endpoints::of(service, config)?.token,
            keeper: match &ctx.tokens {
                Some(vault) => Keeper::Vault(std::sync::Arc::clone(vault)),
                None => Keeper::File(token_path(ctx, &config.id)),
            },
            configured: config.token.clone(),
            rotated: std::sync::Mutex::new(None),
            write: config.write,
            http,
            limits,
            cached: tokio::sync::Mutex::new(None),
            clock: ctx.clock,
        })
    }

    fn not_authorized(&self) -> SourceError {
        SourceError::NotAuthorized {
            service: self.service.as_str(),
            source_id: self.source_id.clone(),
        }
    }

    fn reconnect_needed(&self) -> SourceError {
        SourceError::ReconnectNeeded {
            service: self.service.as_str(),
            source_id: self.source_id.clone(),
            dashboard: matches!(self.keeper, Keeper::Vault(_)),
        }
    }

    /// A usable access token, refreshed when the cached one is missing or about to expire.
    pub async fn access_token(&self) -> Result<Secret, SourceError> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref().filter(|t| t.usable((self.clock)())) {
            return Ok(t.token.clone());
        }
        let fresh = self.refresh().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `stale` (the service refused it), unless another request already replaced it.
    async fn invalidate(&self, stale: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|t| &t.token == stale) {
            *cached = None;
        }
    }

    /// The refresh token grant. The stored token wins over the configured one; a new refresh
    /// token in the answer (rotation) replaces the stored one before the access token is used.
    async fn refresh(&self) -> Result<AccessToken, SourceError> {
        let stored = match &self.keeper {
            Keeper::File(path) => load_refresh_token(path)?,
            Keeper::Vault(_) => self
                .rotated
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
        };
        let refresh = match stored {
            Some(t) => t,
            None => self
                .configured
                .clone()
                .ok_or_else(|| self.not_authorized())?,
        };
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", self.client_id.as_str()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        if self.service == Service::Microsoft {
            form.push(("scope", scope(Service::Microsoft, self.write)));
        }
        match token_request(&self.http, &self.token_url, &form, self.limits).await? {
            Ok(answer) => {
                if let Some(new) = answer.refresh_token.as_deref()
                    && new != refresh.expose()
                {
                    match &self.keeper {
                        Keeper::File(path) => store_refresh_token(path, self.service, new)?,
                        Keeper::Vault(vault) => {
                            vault.rotate(&self.source_id, new).await?;
                            *self
                                .rotated
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                                Some(Secret::new(new));
                        }
                    }
                }
                Ok(access_token(&answer, (self.clock)()))
            }
            Err(refusal) if refusal.error == "invalid_grant" => Err(self.reconnect_needed()),
            Err(refusal) => Err(refused(self.service, &refusal.error)),
        }
    }

    /// Sends a request with the access token. A 401 means the token was revoked or expired
    /// early: the token is refreshed once and the request sent again; a second 401 is returned
    /// as it is (the caller's [`Reply::error`] says "authentication failed").
    pub async fn request(
        &self,
        method: Method,
        url: Url,
        headers: HeaderMap,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, SourceError> {
        let host = http::host_of(&url);
        let mut retried = false;
        loop {
            let token = self.access_token().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone())
                .bearer_auth(token.expose());
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| http::request_error(e, &host, self.limits))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !retried {
                retried = true;
                self.invalidate(&token).await;
                continue;
            }
            let url = response.url().clone();
            let body = http::read_capped(response, self.limits).await?;
            return Ok(Reply { status, url, body });
        }
    }
}

fn client_id(config: &SourceConfig) -> Result<String, SourceError> {
    config.client_id.clone().ok_or_else(|| {
        SourceError::Config(format!(
            "source `{}` has no `client_id` (the OAuth client of your app registration)",
            config.id
        ))
    })
}

fn access_token(answer: &TokenAnswer, now: DateTime<Utc>) -> AccessToken {
    let seconds = answer.expires_in.unwrap_or(3600).clamp(0, 366 * 86_400);
    AccessToken {
        token: Secret::new(answer.access_token.clone()),
        expires_at: now + chrono::Duration::seconds(seconds),
    }
}

/// A refusal of the token endpoint other than `invalid_grant`: the error code only (a keyword of
/// RFC 6749 5.2), never the description (it may quote what was sent).
fn refused(service: Service, error: &str) -> SourceError {
    let code: String = error
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    let hint = match code.as_str() {
        "invalid_client" | "unauthorized_client" => ": check `client_id` and `client_secret`",
        "invalid_scope" => ": the app registration lacks the calendar permission",
        _ => "",
    };
    SourceError::Config(format!(
        "the {} sign-in service refused the request ({code}){hint}",
        service.name()
    ))
}

/// POSTs a form to a token endpoint: the token, or the refusal (400/401 with an `error`).
async fn token_request(
    client: &Client,
    url: &Url,
    form: &[(&str, &str)],
    limits: Limits,
) -> Result<Result<TokenAnswer, TokenRefusal>, SourceError> {
    let response = client
        .post(url.clone())
        .form(form)
        .send()
        .await
        .map_err(|e| http::request_error(e, &http::host_of(url), limits))?;
    let status = response.status();
    let body = http::read_capped(response, limits).await?;
    if status.is_success() {
        return parse_json(&body).map(Ok);
    }
    if matches!(status.as_u16(), 400 | 401)
        && let Ok(refusal) = serde_json::from_slice::<TokenRefusal>(&body)
    {
        return Ok(Err(refusal));
    }
    Err(http::status_error(status, url))
}

/// The API base: `url` of the config, or the service's own.
pub fn api_base(url: &str, default: &str) -> Result<Url, SourceError> {
    let text = if url.is_empty() { default } else { url };
    Url::parse(text.trim_end_matches('/'))
        .map_err(|e| SourceError::Config(format!("`{text}` is not a URL: {e}")))
}

/// `base` with `segments` appended, each percent-encoded as one path segment.
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

// ---------------------------------------------------------------------------------------------
// Shared by the interactive flows (`login`, `device`).

fn io_error(e: std::io::Error) -> SourceError {
    SourceError::Config(format!("cannot write the instructions: {e}"))
}

fn limits_of(config: &SourceConfig) -> Limits {
    Limits {
        timeout: config.timeout(),
        max_bytes: config.max_bytes(),
        ..Limits::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Interval;
    use crate::sources::Cursor;

    #[test]
    fn pkce_challenge_is_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_text_is_url_safe_and_differs() {
        let a = random_text(32).unwrap();
        let b = random_text(32).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn the_store_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens").join("work.json");
        assert!(load_refresh_token(&path).unwrap().is_none());
        store_refresh_token(&path, Service::Google, "rt-1").unwrap();
        store_refresh_token(&path, Service::Google, "rt-2").unwrap();
        assert_eq!(load_refresh_token(&path).unwrap().unwrap().expose(), "rt-2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn refusals_show_the_code_only() {
        let e = refused(Service::Google, "invalid_client\"; secret=abc").to_string();
        assert!(
            e.contains("invalid_clientsecretabc") || e.contains("invalid_client"),
            "{e}"
        );
        assert!(!e.contains('"') && !e.contains('='), "{e}");
    }

    #[test]
    fn a_wider_window_needs_a_full_fetch() {
        let t = |h| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h);
        let c = window_cursor(Interval {
            start: t(0),
            end: t(10),
        });
        assert!(covers(
            &c,
            Interval {
                start: t(1),
                end: t(10)
            }
        ));
        assert!(!covers(
            &c,
            Interval {
                start: t(1),
                end: t(11)
            }
        ));
        assert!(!covers(
            &Cursor::default(),
            Interval {
                start: t(1),
                end: t(2)
            }
        ));
    }
}
