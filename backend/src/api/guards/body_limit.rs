//! The largest request body a listener reads, and how long it may take to arrive. A
//! `Content-Length` above the limit is answered 413 before one byte of the body is read; a body
//! without a length (chunked) is read up to the limit and refused with 413 as soon as it passes
//! it; a body that has not arrived whole `BODY_TIMEOUT` after its head is answered 408. Either
//! way memory per request is bounded by the limit, not by what a client sends, and a half-sent
//! body does not hold its connection.

use std::time::Duration;

use openslot_wire::errors::ErrorCode;
use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// The public listener's limit: a booking with the longest notes and every answer, JSON-escaped
/// character by character, stays far below it.
pub const PUBLIC_MAX_BODY_BYTES: usize = 64 * 1024;

/// The admin listener's limit (sources, settings, blocks: small JSON documents).
pub const ADMIN_MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a request's body may take to arrive, after its head.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The middleware.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit {
    max_bytes: usize,
}

impl BodyLimit {
    pub fn new(max_bytes: usize) -> BodyLimit {
        BodyLimit { max_bytes }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            max_bytes: self.max_bytes,
        }
    }
}

#[derive(Debug)]
pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
}

/// The API's error JSON, and the connection closed (the rest of the body is not read).
fn json_error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let mut r = crate::api::error_response(status, code, message);
    r.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    r
}

fn too_large_message(max_bytes: usize) -> String {
    format!("the request body is larger than {} KB", max_bytes / 1024)
}

/// The public API's 413 body (the endpoints that take a body document it).
pub(crate) fn too_large_json() -> poem_openapi::payload::Json<crate::api::public::ErrorJson> {
    crate::api::public::error(
        crate::api::public::ErrorCode::TooLarge,
        too_large_message(PUBLIC_MAX_BODY_BYTES),
    )
}

/// The 413 answer, in the APIs' error shape. `Connection: close`: the unread body is not
/// drained, the connection ends with the answer.
pub fn too_large(max_bytes: usize) -> Response {
    json_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
        &too_large_message(max_bytes),
    )
}

/// What the `Content-Length` header says, when it says one number.
fn declared_length(req: &Request) -> Option<Result<u64, ()>> {
    let value = req.headers().get(header::CONTENT_LENGTH)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or(()),
    )
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        match declared_length(&req) {
            Some(Ok(length)) if length > self.max_bytes as u64 => {
                return Ok(too_large(self.max_bytes));
            }
            // hyper refuses a malformed length before we see the request; stay safe anyway.
            Some(Err(())) => {
                return Ok(json_error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::Invalid,
                    "the Content-Length header is not a number",
                ));
            }
            Some(Ok(_)) | None => {}
        }
        // At most the limit, within the time: then the endpoint reads it from memory.
        let body = req.take_body();
        match tokio::time::timeout(BODY_TIMEOUT, body.into_bytes_limit(self.max_bytes)).await {
            Ok(Ok(bytes)) => req.set_body(bytes),
            Ok(Err(poem::error::ReadBodyError::PayloadTooLarge)) => {
                return Ok(too_large(self.max_bytes));
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => {
                return Ok(json_error(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::Timeout,
                    &format!(
                        "the request body did not arrive within {} s",
                        BODY_TIMEOUT.as_secs()
                    ),
                ));
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use poem::http::Method;
    use poem::{Body, EndpointExt};

    use super::*;

    /// Answers how many body bytes it read.
    async fn send(limit: usize, length: Option<usize>, body: Body) -> (StatusCode, String) {
        let ep = poem::endpoint::make(|mut req: Request| async move {
            let n = req
                .take_body()
                .into_bytes()
                .await
                .map(|b| b.len())
                .unwrap_or(0);
            n.to_string()
        })
        .with(BodyLimit::new(limit));
        let mut req = Request::builder().method(Method::POST);
        if let Some(n) = length {
            req = req.header(header::CONTENT_LENGTH, n.to_string());
        }
        let resp = ep.get_response(req.body(body)).await;
        let status = resp.status();
        (
            status,
            resp.into_body().into_string().await.unwrap_or_default(),
        )
    }

    fn unsized_body(n: usize) -> Body {
        Body::from_async_read(std::io::Cursor::new(vec![b'a'; n]))
    }

    #[tokio::test]
    async fn declared_lengths_above_the_limit_are_refused_unread() {
        assert_eq!(
            send(8, Some(8), Body::from("12345678")).await,
            (StatusCode::OK, "8".to_owned())
        );
        // The body is never touched: an endless one would hang the test.
        let (status, text) = send(8, Some(9), unsized_body(0)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(text.contains("\"too_large\""), "{text}");
    }

    #[tokio::test]
    async fn bodies_without_a_length_are_cut_at_the_limit() {
        assert_eq!(
            send(8, None, unsized_body(8)).await,
            (StatusCode::OK, "8".to_owned())
        );
        assert_eq!(
            send(8, None, unsized_body(9)).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[tokio::test]
    async fn a_length_that_is_not_a_number_is_refused() {
        let ep = poem::endpoint::make(|_: Request| async { "read" }).with(BodyLimit::new(8));
        let req = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_LENGTH, "12, 12")
            .body("x");
        assert_eq!(ep.get_response(req).await.status(), StatusCode::BAD_REQUEST);
    }
}
