//! The `microsoft` adapter against the Graph stand-in.
