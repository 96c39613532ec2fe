//! One log line per request, with a request id (also sent back as `X-Request-Id`).
//!
//! Invariant: the query string is never logged (manage and feed tokens travel there), nor any
//! header or body; the path, the method, the status and the time taken are.

use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

/// The middleware.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestLog;

impl<E: Endpoint> Middleware<E> for RequestLog {
    type Output = RequestLogEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestLogEndpoint { inner: ep }
    }
}

#[derive(Debug)]
pub struct RequestLogEndpoint<E> {
    inner: E,
}

/// 64 random bits, hex: enough to find one request's lines in the log.
fn new_request_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

impl<E: Endpoint> Endpoint for RequestLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let id = new_request_id();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let span = tracing::info_span!("request", request_id = %id, %method, %path);
        let started = Instant::now();
        let result = self.inner.call(req).instrument(span.clone()).await;
        let mut response = match result {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        let _enter = span.enter();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let status = response.status().as_u16();
        if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::info!(status, ms, "request");
        }
        if let Ok(v) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", v);
        }
        Ok(response)
    }
}
