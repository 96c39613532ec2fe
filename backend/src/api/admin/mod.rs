//! The owner's API (`/admin/api`, only on `admin_listen`), one file per resource: `login`,
//! `bookings` (list, filter, cancel, no-show), `blocks` (manual blocks), `sources` (their
//! status, the dashboard's sources), `rules` (read, edit, reset), `explain`, `week` (the week
//! view, put together in `admin_week.rs`), `stats`, `deliveries` (the log, retry), `mail` (the settings, a test mail), `api_keys`, `webhooks`. `/metrics`
//! is in `metrics.rs`. Each resource is an API of its own; `apis` gives them as the tuple
//! poem-openapi serves, in the order of the document.
//!
//! Invariants: every endpoint but `login` needs a valid owner token (HS256, not expired at the
//! service's `now`); without a configured password hash no token is accepted at all and login
//! answers 503. Passwords and tokens never reach a log line. The public listener never mounts
//! any of this (server.rs).

mod api_keys;
mod blocks;
mod bookings;
mod deliveries;
mod explain;
mod login;
mod mail;
mod page;
mod rules;
mod security;
mod sources;
mod stats;
mod webhooks;
mod week;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::{SecurityScheme, Tags};

use crate::booking::BookingService;
use crate::sync::catalog::SourceCatalog;

use super::guards::client_ip::client_ip;
use super::guards::rate_limit::RateLimiter;
use super::guards::session::{Claims, Sessions};
use crate::api::public::{ErrorCode, ErrorJson, error};

pub use api_keys::ApiKeysApi;
pub use blocks::BlocksApi;
pub use bookings::BookingsApi;
pub use deliveries::DeliveriesApi;
pub use explain::ExplainApi;
pub use login::LoginApi;
pub use mail::MailApi;
pub use page::PageApi;
pub use rules::RulesApi;
pub use security::SecurityApi;
pub use sources::SourcesApi;
pub(crate) use sources::{SourceChangeResponse, change_error, source_status};
pub use stats::StatsApi;
pub use webhooks::WebhooksApi;
pub(crate) use webhooks::subscribe_error;
pub use week::WeekApi;

/// Every part of the admin API, in the order of its document.
pub type AdminApis = (
    LoginApi,
    BookingsApi,
    BlocksApi,
    SourcesApi,
    RulesApi,
    WeekApi,
    ExplainApi,
    StatsApi,
    DeliveriesApi,
    MailApi,
    PageApi,
    SecurityApi,
    ApiKeysApi,
    WebhooksApi,
);

/// The parts of the admin API over one `auth` (and the login's rate limit).
pub fn apis(auth: &Arc<AdminAuth>, login_limiter: Arc<RateLimiter>) -> AdminApis {
    let auth = || Arc::clone(auth);
    (
        LoginApi {
            auth: auth(),
            limiter: login_limiter,
        },
        BookingsApi { auth: auth() },
        BlocksApi { auth: auth() },
        SourcesApi { auth: auth() },
        RulesApi { auth: auth() },
        WeekApi { auth: auth() },
        ExplainApi { auth: auth() },
        StatsApi { auth: auth() },
        DeliveriesApi { auth: auth() },
        MailApi { auth: auth() },
        PageApi { auth: auth() },
        SecurityApi { auth: auth() },
        ApiKeysApi { auth: auth() },
        WebhooksApi { auth: auth() },
    )
}

/// What every part of the admin API holds, and the helpers they share.
trait Part {
    fn auth(&self) -> &Arc<AdminAuth>;

    fn service(&self) -> &BookingService {
        &self.auth().service
    }

    fn client(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Some(client_ip(
            peer,
            xff,
            &self.service().config().security.trusted_proxies,
        ))
    }

    /// A time bound: RFC 3339, or a day (`YYYY-MM-DD`, in the owner's zone; `to` includes it).
    fn bound(
        &self,
        field: &str,
        text: Option<&str>,
        default: DateTime<Utc>,
        end: bool,
    ) -> Result<DateTime<Utc>, Json<ErrorJson>> {
        let Some(text) = text.map(str::trim) else {
            return Ok(default);
        };
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let day = if end { day.succ_opt() } else { Some(day) };
            let zone = self.service().config().owner.timezone;
            return day
                .and_then(|d| crate::availability::start_of_day(zone, d))
                .ok_or_else(|| invalid(field, "is out of range"));
        }
        parse_instant(field, text)
            .map_err(|_| invalid(field, "is not an RFC 3339 time or a date (YYYY-MM-DD)"))
    }
}

/// Login attempts per client address and minute.
pub const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 10;

/// The most bookings one list answer holds.
pub const MAX_LIST: u32 = 1000;

#[derive(Tags)]
enum Tag {
    /// Logging in.
    Session,
    /// The owner's bookings and manual blocks.
    Bookings,
    /// Calendars, rules and why a time is (not) free.
    Availability,
    /// Numbers.
    Stats,
    /// Mail and webhook deliveries.
    Deliveries,
}

/// What the token checker needs; put into every admin request (`Route::data`).
#[derive(Debug)]
pub struct AdminAuth {
    pub service: BookingService,
    pub sessions: Sessions,
    /// The sources added in the dashboard.
    pub sources: Arc<SourceCatalog>,
}

impl AdminAuth {
    /// The claims of a valid owner token, or why not (a password must be configured).
    fn check(&self, token: &str) -> Option<Claims> {
        self.service.config().admin.password_hash.as_ref()?;
        self.sessions.verify(token, self.service.now()).ok()
    }
}

/// The owner's token from `POST /admin/api/login`; without a valid one every admin endpoint
/// answers 401 (`{"error": "unauthorized"}`).
#[derive(Debug, SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_token")]
pub struct OwnerToken(pub Claims);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Claims> {
    req.data::<Arc<AdminAuth>>()
        .and_then(|auth| auth.check(&bearer.token))
        .ok_or_else(|| poem::Error::from_response(unauthorized()))
}

/// The 401 answer of every admin endpoint: JSON like every other error.
pub fn unauthorized() -> poem::Response {
    let mut r = super::error_response(
        poem::http::StatusCode::UNAUTHORIZED,
        openslot_wire::errors::ErrorCode::Unauthorized,
        "log in first (POST /admin/api/login) and send the token as `Authorization: Bearer TOKEN`",
    );
    r.headers_mut().insert(
        poem::http::header::WWW_AUTHENTICATE,
        poem::http::HeaderValue::from_static("Bearer"),
    );
    r
}

fn invalid(field: &str, reason: impl Into<String>) -> Json<ErrorJson> {
    let reason = reason.into();
    let mut body = error(ErrorCode::Invalid, format!("{field}: {reason}"));
    body.0.fields = vec![crate::api::public::FieldError {
        field: field.to_owned(),
        reason,
    }];
    body
}

/// A 422 for a configuration-shaped body: every problem, each as a field the reader named.
fn config_problems(problems: &crate::config::ConfigErrors) -> Json<ErrorJson> {
    let mut body = error(ErrorCode::Invalid, problems.to_string());
    body.0.fields = problems
        .0
        .iter()
        .map(|p| crate::api::public::FieldError {
            field: p.key.clone(),
            reason: p.message.clone(),
        })
        .collect();
    body
}

fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>, Json<ErrorJson>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            invalid(
                field,
                "is not an RFC 3339 time (e.g. 2026-12-01T09:30:00+01:00)",
            )
        })
}

/// A request body documented as the wire type `T` but kept as the JSON sent, because it is
/// checked like the configuration file (`[[sources]]`, `[availability]`): an unknown key or a
/// value of the wrong type is then a 422 naming the key, as the file's reader words it, rather
/// than a parse error.
pub(crate) struct Checked<T> {
    pub value: serde_json::Value,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T: poem_openapi::types::Type> poem_openapi::types::Type for Checked<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = serde_json::Value;
    type RawElementValueType = serde_json::Value;

    fn name() -> std::borrow::Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(&self.value))
    }
}

impl<T: poem_openapi::types::Type> poem_openapi::types::ParseFromJSON for Checked<T> {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        Ok(Self {
            value: value.unwrap_or_default(),
            _type: std::marker::PhantomData,
        })
    }
}
