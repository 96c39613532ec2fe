//! Digest authentication (RFC 7616) against a real server that asks for it: Debian's Apache
//! with mod_auth_digest (MD5, qop=auth; Apache offers no SHA-256) in front of a Xandikos the
//! test starts (Xandikos has no authentication of its own). Apache offers Digest only, so the
//! client's first Basic answer gets a 401 and every request after it is answered with Digest.
//! The SHA-256 answers are checked against RFC 7616's examples in `sources::digest`; which
//! scheme answers which offer is checked against a local server that refuses everything.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use md5::{Digest as _, Md5};
use openslot::sources::caldav::CalDav;
use openslot::sources::{CalendarSource, SourceContext, SourceError};

use super::conformance;
use super::process::ProcessGroup;
use super::servers::{Kind, PASSWORD, Server, USER};

const APACHE: &str = "/usr/sbin/apache2";
const REALM: &str = "OpenSlot test";

/// Apache with Digest in front of `backend`; stopped with its process group on drop.
struct DigestFront {
    /// `http://127.0.0.1:PORT`
    base: String,
    dir: tempfile::TempDir,
    _child: ProcessGroup,
}

impl DigestFront {
    async fn start(backend: &str) -> DigestFront {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let ha1: String = Md5::digest(format!("{USER}:{REALM}:{PASSWORD}"))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::write(
            dir.path().join("digest.passwd"),
            format!("{USER}:{REALM}:{ha1}\n"),
        )
        .unwrap();
        // As root, Apache's workers run as www-data and read the password file at each request.
        let root = std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
            .unwrap_or(false);
        let user = if root {
            use std::os::unix::fs::PermissionsExt;
            let open = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(dir.path(), open).unwrap();
            "User www-data\nGroup www-data\n"
        } else {
            ""
        };
        let modules = [
            "mpm_event",
            "authn_core",
            "authz_core",
            "authn_file",
            "authz_user",
            "auth_digest",
            "proxy",
            "proxy_http",
        ]
        .iter()
        .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"))
        .collect::<String>();
        let backend = backend.trim_end_matches('/');
        std::fs::write(
            dir.path().join("apache.conf"),
            format!(
                "{modules}{user}ServerName 127.0.0.1\nListen 127.0.0.1:{port}\n\
                 PidFile {d}/apache.pid\nDefaultRuntimeDir {d}\nMutex file:{d} default\n\
                 ErrorLog {d}/error.log\nLogFormat \"%r %>s\" short\nCustomLog {d}/access.log short\n\
                 <Location \"/\">\n  AuthType Digest\n  AuthName \"{REALM}\"\n  AuthDigestDomain \"/\"\n\
                   AuthDigestProvider file\n  AuthUserFile {d}/digest.passwd\n  Require valid-user\n\
                 </Location>\nProxyPass \"/\" \"{backend}/\"\nProxyPassReverse \"/\" \"{backend}/\"\n"
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("apache.out")).unwrap();
        let child = ProcessGroup::spawn(
            Command::new(APACHE)
                .arg("-f")
                .arg(dir.path().join("apache.conf"))
                .arg("-DFOREGROUND")
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        )
        .unwrap();
        let front = DigestFront {
            base: format!("http://127.0.0.1:{port}"),
            dir,
            _child: child,
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return front;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "Apache did not start:\n{}",
            front.log("apache.out") + &front.log("error.log")
        );
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// The statuses Apache answered, in order (it logs a request after its answer: a moment
    /// for the last line).
    async fn statuses(&self) -> Vec<u16> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.log("access.log")
            .lines()
            .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
            .collect()
    }

    /// The adapter for `path` behind the front, with this password.
    fn caldav(&self, path: &str, password: &str) -> Arc<CalDav> {
        adapter(&format!("{}{path}", self.base), password)
    }
}

/// A CalDAV source at `url` with the test user and this password.
fn adapter(url: &str, password: &str) -> Arc<CalDav> {
    let text = format!(
        "[owner]\nname = \"A\"\nemail = \"a@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"cal\"\nkind = \"caldav\"\nurl = \"{url}\"\nwrite = true\n\
         username = \"{USER}\"\npassword = \"{password}\"\n"
    );
    let config = openslot::config::from_toml_str(&text, &[], Path::new(".")).unwrap();
    let ctx = SourceContext::new(".");
    Arc::new(CalDav::new(&config.sources[0], &ctx).unwrap())
}

/// Xandikos with a calendar `Story`, Apache in front; `None` without Apache.
async fn setup(test: &str) -> Option<(Server, String, DigestFront)> {
    if !Path::new(APACHE).is_file()
        || !Path::new("/usr/lib/apache2/modules/mod_auth_digest.so").is_file()
    {
        super::required::missing(test, "Apache with mod_auth_digest (`make system-deps`)");
        return None;
    }
    let server = Server::start(Kind::Xandikos).await;
    let calendar = server.mkcalendar("story", "Story", "#445566FF").await;
    let front = DigestFront::start(&server.base).await;
    Some((server, calendar, front))
}

struct Fixture {
    server: Server,
    calendar: String,
    source: Arc<CalDav>,
}

#[async_trait::async_trait]
impl conformance::ReaderFixture for Fixture {
    async fn put(&self, name: &str, ics: &str) {
        self.server
            .put(&self.calendar, &format!("{name}.ics"), ics)
            .await;
    }

    async fn remove(&self, name: &str) {
        self.server
            .remove(&self.calendar, &format!("{name}.ics"))
            .await;
    }

    fn source(&self) -> Arc<dyn CalendarSource> {
        self.source.clone()
    }
}

/// The whole story (discovery from the root, reads, sync, create, retry, delete) through
/// Digest; Apache asks once per adapter, then every request is answered at first try.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_authentication_through_apache() {
    let Some((server, calendar, front)) = setup("digest_authentication_through_apache").await
    else {
        return;
    };
    let path = calendar.strip_prefix(&server.base).unwrap().to_owned();
    let reader = front.caldav("/", PASSWORD);
    let found = reader.discover().await.unwrap();
    assert!(
        found
            .iter()
            .any(|c| c.name.as_deref() == Some("Story") && c.url.ends_with(&path)),
        "{found:?}"
    );
    let fx = Fixture {
        server,
        calendar,
        source: front.caldav(&path, PASSWORD),
    };
    conformance::reader_story(&fx).await;
    let writer = front.caldav(&path, PASSWORD);
    conformance::writer_story(writer.clone(), writer).await;

    let statuses = front.statuses().await;
    let refused = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        refused,
        3,
        "one 401 per adapter (its first Basic answer): {statuses:?}\n{}",
        front.log("error.log")
    );
    assert!(statuses.len() > 20, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_under_digest_is_authentication_failed() {
    let Some((server, calendar, front)) =
        setup("a_wrong_password_under_digest_is_authentication_failed").await
    else {
        return;
    };
    let path = calendar.strip_prefix(&server.base).unwrap();
    let wrong = front.caldav(path, "not the password");
    let e = wrong.fetch(conformance::window(), None).await.unwrap_err();
    assert!(
        matches!(e, SourceError::AuthFailed { status: 401, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("not the password"), "{e}");
    // The Basic answer, then one Digest answer: no loop.
    assert_eq!(front.statuses().await, [401, 401]);
}

/// A server that answers every request 401 with these challenges; the authorization scheme of
/// each request it got (`-` for none).
async fn refusing_server(
    challenges: &'static [&'static str],
) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).to_string();
                let scheme = text
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("authorization")
                            .then(|| value.split_whitespace().next().unwrap_or("").to_owned())
                    })
                    .unwrap_or_else(|| "-".to_owned());
                log.lock().unwrap().push(scheme);
                let headers: String = challenges
                    .iter()
                    .map(|c| format!("WWW-Authenticate: {c}\r\n"))
                    .collect();
                let answer = format!(
                    "HTTP/1.1 401 Unauthorized\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}/cal/"), seen)
}

/// Basic stays the answer when the server offers it; Digest is tried once when it is all the
/// server offers; a Digest OpenSlot cannot answer is said so.
#[tokio::test]
async fn basic_stays_the_default_and_digest_is_tried_once() {
    let cases: [(&'static [&'static str], &[&str], &str); 3] = [
        (
            &[
                "Basic realm=\"r\"",
                "Digest realm=\"r\", nonce=\"n\", qop=\"auth\"",
            ],
            &["Basic"],
            "check the username and password or token",
        ),
        (
            &["Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256"],
            &["Basic", "Digest"],
            "check the username and password or token",
        ),
        (
            &["Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""],
            &["Basic"],
            "a kind of Digest authentication OpenSlot does not support",
        ),
    ];
    for (challenges, expected, message) in cases {
        let (url, seen) = refusing_server(challenges).await;
        let e = adapter(&url, PASSWORD)
            .fetch(conformance::window(), None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, SourceError::AuthFailed { status: 401, .. }),
            "{challenges:?}: {e:?}"
        );
        assert!(e.to_string().contains(message), "{challenges:?}: {e}");
        assert!(!e.to_string().contains(PASSWORD), "{e}");
        assert_eq!(*seen.lock().unwrap(), expected, "{challenges:?}");
    }
}
