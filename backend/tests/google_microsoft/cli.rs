//! The command line end to end against the Graph stand-in: `openslot auth microsoft` (the
//! device-code flow, run by the built binary), then `openslot sync` and `openslot sources`
//! with the token it stored.

use std::process::Command;

use super::graph_standin::GraphStandIn;

fn openslot(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(args)
        .current_dir(dir)
        .env_remove("OPENSLOT_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_then_sync_through_the_command_line() {
    let m = GraphStandIn::start().await;
    m.with(|s| s.auth.pending_polls = 1);
    let dir = tempfile::tempdir().unwrap();
    // No token in the configuration: only `openslot auth` can provide one.
    let config = format!(
        "[owner]\nname = \"Owner\"\nemail = \"owner@example.org\"\ntimezone = \"UTC\"\n\
         [server]\ndata_dir = \"data\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"work\"\nkind = \"microsoft\"\nurl = \"{}\"\noauth_url = \"{}\"\n\
         client_id = \"client-1\"\ntimeout_seconds = 5\n",
        m.api(),
        m.oauth()
    );
    std::fs::write(dir.path().join("openslot.toml"), config).unwrap();
    let path = dir.path().to_owned();

    let before = tokio::task::spawn_blocking({
        let path = path.clone();
        move || openslot(&path, &["sync", "--config", "openslot.toml"])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&before.stdout);
    assert_eq!(before.status.code(), Some(1), "{text}");
    assert!(
        text.contains("not authorized yet: run `openslot auth microsoft --source work`"),
        "{text}"
    );

    let auth = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            openslot(
                &path,
                &[
                    "auth",
                    "microsoft",
                    "--config",
                    "openslot.toml",
                    "--source",
                    "work",
                ],
            )
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&auth.stdout);
    assert_eq!(
        auth.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&auth.stderr)
    );
    assert!(text.contains("ABCD-EFGH"), "the code to enter: {text}");
    assert!(text.contains("authorized"), "{text}");
    let stored = m.with(|s| s.auth.refresh.clone());
    assert!(!text.contains(&stored), "the token is never shown");
    assert!(path.join("data/tokens/work.json").is_file());

    m.put(serde_json::json!({
        "id": "a", "subject": "a", "isAllDay": false, "isCancelled": false, "showAs": "busy",
        "type": "singleInstance",
        "start": { "dateTime": "2026-03-02T09:00:00.0000000", "timeZone": "UTC" },
        "end": { "dateTime": "2026-03-02T10:00:00.0000000", "timeZone": "UTC" },
    }));
    let sync = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            openslot(
                &path,
                &["sync", "--config", "openslot.toml", "--json", "--verbose"],
            )
        }
    })
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&sync.stdout).unwrap();
    assert_eq!(sync.status.code(), Some(0), "{v}");
    assert_eq!(v["results"][0]["ok"], true, "{v}");
    // --verbose: each Graph request on stderr, without the token.
    let log = String::from_utf8_lossy(&sync.stderr);
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("openslot::http"))
        .collect();
    let api = m.api();
    assert!(
        requests.iter().any(|l| l.contains("method=GET")
            && l.contains(&format!("url={}", api.trim_end_matches('/')))
            && l.contains("status=200")
            && l.contains(" ms=")),
        "{log}"
    );
    assert!(!log.contains(&stored) && !log.contains("Bearer"), "{log}");
}

/// Microsoft refuses the stored sign-in (`invalid_grant`): `openslot sync` and the status say
/// "reconnect needed", and so does `/metrics` on the admin listener of the running service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_is_reconnect_needed_in_the_status_and_the_metrics() {
    let m = GraphStandIn::start().await;
    m.with(|s| s.auth.revoked = true);
    let dir = tempfile::tempdir().unwrap();
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (public, admin) = (free(), free());
    let config = format!(
        "[owner]\nname = \"Owner\"\nemail = \"owner@example.org\"\ntimezone = \"UTC\"\n\
         [server]\ndata_dir = \"data\"\nlisten = \"127.0.0.1:{public}\"\nadmin_listen = \"127.0.0.1:{admin}\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"work\"\nkind = \"microsoft\"\nurl = \"{}\"\noauth_url = \"{}\"\n\
         client_id = \"client-1\"\ntoken = \"rt-0\"\ntimeout_seconds = 5\n",
        m.api(),
        m.oauth()
    );
    std::fs::write(dir.path().join("openslot.toml"), config).unwrap();
    let path = dir.path().to_owned();
    let sync = tokio::task::spawn_blocking({
        let path = path.clone();
        move || openslot(&path, &["sync", "--config", "openslot.toml", "--json"])
    })
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&sync.stdout).unwrap();
    assert_eq!(sync.status.code(), Some(1), "{v}");
    assert_eq!(v["sources"][0]["reconnect_needed"], true, "{v}");
    let error = v["results"][0]["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("reconnect needed"), "{v}");

    let _service = super::process::ProcessGroup::spawn(
        Command::new(env!("CARGO_BIN_EXE_openslot"))
            .args(["serve", "--config", "openslot.toml"])
            .current_dir(&path)
            .env("OPENSLOT_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
    )
    .unwrap();
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let mut metrics = String::new();
    for _ in 0..200 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{admin}/metrics"))
            .send()
            .await
        {
            metrics = r.text().await.unwrap_or_default();
            if metrics.contains("openslot_source_reconnect_needed{source=\"work\"} 1") {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        metrics.contains("openslot_source_reconnect_needed{source=\"work\"} 1"),
        "{metrics}"
    );
}

/// `openslot auth google --paste`: for a server the browser cannot reach. The binary prints the
/// consent URL (with a redirect to a loopback port nothing answers); the owner's browser ends on
/// an error page whose address holds the code, and the owner pastes that address on stdin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_google_with_a_pasted_address() {
    use std::io::{BufRead, Write};

    let g = super::google_standin::GoogleStandIn::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[owner]\nname = \"Owner\"\nemail = \"owner@example.org\"\ntimezone = \"UTC\"\n\
         [server]\ndata_dir = \"data\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"work\"\nkind = \"google\"\nurl = \"{}\"\noauth_url = \"{}\"\n\
         client_id = \"client-1\"\nclient_secret = \"secret-1\"\ntimeout_seconds = 5\n",
        g.api(),
        g.oauth()
    );
    std::fs::write(dir.path().join("openslot.toml"), config).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_openslot"));
    command
        .args([
            "auth",
            "google",
            "--config",
            "openslot.toml",
            "--source",
            "work",
            "--paste",
        ])
        .current_dir(dir.path())
        .env_remove("OPENSLOT_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = super::process::ProcessGroup::spawn(&mut command).unwrap();
    let mut stdin = child.child().stdin.take().unwrap();
    let stdout = child.child().stdout.take().unwrap();
    let (url, rest) = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut seen = String::new();
        let url = loop {
            let line = lines.next().unwrap().unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("/o/oauth2/v2/auth?") {
                break line.trim().to_owned();
            }
        };
        (url, (lines, seen))
    })
    .await
    .unwrap();
    let q: std::collections::BTreeMap<String, String> = reqwest::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["redirect_uri"], "http://127.0.0.1:1/");
    assert_eq!(q["code_challenge_method"], "S256");
    // The browser: the consent page sends it to the address nothing answers. (The one client
    // builder installs the TLS provider a plain reqwest builder needs.)
    let _ = openslot::sources::http::client(Default::default());
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = browser.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let address = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        address.starts_with("http://127.0.0.1:1/?code="),
        "{address}"
    );
    writeln!(stdin, "{address}").unwrap();
    drop(stdin);
    let (mut lines, mut seen) = rest;
    let status = tokio::task::spawn_blocking(move || {
        for line in lines.by_ref() {
            seen.push_str(&line.unwrap());
            seen.push('\n');
        }
        (child.wait().unwrap(), seen)
    })
    .await
    .unwrap();
    let (status, text) = status;
    assert!(status.success(), "{text}");
    assert!(text.contains("Authorized"), "{text}");
    let stored = g.with(|s| s.auth.refresh.clone());
    assert!(!text.contains(&stored), "the token is never shown");
    let file = std::fs::read_to_string(dir.path().join("data/tokens/work.json")).unwrap();
    assert!(file.contains(&stored));
}
