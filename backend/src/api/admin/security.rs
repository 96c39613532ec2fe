//! `[security]` in the dashboard: the captcha and the two rate limits as they apply, edited
//! where the configuration file leaves them unset (applied at once: the booking form asks for
//! the proof of work, and the limiters count with the new limits, from the next request);
//! trusted proxies, CORS and embedding origins are the file's only and shown as they are.

use std::sync::Arc;

use openslot_wire::admin::{SecurityBody, SecurityJson};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::booking::BookingService;
use crate::booking::security_settings::{SecurityError, edit_from_json};

use super::{AdminAuth, Checked, OwnerToken, Part, Tag};

/// The security settings.
#[derive(Debug)]
pub struct SecurityApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for SecurityApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum SecurityResponse {
    #[oai(status = 200)]
    Ok(Json<SecurityJson>),
    /// The configuration file sets that key (`file_source`); change it there.
    #[oai(status = 409)]
    FromFile(Json<ErrorJson>),
    /// A value is wrong or out of range, or the key is unknown (`fields` says which).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The settings as they apply now.
fn security_json(service: &BookingService) -> SecurityJson {
    let applied = service.security_settings();
    let config = service.config();
    let s = &config.security;
    SecurityJson {
        captcha: applied.captcha,
        rate_limit_per_minute: applied.rate_limit_per_minute,
        api_key_rate_per_minute: applied.api_key_rate_per_minute,
        captcha_from_file: applied.from_file.captcha,
        rate_limit_from_file: applied.from_file.rate_limit_per_minute,
        api_key_rate_from_file: applied.from_file.api_key_rate_per_minute,
        trusted_proxies: s.trusted_proxies.iter().map(ToString::to_string).collect(),
        cors_origins: s.cors_origins.clone(),
        embed_origins: config.page.embed_origins.clone(),
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl SecurityApi {
    /// The captcha, rate limits, trusted proxies, CORS and embedding origins in effect, and
    /// which of the captcha and limits the configuration file sets (the origins and proxies
    /// are the file's only).
    #[oai(
        path = "/security",
        method = "get",
        operation_id = "getSecuritySettings",
        tag = "Tag::Session"
    )]
    async fn security(&self, _auth: OwnerToken) -> SecurityResponse {
        SecurityResponse::Ok(Json(security_json(self.service())))
    }

    /// Saves the captcha and rate limits where the configuration file leaves them unset
    /// (absent or `null`: the default again); they apply at once, without a restart. A key
    /// the file sets answers 409 unless left out or sent as the file has it.
    #[oai(
        path = "/security",
        method = "put",
        operation_id = "saveSecuritySettings",
        tag = "Tag::Session"
    )]
    async fn save_security(
        &self,
        _auth: OwnerToken,
        body: Json<Checked<SecurityBody>>,
    ) -> SecurityResponse {
        let saved = match edit_from_json(&body.0.value) {
            Ok(edit) => self.service().save_security(edit).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(applied) => {
                tracing::info!(
                    captcha = applied.captcha,
                    rate_limit_per_minute = applied.rate_limit_per_minute,
                    api_key_rate_per_minute = applied.api_key_rate_per_minute,
                    "the security settings were edited"
                );
                SecurityResponse::Ok(Json(security_json(self.service())))
            }
            Err(e @ SecurityError::FromFile(_)) => {
                SecurityResponse::FromFile(error(ErrorCode::FileSource, e.to_string()))
            }
            Err(SecurityError::Invalid(field, why)) => {
                SecurityResponse::Invalid(super::invalid(&field, why))
            }
            Err(SecurityError::Store(e)) => SecurityResponse::Internal(internal(&e)),
        }
    }
}
