//! Data-driven: one `check` helper, many small cases, each naming the keys it expects.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;

use super::*;

const OWNER: &str = r#"
[owner]
name = "Ada Example"
email = "ada@example.org"
timezone = "Europe/Berlin"
"#;

const EVENT: &str = r#"
[[event_types]]
slug = "intro"
title = "Intro call"
duration_minutes = 30
"#;

/// The smallest valid configuration plus `extra` (TOML that adds sections).
fn minimal(extra: &str) -> String {
    format!("{OWNER}{extra}\n{EVENT}")
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn parse(text: &str, pairs: &[(&str, &str)]) -> Result<Config, Vec<Problem>> {
    from_toml_str(text, &env(pairs), Path::new("/etc/openslot")).map_err(|e| e.0)
}

/// `text` with `pairs` must yield exactly the `expected` problems: (key, part of the message).
#[track_caller]
fn check_env(text: &str, pairs: &[(&str, &str)], expected: &[(&str, &str)]) {
    let problems = match parse(text, pairs) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    let matches = problems.len() == expected.len()
        && expected.iter().all(|(key, part)| {
            problems
                .iter()
                .any(|p| p.key == *key && p.message.contains(part))
        });
    assert!(
        matches,
        "expected {expected:?}\n     got {:#?}",
        problems.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
}

#[track_caller]
fn check(text: &str, expected: &[(&str, &str)]) {
    check_env(text, &[], expected);
}

fn ok(text: &str, pairs: &[(&str, &str)]) -> Config {
    parse(text, pairs).unwrap_or_else(|p| panic!("unexpected problems: {p:#?}"))
}

const CONTRACT: &str = r#"
[owner]
name = "Ada Example"
email = "ada@example.org"
timezone = "Europe/Berlin"

[server]
listen = "127.0.0.1:8080"          # public: booking page + public API
admin_listen = "127.0.0.1:8081"    # owner only: admin API, metrics
data_dir = "./data"                # SQLite database and snapshots

[security]
captcha = true                     # proof-of-work; false turns it off
rate_limit_per_minute = 10         # per client IP on booking requests; 0 turns it off

[[sources]]
id = "work"
kind = "caldav"                    # "ics" | "caldav" | "google" | "microsoft"
url = "http://127.0.0.1:5232/ada/work/"
username = "ada"
password_file = "/run/secrets/work_caldav"
write = true                       # bookings are written into this calendar

[[sources]]
id = "uni"
kind = "ics"
url = "https://example.org/timetable.ics"   # http(s):// or file://

[availability]
working_hours = { mon = ["09:00-12:00", "13:00-17:00"], tue = ["09:00-17:00"] }
min_notice_minutes = 120
horizon_days = 60

[[event_types]]
slug = "intro"
title = "Intro call"
duration_minutes = 30
"#;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn range(a: (u32, u32), b: (u32, u32)) -> TimeRange {
    TimeRange {
        start: hm(a.0, a.1),
        end: hm(b.0, b.1),
        end_of_day: false,
    }
}

#[test]
fn contract_example() {
    // The secret file named there does not exist here: the one problem names the key.
    check(
        CONTRACT,
        &[("sources[0].password_file", "/run/secrets/work_caldav")],
    );

    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("work_caldav");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let var = (
        "OPENSLOT_SOURCES__WORK__PASSWORD_FILE",
        secret.to_str().unwrap(),
    );
    let config = ok(CONTRACT, &[var]);

    assert_eq!(config.owner.name, "Ada Example");
    assert_eq!(config.owner.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(config.server.listen, defaults::LISTEN);
    assert_eq!(config.server.admin_listen, defaults::ADMIN_LISTEN);
    assert_eq!(config.server.data_dir, Path::new("/etc/openslot/./data"));
    assert_eq!(
        config.security,
        SecurityConfig {
            captcha: true,
            rate_limit_per_minute: 10,
            api_key_rate_per_minute: 120,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            webhook_private_targets: false,
            set_in_file: SecuritySetInFile {
                captcha: true,
                rate_limit_per_minute: true,
                api_key_rate_per_minute: false,
            },
        }
    );

    let work = config.source("work").unwrap();
    assert_eq!(work.kind, SourceKind::Caldav);
    assert_eq!(work.username.as_deref(), Some("ada"));
    assert_eq!(work.password.as_ref().map(Secret::expose), Some("s3cret"));
    assert!(work.write && work.tentative_busy && work.all_day_busy && !work.transparent_busy);
    assert_eq!(
        (
            work.sync_interval_minutes,
            work.max_age_minutes,
            work.fail_open
        ),
        (5, 60, false)
    );
    let uni = config.source("uni").unwrap();
    assert_eq!(
        (uni.kind, uni.write, uni.file_path()),
        (SourceKind::Ics, false, None)
    );

    let rules = config.rules();
    assert_eq!(rules.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(
        rules.working_hours.for_weekday(Weekday::Mon),
        [range((9, 0), (12, 0)), range((13, 0), (17, 0))]
    );
    assert_eq!(
        rules.working_hours.for_weekday(Weekday::Tue),
        [range((9, 0), (17, 0))]
    );
    assert!(rules.working_hours.for_weekday(Weekday::Wed).is_empty());
    assert_eq!(
        (rules.min_notice, rules.horizon_days),
        (Duration::minutes(120), 60)
    );
    assert_eq!(
        (rules.buffer_before, rules.buffer_after),
        (Duration::zero(), Duration::zero())
    );
    assert_eq!(rules.max_bookings_per_day, None);

    let intro = config.event_type("intro").unwrap();
    assert_eq!(
        (intro.duration, intro.step),
        (Duration::minutes(30), Duration::minutes(30))
    );
    assert_eq!((intro.buffer_before, intro.max_per_day), (None, None));
    assert_eq!(config.event_types(), vec![intro]);
    assert_eq!(config.event_type("nope"), None);
}

#[test]
fn the_example_file_is_valid() {
    let text = include_str!("../../../examples/openslot.toml");
    let examples = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    let config = from_toml_str(text, &[], examples).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(config.owner.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(config.page.logo_file, Some(examples.join("logo.svg")));
    let paths: Vec<_> = config
        .sources
        .iter()
        .map(|s| s.file_path().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            examples.join("calendars/work.ics"),
            examples.join("calendars/uni.ics")
        ]
    );
    assert_eq!(config.event_types.len(), 2);
    assert_eq!(config.rules().recurring_blocks[0].label, "Lunch");
}

#[test]
fn defaults() {
    let config = ok(&minimal(""), &[]);
    assert_eq!(config.server.data_dir, Path::new("/etc/openslot/./data"));
    assert_eq!(config.availability.working_hours, defaults::working_hours());
    assert_eq!(
        config.availability.working_hours.for_weekday(Weekday::Fri),
        [range((9, 0), (17, 0))]
    );
    assert!(
        config
            .availability
            .working_hours
            .for_weekday(Weekday::Sat)
            .is_empty()
    );
    let rules = config.rules();
    assert_eq!(
        (rules.min_notice, rules.horizon_days),
        (Duration::minutes(120), 60)
    );
    assert!(config.sources.is_empty());
    assert_eq!(config.owner.shown_name(), "Ada Example");
}

#[test]
fn required_keys() {
    check(
        "",
        &[
            ("owner.name", "required"),
            ("owner.email", "required"),
            ("event_types", "at least one"),
        ],
    );
    // The zone may be left to the dashboard: UTC until set there.
    let config = parse(
        &format!("[owner]\nname = 'A'\nemail = 'a@b.c'\n{EVENT}"),
        &[],
    )
    .unwrap();
    assert_eq!(config.owner.timezone, chrono_tz::UTC);
    assert!(!config.owner.timezone_from_file);
    assert!(parse(&minimal(""), &[]).unwrap().owner.timezone_from_file);
    check(OWNER, &[("event_types", "at least one")]);
    check(
        &format!("event_types = []\n{OWNER}"),
        &[("event_types", "at least one")],
    );
    check(
        &format!("{OWNER}[[event_types]]\n"),
        &[
            ("event_types[0].slug", "required"),
            ("event_types[0].title", "required"),
            ("event_types[0].duration_minutes", "required"),
        ],
    );
    check(
        &minimal("[[sources]]\n"),
        &[
            ("sources[0].id", "required"),
            ("sources[0].kind", "required"),
            ("sources[0].url", "required"),
        ],
    );
}

#[test]
fn owner_problems() {
    let owner = |zone: &str, email: &str| {
        format!("[owner]\nname = 'A'\nemail = '{email}'\ntimezone = '{zone}'\n{EVENT}")
    };
    check(
        &owner("Mars/Olympus", "a@b.c"),
        &[("owner.timezone", "not an IANA time zone")],
    );
    check(
        &owner("", "a@b.c"),
        &[("owner.timezone", "must not be empty")],
    );
    check(&owner("UTC", "nobody"), &[("owner.email", "not an email")]);
    check(
        &owner("UTC", "a@b.c").replace("name = 'A'", "name = 42"),
        &[("owner.name", "expected a string, found integer")],
    );
}

#[test]
fn server_and_security_problems() {
    check(
        &minimal("[server]\nlisten = 'localhost'"),
        &[("server.listen", "not an address")],
    );
    check(
        &minimal("[server]\nadmin_listen = '127.0.0.1:8080'"),
        &[("server.admin_listen", "must differ")],
    );
    check(
        &minimal("[server]\nlisten = 'x'\nadmin_listen = '127.0.0.1:8080'"),
        &[("server.listen", "not an address")],
    );
    check(
        &minimal("[server]\ndata_dir = ''"),
        &[("server.data_dir", "must not be empty")],
    );
    check(
        &minimal("[security]\ncaptcha = 'yes'\nrate_limit_per_minute = -1"),
        &[
            ("security.captcha", "true or false"),
            ("security.rate_limit_per_minute", "between 0 and"),
        ],
    );
    let config = ok(
        &minimal("[server]\nlisten = '[::]:80'\n[security]\nrate_limit_per_minute = 0"),
        &[],
    );
    assert_eq!(config.server.listen.port(), 80);
    assert_eq!(config.security.rate_limit_per_minute, 0);
}

#[test]
fn unknown_keys() {
    check(
        &minimal("[server]\nlisen = '127.0.0.1:1'"),
        &[("server.lisen", "did you mean `listen`")],
    );
    check(&minimal("[serve]\n"), &[("serve", "did you mean `server`")]);
    check(
        &minimal("[availability]\nworking_hours = { monday = [] }"),
        &[("availability.working_hours.monday", "unknown key")],
    );
    check(
        &minimal(
            "[[sources]]\nid = 'a'\nkind = 'ics'\nurl = 'file://a.ics'\nwrite_to = true\nfoo = 1",
        ),
        &[
            ("sources[0].write_to", "unknown key"),
            ("sources[0].foo", "unknown key"),
        ],
    );
    check(
        &format!("{EVENT}duraton_minutes = 5\n").replace("[[event", &format!("{OWNER}[[event")),
        &[(
            "event_types[0].duraton_minutes",
            "did you mean `duration_minutes`",
        )],
    );
}

#[test]
fn source_problems() {
    let source = |body: &str| minimal(&format!("[[sources]]\n{body}"));
    check(
        &source("id = 'Work!'\nkind = 'ics'\nurl = 'https://x/a.ics'"),
        &[("sources[0].id", "not a valid id")],
    );
    check(
        &source("id = 'a'\nkind = 'exchange'\nurl = 'https://x/'"),
        &[("sources[0].kind", "not a kind")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'ftp://x/a.ics'"),
        &[("sources[0].url", "not ftp://")],
    );
    check(
        &source("id = 'a'\nkind = 'caldav'\nurl = 'file:///a.ics'"),
        &[("sources[0].url", "takes http, https")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'example.org/a.ics'"),
        &[("sources[0].url", "not a URL")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'https:///a.ics'"),
        &[("sources[0].url", "no host")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'https://x/a.ics'\nwrite = true"),
        &[("sources[0].write", "read-only")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'https://x/a.ics'\ncolor = 'red'"),
        &[("sources[0].color", "#rrggbb")],
    );
    check(
        &source("id = 'a'\nkind = 'ics'\nurl = 'https://x/a.ics'\nsync_interval_minutes = 0"),
        &[("sources[0].sync_interval_minutes", "between 1 and 1440")],
    );
    check(
        &source("id = 'a'\nkind = 'caldav'\nurl = 'https://x/'\nusername = 'ada'"),
        &[("sources[0].password", "required with `username`")],
    );
    check(
        &source("id = 'a'\nkind = 'google'\nurl = 'https://x/'"),
        &[
            ("sources[0].client_id", "required for kind \"google\""),
            ("sources[0].client_secret", "required for kind \"google\""),
        ],
    );
    check(
        &source("id = 'a'\nkind = 'microsoft'\nclient_id = 'c'\nurl = 'http://graph.example/'"),
        &[("sources[0].url", "http only for a local stand-in")],
    );
    check(
        &source(
            "id = 'a'\nkind = 'microsoft'\nclient_id = 'c'\nurl = 'http://127.0.0.1:9/'\noauth_url = 'ftp://x'",
        ),
        &[("sources[0].oauth_url", "not ftp://")],
    );
    check(
        &source(
            "id = 'a'\nkind = 'ics'\nurl = 'https://x/a.ics'\ntimeout_seconds = 0\nmax_size_mb = 2000",
        ),
        &[
            ("sources[0].timeout_seconds", "between 1 and 300"),
            ("sources[0].max_size_mb", "between 1 and 1024"),
        ],
    );
    check(
        &source(
            "id = 'a'\nkind = 'caldav'\nurl = 'https://x/'\npassword = 'p'\npassword_file = 'f'",
        ),
        &[("sources[0].password", "not both")],
    );
    let two = "id = 'a'\nkind = 'caldav'\nurl = 'https://x/'\nwrite = true\n[[sources]]\nid = 'a'\nkind = 'caldav'\nurl = 'https://y/'\nwrite = true";
    check(&source(two), &[("sources[1].id", "used by another source")]);
}

#[test]
fn availability_problems() {
    let hours = |body: &str| minimal(&format!("[availability]\nworking_hours = {{ {body} }}"));
    check(
        &hours("mon = ['9-5']"),
        &[("availability.working_hours.mon[0]", "not a time range")],
    );
    check(
        &hours("mon = ['09:00-25:00']"),
        &[("availability.working_hours.mon[0]", "not a time range")],
    );
    check(
        &hours("tue = ['12:00-09:00']"),
        &[("availability.working_hours.tue[0]", "start must be before")],
    );
    check(
        &hours("tue = ['09:00-09:00']"),
        &[("availability.working_hours.tue[0]", "start must be before")],
    );
    check(
        &hours("wed = ['24:00-24:00']"),
        &[("availability.working_hours.wed[0]", "24:00 can only end")],
    );
    check(
        &hours("thu = ['13:00-17:00', '09:00-13:30']"),
        &[("availability.working_hours.thu[0]", "overlaps 09:00-13:30")],
    );
    check(
        &hours("fri = [9]"),
        &[("availability.working_hours.fri[0]", "found integer")],
    );
    check(
        &hours("sat = '09:00-12:00'"),
        &[("availability.working_hours.sat", "expected an array")],
    );

    let avail = |body: &str| minimal(&format!("[availability]\n{body}"));
    check(
        &avail("date_overrides = { '2026-02-30' = [] }"),
        &[("availability.date_overrides.2026-02-30", "not a date")],
    );
    check(
        &avail("date_overrides = { '2026-12-31' = ['x'] }"),
        &[(
            "availability.date_overrides.2026-12-31[0]",
            "not a time range",
        )],
    );
    check(
        &avail("blocks = [{ label = 'Lunch', days = ['mon', 'funday'], time = '12:00-13:00' }]"),
        &[("availability.blocks[0].days[1]", "expected a day")],
    );
    check(
        &avail("blocks = [{ days = ['mon'] , time = '13:00-12:00', when = 1 }]"),
        &[
            ("availability.blocks[0].time", "start must be before"),
            ("availability.blocks[0].when", "unknown key"),
        ],
    );
    check(
        &avail("blocks = [{ label = 'x' }]"),
        &[
            ("availability.blocks[0].days", "required"),
            ("availability.blocks[0].time", "required"),
        ],
    );
    check(
        &avail("horizon_days = 0\nmin_notice_minutes = 1.5\nmax_bookings_per_day = 0"),
        &[
            ("availability.horizon_days", "between 1 and"),
            ("availability.min_notice_minutes", "whole number"),
            ("availability.max_bookings_per_day", "between 1 and"),
        ],
    );
}

#[test]
fn availability_values() {
    let text = minimal(
        r#"[availability]
working_hours = { mon = ["13:00-24:00", "09:00-12:00"], sun = [] }
date_overrides = { "2026-12-24" = [], "2026-12-31" = ["09:00-12:00"] }
blocks = [{ label = "Lunch", days = ["mon", "fri"], time = "12:00-13:00" }]
buffer_before_minutes = 5
buffer_after_minutes = 10
max_bookings_per_day = 4"#,
    );
    let rules = ok(&text, &[]).rules();
    let evening = TimeRange {
        start: hm(13, 0),
        end: NaiveTime::MIN,
        end_of_day: true,
    };
    assert_eq!(
        rules.working_hours.for_weekday(Weekday::Mon),
        [range((9, 0), (12, 0)), evening]
    );
    let date = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    assert_eq!(rules.date_overrides[&date("2026-12-24")], []);
    assert_eq!(
        rules.date_overrides[&date("2026-12-31")],
        [range((9, 0), (12, 0))]
    );
    assert_eq!(
        rules.recurring_blocks,
        [RecurringBlock {
            label: "Lunch".into(),
            days: vec![Weekday::Mon, Weekday::Fri],
            range: range((12, 0), (13, 0)),
        }]
    );
    assert_eq!(
        (rules.buffer_before, rules.buffer_after),
        (Duration::minutes(5), Duration::minutes(10))
    );
    assert_eq!(rules.max_bookings_per_day, Some(4));
}

#[test]
fn event_type_problems_and_values() {
    let event =
        |body: &str| format!("{OWNER}[[event_types]]\nslug = 'intro'\ntitle = 'Intro'\n{body}");
    check(
        &event("duration_minutes = 0"),
        &[("event_types[0].duration_minutes", "between 1 and 1440")],
    );
    check(
        &event("duration_minutes = 1441"),
        &[("event_types[0].duration_minutes", "between 1 and 1440")],
    );
    check(
        &event("duration_minutes = '30'"),
        &[("event_types[0].duration_minutes", "found string")],
    );
    check(
        &event("duration_minutes = 30\nstep_minutes = 0\nmax_per_day = 0"),
        &[
            ("event_types[0].step_minutes", "between 1"),
            ("event_types[0].max_per_day", "between 1"),
        ],
    );
    check(
        &event("duration_minutes = 30").replace("'intro'", "'Intro Call'"),
        &[("event_types[0].slug", "not url-safe")],
    );
    check(
        &format!("{}{EVENT}", event("duration_minutes = 30")),
        &[("event_types[1].slug", "used by another")],
    );

    let config = ok(
        &event(
            "description = 'Meet'\nduration_minutes = 60\nstep_minutes = 15\nbuffer_after_minutes = 10\nmax_per_day = 2",
        ),
        &[],
    );
    assert_eq!(
        config.event_type("intro"),
        Some(EventType {
            slug: "intro".into(),
            title: "Intro".into(),
            description: "Meet".into(),
            duration: Duration::minutes(60),
            step: Duration::minutes(15),
            buffer_before: None,
            buffer_after: Some(Duration::minutes(10)),
            max_per_day: Some(2),
        })
    );
}

#[test]
fn event_types_offer_series() {
    use crate::domain::series::Frequency;
    let event =
        |body: &str| format!("{OWNER}[[event_types]]\nslug = 'intro'\ntitle = 'Intro'\n{body}");
    let config = ok(
        &event("duration_minutes = 30\nrepeat = ['weekly', 'every_2_weeks']\nmax_sessions = 10"),
        &[],
    );
    let intro = &config.event_types[0];
    assert_eq!(intro.repeat, [Frequency::Weekly, Frequency::EveryTwoWeeks]);
    assert_eq!(intro.max_sessions, 10);
    let config = ok(&event("duration_minutes = 30\nrepeat = ['weekly']"), &[]);
    assert_eq!(config.event_types[0].max_sessions, 6);
    check(
        &event("duration_minutes = 30\nrepeat = ['biweekly', 'weekly', 'weekly', 3]"),
        &[
            (
                "event_types[0].repeat[0]",
                "`biweekly` is not a frequency: use `weekly` or `every_2_weeks`",
            ),
            ("event_types[0].repeat[2]", "listed twice"),
            ("event_types[0].repeat[3]", "found integer"),
        ],
    );
    check(
        &event("duration_minutes = 30\nrepeat = ['weekly']\nmax_sessions = 1"),
        &[("event_types[0].max_sessions", "between 2 and 52")],
    );
    check(
        &event("duration_minutes = 30\nmax_sessions = 4"),
        &[(
            "event_types[0].max_sessions",
            "only means something with `repeat`",
        )],
    );
}

#[test]
fn event_types_choose_who_confirms() {
    use crate::config::Confirm;
    let mail = "[mail]\nsmtp_host = 'mail.example.org'\nfrom = 'book@example.org'\n";
    let event = |body: &str, extra: &str| {
        format!(
            "{OWNER}{extra}[[event_types]]\nslug = 'intro'\ntitle = 'Intro'\n\
             duration_minutes = 30\n{body}"
        )
    };
    let config = ok(&event("", ""), &[]);
    assert_eq!(config.event_types[0].confirm, Confirm::None);
    let config = ok(&event("confirm = 'email'", mail), &[]);
    assert_eq!(config.event_types[0].confirm, Confirm::Email);
    let limits = config.mail.as_ref().unwrap();
    assert_eq!(
        (limits.max_per_address_per_day, limits.max_per_day),
        (5, 200)
    );
    assert_eq!(config.event_types[0].confirm_hold_minutes, 30);
    let config = ok(
        &event("confirm = 'email'\nconfirm_hold_minutes = 10", mail),
        &[],
    );
    assert_eq!(config.event_types[0].confirm_hold_minutes, 10);
    check(
        &event("confirm = 'email'", ""),
        &[("event_types[0].confirm", "needs a [mail] section")],
    );
    check(
        &event("confirm = 'maybe'", mail),
        &[("event_types[0].confirm", "`maybe` is not one of")],
    );
    let config = ok(&event("confirm = 'owner'", ""), &[]);
    assert_eq!(config.event_types[0].confirm, Confirm::Owner);
    assert_eq!(config.event_types[0].confirm_owner_hours, 48);
    let config = ok(
        &event("confirm = 'owner'\nconfirm_owner_hours = 4", ""),
        &[],
    );
    assert_eq!(config.event_types[0].confirm_owner_hours, 4);
    // The dashboard's typed document (`GET /admin/api/rules`) holds every way of confirming.
    for confirm in [
        "confirm = 'owner'\nconfirm_owner_hours = 4",
        "confirm = 'none'",
    ] {
        let config = ok(&event(confirm, ""), &[]);
        let doc = crate::config::rules_document(&config);
        let typed: openslot_wire::admin::RulesDocument =
            serde_json::from_value(doc.clone()).expect("the wire type reads the document");
        let back = crate::config::with_rules(&config, &serde_json::to_value(typed).unwrap());
        assert_eq!(back.unwrap().event_types, config.event_types, "{confirm}");
    }
    check(
        &event("confirm = 'owner'\nconfirm_owner_hours = 0", ""),
        &[("event_types[0].confirm_owner_hours", "")],
    );
    check(
        &event("confirm_owner_hours = 4", ""),
        &[(
            "event_types[0].confirm_owner_hours",
            "only means something with confirm = \"owner\"",
        )],
    );
    check(
        &event("confirm_hold_minutes = 10", mail),
        &[(
            "event_types[0].confirm_hold_minutes",
            "only means something with confirm = \"email\"",
        )],
    );
}

#[test]
fn event_types_tell_where_and_ask_questions() {
    use crate::domain::details::{LocationKind, QuestionKind};
    let event = |body: &str| {
        format!(
            "{OWNER}[[event_types]]\nslug = 'intro'\ntitle = 'Intro'\nduration_minutes = 30\n{body}"
        )
    };
    let config = ok(
        &event(
            "location = { kind = 'video', value = 'https://meet.example.org/{booking_id}' }\n\
             [[event_types.questions]]\nid = 'company'\nlabel = 'Company'\n\
             [[event_types.questions]]\nid = 'topic'\nlabel = 'Topic'\nkind = 'choice'\nrequired = true\n\
             choices = ['Sales', 'Support']\n",
        ),
        &[],
    );
    let intro = &config.event_types[0];
    assert_eq!(
        intro.location.as_ref().map(|l| l.kind),
        Some(LocationKind::Video)
    );
    assert_eq!(intro.questions.len(), 2);
    assert_eq!(intro.questions[0].kind, QuestionKind::Text);
    assert!(!intro.questions[0].required);
    assert_eq!(
        intro.questions[1].kind,
        QuestionKind::Choice(vec!["Sales".into(), "Support".into()])
    );
    // What the dashboard edits reads back to the same.
    let doc = crate::config::rules_document(&config);
    let back = crate::config::with_rules(&config, &doc).unwrap();
    assert_eq!(back.event_types, config.event_types);

    check(
        &event("location = { kind = 'zoom', value = 'x' }"),
        &[(
            "event_types[0].location.kind",
            "use `video`, `address` or `phone`",
        )],
    );
    check(
        &event("location = { kind = 'video', value = 'javascript:alert(1)' }"),
        &[("event_types[0].location.value", "https://")],
    );
    check(
        &event("location = { kind = 'phone' }"),
        &[("event_types[0].location.value", "is required")],
    );
    check(
        &event(
            "[[event_types.questions]]\nid = 'Bad Id'\nlabel = 'X'\n\
             [[event_types.questions]]\nid = 'a'\nlabel = 'A'\nkind = 'choice'\n\
             [[event_types.questions]]\nid = 'a'\nlabel = 'B'\nchoices = ['x']\n\
             [[event_types.questions]]\nid = 'c'\nlabel = 'C'\nkind = 'choice'\nchoices = ['x', 'x']\n",
        ),
        &[
            ("event_types[0].questions[0].id", "not url-safe"),
            ("event_types[0].questions[1].choices", "needs its choices"),
            ("event_types[0].questions[2].id", "used by another question"),
            (
                "event_types[0].questions[2].choices",
                "only a `choice` question",
            ),
            ("event_types[0].questions[3].choices[1]", "listed twice"),
        ],
    );
}

#[test]
fn hostile_input_never_panics() {
    let cases = [
        "\u{0}\u{1}\u{7f}garbage\u{fffd}",
        "owner = 5\nserver = []\nsecurity = 'x'\nsources = 'x'\navailability = 1\nevent_types = 'x'",
        "sources = [1, 'a', [], {}]\nevent_types = [1]",
        "[availability]\nworking_hours = '9-5'\ndate_overrides = 3\nblocks = { a = 1 }",
        "[availability]\nblocks = [1, { days = 'mon', time = 5 }]",
        "[[event_types]]\nslug = 1\nduration_minutes = 99999999999999999",
        &"[".repeat(10_000),
        &format!("a = {}", "[".repeat(100_000)),
        &format!("a = {}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        &format!("a = {}", "{ b = ".repeat(50_000)),
        "[owner]\ntimezone = '\u{202e}Europe/Berlin'\nname = ''\nemail = '@'",
        "x = 1e400",
    ];
    for text in cases {
        assert!(parse(text, &[]).is_err(), "{text:?}");
    }
    check(
        "owner = 5\n[[event_types]]\nslug = 'a'\ntitle = 'A'\nduration_minutes = 5",
        &[
            ("owner", "expected a table, found integer"),
            ("owner.name", "required"),
            ("owner.email", "required"),
        ],
    );
    check(
        &format!("sources = [1]\n{}", minimal("")),
        &[("sources[0]", "expected a table, found integer")],
    );
}

#[test]
fn syntax_errors_name_the_line() {
    check("[owner]\nname = \"unterminated\n", &[("", "line 2")]);
    check("\u{0}\u{1}garbage", &[("", "not valid TOML")]);
    check("a = 1\na = 2", &[("", "line 2")]);
}

#[test]
fn env_overrides() {
    // A nested key, a number, a source by id, an event type by slug, a day of working hours.
    let text = minimal("[[sources]]\nid = 'work-cal'\nkind = 'ics'\nurl = 'https://old/a.ics'");
    let config = ok(
        &text,
        &[
            ("OPENSLOT_OWNER__TIMEZONE", "America/New_York"),
            ("OPENSLOT_AVAILABILITY__MIN_NOTICE_MINUTES", "30"),
            ("OPENSLOT_SOURCES__WORK_CAL__URL", "https://new/a.ics"),
            ("OPENSLOT_SOURCES__WORK_CAL__FAIL_OPEN", "true"),
            ("OPENSLOT_EVENT_TYPES__INTRO__DURATION_MINUTES", "45"),
            (
                "OPENSLOT_AVAILABILITY__WORKING_HOURS__SAT",
                r#"["10:00-12:00"]"#,
            ),
            ("OPENSLOT_OWNER__NAME", "true"),
            ("OPENSLOT_SERVER__LISTEN", "0.0.0.0:80"),
            ("OPENSLOT_CONFIG", "/etc/openslot.toml"),
            ("OPENSLOT_LOG", "debug"),
            ("PATH", "/usr/bin"),
        ],
    );
    assert_eq!(config.owner.timezone, chrono_tz::America::New_York);
    assert_eq!(config.owner.name, "true", "string keys are taken verbatim");
    assert_eq!(config.availability.min_notice_minutes, 30);
    assert_eq!(config.sources[0].url, "https://new/a.ics");
    assert!(config.sources[0].fail_open);
    assert_eq!(config.event_types[0].duration_minutes, 45);
    assert_eq!(
        config.rules().working_hours.for_weekday(Weekday::Sat),
        [range((10, 0), (12, 0))]
    );
    assert_eq!(config.server.listen.port(), 80);

    // A whole section or table as an inline value; env fills a file that lacks it.
    let config = ok(
        EVENT,
        &[
            (
                "OPENSLOT_OWNER",
                "{ name = 'Env', email = 'e@x.org', timezone = 'UTC' }",
            ),
            ("OPENSLOT_OWNER__EMAIL", "f@x.org"),
            (
                "OPENSLOT_AVAILABILITY__DATE_OVERRIDES",
                "{ '2026-12-24' = [] }",
            ),
        ],
    );
    assert_eq!(
        (config.owner.name.as_str(), config.owner.email.as_str()),
        ("Env", "f@x.org")
    );
    assert_eq!(config.availability.date_overrides.len(), 1);
}

#[test]
fn env_problems() {
    let text = minimal("[[sources]]\nid = 'work'\nkind = 'ics'\nurl = 'https://x/a.ics'");
    check_env(
        &text,
        &[("OPENSLOT_SERVER__LISEN", "1")],
        &[("OPENSLOT_SERVER__LISEN", "did you mean `listen`")],
    );
    check_env(
        &text,
        &[("OPENSLOT_SERVR__LISTEN", "1")],
        &[("OPENSLOT_SERVR__LISTEN", "did you mean `server`")],
    );
    check_env(
        &text,
        &[("OPENSLOT_SOURCES__HOME__URL", "https://y/")],
        &[(
            "OPENSLOT_SOURCES__HOME__URL",
            "no [[sources]] entry has the id `home`",
        )],
    );
    check_env(
        &text,
        &[("OPENSLOT_SOURCES__URL", "https://y/")],
        &[(
            "OPENSLOT_SOURCES__URL",
            "expected OPENSLOT_SOURCES__<ID>__<KEY>",
        )],
    );
    check_env(
        &text,
        &[("OPENSLOT_SOURCES__WORK__PASWORD", "p")],
        &[("OPENSLOT_SOURCES__WORK__PASWORD", "did you mean `password`")],
    );
    check_env(
        &text,
        &[("OPENSLOT_AVAILABILITY__DATE_OVERRIDES__2026_12_24", "[]")],
        &[(
            "OPENSLOT_AVAILABILITY__DATE_OVERRIDES__2026_12_24",
            "only be set as a whole",
        )],
    );
    // A bad value names the key and the variable.
    check_env(
        &text,
        &[("OPENSLOT_AVAILABILITY__HORIZON_DAYS", "soon")],
        &[(
            "availability.horizon_days",
            "found string (from OPENSLOT_AVAILABILITY__HORIZON_DAYS)",
        )],
    );
    check_env(
        &text,
        &[("OPENSLOT_SOURCES__WORK__URL", "gopher://x")],
        &[("sources[0].url", "(from OPENSLOT_SOURCES__WORK__URL)")],
    );
    let two = format!("{text}\n[[sources]]\nid = 'work'\nkind = 'ics'\nurl = 'https://y/a.ics'");
    check_env(
        &two,
        &[("OPENSLOT_SOURCES__WORK__URL", "https://z/")],
        &[
            ("sources[1].id", "used by another"),
            ("OPENSLOT_SOURCES__WORK__URL", "more than one"),
        ],
    );
}

#[test]
fn secrets_from_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/pw"), "hunter2\r\n").unwrap();
    std::fs::write(dir.path().join("secrets/token"), "tok\n\n").unwrap();
    std::fs::write(dir.path().join("secrets/empty"), "\n").unwrap();
    let text = |pw: &str| {
        minimal(&format!(
            "[[sources]]\nid = 'a'\nkind = 'caldav'\nurl = 'https://x/'\nusername = 'ada'\npassword_file = '{pw}'\n\
             [[sources]]\nid = 'b'\nkind = 'google'\nurl = 'https://g/'\ntoken_file = 'secrets/token'\n\
             client_id = 'cid'\nclient_secret_file = 'secrets/pw'"
        ))
    };
    let config = from_toml_str(&text("secrets/pw"), &[], dir.path()).unwrap();
    assert_eq!(
        config.sources[0].password.as_ref().unwrap().expose(),
        "hunter2"
    );
    assert_eq!(
        config.sources[1].token.as_ref().unwrap().expose(),
        "tok\n",
        "only one newline is trimmed"
    );
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("hunter2") && debug.contains("[redacted]"),
        "{debug}"
    );

    let problems = |pw: &str| from_toml_str(&text(pw), &[], dir.path()).unwrap_err().0;
    let missing = problems("secrets/nope");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].key, "sources[0].password_file");
    assert!(missing[0].message.contains("secrets/nope"));
    let empty = problems("secrets/empty");
    assert_eq!(
        (empty.len(), empty[0].key.as_str()),
        (1, "sources[0].password_file")
    );
    assert!(empty[0].message.contains("is empty"));
}

#[test]
fn secret_never_prints() {
    let secret = Secret::new("hunter2");
    assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
    assert_eq!(secret.expose(), "hunter2");
}

#[test]
fn relative_paths_resolve_against_the_config_folder() {
    let text = minimal(
        "[server]\ndata_dir = 'var/db'\n\
         [[sources]]\nid = 'rel'\nkind = 'ics'\nurl = 'file://calendars/work.ics'\n\
         [[sources]]\nid = 'abs'\nkind = 'ics'\nurl = 'file:///srv/uni.ics'\n\
         [[sources]]\nid = 'web'\nkind = 'ics'\nurl = 'webcal://example.org/a.ics'",
    );
    let config = ok(&text, &[]);
    assert_eq!(config.server.data_dir, Path::new("/etc/openslot/var/db"));
    assert_eq!(
        config.sources[0].file_path(),
        Some(Path::new("/etc/openslot/calendars/work.ics"))
    );
    assert_eq!(
        config.sources[0].url, "file://calendars/work.ics",
        "URLs stay as written"
    );
    assert_eq!(
        config.sources[1].file_path(),
        Some(Path::new("/srv/uni.ics"))
    );
    assert_eq!(config.sources[2].file_path(), None);
    let config = ok(&minimal("[server]\ndata_dir = '/var/lib/openslot'"), &[]);
    assert_eq!(config.server.data_dir, Path::new("/var/lib/openslot"));
}

#[test]
fn load_and_check_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openslot.toml");
    std::fs::write(&path, minimal("")).unwrap();
    let config = check_file(&path, &[]).unwrap();
    assert_eq!(config.server.data_dir, dir.path().join("./data"));
    assert!(load(&path).is_ok() || std::env::vars().any(|(k, _)| k.starts_with(ENV_PREFIX)));

    let missing = dir.path().join("nope.toml");
    let problems = check_file(&missing, &[]).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].key.is_empty() && problems[0].message.contains("nope.toml"));
    assert!(matches!(load(&missing), Err(ConfigError::Read { .. })));

    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert!(check_file(&path, &[]).is_err());

    std::fs::write(&path, "").unwrap();
    let message = load(&path).unwrap_err().to_string();
    assert!(
        message.contains("problems in the configuration:\n  `owner.name`: is required"),
        "{message}"
    );
}

#[test]
fn problem_display() {
    assert_eq!(
        Problem::new("sources[1].url", "bad").to_string(),
        "`sources[1].url`: bad"
    );
    assert_eq!(
        Problem::new("", "not valid TOML").to_string(),
        "not valid TOML"
    );
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        let _ = parse(&text, &[]);
    }

    #[test]
    fn arbitrary_env_never_panics(name in "OPENSLOT_[A-Z_]{0,30}", value in "\\PC{0,20}") {
        let _ = parse(&minimal(""), &[(&name, &value)]);
    }
}

/// `openslot hash-password` of "hunter2".
const HUNTER2: &str = "$argon2id$v=19$m=19456,t=2,p=1$zcCAYuC0R4cGEQbJoq4gpQ$AC8L/K/GfB72PjSGEOsNcG5TI6N5VCCs36Ympvsjz/8";

#[test]
fn admin_section() {
    let config = ok(&minimal(""), &[]);
    assert_eq!(
        config.admin,
        AdminConfig {
            password_hash: None,
            session_minutes: 60,
            allowed_hosts: Vec::new(),
        }
    );
    assert_eq!(config.admin.session(), Duration::minutes(60));

    let config = ok(
        &minimal(&format!(
            "[admin]\npassword_hash = '{HUNTER2}'\nsession_minutes = 5"
        )),
        &[],
    );
    assert_eq!(
        config.admin.password_hash.as_ref().map(Secret::expose),
        Some(HUNTER2)
    );
    assert_eq!(config.admin.session_minutes, 5);
    assert!(!format!("{config:?}").contains("argon2id"));

    check(
        &minimal("[admin]\npassword_hash = 'hunter2'\nsession_minutes = 4"),
        &[
            ("admin.password_hash", "not an argon2 hash"),
            ("admin.session_minutes", "between 5 and 1440"),
        ],
    );
    check(
        &minimal(
            "[admin]\npassword_hash = '$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA'\nsession_minutes = 1441",
        ),
        &[
            ("admin.password_hash", "openslot hash-password"),
            ("admin.session_minutes", "between 5 and 1440"),
        ],
    );
    check(
        &minimal("[admin]\npasword_hash = 'x'"),
        &[("admin.pasword_hash", "did you mean `password_hash`")],
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("admin.hash"), format!("{HUNTER2}\n")).unwrap();
    std::fs::write(dir.path().join("bad.hash"), "plain\n").unwrap();
    let text = |file: &str| minimal(&format!("[admin]\npassword_hash_file = '{file}'"));
    let config = from_toml_str(&text("admin.hash"), &[], dir.path()).unwrap();
    assert_eq!(
        config.admin.password_hash.as_ref().map(Secret::expose),
        Some(HUNTER2)
    );
    let problems = from_toml_str(&text("bad.hash"), &[], dir.path())
        .unwrap_err()
        .0;
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, "admin.password_hash_file");

    let var = ("OPENSLOT_ADMIN__PASSWORD_HASH", HUNTER2);
    let config = ok(&minimal(""), &[var]);
    assert_eq!(
        config.admin.password_hash.as_ref().map(Secret::expose),
        Some(HUNTER2)
    );
}

#[test]
fn page_section() {
    let config = ok(&minimal(""), &[]);
    assert_eq!(config.page, PageConfig::default());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.svg"), "<svg/>").unwrap();
    std::fs::write(dir.path().join("big.png"), vec![0u8; 600 * 1024]).unwrap();
    let text = minimal(
        "[page]\nintro = '  Book a call with me.  '\naccent_color = '#0a7f5a'\nlogo_file = 'logo.svg'",
    );
    let config = from_toml_str(&text, &[], dir.path()).unwrap();
    assert_eq!(config.page.intro.as_deref(), Some("Book a call with me."));
    assert_eq!(config.page.accent_color.as_deref(), Some("#0a7f5a"));
    assert_eq!(config.page.logo_file, Some(dir.path().join("logo.svg")));
    assert_eq!(config.page.logo_media_type(), Some("image/svg+xml"));

    let long = "x".repeat(501);
    check(
        &minimal(&format!(
            "[page]\nintro = '{long}'\naccent_color = 'red'\nlogo_file = 'logo.gif'"
        )),
        &[
            ("page.intro", "longer than 500"),
            ("page.accent_color", "not a color"),
            ("page.logo_file", ".png"),
        ],
    );
    for (file, reason) in [
        ("big.png", "larger than 512 KB"),
        ("gone.png", "cannot be read"),
    ] {
        let problems = from_toml_str(
            &minimal(&format!("[page]\nlogo_file = '{file}'")),
            &[],
            dir.path(),
        )
        .unwrap_err()
        .0;
        assert_eq!(problems.len(), 1, "{file}");
        assert_eq!(problems[0].key, "page.logo_file");
        assert!(
            problems[0].message.contains(reason),
            "{}",
            problems[0].message
        );
    }
    let var = ("OPENSLOT_PAGE__ACCENT_COLOR", "#112233");
    assert_eq!(
        ok(&minimal(""), &[var]).page.accent_color.as_deref(),
        Some("#112233")
    );
}

#[test]
fn embed_origins_are_bare_web_origins() {
    assert!(ok(&minimal(""), &[]).page.embed_origins.is_empty());
    let c = ok(
        &minimal(
            "[page]\nembed_origins = ['https://Shop.Example.org', 'http://127.0.0.1:8123/', 'https://a.example:443']",
        ),
        &[],
    );
    assert_eq!(
        c.page.embed_origins,
        [
            "https://shop.example.org",
            "http://127.0.0.1:8123",
            "https://a.example"
        ]
    );
    for bad in [
        "shop.example.org",
        "https://shop.example.org/book",
        "https://*.example.org",
        "https://user:pw@shop.example.org",
        "https://shop.example.org/?x=1",
        "javascript:alert(1)",
        "*",
    ] {
        check(
            &minimal(&format!("[page]\nembed_origins = ['{bad}']")),
            &[("page.embed_origins[0]", "must be an origin")],
        );
    }
    let var = ("OPENSLOT_PAGE__EMBED_ORIGINS", r#"["https://b.example"]"#);
    assert_eq!(
        ok(&minimal(""), &[var]).page.embed_origins,
        ["https://b.example"]
    );
}

#[test]
fn mail_and_webhooks() {
    let none = ok(&minimal(""), &[]);
    assert_eq!((none.mail, none.webhooks.len()), (None, 0));

    let c = ok(
        &minimal(
            "[mail]\nsmtp_host = 'smtp.example.org'\nusername = 'ada'\npassword = 'pw'\n\
             from = 'Ada <ada@example.org>'\nreminder_hours = [24, 1, 24]\n\
             [[webhooks]]\nid = 'crm'\nurl = 'https://crm.example.org/hook'\nsecret = 's'\n\
             [[webhooks]]\nid = 'chat'\nurl = 'https://chat.example.org/'\nsecret = 's'\n\
             events = ['booking.cancelled']\n",
        ),
        &[],
    );
    let mail = c.mail.unwrap();
    assert_eq!(
        (mail.smtp_port, mail.tls, mail.owner_copy),
        (587, MailTls::Starttls, true)
    );
    assert_eq!(mail.reminder_hours, [1, 24]);
    assert_eq!(mail.password.unwrap().expose(), "pw");
    assert_eq!(c.webhooks[0].events.len(), 3, "all events by default");
    assert_eq!(c.webhooks[1].events, ["booking.cancelled"]);
    assert_eq!(format!("{:?}", c.webhooks[0].secret), "[redacted]");

    let tls = ok(
        &minimal("[mail]\nsmtp_host = 'h'\ntls = 'tls'\nfrom = 'a@b.c'\n"),
        &[],
    );
    assert_eq!(tls.mail.unwrap().smtp_port, 465);
    ok(
        &minimal("[mail]\nsmtp_host = '127.0.0.1'\ntls = 'none'\nfrom = 'a@b.c'\n"),
        &[],
    );
    check(
        &minimal(
            "[mail]\nsmtp_host = 'smtp.example.org'\ntls = 'none'\nusername = 'u'\n\
             from = 'not an address'\nreminder_hours = [0]\nsmpt_port = 25\n",
        ),
        &[
            ("mail.tls", "loopback"),
            ("mail.password", "required with `username`"),
            ("mail.from", "not a sender"),
            ("mail.reminder_hours[0]", "between 1 and 720"),
            ("mail.smpt_port", "did you mean `smtp_port`"),
        ],
    );
    check(
        &minimal("[mail]\nsmtp_host = 'h'\nfrom = 'a@b.c'\ntls_ca_file = 'no-such-ca.pem'\n"),
        &[("mail.tls_ca_file", "cannot read")],
    );
    check(
        &minimal("[mail]\nsmtp_host = 'smtp://mail.example.org:587'\nfrom = 'a@b.c'\n"),
        &[("mail.smtp_host", "not a host name or IP address")],
    );
    for host in ["smtp.example.org.", "mail_relay", "::1", "10.0.0.2"] {
        ok(
            &minimal(&format!(
                "[mail]\nsmtp_host = '{host}'\ntls = 'tls'\nfrom = 'a@b.c'\n"
            )),
            &[],
        );
    }
    check(
        &minimal("[mail]\ntls = 'ssl'\n"),
        &[
            ("mail.smtp_host", "required"),
            ("mail.from", "required"),
            ("mail.tls", "not a mode"),
        ],
    );
    check(
        &minimal(
            "[[webhooks]]\nid = 'a'\nurl = 'ftp://x/'\nsecret = 's'\nevents = ['booking.made']\n\
             [[webhooks]]\nid = 'a'\nurl = 'https://x/'\n",
        ),
        &[
            ("webhooks[0].url", "ftp://"),
            ("webhooks[0].events[0]", "not an event"),
            ("webhooks[1].id", "used by another webhook"),
            ("webhooks[1].secret", "required"),
        ],
    );
    check(
        &minimal("[[webhooks]]\nid = 'a'\nurl = 'https://x/'\nsecret = ''\n"),
        &[("webhooks[0].secret", "must not be empty")],
    );
    // The environment reaches the new sections like the others.
    let env_set = ok(
        &minimal(
            "[mail]\nsmtp_host = 'h'\nfrom = 'a@b.c'\n[[webhooks]]\nid = 'crm'\nurl = 'https://x/'\nsecret = 's'\n",
        ),
        &[
            ("OPENSLOT_MAIL__PASSWORD", "true"),
            ("OPENSLOT_WEBHOOKS__CRM__SECRET", "from-env"),
        ],
    );
    assert_eq!(env_set.mail.unwrap().password.unwrap().expose(), "true");
    assert_eq!(env_set.webhooks[0].secret.expose(), "from-env");
}

#[test]
fn alerts() {
    let default = ok(&minimal(""), &[]);
    assert_eq!(default.alerts.calendar_failing_minutes, 60, "on by default");
    assert_eq!(
        default.alerts.threshold(),
        Some(chrono::Duration::minutes(60))
    );
    let off = ok(&minimal("[alerts]\ncalendar_failing_minutes = 0\n"), &[]);
    assert_eq!(off.alerts.threshold(), None);
    let env = ok(
        &minimal(""),
        &[("OPENSLOT_ALERTS__CALENDAR_FAILING_MINUTES", "15")],
    );
    assert_eq!(env.alerts.calendar_failing_minutes, 15);
    for (value, message) in [
        (
            "-5",
            "must be 0 (no alerts) or a number of minutes up to 43200",
        ),
        ("50000", "found 50000"),
        ("'1h'", "a whole number of minutes"),
    ] {
        check(
            &minimal(&format!("[alerts]\ncalendar_failing_minutes = {value}\n")),
            &[("alerts.calendar_failing_minutes", message)],
        );
    }
    check(
        &minimal("[alerts]\ncalendar_failing_minute = 5\n"),
        &[("alerts.calendar_failing_minute", "did you mean")],
    );
    // Webhooks get the source events only when they list them.
    let c = ok(
        &minimal(
            "[[webhooks]]\nid = 'crm'\nurl = 'https://x/'\nsecret = 's'\n\
             [[webhooks]]\nid = 'ops'\nurl = 'https://y/'\nsecret = 's'\n\
             events = ['source.failing', 'source.recovered']\n",
        ),
        &[],
    );
    assert!(
        !c.webhooks[0]
            .events
            .iter()
            .any(|e| e.starts_with("source."))
    );
    assert_eq!(c.webhooks[1].events, ["source.failing", "source.recovered"]);
}

/// `dashboard_source`: the problems' keys, or `[]` when the entry is accepted.
fn dashboard(settings: serde_json::Value, password: Option<&str>) -> Vec<String> {
    let base = ok(&minimal(""), &[]);
    let secrets = SourceSecrets {
        password: password.map(str::to_owned),
        token: None,
    };
    match dashboard_source(&settings, &secrets, &base) {
        Ok(s) => {
            assert_eq!(s.password.as_ref().map(Secret::expose), password);
            vec![]
        }
        Err(e) => {
            e.0.into_iter()
                .map(|p| format!("{}: {}", p.key, p.message))
                .collect()
        }
    }
}

/// `role` and `match`: the default is a busy source; `match` needs the availability role.
#[test]
fn source_roles() {
    use crate::config::SourceRole;
    let src = |keys: &str| {
        format!("[[sources]]\nid = \"uni\"\nkind = \"ics\"\nurl = \"https://a/x.ics\"\n{keys}\n")
    };
    let c = ok(&minimal(&src("")), &[]);
    assert_eq!(
        (c.sources[0].role, &c.sources[0].match_title),
        (SourceRole::Busy, &None)
    );
    let c = ok(
        &minimal(&src("role = \"availability\"\nmatch = \"Office hours\"")),
        &[],
    );
    assert_eq!(c.sources[0].role, SourceRole::Availability);
    assert_eq!(c.sources[0].match_title.as_deref(), Some("Office hours"));
}

#[test]
fn dashboard_sources_obey_the_file_rules_and_some_more() {
    use serde_json::json;
    let cal = json!({"id": "work", "kind": "caldav", "url": "http://10.0.0.2:5232/", "username": "a", "write": true});
    assert_eq!(dashboard(cal.clone(), Some("pw")), Vec::<String>::new());
    assert_eq!(
        dashboard(cal, None),
        ["password: is required with `username` (or set `password_file`)"]
    );
    let cases = [
        (
            json!({"id": "x", "kind": "ics", "url": "https://a/x.ics", "write": true}),
            "write: an \"ics\" source is read-only",
        ),
        (
            json!({"id": "X y", "kind": "ics", "url": "https://a/x.ics"}),
            "id: `X y` is not a valid id",
        ),
        (
            json!({"id": "x", "kind": "ics", "url": "file:///etc/passwd"}),
            "url: a source added in the dashboard cannot read files",
        ),
        (
            json!({"id": "x", "kind": "ics", "url": "https://a/x.ics", "password_file": "/etc/shadow"}),
            "password_file: cannot be set from the dashboard",
        ),
        (
            json!({"id": "x", "kind": "google", "client_id": "c"}),
            "kind: a \"google\" account is connected in the dashboard only when the configuration file has a `[google]` section",
        ),
        (
            json!({"id": "x", "kind": "caldav", "url": "ftp://a/"}),
            "url: a \"caldav\" source takes http, https URLs, not ftp://",
        ),
        (
            json!({"id": "x", "kind": "ics", "url": "https://a/", "sync_interval_minutes": 0}),
            "sync_interval_minutes: must be between 1 and 1440",
        ),
        // Availability sources are file-only: a dashboard source is always busy.
        (
            json!({"id": "x", "kind": "ics", "url": "https://a/x.ics", "role": "availability"}),
            "role: cannot be set from the dashboard",
        ),
        (
            json!({"id": "x", "kind": "ics", "url": "https://a/x.ics", "match": "Office"}),
            "match: cannot be set from the dashboard",
        ),
    ];
    for (settings, expected) in cases {
        let problems = dashboard(settings.clone(), None);
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{settings}: expected {expected:?}, got {problems:?}"
        );
    }
}

#[test]
fn oauth_clients_and_the_admin_url() {
    let config = ok(&minimal(""), &[]);
    assert_eq!(
        (config.google.clone(), config.microsoft.clone()),
        (None, None)
    );
    assert_eq!(config.server.admin_url, None);
    let config = ok(
        &minimal(
            "[server]\nadmin_url = 'https://admin.example.org:8443/'\n\
             [google]\nclient_id = 'g-id'\n\
             [microsoft]\nclient_id = 'm-id'\ntenant = 'contoso'\n",
        ),
        &[("OPENSLOT_GOOGLE__CLIENT_SECRET", "from-env")],
    );
    assert_eq!(
        config.server.admin_url.as_deref(),
        Some("https://admin.example.org:8443")
    );
    let google = config.google.unwrap();
    assert_eq!(google.client_id, "g-id");
    assert_eq!(google.client_secret.unwrap().expose(), "from-env");
    let microsoft = config.microsoft.unwrap();
    assert_eq!(microsoft.tenant.as_deref(), Some("contoso"));
    assert!(microsoft.client_secret.is_none());
    check(
        &minimal(
            "[server]\nadmin_url = 'ftp://x'\n[google]\nclient_id = 'g'\noauth_url = 'ftp://y'\n",
        ),
        &[
            ("server.admin_url", "must start with https:// or http://"),
            ("google.client_secret", "is required for Google"),
            ("google.oauth_url", "not ftp://"),
        ],
    );
    check(
        &minimal("[microsoft]\ntenant = 'x'\n"),
        &[("microsoft.client_id", "")],
    );
}

#[test]
fn cors_origins_and_admin_allowed_hosts() {
    let config = ok(
        &minimal(
            "[security]\ncors_origins = ['https://Example.org/', 'http://localhost:8080']\n\
             [admin]\nallowed_hosts = ['OpenSlot.lan', 'tunnel.example.']",
        ),
        &[],
    );
    assert_eq!(
        config.security.cors_origins,
        ["https://example.org", "http://localhost:8080"]
    );
    assert_eq!(
        config.admin.allowed_hosts,
        ["openslot.lan", "tunnel.example"]
    );
    check(
        &minimal(
            "[security]\ncors_origins = ['https://example.org/page', 'example.org', 3]\n\
             [admin]\nallowed_hosts = ['host:8081', '']",
        ),
        &[
            ("security.cors_origins[0]", "must be an origin"),
            ("security.cors_origins[1]", "must be an origin"),
            ("security.cors_origins[2]", "expected a string"),
            ("admin.allowed_hosts[0]", "must be a host name"),
            ("admin.allowed_hosts[1]", "must be a host name"),
        ],
    );
}

/// The dashboard edits `[security]` captcha and rate limits only where neither the file nor an
/// `OPENSLOT_*` variable sets them: the reader says which are set, a default is not.
#[test]
fn security_keys_set_in_the_file_or_the_environment_are_marked() {
    let none = ok(&minimal(""), &[]).security;
    assert_eq!(none.set_in_file, SecuritySetInFile::default());
    assert_eq!(
        (
            none.captcha,
            none.rate_limit_per_minute,
            none.api_key_rate_per_minute
        ),
        (true, 10, 120),
        "the defaults apply, not marked as the file's"
    );
    let file = ok(
        &minimal(
            "[security]
captcha = false
cors_origins = ['https://a.example']",
        ),
        &[],
    )
    .security;
    assert_eq!(
        file.set_in_file,
        SecuritySetInFile {
            captcha: true,
            ..SecuritySetInFile::default()
        }
    );
    let env = ok(
        &minimal(""),
        &[
            ("OPENSLOT_SECURITY__API_KEY_RATE_PER_MINUTE", "7"),
            ("OPENSLOT_SECURITY__RATE_LIMIT_PER_MINUTE", "0"),
        ],
    )
    .security;
    assert_eq!(
        env.set_in_file,
        SecuritySetInFile {
            captcha: false,
            rate_limit_per_minute: true,
            api_key_rate_per_minute: true,
        }
    );
    assert_eq!(
        (env.rate_limit_per_minute, env.api_key_rate_per_minute),
        (0, 7)
    );
    let whole = ok(&minimal(""), &[("OPENSLOT_SECURITY", "{ captcha = true }")]).security;
    assert!(whole.set_in_file.captcha && !whole.set_in_file.rate_limit_per_minute);
}
