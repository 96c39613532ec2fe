//! The calendar engine and the availability rules, without a server: black-box cases, the
//! real-world corpus (../shared/corpus), properties on generated calendars and rules, and the
//! inputs the fuzz targets found. One test binary (one link) for the pure engine's tests.

mod availability_props;
mod cases;
mod corpus;
mod fuzz_regressions;
mod props;
