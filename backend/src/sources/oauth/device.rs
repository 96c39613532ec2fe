//! The device code flow (Microsoft): start, poll, and `openslot auth microsoft`.

use std::io::Write;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Secret, SourceConfig};
use crate::sources::http;
use crate::sources::{SourceContext, SourceError};

use super::login::finish;
use super::{
    Endpoints, Service, TokenRefusal, client_id, io_error, limits_of, parse_json, refused, scope,
    token_request,
};

#[derive(Deserialize)]
pub(super) struct DeviceCodeAnswer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    interval: Option<u64>,
}

/// A started device code flow (RFC 8628 3.2): the owner opens `verification_uri` on any device
/// and enters `user_code`; the device code itself stays on the server.
pub struct DeviceCode {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .finish_non_exhaustive()
    }
}

/// One poll of the token endpoint in the device code flow.
#[derive(Debug)]
pub enum DevicePoll {
    /// The owner has not finished yet: poll again after the interval.
    Pending,
    /// Poll again, 5 seconds slower (RFC 8628 3.5).
    SlowDown,
    /// Signed in: the refresh token.
    Done(Secret),
}

/// Asks Microsoft for a device code (the owner signs in elsewhere).
pub async fn start_device_code(config: &SourceConfig) -> Result<DeviceCode, SourceError> {
    let endpoints = Endpoints::of(Service::Microsoft, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let response = client
        .post(endpoints.authorize.clone())
        .form(&[
            ("client_id", client_id.as_str()),
            ("scope", scope(Service::Microsoft, config.write)),
        ])
        .send()
        .await
        .map_err(|e| http::request_error(e, &http::host_of(&endpoints.authorize), limits))?;
    let status = response.status();
    let url = response.url().clone();
    let body = http::read_capped(response, limits).await?;
    if !status.is_success() {
        if let Ok(refusal) = serde_json::from_slice::<TokenRefusal>(&body) {
            return Err(refused(Service::Microsoft, &refusal.error));
        }
        return Err(http::status_error(status, &url));
    }
    let device: DeviceCodeAnswer = parse_json(&body)?;
    Ok(DeviceCode {
        device_code: Secret::new(device.device_code),
        user_code: device.user_code,
        verification_uri: device.verification_uri,
        expires_in: Duration::from_secs(device.expires_in.unwrap_or(900)),
        interval: Duration::from_secs(device.interval.unwrap_or(5).max(1)),
    })
}

/// Polls the token endpoint once for a device code.
pub async fn poll_device_code(
    config: &SourceConfig,
    device_code: &Secret,
) -> Result<DevicePoll, SourceError> {
    let endpoints = Endpoints::of(Service::Microsoft, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let mut form = vec![
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", client_id.as_str()),
        ("device_code", device_code.expose()),
    ];
    if let Some(secret) = &config.client_secret {
        form.push(("client_secret", secret.expose()));
    }
    match token_request(&client, &endpoints.token, &form, limits).await? {
        Ok(answer) => answer
            .refresh_token
            .map(|t| DevicePoll::Done(Secret::new(t)))
            .ok_or_else(|| {
                SourceError::Config(
                    "Microsoft sent no refresh token (is `offline_access` allowed for the app?)"
                        .to_owned(),
                )
            }),
        Err(r) => match r.error.as_str() {
            "authorization_pending" => Ok(DevicePoll::Pending),
            "slow_down" => Ok(DevicePoll::SlowDown),
            "authorization_declined" | "access_denied" => {
                Err(SourceError::Refused("the sign-in was declined".to_owned()))
            }
            "expired_token" => Err(SourceError::Refused(
                "the code expired before the sign-in finished".to_owned(),
            )),
            other => Err(refused(Service::Microsoft, other)),
        },
    }
}

/// `openslot auth microsoft --source ID`: the device code flow. Prints where to go and the code
/// to enter, then polls the token endpoint at the given interval (slower after `slow_down`)
/// until the owner signs in, declines, or the code expires; stores the refresh token.
pub async fn authorize_microsoft(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let device = start_device_code(config).await?;
    writeln!(
        out,
        "To sign in, open {} in a browser and enter the code {}",
        device.verification_uri, device.user_code
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let deadline = tokio::time::Instant::now() + device.expires_in;
    let mut interval = device.interval;
    loop {
        tokio::time::sleep(interval).await;
        if tokio::time::Instant::now() >= deadline {
            return Err(expired(config));
        }
        match poll_device_code(config, &device.device_code).await {
            Ok(DevicePoll::Done(refresh)) => {
                return finish(Service::Microsoft, config, ctx, refresh.expose(), out);
            }
            Ok(DevicePoll::Pending) => {}
            // RFC 8628 3.5: add 5 seconds to the interval.
            Ok(DevicePoll::SlowDown) => interval += Duration::from_secs(5),
            Err(SourceError::Refused(m)) if m.starts_with("the code expired") => {
                return Err(expired(config));
            }
            Err(e) => return Err(e),
        }
    }
}

pub(super) fn expired(config: &SourceConfig) -> SourceError {
    SourceError::Config(format!(
        "the code expired before the sign-in finished: run `openslot auth microsoft --source {}` again",
        config.id
    ))
}
