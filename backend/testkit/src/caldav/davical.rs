//! DAViCal (Debian's `davical` 1.1.12, PHP over PostgreSQL) for the tests, started by
//! [`super::Server`] like the other servers: a PostgreSQL cluster of its own in the test's
//! temporary folder (Unix socket only, no TCP port), DAViCal's database made by DAViCal's own
//! `create-database.sh`, the user [`super::USER`] added to it, and PHP's built-in web server
//! on 127.0.0.1 serving `/usr/share/davical/htdocs`.
//!
//! DAViCal reads `/etc/davical/config.php` (the package's, whose only connection string is
//! `dbname=davical user=davical_app`); libpq takes the socket folder and port from `PGHOST`
//! and `PGPORT` in the PHP server's environment, so no file outside the temporary folder is
//! written. PostgreSQL refuses to run as root: run as root, the cluster belongs to the
//! `postgres` user of the Debian package and its processes run as that user.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::ProcessGroup;

pub const HTDOCS: &str = "/usr/share/davical/htdocs";
const CREATE_DATABASE: &str = "/usr/share/davical/dba/create-database.sh";
const PHP: &str = "/usr/bin/php";
/// The URL path of a user's principal and calendar home.
pub const CALDAV_PHP: &str = "/caldav.php";

/// PostgreSQL's programs (`initdb`, `postgres`), the newest installed version.
fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// What is missing to run DAViCal here, or `None`.
pub fn missing() -> Option<String> {
    let mut absent: Vec<String> = [HTDOCS, CREATE_DATABASE, PHP]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .map(str::to_owned)
        .collect();
    if pg_bin().is_none() {
        absent.push("/usr/lib/postgresql/*/bin/initdb".to_owned());
    }
    (!absent.is_empty()).then(|| {
        format!(
            "DAViCal ({}: `make system-deps` installs davical php-cli php-pgsql php-xml postgresql)",
            absent.join(", ")
        )
    })
}

/// The uid and gid of the `postgres` user, when the tests run as root.
fn postgres_ids() -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").ok()?.uid() != 0 {
        return None;
    }
    let id = |flag: &str| {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("id postgres");
        assert!(
            out.status.success(),
            "run as root, DAViCal's PostgreSQL needs the `postgres` user"
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    Some((id("-u"), id("-g")))
}

/// A command run as the `postgres` user when the tests run as root.
fn as_postgres(program: impl AsRef<std::ffi::OsStr>, ids: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(program);
    if let Some((uid, gid)) = ids {
        c.uid(uid).gid(gid);
    }
    c
}

/// Runs `cmd` to its end; panics with its output when it fails.
fn run(what: &str, cmd: &mut Command) -> String {
    let out = crate::process::output_of(cmd);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed: {text}");
    text
}

/// The environment that makes libpq (psql, PHP's pgsql) reach the test's cluster.
fn pg_env<'c>(cmd: &'c mut Command, dir: &Path, pg_port: u16) -> &'c mut Command {
    cmd.env("PGHOST", dir.join("pg-socket"))
        .env("PGPORT", pg_port.to_string())
        .env("PGUSER", "postgres")
        .env("PGOPTIONS", "--client-min-messages=warning")
}

/// Makes and starts the cluster in `dir/pg`, creates DAViCal's database and the user `user`
/// with `password`; the running PostgreSQL, stopped when dropped.
pub fn setup(dir: &Path, pg_port: u16, user: &str, password: &str) -> ProcessGroup {
    let bin = pg_bin().expect("PostgreSQL (see `missing`)");
    let ids = postgres_ids();
    let socket = dir.join("pg-socket");
    std::fs::create_dir_all(&socket).unwrap();
    if let Some((uid, gid)) = ids {
        // The temporary folder is root's and 0700: PostgreSQL's user needs its way in.
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap();
        std::os::unix::fs::chown(&socket, Some(uid), Some(gid)).unwrap();
    }
    run(
        "initdb",
        as_postgres(bin.join("initdb"), ids)
            .arg("-D")
            .arg(dir.join("pg"))
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .env("LC_ALL", "C"),
    );
    let log = std::fs::File::create(dir.join("postgres.log")).unwrap();
    if let Some((uid, gid)) = ids {
        std::os::unix::fs::chown(dir.join("postgres.log"), Some(uid), Some(gid)).unwrap();
    }
    let postgres = ProcessGroup::spawn(
        as_postgres(bin.join("postgres"), ids)
            .arg("-D")
            .arg(dir.join("pg"))
            .arg("-k")
            .arg(&socket)
            .args(["-p", &pg_port.to_string()])
            .args(["-c", "listen_addresses="])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    )
    .unwrap();
    wait_for_postgres(&bin, dir, pg_port);
    run(
        "DAViCal's create-database.sh",
        pg_env(&mut Command::new(CREATE_DATABASE), dir, pg_port)
            // The admin's password; the tests log in as `user`.
            .args(["davical", "admin-secret"])
            .current_dir(dir),
    );
    let quote = |s: &str| s.replace('\'', "''");
    let (user, password) = (quote(user), quote(password));
    // A person principal with a plain-text password (DAViCal's `**` prefix).
    run(
        "adding the DAViCal user",
        pg_env(&mut Command::new(bin.join("psql")), dir, pg_port).args([
            "-qXAt",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "davical",
            "-c",
            &format!(
                "INSERT INTO usr (active, username, password, fullname, email) \
                 VALUES (true, '{user}', '**{password}', 'Alice', 'alice@example.org'); \
                 INSERT INTO principal (type_id, user_no, displayname, default_privileges) \
                 SELECT 1, user_no, 'Alice', 0::BIT(24) FROM usr WHERE username = '{user}';"
            ),
        ]),
    );
    postgres
}

fn wait_for_postgres(bin: &Path, dir: &Path, pg_port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .arg("-q")
            .env("PGHOST", dir.join("pg-socket"))
            .env("PGPORT", pg_port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
            panic!("DAViCal's PostgreSQL did not start within 20 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// PHP's built-in web server on 127.0.0.1:`port` serving DAViCal (`/` runs `index.php`,
/// which hands every request but GET and POST to `caldav.php`, as on a real installation).
pub fn command(dir: &Path, port: u16, pg_port: u16) -> Command {
    let mut c = Command::new(PHP);
    c.args(["-S", &format!("127.0.0.1:{port}"), "-t", HTDOCS])
        // DAViCal includes `./caldav.php` and `../inc` relative to the working folder.
        .current_dir(HTDOCS);
    pg_env(&mut c, dir, pg_port);
    c
}
