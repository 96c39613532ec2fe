//! Google and Microsoft accounts being connected from the dashboard: the sign-ins in progress,
//! held in memory until the owner picks a calendar (then `catalog` seals the refresh token with
//! the new source) or they expire.
//!
//! Invariants:
//! - A redirect's `state` is random, used once (a second answer with it is refused, whatever
//!   the first did), expires [`STATE_MINUTES`] after the start, and belongs to one connection;
//!   the PKCE verifier never leaves the server, and the code is exchanged only with it.
//! - Tokens stay here (never in an answer, a log line or a file) until the source is saved or
//!   the connection expires ([`AUTHORIZED_MINUTES`] after the sign-in).
//! - A restart forgets the sign-ins in progress: the owner starts again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::config::{Config, Secret, SourceConfig, SourceSecrets, dashboard_source};
use crate::sources::oauth::{self, Consent, DevicePoll, Service, TokenVault};
use crate::sources::{DiscoveredCalendar, SourceContext, SourceError, open_source};

/// How long a started sign-in (its state, its device code) may take.
pub const STATE_MINUTES: i64 = 10;
/// How long an account stays connected without a calendar picked.
pub const AUTHORIZED_MINUTES: i64 = 30;

/// How the owner signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// The consent page sends the browser back to the admin listener (or the owner pastes the
    /// address it was sent to).
    Redirect,
    /// Microsoft's device code: a code entered on any device.
    Device,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Redirect => "redirect",
            Flow::Device => "device",
        }
    }
}

/// Why a step of a connection was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{} accounts cannot be connected here: the configuration file has no `[{}]` section (the OAuth client of your app registration)",
        .0.as_str(), .0.as_str()
    )]
    NotConfigured(Service),
    #[error("the device code flow is Microsoft's; Google signs in with the redirect")]
    NoDeviceFlow,
    #[error("no sign-in `{0}` is in progress (it ended, or the service restarted): start again")]
    NotFound(String),
    #[error("the sign-in took longer than {STATE_MINUTES} minutes: start again")]
    Expired,
    #[error("this answer does not belong to a sign-in OpenSlot started (unknown or used state)")]
    UnknownState,
    #[error("the sign-in has not finished yet")]
    NotYet,
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Source(#[from] SourceError),
}

/// Where a connection stands, as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Waiting,
    Authorized,
    Failed(String),
    Expired,
}

impl Progress {
    pub fn as_str(&self) -> &'static str {
        match self {
            Progress::Waiting => "waiting",
            Progress::Authorized => "authorized",
            Progress::Failed(_) => "failed",
            Progress::Expired => "expired",
        }
    }
}

/// What may be shown of a connection (no token, no verifier, no state).
#[derive(Clone, Debug)]
pub struct ConnectionView {
    pub id: String,
    pub service: Service,
    pub flow: Flow,
    pub progress: Progress,
    /// The source whose token this replaces ("reconnect").
    pub reconnect: Option<String>,
    pub write: bool,
    pub expires_at: DateTime<Utc>,
    /// Redirect: the consent page and where it sends the browser back to.
    pub authorize_url: Option<String>,
    pub redirect_uri: Option<String>,
    /// Device: where to go and the code to enter.
    pub verification_uri: Option<String>,
    pub user_code: Option<String>,
}

/// An authorized connection, to save as a source.
#[derive(Debug)]
pub struct Authorized {
    pub service: Service,
    pub reconnect: Option<String>,
    pub write: bool,
    pub refresh_token: Secret,
}

#[derive(Debug)]
struct Pending {
    service: Service,
    flow: Flow,
    reconnect: Option<String>,
    write: bool,
    expires_at: DateTime<Utc>,
    consent: Option<Consent>,
    /// Cleared when an answer used it: a state is good once.
    state: Option<String>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    progress: Progress,
    refresh: Option<Secret>,
}

/// The sign-ins in progress.
#[derive(Debug)]
pub struct Connections {
    file: Config,
    /// `server.admin_url`, or the admin listener's address.
    admin_url: String,
    /// The service's clock (sign-ins that finish in the background are timed with it).
    clock: fn() -> DateTime<Utc>,
    pending: Mutex<HashMap<String, Pending>>,
}

/// The callback path of a service on the admin listener.
pub fn callback_path(service: Service) -> String {
    format!("/admin/oauth/{}/callback", service.as_str())
}

impl Connections {
    /// `admin_addr`: where the admin listener is bound (the redirect's default host).
    pub fn new(
        file: &Config,
        admin_addr: std::net::SocketAddr,
        clock: fn() -> DateTime<Utc>,
    ) -> Self {
        Connections {
            clock,
            admin_url: file
                .server
                .admin_url
                .clone()
                .unwrap_or_else(|| format!("http://{admin_addr}")),
            file: file.clone(),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// The sign-ins, those long past their time dropped (with their tokens); a recently
    /// expired one stays a while so that its answer is told "expired", not "unknown".
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        let mut map = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let horizon = (self.clock)() - Duration::hours(1);
        map.retain(|_, p| p.expires_at > horizon);
        map
    }

    /// The services whose OAuth client the file configures.
    pub fn services(&self) -> Vec<Service> {
        [Service::Google, Service::Microsoft]
            .into_iter()
            .filter(|s| self.configured(*s))
            .collect()
    }

    fn configured(&self, service: Service) -> bool {
        match service {
            Service::Google => self.file.google.is_some(),
            Service::Microsoft => self.file.microsoft.is_some(),
        }
    }

    /// Where the consent page sends the browser: `{server.admin_url}/admin/oauth/SERVICE/callback`.
    pub fn redirect_uri(&self, service: Service) -> String {
        format!("{}{}", self.admin_url, callback_path(service))
    }

    /// The entry of a source of `service` with the file's OAuth client (`token`: its refresh
    /// token; a placeholder before there is one, never sent then).
    fn client_config(
        &self,
        service: Service,
        write: bool,
        token: &str,
    ) -> Result<SourceConfig, ConnectError> {
        if !self.configured(service) {
            return Err(ConnectError::NotConfigured(service));
        }
        let settings = json!({"id": "connecting", "kind": service.as_str(), "write": write});
        let secrets = SourceSecrets {
            password: None,
            token: Some(token.to_owned()),
        };
        dashboard_source(&settings, &secrets, &self.file)
            .map_err(|e| ConnectError::Failed(format!("the `[{}]` section: {e}", service.as_str())))
    }

    /// Starts a sign-in. `reconnect`: the dashboard source whose token it will replace.
    pub async fn start(
        self: &Arc<Self>,
        service: Service,
        flow: Flow,
        reconnect: Option<String>,
        write: bool,
        now: DateTime<Utc>,
    ) -> Result<ConnectionView, ConnectError> {
        let config = self.client_config(service, write, "-")?;
        let id = oauth::random_text(12)?;
        let expires_at = now + Duration::minutes(STATE_MINUTES);
        let mut pending = Pending {
            service,
            flow,
            reconnect,
            write,
            expires_at,
            consent: None,
            state: None,
            user_code: None,
            verification_uri: None,
            progress: Progress::Waiting,
            refresh: None,
        };
        match flow {
            Flow::Redirect => {
                let consent = oauth::consent(service, &config, &self.redirect_uri(service))?;
                pending.state = Some(consent.state.clone());
                pending.consent = Some(consent);
            }
            Flow::Device => {
                if service != Service::Microsoft {
                    return Err(ConnectError::NoDeviceFlow);
                }
                let device = oauth::start_device_code(&config).await?;
                let lifetime = Duration::from_std(device.expires_in)
                    .unwrap_or(Duration::minutes(STATE_MINUTES))
                    .min(Duration::minutes(STATE_MINUTES));
                pending.expires_at = now + lifetime;
                pending.user_code = Some(device.user_code.clone());
                pending.verification_uri = Some(device.verification_uri.clone());
                let me = Arc::clone(self);
                let (id, config) = (id.clone(), config.clone());
                // Detached: it ends when the owner signs in, declines, or the code expires.
                drop(tokio::spawn(async move {
                    me.poll_device(&id, &config, device).await;
                }));
            }
        }
        let view = view(&id, &pending, now);
        self.lock().insert(id, pending);
        Ok(view)
    }

    /// Polls the token endpoint until the device code is used, refused or expired.
    async fn poll_device(&self, id: &str, config: &SourceConfig, device: oauth::DeviceCode) {
        let deadline = tokio::time::Instant::now()
            + device
                .expires_in
                .min(std::time::Duration::from_secs(60 * STATE_MINUTES as u64));
        let mut interval = device.interval;
        loop {
            tokio::time::sleep(interval).await;
            if !self.lock().contains_key(id) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                self.settle(
                    id,
                    Err("the code expired before the sign-in finished".to_owned()),
                );
                return;
            }
            match oauth::poll_device_code(config, &device.device_code).await {
                Ok(DevicePoll::Pending) => {}
                Ok(DevicePoll::SlowDown) => interval += std::time::Duration::from_secs(5),
                Ok(DevicePoll::Done(refresh)) => {
                    self.settle(id, Ok(refresh));
                    return;
                }
                Err(e) => {
                    self.settle(id, Err(e.to_string()));
                    return;
                }
            }
        }
    }

    /// Records the outcome of a sign-in.
    fn settle(&self, id: &str, outcome: Result<Secret, String>) {
        let mut map = self.lock();
        let Some(p) = map.get_mut(id) else {
            return;
        };
        match outcome {
            Ok(refresh) => {
                p.refresh = Some(refresh);
                p.progress = Progress::Authorized;
                p.expires_at = (self.clock)() + Duration::minutes(AUTHORIZED_MINUTES);
            }
            Err(e) => p.progress = Progress::Failed(e),
        }
    }

    /// A connection as the dashboard sees it.
    pub fn view(&self, id: &str, now: DateTime<Utc>) -> Result<ConnectionView, ConnectError> {
        let map = self.lock();
        let p = map
            .get(id)
            .ok_or_else(|| ConnectError::NotFound(id.to_owned()))?;
        Ok(view(id, p, now))
    }

    /// The browser came back from the consent page (the callback on the admin listener):
    /// `state` picks the connection and is used up; then the code is exchanged. The id of the
    /// connection, also when the sign-in failed (the dashboard shows why).
    pub async fn callback(
        &self,
        service: Service,
        state: &str,
        code: Option<&str>,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, ConnectError> {
        let (id, consent) = {
            let mut map = self.lock();
            let found = map.iter_mut().find(|(_, p)| {
                p.service == service && p.state.as_deref().is_some_and(|s| same(s, state))
            });
            let Some((id, p)) = found else {
                return Err(ConnectError::UnknownState);
            };
            p.state = None;
            if p.expires_at <= now {
                p.progress = Progress::Expired;
                return Err(ConnectError::Expired);
            }
            let id = id.clone();
            if let Some(e) = error {
                let code: String = e
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(64)
                    .collect();
                p.progress = Progress::Failed(format!(
                    "{} did not give access ({code})",
                    service_name(service)
                ));
                return Ok(id);
            }
            (id, p.consent.take())
        };
        let (Some(consent), Some(code)) = (consent, code) else {
            self.settle(&id, Err("the answer held no code".to_owned()));
            return Ok(id);
        };
        self.exchange(&id, service, &consent, code).await;
        Ok(id)
    }

    /// The owner pasted the code, or the address the consent page sent the browser to, because
    /// the browser could not reach the admin listener.
    pub async fn paste(
        &self,
        id: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<ConnectionView, ConnectError> {
        let (service, consent) = {
            let mut map = self.lock();
            let p = map
                .get_mut(id)
                .ok_or_else(|| ConnectError::NotFound(id.to_owned()))?;
            if p.expires_at <= now {
                return Err(ConnectError::Expired);
            }
            let (Some(state), Some(_)) = (p.state.clone(), p.consent.as_ref()) else {
                return Err(ConnectError::UnknownState);
            };
            let code = oauth::pasted_code(text, &state)?;
            p.state = None;
            (p.service, p.consent.take().map(|c| (c, code)))
        };
        if let Some((consent, code)) = consent {
            self.exchange(id, service, &consent, &code).await;
        }
        self.view(id, now)
    }

    async fn exchange(&self, id: &str, service: Service, consent: &Consent, code: &str) {
        let write = self.lock().get(id).is_some_and(|p| p.write);
        let outcome = match self.client_config(service, write, "-") {
            Ok(config) => oauth::exchange_code(service, &config, consent, code)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        self.settle(id, outcome);
    }

    /// The calendars of the connected account (Google calendarList, Graph /me/calendars).
    pub async fn calendars(
        self: &Arc<Self>,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<DiscoveredCalendar>, ConnectError> {
        let a = self.authorized(id, now)?;
        let config = self.client_config(a.service, a.write, a.refresh_token.expose())?;
        let ctx = SourceContext {
            data_dir: self.file.server.data_dir.clone(),
            tokens: Some(Arc::new(ConnectionTokens {
                connections: Arc::clone(self),
                id: id.to_owned(),
            })),
            clock: self.clock,
        };
        let source = open_source(&config, &ctx)?;
        Ok(source.discover().await?)
    }

    /// The account's token, to save as a source.
    pub fn authorized(&self, id: &str, now: DateTime<Utc>) -> Result<Authorized, ConnectError> {
        let map = self.lock();
        let p = map
            .get(id)
            .ok_or_else(|| ConnectError::NotFound(id.to_owned()))?;
        if p.expires_at <= now {
            return Err(ConnectError::Expired);
        }
        match (&p.progress, &p.refresh) {
            (Progress::Authorized, Some(refresh)) => Ok(Authorized {
                service: p.service,
                reconnect: p.reconnect.clone(),
                write: p.write,
                refresh_token: refresh.clone(),
            }),
            (Progress::Failed(e), _) => Err(ConnectError::Failed(e.clone())),
            _ => Err(ConnectError::NotYet),
        }
    }

    /// The connection is done with (saved as a source): its token is forgotten.
    pub fn finish(&self, id: &str) {
        self.lock().remove(id);
    }
}

/// Compares two states in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn service_name(service: Service) -> &'static str {
    match service {
        Service::Google => "Google",
        Service::Microsoft => "Microsoft",
    }
}

fn view(id: &str, p: &Pending, now: DateTime<Utc>) -> ConnectionView {
    let progress = if p.expires_at <= now && p.progress == Progress::Waiting {
        Progress::Expired
    } else {
        p.progress.clone()
    };
    ConnectionView {
        id: id.to_owned(),
        service: p.service,
        flow: p.flow,
        progress,
        reconnect: p.reconnect.clone(),
        write: p.write,
        expires_at: p.expires_at,
        authorize_url: p
            .consent
            .as_ref()
            .filter(|_| p.state.is_some())
            .map(|c| c.url.to_string()),
        redirect_uri: p.consent.as_ref().map(|c| c.redirect_uri.clone()),
        verification_uri: p.verification_uri.clone(),
        user_code: p.user_code.clone(),
    }
}

/// A token rotated while the calendars of a connection are listed replaces the connection's.
#[derive(Debug)]
struct ConnectionTokens {
    connections: Arc<Connections>,
    id: String,
}

#[async_trait::async_trait]
impl TokenVault for ConnectionTokens {
    async fn rotate(&self, _source_id: &str, refresh_token: &str) -> Result<(), SourceError> {
        if let Some(p) = self.connections.lock().get_mut(&self.id) {
            p.refresh = Some(Secret::new(refresh_token));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(admin_url: &str) -> Config {
        let text = format!(
            "[owner]\nname = \"O\"\nemail = \"o@example.org\"\ntimezone = \"UTC\"\n\
             [server]\nadmin_url = \"{admin_url}\"\n\
             [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
             [google]\nclient_id = \"cid\"\nclient_secret = \"cs\"\n\
             oauth_url = \"http://127.0.0.1:9\"\nurl = \"http://127.0.0.1:9/calendar/v3\"\n"
        );
        crate::config::from_toml_str(&text, &[], std::path::Path::new(".")).unwrap()
    }

    const ADDR: std::net::SocketAddr =
        std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8081);

    fn clock() -> DateTime<Utc> {
        at(1)
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minute)
    }

    fn query(url: &str) -> HashMap<String, String> {
        reqwest::Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    #[tokio::test]
    async fn a_redirect_carries_a_fresh_state_and_an_s256_challenge() {
        let c = Arc::new(Connections::new(
            &config("https://admin.example:8443"),
            ADDR,
            clock,
        ));
        let a = c
            .start(Service::Google, Flow::Redirect, None, false, at(0))
            .await
            .unwrap();
        let b = c
            .start(Service::Google, Flow::Redirect, None, false, at(0))
            .await
            .unwrap();
        let (qa, qb) = (
            query(a.authorize_url.as_deref().unwrap()),
            query(b.authorize_url.as_deref().unwrap()),
        );
        assert_eq!(
            qa["redirect_uri"],
            "https://admin.example:8443/admin/oauth/google/callback"
        );
        assert_eq!(qa["code_challenge_method"], "S256");
        assert_eq!(qa["scope"], oauth::GOOGLE_SCOPE_READ);
        assert_ne!(qa["state"], qb["state"]);
        assert_ne!(qa["code_challenge"], qb["code_challenge"]);
        assert!(qa["state"].len() >= 22);
        // The verifier is not in the address: only its challenge (43 characters of SHA-256).
        assert_eq!(qa["code_challenge"].len(), 43);
        assert_eq!(a.expires_at, at(STATE_MINUTES));
    }

    #[tokio::test]
    async fn a_state_is_good_once_for_its_own_service_and_not_after_ten_minutes() {
        let c = Arc::new(Connections::new(
            &config("http://127.0.0.1:8081"),
            ADDR,
            clock,
        ));
        let a = c
            .start(Service::Google, Flow::Redirect, None, false, at(0))
            .await
            .unwrap();
        let state = query(a.authorize_url.as_deref().unwrap())["state"].clone();
        // Another service, a forged state: not ours.
        assert!(matches!(
            c.callback(Service::Microsoft, &state, Some("x"), None, at(1))
                .await,
            Err(ConnectError::UnknownState)
        ));
        assert!(matches!(
            c.callback(Service::Google, "forged", Some("x"), None, at(1))
                .await,
            Err(ConnectError::UnknownState)
        ));
        // The owner declined: the connection says so, and the state is used up.
        let id = c
            .callback(Service::Google, &state, None, Some("access_denied"), at(1))
            .await
            .unwrap();
        assert_eq!(id, a.id);
        let v = c.view(&id, at(1)).unwrap();
        assert_eq!(v.progress.as_str(), "failed");
        assert!(v.authorize_url.is_none());
        assert!(matches!(
            c.callback(Service::Google, &state, Some("x"), None, at(1))
                .await,
            Err(ConnectError::UnknownState)
        ));
        // Expired: refused, whether through the redirect or pasted.
        let b = c
            .start(Service::Google, Flow::Redirect, None, false, at(0))
            .await
            .unwrap();
        let state = query(b.authorize_url.as_deref().unwrap())["state"].clone();
        assert!(matches!(
            c.paste(&b.id, "code-1", at(STATE_MINUTES)).await,
            Err(ConnectError::Expired)
        ));
        assert!(matches!(
            c.callback(
                Service::Google,
                &state,
                Some("x"),
                None,
                at(STATE_MINUTES + 1)
            )
            .await,
            Err(ConnectError::Expired)
        ));
        assert!(matches!(
            c.authorized(&b.id, at(1)),
            Err(ConnectError::NotYet)
        ));
    }

    #[tokio::test]
    async fn a_pasted_address_of_another_sign_in_is_refused_and_keeps_the_state() {
        let c = Arc::new(Connections::new(
            &config("http://127.0.0.1:8081"),
            ADDR,
            clock,
        ));
        let a = c
            .start(Service::Google, Flow::Redirect, None, false, at(0))
            .await
            .unwrap();
        let pasted = "http://127.0.0.1:8081/admin/oauth/google/callback?code=c1&state=other";
        let e = c.paste(&a.id, pasted, at(1)).await.unwrap_err();
        assert!(e.to_string().contains("another sign-in"), "{e}");
        assert!(c.view(&a.id, at(1)).unwrap().authorize_url.is_some());
    }

    #[tokio::test]
    async fn without_the_section_nothing_starts() {
        let c = Arc::new(Connections::new(
            &config("http://127.0.0.1:8081"),
            ADDR,
            clock,
        ));
        assert_eq!(c.services(), vec![Service::Google]);
        assert!(matches!(
            c.start(Service::Microsoft, Flow::Device, None, false, at(0))
                .await,
            Err(ConnectError::NotConfigured(Service::Microsoft))
        ));
        assert!(matches!(
            c.start(Service::Google, Flow::Device, None, false, at(0))
                .await,
            Err(ConnectError::NoDeviceFlow)
        ));
    }

    #[test]
    fn pasted_codes_and_addresses() {
        let ok = |t: &str| oauth::pasted_code(t, "s1").unwrap();
        assert_eq!(ok("  4/0Abc-def_1 \n"), "4/0Abc-def_1");
        assert_eq!(ok("http://127.0.0.1:1/?state=s1&code=c%2F1&scope=x"), "c/1");
        assert_eq!(ok("?code=c2&state=s1"), "c2");
        assert!(oauth::pasted_code("http://x/?code=c&state=s2", "s1").is_err());
        assert!(oauth::pasted_code("http://x/?error=access_denied&state=s1", "s1").is_err());
        assert!(oauth::pasted_code("", "s1").is_err());
        assert!(oauth::pasted_code("two words", "s1").is_err());
    }
}
