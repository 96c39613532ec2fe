//! Who may show the booking page inside a frame: the sites of `[page] embed_origins` (an owner's
//! own site with the embed script), nobody else. Set on the page's documents (HTML) answered by
//! the public listener; nginx hands those documents to the service for this reason (its own
//! Content-Security-Policy leaves `frame-ancestors` to this one).

use poem::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, X_FRAME_OPTIONS};

/// The framing headers of the page's documents, made once from the configuration.
#[derive(Clone, Debug)]
pub struct Framing {
    policy: HeaderValue,
    deny: bool,
}

impl Framing {
    /// `origins`: bare web origins as the configuration reader checked them.
    pub fn new(origins: &[String]) -> Self {
        let ancestors = if origins.is_empty() {
            "'none'".to_owned()
        } else {
            origins.join(" ")
        };
        Framing {
            policy: HeaderValue::from_str(&format!("frame-ancestors {ancestors}"))
                .unwrap_or(HeaderValue::from_static("frame-ancestors 'none'")),
            deny: origins.is_empty(),
        }
    }

    /// Adds the policy to `resp` when it is an HTML document (other files cannot be framed
    /// to any effect). `X-Frame-Options: DENY` too when no site may frame it (older browsers;
    /// it has no form for a list of sites).
    pub fn apply(&self, resp: &mut poem::Response) {
        let html = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !html {
            return;
        }
        let headers = resp.headers_mut();
        headers.append(CONTENT_SECURITY_POLICY, self.policy.clone());
        if self.deny {
            headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> poem::Response {
        poem::Response::builder()
            .content_type("text/html; charset=utf-8")
            .body("<!doctype html>")
    }

    #[test]
    fn no_origin_refuses_every_frame() {
        let mut r = page();
        Framing::new(&[]).apply(&mut r);
        assert_eq!(
            r.headers()[CONTENT_SECURITY_POLICY],
            "frame-ancestors 'none'"
        );
        assert_eq!(r.headers()[X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn listed_origins_may_frame_the_page_and_nothing_else_is_touched() {
        let framing = Framing::new(&["https://a.example".into(), "http://127.0.0.1:8123".into()]);
        let mut r = page();
        framing.apply(&mut r);
        assert_eq!(
            r.headers()[CONTENT_SECURITY_POLICY],
            "frame-ancestors https://a.example http://127.0.0.1:8123"
        );
        assert!(r.headers().get(X_FRAME_OPTIONS).is_none());
        let mut js = poem::Response::builder()
            .content_type("application/javascript")
            .body("");
        framing.apply(&mut js);
        assert!(js.headers().get(CONTENT_SECURITY_POLICY).is_none());
    }
}
