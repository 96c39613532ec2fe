//! Every text the app shows, in one place (English), so that a language can be added by
//! translating these modules. Dates and times are not here: the browser formats them for the
//! visitor's locale (see `time.rs`).

pub mod admin;
pub mod public;
