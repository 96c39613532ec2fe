//! `GET /admin/api/explain`: every reason a time is not bookable, and what opens it.

use std::sync::Arc;

use chrono::Duration;
use openslot_wire::admin::ExplainJson;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, internal};
use crate::availability::{Explanation, explain};
use crate::calendar::Interval;

use super::{AdminAuth, OwnerToken, Part, Tag, invalid, parse_instant, utc};

/// Why a time is (not) free.
#[derive(Debug)]
pub struct ExplainApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for ExplainApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum ExplainResponse {
    #[oai(status = 200)]
    Ok(Json<ExplainJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl ExplainApi {
    /// Why an instant (`at`, RFC 3339) is or is not bookable, for an event type or as a bare
    /// instant: working hours, overrides, blocks, busy calendars, bookings, buffers, notice,
    /// horizon, daily limits.
    #[oai(
        path = "/explain",
        method = "get",
        operation_id = "explainSlot",
        tag = "Tag::Availability"
    )]
    async fn explain(
        &self,
        _auth: OwnerToken,
        at: Query<Option<String>>,
        event_type: Query<Option<String>>,
    ) -> ExplainResponse {
        let Some(text) = at.0 else {
            return ExplainResponse::Invalid(invalid("at", "is required (RFC 3339)"));
        };
        let at = match parse_instant("at", &text) {
            Ok(t) => t,
            Err(e) => return ExplainResponse::Invalid(e),
        };
        let et = match event_type.0.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(slug) => match self.service().event_type(slug) {
                Some(et) => Some(et),
                None => {
                    return ExplainResponse::Invalid(invalid(
                        "event_type",
                        format!("there is no event type `{slug}`"),
                    ));
                }
            },
        };
        let now = self.service().now();
        let window = Interval {
            start: at - Duration::days(2),
            end: at + Duration::days(2),
        };
        let held = match self.service().window_facts(window, now).await {
            Ok(x) => x,
            Err(e) => return ExplainResponse::Internal(internal(&e)),
        };
        let facts = held.facts(now);
        let Explanation {
            bookable,
            reasons,
            opened_by,
        } = explain(&self.service().config().rules(), et.as_ref(), &facts, at);
        // The owner reads times in their zone and calendars by their names.
        let names: std::collections::BTreeMap<String, String> = self
            .service()
            .source_statuses(now)
            .into_iter()
            .filter_map(|s| s.name.map(|n| (s.id, n)))
            .collect();
        let calendar = |id: &str| match names.get(id) {
            Some(name) => format!("{name:?}"),
            None => format!("source {id:?}"),
        };
        let zone = self.service().config().rules().timezone;
        ExplainResponse::Ok(Json(ExplainJson {
            at: utc(at),
            event_type: et.map(|e| e.slug),
            bookable,
            reasons: reasons.iter().map(|r| r.in_words(zone, calendar)).collect(),
            opened_by: opened_by
                .iter()
                .map(|o| o.in_words(zone, calendar))
                .collect(),
        }))
    }
}
