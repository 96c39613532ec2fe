//! The rules and event types that apply: read, edit (checked, stored, applied at once), reset
//! to the configuration file's.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::booking::RulesError;
use crate::config::format_range;

use super::{AdminAuth, JsonResponse, OwnerToken, Part, Tag, utc};

/// The rules.
#[derive(Debug)]
pub struct RulesApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for RulesApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum RulesEditResponse {
    /// Saved and applied: the rules as they are now (like `GET /rules`).
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
    /// The document does not check out; `fields` names each key as the file would.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

impl RulesApi {
    /// The rules and event types that apply, where they come from (`file` or `dashboard`),
    /// and `document`: the same as an editable document (`PUT /rules` takes it back).
    fn rules_json(&self) -> serde_json::Value {
        let config = self.service().config();
        let edited_at = self.service().rules_edited_at();
        let rules = config.rules();
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let hours: serde_json::Map<String, serde_json::Value> = days
            .iter()
            .zip(rules.working_hours.days.iter())
            .map(|(d, ranges)| {
                let list: Vec<String> = ranges.iter().map(format_range).collect();
                ((*d).to_owned(), serde_json::json!(list))
            })
            .collect();
        let overrides: serde_json::Map<String, serde_json::Value> = rules
            .date_overrides
            .iter()
            .map(|(date, ranges)| {
                let list: Vec<String> = ranges.iter().map(format_range).collect();
                (date.to_string(), serde_json::json!(list))
            })
            .collect();
        let blocks: Vec<serde_json::Value> = rules
            .recurring_blocks
            .iter()
            .map(|b| {
                let on: Vec<String> = b
                    .days
                    .iter()
                    .map(|d| days[d.num_days_from_monday() as usize].to_owned())
                    .collect();
                serde_json::json!({"label": b.label, "days": on, "time": format_range(&b.range)})
            })
            .collect();
        let a = &config.availability;
        let event_types: Vec<serde_json::Value> = config
            .event_types
            .iter()
            .map(|e| {
                serde_json::json!({
                    "slug": e.slug,
                    "title": e.title,
                    "description": e.description,
                    "duration_minutes": e.duration_minutes,
                    "step_minutes": e.step_minutes.unwrap_or(e.duration_minutes),
                    "buffer_before_minutes": e.buffer_before_minutes.unwrap_or(a.buffer_before_minutes),
                    "buffer_after_minutes": e.buffer_after_minutes.unwrap_or(a.buffer_after_minutes),
                    "max_per_day": e.max_per_day,
                })
            })
            .collect();
        serde_json::json!({
            "timezone": rules.timezone.name(),
            "working_hours": hours,
            "date_overrides": overrides,
            "recurring_blocks": blocks,
            "min_notice_minutes": a.min_notice_minutes,
            "horizon_days": a.horizon_days,
            "buffer_before_minutes": a.buffer_before_minutes,
            "buffer_after_minutes": a.buffer_after_minutes,
            "max_bookings_per_day": a.max_bookings_per_day,
            "event_types": event_types,
            "source": if edited_at.is_some() { "dashboard" } else { "file" },
            "edited_at": edited_at.map(utc),
            "document": crate::config::rules_document(&config),
        })
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl RulesApi {
    /// The availability rules and event types that apply: from the configuration file, or as
    /// edited in the dashboard (`source`), with `document` to edit.
    #[oai(
        path = "/rules",
        method = "get",
        operation_id = "getRules",
        tag = "Tag::Availability"
    )]
    async fn rules(&self, _auth: OwnerToken) -> JsonResponse {
        JsonResponse::Ok(Json(self.rules_json()))
    }

    /// Replaces the rules and event types with `{"availability": {…}, "event_types": […]}`
    /// (the configuration file's shape and checks). Applied at once, kept across restarts,
    /// until `DELETE /rules`.
    #[oai(
        path = "/rules",
        method = "put",
        operation_id = "editRules",
        tag = "Tag::Availability"
    )]
    async fn edit_rules(
        &self,
        _auth: OwnerToken,
        body: Json<serde_json::Value>,
    ) -> RulesEditResponse {
        match self.service().save_rules(&body.0).await {
            Ok(_) => {
                tracing::info!("rules edited in the dashboard");
                RulesEditResponse::Ok(Json(self.rules_json()))
            }
            Err(RulesError::Invalid(problems)) => {
                let mut body = error(ErrorCode::Invalid, problems.to_string());
                body.0.fields = problems
                    .0
                    .iter()
                    .map(|p| crate::api::public::FieldError {
                        field: p.key.clone(),
                        reason: p.message.clone(),
                    })
                    .collect();
                RulesEditResponse::Invalid(body)
            }
            Err(RulesError::Store(e)) => RulesEditResponse::Internal(internal(&e)),
        }
    }

    /// Forgets the dashboard's edits: the configuration file's rules apply again.
    #[oai(
        path = "/rules",
        method = "delete",
        operation_id = "resetRules",
        tag = "Tag::Availability"
    )]
    async fn reset_rules(&self, _auth: OwnerToken) -> RulesEditResponse {
        match self.service().reset_rules().await {
            Ok(()) => {
                tracing::info!("rules reset to the configuration file");
                RulesEditResponse::Ok(Json(self.rules_json()))
            }
            Err(e) => RulesEditResponse::Internal(internal(&e)),
        }
    }
}
