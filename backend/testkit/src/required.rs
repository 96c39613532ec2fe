//! A test whose real part (the corpus, nginx, Chromium, python's yaml...) is missing. Under
//! `make test` (which sets TESTS_REQUIRE_ALL=1) it fails and says what is missing, so a green
//! run means every test ran; run by hand without the part, it says SKIPPED and passes.

/// The variable `make test` sets.
pub const REQUIRE_ALL: &str = "TESTS_REQUIRE_ALL";

/// Fails the test when every part is required, else prints SKIPPED; the caller then returns.
pub fn missing(test: &str, what: &str) {
    let message = format!("{test}: SKIPPED, missing {what}");
    assert!(
        std::env::var(REQUIRE_ALL).as_deref() != Ok("1"),
        "{message} ({REQUIRE_ALL}=1: make test runs every test with its real parts)"
    );
    eprintln!("{message}");
}
