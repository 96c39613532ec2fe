//! The dashboard's text (see `admin/`).

pub const TITLE: &str = "Dashboard";
