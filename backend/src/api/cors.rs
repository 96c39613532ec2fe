//! CORS for the public API (`/api/v1/...`) only, when `[security] cors_origins` lists origins:
//! a request whose `Origin` is listed gets `Access-Control-Allow-Origin: <that origin>`, and
//! its preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered 204 with the
//! methods and headers the API takes. Any other origin gets no CORS header, so a browser does
//! not let its page read the answer; the request itself is served as before (the booking page's
//! own requests carry `Origin` too). Every `/api/v1` answer then says `Vary: Origin` for caches.
//! Without origins (the default) nothing changes. The admin listener never gets it.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// What a listed origin may send.
const ALLOW_METHODS: &str = "GET, POST, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Content-Type, Idempotency-Key, Authorization";
/// What its page may read besides the simple headers.
const EXPOSE_HEADERS: &str =
    "Retry-After, Idempotent-Replayed, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset";
/// How long a browser may keep a preflight's answer (seconds).
const MAX_AGE: &str = "600";

/// The middleware: the listed origins (as `url::Origin` serializes them).
#[derive(Clone, Debug)]
pub struct Cors {
    origins: std::sync::Arc<Vec<String>>,
}

impl Cors {
    /// `None` when no origin is listed: no middleware at all.
    pub fn new(origins: &[String]) -> Option<Cors> {
        (!origins.is_empty()).then(|| Cors {
            origins: std::sync::Arc::new(origins.to_vec()),
        })
    }
}

impl<E: Endpoint> Middleware<E> for Cors {
    type Output = CorsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CorsEndpoint {
            inner: ep,
            cors: self.clone(),
        }
    }
}

/// The endpoint behind [`Cors`].
#[derive(Debug)]
pub struct CorsEndpoint<E> {
    inner: E,
    cors: Cors,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        if !(path == "/api/v1" || path.starts_with("/api/v1/")) {
            return Ok(self.inner.call(req).await?.into_response());
        }
        let listed = req
            .headers()
            .get(header::ORIGIN)
            .filter(|o| {
                o.to_str()
                    .is_ok_and(|o| self.cors.origins.iter().any(|l| l == o))
            })
            .cloned();
        let preflight = req.method() == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = match (&listed, preflight) {
            (Some(_), true) => {
                let mut r = Response::builder().status(StatusCode::NO_CONTENT).finish();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(ALLOW_METHODS),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static(ALLOW_HEADERS),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static(MAX_AGE),
                );
                r
            }
            _ => self.inner.call(req).await?.into_response(),
        };
        let h = response.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = listed {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if !preflight {
                h.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(EXPOSE_HEADERS),
                );
            }
        }
        Ok(response)
    }
}
