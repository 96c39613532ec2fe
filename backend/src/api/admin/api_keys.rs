//! API keys for integrators: made (the key is in the answer once and nowhere else), listed,
//! revoked. Only a key's id and name reach the log.

use openslot_wire::errors::ErrorCode;
use std::sync::Arc;

use openslot_wire::admin::{ApiKeyBody, ApiKeyJson, NewApiKeyJson};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::public::{ErrorJson, error, internal};
use crate::booking::api_keys::{ApiKeyRow, Scope};

use super::{AdminAuth, OwnerToken, Part, Tag, invalid, utc};

/// API keys.
#[derive(Debug)]
pub struct ApiKeysApi {
    pub auth: Arc<AdminAuth>,
}

impl Part for ApiKeysApi {
    fn auth(&self) -> &Arc<AdminAuth> {
        &self.auth
    }
}

#[derive(ApiResponse)]
enum ApiKeysResponse {
    /// Every key, revoked ones too, newest first.
    #[oai(status = 200)]
    Ok(Json<Vec<ApiKeyJson>>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum CreateApiKeyResponse {
    /// Made; `key` is in this answer only.
    #[oai(status = 201)]
    Created(Json<NewApiKeyJson>),
    #[oai(status = 422)]
    Invalid(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

#[derive(ApiResponse)]
enum RevokeApiKeyResponse {
    /// Revoked: the key is refused (401) from now on.
    #[oai(status = 204)]
    Revoked,
    /// No such key, or revoked before.
    #[oai(status = 404)]
    NotFound(Json<ErrorJson>),
    #[oai(status = 500)]
    Internal(Json<ErrorJson>),
}

fn key_json(k: &ApiKeyRow) -> ApiKeyJson {
    ApiKeyJson {
        id: k.id.clone(),
        name: k.name.clone(),
        scopes: k.scopes.clone(),
        created_at: utc(k.created_at),
        last_used_at: k.last_used_at.map(utc),
        revoked_at: k.revoked_at.map(utc),
    }
}

#[OpenApi(prefix_path = "/admin/api")]
impl ApiKeysApi {
    /// The API keys of integrators.
    #[oai(
        path = "/api-keys",
        method = "get",
        tag = "Tag::Session",
        operation_id = "listApiKeys"
    )]
    async fn api_keys(&self, _auth: OwnerToken) -> ApiKeysResponse {
        match self.service().api_keys().await {
            Ok(rows) => ApiKeysResponse::Ok(Json(rows.iter().map(key_json).collect())),
            Err(e) => ApiKeysResponse::Internal(internal(&e)),
        }
    }

    /// Makes an API key; the answer holds the key, once.
    #[oai(
        path = "/api-keys",
        method = "post",
        tag = "Tag::Session",
        operation_id = "createApiKey"
    )]
    async fn create_api_key(
        &self,
        _auth: OwnerToken,
        body: Json<ApiKeyBody>,
    ) -> CreateApiKeyResponse {
        let name = body.0.name.unwrap_or_default().trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return CreateApiKeyResponse::Invalid(invalid("name", "1-100 characters, one line"));
        }
        let mut scopes = Vec::new();
        for s in body.0.scopes.unwrap_or_default() {
            match Scope::parse(s.trim()) {
                Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
                Some(_) => {}
                None => {
                    return CreateApiKeyResponse::Invalid(invalid(
                        "scopes",
                        format!(
                            "`{s}` is not a scope (slots:read, bookings:write, webhooks:manage)"
                        ),
                    ));
                }
            }
        }
        if scopes.is_empty() {
            return CreateApiKeyResponse::Invalid(invalid("scopes", "name at least one scope"));
        }
        match self.service().create_api_key(&name, &scopes).await {
            Ok(made) => {
                tracing::info!(api_key = %made.row.id, name = %made.row.name, "API key made");
                CreateApiKeyResponse::Created(Json(NewApiKeyJson {
                    row: key_json(&made.row),
                    key: made.key,
                }))
            }
            Err(e) => CreateApiKeyResponse::Internal(internal(&e)),
        }
    }

    /// Revokes an API key at once.
    #[oai(
        path = "/api-keys/:id",
        method = "delete",
        tag = "Tag::Session",
        operation_id = "revokeApiKey"
    )]
    async fn revoke_api_key(&self, _auth: OwnerToken, id: Path<String>) -> RevokeApiKeyResponse {
        match self.service().revoke_api_key(&id.0).await {
            Ok(true) => {
                tracing::info!(api_key = %id.0, "API key revoked");
                RevokeApiKeyResponse::Revoked
            }
            Ok(false) => {
                RevokeApiKeyResponse::NotFound(error(ErrorCode::NotFound, "no such API key"))
            }
            Err(e) => RevokeApiKeyResponse::Internal(internal(&e)),
        }
    }
}
