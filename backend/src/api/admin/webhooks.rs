//! Webhook subscriptions: listed (the file's `[[webhooks]]` too, read-only, never a secret),
//! made (the secret in the answer once and nowhere else), deleted, and a test ping.

use std::sync::Arc;

use openslot_wire::admin::{NewWebhookJson, Origin, WebhookBody, WebhookJson, WebhookTestJson};
use openslot_wire::errors::ErrorCode;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, error, internal};
use crate::booking::webhooks::{Creator, Deleted, PingError, SubscribeError, Subscription};

use super::{AdminAuth, Checked, OwnerToken, Part, Tag, invalid, utc};

/// Webhook subscriptions.
#[derive(Debug)]
pub struct WebhooksApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for WebhooksApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum WebhooksResponse {
    /// The file's webhooks first (`origin` = `file`), then the ones made through the APIs.
    #[oai(status = 200)]
    Ok(Json<Vec<WebhookJson>>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
pub(crate) enum CreateWebhookResponse {
    /// Made; `secret` is in this answer only.
    #[oai(status = 201)]
    Created(Json<NewWebhookJson>),
    /// A field is wrong, or the URL's address is not allowed (the message says why).
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum DeleteWebhookResponse {
    /// Deleted: nothing more is sent to it; its queued deliveries end as failed.
    #[oai(status = 204)]
    Deleted,
    /// No such webhook.
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// A webhook of the configuration file (`wrong_state`): change the file.
    #[oai(status = 409)]
    FromFile(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum TestWebhookResponse {
    /// The receiver answered the signed `ping` with 2xx.
    #[oai(status = 200)]
    Sent(Json<WebhookTestJson>),
    /// No such webhook.
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    /// The receiver could not be reached or did not answer 2xx (`unreachable`; the message
    /// says why).
    #[oai(status = 502)]
    Failed(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

pub(crate) fn webhook_json(s: &Subscription) -> WebhookJson {
    WebhookJson {
        id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        origin: if s.made.is_some() {
            Origin::Dashboard
        } else {
            Origin::File
        },
        created_by: s.made.as_ref().map(|(who, _)| match who {
            Creator::Dashboard => "dashboard".to_owned(),
            Creator::Key(id) => format!("key:{id}"),
        }),
        created_at: s.made.as_ref().map(|(_, at)| utc(*at)),
    }
}

/// The 422 or 500 of a subscription not made.
pub(crate) fn subscribe_error(e: &SubscribeError) -> (bool, Json<ErrorJson>) {
    match e {
        SubscribeError::Invalid { field, message } => (true, invalid(field, message.clone())),
        SubscribeError::Sealing(_) | SubscribeError::Store(_) => (false, internal(e)),
    }
}

/// The JSON body read as `WebhookBody`, or a 422 naming what is wrong.
pub(crate) fn read_body(value: serde_json::Value) -> Result<WebhookBody, Json<ErrorJson>> {
    serde_json::from_value::<WebhookBody>(value).map_err(|e| {
        let text = e.to_string();
        let field = if text.contains("events") {
            "events"
        } else {
            "url"
        };
        invalid(field, text)
    })
}

#[OpenApi(prefix_path = "/admin/api")]
impl WebhooksApi {
    /// Every webhook: the configuration file's (read-only) and the ones made through the
    /// APIs. Never a secret.
    #[oai(
        path = "/webhooks",
        method = "get",
        tag = "Tag::Deliveries",
        operation_id = "listWebhooks"
    )]
    async fn webhooks(&self, _auth: OwnerToken) -> WebhooksResponse {
        match self.service().webhooks(&Creator::Dashboard).await {
            Ok(list) => WebhooksResponse::Ok(Json(list.iter().map(webhook_json).collect())),
            Err(e) => WebhooksResponse::Internal(internal(&e)),
        }
    }

    /// Subscribes a URL to webhook events; the answer holds the signing secret, once.
    #[oai(
        path = "/webhooks",
        method = "post",
        tag = "Tag::Deliveries",
        operation_id = "createWebhook"
    )]
    async fn create_webhook(
        &self,
        _auth: OwnerToken,
        body: Json<Checked<WebhookBody>>,
    ) -> CreateWebhookResponse {
        let body = match read_body(body.0.value) {
            Ok(b) => b,
            Err(e) => return CreateWebhookResponse::Invalid(e),
        };
        let made = self
            .service()
            .create_webhook(&body.url, body.events, &Creator::Dashboard)
            .await;
        match made {
            Ok(made) => {
                tracing::info!(webhook = %made.subscription.id, "webhook subscribed");
                CreateWebhookResponse::Created(Json(NewWebhookJson {
                    row: webhook_json(&made.subscription),
                    secret: made.secret,
                }))
            }
            Err(e) => match subscribe_error(&e) {
                (true, body) => CreateWebhookResponse::Invalid(body),
                (false, body) => CreateWebhookResponse::Internal(body),
            },
        }
    }

    /// Deletes a webhook made through the APIs; the file's answer 409.
    #[oai(
        path = "/webhooks/:id",
        method = "delete",
        tag = "Tag::Deliveries",
        operation_id = "deleteWebhook"
    )]
    async fn delete_webhook(&self, _auth: OwnerToken, id: Path<String>) -> DeleteWebhookResponse {
        match self
            .service()
            .delete_webhook(&id.0, &Creator::Dashboard)
            .await
        {
            Ok(Deleted::Done) => {
                tracing::info!(webhook = %id.0, "webhook deleted");
                DeleteWebhookResponse::Deleted
            }
            Ok(Deleted::FromFile) => DeleteWebhookResponse::FromFile(error(
                ErrorCode::WrongState,
                "this webhook comes from the configuration file: remove it there",
            )),
            Ok(Deleted::NotFound) => {
                DeleteWebhookResponse::NotFound(error(ErrorCode::NotFound, "no such webhook"))
            }
            Err(e) => DeleteWebhookResponse::Internal(internal(&e)),
        }
    }

    /// Sends a signed `ping` event to the webhook at once (not queued, not in the delivery
    /// log) and answers with the receiver's status.
    #[oai(
        path = "/webhooks/:id/test",
        method = "post",
        tag = "Tag::Deliveries",
        operation_id = "testWebhook"
    )]
    async fn test_webhook(&self, _auth: OwnerToken, id: Path<String>) -> TestWebhookResponse {
        match self.service().ping_webhook(&id.0).await {
            Ok(status) => TestWebhookResponse::Sent(Json(WebhookTestJson { status })),
            Err(PingError::NotFound) => {
                TestWebhookResponse::NotFound(error(ErrorCode::NotFound, "no such webhook"))
            }
            Err(PingError::Failed(why)) => {
                TestWebhookResponse::Failed(error(ErrorCode::Unreachable, why))
            }
            Err(e @ PingError::Store(_)) => TestWebhookResponse::Internal(internal(&e)),
        }
    }
}
