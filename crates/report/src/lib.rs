//! # cartpk-report
//!
//! Cohort statistics of exposure metrics (geometric mean and CV%, arithmetic mean and SD,
//! median and range, exposure-response comparisons) and the one-page HTML report of
//! `cartpk run`. No I/O.
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

pub mod cohort;
pub mod endpoint_figures;
pub mod endpoints;
pub mod endpoints_html;
pub mod html;
pub mod logistic;
pub mod persistence;
pub mod response;
pub mod stats;
pub mod survival;
