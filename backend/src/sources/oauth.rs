//! PLACEHOLDER: OAuth token store and flows (issue 3), shared by google and microsoft.
