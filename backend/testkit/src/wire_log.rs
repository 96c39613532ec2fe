//! What goes over the wire to a calendar server: nginx as a plain reverse proxy in front of
//! it, logging for every request its method, path, `If-Match` and `If-None-Match` as sent, the
//! server's status and the ETag it answered. Tests point a source at [`WireLog::base`] and read
//! [`WireLog::requests`] to check the conditional requests OpenSlot really sends.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::ProcessGroup;

/// One request as nginx saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    pub method: String,
    pub path: String,
    /// `None` when the header was not sent.
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    pub status: u16,
    /// The ETag the server answered, if any.
    pub etag: Option<String>,
}

impl Wire {
    /// `If-Match` with one strong entity tag (`"..."`, not `W/"..."`, not `*`).
    pub fn strong_if_match(&self) -> bool {
        self.if_match
            .as_deref()
            .is_some_and(|v| v.len() >= 2 && v.starts_with('"') && v.ends_with('"'))
    }
}

pub struct WireLog {
    /// `http://127.0.0.1:{port}`: the same paths as the server behind it.
    pub base: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _nginx: ProcessGroup,
}

impl WireLog {
    /// nginx on a free port in front of `upstream` (`http://127.0.0.1:{port}`).
    pub async fn start(nginx: &Path, upstream: &str) -> WireLog {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let port = crate::nginx_front::free_port();
        let log = d.join("wire.log");
        let p = d.display();
        // `$http_if_match` is empty when the header is missing: `-` marks that, since an
        // empty If-Match cannot be sent by a client that means one.
        let conf = format!(
            "worker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n\
               client_body_temp_path {p}/body; proxy_temp_path {p}/proxy;\n\
               fastcgi_temp_path {p}/fastcgi; uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n\
               map $http_if_match $im {{ \"\" \"-\"; default $http_if_match; }}\n\
               map $http_if_none_match $inm {{ \"\" \"-\"; default $http_if_none_match; }}\n\
               map $upstream_http_etag $et {{ \"\" \"-\"; default $upstream_http_etag; }}\n\
               log_format wire escape=none '$request_method\\t$request_uri\\t$im\\t$inm\\t$status\\t$et';\n\
               access_log {log} wire;\n\
               client_max_body_size 10m;\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 location / {{\n\
                   proxy_pass {upstream};\n\
                   proxy_set_header Host $http_host;\n\
                   proxy_http_version 1.1;\n\
                   proxy_buffering off;\n\
                 }}\n\
               }}\n\
             }}\n",
            log = log.display(),
        );
        std::fs::write(d.join("nginx.conf"), conf).unwrap();
        let args = |cmd: &mut Command| {
            cmd.arg("-p")
                .arg(d)
                .arg("-c")
                .arg(d.join("nginx.conf"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
        };
        let mut test = Command::new(nginx);
        args(test.arg("-t"));
        assert!(test.status().unwrap().success(), "nginx -t");
        let mut cmd = Command::new(nginx);
        args(cmd.args(["-g", "daemon off;"]));
        let nginx = ProcessGroup::spawn(&mut cmd).unwrap();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        WireLog {
            base,
            log,
            _dir: dir,
            _nginx: nginx,
        }
    }

    /// `url` of the server behind, as seen through the proxy.
    pub fn through(&self, url: &str) -> String {
        let path = url.splitn(4, '/').nth(3).unwrap_or_default();
        format!("{}/{path}", self.base)
    }

    /// The log once nginx has written it out: it logs a request just after answering it, so
    /// the client may be on before the line is there. Read until it stays the same for 100 ms.
    fn settled(&self) -> String {
        let read = || std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut text = read();
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(100));
            let again = read();
            if again == text {
                break;
            }
            text = again;
        }
        text
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Wire> {
        let text = self.settled();
        let opt = |s: &str| (s != "-").then(|| s.to_owned());
        text.lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let [method, path, if_match, if_none_match, status, etag] = f.as_slice() else {
                    return None;
                };
                Some(Wire {
                    method: (*method).to_owned(),
                    path: (*path).to_owned(),
                    if_match: opt(if_match),
                    if_none_match: opt(if_none_match),
                    status: status.parse().unwrap_or(0),
                    etag: opt(etag),
                })
            })
            .collect()
    }

    /// The requests that write: PUT and DELETE.
    pub fn writes(&self) -> Vec<Wire> {
        self.requests()
            .into_iter()
            .filter(|w| matches!(w.method.as_str(), "PUT" | "DELETE"))
            .collect()
    }

    /// Forgets what was logged so far.
    pub fn clear(&self) {
        self.settled();
        std::fs::write(&self.log, "").unwrap();
    }
}
