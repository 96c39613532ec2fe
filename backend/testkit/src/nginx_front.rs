//! nginx as shipped, in front of a backend the caller starts: the template
//! `nginx/templates/openslot.conf.template` rendered with local ports and paths (as the nginx
//! image's envsubst does), a CA and a certificate made with the openssl CLI, the booking page
//! from `frontend/dist` prepared by `nginx/prepare-dist.sh` (on a copy). Used by
//! backend/tests/nginx.rs and the end-to-end suite (backend/tests/e2e/through_nginx.rs).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::redirect::Policy;

use crate::process::ProcessGroup;

pub use crate::repo;

pub use crate::ports::free_port;

/// nginx from PATH or /usr/sbin (not in a normal user's PATH on Debian).
pub fn nginx_binary() -> Option<PathBuf> {
    ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("-v")
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

pub fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for localhost and 127.0.0.1, as nginx wants them
/// (fullchain.pem, privkey.pem, chain.pem in `tls`); returns the CA's PEM.
pub fn make_certificates(tls: &Path) -> Vec<u8> {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .current_dir(tls)
        .args([
            "req",
            "-x509",
            "-days",
            "2",
            "-subj",
            "/CN=OpenSlot test CA",
        ])
        .args(ec)
        .args(["-keyout", "ca.key", "-out", "ca.pem"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(Command::new("openssl")
        .current_dir(tls)
        .args(["req", "-subj", "/CN=localhost"])
        .args(ec)
        .args(["-keyout", "privkey.pem", "-out", "server.csr"]));
    std::fs::write(
        tls.join("server.ext"),
        "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n\
         keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl").current_dir(tls).args([
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]));
    let (server, ca) = (
        std::fs::read(tls.join("server.pem")).unwrap(),
        std::fs::read(tls.join("ca.pem")).unwrap(),
    );
    std::fs::write(tls.join("fullchain.pem"), [server, ca.clone()].concat()).unwrap();
    std::fs::write(tls.join("chain.pem"), &ca).unwrap();
    ca
}

/// The shipped template with `vars` put in, as envsubst does; every `${...}` must be one of them.
fn render(vars: &[(&str, String)]) -> String {
    let template =
        std::fs::read_to_string(repo().join("nginx/templates/openslot.conf.template")).unwrap();
    let mut text = template;
    for (name, value) in vars {
        text = text.replace(&format!("${{{name}}}"), value);
    }
    assert!(
        !text.contains("${"),
        "the template uses a variable the test does not set"
    );
    text
}

/// `frontend/dist` copied to `to` and prepared as `make dist` does; false when not built.
pub fn prepare_dist(to: &Path) -> bool {
    let dist = repo().join("frontend/dist");
    if !dist.join("index.html").is_file() {
        return false;
    }
    std::fs::create_dir_all(to).unwrap();
    // The booking page's files and its translations (`i18n/`), not the dashboard (`admin/`).
    for folder in ["", "i18n"] {
        let Ok(entries) = std::fs::read_dir(dist.join(folder)) else {
            continue;
        };
        std::fs::create_dir_all(to.join(folder)).unwrap();
        for entry in entries {
            let path = entry.unwrap().path();
            // A dist that `make dist` already prepared: start from trunk's output only.
            if path.is_file() && path.extension().is_none_or(|e| e != "gz") {
                std::fs::copy(&path, to.join(folder).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    run(Command::new(repo().join("nginx/prepare-dist.sh")).arg(to));
    true
}

/// Folders nginx's workers (user nobody when the test runs as root) must read.
fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// nginx and openssl, or None (with a message): the tests then fail under `make test`, or
/// pass as SKIPPED when run by hand.
pub fn tools_present() -> Option<PathBuf> {
    let Some(nginx) = nginx_binary() else {
        crate::required::missing("nginx", "nginx (`make system-deps` installs it)");
        return None;
    };
    if Command::new("openssl").arg("version").output().is_err() {
        crate::required::missing("nginx", "the openssl command");
        return None;
    }
    Some(nginx)
}

/// A running nginx on 127.0.0.1 (HTTP and HTTPS ports) in front of `127.0.0.1:upstream`.
pub struct Front {
    pub dir: tempfile::TempDir,
    pub https: u16,
    pub http: u16,
    pub ca: Vec<u8>,
    /// The base64 SHA-256 of the server key (Chromium's --ignore-certificate-errors-spki-list).
    pub spki: String,
    pub static_root: Option<PathBuf>,
    _nginx: ProcessGroup,
}

impl Front {
    pub fn start(nginx: &Path, upstream: u16) -> Front {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        open_to_all(d);
        let tls = d.join("tls");
        std::fs::create_dir_all(&tls).unwrap();
        let ca = make_certificates(&tls);
        let spki = spki_of(&tls.join("server.pem"));
        let acme = d.join("acme");
        std::fs::create_dir_all(acme.join(".well-known/acme-challenge")).unwrap();
        std::fs::write(acme.join(".well-known/acme-challenge/token-1"), "proof-1").unwrap();
        let static_root = prepare_dist(&d.join("www")).then(|| d.join("www"));
        if static_root.is_none() {
            crate::required::missing("nginx's static files", "frontend/dist (make spa)");
            std::fs::create_dir_all(d.join("www")).unwrap();
        }
        let (http, https) = (free_port(), free_port());
        let conf = render(&[
            ("OPENSLOT_DOMAIN", "localhost".into()),
            ("NGINX_HTTP_LISTEN", format!("127.0.0.1:{http}")),
            ("NGINX_HTTPS_LISTEN", format!("127.0.0.1:{https}")),
            ("OPENSLOT_UPSTREAM", format!("127.0.0.1:{upstream}")),
            ("NGINX_STATIC_ROOT", d.join("www").display().to_string()),
            ("NGINX_TLS_DIR", tls.display().to_string()),
            ("NGINX_ACME_ROOT", acme.display().to_string()),
            ("NGINX_RESOLVER", "127.0.0.1".into()),
        ]);
        std::fs::write(d.join("openslot.conf"), conf).unwrap();
        // What the nginx image's own nginx.conf holds around conf.d/*.conf, with the process's
        // paths moved into the temp folder.
        let p = d.display();
        std::fs::write(
            d.join("nginx.conf"),
            format!(
                "worker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log warn;\n\
                 events {{ worker_connections 256; }}\n\
                 http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n\
                 client_body_temp_path {p}/body; proxy_temp_path {p}/proxy;\n\
                 fastcgi_temp_path {p}/fastcgi; uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n\
                 include {p}/openslot.conf;\n}}\n"
            ),
        )
        .unwrap();
        let conf_args = |cmd: &mut Command| {
            cmd.arg("-p")
                .arg(d)
                .arg("-c")
                .arg(d.join("nginx.conf"))
                .stdin(Stdio::null());
        };
        let mut test = Command::new(nginx);
        conf_args(test.arg("-t"));
        run(&mut test);
        let mut cmd = Command::new(nginx);
        conf_args(cmd.args(["-g", "daemon off;"]));
        // nginx forks workers: its own process group, so that they stop with it.
        let nginx = ProcessGroup::spawn(
            cmd.stdout(std::fs::File::create(d.join("access.log")).unwrap())
                .stderr(Stdio::null()),
        )
        .unwrap();
        Front {
            dir,
            https,
            http,
            ca,
            spki,
            static_root,
            _nginx: nginx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.https)
    }

    /// An HTTPS client trusting only the test CA, connecting from `from`, following no
    /// redirect, decoding no gzip (the test looks at the bytes on the wire).
    pub fn client(&self, from: &str) -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&self.ca).unwrap()])
            .local_address(from.parse::<IpAddr>().unwrap())
            .redirect(Policy::none())
            .gzip(false)
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
    }

    /// Waits until /healthz answers 200 through nginx.
    pub async fn wait_until_up(&self) {
        let client = self.client("127.0.0.1");
        for _ in 0..300 {
            if client
                .get(self.url("/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "nginx + openslot did not come up; nginx: {}\nopenslot: {}",
            self.file("error.log"),
            self.file("openslot.log")
        );
    }

    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// A `chromium` wrapper (for playwright's CHROMIUM) that trusts this server's key, and
    /// nothing else it would not trust anyway.
    pub fn chromium_trusting_the_server(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join("chromium");
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nexec /usr/bin/chromium --ignore-certificate-errors-spki-list={} \"$@\"\n",
                self.spki
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }
}

/// base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate.
fn spki_of(cert: &Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(
            "openssl x509 -in \"$0\" -pubkey -noout | openssl pkey -pubin -outform der \
             | openssl dgst -sha256 -binary | openssl base64 -A",
        )
        .arg(cert)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
