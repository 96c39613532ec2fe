//! What every e2e test needs: the pieces checked, the service started from its binary on free
//! ports with a config of the test's own, and a scenario run under node.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::nginx_front::{free_port, repo};
use crate::process::ProcessGroup;

pub fn frontend() -> PathBuf {
    repo().join("frontend")
}

/// Whether the built SPA, playwright-core, axe-core and Chromium are all there. Without them the
/// test says what is missing and fails under `make test`, or passes as SKIPPED by hand.
pub fn ready(test: &str) -> bool {
    let mut missing = Vec::new();
    if !frontend().join("dist/index.html").is_file() {
        missing.push("frontend/dist (make spa)");
    }
    if !frontend().join("dist/admin/index.html").is_file() {
        missing.push("frontend/dist/admin (make spa)");
    }
    for package in ["playwright-core", "axe-core"] {
        if !frontend().join("node_modules").join(package).is_dir() {
            missing.push("frontend/node_modules (make tools)");
        }
    }
    if !Path::new(&chromium()).is_file() {
        missing.push("chromium (make system-deps)");
    }
    if missing.is_empty() {
        return true;
    }
    missing.dedup();
    crate::required::missing(test, &missing.join(", "));
    false
}

pub fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// The clock of the service and the browsers in the scenarios that do not sweep dates
/// (dates.rs does): a Friday, with the European clock change two days on inside the horizon.
pub const SCENARIO_CLOCK: &str = "2027-03-26T07:00:00Z";

/// The service, started from the built binary; stopped when dropped.
pub struct Service {
    _child: ProcessGroup,
    /// The pinned start of its clock and the wall-clock time (ms) it was set at.
    clock: Option<(String, u128)>,
    pub dir: tempfile::TempDir,
    pub base: String,
    /// The admin listener (the dashboard and its API).
    pub admin: String,
}

/// The service on the clock of the scenarios ([`SCENARIO_CLOCK`]).
pub async fn start_service(config: &str) -> Service {
    start_service_at(config, Some(SCENARIO_CLOCK)).await
}

/// The wall-clock time in ms (what the browsers' pinned clocks run on from).
#[allow(clippy::disallowed_methods)] // the harness lines the browsers up with the service
fn wall_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// Writes `config` (with `{listen}`, `{admin_listen}` and `{static_dir}` filled in) and starts
/// `openslot serve` on it with its clock pinned to `clock` (RFC 3339; None: the wall clock);
/// returns once /readyz answers 200.
pub async fn start_service_at(config: &str, clock: Option<&str>) -> Service {
    start(config, clock, "/readyz").await
}

/// The service on the scenarios' clock, for a test whose calendars are down on purpose:
/// returns once it answers /healthz (it is never ready).
pub async fn start_service_unready(config: &str) -> Service {
    start(config, Some(SCENARIO_CLOCK), "/healthz").await
}

async fn start(config: &str, clock: Option<&str>, wait_for: &str) -> Service {
    let dir = tempfile::tempdir().unwrap();
    let (port, admin_port) = (free_port(), free_port());
    let dist = frontend().join("dist").canonicalize().unwrap();
    let text = config
        .replace("{listen}", &format!("127.0.0.1:{port}"))
        .replace("{admin_listen}", &format!("127.0.0.1:{admin_port}"))
        .replace("{static_dir}", &dist.display().to_string());
    std::fs::write(dir.path().join("openslot.toml"), text).unwrap();
    let log = std::fs::File::create(dir.path().join("openslot.log")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_openslot"));
    command
        .args(["serve", "--config", "openslot.toml"])
        .current_dir(dir.path())
        .env("OPENSLOT_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    if let Some(start) = clock {
        command.env(openslot::clock::CLOCK_START_VAR, start);
    }
    let set_at = wall_ms();
    let child = ProcessGroup::spawn(&mut command).unwrap();
    let service = Service {
        _child: child,
        clock: clock.map(|c| (c.to_owned(), set_at)),
        dir,
        base: format!("http://127.0.0.1:{port}"),
        admin: format!("http://127.0.0.1:{admin_port}"),
    };
    let client = openslot::sources::http::client(Default::default()).unwrap();
    for _ in 0..500 {
        if client
            .get(format!("{}{wait_for}", service.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return service;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{wait_for} did not answer 200: {}", service.log());
}

impl Service {
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("openslot.log")).unwrap_or_default()
    }

    /// `env` plus what pins the scenario's browsers to the service's clock.
    pub fn scenario_env(&self, env: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some((start, set_at)) = &self.clock {
            all.push(("CLOCK_START".into(), start.clone()));
            all.push(("CLOCK_SET_AT".into(), set_at.to_string()));
        }
        all
    }

    /// Runs a scenario against `base_url` with the browsers on this service's clock.
    pub fn scenario(
        &self,
        script: &str,
        base_url: &str,
        env: &[(&str, &str)],
    ) -> serde_json::Value {
        scenario(script, base_url, &self.scenario_env(env))
    }
}

/// Runs `frontend/e2e/{script}` with `BASE_URL` and `env`; panics with its output when it
/// fails; returns what it wrote to OUT (JSON).
pub fn scenario(script: &str, base_url: &str, env: &[(String, String)]) -> serde_json::Value {
    let out = tempfile::NamedTempFile::new().unwrap();
    let screenshots = repo().join("target/screenshots");
    let mut command = Command::new("node");
    command
        .arg(frontend().join("e2e").join(script))
        .current_dir(frontend())
        .env("BASE_URL", base_url)
        .env("OUT", out.path())
        .env("SCREENSHOTS", &screenshots)
        .env("CHROMIUM", chromium());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = crate::process::output_of(&mut command);
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{script} failed:\n{text}");
    println!("{text}");
    let json = std::fs::read_to_string(out.path()).unwrap_or_default();
    serde_json::from_str(&json).unwrap_or(serde_json::Value::Null)
}
