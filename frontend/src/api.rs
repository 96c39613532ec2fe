//! Talking to the backend: JSON over `fetch`, with every failure sorted into what the page can
//! tell a person (offline, rate limited, the server's own error code and message).
//!
//! The public page uses `/api/v1/...` on its own origin; the dashboard uses `/admin/api/...` on
//! the admin listener's origin with a Bearer token. Nothing here talks to another origin.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use openslot_wire::public::SlotJson;
pub use openslot_wire::{ErrorCode, ErrorJson, FieldError};

/// Why a request did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never reached the server, and the browser is offline.
    Offline,
    /// No answer while the browser is online: the service (or the way to it) is down.
    Unreachable,
    /// The server answered with an error status; `body` is its error JSON (none when the
    /// answer was not ours, e.g. a proxy's page).
    Status {
        status: u16,
        body: Option<ErrorJson>,
        /// `Retry-After` in seconds, on 429.
        retry_after: Option<u32>,
    },
    /// The server answered something this page does not understand.
    Unexpected(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error code (`not_free`, `rate_limited`, ...).
    pub fn code(&self) -> Option<ErrorCode> {
        self.body().map(|b| b.error)
    }

    /// The server's error body.
    pub fn body(&self) -> Option<&ErrorJson> {
        match self {
            ApiError::Status { body, .. } => body.as_ref(),
            _ => None,
        }
    }

    /// The error body, taken out.
    pub fn into_body(self) -> Option<ErrorJson> {
        match self {
            ApiError::Status { body, .. } => body,
            _ => None,
        }
    }
}

/// A request: method, path on this origin, optional JSON body and extra headers.
#[derive(Debug, Default)]
pub struct Call<'a> {
    pub method: &'a str,
    pub path: String,
    pub body: Option<String>,
    pub headers: Vec<(&'a str, String)>,
}

impl<'a> Call<'a> {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: "GET",
            path: path.into(),
            ..Call::default()
        }
    }

    pub fn send(method: &'a str, path: impl Into<String>, body: &impl serde::Serialize) -> Self {
        Call {
            method,
            path: path.into(),
            body: Some(serde_json::to_string(body).unwrap_or_default()),
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Runs the request and reads a JSON answer of type `T` (a 204 reads as `null`).
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let (status, text, retry_after) = self.run().await?;
        if (200..300).contains(&status) {
            let text = if text.is_empty() { "null" } else { &text };
            serde_json::from_str(text).map_err(|e| ApiError::Unexpected(e.to_string()))
        } else {
            let body = serde_json::from_str(&text).ok();
            Err(ApiError::Status {
                status,
                body,
                retry_after,
            })
        }
    }

    /// Runs the request and gives the text of a successful answer (a file of the page).
    pub async fn text(self) -> Result<String, ApiError> {
        match self.run().await? {
            (200, text, _) => Ok(text),
            (status, _, _) => Err(ApiError::Unexpected(format!("HTTP {status}"))),
        }
    }

    async fn run(self) -> Result<(u16, String, Option<u32>), ApiError> {
        let window = web_sys::window().ok_or(ApiError::Offline)?;
        let init = web_sys::RequestInit::new();
        init.set_method(self.method);
        let headers = web_sys::Headers::new().map_err(js_error)?;
        headers
            .set("Accept", "application/json")
            .map_err(js_error)?;
        if let Some(body) = &self.body {
            headers
                .set("Content-Type", "application/json")
                .map_err(js_error)?;
            init.set_body(&JsValue::from_str(body));
        }
        for (name, value) in &self.headers {
            headers.set(name, value).map_err(js_error)?;
        }
        init.set_headers(&headers);
        let request =
            web_sys::Request::new_with_str_and_init(&self.path, &init).map_err(js_error)?;
        // fetch rejects only when nothing came back: offline, or the service is not answering
        // (the visitor's network is fine: telling them to check it would mislead).
        let response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| {
                if window.navigator().on_line() {
                    ApiError::Unreachable
                } else {
                    ApiError::Offline
                }
            })?;
        let response: web_sys::Response = response.dyn_into().map_err(js_error)?;
        let retry_after = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok());
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(|_| ApiError::Offline)?;
        Ok((
            response.status(),
            text.as_string().unwrap_or_default(),
            retry_after,
        ))
    }
}

fn js_error(e: JsValue) -> ApiError {
    ApiError::Unexpected(format!("{e:?}"))
}

/// Percent-encodes a query or path component.
pub fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}
