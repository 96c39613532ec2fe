//! Rows 6 and 10: the dashboard's files are not served by the public listener under any
//! spelling of `/admin`, and no error body shows a path of the server's disk.

use std::time::Duration;

use crate::live::{DASHBOARD_MARK, Live, Options, raw};

/// One request with the path exactly as written (`curl --path-as-is`).
async fn get(port: u16, path: &str) -> String {
    raw(
        &format!("127.0.0.1:{port}"),
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(5),
    )
    .await
}

fn status(answer: &str) -> &str {
    answer.get(9..12).unwrap_or("")
}

#[tokio::test]
async fn no_spelling_of_admin_serves_the_dashboard_on_the_public_listener() {
    let live = Live::start(Options::default()).await;
    for path in [
        "/admin/",
        "/admin/index.html",
        "/%61dmin/",
        "/./admin/",
        "/x/../admin/index.html",
        "/admin%2findex.html",
        "/assets/..%2fadmin%2findex.html",
        "/%2e/admin/index.html",
        "//admin/index.html",
        "/ADMIN/index.html",
        "/assets/%2e%2e/admin/",
    ] {
        let answer = get(live.port, path).await;
        assert!(
            !answer.contains(DASHBOARD_MARK),
            "{path} served the dashboard: {answer}"
        );
        assert_eq!(status(&answer), "404", "{path}: {answer}");
    }
    // The booking page and its files are still there, also under other spellings.
    for path in [
        "/",
        "/assets/app.js",
        "/%61ssets/app.js",
        "/manage/x?token=y",
    ] {
        let answer = get(live.port, path).await;
        assert_eq!(status(&answer), "200", "{path}: {answer}");
    }
    // The dashboard is where it belongs.
    let answer = get(live.admin_port, "/admin/").await;
    assert!(answer.contains(DASHBOARD_MARK), "{answer}");
}

#[tokio::test]
async fn error_bodies_show_no_server_path() {
    let live = Live::start(Options::default()).await;
    let dir = live.dir.path().to_string_lossy().into_owned();
    let requests = [
        (live.port, "GET", "/../openslot.toml"),
        (live.port, "GET", "/../../etc/passwd"),
        (live.port, "GET", "/%2e%2e/openslot.toml"),
        (live.port, "GET", "/assets/../../openslot.toml"),
        (live.port, "GET", "/a%00b"),
        (live.port, "GET", "/%ff"),
        (live.port, "POST", "/"),
        (live.port, "POST", "/assets/app.js"),
        (live.admin_port, "GET", "/admin/../../openslot.toml"),
        (live.admin_port, "GET", "/admin/%2e%2e/%2e%2e/openslot.toml"),
        (live.admin_port, "POST", "/admin/"),
    ];
    for (port, method, path) in requests {
        let answer = raw(
            &format!("127.0.0.1:{port}"),
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(5),
        )
        .await;
        assert!(
            !answer.contains(&dir) && !answer.contains("/tmp") && !answer.contains("openslot.toml"),
            "{method} {path} shows a path: {answer}"
        );
        assert!(!answer.contains("root:"), "{answer}");
        let code = status(&answer);
        assert!(code.starts_with('4'), "{method} {path}: {answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        assert!(
            body.is_empty() || body.starts_with('{'),
            "{method} {path}: not a JSON error: {answer}"
        );
    }
}
