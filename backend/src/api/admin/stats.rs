//! `GET /admin/api/stats`: bookings made and cancelled per week, by event type, lead time.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

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

/// One ISO week (UTC) of bookings made and cancelled.
#[derive(Debug, Object)]
struct WeekJson {
    /// `2026-W48`.
    week: String,
    /// Its Monday.
    starts: String,
    /// Bookings made that week (any status now).
    booked: u32,
    /// Of those, by event type.
    by_event_type: BTreeMap<String, u32>,
    /// Cancellations made that week.
    cancelled: u32,
}

/// How many bookings were made this long before their meeting.
#[derive(Debug, Object)]
struct LeadBucketJson {
    /// The bucket holds lead times below this many hours (and at or above the previous
    /// bucket's); `None` for the last, open-ended one.
    below_hours: Option<u32>,
    count: u32,
}

#[derive(Debug, Object)]
struct StatsJson {
    /// The last 12 ISO weeks, oldest first (the current one last).
    weeks: Vec<WeekJson>,
    booked: u32,
    cancelled: u32,
    /// From booking to meeting, over the bookings made in those weeks; none without bookings.
    average_lead_time_hours: Option<f64>,
    /// The same bookings by lead time: under a day, 1-3 days, 3-7 days, 1-2 weeks, longer.
    lead_time: Vec<LeadBucketJson>,
    /// Every day of those weeks (UTC), oldest first: bookings made and cancellations.
    days: Vec<DayJson>,
    /// Bookings made in those weeks by event type.
    by_event_type: BTreeMap<String, u32>,
    /// Bookings made in those weeks by where the visit came from (the booking page's `?ref=`;
    /// `direct` without one).
    by_ref: BTreeMap<String, u32>,
    /// Of the bookings made in those weeks, the share cancelled since (0-1); none without
    /// bookings.
    cancellation_rate: Option<f64>,
    /// Of those whose meeting has begun and that were not cancelled, the share the owner marked
    /// as no-show (0-1); none without such meetings.
    no_show_rate: Option<f64>,
}

/// One day (UTC) of bookings made and cancelled.
#[derive(Debug, Object)]
struct DayJson {
    /// `2026-11-30`.
    date: String,
    booked: u32,
    cancelled: u32,
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
    /// Bookings made and cancelled per ISO week (UTC) over the last 12 weeks, by event type,
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
