//! `openapi.yaml` under Redocly's `recommended` rules (`@redocly/cli`, pinned in
//! frontend/package.json, installed by `make tools`): no error, and every operation named
//! (`operationId`: generated clients take their function names from it). Warnings are
//! printed, not failed: the ones left are `operation-4xx-response` on endpoints that cannot
//! fail (`/page`, `/event-types`, `/healthz`, `/readyz`).

#![allow(clippy::unwrap_used)] // a test: a failed step is a failed test

use openslot_testkit::required;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn redocly() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/node_modules/.bin/redocly");
    bin.is_file().then_some(bin)
}

/// Redocly's findings on `spec`: (errors, warnings, rule of each problem).
fn lint(bin: &Path, spec: &Path) -> (u64, u64, Vec<String>) {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .arg("lint")
        .arg(spec)
        .args(["--extends", "recommended", "--format", "json"])
        .current_dir(work.path())
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "redocly wrote no JSON report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let rules = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["severity"].as_str().unwrap_or("?"),
                p["ruleId"].as_str().unwrap_or("?")
            )
        })
        .collect();
    (
        report["totals"]["errors"].as_u64().unwrap(),
        report["totals"]["warnings"].as_u64().unwrap(),
        rules,
    )
}

#[test]
fn openapi_yaml_passes_redoclys_recommended_rules() {
    let Some(bin) = redocly() else {
        required::missing(
            "openapi_yaml_passes_redoclys_recommended_rules",
            "frontend/node_modules/.bin/redocly (make tools)",
        );
        return;
    };
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let (errors, warnings, rules) = lint(&bin, &spec);
    println!("redocly recommended: {errors} errors, {warnings} warnings: {rules:?}");
    assert_eq!(errors, 0, "{rules:#?}");
    assert!(
        !rules.iter().any(|r| r.contains("operationId")),
        "every operation needs an operationId: {rules:#?}"
    );
}

/// The admin API's document (served at `/admin/api/openapi.yaml`, not committed) keeps to the
/// same rules: no error, every operation named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_document_passes_redoclys_recommended_rules() {
    let Some(bin) = redocly() else {
        required::missing(
            "the_admin_document_passes_redoclys_recommended_rules",
            "frontend/node_modules/.bin/redocly (make tools)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = openslot::config::from_toml_str(
        "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n\
         [server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\ndata_dir = \"data\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n",
        &[],
        dir.path(),
    )
    .unwrap();
    let app = openslot::api::Application::build(config, || chrono::DateTime::UNIX_EPOCH)
        .await
        .unwrap();
    let url = format!("http://{}/admin/api/openapi.yaml", app.admin_addr());
    let stop = app.stopper();
    let server = tokio::spawn(app.run_until_stopped());
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let answer = client
        .get(&url)
        .send()
        .await
        .map(|r| (r.status(), r.text()));
    let _ = stop.send(true);
    let (status, text) = answer.unwrap();
    let text = text.await.unwrap();
    let _ = server.await;
    assert_eq!(status.as_u16(), 200, "{text}");
    let spec = dir.path().join("admin.yaml");
    std::fs::write(&spec, text).unwrap();
    let (errors, warnings, rules) = lint(&bin, &spec);
    println!("redocly recommended, admin: {errors} errors, {warnings} warnings: {rules:?}");
    assert_eq!(errors, 0, "{rules:#?}");
    assert!(
        !rules.iter().any(|r| r.contains("operationId")),
        "every operation needs an operationId: {rules:#?}"
    );
}
