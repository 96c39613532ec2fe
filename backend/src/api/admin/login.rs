//! `POST /admin/api/login`: the password from `[admin] password_hash` gives a session token,
//! at most `LOGIN_ATTEMPTS_PER_MINUTE` attempts per client address.

use std::sync::Arc;

use openslot_wire::admin::{LoginBody, SessionJson};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::guards::password;
use crate::api::guards::rate_limit::RateLimiter;
use crate::api::public::{ErrorCode, ErrorJson, error, internal};

use super::{AdminAuth, Part, Tag, utc};

/// Logging in.
#[derive(Debug)]
pub struct LoginApi {
    pub auth: Arc<AdminAuth>,
    pub limiter: Arc<RateLimiter>,
}

impl Part for LoginApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// A token for the admin API, valid for `admin.session_minutes`.
    #[oai(status = 200)]
    Ok(Json<SessionJson>),
    /// Wrong (or no) password.
    #[oai(status = 401)]
    Wrong(Json<ErrorJson>),
    /// Too many attempts from this address (`rate_limited`), or too many logins at once from
    /// all addresses (`busy`); retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorJson>, #[oai(header = "Retry-After")] u64),
    /// No admin password is configured (`[admin] password_hash`).
    #[oai(status = 503)]
    NoPassword(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl LoginApi {
    /// Logs the owner in: the password from `[admin] password_hash` gives a token.
    #[oai(
        path = "/login",
        method = "post",
        operation_id = "login",
        tag = "Tag::Session"
    )]
    async fn login(&self, req: &Request, body: Json<LoginBody>) -> LoginResponse {
        if let Some(ip) = self.client(req)
            && let Err(wait) = self.limiter.check(ip)
        {
            return LoginResponse::TooMany(
                error(
                    ErrorCode::RateLimited,
                    "too many login attempts; wait a minute",
                ),
                wait.seconds(),
            );
        }
        let Some(hash) = self.service().config().admin.password_hash.clone() else {
            return LoginResponse::NoPassword(error(
                ErrorCode::NoPassword,
                "no admin password configured (set [admin] password_hash; `openslot hash-password` makes one)",
            ));
        };
        let attempt = body.0.password.unwrap_or_default();
        let Ok(ok) = password::verify_bounded(attempt, hash.expose().to_owned()).await else {
            let message = "too many logins at once; try again in a second";
            return LoginResponse::TooMany(error(ErrorCode::Busy, message), 1);
        };
        if !ok {
            tracing::warn!(client = ?self.client(req), "admin login refused");
            return LoginResponse::Wrong(error(ErrorCode::WrongPassword, "wrong password"));
        }
        match self.auth.sessions.issue(self.service().now()) {
            Ok(issued) => {
                tracing::info!(client = ?self.client(req), "admin login");
                LoginResponse::Ok(Json(SessionJson {
                    token: issued.token,
                    expires_at: utc(issued.expires_at),
                }))
            }
            Err(e) => LoginResponse::Internal(internal(&e)),
        }
    }
}
