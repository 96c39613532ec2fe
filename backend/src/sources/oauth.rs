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

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::calendar::Interval;
use crate::config::{Secret, SourceConfig};

use super::http::{self, Limits};
use super::{Cursor, SourceContext, SourceError};

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
// The token store.

/// Where the refresh token of a source is kept.
pub fn token_path(ctx: &SourceContext, source_id: &str) -> PathBuf {
    ctx.data_dir
        .join("tokens")
        .join(format!("{source_id}.json"))
}

#[derive(Serialize, Deserialize)]
struct StoredToken {
    service: String,
    refresh_token: String,
}

/// The stored refresh token, `None` when there is no file yet.
pub fn load_refresh_token(path: &Path) -> Result<Option<Secret>, SourceError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SourceError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let stored: StoredToken = serde_json::from_slice(&bytes).map_err(|_| {
        SourceError::Config(format!(
            "{} is not a token file OpenSlot wrote: remove it and run `openslot auth` again",
            path.display()
        ))
    })?;
    Ok(Some(Secret::new(stored.refresh_token)))
}

/// Stores the refresh token: a temp file in the same folder (mode 0600), then a rename, so a
/// crash leaves the old token or the new one, never half of one.
pub fn store_refresh_token(
    path: &Path,
    service: Service,
    refresh_token: &str,
) -> Result<(), SourceError> {
    let err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let body = serde_json::to_vec_pretty(&StoredToken {
        service: service.as_str().to_owned(),
        refresh_token: refresh_token.to_owned(),
    })
    .map_err(|e| SourceError::Config(format!("cannot encode the token: {e}")))?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut file = options.open(&tmp)?;
        file.write_all(&body)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
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
// The window of an incremental sync: a Google syncToken and a Graph deltaLink only report
// changes inside the window of the full fetch that made them, so the cursor records that window
// and a wider one asks for a full fetch again.

pub(super) fn window_cursor(window: Interval) -> Cursor {
    Cursor::default()
        .with("window_start", window.start.to_rfc3339())
        .with("window_end", window.end.to_rfc3339())
}

/// The window recorded in a cursor.
pub(super) fn cursor_window(c: &Cursor) -> Option<Interval> {
    let at = |key| {
        DateTime::parse_from_rfc3339(c.get(key)?)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    Some(Interval {
        start: at("window_start")?,
        end: at("window_end")?,
    })
}

/// Whether the cursor's window holds `window`.
pub(super) fn covers(cursor: &Cursor, window: Interval) -> bool {
    cursor_window(cursor).is_some_and(|w| w.start <= window.start && window.end <= w.end)
}

// ---------------------------------------------------------------------------------------------
// The interactive flows.

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

/// `len` random bytes from the system's CSPRNG, base64url without padding.
pub fn random_text(len: usize) -> Result<String, SourceError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = vec![0u8; len];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SourceError::Config("the system has no random number source".to_owned()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The PKCE S256 challenge of a verifier (RFC 7636 4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// The consent address of the authorization code flow with PKCE S256, and what the flow keeps
/// until the code comes back (the verifier and the state never leave the server).
pub struct Consent {
    /// Where the owner's browser goes.
    pub url: Url,
    /// The redirect URI in the request; the code exchange must send the same.
    pub redirect_uri: String,
    /// Random, single use: the answer that carries another one is not ours.
    pub state: String,
    /// The PKCE code verifier (RFC 7636); only its S256 challenge is in `url`.
    pub verifier: Secret,
}

impl std::fmt::Debug for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consent")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Starts the authorization code flow of `service` for `config`'s client: a fresh state and
/// verifier, and the consent address sending the browser back to `redirect_uri`.
pub fn consent(
    service: Service,
    config: &SourceConfig,
    redirect_uri: &str,
) -> Result<Consent, SourceError> {
    let endpoints = Endpoints::of(service, config)?;
    let client_id = client_id(config)?;
    let verifier = random_text(48)?;
    let state = random_text(16)?;
    let mut url = endpoints.consent;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", scope(service, config.write))
            .append_pair("code_challenge", &pkce_challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state);
        match service {
            Service::Google => {
                q.append_pair("access_type", "offline")
                    .append_pair("prompt", "consent");
            }
            Service::Microsoft => {
                q.append_pair("response_mode", "query");
            }
        }
    }
    Ok(Consent {
        url,
        redirect_uri: redirect_uri.to_owned(),
        state,
        verifier: Secret::new(verifier),
    })
}

/// What came back from the consent page, as the owner pasted it: the code alone, or the whole
/// address the browser was sent to (`...?code=...&state=...`), whose state must be `state`.
pub fn pasted_code(text: &str, state: &str) -> Result<String, SourceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SourceError::Refused("nothing was pasted".to_owned()));
    }
    let Some(query) = text
        .contains("://")
        .then(|| Url::parse(text).ok())
        .flatten()
        .map(|u| u.query_pairs().into_owned().collect::<Vec<_>>())
        .or_else(|| {
            // `?code=...&state=...` or `code=...&state=...` without the address.
            let q = text.trim_start_matches(['/', '?']);
            q.contains("code=")
                .then(|| reqwest::Url::parse(&format!("http://x/?{q}")).ok())
                .flatten()
                .map(|u| u.query_pairs().into_owned().collect())
        })
    else {
        if text.chars().all(|c| c.is_ascii_graphic()) && text.len() <= 2048 {
            return Ok(text.to_owned());
        }
        return Err(SourceError::Refused(
            "that is not a code or the address the browser was sent to".to_owned(),
        ));
    };
    let get = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let Some(error) = get("error") {
        return Err(SourceError::Refused(format!(
            "the sign-in did not give access ({})",
            error
                .chars()
                .filter(char::is_ascii_graphic)
                .take(64)
                .collect::<String>()
        )));
    }
    match (get("code"), get("state")) {
        (Some(code), Some(s)) if s == state => Ok(code),
        (Some(_), Some(_)) => Err(SourceError::Refused(
            "this address belongs to another sign-in (its state differs): start again".to_owned(),
        )),
        (Some(code), None) => Ok(code),
        (None, _) => Err(SourceError::Refused("the address holds no code".to_owned())),
    }
}

/// Exchanges the code of a [`Consent`] for the refresh token (RFC 6749 4.1.3 with the PKCE
/// verifier).
pub async fn exchange_code(
    service: Service,
    config: &SourceConfig,
    consent: &Consent,
    code: &str,
) -> Result<Secret, SourceError> {
    let endpoints = Endpoints::of(service, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", client_id.as_str()),
        ("redirect_uri", consent.redirect_uri.as_str()),
        ("code_verifier", consent.verifier.expose()),
    ];
    if let Some(secret) = &config.client_secret {
        form.push(("client_secret", secret.expose()));
    }
    if service == Service::Microsoft {
        form.push(("scope", scope(service, config.write)));
    }
    let answer = match token_request(&client, &endpoints.token, &form, limits).await? {
        Ok(answer) => answer,
        Err(refusal) => return Err(refused(service, &refusal.error)),
    };
    answer.refresh_token.map(Secret::new).ok_or_else(|| {
        SourceError::Config(match service {
            Service::Google => "Google sent no refresh token: remove OpenSlot at https://myaccount.google.com/permissions and connect again".to_owned(),
            Service::Microsoft => "Microsoft sent no refresh token (is `offline_access` allowed for the app?)".to_owned(),
        })
    })
}

/// `openslot auth google --source ID`: prints the consent URL, waits for the browser's redirect
/// to a listener on 127.0.0.1 (up to [`LOGIN_TIMEOUT`]), exchanges the code and stores the
/// refresh token.
pub async fn authorize_google(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    authorize_google_within(config, ctx, out, LOGIN_TIMEOUT).await
}

/// [`authorize_google`] with another wait for the browser.
pub async fn authorize_google_within(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
    wait: Duration,
) -> Result<(), SourceError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        SourceError::Config(format!(
            "cannot listen on 127.0.0.1 for the sign-in answer: {e}"
        ))
    })?;
    let port = listener.local_addr().map_err(io_error)?.port();
    let consent = consent(
        Service::Google,
        config,
        &format!("http://127.0.0.1:{port}/"),
    )?;
    writeln!(
        out,
        "Open this address in a browser and allow OpenSlot to use the calendar:\n\n  {}\n\n\
         Waiting for the answer on {} (up to {} minutes)…",
        consent.url,
        consent.redirect_uri,
        wait.as_secs().div_ceil(60)
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let code = tokio::time::timeout(wait, receive_code(&listener, &consent.state))
        .await
        .map_err(|_| {
            SourceError::Config(format!(
                "no answer from the browser within {} minutes: run `openslot auth google --source {}` again",
                wait.as_secs().div_ceil(60),
                config.id
            ))
        })??;
    let refresh = exchange_code(Service::Google, config, &consent, &code).await?;
    finish(Service::Google, config, ctx, refresh.expose(), out)
}

/// The redirect URI of `openslot auth SERVICE --paste`: an address on the owner's own machine
/// that nothing answers, so the browser shows an error page whose address holds the code.
/// Google allows any loopback port for "Desktop app" clients; Microsoft allows
/// `http://localhost` for "Mobile and desktop applications".
pub fn paste_redirect_uri(service: Service) -> &'static str {
    match service {
        Service::Google => "http://127.0.0.1:1/",
        Service::Microsoft => "http://localhost",
    }
}

/// `openslot auth SERVICE --source ID --paste`: for a server the browser cannot reach. Prints
/// the consent URL; the browser then fails to load the address it is sent to, and the owner
/// pastes that address (or its code) on `input`; the code is exchanged and the refresh token
/// stored.
pub async fn authorize_pasted(
    service: Service,
    config: &SourceConfig,
    ctx: &SourceContext,
    input: &mut (dyn std::io::BufRead + Send),
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let consent = consent(service, config, paste_redirect_uri(service))?;
    writeln!(
        out,
        "Open this address in a browser (on any machine) and allow OpenSlot to use the calendar:\n\n  {}\n\n\
         The browser is then sent to {} and shows an error page: that is expected.\n\
         Copy the whole address from its address bar (or just the code) and paste it here:",
        consent.url, consent.redirect_uri
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| SourceError::Config(format!("cannot read the pasted code: {e}")))?;
    let code = pasted_code(&line, &consent.state)?;
    let refresh = exchange_code(service, config, &consent, &code).await?;
    finish(service, config, ctx, refresh.expose(), out)
}

fn finish(
    service: Service,
    config: &SourceConfig,
    ctx: &SourceContext,
    refresh: &str,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let path = token_path(ctx, &config.id);
    store_refresh_token(&path, service, refresh)?;
    writeln!(
        out,
        "Authorized: source `{}` can now read {} Calendar (token stored in {}).",
        config.id,
        service.name(),
        path.display()
    )
    .map_err(io_error)
}

/// Serves the loopback redirect: answers every request, returns the `code` of the first one
/// that carries a code or an error. A wrong `state` ends the flow (a forged redirect).
async fn receive_code(listener: &TcpListener, state: &str) -> Result<String, SourceError> {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let head = match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await
        {
            Ok(Ok(head)) => head,
            _ => continue,
        };
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("/");
        let params: Vec<(String, String)> = Url::parse("http://127.0.0.1")
            .and_then(|base| base.join(target))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let (status, page, result) = match (get("code"), get("error")) {
            (_, Some(error)) => (
                "200 OK",
                "OpenSlot was not given access. You can close this window.",
                Err(SourceError::Refused(format!(
                    "Google did not give access ({})",
                    error.chars().filter(char::is_ascii_graphic).take(64).collect::<String>()
                ))),
            ),
            (Some(code), None) if get("state").as_deref() == Some(state) => (
                "200 OK",
                "OpenSlot is authorized. You can close this window.",
                Ok(code),
            ),
            (Some(_), None) => (
                "400 Bad Request",
                "This answer does not belong to the sign-in OpenSlot started.",
                Err(SourceError::Refused(
                    "the browser's answer had the wrong state (not the sign-in OpenSlot started): run `openslot auth` again"
                        .to_owned(),
                )),
            ),
            (None, None) => {
                // The browser's favicon, a stray request: not the answer.
                let _ = respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
        };
        let _ = respond(&mut stream, status, page).await;
        return result;
    }
}

async fn read_head(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

async fn respond(
    stream: &mut tokio::net::TcpStream,
    status: &str,
    text: &str,
) -> std::io::Result<()> {
    let body =
        format!("<!doctype html><meta charset=\"utf-8\"><title>OpenSlot</title><p>{text}</p>");
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}

#[derive(Deserialize)]
struct DeviceCodeAnswer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    interval: Option<u64>,
}

/// A started device code flow (RFC 8628 3.2): the owner opens `verification_uri` on any device
/// and enters `user_code`; the device code itself stays on the server.
pub struct DeviceCode {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .finish_non_exhaustive()
    }
}

/// One poll of the token endpoint in the device code flow.
#[derive(Debug)]
pub enum DevicePoll {
    /// The owner has not finished yet: poll again after the interval.
    Pending,
    /// Poll again, 5 seconds slower (RFC 8628 3.5).
    SlowDown,
    /// Signed in: the refresh token.
    Done(Secret),
}

/// Asks Microsoft for a device code (the owner signs in elsewhere).
pub async fn start_device_code(config: &SourceConfig) -> Result<DeviceCode, SourceError> {
    let endpoints = Endpoints::of(Service::Microsoft, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let response = client
        .post(endpoints.authorize.clone())
        .form(&[
            ("client_id", client_id.as_str()),
            ("scope", scope(Service::Microsoft, config.write)),
        ])
        .send()
        .await
        .map_err(|e| http::request_error(e, &http::host_of(&endpoints.authorize), limits))?;
    let status = response.status();
    let url = response.url().clone();
    let body = http::read_capped(response, limits).await?;
    if !status.is_success() {
        if let Ok(refusal) = serde_json::from_slice::<TokenRefusal>(&body) {
            return Err(refused(Service::Microsoft, &refusal.error));
        }
        return Err(http::status_error(status, &url));
    }
    let device: DeviceCodeAnswer = parse_json(&body)?;
    Ok(DeviceCode {
        device_code: Secret::new(device.device_code),
        user_code: device.user_code,
        verification_uri: device.verification_uri,
        expires_in: Duration::from_secs(device.expires_in.unwrap_or(900)),
        interval: Duration::from_secs(device.interval.unwrap_or(5).max(1)),
    })
}

/// Polls the token endpoint once for a device code.
pub async fn poll_device_code(
    config: &SourceConfig,
    device_code: &Secret,
) -> Result<DevicePoll, SourceError> {
    let endpoints = Endpoints::of(Service::Microsoft, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let mut form = vec![
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", client_id.as_str()),
        ("device_code", device_code.expose()),
    ];
    if let Some(secret) = &config.client_secret {
        form.push(("client_secret", secret.expose()));
    }
    match token_request(&client, &endpoints.token, &form, limits).await? {
        Ok(answer) => answer
            .refresh_token
            .map(|t| DevicePoll::Done(Secret::new(t)))
            .ok_or_else(|| {
                SourceError::Config(
                    "Microsoft sent no refresh token (is `offline_access` allowed for the app?)"
                        .to_owned(),
                )
            }),
        Err(r) => match r.error.as_str() {
            "authorization_pending" => Ok(DevicePoll::Pending),
            "slow_down" => Ok(DevicePoll::SlowDown),
            "authorization_declined" | "access_denied" => {
                Err(SourceError::Refused("the sign-in was declined".to_owned()))
            }
            "expired_token" => Err(SourceError::Refused(
                "the code expired before the sign-in finished".to_owned(),
            )),
            other => Err(refused(Service::Microsoft, other)),
        },
    }
}

/// `openslot auth microsoft --source ID`: the device code flow. Prints where to go and the code
/// to enter, then polls the token endpoint at the given interval (slower after `slow_down`)
/// until the owner signs in, declines, or the code expires; stores the refresh token.
pub async fn authorize_microsoft(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let device = start_device_code(config).await?;
    writeln!(
        out,
        "To sign in, open {} in a browser and enter the code {}",
        device.verification_uri, device.user_code
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let deadline = tokio::time::Instant::now() + device.expires_in;
    let mut interval = device.interval;
    loop {
        tokio::time::sleep(interval).await;
        if tokio::time::Instant::now() >= deadline {
            return Err(expired(config));
        }
        match poll_device_code(config, &device.device_code).await {
            Ok(DevicePoll::Done(refresh)) => {
                return finish(Service::Microsoft, config, ctx, refresh.expose(), out);
            }
            Ok(DevicePoll::Pending) => {}
            // RFC 8628 3.5: add 5 seconds to the interval.
            Ok(DevicePoll::SlowDown) => interval += Duration::from_secs(5),
            Err(SourceError::Refused(m)) if m.starts_with("the code expired") => {
                return Err(expired(config));
            }
            Err(e) => return Err(e),
        }
    }
}

fn expired(config: &SourceConfig) -> SourceError {
    SourceError::Config(format!(
        "the code expired before the sign-in finished: run `openslot auth microsoft --source {}` again",
        config.id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
