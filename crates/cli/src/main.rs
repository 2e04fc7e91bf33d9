//! # cartpk
//!
//! The command-line tool of the cartpk workspace: a thin layer that turns argv into a
//! resolved configuration ([`flags`]), runs a command over the library crates
//! ([`commands`]) and writes result files atomically ([`output`]).
//!
//! Exit codes: 0 every profile analysed; 1 fatal error (nothing analysed); 2 usage error
//! (an unknown flag or a flag value that makes no sense); 3 results written but some
//! profiles or rows were skipped (see the `*_errors.csv` file).

mod commands;
mod flags;
mod ingest_notes;
mod output;
mod overrides;

use clap::Parser;

#[global_allocator]
// mimalloc reuses freed memory across threads instead of returning it to the OS and
// faulting it in again: a third less wall time on a 100,000-profile run (docs/benchmarks.md).
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use commands::Outcome;
use flags::hiargs::{FitConfig, NcaConfig, PlotConfig, RunConfig, SimulateConfig};
use flags::lowargs::{Command, LowArgs};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::SystemTime;

/// When the process started: leftovers of interrupted runs younger than this are never
/// touched (output/publish.rs).
pub static STARTED: OnceLock<SystemTime> = OnceLock::new();

fn main() -> ExitCode {
    STARTED.get_or_init(SystemTime::now);
    let args = LowArgs::parse();
    let threads = |n: Option<usize>| {
        if let Some(n) = n {
            // Fails only if a pool already exists, which cannot happen this early.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global();
        }
    };
    // Flag values that make no sense are usage errors, like the ones clap finds itself.
    let usage = |e: anyhow::Error| -> ExitCode {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    };
    let result = match args.command {
        Command::Nca(a) => match NcaConfig::from_args(a) {
            Ok(config) => {
                threads(config.threads);
                commands::nca::run(&config)
            }
            Err(e) => return usage(e),
        },
        Command::Fit(a) => match FitConfig::from_args(a) {
            Ok(config) => {
                threads(config.threads);
                commands::fit::run(&config)
            }
            Err(e) => return usage(e),
        },
        Command::Plot(a) => match PlotConfig::from_args(a) {
            Ok(config) => {
                threads(config.threads);
                commands::plot::run(&config)
            }
            Err(e) => return usage(e),
        },
        Command::Run(a) => match RunConfig::from_args(a) {
            Ok(config) => {
                threads(config.threads);
                commands::run::run(&config)
            }
            Err(e) => return usage(e),
        },
        Command::Simulate(a) => match SimulateConfig::from_args(a) {
            Ok(config) => commands::simulate::run(&config),
            Err(e) => return usage(e),
        },
    };
    match result {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(3),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
