//! Entry point of the booking page (`index.html`): mounts the visitors' app. The dashboard is a
//! separate entry (`src/bin/dashboard.rs`, `admin.html`) so visitors never download it.
fn main() {
    leptos::mount::mount_to_body(openslot_frontend::App);
}
