//! Manual blocks: times the owner takes out of the offer (bookings already made stay).

use std::sync::Arc;

use chrono::Duration;
use openslot_wire::admin::{BlockBody, BlockJson};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::guards::session::random_id;
use crate::api::public::{ErrorCode, ErrorJson, error, internal};
use crate::booking::BlockRow;
use crate::calendar::Interval;

use super::{AdminAuth, OwnerToken, Part, Tag, invalid, parse_instant, utc};

/// Manual blocks.
#[derive(Debug)]
pub struct BlocksApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for BlocksApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum BlocksResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<BlockJson>>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum AddBlockResponse {
    /// Blocked: no slot overlaps it from now on.
    #[oai(status = 201)]
    Created(Json<BlockJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum DeleteBlockResponse {
    /// Removed.
    #[oai(status = 204)]
    Deleted,
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn block_json(b: &BlockRow) -> BlockJson {
    BlockJson {
        id: b.id.clone(),
        start: utc(b.span.start),
        end: utc(b.span.end),
        label: b.label.clone(),
        created_at: utc(b.created_at),
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl BlocksApi {
    /// Manual blocks overlapping `[from, to)` (RFC 3339 or days; default: 30 days ago to a
    /// year ahead).
    #[oai(
        path = "/blocks",
        method = "get",
        operation_id = "listBlocks",
        tag = "Tag::Bookings"
    )]
    async fn blocks(
        &self,
        _auth: OwnerToken,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> BlocksResponse {
        let now = self.service().now();
        let from = match self.bound("from", from.0.as_deref(), now - Duration::days(30), false) {
            Ok(t) => t,
            Err(e) => return BlocksResponse::Invalid(e),
        };
        let to = match self.bound("to", to.0.as_deref(), now + Duration::days(400), true) {
            Ok(t) => t,
            Err(e) => return BlocksResponse::Invalid(e),
        };
        match self.service().blocks(from, to).await {
            Ok(rows) => BlocksResponse::Ok(Json(rows.iter().map(block_json).collect())),
            Err(e) => BlocksResponse::Internal(internal(&e)),
        }
    }

    /// Blocks `[start, end)`: no slot overlaps it (bookings already made stay).
    #[oai(
        path = "/blocks",
        method = "post",
        operation_id = "addBlock",
        tag = "Tag::Bookings"
    )]
    async fn add_block(&self, _auth: OwnerToken, body: Json<BlockBody>) -> AddBlockResponse {
        let body = body.0;
        let start = match parse_instant("start", body.start.as_deref().unwrap_or_default()) {
            Ok(t) => t,
            Err(e) => return AddBlockResponse::Invalid(e),
        };
        let end = match parse_instant("end", body.end.as_deref().unwrap_or_default()) {
            Ok(t) => t,
            Err(e) => return AddBlockResponse::Invalid(e),
        };
        let Some(span) =
            Interval::new(start, end).filter(|s| s.end - s.start <= Duration::days(366))
        else {
            return AddBlockResponse::Invalid(invalid(
                "end",
                "must be after `start` and at most 366 days later",
            ));
        };
        let label = body.label.unwrap_or_default().trim().to_owned();
        if label.chars().count() > 100 || label.contains(['\n', '\r']) {
            return AddBlockResponse::Invalid(invalid("label", "at most 100 characters, one line"));
        }
        let now = self.service().now();
        let row = BlockRow {
            id: random_id(),
            span,
            label,
            created_at: now,
        };
        match self.service().add_block(&row).await {
            Ok(()) => {
                tracing::info!(block = %row.id, start = %row.span.start, end = %row.span.end, "block added");
                AddBlockResponse::Created(Json(block_json(&row)))
            }
            Err(e) => AddBlockResponse::Internal(internal(&e)),
        }
    }

    /// Removes a manual block.
    #[oai(
        path = "/blocks/:id",
        method = "delete",
        operation_id = "deleteBlock",
        tag = "Tag::Bookings"
    )]
    async fn delete_block(&self, _auth: OwnerToken, id: Path<String>) -> DeleteBlockResponse {
        match self.service().delete_block(&id.0).await {
            Ok(true) => {
                tracing::info!(block = %id.0, "block removed");
                DeleteBlockResponse::Deleted
            }
            Ok(false) => DeleteBlockResponse::NotFound(error(ErrorCode::NotFound, "no such block")),
            Err(e) => DeleteBlockResponse::Internal(internal(&e)),
        }
    }
}
