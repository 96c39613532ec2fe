//! A client generated from the committed `openapi.yaml` by a standard generator
//! (openapi-python-client, from `make test-deps`: `target/test-venv`, or `$TEST_VENV`) books,
//! reschedules and cancels against the live service through its typed functions
//! (backend/tests/generated_client.py): what an integrator does first.
//!
//! Repeatable: schemathesis.rs's configuration and fixed clock (`openslot_testkit::spec_service`), only
//! 127.0.0.1, the client generated into a temporary folder; the service runs in this process
//! and stops with it.

#![allow(clippy::unwrap_used)] // a test: a failed step is a failed test

use openslot_testkit::required;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use openslot::api::Application;

use openslot_testkit::spec_service;
use spec_service::{CONFIG, fixed_now};

/// Runs `cmd` to its end, at most `limit`; killed (and the test failed) when it takes longer.
fn run(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} took more than {limit:?}:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn ok(what: &str, out: &Output) -> String {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    stdout.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_client_books_reschedules_and_cancels() {
    let venv = spec_service::test_venv();
    let generator = venv.join("bin/openapi-python-client");
    if !generator.is_file() {
        required::missing(
            "a_generated_client_books_reschedules_and_cancels",
            &format!("{} (make test-deps, or TEST_VENV)", generator.display()),
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = root.join("../openapi.yaml");
    let script = root.join("tests/generated_client.py");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().to_owned();

    // The generator's own hooks (ruff) are not installed: none are run.
    std::fs::write(work.join("generator.yaml"), "post_hooks: []\n").unwrap();
    let generated = {
        let (generator, spec, work) = (generator.clone(), spec.clone(), work.clone());
        tokio::task::spawn_blocking(move || {
            run(
                Command::new(generator)
                    .arg("generate")
                    .arg("--path")
                    .arg(&spec)
                    .args(["--meta", "none", "--config", "generator.yaml"])
                    .args(["--output-path", "client/openslot_client"])
                    .current_dir(&work),
                Duration::from_secs(120),
            )
        })
        .await
        .unwrap()
    };
    let log = ok("openapi-python-client generate", &generated);
    assert!(
        !log.contains("Warning"),
        "the generator skipped parts of openapi.yaml:\n{log}"
    );

    let config = openslot::config::from_toml_str(CONFIG, &[], dir.path()).unwrap();
    let app = Application::build(config, fixed_now).await.unwrap();
    let url = format!("http://{}", app.public_addr());
    let stop = app.stopper();
    let server = tokio::spawn(app.run_until_stopped());

    let python = venv.join("bin/python");
    let out = tokio::task::spawn_blocking(move || {
        run(
            Command::new(python)
                .arg(&script)
                .arg(work.join("client"))
                .arg(&url)
                .arg(&spec)
                .current_dir(&work),
            Duration::from_secs(120),
        )
    })
    .await
    .unwrap();
    let _ = stop.send(true);
    let _ = server.await;
    print!("{}", ok("the generated client's script", &out));
}
