//! PLACEHOLDER (issue 4): being written.
