//! The owner's side of a test: the password "hunter2" as `openslot hash-password` wrote it, and
//! requests to the admin listener (JSON answers; a body that is not JSON comes back as a string).

use std::net::SocketAddr;

use reqwest::Method;
use serde_json::{Value, json};

use crate::app::TestApp;

/// The owner's password in every test configuration.
pub const PASSWORD: &str = "hunter2";

/// `openslot hash-password` of [`PASSWORD`] (argon2id, the default cost).
pub const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$zcCAYuC0R4cGEQbJoq4gpQ$AC8L/K/GfB72PjSGEOsNcG5TI6N5VCCs36Ympvsjz/8";

/// The `[admin]` section with [`PASSWORD`].
pub fn password_section() -> String {
    format!("[admin]\npassword_hash = '{PASSWORD_HASH}'\n")
}

/// A request to `base` (either listener); the status and the answer.
pub async fn request(
    client: &reqwest::Client,
    base: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("http://{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A request to the admin listener of `app`.
pub async fn admin(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    request(&app.client, app.admin, method, path, token, body).await
}

/// Logs in with [`PASSWORD`]; the owner's token.
pub async fn login(app: &TestApp) -> String {
    let (status, v) = admin(
        app,
        "POST",
        "/admin/api/login",
        None,
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    assert_eq!(status, 200, "login: {v}");
    v["token"].as_str().unwrap().to_owned()
}
