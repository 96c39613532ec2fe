//! An SMTP server for the tests: aiosmtpd from the test venv (`make test-deps`), on a given
//! port of 127.0.0.1, with a handler that writes each accepted message as JSON (envelope
//! recipients, headers, every MIME part decoded by Python's `email` package) into a folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const HANDLER: &str = r#"
import json, os, sys, time, email, email.policy
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
count = [0]

class Save:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            parts.append({
                "content_type": part.get("Content-Type", ""),
                "filename": part.get_filename(),
                "text": payload.decode("utf-8", "replace"),
            })
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[k, str(v)] for k, v in msg.items()],
            "raw_headers": (envelope.original_content or envelope.content).split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace"),
            "tls": bool(session.ssl) or server.transport.get_extra_info("ssl_object") is not None,
            "parts": parts,
        }
        count[0] += 1
        path = os.path.join(out, "%05d.json" % count[0])
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"

# plain, or "starttls" / "tls" (implicit) with a certificate chain and key.
mode = sys.argv[3] if len(sys.argv) > 3 else "plain"
tls = {}
if mode != "plain":
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    tls = {"tls_context": context, "require_starttls": True} if mode == "starttls" else {"ssl_context": context}
controller = Controller(Save(), hostname="127.0.0.1", port=port, **tls)
controller.start()
open(os.path.join(out, "ready"), "w").close()
while True:
    time.sleep(3600)
"#;

fn venv() -> PathBuf {
    let dir = std::env::var_os("TEST_VENV")
        .map_or_else(|| crate::repo().join("target/test-venv"), PathBuf::from);
    assert!(
        dir.join("bin/python").exists(),
        "{} is missing: run `make test-deps` in the workspace (or set TEST_VENV)",
        dir.display()
    );
    dir
}

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    _child: crate::process::ProcessGroup,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts aiosmtpd on `port` and waits until it accepts connections.
    pub async fn start(port: u16) -> SmtpServer {
        Self::start_with(port, &[]).await
    }

    /// With TLS: `mode` "starttls" (required before MAIL) or "tls" (implicit, SMTPS), the
    /// server's certificate chain and key (PEM).
    pub async fn start_tls(port: u16, mode: &str, chain: &Path, key: &Path) -> SmtpServer {
        let args = [mode.to_owned(), path_text(chain), path_text(key)];
        Self::start_with(port, &args).await
    }

    async fn start_with(port: u16, tls: &[String]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("handler.py");
        std::fs::write(&script, HANDLER).unwrap();
        let out = dir.path().join("mails");
        std::fs::create_dir(&out).unwrap();
        let child = crate::process::ProcessGroup::spawn(
            Command::new(venv().join("bin/python"))
                .arg(&script)
                .arg(port.to_string())
                .arg(&out)
                .args(tls)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        )
        .unwrap();
        let server = SmtpServer {
            _child: child,
            port,
            dir,
        };
        for _ in 0..150 {
            if server.out().join("ready").exists()
                && tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("mails")
    }

    /// Every message received so far, in order.
    pub fn mails(&self) -> Vec<Mail> {
        read_mails(&self.out())
    }
}

fn path_text(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

fn read_mails(dir: &Path) -> Vec<Mail> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| Mail(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()))
        .collect()
}

/// One received message.
#[derive(Clone, Debug)]
pub struct Mail(pub Value);

impl Mail {
    pub fn rcpt_tos(&self) -> Vec<String> {
        self.0["rcpt_tos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.0["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|h| h[1].as_str().unwrap().to_owned())
    }

    pub fn header_names(&self) -> Vec<String> {
        self.0["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h[0].as_str().unwrap().to_ascii_lowercase())
            .collect()
    }

    /// Whether the message came over TLS (STARTTLS or implicit).
    pub fn over_tls(&self) -> bool {
        self.0["tls"].as_bool().unwrap()
    }

    pub fn raw_headers(&self) -> String {
        self.0["raw_headers"].as_str().unwrap().to_owned()
    }

    /// The decoded text of the first part whose Content-Type starts with `prefix`.
    pub fn part(&self, prefix: &str) -> Option<String> {
        self.parts(prefix).into_iter().next()
    }

    pub fn parts(&self, prefix: &str) -> Vec<String> {
        self.0["parts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["content_type"].as_str().unwrap().starts_with(prefix))
            .map(|p| p["text"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn content_type(&self, prefix: &str) -> Option<String> {
        self.0["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["content_type"].as_str().unwrap().to_owned())
            .find(|c| c.starts_with(prefix))
    }
}
