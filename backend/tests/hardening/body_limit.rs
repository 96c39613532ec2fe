//! Row 2: a body above the limit is refused with 413 before it is read.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::live::{Live, Options, booking};

/// A 5 MB booking announced by its Content-Length: the answer (413, JSON) comes while the body
/// is still unsent, so the service never reads it.
#[tokio::test]
async fn a_5_mb_body_is_refused_before_it_is_read() {
    let live = Live::start(Options::default()).await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", live.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{{\"notes\":\"",
        5 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "no 413 within 5 s without the body: {answer:?}"
    );
    assert!(answer.contains("\"error\":\"too_large\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let client = crate::live::client();
    // A 20 MB unknown field with a length: 413, not 201.
    let mut b = booking("2026-12-01T09:00:00Z", "Ann");
    b["padding"] = "y".repeat(20 * 1024 * 1024).into();
    let resp = client
        .post(format!("{}/api/v1/bookings", live.base))
        .json(&b)
        .send()
        .await;
    if let Ok(resp) = resp {
        assert_eq!(resp.status(), 413);
    }

    // A booking of ordinary size still works.
    let resp = client
        .post(format!("{}/api/v1/bookings", live.base))
        .json(&booking("2026-12-01T09:00:00Z", "Ann"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());

    // The admin listener refuses a 5 MB body up front too.
    let answer = crate::live::raw(
        &format!("127.0.0.1:{}", live.admin_port),
        format!(
            "POST /admin/api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            5 * 1024 * 1024
        )
        .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
}
