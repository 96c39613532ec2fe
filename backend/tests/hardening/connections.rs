//! Row 1: a half-sent request is closed after the head timeout, and sockets that send nothing
//! do not keep `/healthz` from answering, also with few file handles.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::live::{Live, Options, client};

/// Reads until the server closes; how long that took (None: still open after `wait`).
async fn closed_after(stream: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut sink = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut sink)).await {
        Ok(_) => Some(started.elapsed()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_half_sent_request_is_closed_within_the_head_timeout() {
    let live = Live::start(Options::default()).await;
    let addr = ("127.0.0.1", live.port);
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // A slow trickle does not buy time: a byte every second, never the blank line.
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let trickling = tokio::spawn(async move {
        let started = Instant::now();
        while trickle.write_all(b"X").await.is_ok() && started.elapsed() < Duration::from_secs(40) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        started.elapsed()
    });
    let limit = Duration::from_secs(30);
    let silent_closed = closed_after(&mut silent, limit).await;
    let half_closed = closed_after(&mut half, Duration::from_secs(2)).await;
    eprintln!("closed after: nothing sent {silent_closed:?}, half a head {half_closed:?}");
    let silent_closed = silent_closed.expect("a socket that sends nothing is open after 30 s");
    assert!(
        silent_closed >= Duration::from_secs(9),
        "closed too early: {silent_closed:?}"
    );
    half_closed.expect("half a request head is open after 30 s");
    let trickled = trickling.await.unwrap();
    eprintln!("a byte a second: writes failed after {trickled:?}");
    assert!(trickled < Duration::from_secs(20), "{trickled:?}");

    // Keep-alive: a connection idle after its answer is closed after the same time.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_after(&mut kept, limit).await.is_some());
}

/// 300 sockets that send nothing against a service that may open 256 files: `/healthz` answers
/// at once, whether the service can raise its soft limit (`-Sn`) or not (`-n`: hard as well).
#[tokio::test]
async fn idle_sockets_do_not_stop_healthz() {
    for limit in ["-Sn 256", "-n 256"] {
        let live = Live::start(Options {
            file_limit: Some(limit),
            ..Options::default()
        })
        .await;
        let mut idle = Vec::new();
        for _ in 0..300 {
            idle.push(TcpStream::connect(("127.0.0.1", live.port)).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let resp = client()
            .get(format!("{}/healthz", live.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        eprintln!("ulimit {limit}: /healthz after {:?}", started.elapsed());
        assert!(
            resp.is_ok_and(|r| r.status().is_success()),
            "ulimit {limit}: /healthz did not answer within 5 s behind 300 idle sockets"
        );
        // The admin listener as well.
        let resp = client()
            .get(format!("{}/healthz", live.admin))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        assert!(
            resp.is_ok_and(|r| r.status().is_success()),
            "admin, ulimit {limit}"
        );
        drop(idle);
    }
}
