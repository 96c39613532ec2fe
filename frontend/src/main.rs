//! Entry point of the booking page: mounts the app. Everything else lives in `lib.rs`.
fn main() {
    leptos::mount::mount_to_body(openslot_frontend::App);
}
