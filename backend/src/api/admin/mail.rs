//! `[mail]` as it is (read-only: the file sets it; never the password) and "send a test mail".
//! `[security]` is in `security.rs`, the booking page's settings in `page.rs`.

use std::sync::Arc;

use openslot_wire::admin::{MailJson, TestMailJson};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error};
use crate::notify::test_mail::{self, TestMailError};

use super::{AdminAuth, OwnerToken, Part, Tag};

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
    /// The mail settings in effect (`[mail]` of the configuration file; the password is never
    /// shown).
    #[oai(
        path = "/mail",
        method = "get",
        operation_id = "getMailSettings",
        tag = "Tag::Deliveries"
    )]
    async fn mail(&self, _auth: OwnerToken) -> MailResponse {
        let config = self.service().config();
        let mail = config.mail.as_ref();
        MailResponse::Ok(Json(MailJson {
            configured: mail.is_some(),
            owner_email: config.owner.email.clone(),
            smtp_host: mail.map(|m| m.smtp_host.clone()),
            smtp_port: mail.map(|m| m.smtp_port),
            tls: mail.map(|m| m.tls.as_str().to_owned()),
            username: mail.and_then(|m| m.username.clone()),
            from: mail.map(|m| m.from.clone()),
            owner_copy: mail.is_some_and(|m| m.owner_copy),
            reminder_hours: mail.map(|m| m.reminder_hours.clone()).unwrap_or_default(),
            max_per_address_per_day: mail.map_or(0, |m| m.max_per_address_per_day),
            max_per_day: mail.map_or(0, |m| m.max_per_day),
        }))
    }

    /// Sends one test mail to the owner's address now, through the configured SMTP server
    /// (not queued: the answer says whether it worked, in the server's words when not).
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
