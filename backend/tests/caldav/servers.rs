//! Real CalDAV servers for the tests: each test starts its own Radicale or Xandikos on
//! 127.0.0.1 (a free port, a temporary folder) and the guard kills it when dropped.
//! The servers come from `make test-deps` (a venv at `target/test-venv`, or
//! `$TEST_VENV`); without it the tests fail and say so.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use openslot::config::SourceConfig;
use openslot::sources::caldav::CalDav;
use openslot::sources::http::{self, Limits};
use openslot::sources::{SourceContext, ics_feed::basic_auth};
use reqwest::{Method, StatusCode};

use crate::process::ProcessGroup;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Radicale,
    Xandikos,
}

pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonder land";

/// A running server; stopped with its process group on drop.
#[derive(Debug)]
pub struct Server {
    pub kind: Kind,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The calendar home, e.g. `/alice/` or `/user/calendars/`.
    pub home: String,
    child: ProcessGroup,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn venv() -> PathBuf {
    let dir = std::env::var_os("TEST_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-venv"),
        PathBuf::from,
    );
    for tool in ["radicale", "xandikos"] {
        assert!(
            dir.join("bin").join(tool).is_file(),
            "{} is missing: run `make test-deps` in the workspace (or set TEST_VENV)",
            dir.join("bin").join(tool).display()
        );
    }
    dir
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `kind` on `port` with its data in `dir`.
fn spawn(kind: Kind, dir: &std::path::Path, port: u16) -> ProcessGroup {
    let venv = venv();
    let mut cmd = match kind {
        Kind::Radicale => {
            let users = dir.join("users");
            std::fs::write(&users, format!("{USER}:{PASSWORD}\n")).unwrap();
            let config = dir.join("config");
            std::fs::write(
                    &config,
                    format!(
                        "[server]\nhosts = 127.0.0.1:{port}\n\
                         [auth]\ntype = htpasswd\nhtpasswd_filename = {}\nhtpasswd_encryption = plain\ndelay = 0\n\
                         [rights]\ntype = owner_only\n\
                         [storage]\nfilesystem_folder = {}\n\
                         [logging]\nlevel = warning\n",
                        users.display(),
                        dir.join("collections").display()
                    ),
                )
                .unwrap();
            let mut c = Command::new(venv.join("bin/radicale"));
            c.arg("--config").arg(&config);
            c
        }
        Kind::Xandikos => {
            let mut c = Command::new(venv.join("bin/xandikos"));
            c.arg("serve")
                .arg("-d")
                .arg(dir.join("data"))
                .args(["-l", "127.0.0.1", "-p", &port.to_string()])
                .args(["--defaults", "--current-user-principal", "/user/"]);
            c
        }
    };
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    ProcessGroup::spawn(
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    )
    .unwrap()
}

impl Server {
    pub async fn start(kind: Kind) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = spawn(kind, dir.path(), port);
        let server = Server {
            kind,
            base: format!("http://127.0.0.1:{port}"),
            home: match kind {
                Kind::Radicale => format!("/{USER}/"),
                Kind::Xandikos => "/user/calendars/".to_owned(),
            },
            child,
            client: http::client(Limits::default()).unwrap(),
            _dir: dir,
        };
        server.wait_until_up().await;
        server
    }

    /// Kills the server process; its data stays for `restart`.
    pub fn kill(&mut self) {
        self.child.kill_now();
    }

    /// Starts the server again on the same port over the same data.
    #[allow(dead_code)] // used by the API tests (tests/api), which share this module
    pub async fn restart(&mut self) {
        let port: u16 = self.base.rsplit(':').next().unwrap().parse().unwrap();
        self.child = spawn(self.kind, self._dir.path(), port);
        self.wait_until_up().await;
    }

    async fn wait_until_up(&self) {
        for _ in 0..200 {
            let ok = self
                .client
                .request(Method::OPTIONS, &self.base)
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .is_ok();
            if ok {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let log = std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default();
        panic!("{:?} did not start on {}:\n{log}", self.kind, self.base);
    }

    /// A raw request as the owner (with the password on Radicale).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: String,
    ) -> reqwest::Response {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut r = self
            .client
            .request(Method::from_bytes(method.as_bytes()).unwrap(), url)
            .header("content-type", content_type)
            .body(body);
        if self.kind == Kind::Radicale {
            r = r.header("authorization", basic_auth(USER, PASSWORD));
        }
        r.send().await.unwrap()
    }

    /// Creates a calendar `{home}{slug}/` with a display name and an Apple colour; its URL.
    pub async fn mkcalendar(&self, slug: &str, name: &str, color: &str) -> String {
        let path = format!("{}{slug}/", self.home);
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>{name}</d:displayname><a:calendar-color>{color}</a:calendar-color><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"#
        );
        let r = self
            .request("MKCALENDAR", &path, "application/xml", body)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "MKCALENDAR {path}");
        format!("{}{path}", self.base)
    }

    /// PUTs `ics` as `{calendar}{name}` (created or replaced).
    pub async fn put(&self, calendar: &str, name: &str, ics: &str) {
        let r = self
            .request(
                "PUT",
                &format!("{calendar}{name}"),
                "text/calendar",
                ics.to_owned(),
            )
            .await;
        assert!(r.status().is_success(), "PUT {name}: {}", r.status());
    }

    pub async fn remove(&self, calendar: &str, name: &str) {
        let r = self
            .request(
                "DELETE",
                &format!("{calendar}{name}"),
                "text/plain",
                String::new(),
            )
            .await;
        assert!(r.status().is_success(), "DELETE {name}: {}", r.status());
    }

    /// The `[[sources]]` entry of a caldav source at `url` (credentials on Radicale).
    pub fn config(&self, url: &str, calendar: Option<&str>, password: &str) -> SourceConfig {
        let mut entry = String::new();
        if self.kind == Kind::Radicale {
            entry.push_str(&format!(
                "username = \"{USER}\"\npassword = \"{password}\"\n"
            ));
        }
        if let Some(c) = calendar {
            entry.push_str(&format!("calendar = \"{c}\"\n"));
        }
        source_config(url, &entry)
    }

    /// The adapter for `url`.
    pub fn caldav(&self, url: &str, calendar: Option<&str>) -> Arc<CalDav> {
        self.caldav_with_password(url, calendar, PASSWORD)
    }

    pub fn caldav_with_password(
        &self,
        url: &str,
        calendar: Option<&str>,
        password: &str,
    ) -> Arc<CalDav> {
        let ctx = SourceContext {
            data_dir: PathBuf::from("."),
        };
        Arc::new(CalDav::new(&self.config(url, calendar, password), &ctx).unwrap())
    }
}

/// A `[[sources]]` entry of kind caldav at `url`, with `extra` keys.
fn source_config(url: &str, extra: &str) -> SourceConfig {
    let text = format!(
        "[owner]\nname = \"A\"\nemail = \"a@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"cal\"\nkind = \"caldav\"\nurl = \"{url}\"\nwrite = true\n{extra}"
    );
    let config = openslot::config::from_toml_str(&text, &[], std::path::Path::new(".")).unwrap();
    config.sources[0].clone()
}

/// A source at `url` without credentials.
pub fn config_for(url: &str) -> SourceConfig {
    source_config(url, "")
}
