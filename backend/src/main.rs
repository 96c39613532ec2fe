//! The `openslot` binary: everything is in the library; see `cli.rs`.
fn main() -> std::process::ExitCode {
    openslot::cli::run()
}
