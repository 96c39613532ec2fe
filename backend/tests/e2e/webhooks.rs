//! The dashboard's Webhooks section: a webhook added, its secret seen once, then deleted; the
//! file's listed read-only (frontend/e2e/webhooks.mjs).

use super::harness::{ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_adds_a_webhook_sees_its_secret_once_and_deletes_it() {
    if !ready("webhooks e2e") {
        return;
    }
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\nwebhook_private_targets = true\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [[webhooks]]\nid = \"crm\"\nurl = \"https://crm.example.org/hook\"\nsecret = \"file-secret\"\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    );
    let service = start_service(&config).await;
    let admin = service.admin.clone();
    // Nothing listens there: the scenario only adds and deletes, no event is sent.
    let env = service.scenario_env(&[
        ("PASSWORD", "hunter2"),
        ("HOOK_URL", "http://127.0.0.1:9/openslot-hook"),
    ]);
    let result = tokio::task::spawn_blocking(move || scenario("webhooks.mjs", &admin, &env))
        .await
        .unwrap();
    let secret = result["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{result}");
    // Deleted: the owner's list holds only the file's webhook.
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/admin/api/login", service.admin))
        .json(&serde_json::json!({"password": "hunter2"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list: serde_json::Value = client
        .get(format!("{}/admin/api/webhooks", service.admin))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["id"].as_str())
        .collect();
    assert_eq!(ids, ["crm"], "{list}");
    drop(service);
}
