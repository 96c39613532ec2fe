//! `GET /admin/api/week`: the endpoint of the week view (`api/admin_week.rs` puts it together).

use std::sync::Arc;

use chrono::NaiveDate;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, internal};

use super::{AdminAuth, OwnerToken, Part, Tag, invalid};

/// The week view.
#[derive(Debug)]
pub struct WeekApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for WeekApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum WeekResponse {
    #[oai(status = 200)]
    Ok(Json<crate::api::admin_week::WeekViewJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl WeekApi {
    /// Busy time per calendar and merged, bookings, manual blocks and free slots of every
    /// event type for `days` days (default 7, at most 31) from `from` (a day in the owner's
    /// zone, default today); with `week=true`, from the Monday of the week holding that day.
    #[oai(
        path = "/week",
        method = "get",
        operation_id = "getWeek",
        tag = "Tag::Availability"
    )]
    async fn week(
        &self,
        _auth: OwnerToken,
        from: Query<Option<String>>,
        days: Query<Option<u32>>,
        week: Query<Option<bool>>,
    ) -> WeekResponse {
        let zone = self.service().config().owner.timezone;
        let today = self.service().now().with_timezone(&zone).date_naive();
        let first = match from.0.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => today,
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    return WeekResponse::Invalid(invalid("from", "is not a date (YYYY-MM-DD)"));
                }
            },
        };
        let first = if week.0.unwrap_or(false) {
            use chrono::Datelike;
            first - chrono::Duration::days(i64::from(first.weekday().num_days_from_monday()))
        } else {
            first
        };
        let days = days.0.unwrap_or(7);
        if !(1..=crate::api::admin_week::MAX_DAYS).contains(&days) {
            return WeekResponse::Invalid(invalid("days", "must be between 1 and 31"));
        }
        match crate::api::admin_week::week_view(self.service(), first, days).await {
            Ok(Some(view)) => WeekResponse::Ok(Json(view)),
            Ok(None) => WeekResponse::Invalid(invalid("from", "is out of range")),
            Err(e) => WeekResponse::Internal(internal(&e)),
        }
    }
}
