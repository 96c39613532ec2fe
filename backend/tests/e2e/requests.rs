//! The dashboard's bookings list with a request (`confirm = "owner"`), a booking with a long
//! answer and a cancelled one, then frontend/e2e/requests.mjs: the request first with Approve,
//! approved it reads confirmed; the filters (upcoming, past, cancelled, requests); the
//! cancelled cards pass axe with no violation at all (contrast); at 360 px an answer keeps a
//! readable width; a visitor's request says on the booking page and the manage page that it
//! waits for the owner's confirmation.

use chrono::TimeZone;

use super::dashboard::booking_day;
use super::harness::{ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_approves_a_request_and_filters_the_bookings() {
    if !ready("requests e2e") {
        return;
    }
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [availability]\nmin_notice_minutes = 0\n\
         [[event_types]]\nslug = \"asked\"\ntitle = \"Asked call\"\nduration_minutes = 30\n\
         confirm = \"owner\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n\
         [[event_types.questions]]\nid = \"goal\"\n\
         label = \"What would you like to reach in this first conversation with us\"\n"
    );
    let service = start_service(&config).await;
    let client = openslot::sources::http::client(Default::default()).unwrap();
    let day = booking_day();
    let mut cancel = None;
    for (slug, time, name) in [
        ("asked", "10:00", "Rita Request"),
        ("intro", "11:00", "Eve Visitor"),
        ("intro", "14:00", "Carl Cancelled"),
    ] {
        let local = day.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap());
        let start = chrono_tz::Europe::Berlin
            .from_local_datetime(&local)
            .single()
            .unwrap();
        let mut body = serde_json::json!({
            "event_type": slug,
            "start": start.to_rfc3339(),
            "name": name,
            "email": "visitor@example.com",
            "timezone": "Europe/Berlin",
        });
        if slug == "intro" {
            body["answers"] = serde_json::json!({
                "goal": "A plan for moving our team calendars to a self-hosted service"
            });
        }
        let r = client
            .post(format!("{}/api/v1/bookings", service.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        if name == "Carl Cancelled" {
            cancel = Some(format!(
                "{}/api/v1/bookings/{}?token={}",
                service.base,
                v["id"].as_str().unwrap(),
                v["manage_token"].as_str().unwrap()
            ));
        }
    }
    let r = client.delete(cancel.unwrap()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let admin = service.admin.clone();
    let public = service.base.clone();
    let env = service.scenario_env(&[("PASSWORD", "hunter2"), ("PUBLIC", public.as_str())]);
    let result = tokio::task::spawn_blocking(move || scenario("requests.mjs", &admin, &env))
        .await
        .unwrap();
    assert_eq!(result["approved"], "Rita Request", "{result}");
    drop(service);
}
