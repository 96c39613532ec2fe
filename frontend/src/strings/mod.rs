//! Every text the app shows, in one place. The dashboard's (`admin`) are English only; the
//! visitors' pages (`public`) are English built in and translated by `frontend/i18n/*.json`,
//! loaded only for a visitor who gets that language (`lang`). Dates and times are not here:
//! the browser formats them for the page's locale (see `time.rs`).

pub mod admin;
pub mod lang;
pub mod public;
