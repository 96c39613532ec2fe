//! `[security] cors_origins`: a page of a listed origin may call `/api/v1` from the browser
//! (preflight and the request itself carry `Access-Control-Allow-Origin`); any other origin
//! gets no CORS header, so its page cannot read the answer. Without the key no CORS header is
//! sent at all, and the admin listener never sends one.

use crate::live::{Live, Options, booking, client};

const LISTED: &str = "https://example.org";
const OTHER: &str = "https://evil.example";

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn preflight(url: &str, origin: &str) -> reqwest::Response {
    client()
        .request(reqwest::Method::OPTIONS, url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap()
}

async fn get(url: &str, origin: &str) -> reqwest::Response {
    client()
        .get(url)
        .header("Origin", origin)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn listed_origins_get_cors_headers_and_others_none() {
    let live = Live::start(Options {
        security_toml: format!("cors_origins = [\"{LISTED}/\"]\n"),
        ..Options::default()
    })
    .await;
    let bookings = format!("{}/api/v1/bookings", live.base);

    let resp = preflight(&bookings, LISTED).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some(LISTED)
    );
    assert_eq!(header(&resp, "vary").as_deref(), Some("Origin"));
    let methods = header(&resp, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let headers = header(&resp, "access-control-allow-headers").unwrap();
    for h in ["Content-Type", "Idempotency-Key", "Authorization"] {
        assert!(headers.contains(h), "{headers}");
    }

    let resp = preflight(&bookings, OTHER).await;
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    assert_eq!(header(&resp, "access-control-allow-methods"), None);

    // Simple requests: the answer is the same, only the listed origin may read it.
    let page = format!("{}/api/v1/event-types", live.base);
    let resp = get(&page, LISTED).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some(LISTED)
    );
    assert!(header(&resp, "vary").unwrap().contains("Origin"));
    // Its page may read how much of its limit is left (and when to retry).
    let exposed = header(&resp, "access-control-expose-headers").unwrap();
    for name in [
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    ] {
        assert!(exposed.contains(name), "{name} not exposed: {exposed}");
    }
    let resp = get(&page, OTHER).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    assert!(header(&resp, "vary").unwrap().contains("Origin"));

    // A booking from the listed origin: the answer is readable, and the booking made.
    let resp = client()
        .post(&bookings)
        .header("Origin", LISTED)
        .header("Idempotency-Key", "cors-1")
        .json(&booking("2026-12-01T09:00:00Z", "Ann"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some(LISTED)
    );

    // Not the booking page's files, not health, never the admin listener.
    for url in [
        format!("{}/", live.base),
        format!("{}/healthz", live.base),
        format!("{}/metrics", live.admin),
        format!("{}/admin/api/sources", live.admin),
    ] {
        let resp = get(&url, LISTED).await;
        assert_eq!(header(&resp, "access-control-allow-origin"), None, "{url}");
        let resp = preflight(&url, LISTED).await;
        assert_eq!(header(&resp, "access-control-allow-origin"), None, "{url}");
    }
}

#[tokio::test]
async fn without_cors_origins_no_cors_header_is_sent() {
    let live = Live::start(Options::default()).await;
    let page = format!("{}/api/v1/event-types", live.base);
    let resp = get(&page, LISTED).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    assert_eq!(header(&resp, "vary"), None);
    let resp = preflight(&format!("{}/api/v1/bookings", live.base), LISTED).await;
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}
