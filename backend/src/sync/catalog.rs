//! The sources the owner adds, edits and removes in the dashboard, next to the configuration
//! file's: stored in the database (`store::sources`, secrets sealed by `store::secret_box`),
//! put into the running [`SyncHub`] at once, read back at start-up.
//!
//! Invariants:
//! - The file wins: a dashboard source whose id the file also uses is kept but not used
//!   ("shadowed"); a new dashboard source may not take a file source's id; file sources are
//!   read-only here.
//! - A dashboard source is checked exactly like a file entry (`config::dashboard_source`), its
//!   URL must pass `sources::http::check_owner_url`, and it is saved only after one successful
//!   sync: a new source is fresh from its first moment, so it never blocks bookings as "never
//!   synced" (a wrong password or URL is answered, and nothing changes). After a restart it
//!   follows the freshness policy like any source (its snapshot is on disk).
//! - A secret that does not open (the database restored with another key) makes that source
//!   fail with a message, shown in its status; it counts as unreadable (fail closed unless
//!   `fail_open`), never as free, and never is its ciphertext used as a password.
//! - One change at a time (a mutex), so two requests for the same id cannot both win.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::config::{Config, ConfigErrors, SourceConfig, SourceSecrets, dashboard_source};
use crate::sources::caldav::CalDav;
use crate::sources::http::check_owner_url;
use crate::sources::{CalendarSource, DiscoveredCalendar, SourceContext, SourceError};
use crate::store::secret_box::{KeyError, SecretBox};
use crate::store::sources::{self as rows, SourceRow};
use crate::store::{Store, StoreError};

use super::SyncHub;

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The entry does not check out; each problem names its key.
    #[error("{0}")]
    Invalid(ConfigErrors),
    #[error(
        "`{0}` is a source of the configuration file: it can only be changed there (the file wins over the dashboard)"
    )]
    FileSource(String),
    #[error("a source `{0}` exists already")]
    Exists(String),
    #[error("no source `{0}` was added in the dashboard")]
    NotFound(String),
    /// The URL may not be reached (link-local, metadata, …) or does not resolve.
    #[error("{0}")]
    Refused(SourceError),
    /// The first sync failed: nothing was saved.
    #[error("the source could not be read, so it was not saved: {0}")]
    SyncFailed(SourceError),
    /// Listing the calendars of a CalDAV server failed.
    #[error("{}", discovery_message(.0))]
    Discovery(SourceError),
    #[error("{0}")]
    Secret(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<KeyError> for CatalogError {
    fn from(e: KeyError) -> Self {
        CatalogError::Secret(e.to_string())
    }
}

/// Where a source comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    File,
    Dashboard,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Dashboard => "dashboard",
        }
    }
}

/// What the admin API shows of a dashboard source besides its status.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardEntry {
    /// The entry without secrets, to edit.
    pub settings: Value,
    pub has_secret: bool,
    /// The file has a source of the same id: this one is not used.
    pub shadowed: bool,
}

/// The dashboard's sources over the running hub.
#[derive(Debug)]
pub struct SourceCatalog {
    hub: Arc<SyncHub>,
    store: Store,
    secrets: Arc<SecretBox>,
    /// Rotated OAuth tokens of the dashboard's sources.
    tokens: Arc<SealedTokens>,
    file: Config,
    entries: RwLock<BTreeMap<String, DashboardEntry>>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl SourceCatalog {
    /// Reads the stored sources and puts the usable ones into `hub` (before its jobs start).
    /// Never fails on one source: a problem becomes that source's error.
    pub fn open(
        file: &Config,
        store: Store,
        hub: &Arc<SyncHub>,
        secrets: SecretBox,
    ) -> Result<Self, StoreError> {
        let secrets = Arc::new(secrets);
        let tokens = Arc::new(SealedTokens {
            store: store.clone(),
            secrets: Arc::clone(&secrets),
            latest: std::sync::Mutex::new(BTreeMap::new()),
        });
        hub.set_token_vault(Arc::clone(&tokens) as Arc<dyn crate::sources::oauth::TokenVault>);
        let stored = store.call_now(|c| rows::list(c))?;
        let mut entries = BTreeMap::new();
        for row in stored {
            let row = seal_userinfo(&store, &secrets, row);
            let settings: Value = serde_json::from_str(&row.settings).unwrap_or(Value::Null);
            let shadowed = file.source(&row.id).is_some();
            entries.insert(
                row.id.clone(),
                DashboardEntry {
                    settings: settings.clone(),
                    has_secret: row.secret.is_some(),
                    shadowed,
                },
            );
            if shadowed {
                tracing::warn!(source = %row.id, "a source added in the dashboard is shadowed by the configuration file's source of the same id");
                continue;
            }
            let opened = open_secrets(&secrets, &row);
            let (config, broken) = match &opened {
                Ok(s) => match dashboard_source(&settings, s, file) {
                    Ok(c) => (Some(c), None),
                    Err(e) => (
                        None,
                        Some(format!("the saved settings no longer check out: {e}")),
                    ),
                },
                Err(e) => (None, Some(e.clone())),
            };
            let config = match config {
                Some(c) => c,
                // Unusable: still in, failing, so that its time is not taken for free.
                None => match placeholder(&row.id, &settings, file) {
                    Some(c) => c,
                    None => {
                        tracing::error!(source = %row.id, "a stored source has an invalid id; ignored");
                        continue;
                    }
                },
            };
            if let Some(e) = &broken {
                tracing::error!(source = %row.id, error = %e, "a source added in the dashboard cannot be used");
            }
            hub.add(&config, broken);
        }
        Ok(SourceCatalog {
            hub: Arc::clone(hub),
            store,
            secrets,
            tokens,
            file: file.clone(),
            entries: RwLock::new(entries),
            one_at_a_time: tokio::sync::Mutex::new(()),
        })
    }

    /// Where the source `id` comes from (`None`: no such source).
    pub fn origin(&self, id: &str) -> Option<Origin> {
        if self.file.source(id).is_some() {
            Some(Origin::File)
        } else if self.entries().contains_key(id) {
            Some(Origin::Dashboard)
        } else {
            None
        }
    }

    /// The dashboard's sources, shadowed ones included.
    pub fn entries(&self) -> BTreeMap<String, DashboardEntry> {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Adds a source: checked, synced once, saved, used. `settings` holds its `id`.
    pub async fn create(
        &self,
        settings: Value,
        secrets: SourceSecrets,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogError> {
        let _one = self.one_at_a_time.lock().await;
        let id = settings
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if self.file.source(&id).is_some() {
            return Err(CatalogError::FileSource(id));
        }
        if self.entries().contains_key(&id) {
            return Err(CatalogError::Exists(id));
        }
        let (settings, secrets) = userinfo_to_secrets(settings, secrets);
        let config = self.check(&settings, &secrets).await?;
        self.tokens.take(&id);
        let prepared = self
            .hub
            .trial(&config, now)
            .await
            .map_err(CatalogError::SyncFailed)?;
        let secrets = self.tokens.newest(&id, secrets);
        let row = self.row(&id, &settings, &secrets, now)?;
        let inserted = self.store.call(move |c| rows::insert(c, &row)).await?;
        if !inserted {
            return Err(CatalogError::Exists(id));
        }
        self.hub.install(prepared).await;
        self.remember(&id, settings, !secrets.is_empty());
        tracing::info!(source = %id, kind = config.kind.as_str(), "source added in the dashboard");
        Ok(())
    }

    /// Replaces the settings of a dashboard source. A secret left out (`None`) keeps the stored
    /// one; an empty one removes it.
    pub async fn update(
        &self,
        id: &str,
        mut settings: Value,
        secrets: SourceSecrets,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogError> {
        let _one = self.one_at_a_time.lock().await;
        if self.file.source(id).is_some() {
            return Err(CatalogError::FileSource(id.to_owned()));
        }
        let key = id.to_owned();
        let Some(stored) = self.store.call(move |c| rows::get(c, &key)).await? else {
            return Err(CatalogError::NotFound(id.to_owned()));
        };
        match settings.get("id").and_then(Value::as_str) {
            Some(other) if other != id => {
                return Err(CatalogError::Invalid(ConfigErrors(vec![
                    crate::config::Problem::new(
                        "id",
                        "cannot be changed (remove the source and add it again)",
                    ),
                ])));
            }
            _ => {}
        }
        if let Some(o) = settings.as_object_mut() {
            o.insert("id".into(), Value::String(id.to_owned()));
        }
        let (settings, secrets) = userinfo_to_secrets(settings, secrets);
        let secrets = if secrets.password.is_some() && secrets.token.is_some() {
            secrets
        } else {
            // A secret that no longer opens is as good as none: the reader then asks for it.
            let old = open_secrets(&self.secrets, &stored).unwrap_or_default();
            SourceSecrets {
                password: secrets.password.or(old.password),
                token: secrets.token.or(old.token),
            }
        };
        let secrets = SourceSecrets {
            password: secrets.password.filter(|p| !p.is_empty()),
            token: secrets.token.filter(|t| !t.is_empty()),
        };
        let config = self.check(&settings, &secrets).await?;
        self.tokens.take(id);
        let prepared = self
            .hub
            .trial(&config, now)
            .await
            .map_err(CatalogError::SyncFailed)?;
        let secrets = self.tokens.newest(id, secrets);
        let row = self.row(id, &settings, &secrets, now)?;
        self.store.call(move |c| rows::update(c, &row)).await?;
        self.hub.install(prepared).await;
        self.remember(id, settings, !secrets.is_empty());
        tracing::info!(source = %id, "source edited in the dashboard");
        Ok(())
    }

    /// A new refresh token for a dashboard source of kind google or microsoft (the owner
    /// reconnected its account): checked with one sync, then sealed in place of the old one;
    /// its settings stay.
    pub async fn replace_token(
        &self,
        id: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogError> {
        let settings = self
            .entries()
            .get(id)
            .map(|e| e.settings.clone())
            .ok_or_else(|| CatalogError::NotFound(id.to_owned()))?;
        self.update(
            id,
            settings,
            SourceSecrets {
                password: Some(String::new()),
                token: Some(token.to_owned()),
            },
            now,
        )
        .await
    }

    /// Removes a dashboard source: no longer used, its time is free from the next answer.
    pub async fn delete(&self, id: &str) -> Result<(), CatalogError> {
        let _one = self.one_at_a_time.lock().await;
        let key = id.to_owned();
        let deleted = self.store.call(move |c| rows::delete(c, &key)).await?;
        if !deleted {
            return Err(if self.file.source(id).is_some() {
                CatalogError::FileSource(id.to_owned())
            } else {
                CatalogError::NotFound(id.to_owned())
            });
        }
        let shadowed = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id)
            .is_some_and(|e| e.shadowed);
        if !shadowed {
            self.hub.remove(id);
        }
        tracing::info!(source = %id, "source removed in the dashboard");
        Ok(())
    }

    /// The calendars at a CalDAV URL, to pick one from (discovery as the source would do it).
    pub async fn calendars(
        &self,
        url: &str,
        username: Option<&str>,
        password: Option<&str>,
    ) -> Result<Vec<DiscoveredCalendar>, CatalogError> {
        let mut settings = json!({"id": "calendars", "kind": "caldav", "url": url});
        if let Some(u) = username.filter(|u| !u.is_empty()) {
            settings["username"] = json!(u);
        }
        let secrets = SourceSecrets {
            password: password.map(str::to_owned),
            token: None,
        };
        let (settings, secrets) = userinfo_to_secrets(settings, secrets);
        let config = self.check(&settings, &secrets).await?;
        let ctx = SourceContext::new(self.file.server.data_dir.clone());
        let caldav = CalDav::new(&config, &ctx).map_err(CatalogError::Refused)?;
        caldav.discover().await.map_err(CatalogError::Discovery)
    }

    /// The file reader's checks, then the outbound URL guard.
    async fn check(
        &self,
        settings: &Value,
        secrets: &SourceSecrets,
    ) -> Result<SourceConfig, CatalogError> {
        let config =
            dashboard_source(settings, secrets, &self.file).map_err(CatalogError::Invalid)?;
        if let Some(url) = owner_typed_url(&config) {
            check_owner_url(url).await.map_err(CatalogError::Refused)?;
        }
        Ok(config)
    }

    /// The stored row: the settings without secrets, the secrets sealed.
    fn row(
        &self,
        id: &str,
        settings: &Value,
        secrets: &SourceSecrets,
        now: DateTime<Utc>,
    ) -> Result<SourceRow, CatalogError> {
        let secret = if secrets.is_empty() {
            None
        } else {
            let plain = serde_json::to_vec(secrets)
                .map_err(|e| CatalogError::Secret(format!("cannot encode the secret: {e}")))?;
            Some(self.secrets.seal(id, &plain)?)
        };
        Ok(SourceRow {
            id: id.to_owned(),
            settings: settings.to_string(),
            secret,
            created_at: now,
            updated_at: now,
        })
    }

    fn remember(&self, id: &str, settings: Value, has_secret: bool) {
        self.entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(
                id.to_owned(),
                DashboardEntry {
                    settings,
                    has_secret,
                    shadowed: false,
                },
            );
    }
}

/// The vault of the dashboard's OAuth sources: a token the service rotates is sealed into the
/// source's row in place of the old one (the password stays as it was). It is also kept in
/// `latest` (in memory), because the trial sync of a source being saved may rotate it before
/// its row is written: `create` and `update` then seal the newest one.
#[derive(Debug)]
struct SealedTokens {
    store: Store,
    secrets: Arc<SecretBox>,
    latest: std::sync::Mutex<BTreeMap<String, crate::config::Secret>>,
}

impl SealedTokens {
    fn latest(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, crate::config::Secret>> {
        self.latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets (and returns) the token rotated for `id` since the last call.
    fn take(&self, id: &str) -> Option<crate::config::Secret> {
        self.latest().remove(id)
    }

    /// `secrets` with the token rotated during the trial sync, if one was.
    fn newest(&self, id: &str, mut secrets: SourceSecrets) -> SourceSecrets {
        if let Some(t) = self.take(id) {
            secrets.token = Some(t.expose().to_owned());
        }
        secrets
    }
}

#[async_trait::async_trait]
impl crate::sources::oauth::TokenVault for SealedTokens {
    async fn rotate(&self, source_id: &str, refresh_token: &str) -> Result<(), SourceError> {
        self.latest().insert(
            source_id.to_owned(),
            crate::config::Secret::new(refresh_token),
        );
        let failed = |e: String| SourceError::Config(format!("cannot keep the new token: {e}"));
        let id = source_id.to_owned();
        let Some(row) = self
            .store
            .call(move |c| rows::get(c, &id))
            .await
            .map_err(|e| failed(e.to_string()))?
        else {
            // Removed meanwhile: nothing to keep.
            return Ok(());
        };
        let mut secrets = open_secrets(&self.secrets, &row).unwrap_or_default();
        secrets.token = Some(refresh_token.to_owned());
        let plain = serde_json::to_vec(&secrets).map_err(|e| failed(e.to_string()))?;
        let sealed = self
            .secrets
            .seal(source_id, &plain)
            .map_err(|e| failed(e.to_string()))?;
        let id = source_id.to_owned();
        let now = crate::clock::now();
        self.store
            .call(move |c| rows::set_secret(c, &id, &sealed, now))
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(())
    }
}

/// The URL the owner typed into the dashboard, which the outbound guard must check now. A
/// Google or Microsoft source has none: its API base is the service's own (empty `url`) or
/// the configuration file's `[google]`/`[microsoft] url`.
fn owner_typed_url(config: &SourceConfig) -> Option<&str> {
    match config.kind {
        crate::config::SourceKind::Ics | crate::config::SourceKind::Caldav => Some(&config.url),
        crate::config::SourceKind::Google | crate::config::SourceKind::Microsoft => None,
    }
}

/// `user:password@` typed into a dashboard source's URL, moved out of it: the user name into
/// `username`, the password into the sealed secret, so that neither the stored settings nor
/// `GET /admin/api/sources` show it. A user name or password given in its own field wins. A
/// URL that does not parse is left as it is (the checks then say why).
fn userinfo_to_secrets(mut settings: Value, mut secrets: SourceSecrets) -> (Value, SourceSecrets) {
    let Some(mut url) = settings
        .get("url")
        .and_then(Value::as_str)
        // A backslash makes the host a matter of parser: the check refuses it as typed.
        .filter(|u| !u.contains('\\'))
        .and_then(|u| reqwest::Url::parse(u).ok())
    else {
        return (settings, secrets);
    };
    if url.username().is_empty() && url.password().is_none() {
        return (settings, secrets);
    }
    let user = percent_decoded(url.username());
    let password = url.password().map(percent_decoded);
    // Both succeed: a URL with user info has a host.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    settings["url"] = Value::String(url.to_string());
    let has_user = settings
        .get("username")
        .and_then(Value::as_str)
        .is_some_and(|u| !u.is_empty());
    if !user.is_empty() && !has_user {
        settings["username"] = Value::String(user);
    }
    if secrets.password.as_deref().is_none_or(str::is_empty)
        && let Some(p) = password.filter(|p| !p.is_empty())
    {
        secrets.password = Some(p);
    }
    (settings, secrets)
}

/// A row saved before user info was moved out of typed URLs: moved now and the row rewritten
/// (the row as it was when that fails, or when its secret does not open).
fn seal_userinfo(store: &Store, secrets: &SecretBox, row: SourceRow) -> SourceRow {
    let Ok(settings) = serde_json::from_str::<Value>(&row.settings) else {
        return row;
    };
    let Ok(old) = open_secrets(secrets, &row) else {
        return row;
    };
    let (moved, sealed) = userinfo_to_secrets(settings.clone(), old);
    if moved == settings {
        return row;
    }
    let secret = if sealed.is_empty() {
        None
    } else {
        match serde_json::to_vec(&sealed).map(|plain| secrets.seal(&row.id, &plain)) {
            Ok(Ok(s)) => Some(s),
            _ => return row,
        }
    };
    let new = SourceRow {
        settings: moved.to_string(),
        secret,
        ..row.clone()
    };
    let written = new.clone();
    match store.call_now(move |c| rows::update(c, &written)) {
        Ok(_) => {
            tracing::info!(source = %row.id, "the password in a source's URL was moved into its sealed secret");
            new
        }
        Err(e) => {
            tracing::warn!(source = %row.id, error = %e, "cannot move the password out of a source's URL");
            row
        }
    }
}

/// `%XX` decoded (user info is written percent-encoded); invalid UTF-8 replaced.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a failed calendar listing means for the owner.
fn discovery_message(e: &SourceError) -> String {
    match e {
        SourceError::AuthFailed { .. } => format!("the server refused the login: {e}"),
        SourceError::Unreachable { .. } | SourceError::Timeout { .. } => e.to_string(),
        _ => format!("no CalDAV calendars were found at this URL (is it a CalDAV server?): {e}"),
    }
}

/// The secrets of a stored row, or why they do not open (in words for the owner).
fn open_secrets(secrets: &SecretBox, row: &SourceRow) -> Result<SourceSecrets, String> {
    let Some(sealed) = &row.secret else {
        return Ok(SourceSecrets::default());
    };
    let plain = secrets.open(&row.id, sealed).map_err(|e| e.to_string())?;
    serde_json::from_slice(&plain).map_err(|e| format!("the stored secret is damaged: {e}"))
}

/// A stand-in entry for a stored source that cannot be used (its id, kind and label kept), so
/// that it shows as failing instead of vanishing.
fn placeholder(id: &str, settings: &Value, file: &Config) -> Option<SourceConfig> {
    let mut entry = json!({"id": id, "kind": "ics", "url": "https://unusable.invalid/"});
    for key in ["name", "color", "fail_open"] {
        if let Some(v) = settings.get(key) {
            entry[key] = v.clone();
        }
    }
    let mut config = dashboard_source(&entry, &SourceSecrets::default(), file).ok()?;
    // Shown as what it was; never opened (not writable either: no writes are queued for it).
    if let Some(kind) = settings
        .get("kind")
        .and_then(Value::as_str)
        .and_then(crate::config::SourceKind::parse)
    {
        config.kind = kind;
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_typed_urls_are_checked_and_the_real_google_has_none() {
        let text = "[owner]\nname = \"O\"\nemail = \"o@example.org\"\ntimezone = \"UTC\"\n\
                    [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
                    [google]\nclient_id = \"cid\"\nclient_secret = \"cs\"\n";
        let file = crate::config::from_toml_str(text, &[], std::path::Path::new(".")).unwrap();
        let token = SourceSecrets {
            password: None,
            token: Some("rt".into()),
        };
        let google =
            dashboard_source(&json!({"id": "g", "kind": "google"}), &token, &file).unwrap();
        assert_eq!(google.url, "");
        assert_eq!(google.client_id.as_deref(), Some("cid"));
        assert_eq!(owner_typed_url(&google), None);
        let feed = dashboard_source(
            &json!({"id": "f", "kind": "ics", "url": "https://example.org/a.ics"}),
            &SourceSecrets::default(),
            &file,
        )
        .unwrap();
        assert_eq!(owner_typed_url(&feed), Some("https://example.org/a.ics"));
        // A Google source may not name its own API base, nor be saved without a sign-in.
        let refused = dashboard_source(
            &json!({"id": "g", "kind": "google", "url": "http://169.254.169.254/"}),
            &SourceSecrets::default(),
            &file,
        )
        .unwrap_err()
        .to_string();
        assert!(refused.contains("comes from `[google] url`"), "{refused}");
        assert!(
            refused.contains("connect the account first (\"Connect Google\""),
            "{refused}"
        );
    }

    #[test]
    fn user_info_moves_out_of_the_url_into_username_and_the_secret() {
        let check =
            |settings: Value, password: Option<&str>, expected: Value, sealed: Option<&str>| {
                let secrets = SourceSecrets {
                    password: password.map(str::to_owned),
                    token: None,
                };
                let (settings, secrets) = userinfo_to_secrets(settings, secrets);
                assert_eq!(settings, expected);
                assert_eq!(secrets.password.as_deref(), sealed);
            };
        check(
            json!({"id": "f", "url": "https://ada:p%40ss%3Aw@cal.example/a.ics?k=1"}),
            None,
            json!({"id": "f", "url": "https://cal.example/a.ics?k=1", "username": "ada"}),
            Some("p@ss:w"),
        );
        // Fields of their own win; the URL is cleaned all the same.
        check(
            json!({"url": "webcal://ada:pw@cal.example/a.ics", "username": "bob"}),
            Some("given"),
            json!({"url": "webcal://cal.example/a.ics", "username": "bob"}),
            Some("given"),
        );
        check(
            json!({"url": "http://ada@127.0.0.1:5232/"}),
            None,
            json!({"url": "http://127.0.0.1:5232/", "username": "ada"}),
            None,
        );
        // Nothing to move: untouched, also a URL that does not parse.
        for url in [
            "https://cal.example/u/a@b.example/",
            "not a url",
            "webcal://0.0.0.0:18555\\@127.0.0.1:18556/cal.ics",
        ] {
            check(json!({"url": url}), None, json!({"url": url}), None);
        }
    }
}
