//! The dashboard's session and its calls to the admin API: the token lives in sessionStorage
//! (gone with the tab) and goes out as a Bearer header; a 401 ends the session and sends the
//! owner back to the login form with a message.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, Call, ErrorCode};
use crate::strings::admin as t;

const TOKEN_KEY: &str = "openslot.admin.token";

/// The dashboard's shared state: who is logged in, and the live status line.
#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub token: RwSignal<Option<String>>,
    /// Shown on the login form (why the owner is there).
    pub notice: RwSignal<Option<String>>,
    /// The polite live region every view announces its outcomes in.
    pub status: RwSignal<String>,
    /// The owner's zone (from the rules); times are shown in it.
    pub zone: RwSignal<String>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

impl Session {
    pub fn restore() -> Self {
        let token = storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
        Session {
            token: RwSignal::new(token),
            notice: RwSignal::new(None),
            status: RwSignal::new(String::new()),
            zone: RwSignal::new(crate::time::browser_zone().unwrap_or_else(|| "UTC".to_owned())),
        }
    }

    pub fn start(&self, token: String) {
        if let Some(s) = storage() {
            let _ = s.set_item(TOKEN_KEY, &token);
        }
        self.notice.set(None);
        self.token.set(Some(token));
    }

    /// Ends the session; `why` is shown on the login form.
    pub fn end(&self, why: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(TOKEN_KEY);
        }
        self.notice.set(Some(why.to_owned()));
        self.token.set(None);
    }

    pub fn announce(&self, text: impl Into<String>) {
        self.status.set(text.into());
    }

    /// Sends `call` with the owner's token; a 401 ends the session.
    pub async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ApiError> {
        let token = self.token.get_untracked().unwrap_or_default();
        let result = call
            .header("Authorization", format!("Bearer {token}"))
            .json::<T>()
            .await;
        if matches!(&result, Err(e) if e.status() == Some(401)) {
            self.end(t::SESSION_ENDED);
        }
        result
    }
}

/// The session of the dashboard (provided by its root).
pub fn session() -> Session {
    expect_context::<Session>()
}

/// A failure in words for the owner.
pub fn explain(e: &ApiError) -> String {
    match e {
        ApiError::Offline | ApiError::Unreachable => t::OFFLINE.to_owned(),
        ApiError::Status {
            retry_after: Some(s),
            status: 429,
            ..
        } => t::rate_limited(*s),
        ApiError::Status { body, status, .. } => {
            let mut text = match body {
                Some(b) if !b.message.is_empty() => b.message.clone(),
                _ => format!("HTTP {status}"),
            };
            if let Some(body) = body.as_ref().filter(|b| b.error != ErrorCode::Invalid) {
                for f in &body.fields {
                    text.push_str(&format!("; {}: {}", f.field, f.reason));
                }
            }
            t::failed(&text)
        }
        ApiError::Unexpected(detail) => t::failed(detail),
    }
}

/// An async value as a view shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// Loads `T` from `path` into `into` (and again whenever called).
pub fn load<T>(session: Session, path: String, into: RwSignal<Load<T>>)
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    leptos::task::spawn_local(async move {
        match session.send::<T>(Call::get(path)).await {
            Ok(v) => into.set(Load::Ready(v)),
            Err(ApiError::Status { status: 401, .. }) => {}
            Err(e) => into.set(Load::Failed(explain(&e))),
        }
    });
}
