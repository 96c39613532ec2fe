//! Entry point of the owner's dashboard (`admin.html`, built into `dist/admin/` and served by
//! the admin listener at `/admin`).
fn main() {
    leptos::mount::mount_to_body(openslot_frontend::admin::Dashboard);
}
