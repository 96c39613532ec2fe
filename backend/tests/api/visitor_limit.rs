//! Visitors' answers on the public API tell the per-address limit of booking actions in
//! `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset`, as keyed answers tell the
//! key's (`api_keys.rs`); over it: 429 with `Retry-After`.

use super::app::{booking, spawn_with};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";

fn number(r: &reqwest::Response, name: &str) -> Option<u64> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

fn standing(r: &reqwest::Response) -> (Option<u64>, Option<u64>, Option<u64>) {
    (
        number(r, "ratelimit-limit"),
        number(r, "ratelimit-remaining"),
        number(r, "ratelimit-reset"),
    )
}

#[tokio::test]
async fn visitors_answers_carry_the_address_limit_and_429_says_when_to_retry() {
    let app = spawn_with("[security]\ncaptcha = false\nrate_limit_per_minute = 2\n").await;
    let slots = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01";
    let r = app.client.get(app.url(slots)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        standing(&r),
        (Some(2), Some(2), Some(0)),
        "reading costs nothing"
    );
    let post = || {
        app.client
            .post(app.url("/api/v1/bookings"))
            .json(&booking("intro", TUE_9))
            .send()
    };
    let first = post().await.unwrap();
    let (limit, remaining, reset) = standing(&first);
    assert_eq!((limit, remaining), (Some(2), Some(1)), "{first:?}");
    assert!(reset.is_some_and(|s| (1..=30).contains(&s)), "{reset:?}");
    let second = post().await.unwrap();
    assert_eq!(standing(&second).1, Some(0));
    let refused = post().await.unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    let retry = number(&refused, "retry-after").unwrap();
    let (limit, remaining, reset) = standing(&refused);
    assert_eq!((limit, remaining), (Some(2), Some(0)));
    assert!(retry >= 1 && reset.unwrap() >= retry, "{retry} {reset:?}");
    // Still told on a read, and not on what is not the API.
    let r = app.client.get(app.url(slots)).send().await.unwrap();
    assert_eq!(standing(&r).1, Some(0));
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(standing(&r), (None, None, None));
}

#[tokio::test]
async fn no_headers_when_the_address_limit_is_off() {
    let app = spawn_with("[security]\ncaptcha = false\nrate_limit_per_minute = 0\n").await;
    let slots = "/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01";
    let r = app.client.get(app.url(slots)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(standing(&r), (None, None, None));
}
