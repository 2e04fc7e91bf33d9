//! # cartpk-report
//!
//! The analysis of `cartpk run` as a library: [`analyse`] takes the ingested data
//! ([`cartpk_core::ingest::Dataset`]), an optional subjects table and one [`Settings`]
//! value and returns a typed [`Report`]: NCA and model fits, the cohort tables as
//! serialisable rows (summary, individual estimates with their acceptance flags, visit
//! concentrations of sparse matrices, persistence, exposure-response, tissue ratios), the
//! figures and the triaged warnings. [`Report::files`] gives every output file as bytes;
//! the caller writes them. No I/O in this crate.
//!
//! ```no_run
//! use cartpk_core::ingest::{read_path, IngestOptions};
//! use cartpk_report::{analyse, Settings};
//!
//! let data = read_path("data/seed_cohort.csv".as_ref(), &IngestOptions::default()).unwrap();
//! let report = analyse(&data, None, &Settings::default());
//! for (path, bytes) in report.files().unwrap() {
//!     println!("{path}: {} bytes", bytes.len());
//! }
//! ```
//!
//! Cohort statistics are in [`stats`]:
//!
//! ```
//! use cartpk_report::stats::{summarise, wilcoxon_rank_sum};
//!
//! // Geometric mean of 10 and 1000 is 100.
//! let s = summarise(&[Some(10.0), Some(1000.0), None]);
//! assert!((s.geo_mean.unwrap() - 100.0).abs() < 1e-9);
//! assert_eq!((s.n, s.n_missing), (2, 1));
//! // R: wilcox.test(c(1, 2, 3), c(4, 5, 6))$p.value = 0.1 (exact).
//! let w = wilcoxon_rank_sum(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
//! assert!((w.p_value - 0.1).abs() < 1e-12 && w.exact);
//! ```

pub mod analysis;
pub mod cohort;
pub mod criteria;
pub mod endpoint_figures;
pub mod endpoints;
pub mod endpoints_html;
pub mod figures;
pub mod file_name;
pub mod files;
pub mod format;
pub mod html;
pub mod logistic;
pub mod metric;
pub mod persistence;
pub mod population_section;
pub mod provenance;
pub mod response;
pub mod sampling;
pub mod settings;
pub mod stats;
pub mod survival;
pub mod warnings;

pub use analysis::{
    analyse, unrecognised_subject_columns, FigureKind, Kind, RenderedFigure, Report,
};
pub use criteria::{AcceptanceCriteria, Exclusion, FitVerdict};
pub use provenance::Provenance;
pub use sampling::{SamplingRule, Support};
pub use settings::Settings;
pub use warnings::{Severity, Warning};
