//! The owner's rules edited in the dashboard: checked against the configuration file, stored,
//! and swapped in whole (every request sees either the old or the new rules, never a mix); at
//! start-up the saved edit applies again if it still checks out.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::store::{Store, StoreError};

use super::BookingService;

#[derive(Debug)]
pub(super) struct Current {
    pub(super) config: Arc<Config>,
    /// When the rules were edited in the dashboard; `None`: the file's rules.
    pub(super) edited_at: Option<DateTime<Utc>>,
}

/// Why edited rules were not saved.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{0}")]
    Invalid(crate::config::ConfigErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BookingService {
    pub(super) fn current(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.inner
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lays the dashboard's settings over the configuration that applies again (one of them
    /// changed, or at start).
    pub(super) fn reapply(&self) {
        let (config, edited_at) = {
            let current = self.current();
            (Arc::clone(&current.config), current.edited_at)
        };
        self.set_current(Current { config, edited_at });
    }

    /// Swaps in `current`, with the page's saved display name and zone, the captcha and limits
    /// that apply and the dashboard's mail settings laid over it (the one place they are).
    pub(super) fn set_current(&self, mut current: Current) {
        let saved = self
            .inner
            .saved_page
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        super::page_settings::overlay(
            Arc::make_mut(&mut current.config),
            self.file_config(),
            &saved,
        );
        self.hub().set_owner_zone(current.config.owner.timezone);
        let security = self.inner.security.applied();
        super::security_settings::overlay(Arc::make_mut(&mut current.config), &security);
        super::mail_settings::overlay(
            Arc::make_mut(&mut current.config),
            self.file_config(),
            self.inner
                .saved_mail
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_ref(),
        );
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = current;
        self.inner.busy_view.clear();
    }

    /// When the rules were last edited in the dashboard; `None` while the file's apply.
    pub fn rules_edited_at(&self) -> Option<DateTime<Utc>> {
        self.current().edited_at
    }

    /// Checks `doc` (see [`crate::config::with_rules`]), stores it and applies it at once.
    pub async fn save_rules(&self, doc: &serde_json::Value) -> Result<Arc<Config>, RulesError> {
        let mut config =
            crate::config::with_rules(self.file_config(), doc).map_err(RulesError::Invalid)?;
        // Mail may come from the dashboard: the check the file's reader makes, on what applies.
        config.mail = self.config().mail.clone();
        let waiting = super::mail_settings::needs_mail(&config);
        if !waiting.0.is_empty() {
            return Err(RulesError::Invalid(waiting));
        }
        let config = Arc::new(config);
        let text = doc.to_string();
        let now = self.now();
        self.store()
            .call(move |c| crate::store::rules::save(c, &text, now))
            .await?;
        self.set_current(Current {
            config: Arc::clone(&config),
            edited_at: Some(now),
        });
        Ok(config)
    }

    /// Forgets the edited rules: the configuration file's apply again.
    pub async fn reset_rules(&self) -> Result<(), StoreError> {
        self.store().call(|c| crate::store::rules::clear(c)).await?;
        self.set_current(Current {
            config: Arc::new(self.file_config().clone()),
            edited_at: None,
        });
        Ok(())
    }
}

/// The rules at start-up: the saved edit when it still checks out against this file and this
/// version's rules; otherwise the file's (and a warning that says why).
pub(super) fn saved_rules(config: &Config, store: &Store) -> Current {
    let file = || Current {
        config: Arc::new(config.clone()),
        edited_at: None,
    };
    let saved = match store.call_now(|c| crate::store::rules::get(c)) {
        Ok(Some(saved)) => saved,
        Ok(None) => return file(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the edited rules; using the file's");
            return file();
        }
    };
    let doc: serde_json::Value = serde_json::from_str(&saved.0).unwrap_or_default();
    match crate::config::with_rules(config, &doc) {
        Ok(edited) => Current {
            config: Arc::new(edited),
            edited_at: Some(saved.1),
        },
        Err(e) => {
            tracing::warn!(problems = %e, "the rules edited in the dashboard no longer check out; using the file's");
            file()
        }
    }
}
