//! Connecting Google and Microsoft from the dashboard in Chromium, against the stand-ins of
//! their APIs and sign-in pages (`../google_microsoft/`): Google through the redirect back to
//! the admin listener, Google again through the pasted address (the browser cannot reach the
//! callback), Microsoft through the device code; a calendar is picked each time, and its busy
//! time shows in the week view at once, without a restart; then Google revokes the sign-in and
//! the owner reconnects from the card's badge. frontend/e2e/connect.mjs drives it.

use std::sync::Arc;

use serde_json::json;

use super::google_standin::GoogleStandIn;
use super::graph_standin::GraphStandIn;
use super::harness::{ready, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_connects_google_and_microsoft_and_sees_their_busy_time() {
    if !ready("connect e2e") {
        return;
    }
    // The scenarios' Friday (2027-03-26, Berlin is UTC+1): 13:00-14:00 busy at Google,
    // 15:00-16:00 at Microsoft, in Berlin time.
    let g: Arc<GoogleStandIn> = GoogleStandIn::start().await;
    g.put(json!({
        "id": "g1", "summary": "Dentist",
        "start": { "dateTime": "2027-03-26T12:00:00Z" },
        "end": { "dateTime": "2027-03-26T13:00:00Z" },
    }));
    let m: Arc<GraphStandIn> = GraphStandIn::start().await;
    let t = |h: u32| json!({ "dateTime": format!("2027-03-26T{h:02}:00:00.0000000"), "timeZone": "UTC" });
    m.put(json!({
        "id": "m1", "subject": "Review", "isAllDay": false, "isCancelled": false, "showAs": "busy",
        "type": "singleInstance", "start": t(14), "end": t(15),
    }));
    // The owner signs in at Microsoft on another device after the dashboard asked twice.
    m.with(|s| s.auth.pending_polls = 2);
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [google]\nclient_id = \"client-1\"\nclient_secret = \"secret-1\"\nurl = \"{}\"\noauth_url = \"{}\"\n\
         [microsoft]\nclient_id = \"client-2\"\nurl = \"{}\"\noauth_url = \"{}\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n",
        g.api(),
        g.oauth(),
        m.api(),
        m.oauth()
    );
    let service = start_service(&config).await;
    let admin = service.admin.clone();
    let google_origin = g.oauth();
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("ALLOWED_ORIGINS", google_origin.as_str()),
    ]);
    let result = tokio::task::spawn_blocking({
        let (admin, env) = (admin.clone(), env.clone());
        move || super::harness::scenario("connect.mjs", &admin, &env)
    })
    .await
    .unwrap();
    assert_eq!(
        result["sources"],
        json!(["gteam", "gwork", "outlook"]),
        "{result}"
    );
    let first_token = g.with(|s| s.auth.refresh.clone());

    // Google no longer takes the stored sign-in (revoked): the owner reconnects.
    g.with(|s| {
        s.auth.refresh = "rt-revoked-by-the-test".to_owned();
        s.auth.expire_access_tokens();
    });
    let mut env = env;
    env.push(("PHASE".to_owned(), "reconnect".to_owned()));
    let result =
        tokio::task::spawn_blocking(move || super::harness::scenario("connect.mjs", &admin, &env))
            .await
            .unwrap();
    assert_eq!(result["reconnected"], true, "{result}");

    // The tokens stayed on the server: sealed in the database, in no file and no log.
    let log = service.log();
    for token in [first_token, g.with(|s| s.auth.refresh.clone())] {
        assert!(!log.contains(&token), "the log holds a token");
    }
    assert!(!log.contains("code-"), "the log holds a code");
    assert!(!service.dir.path().join("data/tokens").exists());
    assert!(m.with(|s| s.auth.device_polls) >= 3);
    // Outlook was connected to write bookings: the last device code asked for that.
    assert_eq!(
        m.with(|s| s.auth.scopes.last().cloned()),
        Some(openslot::sources::oauth::MICROSOFT_SCOPE_WRITE.to_owned())
    );
    drop(service);
}
