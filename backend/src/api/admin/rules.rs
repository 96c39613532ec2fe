//! The rules and event types that apply: read, edit (checked, stored, applied at once), reset
//! to the configuration file's.

use std::sync::Arc;

use openslot_wire::admin::{
    Origin, RecurringBlockJson, RulesDocument, RulesEventTypeJson, RulesJson, WeekHours,
};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, internal};
use crate::booking::RulesError;
use crate::config::format_range;

use super::{AdminAuth, Checked, OwnerToken, Part, Tag, config_problems, utc};

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
enum RulesResponse {
    #[oai(status = 200)]
    Ok(Json<Box<RulesJson>>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum RulesEditResponse {
    /// Saved and applied: the rules as they are now (like `GET /rules`).
    #[oai(status = 200)]
    Ok(Json<Box<RulesJson>>),
    /// The document does not check out; `fields` names each key as the file would.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn ranges(list: &[crate::availability::TimeRange]) -> Vec<String> {
    list.iter().map(format_range).collect()
}

impl RulesApi {
    /// The rules and event types that apply, where they come from (`file` or `dashboard`),
    /// and `document`: the same as an editable document (`PUT /rules` takes it back).
    fn rules_json(&self) -> Result<RulesJson, Json<ErrorJson>> {
        let config = self.service().config();
        let edited_at = self.service().rules_edited_at();
        let rules = config.rules();
        // The file's shape, made by the configuration module (which reads it back the same).
        let document: RulesDocument =
            serde_json::from_value(crate::config::rules_document(&config)).map_err(|e| {
                tracing::error!(error = %e, "the rules document does not fit its wire type");
                internal(&e)
            })?;
        let mut working_hours = WeekHours::default();
        for (i, day) in rules.working_hours.days.iter().enumerate() {
            *working_hours.day_mut(i) = ranges(day);
        }
        let a = &config.availability;
        Ok(RulesJson {
            timezone: rules.timezone.name().to_owned(),
            working_hours,
            date_overrides: rules
                .date_overrides
                .iter()
                .map(|(date, list)| (date.to_string(), ranges(list)))
                .collect(),
            recurring_blocks: rules
                .recurring_blocks
                .iter()
                .map(|b| RecurringBlockJson {
                    label: b.label.clone(),
                    days: b
                        .days
                        .iter()
                        .map(|d| WeekHours::DAYS[d.num_days_from_monday() as usize].to_owned())
                        .collect(),
                    time: format_range(&b.range),
                })
                .collect(),
            min_notice_minutes: a.min_notice_minutes,
            horizon_days: a.horizon_days,
            buffer_before_minutes: a.buffer_before_minutes,
            buffer_after_minutes: a.buffer_after_minutes,
            max_bookings_per_day: a.max_bookings_per_day,
            event_types: config
                .event_types
                .iter()
                .map(|e| RulesEventTypeJson {
                    slug: e.slug.clone(),
                    title: e.title.clone(),
                    description: e.description.clone(),
                    duration_minutes: e.duration_minutes,
                    step_minutes: e.step_minutes.unwrap_or(e.duration_minutes),
                    buffer_before_minutes: e
                        .buffer_before_minutes
                        .unwrap_or(a.buffer_before_minutes),
                    buffer_after_minutes: e.buffer_after_minutes.unwrap_or(a.buffer_after_minutes),
                    max_per_day: e.max_per_day,
                })
                .collect(),
            source: if edited_at.is_some() {
                Origin::Dashboard
            } else {
                Origin::File
            },
            edited_at: edited_at.map(utc),
            document,
        })
    }

    fn answer(&self) -> RulesEditResponse {
        match self.rules_json() {
            Ok(rules) => RulesEditResponse::Ok(Json(Box::new(rules))),
            Err(e) => RulesEditResponse::Internal(e),
        }
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
    async fn rules(&self, _auth: OwnerToken) -> RulesResponse {
        match self.rules_json() {
            Ok(rules) => RulesResponse::Ok(Json(Box::new(rules))),
            Err(e) => RulesResponse::Internal(e),
        }
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
        body: Json<Checked<RulesDocument>>,
    ) -> RulesEditResponse {
        match self.service().save_rules(&body.0.value).await {
            Ok(_) => {
                tracing::info!("rules edited in the dashboard");
                self.answer()
            }
            Err(RulesError::Invalid(problems)) => {
                RulesEditResponse::Invalid(config_problems(&problems))
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
                self.answer()
            }
            Err(e) => RulesEditResponse::Internal(internal(&e)),
        }
    }
}
