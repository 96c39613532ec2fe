//! `[mail]` as it applies (never the password) and "send a test mail"; while the configuration
//! file has no `[mail]`, the dashboard saves and forgets the SMTP settings here (the file wins:
//! with it, a change is a 409). `[security]` is in `security.rs`, the booking page's settings
//! in `page.rs`.

use std::sync::Arc;

use openslot_wire::admin::{MailBody, MailJson, TestMailJson};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::booking::mail_settings::MailSettingsError;
use crate::notify::test_mail::{self, TestMailError};

use super::{AdminAuth, Checked, OwnerToken, Part, Tag, config_problems, utc};

/// The mail settings and the test mail.
#[derive(Debug)]
pub struct MailApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for MailApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum MailResponse {
    #[oai(status = 200)]
    Ok(Json<MailJson>),
}

#[derive(ApiResponse)]
enum MailEditResponse {
    /// Saved (or forgotten) and in effect at once: the settings as they now apply.
    #[oai(status = 200)]
    Ok(Json<MailJson>),
    /// The configuration file sets `[mail]`, which wins (`file_source`).
    #[oai(status = 409)]
    FromFile(Json<ErrorJson>),
    /// A value the file's `[mail]` reader refuses (`invalid`); `fields` names each (on forget:
    /// the event types that confirm by mail).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum TestMailResponse {
    /// The SMTP server took the mail.
    #[oai(status = 200)]
    Sent(Json<TestMailJson>),
    /// No `[mail]` is configured (`not_configured`).
    #[oai(status = 409)]
    NotConfigured(Json<ErrorJson>),
    /// The server refused it (`refused`: credentials, sender, recipient) or could not be
    /// reached or said "later" (`unreachable`); `message` has the server's words.
    #[oai(status = 502)]
    Failed(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl MailApi {
    /// The mail settings in effect: the configuration file's `[mail]` (`from_file`, read-only)
    /// or those saved in the dashboard; the password is never shown, only `password_set`.
    #[oai(
        path = "/mail",
        method = "get",
        operation_id = "getMailSettings",
        tag = "Tag::Deliveries"
    )]
    async fn mail(&self, _auth: OwnerToken) -> MailResponse {
        MailResponse::Ok(Json(self.mail_json()))
    }

    /// Saves the SMTP settings (the keys of the file's `[mail]`, checked by the same reader)
    /// while the configuration file has no `[mail]`; they apply at once, kept across restarts.
    /// `password`: absent keeps the saved one, `""` means none.
    #[oai(
        path = "/mail",
        method = "put",
        operation_id = "saveMailSettings",
        tag = "Tag::Deliveries"
    )]
    async fn save(&self, _auth: OwnerToken, body: Json<Checked<MailBody>>) -> MailEditResponse {
        match self.service().save_mail(&body.0.value).await {
            Ok(_) => MailEditResponse::Ok(Json(self.mail_json())),
            Err(e) => edit_error(e),
        }
    }

    /// Forgets the settings saved in the dashboard: nothing is mailed any more (mails already
    /// queued fail as "not configured"). 409 while the file sets `[mail]`; 422 naming
    /// `event_types[i].confirm` while an event type confirms by mail.
    #[oai(
        path = "/mail",
        method = "delete",
        operation_id = "forgetMailSettings",
        tag = "Tag::Deliveries"
    )]
    async fn forget(&self, _auth: OwnerToken) -> MailEditResponse {
        match self.service().forget_mail().await {
            Ok(_) => {
                tracing::info!("mail settings forgotten in the dashboard");
                MailEditResponse::Ok(Json(self.mail_json()))
            }
            Err(e) => edit_error(e),
        }
    }

    /// Sends one test mail to the owner's address now, through the SMTP settings in effect
    /// (the file's or the dashboard's saved ones; not queued: the answer says whether it
    /// worked, in the server's words when not).
    #[oai(
        path = "/mail/test",
        method = "post",
        operation_id = "sendTestMail",
        tag = "Tag::Deliveries"
    )]
    async fn test(&self, _auth: OwnerToken) -> TestMailResponse {
        let service = self.service();
        let config = service.config();
        match test_mail::send(&config, service.now()).await {
            Ok(reply_code) => {
                tracing::info!(reply_code, "test mail sent to the owner");
                TestMailResponse::Sent(Json(TestMailJson {
                    sent_to: config.owner.email.clone(),
                    reply_code,
                }))
            }
            Err(e @ TestMailError::NotConfigured) => {
                TestMailResponse::NotConfigured(error(ErrorCode::NotConfigured, e.to_string()))
            }
            Err(e @ TestMailError::Refused(_)) => {
                tracing::warn!(error = %e, "test mail refused");
                TestMailResponse::Failed(error(ErrorCode::Refused, e.to_string()))
            }
            Err(e @ TestMailError::Unreachable(_)) => {
                tracing::warn!(error = %e, "test mail not sent");
                TestMailResponse::Failed(error(ErrorCode::Unreachable, e.to_string()))
            }
        }
    }
}

impl MailApi {
    fn mail_json(&self) -> MailJson {
        let service = self.service();
        let settings = service.mail_settings();
        let mail = settings.mail.as_ref();
        MailJson {
            configured: mail.is_some(),
            from_file: settings.from_file,
            password_set: mail.is_some_and(|m| m.password.is_some()),
            updated_at: settings.updated_at.map(utc),
            owner_email: service.config().owner.email.clone(),
            smtp_host: mail.map(|m| m.smtp_host.clone()),
            smtp_port: mail.map(|m| m.smtp_port),
            tls: mail.map(|m| m.tls.as_str().to_owned()),
            username: mail.and_then(|m| m.username.clone()),
            from: mail.map(|m| m.from.clone()),
            owner_copy: mail.is_some_and(|m| m.owner_copy),
            reminder_hours: mail.map(|m| m.reminder_hours.clone()).unwrap_or_default(),
            max_per_address_per_day: mail.map_or(0, |m| m.max_per_address_per_day),
            max_per_day: mail.map_or(0, |m| m.max_per_day),
        }
    }
}

fn edit_error(e: MailSettingsError) -> MailEditResponse {
    match e {
        MailSettingsError::FromFile => {
            MailEditResponse::FromFile(error(ErrorCode::FileSource, e.to_string()))
        }
        MailSettingsError::Invalid(problems) => {
            MailEditResponse::Invalid(config_problems(&problems))
        }
        MailSettingsError::NoKey | MailSettingsError::Seal(_) => {
            tracing::error!(error = %e, "mail settings not saved");
            MailEditResponse::Internal(error(
                ErrorCode::Secret,
                "the password could not be sealed (server.secrets_key_file); see the log",
            ))
        }
        MailSettingsError::Store(e) => MailEditResponse::Internal(internal(&e)),
    }
}
