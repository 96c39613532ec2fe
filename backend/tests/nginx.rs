//! The deployment as shipped, with real parts: Debian's nginx runs the shipped
//! `nginx/templates/openslot.conf.template` (rendered as the nginx image's envsubst does, with
//! local ports and paths), in front of the built `openslot` binary, over HTTPS with a CA and a
//! certificate made here with the openssl CLI. The booking page is `frontend/dist` prepared by
//! the shipped `nginx/prepare-dist.sh` (on a copy).
//!
//! Clients connect from different loopback addresses (127.0.0.2, .3, ...) so nginx and the
//! backend see different visitors; nginx itself reaches the backend from 127.0.0.1, the only
//! trusted proxy.
//!
//! Skipped, with a message, when nginx or openssl is not installed (`make test` installs nginx).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::required;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'";

use openslot_testkit::nginx_front;
use openslot_testkit::process;

use nginx_front::{Front, free_port, repo, tools_present};
use process::ProcessGroup;

/// The built binary behind nginx (`Front`), trusting nginx's X-Forwarded-For.
/// The backend's clock (OPENSLOT_CLOCK_START): the last day of February, not today.
const PINNED: &str = "2027-02-28T10:00:00Z";

struct Stack {
    front: Front,
    public: u16,
    admin: u16,
    _backend: ProcessGroup,
}

impl std::ops::Deref for Stack {
    type Target = Front;
    fn deref(&self) -> &Front {
        &self.front
    }
}

impl Stack {
    async fn start(nginx: &Path) -> Stack {
        let (public, admin) = (free_port(), free_port());
        let front = Front::start(nginx, public);
        let d = front.dir.path();
        let https = front.https;
        let all_day = "[\"00:00-24:00\"]";
        std::fs::write(
            d.join("openslot.toml"),
            format!(
                "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n\
                 [server]\nlisten = \"127.0.0.1:{public}\"\nadmin_listen = \"127.0.0.1:{admin}\"\n\
                 data_dir = \"data\"\npublic_url = \"https://localhost:{https}\"\n\
                 static_dir = \"www\"\n\
                 [security]\ncaptcha = false\nrate_limit_per_minute = 3\n\
                 trusted_proxies = [\"127.0.0.1\"]\n\
                 [availability]\nmin_notice_minutes = 0\nhorizon_days = 30\n\
                 working_hours = {{ mon = {all_day}, tue = {all_day}, wed = {all_day}, \
                 thu = {all_day}, fri = {all_day}, sat = {all_day}, sun = {all_day} }}\n\
                 [[event_types]]\nslug = \"q\"\ntitle = \"Quick\"\nduration_minutes = 15\n"
            ),
        )
        .unwrap();
        let backend = ProcessGroup::spawn(
            Command::new(env!("CARGO_BIN_EXE_openslot"))
                .args(["serve", "--config", "openslot.toml"])
                .current_dir(d)
                .env("OPENSLOT_LOG", "warn")
                .env(openslot::clock::CLOCK_START_VAR, PINNED)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(d.join("openslot.log")).unwrap()),
        )
        .unwrap();
        front.wait_until_up().await;
        Stack {
            front,
            public,
            admin,
            _backend: backend,
        }
    }
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or(""))
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_flow_headers_limits_and_static_files_through_nginx() {
    let Some(nginx) = tools_present() else {
        return;
    };
    let stack = Stack::start(&nginx).await;
    let visitor = stack.client("127.0.0.2");

    // The whole booking flow over HTTPS.
    let (status, types) = json_of(
        visitor
            .get(stack.url("/api/v1/event-types"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{types}");
    assert!(types.to_string().contains("\"q\""), "{types}");
    let today = PINNED
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        .date_naive();
    let (status, slots) = json_of(
        visitor
            .get(stack.url(&format!(
                "/api/v1/slots?event_type=q&from={}&to={}",
                today + chrono::Duration::days(1),
                today + chrono::Duration::days(2)
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{slots}");
    let start = slots["slots"][0]["start"].as_str().unwrap().to_owned();
    let r = visitor
        .post(stack.url("/api/v1/bookings"))
        .json(&json!({
            "event_type": "q", "start": start, "name": "Eve Visitor",
            "email": "eve@example.com", "timezone": "UTC"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "strict-transport-security"), "max-age=63072000");
    let (status, booked) = json_of(r).await;
    assert_eq!(status, 201, "{booked}");
    let (id, token) = (
        booked["id"].as_str().unwrap().to_owned(),
        booked["manage_token"].as_str().unwrap().to_owned(),
    );
    let manage = stack.url(&format!("/api/v1/bookings/{id}?token={token}"));
    let (status, got) = json_of(visitor.get(&manage).send().await.unwrap()).await;
    assert_eq!((status, got["status"].as_str()), (200, Some("confirmed")));
    let (status, cancelled) = json_of(visitor.delete(&manage).send().await.unwrap()).await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    // nginx writes the access log line after the answer has left: wait for it.
    let mut log = stack.file("access.log");
    for _ in 0..100 {
        if log.contains("DELETE /api/v1/bookings/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        log = stack.file("access.log");
    }
    assert!(log.contains("DELETE /api/v1/bookings/"), "{log}");
    assert!(
        !log.contains(&token) && !log.contains("127.0.0.2"),
        "nginx logs no token and no visitor address: {log}"
    );

    // Plain HTTP: a redirect to HTTPS, except for Let's Encrypt's challenge.
    let plain = |path: &str| format!("http://127.0.0.1:{}{path}", stack.http);
    let r = visitor.get(plain("/manage/x?a=1")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(header(&r, "location"), "https://127.0.0.1/manage/x?a=1");
    let r = visitor
        .get(plain("/.well-known/acme-challenge/token-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "proof-1");

    // Security headers, on the page and on errors.
    for path in ["/", "/manage/abc", "/index.html", "/api/v1/nothing-here"] {
        let r = visitor.get(stack.url(path)).send().await.unwrap();
        let mut policies: Vec<&str> = r
            .headers()
            .get_all("content-security-policy")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        policies.sort_unstable();
        // The page's documents come from the service, which adds who may frame them (nobody
        // here: no [page] embed_origins); nginx's policy is on every answer.
        let document = !path.starts_with("/api/");
        let expected: &[&str] = if document {
            &[CSP, "frame-ancestors 'none'"] // sorted: "d" < "f"
        } else {
            &[CSP]
        };
        assert_eq!(policies, expected, "{path}");
        assert_eq!(
            header(&r, "x-frame-options"),
            if document { "DENY" } else { "" },
            "{path}"
        );
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(
            header(&r, "strict-transport-security"),
            "max-age=63072000",
            "{path}"
        );
    }

    // The owner's side is not public, though the backend serves it on its admin listener.
    let direct = reqwest::Client::new();
    let r = direct
        .get(format!("http://127.0.0.1:{}/metrics", stack.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    for path in [
        "/metrics",
        "/admin",
        "/admin/",
        "/admin/api/bookings",
        "/admin/api/login",
        "/admin/api/openapi.yaml",
        "/api/v2/slots",
        "/api/",
    ] {
        let r = visitor.get(stack.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let r = visitor
        .post(stack.url("/admin/api/login"))
        .json(&json!({"password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Bodies are small.
    let r = visitor
        .post(stack.url("/api/v1/bookings"))
        .header("content-type", "application/json")
        .body(vec![b' '; 64 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);

    // The backend sees the visitor's address, not nginx's and not one the visitor wrote: its own
    // limit (3 a minute) stops 127.0.0.3 and still lets 127.0.0.4 through. Both stay under
    // nginx's limit (11 at once). The backend marks its answers with X-Request-Id.
    let book_nothing = |client: &reqwest::Client, spoof: Option<&str>| {
        let mut req = client.post(stack.url("/api/v1/bookings")).json(&json!({}));
        if let Some(ip) = spoof {
            req = req.header("x-forwarded-for", ip);
        }
        req.send()
    };
    let three = stack.client("127.0.0.3");
    for _ in 0..3 {
        let r = book_nothing(&three, None).await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
    }
    let r = book_nothing(&three, None).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(!header(&r, "x-request-id").is_empty(), "the backend's 429");
    let r = book_nothing(&three, Some("127.0.0.77")).await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        429,
        "a written X-Forwarded-For changes nothing"
    );
    assert!(!header(&r, "x-request-id").is_empty(), "the backend's 429");
    let r = book_nothing(&stack.client("127.0.0.4"), None)
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        422,
        "another visitor is not limited by the first"
    );

    // nginx's own limit: a burst of booking requests from one address ends in nginx's 429
    // (JSON, no X-Request-Id: it never reached the backend). Reads are not limited.
    let five = stack.client("127.0.0.5");
    let mut by_nginx = 0;
    for _ in 0..12 {
        let r = book_nothing(&five, None).await.unwrap();
        if r.status().as_u16() == 429 && header(&r, "x-request-id").is_empty() {
            assert_eq!(header(&r, "content-type"), "application/json");
            let (_, v) = json_of(r).await;
            assert_eq!(v["error"], "rate_limited");
            by_nginx += 1;
        }
    }
    assert!(by_nginx > 0, "nginx answered 429 itself");
    for _ in 0..10 {
        let r = five
            .get(stack.url("/api/v1/event-types"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "reads are not limited");
    }

    // The container's health check, against the backend's own listener.
    let status = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(["healthcheck", "--url"])
        .arg(format!("http://127.0.0.1:{}/healthz", stack.public))
        .status()
        .unwrap();
    assert!(status.success());

    // Health for uptime monitors.
    for path in ["/healthz", "/readyz"] {
        let r = visitor.get(stack.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }

    // The booking page: hashed files compressed and cached for a year, index.html revalidated.
    let Some(root) = &stack.static_root else {
        return;
    };
    let index = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert!(
        !index.contains("<script type=\"module\">") && !index.contains("<script type=module>"),
        "no inline script left for the CSP to block"
    );
    let files: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| [".js", ".wasm", ".css"].iter().any(|x| n.ends_with(x)))
        .collect();
    // trunk's names end in -<its hash in hex, up to 16 digits: no leading zeros>[_bg].ext; others
    // (a worker script) are revalidated.
    let is_hashed = |n: &str| {
        let stem = n.rsplit_once('.').map_or(n, |(s, _)| s);
        let stem = stem.strip_suffix("_bg").unwrap_or(stem);
        stem.rsplit_once('-').is_some_and(|(_, h)| {
            (8..=16).contains(&h.len())
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
    };
    let (mut hashed, unhashed): (Vec<String>, Vec<String>) =
        files.into_iter().partition(|n| is_hashed(n));
    for name in &unhashed {
        let r = visitor
            .get(stack.url(&format!("/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{name}");
        assert_eq!(header(&r, "cache-control"), "no-cache", "{name}");
    }
    hashed.sort();
    assert!(
        hashed.iter().any(|n| n.ends_with("_bg.wasm"))
            && hashed.iter().any(|n| n.starts_with("start-")),
        "{hashed:?}"
    );
    for name in &hashed {
        let r = visitor
            .get(stack.url(&format!("/{name}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{name}");
        assert_eq!(header(&r, "content-encoding"), "gzip", "{name}");
        assert_eq!(header(&r, "vary"), "Accept-Encoding", "{name}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable",
            "{name}"
        );
        if name.ends_with(".wasm") {
            assert_eq!(header(&r, "content-type"), "application/wasm");
        }
        let body = r.bytes().await.unwrap();
        assert_eq!(
            gunzip(&body),
            std::fs::read(root.join(name)).unwrap(),
            "{name}"
        );
    }
    // The translations, fetched by the page with their content hash in the query: a day,
    // compressed like the rest.
    for code in ["de", "es", "fr", "ja"] {
        let name = format!("i18n/{code}.json");
        let r = visitor
            .get(stack.url(&format!("/{name}?v=0123abcd")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{name}");
        assert_eq!(header(&r, "content-encoding"), "gzip", "{name}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=86400",
            "{name}"
        );
        let body = r.bytes().await.unwrap();
        assert_eq!(
            gunzip(&body),
            std::fs::read(root.join(&name)).unwrap(),
            "{name}"
        );
    }
    let r = visitor
        .get(stack.url("/openslot-frontend-0000000000000000_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        404,
        "a missing hashed file is not the page"
    );
    for path in ["/", "/index.html", "/manage/some-booking"] {
        let r = visitor
            .get(stack.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(header(&r, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&r, "content-encoding"), "gzip", "{path}");
        let body = r.bytes().await.unwrap();
        assert_eq!(String::from_utf8(gunzip(&body)).unwrap(), index, "{path}");
    }
}

/// The booking page in a browser through nginx: the WebAssembly app starts under the CSP (no page
/// error, no CSP violation). Hook for the booking page's end-to-end suite: when `frontend/e2e`
/// exists, run it here against `stack.url("/")` as well (`e2e_base_url`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_page_starts_in_a_browser_through_nginx() {
    let Some(nginx) = tools_present() else {
        return;
    };
    let node_modules = repo().join("frontend/node_modules");
    if !node_modules.join("playwright-core").is_dir() || !Path::new("/usr/bin/chromium").exists() {
        required::missing(
            "booking page through nginx",
            "playwright-core (make tools) or chromium (make system-deps)",
        );
        return;
    }
    let stack = Stack::start(&nginx).await;
    if stack.static_root.is_none() {
        required::missing("booking page through nginx", "frontend/dist (make spa)");
        return;
    }
    let e2e_base_url = stack.url("/");
    // Both servers are processes of their own: blocking here stops nothing.
    let out = process::output_of(
        Command::new("node")
            .arg(repo().join("backend/tests/nginx_page.cjs"))
            .arg(&e2e_base_url)
            .env("NODE_PATH", &node_modules),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let result: Value = serde_json::from_str(text.lines().last().unwrap_or(""))
        .unwrap_or_else(|_| panic!("{text}{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(result["problems"], json!([]), "{result}");
    assert_eq!(result["mounted"], true, "{result}");
}
