//! Integrators on the public API: a request with `Authorization: Bearer osk_…` is an API
//! key's. A valid key's request carries its [`ApiCaller`] to the endpoints (which skip the
//! captcha and the visitors' limit for `bookings:write`), counts against the key's own limit,
//! and every answer to it has `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`.
//! A visitor's answers under `/api/v1/` carry the same headers for the per-address limit of
//! booking actions (when it is on), after the request was counted.
//!
//! Invariant: a request that names a key is never treated as a visitor's: a wrong, unknown or
//! revoked key is 401, a key without the endpoint's scope 403. The key is never logged.

use std::sync::Arc;

use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::api::guards::client_ip::client_ip;
use crate::api::guards::key_limit::{KeyLimiter, Quota};
use crate::api::guards::rate_limit::RateLimiter;
use openslot_wire::errors::ErrorCode;

use crate::api::paths::canonical;
use crate::booking::BookingService;
use crate::booking::api_keys::{ApiCaller, Scope};

/// Checks keys before the public API's endpoints.
#[derive(Debug, Clone)]
pub struct KeyGate {
    pub service: BookingService,
    pub limiter: Arc<KeyLimiter>,
    /// The visitors' per-address limit, whose standing every visitor's API answer tells.
    pub visitors: Arc<RateLimiter>,
}

use crate::api::error_response as answer;

fn unauthorized() -> Response {
    let mut r = answer(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
        "the API key is not valid (wrong, unknown or revoked)",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}

/// The scope an endpoint needs from a key; `None`: any valid key.
fn needed(method: &Method, path: &str) -> Option<Scope> {
    let path = path.trim_end_matches('/');
    match path {
        "/api/v1/page" | "/api/v1/event-types" | "/api/v1/slots" => Some(Scope::SlotsRead),
        "/api/v1/bookings" if method == Method::POST => Some(Scope::BookingsWrite),
        p if p.starts_with("/api/v1/webhooks") => Some(Scope::WebhooksManage),
        p if p.starts_with("/api/v1/bookings/")
            && (method == Method::DELETE || method == Method::POST) =>
        {
            Some(Scope::BookingsWrite)
        }
        _ => None,
    }
}

fn with_quota(mut r: Response, q: Quota) -> Response {
    if q.limit > 0 {
        let h = r.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", u64::from(q.limit)),
            ("ratelimit-remaining", u64::from(q.remaining)),
            ("ratelimit-reset", q.reset),
        ] {
            h.insert(name, header::HeaderValue::from(value));
        }
    }
    r
}

impl KeyGate {
    /// A visitor's address, as the public API reckons it (`PublicApi::client`).
    fn visitor(&self, req: &Request) -> Option<std::net::IpAddr> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Some(client_ip(
            peer,
            xff,
            &self.service.config().security.trusted_proxies,
        ))
    }

    pub async fn call<E: Endpoint>(&self, ep: &E, mut req: Request) -> poem::Result<Response> {
        let path = canonical(req.uri().path()).unwrap_or_else(|| req.uri().path().to_owned());
        // Keys are for the API; anything else (an unknown path's 404 too) answers as before.
        // Only the Bearer scheme names a key: `Basic` from a password-protected site in front
        // of the booking page is not one.
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .filter(|_| path.starts_with("/api/v1/"))
            .map(|a| a.as_bytes())
            .filter(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case(b"bearer "))
            .map(|a| String::from_utf8_lossy(&a[7..]).into_owned());
        let Some(key) = bearer else {
            let visitor = self.visitor(&req).filter(|_| path.starts_with("/api/v1/"));
            // Errors go on to the listener's JSON error answers, as before.
            let r = ep.call(req).await?.into_response();
            return Ok(match visitor.and_then(|ip| self.visitors.peek(ip)) {
                Some(s) => with_quota(
                    r,
                    Quota {
                        limit: s.limit,
                        remaining: s.remaining,
                        reset: s.reset,
                        allowed: true,
                    },
                ),
                None => r,
            });
        };
        let caller: ApiCaller = match self.service.api_caller(&key).await {
            Ok(Some(c)) => c,
            Ok(None) => return Ok(unauthorized()),
            Err(e) => {
                tracing::error!(error = %e, "API key check failed");
                return Ok(answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "something went wrong on our side; please try again",
                ));
            }
        };
        let quota = self.limiter.check(&caller.key_id, self.service.now());
        if !quota.allowed {
            let mut r = answer(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many requests with this API key; please wait a moment",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(quota.reset));
            return Ok(with_quota(r, quota));
        }
        if let Some(scope) = needed(req.method(), &path)
            && !caller.may(scope)
        {
            let message = format!("this API key lacks the scope `{}`", scope.as_str());
            let r = answer(StatusCode::FORBIDDEN, ErrorCode::Forbidden, &message);
            return Ok(with_quota(r, quota));
        }
        req.extensions_mut().insert(caller);
        let r = match ep.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        Ok(with_quota(r, quota))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_need_their_scopes() {
        let cases = [
            (Method::GET, "/api/v1/slots", Some(Scope::SlotsRead)),
            (Method::GET, "/api/v1/event-types/", Some(Scope::SlotsRead)),
            (Method::POST, "/api/v1/bookings", Some(Scope::BookingsWrite)),
            (Method::GET, "/api/v1/bookings/x", None),
            (
                Method::DELETE,
                "/api/v1/bookings/x",
                Some(Scope::BookingsWrite),
            ),
            (
                Method::POST,
                "/api/v1/bookings/x/reschedule",
                Some(Scope::BookingsWrite),
            ),
            (Method::GET, "/api/v1/webhooks", Some(Scope::WebhooksManage)),
            (Method::GET, "/api/v1/captcha", None),
        ];
        for (method, path, scope) in cases {
            assert_eq!(needed(&method, path), scope, "{method} {path}");
        }
    }
}
