//! Row 3: wrong admin logins in parallel from many addresses do not grow the process: 90 at
//! once, each from its own loopback address (so the per-address limit does not stop them),
//! keep the peak resident memory under 250 MB, and the public side keeps answering.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use crate::live::{HUNTER2, Live, Options, client};

/// One wrong login from `from`; the status.
async fn wrong_login(from: Ipv4Addr, admin_port: u16) -> u16 {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    let mut stream = socket
        .connect(SocketAddr::from(([127, 0, 0, 1], admin_port)))
        .await
        .unwrap();
    let body = r#"{"password":"not the password"}"#;
    let request = format!(
        "POST /admin/api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
        .await
        .expect("a login answered within 60 s")
        .unwrap();
    String::from_utf8_lossy(&answer)
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Peak and current resident memory of the process (MB), from /proc.
fn memory_mb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    };
    (kb("VmHWM:") / 1024, kb("VmRSS:") / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ninety_parallel_wrong_logins_from_ninety_addresses_keep_memory_bounded() {
    let live = Live::start(Options {
        extra_toml: format!("[admin]\npassword_hash = '{HUNTER2}'\n"),
        ..Options::default()
    })
    .await;
    let (_, before) = memory_mb(live.pid());
    let started = Instant::now();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for round in 0..3u8 {
        let logins: Vec<_> = (0..30u8)
            .map(|i| {
                let from = Ipv4Addr::new(127, 0, 1 + round, 10 + i);
                tokio::spawn(wrong_login(from, live.admin_port))
            })
            .collect();
        // The public side answers while they run.
        let health = client()
            .get(format!("{}/healthz", live.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        assert!(
            health.is_ok_and(|r| r.status().is_success()),
            "round {round}"
        );
        for login in logins {
            *statuses.entry(login.await.unwrap()).or_default() += 1;
        }
        eprintln!(
            "after round {round}: (peak, now) {:?} MB",
            memory_mb(live.pid())
        );
    }
    let (peak, after) = memory_mb(live.pid());
    eprintln!(
        "90 wrong logins in {:?}: {statuses:?}; RSS before {before} MB, peak {peak} MB, after {after} MB",
        started.elapsed()
    );
    assert!(
        statuses.keys().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(
        statuses.contains_key(&401),
        "some were checked: {statuses:?}"
    );
    assert!(peak < 250, "peak RSS {peak} MB");
}
