//! # cartpk-report
//!
//! Cohort statistics of exposure metrics (geometric mean and CV%, arithmetic mean and SD,
//! median and range, exposure-response comparisons) and the one-page HTML report of
//! `cartpk run`. No I/O.

pub mod cohort;
pub mod html;
pub mod stats;
