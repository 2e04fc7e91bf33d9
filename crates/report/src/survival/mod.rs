//! Time-to-event endpoints: Kaplan-Meier estimates with Greenwood variance and the
//! confidence intervals of R's `survival::survfit`, medians (and any quantile) with their
//! CI as `quantile.survfit`, landmark rates and numbers at risk as `summary.survfit(times=)`,
//! and the log-rank test as `survdiff`. Reference: R 4.2.2, survival 3.5-3
//! (`tests/fixtures/endpoints.R`).
//!
//! Times are in the unit of the input (days for cartpk's endpoints); estimates and bounds
//! are probabilities (0-1).

mod kaplan_meier;
mod log_rank;
mod quantile;

pub use kaplan_meier::{kaplan_meier, ConfType, KmFit, KmOptions, KmStep, Landmark};
pub use log_rank::{log_rank, LogRank};
pub use quantile::SurvivalQuantile;

use serde::Serialize;

/// One subject's observation: a time and whether the event happened then (`true`) or the
/// subject was censored then (`false`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimeToEvent {
    /// Time from the origin (e.g. infusion), in the endpoint's unit.
    pub time: f64,
    /// The event was observed at `time`; `false`: censored at `time`.
    pub event: bool,
}

/// Time-to-event data that cannot be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurvivalError {
    /// No observation.
    #[error("no observation: a survival curve needs at least one subject")]
    Empty,
    /// A time that is not a finite number >= 0.
    #[error("observation {index}: time {time} is not a finite number >= 0")]
    BadTime {
        /// 0-based index of the observation.
        index: usize,
        /// The time.
        time: f64,
    },
    /// The confidence level is not in (0, 1).
    #[error("confidence level {0}: expected a number in (0, 1), e.g. 0.95")]
    Level(f64),
    /// Fewer than two groups for a log-rank test.
    #[error("{0} group(s) with observations: a log-rank test needs at least two")]
    Groups(usize),
}
