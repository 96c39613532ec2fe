//! Availability opened by calendar events, on the visitor's page: a `role = "availability"`
//! source with two "Office hours" events (and a seminar its `match` leaves out), a busy
//! calendar overlapping one of them: the page offers exactly the office hours minus the busy
//! half hour, nothing else in the whole horizon (frontend/e2e/availability.mjs).

use super::harness::{ready, scenario, start_service};

fn ics(events: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for (uid, start, end, summary) in events {
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270301T000000Z\r\n\
             DTSTART;TZID=Europe/Berlin:{start}\r\nDTEND;TZID=Europe/Berlin:{end}\r\n\
             SUMMARY:{summary}\r\nEND:VEVENT\r\n"
        ));
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_offers_exactly_the_office_hours_minus_busy_time() {
    if !ready("availability e2e") {
        return;
    }
    let files = tempfile::tempdir().unwrap();
    // The scenario clock is Friday 26 March 2027; Europe changes its clocks on Sunday 28th.
    let uni = files.path().join("uni.ics");
    std::fs::write(
        &uni,
        ics(&[
            (
                "oh-1",
                "20270329T100000",
                "20270329T120000",
                "Office hours (room 3.14)",
            ),
            ("oh-2", "20270330T140000", "20270330T150000", "OFFICE HOURS"),
            ("sem-1", "20270329T160000", "20270329T180000", "Seminar"),
        ]),
    )
    .unwrap();
    let work = files.path().join("work.ics");
    std::fs::write(
        &work,
        ics(&[("dentist", "20270329T110000", "20270329T113000", "Dentist")]),
    )
    .unwrap();
    let day = "[\"08:00-20:00\"]";
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [availability]\nmin_notice_minutes = 60\nhorizon_days = 40\n\
         working_hours = {{ mon = {day}, tue = {day}, wed = {day}, thu = {day}, fri = {day}, sat = {day}, sun = {day} }}\n\
         [[sources]]\nid = \"uni\"\nkind = \"ics\"\nurl = \"file://{}\"\nname = \"University\"\n\
         role = \"availability\"\nmatch = \"office hours\"\n\
         [[sources]]\nid = \"work\"\nkind = \"ics\"\nurl = \"file://{}\"\nname = \"Work\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n",
        uni.display(),
        work.display()
    );
    let service = start_service(&config).await;
    let env = service.scenario_env(&[]);
    let base = service.base.clone();
    let out = tokio::task::spawn_blocking(move || scenario("availability.mjs", &base, &env))
        .await
        .unwrap();
    let offered: Vec<&str> = out["offered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        offered,
        [
            // Monday 10:00-12:00 minus the dentist at 11:00 (summer time since Sunday).
            "2027-03-29T10:00:00+02:00",
            "2027-03-29T10:30:00+02:00",
            "2027-03-29T11:30:00+02:00",
            // Tuesday 14:00-15:00.
            "2027-03-30T14:00:00+02:00",
            "2027-03-30T14:30:00+02:00",
        ],
        "log:\n{}",
        service.log()
    );
}
