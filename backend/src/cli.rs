//! The `openslot` command line.
