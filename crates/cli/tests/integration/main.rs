//! The integration tests of the `cartpk` binary, in one test binary with one harness
//! ([`util`]), as ripgrep's `tests/` are organised: one module per command.

mod file_names;
mod fit_simulate;
mod ingest;
mod nca;
mod nca_streaming;
mod plot;
mod population;
mod regression;
mod run;
mod simulate_seed_cohort;
mod util;
