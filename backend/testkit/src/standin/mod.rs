//! What the two stand-ins share: a poem server on 127.0.0.1:0 around one handler, a parsed
//! request, injected faults, and the OAuth token endpoint (refresh grant with rotation and
//! `invalid_grant`, authorization code with PKCE S256, device code with `authorization_pending`),
//! in the shapes of RFC 6749 5.1/5.2, RFC 7636 and RFC 8628 as Google and Microsoft document them.

pub mod google;
pub mod graph;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// One request, read whole.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn q(&self, key: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as `application/x-www-form-urlencoded`.
    pub fn form(&self) -> HashMap<String, String> {
        let text = String::from_utf8_lossy(&self.body);
        reqwest::Url::parse(&format!("http://x/?{text}"))
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }
}

/// An answer: status, body, and how long to wait before sending it (the work is already done).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: String,
    pub delay: Option<Duration>,
}

pub fn json_resp(status: u16, body: Value) -> Resp {
    Resp {
        status,
        body: body.to_string(),
        delay: None,
    }
}

pub fn empty(status: u16) -> Resp {
    Resp {
        status,
        body: String::new(),
        delay: None,
    }
}

/// What the next API request (not the token endpoint) meets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers with this status and a JSON error, doing nothing.
    Status(u16),
    /// Answers 200 with a body that is not JSON.
    Garbage,
    /// Does the work, then waits this long before answering (beyond the client's timeout).
    Delay(Duration),
}

#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn handle(&self, req: Req) -> Resp;
}

/// Serves `handler` on 127.0.0.1:0; the base URL, `http://127.0.0.1:PORT`.
pub async fn serve<H: Handler>(handler: Arc<H>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    let app = poem::endpoint::make(move |mut req: poem::Request| {
        let handler = handler.clone();
        async move {
            let url = reqwest::Url::parse(&format!("http://x{}", req.uri())).unwrap();
            let headers = req
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        v.to_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            let r = Req {
                method: req.method().as_str().to_owned(),
                path: url.path().to_owned(),
                query: url.query_pairs().into_owned().collect(),
                headers,
                body: req.take_body().into_vec().await.unwrap_or_default(),
            };
            let resp = handler.handle(r).await;
            if let Some(d) = resp.delay {
                tokio::time::sleep(d).await;
            }
            if resp.status == 302 {
                // A redirect: the body is the address (see `Auth::consent`).
                return poem::Response::builder()
                    .status(poem::http::StatusCode::FOUND)
                    .header("Location", resp.body)
                    .finish();
            }
            poem::Response::builder()
                .status(poem::http::StatusCode::from_u16(resp.status).unwrap())
                .content_type("application/json")
                .body(resp.body)
        }
    });
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}")
}

/// The authorization server's side: tokens issued, and switches the tests flip.
#[derive(Debug)]
pub struct Auth {
    /// The refresh token the server accepts now.
    pub refresh: String,
    pub access: HashSet<String>,
    issued: u64,
    /// Issue a new refresh token with every refresh (Microsoft always does; Google may).
    pub rotate: bool,
    /// Refuse the refresh token (`invalid_grant`): revoked, expired, password changed.
    pub revoked: bool,
    /// Refuse every access token, even fresh ones (a 401 that refreshing does not fix).
    pub reject_all: bool,
    pub expires_in: i64,
    pub refreshes: u32,
    /// Authorization codes: code → (PKCE challenge, redirect_uri).
    pub codes: HashMap<String, (String, String)>,
    /// Device code flow: polls left that answer `authorization_pending`.
    pub pending_polls: u32,
    pub device_polls: u32,
    /// Every `scope` sent to the token or device code endpoint, in order.
    pub scopes: Vec<String>,
    /// The consent page answers `error=access_denied` (the owner declined).
    pub deny: bool,
    /// Every consent page request's query, in order.
    pub consents: Vec<HashMap<String, String>>,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            refresh: "rt-0".to_owned(),
            access: HashSet::new(),
            issued: 0,
            rotate: false,
            revoked: false,
            reject_all: false,
            expires_in: 3600,
            refreshes: 0,
            codes: HashMap::new(),
            pending_polls: 0,
            device_polls: 0,
            scopes: Vec::new(),
            deny: false,
            consents: Vec::new(),
        }
    }
}

pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

fn refusal(error: &str) -> Resp {
    json_resp(
        400,
        json!({ "error": error, "error_description": format!("{error} (stand-in)") }),
    )
}

impl Auth {
    /// Whether the request carries an access token this server issued.
    pub fn authorized(&self, req: &Req) -> bool {
        !self.reject_all && req.bearer().is_some_and(|t| self.access.contains(t))
    }

    /// The access tokens in use stop working (they expired early, or were revoked).
    pub fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    fn issue(&mut self, with_refresh: bool) -> Resp {
        self.issued += 1;
        let access = format!("at-{}", self.issued);
        self.access.insert(access.clone());
        let mut body = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": "calendar",
        });
        if with_refresh {
            self.refresh = format!("rt-{}", self.issued);
            body["refresh_token"] = json!(self.refresh);
        }
        json_resp(200, body)
    }

    /// GET of the consent page (Google `/o/oauth2/v2/auth`, Microsoft `.../oauth2/v2.0/authorize`):
    /// the owner is signed in and agrees at once (or declines when `deny`); the browser is sent
    /// to `redirect_uri` with a new code bound to the PKCE challenge and the redirect URI, and the
    /// state as it came.
    pub fn consent(&mut self, req: &Req) -> Resp {
        let q: HashMap<String, String> = req.query.iter().cloned().collect();
        self.consents.push(q.clone());
        let get = |k: &str| q.get(k).cloned().unwrap_or_default();
        if get("client_id").is_empty()
            || get("response_type") != "code"
            || get("code_challenge_method") != "S256"
            || get("redirect_uri").is_empty()
        {
            return json_resp(400, json!({ "error": "invalid_request" }));
        }
        let mut back = reqwest::Url::parse(&get("redirect_uri")).unwrap();
        if self.deny {
            back.query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("state", &get("state"));
        } else {
            self.issued += 1;
            let code = format!("code-{}", self.issued);
            self.codes
                .insert(code.clone(), (get("code_challenge"), get("redirect_uri")));
            back.query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &get("state"));
        }
        Resp {
            status: 302,
            body: back.to_string(),
            delay: None,
        }
    }

    /// POST to the token endpoint.
    pub fn token(&mut self, req: &Req) -> Resp {
        let form = req.form();
        let get = |k: &str| form.get(k).cloned().unwrap_or_default();
        if !get("scope").is_empty() {
            self.scopes.push(get("scope"));
        }
        if get("client_id").is_empty() {
            return refusal("invalid_client");
        }
        match get("grant_type").as_str() {
            "refresh_token" => {
                if self.revoked || get("refresh_token") != self.refresh {
                    return refusal("invalid_grant");
                }
                self.refreshes += 1;
                let rotate = self.rotate;
                self.issue(rotate)
            }
            "authorization_code" => {
                let Some((challenge, redirect)) = self.codes.remove(&get("code")) else {
                    return refusal("invalid_grant");
                };
                if s256(&get("code_verifier")) != challenge || get("redirect_uri") != redirect {
                    return refusal("invalid_grant");
                }
                self.issue(true)
            }
            "urn:ietf:params:oauth:grant-type:device_code" => {
                self.device_polls += 1;
                if get("device_code") != "dc-1" {
                    return refusal("bad_verification_code");
                }
                if self.pending_polls > 0 {
                    self.pending_polls -= 1;
                    return refusal("authorization_pending");
                }
                self.issue(true)
            }
            _ => refusal("unsupported_grant_type"),
        }
    }
}

/// The answer of a fault that answers by itself (`Delay` is applied by the caller after the work).
pub fn fault_answer(fault: &Fault) -> Option<Resp> {
    match fault {
        Fault::Status(s) => Some(json_resp(
            *s,
            json!({ "error": { "code": s, "message": "injected by the test" } }),
        )),
        Fault::Garbage => Some(Resp {
            status: 200,
            body: "{\"items\": [ this is not json".to_owned(),
            delay: None,
        }),
        Fault::Delay(_) => None,
    }
}

/// The Unauthorized answer.
pub fn unauthorized() -> Resp {
    json_resp(
        401,
        json!({ "error": { "code": 401, "message": "Invalid Credentials" } }),
    )
}
