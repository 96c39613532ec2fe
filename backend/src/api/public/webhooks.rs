//! `/api/v1/webhooks`: an integrator's webhook subscriptions, with an API key of scope
//! `webhooks:manage` (`KeyGate` checks the key and the scope first and leaves the caller in the
//! request). A key sees and deletes only the subscriptions it made: another's is a 404.

use openslot_wire::public::{NewSubscriptionJson, SubscriptionBody, SubscriptionJson};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::admin::subscribe_error;
use crate::booking::BookingService;
use crate::booking::api_keys::{ApiCaller, Scope};
use crate::booking::webhooks::{Creator, Deleted, Subscription};

use super::{ErrorCode, ErrorJson, Tag, error, internal};

/// The webhooks part of the public API.
#[derive(Debug)]
pub struct SubscriptionsApi {
    pub service: BookingService,
}

/// An API key made in the owner's dashboard (`osk_<id>_<secret>`), with scope
/// `webhooks:manage`.
/// The caller `KeyGate` left in the request (it checked the key and its scope), or the 401 /
/// 403 body: the gate answers these first; this holds should it ever be bypassed.
fn caller(req: &Request) -> Result<Creator, (bool, Json<ErrorJson>)> {
    match req.extensions().get::<ApiCaller>() {
        None => Err((
            true,
            error(
                ErrorCode::Unauthorized,
                "send an API key as `Authorization: Bearer KEY`",
            ),
        )),
        Some(c) if !c.may(Scope::WebhooksManage) => Err((
            false,
            error(
                ErrorCode::Forbidden,
                "this API key lacks the scope webhooks:manage",
            ),
        )),
        Some(c) => Ok(Creator::Key(c.key_id.clone())),
    }
}

#[derive(ApiResponse)]
enum SubscriptionsResponse {
    /// The subscriptions this key made, oldest first.
    #[oai(status = 200)]
    Ok(Json<Vec<SubscriptionJson>>),
    /// No valid API key.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorJson>),
    /// The key lacks the scope `webhooks:manage`.
    #[oai(status = 403)]
    Forbidden(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "subscribe_bad_request")]
enum SubscribeResponse {
    /// Made; `secret` is in this answer only.
    #[oai(status = 201)]
    Created(Json<NewSubscriptionJson>),
    /// No valid API key.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorJson>),
    /// The key lacks the scope `webhooks:manage`.
    #[oai(status = 403)]
    Forbidden(Json<ErrorJson>),
    /// A field is wrong, or the URL's address is not allowed (private, local, cloud
    /// metadata...): the message says why.
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    /// The body is not a JSON object of this shape (`invalid`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorJson>),
    /// The body was not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorJson>),
    /// The body is larger than 64 KB (`too_large`); it is not read.
    #[oai(status = 413)]
    TooLarge(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn subscribe_bad_request(err: poem::Error) -> SubscribeResponse {
    match super::unparsable(&err) {
        super::Unparsable::UnsupportedMediaType(e) => SubscribeResponse::UnsupportedMediaType(e),
        super::Unparsable::BadRequest(e) => SubscribeResponse::BadRequest(e),
        super::Unparsable::Path => {
            SubscribeResponse::BadRequest(error(ErrorCode::Invalid, err.to_string()))
        }
        super::Unparsable::TooLarge(e) => SubscribeResponse::TooLarge(e),
    }
}

#[derive(ApiResponse)]
enum UnsubscribeResponse {
    /// Deleted: nothing more is sent to it.
    #[oai(status = 204)]
    Deleted,
    /// No valid API key.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorJson>),
    /// The key lacks the scope `webhooks:manage`.
    #[oai(status = 403)]
    Forbidden(Json<ErrorJson>),
    /// No subscription of that id made by this key.
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn subscription_json(s: &Subscription) -> SubscriptionJson {
    SubscriptionJson {
        id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        created_at: s
            .made
            .as_ref()
            .map(|(_, at)| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    }
}

#[OpenApi(prefix_path = "/api/v1")]
impl SubscriptionsApi {
    /// The webhook subscriptions this API key made (never their secrets).
    #[oai(
        path = "/webhooks",
        method = "get",
        operation_id = "listSubscriptions",
        tag = "Tag::Webhooks"
    )]
    async fn subscriptions(&self, req: &Request) -> SubscriptionsResponse {
        let who = match caller(req) {
            Ok(who) => who,
            Err((true, e)) => return SubscriptionsResponse::Unauthorized(e),
            Err((false, e)) => return SubscriptionsResponse::Forbidden(e),
        };
        match self.service.webhooks(&who).await {
            Ok(list) => {
                SubscriptionsResponse::Ok(Json(list.iter().map(subscription_json).collect()))
            }
            Err(e) => SubscriptionsResponse::Internal(internal(&e)),
        }
    }

    /// Subscribes a URL to webhook events: signed POSTs like the owner's webhooks
    /// (`OpenSlot-Signature`, `OpenSlot-Event`, `OpenSlot-Delivery`). The answer holds the
    /// signing secret, once.
    #[oai(
        path = "/webhooks",
        method = "post",
        operation_id = "createSubscription",
        tag = "Tag::Webhooks"
    )]
    async fn subscribe(&self, req: &Request, body: Json<SubscriptionBody>) -> SubscribeResponse {
        let who = match caller(req) {
            Ok(who) => who,
            Err((true, e)) => return SubscribeResponse::Unauthorized(e),
            Err((false, e)) => return SubscribeResponse::Forbidden(e),
        };
        let body = body.0;
        match self
            .service
            .create_webhook(&body.url, body.events, &who)
            .await
        {
            Ok(made) => {
                tracing::info!(webhook = %made.subscription.id, "webhook subscribed by a key");
                SubscribeResponse::Created(Json(NewSubscriptionJson {
                    row: subscription_json(&made.subscription),
                    secret: made.secret,
                }))
            }
            Err(e) => match subscribe_error(&e) {
                (true, body) => SubscribeResponse::Invalid(body),
                (false, body) => SubscribeResponse::Internal(body),
            },
        }
    }

    /// Deletes a subscription this key made.
    #[oai(
        path = "/webhooks/:id",
        method = "delete",
        operation_id = "deleteSubscription",
        tag = "Tag::Webhooks"
    )]
    async fn unsubscribe(&self, req: &Request, id: Path<String>) -> UnsubscribeResponse {
        let who = match caller(req) {
            Ok(who) => who,
            Err((true, e)) => return UnsubscribeResponse::Unauthorized(e),
            Err((false, e)) => return UnsubscribeResponse::Forbidden(e),
        };
        match self.service.delete_webhook(&id.0, &who).await {
            Ok(Deleted::Done) => UnsubscribeResponse::Deleted,
            Ok(Deleted::NotFound | Deleted::FromFile) => UnsubscribeResponse::NotFound(error(
                ErrorCode::NotFound,
                "no webhook subscription of that id was made with this key",
            )),
            Err(e) => UnsubscribeResponse::Internal(internal(&e)),
        }
    }
}
