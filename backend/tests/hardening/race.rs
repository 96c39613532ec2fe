//! Row 9: a cancel racing a reschedule of the same booking answers 200 or 409, never 500, and
//! the booking ends cancelled.

use serde_json::{Value, json};

use crate::live::{Live, Options, booking, client};

#[tokio::test]
async fn cancel_racing_reschedule_never_answers_500() {
    let live = Live::start(Options::default()).await;
    let client = client();
    let mut seen = std::collections::BTreeMap::<(String, u16), usize>::new();
    for round in 0..12u32 {
        // Slots on Tuesday 1 and Wednesday 2 December, a quarter of an hour apart per round.
        let at = |day: u32| {
            format!(
                "2026-12-0{day}T{:02}:{:02}:00Z",
                8 + round / 4,
                (round % 4) * 15
            )
        };
        let resp = client
            .post(format!("{}/api/v1/bookings", live.base))
            .json(&booking(&at(1), "Ann"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let b: Value = resp.json().await.unwrap();
        let (id, token) = (
            b["id"].as_str().unwrap(),
            b["manage_token"].as_str().unwrap(),
        );
        let cancel = client
            .delete(format!("{}/api/v1/bookings/{id}?token={token}", live.base))
            .send();
        let move_to = client
            .post(format!(
                "{}/api/v1/bookings/{id}/reschedule?token={token}",
                live.base
            ))
            .json(&json!({ "start": at(2) }))
            .send();
        let (cancelled, moved) = tokio::join!(cancel, move_to);
        let (cancelled, moved) = (cancelled.unwrap(), moved.unwrap());
        let (c, m) = (cancelled.status().as_u16(), moved.status().as_u16());
        let (c_body, m_body) = (cancelled.text().await.unwrap(), moved.text().await.unwrap());
        assert_eq!(c, 200, "round {round}: cancel {c} {c_body}");
        assert!(
            m == 200 || m == 409,
            "round {round}: reschedule {m} {m_body}"
        );
        *seen.entry(("reschedule".into(), m)).or_default() += 1;
        let state: Value = client
            .get(format!("{}/api/v1/bookings/{id}?token={token}", live.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(state["status"], "cancelled", "round {round}: {state}");
    }
    eprintln!("answers: {seen:?}");
}
