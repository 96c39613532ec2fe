//! `GET /admin/api/stats`: bookings made and cancelled per week, by event type, lead time.

use std::sync::Arc;

use openslot_wire::admin::{DayJson, LeadBucketJson, StatsJson, WeekJson};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, internal};
use crate::booking::stats::Stats;

use super::{AdminAuth, OwnerToken, Part, Tag};

/// Numbers.
#[derive(Debug)]
pub struct StatsApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for StatsApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum StatsResponse {
    #[oai(status = 200)]
    Ok(Json<StatsJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl StatsApi {
    /// Bookings made and cancelled per week and day in the owner's zone over the last 12
    /// weeks (Monday to Sunday), by event type,
    /// and the average time from booking to meeting.
    #[oai(
        path = "/stats",
        method = "get",
        operation_id = "getStats",
        tag = "Tag::Stats"
    )]
    async fn stats(&self, _auth: OwnerToken) -> StatsResponse {
        match self.service().stats(12).await {
            Ok(s) => StatsResponse::Ok(Json(StatsJson::from(s))),
            Err(e) => StatsResponse::Internal(internal(&e)),
        }
    }
}

impl From<Stats> for StatsJson {
    fn from(s: Stats) -> Self {
        StatsJson {
            weeks: s
                .weeks
                .into_iter()
                .map(|w| WeekJson {
                    week: w.week,
                    starts: w.starts,
                    booked: w.booked,
                    by_event_type: w.by_event_type,
                    cancelled: w.cancelled,
                })
                .collect(),
            booked: s.booked,
            cancelled: s.cancelled,
            average_lead_time_hours: s.average_lead_time_hours,
            lead_time: s
                .lead_time
                .into_iter()
                .map(|b| LeadBucketJson {
                    below_hours: b.below_hours,
                    count: b.count,
                })
                .collect(),
            days: s
                .days
                .into_iter()
                .map(|d| DayJson {
                    date: d.date,
                    booked: d.booked,
                    cancelled: d.cancelled,
                })
                .collect(),
            by_event_type: s.by_event_type,
            by_ref: s.by_ref,
            cancellation_rate: s.cancellation_rate,
            no_show_rate: s.no_show_rate,
        }
    }
}
