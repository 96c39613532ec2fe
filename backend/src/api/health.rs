//! `/healthz` (the process answers) and `/readyz` (the database takes writes and no calendar
//! is too stale to book against), for uptime monitors and the container's health check.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::booking::BookingService;

#[derive(Debug)]
pub struct HealthApi {
    pub service: BookingService,
    /// The admin listener's copy names the stale calendars and why; the public one only
    /// counts them (a calendar's name, host or error text is the owner's business).
    pub names_calendars: bool,
}

#[derive(Debug, Object)]
pub struct Readiness {
    pub ready: bool,
    pub database_writable: bool,
    /// How many calendars are too out of date to book against (fail closed).
    pub stale_calendars: u32,
    /// Those calendars by id, with why: only on the admin listener.
    #[oai(skip_serializing_if_is_none)]
    pub stale_sources: Option<Vec<String>>,
}

#[derive(ApiResponse)]
enum ReadyResponse {
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// Not ready: the database is not writable or a calendar is stale (fail closed).
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

#[derive(ApiResponse)]
enum AliveResponse {
    /// The process answers.
    #[oai(status = 200)]
    Ok(poem_openapi::payload::PlainText<&'static str>),
}

#[OpenApi]
impl HealthApi {
    /// Alive.
    #[oai(path = "/healthz", method = "get", operation_id = "getHealth")]
    async fn healthz(&self) -> AliveResponse {
        AliveResponse::Ok(poem_openapi::payload::PlainText("ok"))
    }

    /// Ready to take bookings.
    #[oai(path = "/readyz", method = "get", operation_id = "getReadiness")]
    async fn readyz(&self) -> ReadyResponse {
        let database_writable = self.service.database_writable().await;
        let stale: Vec<String> = self
            .service
            .blocking_sources(self.service.now())
            .into_iter()
            .map(|s| format!("{}: {}", s.id, s.summary()))
            .collect();
        let ready = database_writable && stale.is_empty();
        let body = Json(Readiness {
            ready,
            database_writable,
            stale_calendars: u32::try_from(stale.len()).unwrap_or(u32::MAX),
            stale_sources: self.names_calendars.then_some(stale),
        });
        if ready {
            ReadyResponse::Ready(body)
        } else {
            ReadyResponse::NotReady(body)
        }
    }
}
