//! The committed `openapi.yaml` against the live service, by schemathesis (from
//! `make test-deps`: `target/test-venv`, or `$TEST_VENV`): generated valid and
//! invalid requests to every operation must get no 500 and no answer the spec does not
//! describe (status, content type, body schema, headers).
//!
//! Checks: `all` but two that test something else than the spec:
//! - `positive_data_acceptance`: it expects every schema-valid request to succeed, but the
//!   spec cannot say which event types exist, which times are free or which strings are
//!   RFC 3339 times and IANA zones; those are answered 422 (`invalid`, with `fields`) by
//!   design, and the 422 is documented.
//! - `unsupported_method`: it wants an `Allow` header on the 405 for an undeclared method;
//!   that 405 comes from the router (server.rs), before any endpoint, and is not part of the
//!   spec's operations.
//!
//! The spec's request examples book `intro` at 2026-12-01T09:00+01:00, a free slot under this
//! configuration and clock: the 201 answer and then 409 (`not_free`, with `next_slots`) are
//! checked against the spec too, not only the error answers.
//!
//! Bounded and repeatable: a fixed seed, 30 examples per operation, one worker, a fixed
//! clock; only 127.0.0.1 is spoken to (the spec is read from the file).

#![allow(clippy::unwrap_used)] // a test: a failed step is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use openslot::api::Application;

use openslot_testkit::spec_service;
use spec_service::{CONFIG, fixed_now};

fn schemathesis_bin() -> PathBuf {
    let bin = spec_service::test_venv().join("bin").join("schemathesis");
    assert!(
        bin.is_file(),
        "{} is missing: run `make test-deps` in the workspace (or set TEST_VENV)",
        bin.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_service_keeps_to_openapi_yaml() {
    let bin = schemathesis_bin();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    assert!(spec.is_file(), "{} is missing", spec.display());

    let dir = tempfile::tempdir().unwrap();
    let config = openslot::config::from_toml_str(CONFIG, &[], dir.path()).unwrap();
    let app = Application::build(config, fixed_now).await.unwrap();
    let url = format!("http://{}", app.public_addr());
    let stop = app.stopper();
    let server = tokio::spawn(app.run_until_stopped());

    // schemathesis keeps its own state (`.hypothesis`, `.schemathesis`) in its working
    // directory: a temporary one.
    let work = dir.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&bin)
            .arg("--no-color")
            .arg("run")
            .arg(&spec)
            .args(["--url", &url])
            .args(["--checks", "all"])
            .args([
                "--exclude-checks",
                "positive_data_acceptance,unsupported_method",
            ])
            .args(["--max-examples", "30"])
            .args(["--seed", "20261130"])
            .args(["--workers", "1"])
            .args(["--request-timeout", "10"])
            .args(["--generation-database", "none"])
            .current_dir(&work)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy")
            .env("COLUMNS", "120")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();

    let _ = stop.send(true);
    let _ = server.await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found answers that break openapi.yaml ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // The summary, for the log of a green run.
    if let Some(summary) = stdout.lines().rev().find(|l| l.contains(" in ")) {
        println!("schemathesis: {summary}");
    }
}
