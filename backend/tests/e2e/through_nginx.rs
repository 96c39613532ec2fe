//! The booking page's end-to-end scenario (frontend/e2e/booking.mjs) again, through the shipped
//! nginx over HTTPS (backend/tests/support/nginx_front.rs): the CSP, the static files nginx
//! serves, its rate limit and its proxying must not break the visitor's path. Chromium trusts
//! the test server's key through a wrapper (--ignore-certificate-errors-spki-list), node's fetch
//! the test CA (NODE_EXTRA_CA_CERTS).

use super::booking::config;
use super::harness::{ready, start_service};
use super::nginx_front::{Front, prepare_dist, tools_present};
use super::servers::{Kind, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_page_works_through_nginx() {
    if !ready("booking page e2e through nginx") {
        return;
    }
    let Some(nginx) = tools_present() else {
        return;
    };
    let radicale = Server::start(Kind::Radicale).await;
    let calendar = radicale.mkcalendar("work", "Work", "#112233FF").await;
    // The service serves the page's documents to nginx (it decides who may frame them): the
    // built page as nginx has it, its start-up script moved out of index.html for the CSP.
    let page = tempfile::tempdir().unwrap();
    let prepared = page.path().join("www");
    assert!(
        prepare_dist(&prepared),
        "frontend/dist could not be prepared"
    );
    let config = config(&calendar).replace("{static_dir}", prepared.to_str().unwrap());
    let service = start_service(&config).await;
    let port: u16 = service.base.rsplit(':').next().unwrap().parse().unwrap();
    let front = Front::start(&nginx, port);
    front.wait_until_up().await;
    let chromium = front.chromium_trusting_the_server();
    let chromium = chromium.to_str().unwrap();
    let base = front.url("");
    // The scenario's own fetch() calls (node) trust the test CA too.
    let ca = front.dir.path().join("tls/ca.pem");
    let ca = ca.to_str().unwrap();

    let booked = service.scenario(
        "booking.mjs",
        &base,
        &[
            ("PHASE", "book"),
            ("CHROMIUM", chromium),
            ("NODE_EXTRA_CA_CERTS", ca),
        ],
    );
    assert!(booked["id"].is_string(), "{booked}");
    service.scenario(
        "booking.mjs",
        &base,
        &[
            ("PHASE", "after"),
            ("CHROMIUM", chromium),
            ("NODE_EXTRA_CA_CERTS", ca),
            ("MANAGE_PATH", booked["manage_path"].as_str().unwrap()),
            ("START", booked["start"].as_str().unwrap()),
        ],
    );
    let log = front.file("access.log");
    assert!(
        log.contains("POST /api/v1/bookings"),
        "through nginx: {log}"
    );
}
