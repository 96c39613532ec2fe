//! The delivery log (mails and webhook requests) and the retry of a failed one.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openslot_wire::admin::DeliveryJson;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::api::wire;
use crate::booking::{DeliveryRow, Retried};

use super::{AdminAuth, MAX_LIST, OwnerToken, Part, Tag};

/// Mail and webhook deliveries.
#[derive(Debug)]
pub struct DeliveriesApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for DeliveriesApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

fn delivery_json(d: &DeliveryRow) -> DeliveryJson {
    let t = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    DeliveryJson {
        id: d.id,
        booking_id: d.booking_id.clone(),
        source_id: d.source_id.clone(),
        channel: wire::channel(d.channel),
        target: d.target.clone(),
        event: d.event.clone(),
        state: wire::work_state(d.state),
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error.clone(),
        next_attempt_at: t(d.next_attempt_at),
        created_at: t(d.created_at),
        updated_at: t(d.updated_at),
    }
}

#[derive(ApiResponse)]
enum DeliveriesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<DeliveryJson>>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum RetryResponse {
    /// Pending again and due now.
    #[oai(status = 200)]
    Ok(Json<DeliveryJson>),
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// Only a failed delivery can be retried.
    #[oai(status = 409)]
    NotFailed(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[OpenApi(prefix_path = "/admin/api")]
impl DeliveriesApi {
    /// The delivery log: the latest mails and webhook requests, newest first (at most
    /// `limit`, default 200, up to 1000).
    #[oai(
        path = "/deliveries",
        method = "get",
        operation_id = "listDeliveries",
        tag = "Tag::Deliveries"
    )]
    async fn deliveries(&self, _auth: OwnerToken, limit: Query<Option<u32>>) -> DeliveriesResponse {
        let limit = limit.0.unwrap_or(200).clamp(1, MAX_LIST);
        match self.service().deliveries(limit).await {
            Ok(rows) => DeliveriesResponse::Ok(Json(rows.iter().map(delivery_json).collect())),
            Err(e) => DeliveriesResponse::Internal(internal(&e)),
        }
    }

    /// Tries a failed delivery once more, now (its attempts so far are kept: if it fails
    /// again it is failed again, with the new reason).
    #[oai(
        path = "/deliveries/:id/retry",
        method = "post",
        operation_id = "retryDelivery",
        tag = "Tag::Deliveries"
    )]
    async fn retry_delivery(&self, _auth: OwnerToken, id: Path<i64>) -> RetryResponse {
        let id = id.0;
        match self.service().retry_delivery(id).await {
            Ok(Retried::Queued(row)) => {
                tracing::info!(delivery = id, "delivery retried by the owner");
                RetryResponse::Ok(Json(delivery_json(&row)))
            }
            Ok(Retried::NotFailed) => RetryResponse::NotFailed(error(
                ErrorCode::NotFailed,
                "only a failed delivery can be retried",
            )),
            Ok(Retried::NotFound) => {
                RetryResponse::NotFound(error(ErrorCode::NotFound, "no such delivery"))
            }
            Err(e) => RetryResponse::Internal(internal(&e)),
        }
    }
}
