//! Webhooks to a receiver in the test: signed JSON (checked here with ring, independently of
//! OpenSlot's own code), retries through the outbox until the receiver takes it, exactly once,
//! and the owner's delivery log and retry.

use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{EndpointExt, Request, Response, Route, Server, handler, post};
use serde_json::{Value, json};

use super::app::{TestApp, spawn_app};
use super::{deliveries, fixed_now, manage_token, wait_for};
pub(super) use openslot_testkit::admin::{admin, login};

const TUE_9: &str = "2026-12-01T09:00:00+01:00";
const SECRET: &str = "whsec-test-1";
pub(super) use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub(super) struct Received {
    pub(super) signature: String,
    pub(super) event: String,
    pub(super) delivery: String,
    pub(super) body: String,
    /// What the receiver answered.
    pub(super) status: u16,
}

#[derive(Debug, Default)]
struct ReceiverState {
    /// Answers to give, in order (then 200).
    script: Vec<u16>,
    got: Vec<Received>,
}

/// A webhook receiver on 127.0.0.1; its server task ends with the test's runtime.
pub(super) struct Receiver {
    pub(super) url: String,
    state: Arc<Mutex<ReceiverState>>,
}

#[handler]
async fn receive(
    req: &Request,
    body: poem::Body,
    state: poem::web::Data<&Arc<Mutex<ReceiverState>>>,
) -> Response {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let body = body.into_string().await.unwrap_or_default();
    let mut s = state.lock().unwrap();
    let status = if s.script.is_empty() {
        200
    } else {
        s.script.remove(0)
    };
    s.got.push(Received {
        signature: header("OpenSlot-Signature"),
        event: header("OpenSlot-Event"),
        delivery: header("OpenSlot-Delivery"),
        body,
        status,
    });
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .body("")
}

impl Receiver {
    pub(super) async fn start(script: &[u16]) -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState {
            script: script.to_vec(),
            got: Vec::new(),
        }));
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let app = Route::new()
            .at("/hook", post(receive))
            .data(Arc::clone(&state));
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        Receiver {
            url: format!("http://{addr}/hook"),
            state,
        }
    }

    pub(super) fn got(&self) -> Vec<Received> {
        self.state.lock().unwrap().got.clone()
    }
}

/// The receiver's check, as the README tells receivers to do it: `t` within five minutes of
/// now, and v1 = hex HMAC-SHA256(secret, "<t>.<body>"). Written here with ring directly, not
/// with OpenSlot's `signature` module, so a mistake there cannot hide.
pub(super) fn verify(secret: &str, header: &str, body: &str, now: i64) -> Result<(), String> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v.to_owned()),
            _ => {}
        }
    }
    let (t, v1) = (t.ok_or("no t")?, v1.ok_or("no v1")?);
    if (now - t).abs() > 300 {
        return Err(format!("stale timestamp {t} (now {now})"));
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{t}.{body}").as_bytes());
    let expected: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    if expected == v1 {
        Ok(())
    } else {
        Err("signature mismatch".into())
    }
}

fn hook_config(url: &str, extra: &str) -> String {
    format!(
        "[admin]\npassword_hash = '{HUNTER2}'\n\n[[webhooks]]\nid = \"crm\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n{extra}\n"
    )
}

async fn received(r: &Receiver, n: usize, secs: u64) -> Vec<Received> {
    wait_for(secs, &format!("{n} webhook requests"), || async {
        let got = r.got();
        (got.len() >= n).then_some(got)
    })
    .await
}

#[tokio::test]
async fn events_arrive_signed_and_the_receiver_refuses_a_wrong_signature() {
    let r = Receiver::start(&[]).await;
    let app = spawn_app(&hook_config(&r.url, "")).await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let id = b["id"].as_str().unwrap();
    let got = received(&r, 1, 30).await;
    let first = &got[0];
    let now = fixed_now().timestamp();
    assert_eq!(verify(SECRET, &first.signature, &first.body, now), Ok(()));
    // The check can fail: another secret, a changed body, a moved timestamp, an old one.
    assert!(verify("other-secret", &first.signature, &first.body, now).is_err());
    assert!(
        verify(
            SECRET,
            &first.signature,
            &first.body.replace("intro", "intr0"),
            now
        )
        .is_err()
    );
    let t: i64 = first.signature[2..first.signature.find(',').unwrap()]
        .parse()
        .unwrap();
    let moved = first
        .signature
        .replace(&format!("t={t}"), &format!("t={}", t + 1));
    assert!(verify(SECRET, &moved, &first.body, now).is_err());
    assert!(verify(SECRET, &first.signature, &first.body, now + 301).is_err());

    assert_eq!(first.event, "booking.created");
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["event"], "booking.created");
    assert_eq!(body["booking"]["id"], id);
    assert_eq!(body["booking"]["start"], "2026-12-01T08:00:00Z");
    assert_eq!(body["booking"]["status"], "confirmed");
    // Besides UTC, the times in the owner's zone.
    assert_eq!(body["booking"]["start_local"], "2026-12-01T09:00:00+01:00");
    assert_eq!(body["booking"]["end_local"], "2026-12-01T09:30:00+01:00");
    assert_eq!(body["booking"]["time_zone"], "Europe/Berlin");
    let token = manage_token(&b);
    // The receiver is the owner's system: it gets the booking page's links with the token.
    let manage = format!("https://book.example.org/manage/{id}?token={token}");
    assert_eq!(body["booking"]["manage_url"], json!(manage));
    assert_eq!(
        body["booking"]["cancel_url"],
        json!(format!("{manage}&action=cancel"))
    );
    assert_eq!(
        body["booking"]["reschedule_url"],
        json!(format!("{manage}&action=reschedule"))
    );
    let rows = deliveries(&app).await;
    assert_eq!(first.delivery, rows[0].id.to_string());

    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
            &json!({"start": "2026-12-01T10:00:00+01:00"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .delete(&format!("/api/v1/bookings/{id}?token={token}"))
        .await;
    assert_eq!(status, 200);
    let got = received(&r, 3, 30).await;
    let events: Vec<&str> = got.iter().map(|g| g.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "booking.created",
            "booking.rescheduled",
            "booking.cancelled"
        ]
    );
    for g in &got {
        assert_eq!(
            verify(SECRET, &g.signature, &g.body, fixed_now().timestamp()),
            Ok(())
        );
    }
    let last: Value = serde_json::from_str(&got[2].body).unwrap();
    assert_eq!(last["booking"]["status"], "cancelled");
    assert_eq!(last["booking"]["sequence"], 1);
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_try_exactly_once() {
    let r = Receiver::start(&[500, 503]).await;
    let app = spawn_app(&hook_config(&r.url, "events = [\"booking.created\"]")).await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    // Backoff 5 s, then 10 s.
    let got = received(&r, 3, 60).await;
    wait_for(10, "the row done", || {
        let app: &TestApp = &app;
        async move {
            let rows = deliveries(app).await;
            (rows[0].state == openslot::store::OutboxState::Done).then_some(())
        }
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let got_now = r.got();
    assert_eq!(
        got_now.len(),
        3,
        "no request after the success: {got_now:?}"
    );
    let statuses: Vec<u16> = got.iter().map(|g| g.status).collect();
    assert_eq!(statuses, [500, 503, 200]);
    assert!(
        got.iter()
            .all(|g| g.delivery == got[0].delivery && g.body == got[0].body)
    );
    let accepted: Vec<&Received> = got.iter().filter(|g| g.status == 200).collect();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        verify(
            SECRET,
            &accepted[0].signature,
            &accepted[0].body,
            fixed_now().timestamp()
        ),
        Ok(())
    );
    let rows = deliveries(&app).await;
    assert_eq!(rows.len(), 1, "only the subscribed event: {rows:?}");
    assert_eq!((rows[0].attempts, rows[0].last_status), (2, Some(200)));
}

#[tokio::test]
async fn the_owner_sees_the_log_and_retries_a_refused_delivery() {
    // 400: the receiver refuses it; no automatic retry.
    let r = Receiver::start(&[400]).await;
    let app = spawn_app(&format!(
        "{}\n[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\nfrom = \"book@example.org\"\n",
        hook_config(&r.url, ""),
        super::free_port()
    ))
    .await;
    let (status, b) = app.book("intro", TUE_9).await;
    assert_eq!(status, 201, "{b}");
    let (status, _) = admin(&app, "GET", "/admin/api/deliveries", None, None).await;
    assert_eq!(status, 401);
    let token = login(&app).await;
    let log = wait_for(30, "the webhook failed", || {
        let (app, token) = (&app, &token);
        async move {
            let (_, log) = admin(app, "GET", "/admin/api/deliveries", Some(token), None).await;
            log.as_array()
                .unwrap()
                .iter()
                .any(|d| d["channel"] == "webhook" && d["state"] == "failed")
                .then_some(log)
        }
    })
    .await;
    let metrics = app
        .client
        .get(format!("http://{}/metrics", app.admin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("openslot_deliveries{state=\"failed\"} 1\n"),
        "{metrics}"
    );
    let text = log.to_string();
    assert!(
        !text.contains("eve@example.com") && !text.contains("ada@example.org"),
        "{text}"
    );
    let targets: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["target"].as_str().unwrap())
        .collect();
    for t in ["crm", "visitor", "owner"] {
        assert!(targets.contains(&t), "{targets:?}");
    }
    let hook = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["channel"] == "webhook")
        .unwrap();
    assert_eq!(hook["last_status"], 400);
    assert_eq!(hook["attempts"], 1);
    assert_eq!(hook["event"], "booking.created");
    assert_eq!(hook["booking_id"], b["id"]);
    let id = hook["id"].as_i64().unwrap();
    // A mail row is pending (no SMTP server): not failed, so no retry.
    let mail_id = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["channel"] == "mail")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = admin(
        &app,
        "POST",
        &format!("/admin/api/deliveries/{mail_id}/retry"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = admin(
        &app,
        "POST",
        "/admin/api/deliveries/999999/retry",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 404);

    let (status, v) = admin(
        &app,
        "POST",
        &format!("/admin/api/deliveries/{id}/retry"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "pending");
    let got = received(&r, 2, 30).await;
    assert_eq!(got[1].status, 200);
    let log = wait_for(30, "the retried webhook done", || {
        let (app, token) = (&app, &token);
        async move {
            let (_, log) = admin(app, "GET", "/admin/api/deliveries", Some(token), None).await;
            log.as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == id && d["state"] == "done")
                .cloned()
        }
    })
    .await;
    assert_eq!(log["last_status"], 200);
    assert_eq!(log["attempts"], 1);
}
