//! The dashboard's Mail section without `[mail]` in the file: the owner fills in the SMTP
//! settings (bad values refused next to their fields), saves them and sends a test mail that
//! a real aiosmtpd receives, without a restart (frontend/e2e/mail_settings.mjs).

use super::harness::{ready, scenario, start_service};

use openslot_testkit::admin::PASSWORD_HASH as HUNTER2;
use openslot_testkit::smtp_server::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sets_up_mail_in_the_dashboard_and_a_test_mail_arrives() {
    if !ready("mail settings e2e") {
        return;
    }
    let smtp = SmtpServer::start(openslot_testkit::ports::free_port()).await;
    let config = format!(
        "[owner]\nname = \"Ada Owner\"\nemail = \"ada@example.org\"\ntimezone = \"Europe/Berlin\"\n\
         [server]\nlisten = \"{{listen}}\"\nadmin_listen = \"{{admin_listen}}\"\ndata_dir = \"data\"\n\
         static_dir = \"{{static_dir}}\"\n\
         [security]\ncaptcha = false\nrate_limit_per_minute = 0\n\
         [admin]\npassword_hash = '{HUNTER2}'\n\
         [[event_types]]\nslug = \"intro\"\ntitle = \"Intro call\"\nduration_minutes = 30\n"
    );
    let service = start_service(&config).await;
    let admin = service.admin.clone();
    let port = smtp.port.to_string();
    let env = service.scenario_env(&[("PASSWORD", "hunter2"), ("SMTP_PORT", &port)]);
    let result = tokio::task::spawn_blocking(move || scenario("mail_settings.mjs", &admin, &env))
        .await
        .unwrap();
    assert!(
        result["sent"].as_str().unwrap().contains("ada@example.org"),
        "{result}"
    );
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].rcpt_tos(), ["ada@example.org"]);
    assert!(
        mails[0]
            .header("From")
            .unwrap()
            .contains("book@example.org"),
        "the sender typed in the dashboard"
    );
    drop(service);
}
