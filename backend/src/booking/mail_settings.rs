//! The SMTP settings the owner types in the dashboard, used only while the configuration file
//! has no `[mail]` (the file stays authoritative: with it, nothing here can be saved). They are
//! checked by the file's own reader (`config::dashboard_mail`), stored with the password sealed
//! (`store::mail_settings`), and laid over the configuration that applies at once ([`overlay`]):
//! whatever reads `config.mail` (queuing mail, the worker's mailer, the test mail, the
//! page's `mails_visitors`, alerts) follows without a restart.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::{Config, ConfigErrors, MailConfig, Problem};
use crate::store::mail_settings::{self as rows, MailRow, ROW_ID};
use crate::store::secret_box::SecretBox;
use crate::store::{Store, StoreError};

use super::BookingService;

/// The settings saved in the dashboard, as checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMail {
    pub config: MailConfig,
    pub updated_at: DateTime<Utc>,
}

/// The mail settings as they apply, and where they come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSettings {
    /// The file's `[mail]`, else the dashboard's; `None`: nothing is mailed.
    pub mail: Option<MailConfig>,
    /// The file sets `[mail]`: read-only in the dashboard.
    pub from_file: bool,
    /// When the dashboard's settings were saved (`None`: never, or the file's apply).
    pub updated_at: Option<DateTime<Utc>>,
}

/// Why the settings were not saved or forgotten.
#[derive(Debug, thiserror::Error)]
pub enum MailSettingsError {
    #[error(
        "[mail] is set in the configuration file, which wins: change it there (or remove it \
         to set mail in the dashboard)"
    )]
    FromFile,
    /// Every problem, keyed by the field (`smtp_port`), in the file's reader's words.
    #[error("{0}")]
    Invalid(ConfigErrors),
    #[error("no secrets key to seal the password with")]
    NoKey,
    #[error("the password could not be sealed: {0}")]
    Seal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The event types of `config` whose `confirm = "email"` cannot work without mail: empty
/// when mail is configured or none asks for it.
pub fn needs_mail(config: &Config) -> ConfigErrors {
    if config.mail.is_some() {
        return ConfigErrors(Vec::new());
    }
    ConfigErrors(
        config
            .event_types
            .iter()
            .enumerate()
            .filter(|(_, e)| e.confirm == crate::config::Confirm::Email)
            .map(|(i, _)| {
                Problem::new(
                    format!("event_types[{i}].confirm"),
                    "\"email\" needs mail to send the confirmation link: set mail up first, \
                     or confirm another way",
                )
            })
            .collect(),
    )
}

/// `config` with the saved settings where the file has no `[mail]` (idempotent: forgotten
/// settings are taken away again).
pub fn overlay(config: &mut Config, file: &Config, saved: Option<&SavedMail>) {
    config.mail = file
        .mail
        .clone()
        .or_else(|| saved.map(|s| s.config.clone()));
}

/// The stored row as the `[mail]` section it was saved from (without the password).
fn section(row: &MailRow) -> Value {
    let mut v = serde_json::json!({
        "smtp_host": row.smtp_host,
        "smtp_port": row.smtp_port,
        "tls": row.tls,
        "from": row.from,
        "owner_copy": row.owner_copy,
        "reminder_hours": row.reminder_hours,
        "max_per_address_per_day": row.max_per_address_per_day,
        "max_per_day": row.max_per_day,
    });
    if let Some(u) = &row.username {
        v["username"] = Value::String(u.clone());
    }
    v
}

/// The saved settings at start-up, when the file has no `[mail]` and they still check out
/// (otherwise none, with a warning that says why).
pub(super) fn saved(
    config: &Config,
    store: &Store,
    secrets: Option<&SecretBox>,
) -> Option<SavedMail> {
    if config.mail.is_some() {
        return None;
    }
    let row = match store.call_now(|c| rows::get(c)) {
        Ok(row) => row?,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the mail settings saved in the dashboard; no mail is sent");
            return None;
        }
    };
    let password = match (&row.password, secrets) {
        (None, _) => None,
        (Some(sealed), Some(secrets)) => match secrets.open(ROW_ID, sealed) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) => {
                tracing::warn!(error = %e, "the saved SMTP password does not open; no mail is sent until it is typed again");
                return None;
            }
        },
        (Some(_), None) => return None,
    };
    match crate::config::dashboard_mail(&section(&row), password.as_deref(), config) {
        Ok(mail) => Some(SavedMail {
            config: mail,
            updated_at: row.updated_at,
        }),
        Err(e) => {
            tracing::warn!(problems = %e, "the mail settings saved in the dashboard no longer check out; no mail is sent");
            None
        }
    }
}

impl BookingService {
    fn saved_mail(&self) -> Option<SavedMail> {
        self.inner
            .saved_mail
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stores `saved` as what applies and rebuilds the configuration that applies.
    fn set_saved_mail(&self, saved: Option<SavedMail>) {
        *self
            .inner
            .saved_mail
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = saved;
        self.reapply();
    }

    /// The mail settings as they apply now.
    pub fn mail_settings(&self) -> MailSettings {
        let file = self.file_config();
        let saved = self.saved_mail();
        MailSettings {
            mail: file
                .mail
                .clone()
                .or_else(|| saved.as_ref().map(|s| s.config.clone())),
            from_file: file.mail.is_some(),
            updated_at: saved.filter(|_| file.mail.is_none()).map(|s| s.updated_at),
        }
    }

    /// Checks `settings` (a `[mail]` section as JSON, see [`crate::config::dashboard_mail`])
    /// and saves it; it applies at once. Its `password`: absent or `null` keeps the saved one,
    /// `""` means none, any other text replaces it (sealed before it is stored).
    pub async fn save_mail(&self, settings: &Value) -> Result<MailSettings, MailSettingsError> {
        let file = self.file_config();
        if file.mail.is_some() {
            return Err(MailSettingsError::FromFile);
        }
        let mut settings = settings.clone();
        let sent = settings.as_object_mut().and_then(|o| o.remove("password"));
        let password = match sent {
            None | Some(Value::Null) => self
                .saved_mail()
                .and_then(|s| s.config.password)
                .map(|p| p.expose().to_owned()),
            Some(Value::String(p)) if p.is_empty() => None,
            Some(Value::String(p)) => Some(p),
            Some(_) => {
                return Err(MailSettingsError::Invalid(ConfigErrors(vec![
                    Problem::new("password", "must be text"),
                ])));
            }
        };
        let mail = crate::config::dashboard_mail(&settings, password.as_deref(), file)
            .map_err(MailSettingsError::Invalid)?;
        let sealed = match &mail.password {
            None => None,
            Some(p) => {
                let secrets = self.secrets().ok_or(MailSettingsError::NoKey)?;
                Some(
                    secrets
                        .seal(ROW_ID, p.expose().as_bytes())
                        .map_err(|e| MailSettingsError::Seal(e.to_string()))?,
                )
            }
        };
        let now = self.now();
        let row = MailRow {
            smtp_host: mail.smtp_host.clone(),
            smtp_port: mail.smtp_port,
            tls: mail.tls.as_str().to_owned(),
            username: mail.username.clone(),
            password: sealed,
            from: mail.from.clone(),
            owner_copy: mail.owner_copy,
            reminder_hours: mail.reminder_hours.clone(),
            max_per_address_per_day: mail.max_per_address_per_day,
            max_per_day: mail.max_per_day,
            updated_at: now,
        };
        self.store().call(move |c| rows::save(c, &row)).await?;
        self.set_saved_mail(Some(SavedMail {
            config: mail,
            updated_at: now,
        }));
        tracing::info!("mail settings saved in the dashboard");
        Ok(self.mail_settings())
    }

    /// Forgets the dashboard's settings: nothing is mailed any more (rows already queued fail
    /// as "mail is not configured"). False when none were saved.
    pub async fn forget_mail(&self) -> Result<bool, MailSettingsError> {
        if self.file_config().mail.is_some() {
            return Err(MailSettingsError::FromFile);
        }
        // As it would be without mail.
        let mut without = (*self.config()).clone();
        without.mail = None;
        let waiting = needs_mail(&without);
        if !waiting.0.is_empty() {
            return Err(MailSettingsError::Invalid(waiting));
        }
        let cleared = self.store().call(|c| rows::clear(c)).await?;
        self.set_saved_mail(None);
        Ok(cleared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(extra: &str) -> Config {
        crate::config::from_toml_str(
            &format!(
                "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n{extra}\
                 [[event_types]]\nslug = \"a\"\ntitle = \"A\"\nduration_minutes = 30\n"
            ),
            &[],
            std::path::Path::new("/"),
        )
        .unwrap()
    }

    #[test]
    fn the_file_wins_and_saved_settings_fill_its_absence() {
        let none = file("");
        let saved = SavedMail {
            config: crate::config::dashboard_mail(
                &serde_json::json!({"smtp_host": "smtp.example.org", "from": "a@example.org"}),
                None,
                &none,
            )
            .unwrap(),
            updated_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let mut applied = none.clone();
        overlay(&mut applied, &none, Some(&saved));
        assert_eq!(applied.mail.as_ref().unwrap().smtp_host, "smtp.example.org");
        assert_eq!(
            applied.mail.as_ref().unwrap().smtp_port,
            587,
            "the file's default"
        );
        overlay(&mut applied, &none, None);
        assert_eq!(applied.mail, None, "forgotten settings go away");
        let with = file("[mail]\nsmtp_host = \"file.example.org\"\nfrom = \"b@example.org\"\n");
        overlay(&mut applied, &with, Some(&saved));
        assert_eq!(applied.mail.unwrap().smtp_host, "file.example.org");
    }

    #[test]
    fn the_row_reads_back_as_the_section_it_came_from() {
        let base = file("");
        let sent = serde_json::json!({
            "smtp_host": "smtp.example.org", "smtp_port": 2525, "tls": "tls",
            "username": "ada", "from": "Ada <a@example.org>", "owner_copy": false,
            "reminder_hours": [24, 2], "max_per_address_per_day": 3, "max_per_day": 50,
        });
        let mail = crate::config::dashboard_mail(&sent, Some("pw"), &base).unwrap();
        let row = MailRow {
            smtp_host: mail.smtp_host.clone(),
            smtp_port: mail.smtp_port,
            tls: mail.tls.as_str().to_owned(),
            username: mail.username.clone(),
            password: None,
            from: mail.from.clone(),
            owner_copy: mail.owner_copy,
            reminder_hours: mail.reminder_hours.clone(),
            max_per_address_per_day: mail.max_per_address_per_day,
            max_per_day: mail.max_per_day,
            updated_at: DateTime::from_timestamp(0, 0).unwrap(),
        };
        let again = crate::config::dashboard_mail(&section(&row), Some("pw"), &base).unwrap();
        assert_eq!(again, mail);
        assert_eq!(mail.reminder_hours, [2, 24]);
    }

    #[test]
    fn dashboard_values_are_checked_by_the_files_reader_and_named_by_field() {
        let base = file("");
        let problems = |v: Value, password: Option<&str>| -> Vec<String> {
            crate::config::dashboard_mail(&v, password, &base)
                .unwrap_err()
                .0
                .into_iter()
                .map(|p| format!("{}: {}", p.key, p.message))
                .collect()
        };
        let found = problems(
            serde_json::json!({
                "smtp_host": "smtp.example.org", "smtp_port": 70000, "from": "not a sender",
                "tls_ca_file": "/etc/passwd", "username": "ada",
            }),
            None,
        );
        for expected in [
            "smtp_port: ",
            "from: `not a sender` is not a sender",
            "tls_ca_file: cannot be set from the dashboard",
            "password: is required with `username`",
        ] {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "{expected} in {found:?}"
            );
        }
        let found = problems(
            serde_json::json!({"smtp_host": "mail example", "from": "a@example.org"}),
            None,
        );
        assert!(found[0].starts_with("smtp_host: "), "{found:?}");
        let found = problems(
            serde_json::json!({"smtp_host": "smtp.example.org", "tls": "none", "from": "a@b.c"}),
            None,
        );
        assert!(found[0].contains("loopback"), "{found:?}");
        // A cleared user name is none; nulls are absent keys.
        let ok = crate::config::dashboard_mail(
            &serde_json::json!({"smtp_host": "h", "from": "a@b.c", "username": " ", "smtp_port": null}),
            None,
            &base,
        )
        .unwrap();
        assert_eq!((ok.username, ok.smtp_port), (None, 587));
    }
}
