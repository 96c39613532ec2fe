//! The Docker files, checked without a Docker engine (there is none on our machines, so the
//! images are never built here): docker-compose.yml read as YAML (python's yaml module, from the test venv; the
//! docker client here has no `compose`), its parts against each other, against the nginx template
//! and the container's configuration, which the built binary checks with `check-config`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use openslot_testkit::required;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap()
}

/// The test venv's python (`make test-deps`: it has yaml), else the machine's python3.
fn python() -> PathBuf {
    let venv = std::env::var_os("TEST_VENV")
        .map_or_else(|| repo().join("target/test-venv"), PathBuf::from);
    let python = venv.join("bin/python");
    if python.is_file() {
        python
    } else {
        PathBuf::from("python3")
    }
}

/// docker-compose.yml as JSON, or None (with a message) without python + yaml.
fn compose() -> Option<Value> {
    let out = Command::new(python())
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(repo().join("docker-compose.yml"))
        .output();
    match out {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'yaml'") => {
            required::missing(
                "docker-compose.yml as YAML",
                "python's yaml module (make test-deps puts it in target/test-venv)",
            );
            None
        }
        Ok(o) => panic!(
            "docker-compose.yml is not YAML: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => {
            required::missing("docker-compose.yml as YAML", "python3");
            None
        }
    }
}

/// The `${NAME}` variables of the nginx template.
fn template_variables() -> BTreeSet<String> {
    let text = read("nginx/templates/openslot.conf.template");
    text.split("${")
        .skip(1)
        .map(|rest| rest[..rest.find('}').unwrap()].to_owned())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn compose_file_hangs_together() {
    let Some(c) = compose() else {
        return;
    };
    let services = c["services"].as_object().unwrap();
    let names: BTreeSet<&str> = services.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["openslot", "nginx", "certbot", "radicale"])
    );

    // Only nginx publishes ports; the two always-on services restart and have health checks.
    for (name, s) in services {
        assert_eq!(s.get("ports").is_some(), name == "nginx", "{name}: ports");
        assert_eq!(s["restart"], "unless-stopped", "{name}");
    }
    for name in ["openslot", "nginx"] {
        assert!(services[name]["healthcheck"]["test"].is_array(), "{name}");
        assert!(services[name].get("profiles").is_none(), "{name}");
    }
    assert_eq!(strings(&services["certbot"]["profiles"]), ["certbot"]);
    assert_eq!(strings(&services["radicale"]["profiles"]), ["radicale"]);
    assert_eq!(
        strings(&services["nginx"]["ports"]),
        [
            "${OPENSLOT_HTTP_PUBLISH:-80}:80",
            "${OPENSLOT_HTTPS_PUBLISH:-443}:443"
        ],
        "nginx publishes HTTP and HTTPS only (never the admin listener); 80 and 443 by default"
    );
    // A Pi's SD card: every service's log is rotated.
    for (name, s) in services {
        assert_eq!(s["logging"]["driver"], "json-file", "{name}");
        assert_eq!(s["logging"]["options"]["max-size"], "10m", "{name}");
    }
    assert_eq!(
        services["nginx"]["depends_on"]["openslot"]["condition"],
        "service_healthy"
    );

    // Every secret, named volume and bind mount a service uses exists.
    let secrets = c["secrets"].as_object().unwrap();
    let volumes = c["volumes"].as_object().unwrap();
    for (name, s) in services {
        for secret in strings(&s["secrets"]) {
            assert!(secrets.contains_key(&secret), "{name}: secret {secret}");
        }
        for mount in strings(&s["volumes"]) {
            let source = mount.split(':').next().unwrap();
            if let Some(path) = source.strip_prefix("./") {
                assert!(repo().join(path).exists(), "{name}: {source} is missing");
            } else {
                assert!(volumes.contains_key(source), "{name}: volume {source}");
            }
        }
    }
    assert_eq!(
        strings(&services["openslot"]["volumes"])
            .iter()
            .find(|m| m.contains("openslot-data"))
            .map(String::as_str),
        Some("openslot-data:/var/lib/openslot")
    );
    for secret in secrets.values() {
        let file = secret["file"].as_str().unwrap();
        assert!(
            file.starts_with("./secrets/"),
            "secrets live in the git-ignored secrets/: {file}"
        );
    }
    assert!(read(".gitignore").lines().any(|l| l == "/secrets/"));
    assert!(read(".dockerignore").lines().any(|l| l == "secrets/"));

    // The nginx container sets every variable of the template (envsubst leaves unset ones as
    // they are, and nginx would then fail on `${...}`), and so does the web image.
    let env = services["nginx"]["environment"].as_object().unwrap();
    let dockerfile = read("Dockerfile");
    for var in template_variables() {
        assert!(env.contains_key(&var), "nginx environment lacks {var}");
        assert!(
            var == "OPENSLOT_DOMAIN" || dockerfile.contains(&format!("{var}=")),
            "the web image lacks a default for {var}"
        );
    }
    assert_eq!(env["OPENSLOT_UPSTREAM"], "openslot:8080");

    // The backend believes X-Forwarded-For from nginx's fixed address only.
    let nginx_ip = services["nginx"]["networks"]["openslot"]["ipv4_address"]
        .as_str()
        .unwrap();
    let config: toml::Table = read("examples/docker/openslot.toml").parse().unwrap();
    assert_eq!(
        config["security"]["trusted_proxies"],
        toml::Value::Array(vec![toml::Value::String(nginx_ip.to_owned())])
    );
    // Its *_file keys read secrets the openslot service is given.
    let given = strings(&services["openslot"]["secrets"]);
    let text = read("examples/docker/openslot.toml");
    for line in text
        .lines()
        .filter(|l| l.contains("_file = \"/run/secrets/"))
    {
        let name = line.split("/run/secrets/").nth(1).unwrap();
        let name = &name[..name.find('"').unwrap()];
        assert!(given.iter().any(|g| g == name), "{line}");
    }
}

#[test]
fn container_configuration_passes_check_config() {
    // The secret as the container would get it, made by the binary itself.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"correct horse\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hash = dir.path().join("admin_password_hash");
    std::fs::write(&hash, &out.stdout).unwrap();

    let check = |hash_file: &Path| {
        Command::new(env!("CARGO_BIN_EXE_openslot"))
            .args(["check-config", "--config"])
            .arg(repo().join("examples/docker/openslot.toml"))
            .env("OPENSLOT_ADMIN__PASSWORD_HASH_FILE", hash_file)
            .env(
                "OPENSLOT_SERVER__PUBLIC_URL",
                "https://book.example.org", // as docker-compose.yml sets it
            )
            .output()
            .unwrap()
    };
    let out = check(&hash);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Without the secret the service refuses to start, and says which.
    let out = check(&dir.path().join("missing"));
    assert!(!out.status.success());
    let said = [out.stdout, out.stderr].concat();
    assert!(
        String::from_utf8_lossy(&said).contains("admin.password_hash_file"),
        "{}",
        String::from_utf8_lossy(&said)
    );
}

/// Dockerfile.prebuilt, the images `make image` builds here from artifacts `make test` made:
/// it compiles nothing, its service image starts from scratch and has what ./Dockerfile's has.
#[test]
fn prebuilt_dockerfile_copies_and_runs_unprivileged() {
    let text = read("Dockerfile.prebuilt");
    let stages: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(
        stages,
        ["FROM scratch AS runtime", "FROM ${NGINX_BASE} AS web"]
    );
    assert!(!text.contains("\nRUN "), "nothing runs in a build here");
    let runtime = &text[text.find("AS runtime").unwrap()..text.find("AS web").unwrap()];
    let owner = read("Dockerfile");
    let owner_runtime = &owner[owner.find("AS runtime").unwrap()..owner.find("AS web").unwrap()];
    for line in owner_runtime.lines().filter(|l| {
        [
            "USER ",
            "VOLUME ",
            "EXPOSE ",
            "HEALTHCHECK ",
            "    CMD ",
            "ENTRYPOINT ",
            "CMD ",
        ]
        .iter()
        .any(|p| l.starts_with(p))
    }) {
        assert!(runtime.contains(line), "Dockerfile.prebuilt lacks {line:?}");
    }
    // The web image sets every template variable but the domain, as ./Dockerfile's does.
    let web = &text[text.find("AS web").unwrap()..];
    for var in template_variables() {
        assert!(
            var == "OPENSLOT_DOMAIN" || web.contains(&format!("{var}=")),
            "the web image lacks a default for {var}"
        );
    }
}

#[test]
fn dockerfile_builds_with_make_dist_and_runs_unprivileged() {
    let text = read("Dockerfile");
    let stages: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(stages, ["build", "runtime", "web"]);
    assert!(
        text.contains("make tools") && text.contains("make dist TARGET="),
        "the image builds with the Makefile, as CI does"
    );
    let runtime = &text[text.find("AS runtime").unwrap()..text.find("AS web").unwrap()];
    assert!(runtime.contains("USER 65532:65532"));
    assert!(runtime.contains("HEALTHCHECK") && runtime.contains("\"healthcheck\""));
    assert!(runtime.contains("VOLUME [\"/var/lib/openslot\"]"));
    assert!(
        !runtime.contains("RUN "),
        "nothing runs in the final image's build"
    );
    // The health check the image runs, against a port where nothing answers: it fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let status = Command::new(env!("CARGO_BIN_EXE_openslot"))
        .args(["healthcheck", "--url"])
        .arg(format!("http://127.0.0.1:{port}/healthz"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}
