//! The authorization code flow with PKCE: the consent URL, the code from a redirect (to the
//! loopback server of `openslot auth google`, or pasted), its exchange for tokens.

use std::io::Write;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::config::{Secret, SourceConfig};
use crate::sources::http;
use crate::sources::{SourceContext, SourceError};

use super::{
    Endpoints, LOGIN_TIMEOUT, Service, client_id, io_error, limits_of, refused, scope,
    store_refresh_token, token_path, token_request,
};

/// `len` random bytes from the system's CSPRNG, base64url without padding.
pub fn random_text(len: usize) -> Result<String, SourceError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = vec![0u8; len];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SourceError::Config("the system has no random number source".to_owned()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The PKCE S256 challenge of a verifier (RFC 7636 4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// The consent address of the authorization code flow with PKCE S256, and what the flow keeps
/// until the code comes back (the verifier and the state never leave the server).
pub struct Consent {
    /// Where the owner's browser goes.
    pub url: Url,
    /// The redirect URI in the request; the code exchange must send the same.
    pub redirect_uri: String,
    /// Random, single use: the answer that carries another one is not ours.
    pub state: String,
    /// The PKCE code verifier (RFC 7636); only its S256 challenge is in `url`.
    pub verifier: Secret,
}

impl std::fmt::Debug for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consent")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Starts the authorization code flow of `service` for `config`'s client: a fresh state and
/// verifier, and the consent address sending the browser back to `redirect_uri`.
pub fn consent(
    service: Service,
    config: &SourceConfig,
    redirect_uri: &str,
) -> Result<Consent, SourceError> {
    let endpoints = Endpoints::of(service, config)?;
    let client_id = client_id(config)?;
    let verifier = random_text(48)?;
    let state = random_text(16)?;
    let mut url = endpoints.consent;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", scope(service, config.write))
            .append_pair("code_challenge", &pkce_challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state);
        match service {
            Service::Google => {
                q.append_pair("access_type", "offline")
                    .append_pair("prompt", "consent");
            }
            Service::Microsoft => {
                q.append_pair("response_mode", "query");
            }
        }
    }
    Ok(Consent {
        url,
        redirect_uri: redirect_uri.to_owned(),
        state,
        verifier: Secret::new(verifier),
    })
}

/// What came back from the consent page, as the owner pasted it: the code alone, or the whole
/// address the browser was sent to (`...?code=...&state=...`), whose state must be `state`.
pub fn pasted_code(text: &str, state: &str) -> Result<String, SourceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SourceError::Refused("nothing was pasted".to_owned()));
    }
    let Some(query) = text
        .contains("://")
        .then(|| Url::parse(text).ok())
        .flatten()
        .map(|u| u.query_pairs().into_owned().collect::<Vec<_>>())
        .or_else(|| {
            // `?code=...&state=...` or `code=...&state=...` without the address.
            let q = text.trim_start_matches(['/', '?']);
            q.contains("code=")
                .then(|| reqwest::Url::parse(&format!("http://x/?{q}")).ok())
                .flatten()
                .map(|u| u.query_pairs().into_owned().collect())
        })
    else {
        if text.chars().all(|c| c.is_ascii_graphic()) && text.len() <= 2048 {
            return Ok(text.to_owned());
        }
        return Err(SourceError::Refused(
            "that is not a code or the address the browser was sent to".to_owned(),
        ));
    };
    let get = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let Some(error) = get("error") {
        return Err(SourceError::Refused(format!(
            "the sign-in did not give access ({})",
            error
                .chars()
                .filter(char::is_ascii_graphic)
                .take(64)
                .collect::<String>()
        )));
    }
    match (get("code"), get("state")) {
        (Some(code), Some(s)) if s == state => Ok(code),
        (Some(_), Some(_)) => Err(SourceError::Refused(
            "this address belongs to another sign-in (its state differs): start again".to_owned(),
        )),
        (Some(code), None) => Ok(code),
        (None, _) => Err(SourceError::Refused("the address holds no code".to_owned())),
    }
}

/// Exchanges the code of a [`Consent`] for the refresh token (RFC 6749 4.1.3 with the PKCE
/// verifier).
pub async fn exchange_code(
    service: Service,
    config: &SourceConfig,
    consent: &Consent,
    code: &str,
) -> Result<Secret, SourceError> {
    let endpoints = Endpoints::of(service, config)?;
    let client_id = client_id(config)?;
    let limits = limits_of(config);
    let client = http::client(limits)?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", client_id.as_str()),
        ("redirect_uri", consent.redirect_uri.as_str()),
        ("code_verifier", consent.verifier.expose()),
    ];
    if let Some(secret) = &config.client_secret {
        form.push(("client_secret", secret.expose()));
    }
    if service == Service::Microsoft {
        form.push(("scope", scope(service, config.write)));
    }
    let answer = match token_request(&client, &endpoints.token, &form, limits).await? {
        Ok(answer) => answer,
        Err(refusal) => return Err(refused(service, &refusal.error)),
    };
    answer.refresh_token.map(Secret::new).ok_or_else(|| {
        SourceError::Config(match service {
            Service::Google => "Google sent no refresh token: remove OpenSlot at https://myaccount.google.com/permissions and connect again".to_owned(),
            Service::Microsoft => "Microsoft sent no refresh token (is `offline_access` allowed for the app?)".to_owned(),
        })
    })
}

/// `openslot auth google --source ID`: prints the consent URL, waits for the browser's redirect
/// to a listener on 127.0.0.1 (up to [`LOGIN_TIMEOUT`]), exchanges the code and stores the
/// refresh token.
pub async fn authorize_google(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    authorize_google_within(config, ctx, out, LOGIN_TIMEOUT).await
}

/// [`authorize_google`] with another wait for the browser.
pub async fn authorize_google_within(
    config: &SourceConfig,
    ctx: &SourceContext,
    out: &mut (dyn Write + Send),
    wait: Duration,
) -> Result<(), SourceError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        SourceError::Config(format!(
            "cannot listen on 127.0.0.1 for the sign-in answer: {e}"
        ))
    })?;
    let port = listener.local_addr().map_err(io_error)?.port();
    let consent = consent(
        Service::Google,
        config,
        &format!("http://127.0.0.1:{port}/"),
    )?;
    writeln!(
        out,
        "Open this address in a browser and allow OpenSlot to use the calendar:\n\n  {}\n\n\
         Waiting for the answer on {} (up to {} minutes)…",
        consent.url,
        consent.redirect_uri,
        wait.as_secs().div_ceil(60)
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let code = tokio::time::timeout(wait, receive_code(&listener, &consent.state))
        .await
        .map_err(|_| {
            SourceError::Config(format!(
                "no answer from the browser within {} minutes: run `openslot auth google --source {}` again",
                wait.as_secs().div_ceil(60),
                config.id
            ))
        })??;
    let refresh = exchange_code(Service::Google, config, &consent, &code).await?;
    finish(Service::Google, config, ctx, refresh.expose(), out)
}

/// The redirect URI of `openslot auth SERVICE --paste`: an address on the owner's own machine
/// that nothing answers, so the browser shows an error page whose address holds the code.
/// Google allows any loopback port for "Desktop app" clients; Microsoft allows
/// `http://localhost` for "Mobile and desktop applications".
pub fn paste_redirect_uri(service: Service) -> &'static str {
    match service {
        Service::Google => "http://127.0.0.1:1/",
        Service::Microsoft => "http://localhost",
    }
}

/// `openslot auth SERVICE --source ID --paste`: for a server the browser cannot reach. Prints
/// the consent URL; the browser then fails to load the address it is sent to, and the owner
/// pastes that address (or its code) on `input`; the code is exchanged and the refresh token
/// stored.
pub async fn authorize_pasted(
    service: Service,
    config: &SourceConfig,
    ctx: &SourceContext,
    input: &mut (dyn std::io::BufRead + Send),
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let consent = consent(service, config, paste_redirect_uri(service))?;
    writeln!(
        out,
        "Open this address in a browser (on any machine) and allow OpenSlot to use the calendar:\n\n  {}\n\n\
         The browser is then sent to {} and shows an error page: that is expected.\n\
         Copy the whole address from its address bar (or just the code) and paste it here:",
        consent.url, consent.redirect_uri
    )
    .and_then(|()| out.flush())
    .map_err(io_error)?;
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| SourceError::Config(format!("cannot read the pasted code: {e}")))?;
    let code = pasted_code(&line, &consent.state)?;
    let refresh = exchange_code(service, config, &consent, &code).await?;
    finish(service, config, ctx, refresh.expose(), out)
}

pub(super) fn finish(
    service: Service,
    config: &SourceConfig,
    ctx: &SourceContext,
    refresh: &str,
    out: &mut (dyn Write + Send),
) -> Result<(), SourceError> {
    let path = token_path(ctx, &config.id);
    store_refresh_token(&path, service, refresh)?;
    writeln!(
        out,
        "Authorized: source `{}` can now read {} Calendar (token stored in {}).",
        config.id,
        service.name(),
        path.display()
    )
    .map_err(io_error)
}

/// Serves the loopback redirect: answers every request, returns the `code` of the first one
/// that carries a code or an error. A wrong `state` ends the flow (a forged redirect).
pub(super) async fn receive_code(
    listener: &TcpListener,
    state: &str,
) -> Result<String, SourceError> {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let head = match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await
        {
            Ok(Ok(head)) => head,
            _ => continue,
        };
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("/");
        let params: Vec<(String, String)> = Url::parse("http://127.0.0.1")
            .and_then(|base| base.join(target))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let (status, page, result) = match (get("code"), get("error")) {
            (_, Some(error)) => (
                "200 OK",
                "OpenSlot was not given access. You can close this window.",
                Err(SourceError::Refused(format!(
                    "Google did not give access ({})",
                    error.chars().filter(char::is_ascii_graphic).take(64).collect::<String>()
                ))),
            ),
            (Some(code), None) if get("state").as_deref() == Some(state) => (
                "200 OK",
                "OpenSlot is authorized. You can close this window.",
                Ok(code),
            ),
            (Some(_), None) => (
                "400 Bad Request",
                "This answer does not belong to the sign-in OpenSlot started.",
                Err(SourceError::Refused(
                    "the browser's answer had the wrong state (not the sign-in OpenSlot started): run `openslot auth` again"
                        .to_owned(),
                )),
            ),
            (None, None) => {
                // The browser's favicon, a stray request: not the answer.
                let _ = respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
        };
        let _ = respond(&mut stream, status, page).await;
        return result;
    }
}

pub(super) async fn read_head(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

pub(super) async fn respond(
    stream: &mut tokio::net::TcpStream,
    status: &str,
    text: &str,
) -> std::io::Result<()> {
    let body =
        format!("<!doctype html><meta charset=\"utf-8\"><title>OpenSlot</title><p>{text}</p>");
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}
