//! The service started from its binary (`openslot serve`) for the hardening tests.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::ProcessGroup;

/// The service's clock: a Monday morning in winter, not today.
pub const PINNED: &str = "2026-11-30T08:00:00Z";

pub use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

/// What the dashboard's files say: no public answer may contain it.
pub const DASHBOARD_MARK: &str = "OPENSLOT-DASHBOARD-FILE";

pub use openslot_testkit::free_port;

/// A running `openslot serve`; stopped when dropped.
pub struct Live {
    _child: ProcessGroup,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub admin_port: u16,
    pub base: String,
    pub admin: String,
}

/// How to start it.
#[derive(Default)]
pub struct Options {
    /// More TOML after the base config (sources, `[admin]`, ...).
    pub extra_toml: String,
    /// More keys of `[security]` (the base config has that section).
    pub security_toml: String,
    /// `ulimit` arguments for the service's open files (`-Sn 256`: the soft limit only, `-n 256`:
    /// soft and hard), as a small host would have.
    pub file_limit: Option<&'static str>,
}

fn write_static(dir: &Path) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(dist.join("admin")).unwrap();
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Book</title>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/app.js"), "console.log('book')").unwrap();
    std::fs::write(
        dist.join("admin/index.html"),
        format!("<!doctype html><title>{DASHBOARD_MARK}</title>"),
    )
    .unwrap();
}

impl Live {
    pub async fn start(options: Options) -> Live {
        let dir = tempfile::tempdir().unwrap();
        write_static(dir.path());
        let port = free_port();
        let admin_port = free_port();
        let all_days = "[\"00:00-24:00\"]";
        std::fs::write(
            dir.path().join("openslot.toml"),
            format!(
                "[owner]\nname = \"Ada\"\nemail = \"ada@example.org\"\ntimezone = \"UTC\"\n\
                 [server]\nlisten = \"127.0.0.1:{port}\"\nadmin_listen = \"127.0.0.1:{admin_port}\"\n\
                 data_dir = \"data\"\nstatic_dir = \"dist\"\n\
                 [security]\ncaptcha = false\nrate_limit_per_minute = 0\n{}\
                 [availability]\nmin_notice_minutes = 0\nhorizon_days = 30\n\
                 working_hours = {{ mon = {all_days}, tue = {all_days}, wed = {all_days}, thu = {all_days}, \
                 fri = {all_days}, sat = {all_days}, sun = {all_days} }}\n\
                 [[event_types]]\nslug = \"q\"\ntitle = \"Quick\"\nduration_minutes = 15\n{}",
                options.security_toml, options.extra_toml
            ),
        )
        .unwrap();
        let bin = env!("CARGO_BIN_EXE_openslot");
        let mut cmd = match options.file_limit {
            Some(limit) => {
                let mut c = Command::new("sh");
                c.args([
                    "-c",
                    &format!("ulimit {limit} && exec \"$0\" serve --config openslot.toml"),
                    bin,
                ]);
                c
            }
            None => {
                let mut c = Command::new(bin);
                c.args(["serve", "--config", "openslot.toml"]);
                c
            }
        };
        cmd.current_dir(dir.path())
            .env("OPENSLOT_LOG", "warn")
            .env(openslot::clock::CLOCK_START_VAR, PINNED)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = ProcessGroup::spawn(&mut cmd).unwrap();
        let live = Live {
            _child: child,
            dir,
            port,
            admin_port,
            base: format!("http://127.0.0.1:{port}"),
            admin: format!("http://127.0.0.1:{admin_port}"),
        };
        live.wait_until_up().await;
        live
    }

    async fn wait_until_up(&self) {
        let client = crate::live::client();
        for _ in 0..500 {
            if client
                .get(format!("{}/healthz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the service did not come up");
    }

    pub fn pid(&self) -> u32 {
        self._child.id()
    }
}

/// A booking request body for slot `start` (RFC 3339).
pub fn booking(start: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "event_type": "q",
        "start": start,
        "name": name,
        "email": "eve@example.com",
        "timezone": "UTC",
    })
}

/// One raw HTTP/1.1 exchange: `head` written (and `body`, if any), the answer read until the
/// server closes or `wait` passes; the text read.
pub async fn raw(addr: &str, request: &[u8], wait: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// An HTTP client (the service's own builder installs the TLS provider reqwest needs).
pub fn client() -> reqwest::Client {
    openslot::sources::http::client(Default::default()).unwrap()
}
