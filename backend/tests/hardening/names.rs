//! Rows 11 and 8: names of invisible characters only, and names with MIME encoded words, are
//! refused with 422 naming the field.

use crate::live::{Live, Options, booking, client};

#[tokio::test]
async fn invisible_names_and_encoded_words_get_422() {
    let live = Live::start(Options::default()).await;
    let client = client();
    let cases = [
        ("\u{200B}", "visible"),
        ("\u{200D}\u{FEFF}", "visible"),
        ("\u{3164}", "visible"),
        ("\u{E0041}\u{E0064}\u{E006D}\u{E007F}", "visible"),
        ("Ann =?utf-8?q?=E2=80=AEfdp.exe?=", "=?"),
    ];
    for (i, (name, reason)) in cases.iter().enumerate() {
        let start = format!("2026-12-01T{:02}:00:00Z", 9 + i);
        let resp = client
            .post(format!("{}/api/v1/bookings", live.base))
            .json(&booking(&start, name))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(status, 422, "{name:?}: {v}");
        assert_eq!(v["error"], "invalid", "{v}");
        assert_eq!(v["fields"][0]["field"], "name", "{v}");
        assert!(
            v["fields"][0]["reason"].as_str().unwrap().contains(reason),
            "{v}"
        );
    }
    // A visible name with a joiner in it is fine.
    let resp = client
        .post(format!("{}/api/v1/bookings", live.base))
        .json(&booking("2026-12-01T15:00:00Z", "Ann\u{200B}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}
