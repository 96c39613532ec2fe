//! The API as a contract: `openapi.yaml` is what the code serves, the listeners keep to their
//! own endpoints, health answers, and an acknowledged booking survives a restart.

use super::app::{spawn_app, spawn_in};

#[tokio::test]
async fn openapi_yaml_is_what_the_code_generates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let committed = std::fs::read_to_string(root.join("openapi.yaml")).unwrap();
    let generated = openslot::api::spec_yaml().unwrap();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi.yaml differs from the code: run `cargo run -q -- openapi > openapi.yaml`"
    );
    // The running service serves the same document.
    let app = spawn_app("").await;
    let (status, served) = app.get("/openapi.yaml").await;
    assert_eq!(status, 200);
    assert_eq!(served.as_str().unwrap().trim_end(), generated.trim_end());
}

#[tokio::test]
async fn health_answers_on_both_listeners_and_each_keeps_to_its_endpoints() {
    let app = spawn_app("").await;
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, v) = app.get("/readyz").await;
    assert_eq!(
        (status, &v["ready"]),
        (200, &serde_json::json!(true)),
        "{v}"
    );
    let admin = |p: &str| format!("http://{}{p}", app.admin);
    let r = app.client.get(admin("/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // The public API is not on the admin listener, and the owner's endpoints are not public.
    let r = app
        .client
        .get(admin("/api/v1/event-types"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    for path in ["/metrics", "/api/v1/admin/bookings", "/admin/api/bookings"] {
        assert_eq!(app.get(path).await.0, 404, "{path}");
    }
}

#[tokio::test]
async fn an_acknowledged_booking_survives_a_restart() {
    let mut app = spawn_app("").await;
    let (status, b) = app.book("intro", "2026-12-01T09:00:00+01:00").await;
    assert_eq!(status, 201);
    // Stop the service and start a new one over the same data directory.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let app = spawn_in(
        dir,
        "[security]\ncaptcha = false\nrate_limit_per_minute = 0\n",
    )
    .await;
    let (id, token) = (
        b["id"].as_str().unwrap(),
        b["manage_token"].as_str().unwrap(),
    );
    let (status, v) = app
        .get(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(
        status, 200,
        "the same key signs the same tokens after a restart: {v}"
    );
    assert_eq!(app.book("intro", "2026-12-01T09:00:00+01:00").await.0, 409);
}

/// The built binary logs JSON lines with a request id, and never the query string (tokens).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_ids_and_never_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = super::app::config_text("[security]\ncaptcha = false\n").replace(
        "listen = \"127.0.0.1:0\"\nadmin",
        &format!("listen = \"127.0.0.1:{port}\"\nadmin"),
    );
    std::fs::write(dir.path().join("openslot.toml"), text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(["serve", "--config", "openslot.toml"])
        .current_dir(dir.path())
        .env("OPENSLOT_LOG", "info")
        .env("OPENSLOT_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/bookings/abc?token=SECRET-TOKEN-123");
    // Up to a minute for the binary to start on a loaded machine (it only matters when slow).
    let mut answer = None;
    for _ in 0..2400 {
        if let Ok(r) = client.get(&url).send().await {
            answer = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let answer = answer.expect("the service answered within a minute");
    assert_eq!(answer.status().as_u16(), 404);
    let id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("SECRET-TOKEN-123"),
        "a token in the log: {log}"
    );
    let line = log
        .lines()
        .find(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("no line with the request id {id}: {log}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["fields"]["status"], 404, "{line}");
    assert_eq!(v["span"]["path"], "/api/v1/bookings/abc", "{line}");
}

/// With `server.static_dir`, the booking page is served at `/`, its SPA routes fall back to
/// index.html, and the API keeps its paths; the dashboard (`dist/admin`) is served only by the
/// admin listener, at `/admin/`, and `/admin` is a 404 on the public side.
#[tokio::test]
async fn the_booking_page_is_served_at_the_root_beside_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("admin")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>OpenSlot</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app-1234.js"), "console.log(1)").unwrap();
    std::fs::write(
        dist.join("admin/index.html"),
        "<!doctype html><title>Dashboard</title>",
    )
    .unwrap();
    std::fs::write(dist.join("admin/dashboard-1234.js"), "console.log(2)").unwrap();
    std::fs::write(
        dir.path().join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let page = "[page]\nintro = \"Hello <b>there</b>\"\naccent_color = \"#0b6e4f\"\nlogo_file = \"logo.svg\"\n";
    let text = super::app::config_text(&format!("[security]\ncaptcha = false\n{page}")).replace(
        "refresh_budget_ms = 2000",
        "refresh_budget_ms = 2000\nstatic_dir = \"dist\"",
    );
    std::fs::write(dir.path().join("openslot.toml"), &text).unwrap();
    let config = openslot::config::from_toml_str(&text, &[], dir.path()).unwrap();
    let built = openslot::api::Application::build(config, super::fixed_now)
        .await
        .unwrap();
    let base = format!("http://{}", built.public_addr());
    let admin = format!("http://{}", built.admin_addr());
    let stop = built.stopper();
    tokio::spawn(built.run_until_stopped());
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let fetch = |url: String| {
        let r = client.get(url).send();
        async move {
            let r = r.await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let get = |p: &str| fetch(format!("{base}{p}"));
    let get_admin = |p: &str| fetch(format!("{admin}{p}"));
    assert!(get("/").await.1.contains("<title>OpenSlot</title>"));
    assert!(
        get("/manage/abc")
            .await
            .1
            .contains("<title>OpenSlot</title>"),
        "SPA route"
    );
    assert_eq!(get("/app-1234.js").await.1, "console.log(1)");
    let (status, body) = get("/api/v1/event-types").await;
    assert_eq!(status, 200);
    assert!(body.contains("\"slug\":\"intro\""), "{body}");
    assert_eq!(get("/healthz").await.1, "ok");

    // The page description: the owner, [page], and the rules the picker needs.
    let (status, body) = get("/api/v1/page").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["owner_name"], "Ada Owner");
    assert_eq!(v["timezone"], "Europe/Berlin");
    assert_eq!(v["intro"], "Hello <b>there</b>", "plain text, kept as data");
    assert_eq!(v["accent_color"], "#0b6e4f");
    assert_eq!(v["horizon_days"], 30);
    assert_eq!(v["captcha"], false);
    assert_eq!(v["mails_visitors"], false, "no [mail]: the page says so");
    let logo = client
        .get(format!("{base}{}", v["logo_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(
        logo.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"),
        "an SVG logo cannot run script"
    );

    // The dashboard: only on the admin listener.
    for path in [
        "/admin",
        "/admin/",
        "/admin/bookings",
        "/admin/dashboard-1234.js",
        "/metrics",
    ] {
        let (status, body) = get(path).await;
        assert_eq!(status, 404, "{path} on the public listener: {body}");
        assert!(!body.contains("Dashboard"), "{path}");
    }
    assert!(
        get_admin("/admin/")
            .await
            .1
            .contains("<title>Dashboard</title>")
    );
    assert!(
        get_admin("/admin/bookings")
            .await
            .1
            .contains("<title>Dashboard</title>"),
        "the dashboard's own routes"
    );
    assert_eq!(
        get_admin("/admin/dashboard-1234.js").await.1,
        "console.log(2)"
    );
    let (status, body) = get_admin("/admin/api/bookings").await;
    assert_eq!(status, 401, "the admin API keeps its paths: {body}");
    let root = client.get(format!("{admin}/")).send().await.unwrap();
    assert!(
        root.url().path().starts_with("/admin"),
        "/ on the admin listener leads to the dashboard: {}",
        root.url()
    );
    let _ = stop.send(true);
}

/// Without `[page] logo_file` there is no logo, and its path is a JSON 404.
#[tokio::test]
async fn no_logo_without_a_logo_file() {
    let app = super::app::spawn_app("").await;
    let v: serde_json::Value = app
        .client
        .get(app.url("/api/v1/page"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["logo_url"].is_null(), "{v}");
    assert!(v["intro"].is_null(), "{v}");
    let mailing = super::app::spawn_app(
        "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = 1\ntls = \"none\"\nfrom = \"book@example.org\"\n",
    )
    .await;
    let (status, v) = mailing.get("/api/v1/page").await;
    assert_eq!(
        (status, &v["mails_visitors"]),
        (200, &serde_json::json!(true)),
        "{v}"
    );
    let r = app
        .client
        .get(app.url("/api/v1/page/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// A path or method no endpoint has answers a JSON error like every other, as the spec
/// promises, on both listeners (poem's own answers are plain text).
#[tokio::test]
async fn unknown_paths_and_methods_answer_json_errors() {
    let app = spawn_app("").await;
    let admin = |p: &str| format!("http://{}{p}", app.admin);
    for (method, url, status, code) in [
        ("GET", app.url("/api/v1/nope"), 404, "not_found"),
        (
            "DELETE",
            app.url("/api/v1/slots"),
            405,
            "method_not_allowed",
        ),
        (
            "PUT",
            app.url("/api/v1/bookings"),
            405,
            "method_not_allowed",
        ),
        ("GET", admin("/admin/api/nope"), 404, "not_found"),
        (
            "DELETE",
            admin("/admin/api/stats"),
            405,
            "method_not_allowed",
        ),
    ] {
        let r = app
            .client
            .request(method.parse().unwrap(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{method} {url}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            kind.starts_with("application/json"),
            "{method} {url}: {kind}"
        );
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"], code, "{method} {url}: {v}");
        assert!(v["message"].is_string(), "{v}");
    }
}

/// The spec marks `event_type`, `from` and `to` required; their absence is still answered by
/// the handler, naming every missing one (not by poem, which stops at the first).
#[tokio::test]
async fn missing_required_parameters_are_each_named() {
    let app = spawn_app("").await;
    let (status, v) = app.get("/api/v1/slots").await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "invalid");
    let fields: Vec<_> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["event_type", "from", "to"], "{v}");
    // A manage link without its token is an unknown booking, as before.
    let (status, v) = app.get("/api/v1/bookings/abc").await;
    assert_eq!(
        (status, &v["error"]),
        (404, &serde_json::json!("not_found"))
    );
}

/// Arrays the spec lists as required are in every answer, empty or not (generated clients
/// read `next_slots.length` without checking).
#[tokio::test]
async fn error_arrays_are_always_present() {
    let app = spawn_app("").await;
    let (status, v) = app.get("/api/v1/slots").await;
    assert_eq!(status, 422);
    assert_eq!(v["next_slots"], serde_json::json!([]), "{v}");
    let (status, v) = app.get("/api/v1/bookings/abc?token=x").await;
    assert_eq!(status, 404);
    assert_eq!(
        (&v["fields"], &v["next_slots"]),
        (&serde_json::json!([]), &serde_json::json!([])),
        "{v}"
    );
}
