//! Issue 18 item 9: served without nginx, trunk's hashed files are cached for a year, the pages
//! are revalidated, and a missing file (`/favicon.ico`, `/robots.txt`) is a 404, not the page.

use std::time::Duration;

use crate::live::{DASHBOARD_MARK, Live, Options, raw};

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

/// The value of the `Cache-Control` header, if any.
fn cache_control(answer: &str) -> Option<String> {
    let head = answer.split("\r\n\r\n").next().unwrap_or("");
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("cache-control")
            .then(|| value.trim().to_owned())
    })
}

const YEAR: &str = "public, max-age=31536000, immutable";

#[tokio::test]
async fn hashed_files_are_immutable_pages_revalidated_missing_files_404() {
    let live = Live::start(Options::default()).await;
    let dist = live.dir.path().join("dist");
    for file in [
        "openslot-frontend-0123456789abcdef_bg.wasm",
        "openslot-frontend-0123456789abcdef.js",
        "style-fedcba9876543210.css",
        "captcha-worker.js",
        "admin/dashboard-0123456789abcdef.js",
        "i18n/de.json",
    ] {
        let path = dist.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x").unwrap();
    }
    let public = [
        ("/", "200", Some("no-cache")),
        ("/index.html", "200", Some("no-cache")),
        ("/manage/x?token=y", "200", Some("no-cache")),
        (
            "/openslot-frontend-0123456789abcdef_bg.wasm",
            "200",
            Some(YEAR),
        ),
        ("/openslot-frontend-0123456789abcdef.js", "200", Some(YEAR)),
        ("/style-fedcba9876543210.css", "200", Some(YEAR)),
        ("/captcha-worker.js", "200", Some("no-cache")),
        // The booking page's translations: asked for with their content hash, kept a day.
        (
            "/i18n/de.json?v=0123abcd",
            "200",
            Some("public, max-age=86400"),
        ),
        ("/i18n/xx.json", "404", None),
        ("/favicon.ico", "404", None),
        ("/robots.txt", "404", None),
        ("/assets/missing.js", "404", None),
    ];
    for (path, want_status, want_cache) in public {
        let answer = get(live.port, path).await;
        assert_eq!(status(&answer), want_status, "{path}: {answer}");
        assert_eq!(
            cache_control(&answer).as_deref(),
            want_cache,
            "{path}: {answer}"
        );
        if want_status == "404" {
            assert!(
                !answer.contains("<title>Book"),
                "{path} answered with the page: {answer}"
            );
        }
    }
    // A route of the page gets the page itself.
    assert!(
        get(live.port, "/manage/x?token=y")
            .await
            .contains("<title>Book")
    );

    let admin = [
        ("/admin/", "200", Some("no-cache")),
        ("/admin/bookings", "200", Some("no-cache")),
        ("/admin/dashboard-0123456789abcdef.js", "200", Some(YEAR)),
        ("/admin/favicon.ico", "404", None),
    ];
    for (path, want_status, want_cache) in admin {
        let answer = get(live.admin_port, path).await;
        assert_eq!(status(&answer), want_status, "{path}: {answer}");
        assert_eq!(
            cache_control(&answer).as_deref(),
            want_cache,
            "{path}: {answer}"
        );
    }
    assert!(
        get(live.admin_port, "/admin/bookings")
            .await
            .contains(DASHBOARD_MARK)
    );
}
