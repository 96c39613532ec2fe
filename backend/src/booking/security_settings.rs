//! `[security]` captcha and the two rate limits, edited in the dashboard where the
//! configuration file (or an `OPENSLOT_*` variable) leaves them unset; what the file sets stays
//! and cannot be changed here. The values that apply are shared with the request guards
//! ([`Live`]): a save switches the captcha and the limits at once, without a restart, and at
//! start-up the saved values apply again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value;

use crate::config::{Config, SecurityConfig, SecuritySetInFile};
use crate::store::{Store, StoreError};

use super::BookingService;

/// The keys the dashboard edits (the store's table allows only these).
pub const CAPTCHA: &str = "captcha";
pub const RATE_LIMIT: &str = "rate_limit_per_minute";
pub const KEY_RATE: &str = "api_key_rate_per_minute";

/// The captcha and limits as they apply, and which of them the file sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecuritySettings {
    pub captcha: bool,
    /// Booking requests per visitor address and minute (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Requests per API key and minute (0: no limit).
    pub api_key_rate_per_minute: u32,
    pub from_file: SecuritySetInFile,
}

/// Why an edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// The configuration file (or an environment variable) sets this key.
    #[error("{0} is set in the configuration file; change it there")]
    FromFile(&'static str),
    /// A field (or the body) and what is wrong with it, in the owner's words.
    #[error("{0}: {1}")]
    Invalid(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A saved value as it applies: a limit in range, a boolean; anything else is ignored.
fn saved_limit(saved: &BTreeMap<String, String>, key: &str) -> Option<u32> {
    saved
        .get(key)?
        .parse()
        .ok()
        .filter(|n| *n <= SecurityConfig::MAX_PER_MINUTE)
}

/// The file's values where it sets them, else the saved ones, else the defaults.
pub fn merged(file: &SecurityConfig, saved: &BTreeMap<String, String>) -> SecuritySettings {
    let set = file.set_in_file;
    let pick = |from_file: bool, file_value: u32, key: &str| {
        (!from_file)
            .then(|| saved_limit(saved, key))
            .flatten()
            .unwrap_or(file_value)
    };
    SecuritySettings {
        captcha: (!set.captcha)
            .then(|| saved.get(CAPTCHA).and_then(|v| v.parse().ok()))
            .flatten()
            .unwrap_or(file.captcha),
        rate_limit_per_minute: pick(
            set.rate_limit_per_minute,
            file.rate_limit_per_minute,
            RATE_LIMIT,
        ),
        api_key_rate_per_minute: pick(
            set.api_key_rate_per_minute,
            file.api_key_rate_per_minute,
            KEY_RATE,
        ),
        from_file: set,
    }
}

/// `config` with the values that apply (idempotent).
pub fn overlay(config: &mut Config, applied: &SecuritySettings) {
    config.security.captcha = applied.captcha;
    config.security.rate_limit_per_minute = applied.rate_limit_per_minute;
    config.security.api_key_rate_per_minute = applied.api_key_rate_per_minute;
}

/// What a `PUT` asks for, per key: `None` (absent or `null`) is back to the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecurityEdit {
    pub captcha: Option<bool>,
    pub rate_limit_per_minute: Option<u32>,
    pub api_key_rate_per_minute: Option<u32>,
}

/// Reads a body as sent (`{"captcha": true, "rate_limit_per_minute": 5, ...}`), checked like
/// the file's reader: an unknown key, a wrong type or a limit out of range is named.
pub fn edit_from_json(body: &Value) -> Result<SecurityEdit, SecurityError> {
    let invalid = |field: &str, why: String| SecurityError::Invalid(field.to_owned(), why);
    let Some(fields) = body.as_object() else {
        return Err(invalid("body", "must be a JSON object".to_owned()));
    };
    if let Some(key) = fields
        .keys()
        .find(|k| ![CAPTCHA, RATE_LIMIT, KEY_RATE].contains(&k.as_str()))
    {
        return Err(invalid(
            key,
            "unknown key (the others are set in the configuration file only)".to_owned(),
        ));
    }
    let captcha = match fields.get(CAPTCHA) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(invalid(CAPTCHA, "expected true or false".to_owned())),
    };
    let limit = |key: &str| match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            let max = SecurityConfig::MAX_PER_MINUTE;
            match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) if n <= max => Ok(Some(n)),
                _ => Err(invalid(
                    key,
                    format!("must be between 0 and {max}, found {n}"),
                )),
            }
        }
        Some(_) => Err(invalid(key, "expected a whole number".to_owned())),
    };
    Ok(SecurityEdit {
        captcha,
        rate_limit_per_minute: limit(RATE_LIMIT)?,
        api_key_rate_per_minute: limit(KEY_RATE)?,
    })
}

/// The values the guards follow: the captcha switch and the two limits, changed in place.
#[derive(Debug)]
pub struct Live {
    applied: RwLock<SecuritySettings>,
    visitors: Arc<AtomicU32>,
    keys: Arc<AtomicU32>,
}

impl Live {
    /// The file's values with the saved ones (none, with a warning, when they cannot be read).
    pub(super) fn load(file: &SecurityConfig, store: &Store) -> Self {
        let saved = store
            .call_now(|c| crate::store::security_settings::all(c))
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read the edited security settings; using the file's");
                BTreeMap::new()
            });
        let applied = merged(file, &saved);
        Live {
            applied: RwLock::new(applied),
            visitors: Arc::new(AtomicU32::new(applied.rate_limit_per_minute)),
            keys: Arc::new(AtomicU32::new(applied.api_key_rate_per_minute)),
        }
    }

    pub(super) fn applied(&self) -> SecuritySettings {
        *self.applied.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn apply(&self, applied: SecuritySettings) {
        *self.applied.write().unwrap_or_else(PoisonError::into_inner) = applied;
        self.visitors
            .store(applied.rate_limit_per_minute, Ordering::Relaxed);
        self.keys
            .store(applied.api_key_rate_per_minute, Ordering::Relaxed);
    }
}

impl BookingService {
    /// The captcha and limits as they apply now, and which the file sets.
    pub fn security_settings(&self) -> SecuritySettings {
        self.inner.security.applied()
    }

    /// Whether a visitor's booking needs the proof of work now.
    pub fn captcha_on(&self) -> bool {
        self.security_settings().captcha
    }

    /// Booking requests per visitor address and minute as they apply, changed in place on
    /// save: the visitors' limiter follows it (0: no limit).
    pub fn visitor_limit(&self) -> Arc<AtomicU32> {
        Arc::clone(&self.inner.security.visitors)
    }

    /// Requests per API key and minute, likewise.
    pub fn key_limit(&self) -> Arc<AtomicU32> {
        Arc::clone(&self.inner.security.keys)
    }

    /// Saves `edit` where the file leaves a key unset (`None`: the default again) and applies
    /// it at once. A key the file sets must be left out, `null`, or sent as the file has it.
    pub async fn save_security(
        &self,
        edit: SecurityEdit,
    ) -> Result<SecuritySettings, SecurityError> {
        let file = &self.file_config().security;
        let set = file.set_in_file;
        if set.captcha && edit.captcha.is_some_and(|v| v != file.captcha) {
            return Err(SecurityError::FromFile(CAPTCHA));
        }
        let differs = |from_file: bool, sent: Option<u32>, file_value: u32| {
            from_file && sent.is_some_and(|v| v != file_value)
        };
        if differs(
            set.rate_limit_per_minute,
            edit.rate_limit_per_minute,
            file.rate_limit_per_minute,
        ) {
            return Err(SecurityError::FromFile(RATE_LIMIT));
        }
        if differs(
            set.api_key_rate_per_minute,
            edit.api_key_rate_per_minute,
            file.api_key_rate_per_minute,
        ) {
            return Err(SecurityError::FromFile(KEY_RATE));
        }
        let edits = [
            (CAPTCHA, set.captcha, edit.captcha.map(|b| b.to_string())),
            (
                RATE_LIMIT,
                set.rate_limit_per_minute,
                edit.rate_limit_per_minute.map(|n| n.to_string()),
            ),
            (
                KEY_RATE,
                set.api_key_rate_per_minute,
                edit.api_key_rate_per_minute.map(|n| n.to_string()),
            ),
        ];
        let now = self.now();
        let saved = self
            .store()
            .call(move |c| {
                let tx = c.transaction()?;
                for (key, from_file, value) in &edits {
                    if !from_file {
                        crate::store::security_settings::set(&tx, key, value.as_deref(), now)?;
                    }
                }
                let all = crate::store::security_settings::all(&tx)?;
                tx.commit()?;
                Ok(all)
            })
            .await?;
        let applied = merged(file, &saved);
        self.inner.security.apply(applied);
        self.reapply();
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(toml: &str) -> SecurityConfig {
        crate::config::from_toml_str(
            &format!(
                "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n{toml}\n\
                 [[event_types]]\nslug = \"a\"\ntitle = \"A\"\nduration_minutes = 30\n"
            ),
            &[],
            std::path::Path::new("/"),
        )
        .unwrap()
        .security
    }

    fn saved(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_file_wins_the_saved_fill_in_and_the_defaults_stay_otherwise() {
        let edited = saved(&[
            ("captcha", "false"),
            ("rate_limit_per_minute", "3"),
            ("api_key_rate_per_minute", "9"),
        ]);
        let m = merged(&file(""), &edited);
        assert_eq!(
            (
                m.captcha,
                m.rate_limit_per_minute,
                m.api_key_rate_per_minute
            ),
            (false, 3, 9)
        );
        assert_eq!(m.from_file, SecuritySetInFile::default());
        let d = merged(&file(""), &BTreeMap::new());
        assert_eq!(
            (
                d.captcha,
                d.rate_limit_per_minute,
                d.api_key_rate_per_minute
            ),
            (true, 10, 120)
        );
        let f = merged(
            &file("[security]\ncaptcha = true\nrate_limit_per_minute = 4"),
            &edited,
        );
        assert_eq!(
            (
                f.captcha,
                f.rate_limit_per_minute,
                f.api_key_rate_per_minute
            ),
            (true, 4, 9)
        );
        assert!(f.from_file.captcha && f.from_file.rate_limit_per_minute);
        let broken = saved(&[("captcha", "maybe"), ("rate_limit_per_minute", "100001")]);
        let b = merged(&file(""), &broken);
        assert_eq!((b.captcha, b.rate_limit_per_minute), (true, 10), "ignored");
    }

    #[test]
    fn bodies_are_checked_like_the_file() {
        let edit = edit_from_json(&serde_json::json!(
            {"captcha": false, "rate_limit_per_minute": 0, "api_key_rate_per_minute": null}
        ))
        .unwrap();
        assert_eq!(
            edit,
            SecurityEdit {
                captcha: Some(false),
                rate_limit_per_minute: Some(0),
                api_key_rate_per_minute: None,
            }
        );
        for (body, field) in [
            (serde_json::json!({"captcha": "yes"}), "captcha"),
            (
                serde_json::json!({"rate_limit_per_minute": -1}),
                "rate_limit_per_minute",
            ),
            (
                serde_json::json!({"rate_limit_per_minute": 100_001}),
                "rate_limit_per_minute",
            ),
            (
                serde_json::json!({"api_key_rate_per_minute": 1.5}),
                "api_key_rate_per_minute",
            ),
            (
                serde_json::json!({"api_key_rate_per_minute": "5"}),
                "api_key_rate_per_minute",
            ),
            (serde_json::json!({"cors_origins": []}), "cors_origins"),
            (serde_json::json!([]), "body"),
        ] {
            match edit_from_json(&body) {
                Err(SecurityError::Invalid(f, _)) => assert_eq!(f, field, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
