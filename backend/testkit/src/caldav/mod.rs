//! Real CalDAV servers for the tests: each test starts its own Radicale, Xandikos or Cyrus on
//! 127.0.0.1 (free ports, a temporary folder) and the guard kills it when dropped.
//! Radicale and Xandikos come from `make test-deps` (a venv at `target/test-venv`, or
//! `$TEST_VENV`); without it the tests fail and say so. Cyrus IMAP's CalDAV (a scheduling
//! server, the one behind Fastmail) and DAViCal (PHP over PostgreSQL, see `davical.rs`) come
//! from Debian (`make system-deps`); callers check [`cyrus_missing`] or [`davical_missing`]
//! first.

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

mod davical;
pub use davical::missing as davical_missing;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Radicale,
    Xandikos,
    /// Cyrus IMAP 3.6's httpd with CalDAV and RFC 6638 scheduling: its user's calendar address
    /// is [`OWNER_EMAIL`], and it mails invitations through a stand-in `sendmail` that
    /// records them ([`Server::scheduling_messages`]).
    Cyrus,
    /// DAViCal 1.1.12 behind PHP's built-in web server, over a PostgreSQL of its own.
    Davical,
}

pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonder land";
/// The owner's e-mail: Cyrus's user logs in with it and it is that user's calendar address.
pub const OWNER_EMAIL: &str = "ada@example.org";
/// The Cyrus user (`defaultdomain` example.org makes `ada@example.org` log in as `ada`).
const CYRUS_USERID: &str = "ada";
const CYRUS_ADMIN: &str = "admin";
const CYRUS_ADMIN_PASSWORD: &str = "admin-secret";
const CYRUS_BIN: &str = "/usr/lib/cyrus/bin";
const SASLPASSWD2: &str = "/usr/sbin/saslpasswd2";

/// A running server; stopped with its process group on drop.
#[derive(Debug)]
pub struct Server {
    pub kind: Kind,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The calendar home, e.g. `/alice/` or `/user/calendars/`.
    pub home: String,
    child: ProcessGroup,
    /// DAViCal's PostgreSQL (stopped after the web server: fields drop in order).
    _database: Option<ProcessGroup>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn venv() -> PathBuf {
    let dir = std::env::var_os("TEST_VENV")
        .map_or_else(|| crate::repo().join("target/test-venv"), PathBuf::from);
    for tool in ["radicale", "xandikos"] {
        assert!(
            dir.join("bin").join(tool).is_file(),
            "{} is missing: run `make test-deps` in the workspace (or set TEST_VENV)",
            dir.join("bin").join(tool).display()
        );
    }
    dir
}

/// What is missing to run Cyrus here (Debian's `cyrus-imapd`, `cyrus-caldav`, `sasl2-bin`),
/// or `None`.
pub fn cyrus_missing() -> Option<String> {
    let needed = [
        format!("{CYRUS_BIN}/master"),
        format!("{CYRUS_BIN}/httpd"),
        format!("{CYRUS_BIN}/imapd"),
        SASLPASSWD2.to_owned(),
    ];
    let absent: Vec<_> = needed
        .into_iter()
        .filter(|p| !std::path::Path::new(p).is_file())
        .collect();
    (!absent.is_empty()).then(|| {
        format!(
            "Cyrus IMAP ({}: `make system-deps` installs cyrus-imapd cyrus-caldav sasl2-bin)",
            absent.join(", ")
        )
    })
}

use crate::ports::free_port;

/// Starts `kind` on `port` with its data in `dir`.
fn spawn(kind: Kind, dir: &std::path::Path, port: u16) -> ProcessGroup {
    let venv = if matches!(kind, Kind::Cyrus | Kind::Davical) {
        PathBuf::new()
    } else {
        venv()
    };
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
        Kind::Cyrus => cyrus_command(dir),
        Kind::Davical => davical::command(dir, port, davical_pg_port(dir)),
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
        if kind == Kind::Cyrus {
            cyrus_setup(dir.path(), port);
        }
        let database = (kind == Kind::Davical).then(|| {
            let pg_port = free_port();
            std::fs::write(dir.path().join("pg-port"), pg_port.to_string()).unwrap();
            davical::setup(dir.path(), pg_port, USER, PASSWORD)
        });
        let child = spawn(kind, dir.path(), port);
        let server = Server {
            kind,
            base: format!("http://127.0.0.1:{port}"),
            home: match kind {
                Kind::Radicale => format!("/{USER}/"),
                Kind::Xandikos => "/user/calendars/".to_owned(),
                Kind::Cyrus => format!("/dav/calendars/user/{CYRUS_USERID}/"),
                Kind::Davical => format!("{}/{USER}/", davical::CALDAV_PHP),
            },
            child,
            _database: database,
            client: http::client(Limits::default()).unwrap(),
            _dir: dir,
        };
        server.wait_until_up().await;
        if kind == Kind::Cyrus {
            cyrus_create_user(server._dir.path()).await;
        }
        server
    }

    /// The user name and password the server wants, if any.
    fn login(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Radicale | Kind::Davical => Some(USER),
            Kind::Cyrus => Some(OWNER_EMAIL),
            Kind::Xandikos => None,
        }
    }

    /// The messages Cyrus handed to its `sendmail` (invitations, cancellations), each with its
    /// envelope on the first line.
    pub fn scheduling_messages(&self) -> Vec<String> {
        assert_eq!(self.kind, Kind::Cyrus, "only Cyrus schedules");
        let log = std::fs::read_to_string(self._dir.path().join("mail.log")).unwrap();
        log.split("--- message ")
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The requests DAViCal's web server has answered so far, as `METHOD /path STATUS` (PHP's
    /// built-in server logs each one as `127.0.0.1:PORT [STATUS]: METHOD /path`).
    pub fn answered_requests(&self) -> Vec<String> {
        assert_eq!(self.kind, Kind::Davical, "only DAViCal's log is read");
        let log = std::fs::read_to_string(self._dir.path().join("server.log")).unwrap();
        log.lines()
            .filter_map(|l| {
                let (head, request) = l.split_once("]: ")?;
                let status = head.rsplit_once(" [")?.1;
                let (method, path) = request.split_once(' ')?;
                status
                    .parse::<u16>()
                    .ok()
                    .map(|s| format!("{method} {path} {s}"))
            })
            .collect()
    }

    /// Kills the server process; its data stays for `restart`.
    pub fn kill(&mut self) {
        self.child.kill_now();
    }

    /// The server stops answering (its process is stopped) but keeps its port: requests hang.
    pub fn hang(&self) {
        self.child.freeze();
    }

    /// The server answers again after [`Self::hang`].
    pub fn answer_again(&self) {
        self.child.thaw();
    }

    /// Starts the server again on the same port over the same data.
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

    /// A raw request as the owner (with the password on Radicale and Cyrus).
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
        if let Some(user) = self.login() {
            r = r.header("authorization", basic_auth(user, PASSWORD));
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

    /// The `[[sources]]` entry of a caldav source at `url` (credentials on Radicale and Cyrus).
    pub fn config(&self, url: &str, calendar: Option<&str>, password: &str) -> SourceConfig {
        let mut entry = String::new();
        if let Some(user) = self.login() {
            entry.push_str(&format!(
                "username = \"{user}\"\npassword = \"{password}\"\n"
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
        let ctx = SourceContext::new(PathBuf::from("."));
        Arc::new(CalDav::new(&self.config(url, calendar, password), &ctx).unwrap())
    }
}

/// The port in DAViCal's PostgreSQL socket name (written by `start`).
fn davical_pg_port(dir: &std::path::Path) -> u16 {
    std::fs::read_to_string(dir.join("pg-port"))
        .unwrap()
        .parse()
        .unwrap()
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

// ---- Cyrus ------------------------------------------------------------------------------------

/// A stand-in for `sendmail -bs`, the way Cyrus hands over mail: SMTP on stdin and stdout (an
/// answer must come to every command, or Cyrus's httpd waits for it). Every message is appended
/// to `mail.log` after a `--- message` line with its envelope.
const SENDMAIL: &str = r#"#!/bin/sh
# OpenSlot tests: records what Cyrus would mail, speaking SMTP on stdin/stdout (sendmail -bs).
log="$(dirname "$0")/mail.log"
cr=$(printf '\r')
from=""; to=""
printf '220 stand-in ESMTP\r\n'
while IFS= read -r line; do
  line=${line%"$cr"}
  case "$line" in
    [Mm][Aa][Ii][Ll]\ *) from=$line; printf '250 ok\r\n' ;;
    [Rr][Cc][Pp][Tt]\ *) to="$to $line"; printf '250 ok\r\n' ;;
    [Dd][Aa][Tt][Aa])
      printf '354 go ahead\r\n'
      {
        printf -- '--- message %s%s\n' "$from" "$to"
        while IFS= read -r body; do
          body=${body%"$cr"}
          [ "$body" = "." ] && break
          printf '%s\n' "$body"
        done
      } >> "$log"
      from=""; to=""
      printf '250 queued\r\n' ;;
    [Qq][Uu][Ii][Tt]*) printf '221 bye\r\n'; exit 0 ;;
    *) printf '250 ok\r\n' ;;
  esac
done
"#;

/// The user the tests run as, when it is not root.
fn running_user() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok()?;
    if uid == 0 {
        return None;
    }
    let out = Command::new("id").arg("-un").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Writes Cyrus's configuration into `dir`: `imapd.conf` (CalDAV with scheduling, the
/// stand-in sendmail, SASL passwords in `sasldb2`), `cyrus.conf` (httpd on `port`, imapd on
/// the socket `conf/socket/imap`), the users. Cyrus refuses to run as root: its
/// master, started as root, becomes the `cyrus` user of the Debian package, so the folder is
/// handed to that user; run as anyone else, Cyrus runs as that user (`cyrus_user`).
fn cyrus_setup(dir: &std::path::Path, port: u16) {
    for sub in ["conf/socket", "conf/proc", "conf/lock", "conf/log", "spool"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let sendmail = dir.join("sendmail");
    std::fs::write(&sendmail, SENDMAIL).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sendmail, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(dir.join("mail.log"), "").unwrap();
    let d = dir.display();
    let user = running_user();
    let cyrus_user = user
        .as_deref()
        .map(|u| format!("cyrus_user: {u}\n"))
        .unwrap_or_default();
    std::fs::write(
        dir.join("imapd.conf"),
        format!(
            "configdirectory: {d}/conf\npartition-default: {d}/spool\ndefaultpartition: default\n\
             servername: example.org\nvirtdomains: userid\ndefaultdomain: example.org\n\
             unixhierarchysep: yes\nadmins: {CYRUS_ADMIN}\nallowplaintext: yes\n\
             sasl_pwcheck_method: auxprop\nsasl_auxprop_plugin: sasldb\n\
             sasl_sasldb_path: {d}/sasldb2\nsasl_mech_list: PLAIN\n\
             httpmodules: caldav\ncaldav_allowscheduling: on\nsendmail: {d}/sendmail\n\
             lmtpsocket: {d}/conf/socket/lmtp\nidlesocket: {d}/conf/socket/idle\n\
             notifysocket: {d}/conf/socket/notify\nproc_path: {d}/conf/proc\n\
             mboxname_lockpath: {d}/conf/lock\nsyslog_prefix: openslot-test-cyrus\n{cyrus_user}"
        ),
    )
    .unwrap();
    let conf = dir.join("imapd.conf");
    let c = conf.display();
    std::fs::write(
        dir.join("cyrus.conf"),
        format!(
            "START {{\n  recover cmd=\"ctl_cyrusdb -C {c} -r\"\n}}\n\
             SERVICES {{\n  http cmd=\"httpd -C {c}\" listen=\"127.0.0.1:{port}\" prefork=0\n\
               imap cmd=\"imapd -C {c}\" listen=\"{d}/conf/socket/imap\" prefork=0\n}}\n\
             EVENTS {{\n}}\n"
        ),
    )
    .unwrap();
    for (name, password) in [
        (CYRUS_USERID, PASSWORD),
        (CYRUS_ADMIN, CYRUS_ADMIN_PASSWORD),
    ] {
        let mut child = Command::new(SASLPASSWD2)
            .arg("-f")
            .arg(dir.join("sasldb2"))
            .args(["-p", "-c", "-u", "example.org", name])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "saslpasswd2 {name}");
    }
    if user.is_none() {
        let status = Command::new("chown")
            .args(["-R", "cyrus:mail"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "chown -R cyrus:mail {d}");
    }
}

/// Cyrus's master in the foreground, with the services of `cyrus.conf`.
fn cyrus_command(dir: &std::path::Path) -> Command {
    let mut c = Command::new(format!("{CYRUS_BIN}/master"));
    c.arg("-C")
        .arg(dir.join("imapd.conf"))
        .arg("-M")
        .arg(dir.join("cyrus.conf"))
        .arg("-p")
        .arg(dir.join("conf/master.pid"))
        .arg("-D");
    c
}

/// Creates the user's mailbox as the admin over IMAP (Cyrus's httpd then makes the calendar
/// home on the user's first request). Every answer within 20 s, or the test fails with why.
async fn cyrus_create_user(dir: &std::path::Path) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let socket = dir.join("conf/socket/imap");
    let mut stream = None;
    for _ in 0..200 {
        if let Ok(s) = tokio::net::UnixStream::connect(&socket).await {
            stream = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (read, mut write) = stream.expect("Cyrus imapd on its socket").into_split();
    let mut lines = BufReader::new(read).lines();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("Cyrus imapd did not answer within 20 s")
            .unwrap()
            .unwrap_or_default()
    };
    let greeting = next().await;
    assert!(greeting.starts_with("* OK"), "Cyrus imapd: {greeting:?}");
    for (tag, command) in [
        ("a", format!("LOGIN {CYRUS_ADMIN} {CYRUS_ADMIN_PASSWORD}")),
        ("b", format!("CREATE user/{CYRUS_USERID}")),
        ("c", "LOGOUT".to_owned()),
    ] {
        write
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .await
            .unwrap();
        loop {
            let line = next().await;
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                assert!(rest.starts_with("OK"), "IMAP {command}: {line}");
                break;
            }
            assert!(!line.is_empty(), "IMAP {command}: the connection closed");
        }
    }
}
