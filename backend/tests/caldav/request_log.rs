//! `openslot sync --verbose` (and `OPENSLOT_LOG=debug`) against a real DAViCal: one log line
//! per calendar request with method, URL, status and milliseconds, exactly the requests the
//! server saw, and never the URL's user info, its query (tokens, keys) or a password.

use std::process::Command;

use crate::servers::{Kind, PASSWORD, Server, USER};

/// Secrets in the configured URL; none may reach a log line.
const SECRETS: [&str; 5] = ["url-user", "url-secret", "tok-A1", "key-B2", "tok-C3"];

/// `openslot sync ARGS` on a configuration whose one source is `url`; its stderr, stdout and
/// exit code. `OPENSLOT_*` variables of the caller are not passed on.
fn sync(
    dir: &std::path::Path,
    url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (String, String, i32) {
    let config = format!(
        "[owner]\nname = \"A\"\nemail = \"a@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [[event_types]]\nslug = \"call\"\ntitle = \"Call\"\nduration_minutes = 30\n\
         [[sources]]\nid = \"dav\"\nkind = \"caldav\"\nurl = \"{url}\"\n\
         username = \"{USER}\"\npassword = \"{PASSWORD}\"\n"
    );
    std::fs::write(dir.join("openslot.toml"), config).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_openslot"));
    cmd.args(["sync", "--config", "openslot.toml"])
        .args(args)
        .current_dir(dir)
        .env("OPENSLOT_CLOCK_START", "2026-03-02T08:00:00Z");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OPENSLOT_") && key != "OPENSLOT_CLOCK_START" {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    let out = crate::process::output_of(&mut cmd);
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The request lines of a log as `METHOD /path STATUS`, each checked for its fields.
fn request_lines(stderr: &str, base: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("openslot::http"))
        .map(|l| {
            assert!(l.contains("DEBUG"), "{l}");
            let field = |name: &str| {
                let start = l
                    .find(&format!(" {name}="))
                    .unwrap_or_else(|| panic!("no {name} in {l}"))
                    + name.len()
                    + 2;
                l[start..].split_whitespace().next().unwrap().to_owned()
            };
            let url = field("url");
            let path = url
                .strip_prefix(base)
                .unwrap_or_else(|| panic!("{url} is not on {base}: {l}"));
            let ms: u64 = field("ms").parse().unwrap();
            assert!(ms < 30_000, "{l}");
            format!("{} {path} {}", field("method"), field("status"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_verbose_logs_each_request_without_secrets() {
    if let Some(what) = crate::servers::davical_missing() {
        return crate::required::missing("sync_verbose_logs_each_request_without_secrets", &what);
    }
    let server = Server::start(Kind::Davical).await;
    let work = server.mkcalendar("work", "Work", "#FF0000FF").await;
    server
        .put(
            &work,
            "w.ics",
            &super::event("w", super::at(3, 5, 9), super::at(3, 5, 10), "W"),
        )
        .await;
    let host = server.base.strip_prefix("http://").unwrap();
    let url = format!(
        "http://url-user:url-secret@{host}/caldav.php/?access_token=tok-A1&key=key-B2&token=tok-C3"
    );
    let dir = tempfile::tempdir().unwrap();

    for (args, env) in [
        (&["--verbose"][..], &[][..]),
        (&[][..], &[("OPENSLOT_LOG", "debug")][..]),
    ] {
        let before = server.answered_requests().len();
        let (stderr, stdout, code) = sync(dir.path(), &url, args, env);
        assert_eq!(code, 0, "{args:?} {env:?}\n{stdout}\n{stderr}");
        // The second run finds the calendar as the first left it.
        assert!(
            stdout.contains("dav  synced") || stdout.contains("dav  unchanged"),
            "{stdout}"
        );
        for secret in SECRETS
            .iter()
            .chain([&PASSWORD, &"wonder", &"uthorization"])
        {
            assert!(!stderr.contains(secret), "{secret} in the log:\n{stderr}");
        }
        let logged = request_lines(&stderr, &server.base);
        // What the server answered, the query (which it did get) cut as in the log.
        let answered: Vec<String> = server.answered_requests()[before..]
            .iter()
            .map(|r| match r.split_once('?') {
                Some((head, rest)) => format!("{head} {}", rest.rsplit(' ').next().unwrap()),
                None => r.clone(),
            })
            .collect();
        // The first request names the configured URL, its query shown as `?…` only.
        assert_eq!(
            logged.first().map(String::as_str),
            Some("PROPFIND /caldav.php/?… 207"),
            "{stderr}"
        );
        let without_query: Vec<String> = logged.iter().map(|l| l.replace("?…", "")).collect();
        assert_eq!(without_query, answered, "{stderr}");
        assert!(
            answered
                .iter()
                .any(|r| r.contains(" /caldav.php/alice/work/ ")),
            "{answered:?}"
        );
    }

    // Without either, no log at all.
    let (stderr, _, code) = sync(dir.path(), &url, &[], &[]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("openslot::http"), "{stderr}");
}
