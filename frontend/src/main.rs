//! Entry point of the booking page (`index.html`): chooses the visitor's language (loading its
//! texts when it is not English) and clock, then mounts the visitors' app. The dashboard is a
//! separate entry (`src/bin/dashboard.rs`, `admin.html`) so visitors never download it.
fn main() {
    wasm_bindgen_futures::spawn_local(async {
        openslot_frontend::strings::lang::start().await;
        openslot_frontend::public::restore_clock();
        leptos::mount::mount_to_body(openslot_frontend::App);
    });
}
