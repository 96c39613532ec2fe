//! Configuration: one TOML file, `OPENSLOT_*` overrides, secrets from files.
