//! The owner's feed URLs on the admin API: read them (for the dashboard's copy buttons) and
//! rotate them (every earlier URL stops working). The tokens live in `booking::feeds`.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::admin::{AdminAuth, OwnerToken};
use super::public::{ErrorJson, internal};
use crate::booking::feeds::FeedUrls;

#[derive(Tags)]
enum Tag {
    /// The owner's secret calendar feeds.
    Feeds,
}

/// The feed URLs: add them to a calendar that OpenSlot cannot write to.
#[derive(Debug, Object)]
pub struct FeedUrlsJson {
    /// Every booking as events (`.../api/v1/bookings.ics?token=...`).
    pub bookings_url: String,
    /// The merged busy time without titles (`.../api/v1/freebusy.ics?token=...`).
    pub freebusy_url: String,
    /// When the URLs were last rotated (RFC 3339), absent if never.
    pub rotated_at: Option<String>,
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
