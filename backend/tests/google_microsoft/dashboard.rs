//! Connecting accounts from the dashboard, through the admin API of the whole service over real
//! HTTP, against the stand-ins: Google through the redirect to the admin listener and through
//! the pasted address, Microsoft's device code, a declined sign-in, a forged, a used and an
//! expired state, reconnecting a source whose token was revoked, and a rotated token that is
//! re-sealed and still works after a restart. No answer ever holds a token, and the database
//! file holds none in plain text.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use super::app::{TestApp, spawn_env};
use super::google_standin::GoogleStandIn;
use super::graph_standin::GraphStandIn;

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

fn login_section() -> String {
    format!("[admin]\npassword_hash = '{HUNTER2}'\n")
}

fn google_section(g: &GoogleStandIn) -> String {
    format!(
        "[google]\nclient_id = \"client-1\"\nclient_secret = \"secret-1\"\nurl = \"{}\"\noauth_url = \"{}\"\n",
        g.api(),
        g.oauth()
    )
}

fn microsoft_section(m: &GraphStandIn) -> String {
    format!(
        "[microsoft]\nclient_id = \"client-2\"\nurl = \"{}\"\noauth_url = \"{}\"\n",
        m.api(),
        m.oauth()
    )
}

/// Every answer the test saw, to look for tokens in.
#[derive(Default)]
struct Seen(std::sync::Mutex<String>);

impl Seen {
    fn keep(&self, text: &str) {
        self.0.lock().unwrap().push_str(text);
    }

    fn assert_no(&self, secret: &str) {
        assert!(
            !self.0.lock().unwrap().contains(secret),
            "an answer held the token {secret}"
        );
    }
}

struct Owner<'a> {
    app: &'a TestApp,
    token: String,
    seen: &'a Seen,
    /// A browser that does not follow redirects (the test follows them one by one).
    browser: reqwest::Client,
}

impl<'a> Owner<'a> {
    async fn login(app: &'a TestApp, seen: &'a Seen) -> Owner<'a> {
        let r = app
            .client
            .post(format!("http://{}/admin/api/login", app.admin))
            .json(&json!({"password": "hunter2"}))
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        Owner {
            app,
            token: v["token"].as_str().unwrap().to_owned(),
            seen,
            // (The service's client builder installed the TLS provider this one needs.)
            browser: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .app
            .client
            .request(method, format!("http://{}{path}", self.app.admin))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        self.seen.keep(&text);
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The browser opens `url`: the status and the `Location` it is sent to.
    async fn visit(&self, url: &str) -> (u16, Option<String>, String) {
        let r = self.browser.get(url).send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let text = r.text().await.unwrap();
        self.seen.keep(&text);
        if let Some(l) = &location {
            self.seen.keep(l);
        }
        (status, location, text)
    }

    /// Starts a Google sign-in; the connection.
    async fn start(&self, service: &str, body: Value) -> Value {
        let (status, v) = self
            .call(
                "POST",
                &format!("/admin/api/oauth/{service}/start"),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }

    async fn connection(&self, id: &str) -> Value {
        let (status, v) = self
            .call("GET", &format!("/admin/api/oauth/connections/{id}"), None)
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }

    /// The browser goes through the consent page and back to the admin listener; the
    /// connection id the callback names, and the address it came back to.
    async fn consent_and_come_back(&self, connection: &Value) -> (String, String) {
        let (status, back, _) = self
            .visit(connection["authorize_url"].as_str().unwrap())
            .await;
        assert_eq!(status, 302);
        let back = back.unwrap();
        assert!(
            back.starts_with(&format!(
                "http://{}/admin/oauth/{}/callback?",
                self.app.admin,
                connection["service"].as_str().unwrap()
            )),
            "{back}"
        );
        let (status, dashboard, _) = self.visit(&back).await;
        assert_eq!(status, 303);
        let dashboard = dashboard.unwrap();
        let id = dashboard
            .strip_prefix("/admin/calendars?connection=")
            .unwrap_or_else(|| panic!("{dashboard}"))
            .to_owned();
        (id, back)
    }

    async fn slots_on_tuesday(&self) -> Vec<String> {
        let (status, v) = self
            .app
            .get("/api/v1/slots?event_type=intro&from=2026-12-01&to=2026-12-01&tz=UTC")
            .await;
        assert_eq!(status, 200, "{v}");
        v["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
            .collect()
    }

    async fn source(&self, id: &str) -> Value {
        let (_, v) = self.call("GET", "/admin/api/sources", None).await;
        v.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// Tuesday 1 December 2026, 09:00-10:00 UTC (10:00 in Berlin).
fn google_busy(id: &str) -> Value {
    json!({
        "id": id, "summary": "Dentist",
        "start": { "dateTime": "2026-12-01T09:00:00Z" },
        "end": { "dateTime": "2026-12-01T10:00:00Z" },
    })
}

fn graph_busy(id: &str) -> Value {
    let t = |h: u32| json!({ "dateTime": format!("2026-12-01T{h:02}:00:00.0000000"), "timeZone": "UTC" });
    json!({
        "id": id, "subject": "Dentist", "isAllDay": false, "isCancelled": false, "showAs": "busy",
        "type": "singleInstance", "start": t(13), "end": t(14),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_through_the_redirect_then_its_busy_time_blocks_slots() {
    let g = GoogleStandIn::start().await;
    g.put(google_busy("dentist"));
    let app = spawn(&format!("{}{}", login_section(), google_section(&g)), &[]).await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;
    assert!(owner.slots_on_tuesday().await.contains(&"09:00".to_owned()));

    let (status, services) = owner.call("GET", "/admin/api/oauth/services", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        services,
        json!([{"service": "google", "flows": ["redirect"],
            "redirect_uri": format!("http://{}/admin/oauth/google/callback", app.admin)}])
    );
    let c = owner.start("google", json!({})).await;
    assert_eq!(c["status"], "waiting");
    assert_eq!(
        c["redirect_uri"],
        format!("http://{}/admin/oauth/google/callback", app.admin)
    );
    let (id, back) = owner.consent_and_come_back(&c).await;
    assert_eq!(id, c["id"]);
    let consent = g.with(|s| s.auth.consents[0].clone());
    assert_eq!(
        consent["scope"],
        openslot::sources::oauth::GOOGLE_SCOPE_READ
    );
    let done = owner.connection(&id).await;
    assert_eq!(done["status"], "authorized", "{done}");
    assert!(done["authorize_url"].is_null(), "{done}");

    // The state was used: the same answer again is refused with a page, and changes nothing;
    // so is a forged one.
    let (status, _, page) = owner.visit(&back).await;
    assert_eq!(status, 400);
    assert!(page.contains("does not belong"), "{page}");
    assert_eq!(owner.connection(&id).await["status"], "authorized");
    let (status, _, page) = owner
        .visit(&format!(
            "http://{}/admin/oauth/google/callback?code=code-9&state=forged",
            app.admin
        ))
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("does not belong"), "{page}");

    let (status, calendars) = owner
        .call(
            "GET",
            &format!("/admin/api/oauth/connections/{id}/calendars"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{calendars}");
    assert_eq!(calendars[0]["id"], "owner@example.org");
    assert_eq!(calendars[0]["primary"], true);
    assert_eq!(calendars[1]["name"], "Team");

    let (status, saved) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "gmail", "name": "Google", "calendar": "owner@example.org"})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["kind"], "google");
    assert_eq!(saved["origin"], "dashboard");
    assert_eq!(saved["has_secret"], true);
    assert_eq!(saved["settings"]["calendar"], "owner@example.org");
    assert!(saved["settings"].get("client_id").is_none(), "{saved}");
    // Its busy time blocks slots at once, without a restart.
    assert!(!owner.slots_on_tuesday().await.contains(&"09:00".to_owned()));
    // The connection is used up.
    let (status, _) = owner
        .call("GET", &format!("/admin/api/oauth/connections/{id}"), None)
        .await;
    assert_eq!(status, 404);

    let refresh = g.with(|s| s.auth.refresh.clone());
    seen.assert_no(&refresh);
    seen.assert_no("secret-1");
    let db = std::fs::read(app.dir.path().join("data/openslot.db")).unwrap_or_default();
    assert!(!db.is_empty());
    assert!(
        !db.windows(refresh.len()).any(|w| w == refresh.as_bytes()),
        "the token is sealed in the database"
    );
    assert!(!app.dir.path().join("data/tokens").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_through_the_pasted_address_when_the_redirect_cannot_arrive() {
    let g = GoogleStandIn::start().await;
    g.put(google_busy("dentist"));
    // The owner reaches the dashboard through a tunnel: the registered address is not one
    // this browser can load.
    let app = spawn(
        &format!("{}{}", login_section(), google_section(&g)),
        &[(
            "OPENSLOT_SERVER__ADMIN_URL",
            "http://openslot.tunnel.invalid:8081",
        )],
    )
    .await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;
    let c = owner.start("google", json!({})).await;
    assert_eq!(
        c["redirect_uri"],
        "http://openslot.tunnel.invalid:8081/admin/oauth/google/callback"
    );
    let id = c["id"].as_str().unwrap().to_owned();
    let (status, unreachable, _) = owner.visit(c["authorize_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    let unreachable = unreachable.unwrap();
    assert!(
        unreachable
            .starts_with("http://openslot.tunnel.invalid:8081/admin/oauth/google/callback?code=")
    );

    // An address of another sign-in is refused and the state stays good.
    let forged = unreachable.replace("state=", "state=x");
    let (status, v) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/code"),
            Some(json!({"code": forged})),
        )
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("wrong_state")),
        "{v}"
    );

    let (status, v) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/code"),
            Some(json!({"code": unreachable})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "authorized", "{v}");
    // Once: pasting it again is refused.
    let (status, v) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/code"),
            Some(json!({"code": unreachable})),
        )
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (409, Some("wrong_state")),
        "{v}"
    );

    let (status, saved) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "gmail", "calendar": "owner@example.org"})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    assert!(!owner.slots_on_tuesday().await.contains(&"09:00".to_owned()));
    seen.assert_no(&g.with(|s| s.auth.refresh.clone()));
}

/// Minutes the service's clock is ahead of the tests' fixed clock.
static AHEAD: AtomicI64 = AtomicI64::new(0);

fn movable_now() -> DateTime<Utc> {
    super::fixed_now() + Duration::minutes(AHEAD.load(Ordering::SeqCst))
}

async fn spawn(extra: &str, env: &[(&str, &str)]) -> TestApp {
    spawn_env(
        movable_now,
        tempfile::tempdir().unwrap(),
        &format!("[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{extra}"),
        env,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_through_the_device_code_then_its_busy_time_blocks_slots() {
    let m = GraphStandIn::start().await;
    m.put(graph_busy("dentist"));
    m.with(|s| s.auth.pending_polls = 1);
    let app = spawn(
        &format!("{}{}", login_section(), microsoft_section(&m)),
        &[],
    )
    .await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;
    assert!(owner.slots_on_tuesday().await.contains(&"13:00".to_owned()));
    let (_, services) = owner.call("GET", "/admin/api/oauth/services", None).await;
    assert_eq!(services[0]["service"], "microsoft");
    assert_eq!(services[0]["flows"], json!(["device", "redirect"]));

    let c = owner.start("microsoft", json!({})).await;
    assert_eq!(c["flow"], "device");
    assert_eq!(c["user_code"], "ABCD-EFGH");
    assert_eq!(c["verification_uri"], "https://microsoft.com/devicelogin");
    assert!(c["authorize_url"].is_null());
    let id = c["id"].as_str().unwrap().to_owned();
    // The dashboard polls until the owner has signed in elsewhere.
    let mut status = String::new();
    for _ in 0..100 {
        status = owner.connection(&id).await["status"]
            .as_str()
            .unwrap()
            .to_owned();
        if status != "waiting" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "authorized");
    assert!(m.with(|s| s.auth.device_polls) >= 2);
    assert_eq!(
        m.with(|s| s.auth.scopes[0].clone()),
        openslot::sources::oauth::MICROSOFT_SCOPE_READ
    );

    let (status, calendars) = owner
        .call(
            "GET",
            &format!("/admin/api/oauth/connections/{id}/calendars"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{calendars}");
    assert_eq!(calendars[0]["id"], "AAMkCal1");
    let (status, saved) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "outlook", "name": "Outlook", "calendar": "AAMkCal1", "token": "mine"})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["kind"], "microsoft");
    assert!(!owner.slots_on_tuesday().await.contains(&"13:00".to_owned()));
    seen.assert_no(&m.with(|s| s.auth.refresh.clone()));
    seen.assert_no("dc-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_forged_expired_and_unconfigured_sign_ins_are_refused() {
    let g = GoogleStandIn::start().await;
    let app = spawn(&format!("{}{}", login_section(), google_section(&g)), &[]).await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;

    // Not configured: no `[microsoft]` section.
    let (status, v) = owner
        .call("POST", "/admin/api/oauth/microsoft/start", Some(json!({})))
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (422, Some("not_configured")),
        "{v}"
    );
    // Google has no device code.
    let (status, _) = owner
        .call(
            "POST",
            "/admin/api/oauth/google/start",
            Some(json!({"flow": "device"})),
        )
        .await;
    assert_eq!(status, 422);
    // The generic endpoint does not take a Google source with a typed token.
    let (status, v) = owner
        .call(
            "POST",
            "/admin/api/sources",
            Some(json!({"id": "g", "kind": "google", "token": "rt-typed"})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    // Without a login nothing starts.
    let r = app
        .client
        .post(format!("http://{}/admin/api/oauth/google/start", app.admin))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // The owner declines on the consent page: the dashboard is told why.
    g.with(|s| s.auth.deny = true);
    let c = owner.start("google", json!({})).await;
    let (id, _) = owner.consent_and_come_back(&c).await;
    let v = owner.connection(&id).await;
    assert_eq!(v["status"], "failed", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("access_denied"),
        "{v}"
    );
    let (status, v) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "g"})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    g.with(|s| s.auth.deny = false);

    // Closed by the owner: gone, its state no good either.
    let c = owner.start("google", json!({})).await;
    let (status, back, _) = owner.visit(c["authorize_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    let (status, _) = owner
        .call(
            "DELETE",
            &format!("/admin/api/oauth/connections/{}", c["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _, _) = owner.visit(&back.unwrap()).await;
    assert_eq!(status, 400);

    // Eleven minutes later the state is no good.
    let c = owner.start("google", json!({})).await;
    let (status, back, _) = owner.visit(c["authorize_url"].as_str().unwrap()).await;
    assert_eq!(status, 302);
    AHEAD.store(11, Ordering::SeqCst);
    let (status, _, page) = owner.visit(&back.unwrap()).await;
    AHEAD.store(0, Ordering::SeqCst);
    assert_eq!(status, 400);
    assert!(page.contains("longer than 10 minutes"), "{page}");
    assert_eq!(
        g.with(|s| s.auth.codes.len()),
        2,
        "the codes of the closed and the expired sign-in were never exchanged"
    );
    seen.assert_no("secret-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_source_is_reconnected_and_a_rotated_token_survives_a_restart() {
    let g = GoogleStandIn::start().await;
    g.put(google_busy("dentist"));
    g.with(|s| s.auth.rotate = true);
    let extra = format!("{}{}", login_section(), google_section(&g));
    let mut app = spawn(&extra, &[]).await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;
    let c = owner.start("google", json!({})).await;
    let (id, _) = owner.consent_and_come_back(&c).await;
    let (status, saved) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "gmail", "calendar": "owner@example.org"})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    // Every refresh rotated the token; the sealed one is the newest.
    assert!(g.with(|s| s.auth.refreshes) >= 1);

    // Restart over the same data: the sealed (rotated) token still works.
    drop(owner);
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let app = spawn_env(
        movable_now,
        dir,
        &format!("[security]\ncaptcha = false\nrate_limit_per_minute = 0\n{extra}"),
        &[],
    )
    .await;
    let owner = Owner::login(&app, &seen).await;
    let (status, v) = owner.call("POST", "/admin/api/sources/sync", None).await;
    assert_eq!(status, 200, "{v}");
    let s = owner.source("gmail").await;
    assert_eq!(s["healthy"], true, "{s}");
    assert!(!owner.slots_on_tuesday().await.contains(&"09:00".to_owned()));

    // Google revokes it: reconnect needed, shown; the owner reconnects.
    g.with(|s| s.auth.revoked = true);
    g.with(|s| s.auth.expire_access_tokens());
    let _ = owner.call("POST", "/admin/api/sources/sync", None).await;
    let s = owner.source("gmail").await;
    assert_eq!(s["reconnect_needed"], true, "{s}");
    // Said for a dashboard source: the card's button, not the command line.
    let said = s["last_error"].as_str().unwrap();
    assert!(said.contains("\"Reconnect\" on its card"), "{said}");
    assert!(!said.contains("openslot auth"), "{said}");
    g.with(|s| s.auth.revoked = false);
    let c = owner.start("google", json!({"source": "gmail"})).await;
    assert_eq!(c["source"], "gmail");
    let (id, _) = owner.consent_and_come_back(&c).await;
    let (status, v) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], "gmail");
    assert_eq!(v["reconnect_needed"], false, "{v}");
    assert_eq!(v["settings"]["calendar"], "owner@example.org");
    seen.assert_no(&g.with(|s| s.auth.refresh.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_through_the_redirect_asks_for_its_scope_with_pkce() {
    let m = GraphStandIn::start().await;
    m.put(graph_busy("dentist"));
    let app = spawn(
        &format!("{}{}", login_section(), microsoft_section(&m)),
        &[],
    )
    .await;
    let seen = Seen::default();
    let owner = Owner::login(&app, &seen).await;
    let c = owner
        .start("microsoft", json!({"flow": "redirect", "write": true}))
        .await;
    assert_eq!(c["flow"], "redirect");
    let url = c["authorize_url"].as_str().unwrap();
    assert!(url.contains("/common/oauth2/v2.0/authorize?"), "{url}");
    let (id, _) = owner.consent_and_come_back(&c).await;
    let consent = m.with(|s| s.auth.consents[0].clone());
    assert_eq!(
        consent["scope"],
        openslot::sources::oauth::MICROSOFT_SCOPE_WRITE
    );
    assert_eq!(consent["code_challenge_method"], "S256");
    assert_eq!(owner.connection(&id).await["status"], "authorized");
    let (status, saved) = owner
        .call(
            "POST",
            &format!("/admin/api/oauth/connections/{id}/source"),
            Some(json!({"id": "outlook", "write": false})),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    // `write` comes from the sign-in (the scope it was given), not from the body.
    assert_eq!(saved["writable"], true, "{saved}");
    assert!(!owner.slots_on_tuesday().await.contains(&"13:00".to_owned()));
    seen.assert_no(&m.with(|s| s.auth.refresh.clone()));
}
