//! The owner's feed URLs on the admin API: read them (for the dashboard's copy buttons) and
//! rotate them (every earlier URL stops working). The tokens live in `booking::feeds`.

use std::sync::Arc;

pub use openslot_wire::admin::FeedUrlsJson;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::admin::{AdminAuth, OwnerToken};
use super::public::{ErrorJson, internal};
use crate::booking::feeds::FeedUrls;

#[derive(Tags)]
enum Tag {
    /// The owner's secret calendar feeds.
    Feeds,
}

impl From<FeedUrls> for FeedUrlsJson {
    fn from(u: FeedUrls) -> Self {
        Self {
            bookings_url: u.bookings,
            freebusy_url: u.freebusy,
            rotated_at: u.rotated_at.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Debug, ApiResponse)]
pub enum FeedUrlsResponse {
    #[oai(status = 200)]
    Ok(Json<FeedUrlsJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

/// The feeds part of the admin API.
#[derive(Debug)]
pub struct AdminFeedsApi {
    pub auth: Arc<AdminAuth>,
}

#[OpenApi(prefix_path = "/admin/api", tag = "Tag::Feeds")]
impl AdminFeedsApi {
    /// The two feed URLs with their tokens.
    #[oai(path = "/feeds", method = "get", operation_id = "getFeedUrls")]
    async fn feeds(&self, _auth: OwnerToken) -> FeedUrlsResponse {
        match self.auth.service.feed_urls().await {
            Ok(urls) => FeedUrlsResponse::Ok(Json(urls.into())),
            Err(e) => FeedUrlsResponse::Internal(internal(&e)),
        }
    }

    /// New feed URLs: the old ones answer 404 from now on (a calendar subscribed to them
    /// must be given the new ones).
    #[oai(
        path = "/feeds/rotate",
        method = "post",
        operation_id = "rotateFeedTokens"
    )]
    async fn rotate(&self, _auth: OwnerToken) -> FeedUrlsResponse {
        match self.auth.service.rotate_feeds().await {
            Ok(urls) => FeedUrlsResponse::Ok(Json(urls.into())),
            Err(e) => FeedUrlsResponse::Internal(internal(&e)),
        }
    }
}
