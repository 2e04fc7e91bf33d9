//! # cartpk-nca
//!
//! Non-compartmental analysis of CAR-T cellular kinetics: Cmax, Tmax, Tfirst, Tlast,
//! Clast, AUClast, partial AUCs (AUC0-28d, AUC0-84d or any interval), lambda_z with its
//! fit statistics, terminal half-life, AUCinf (observed and predicted), % extrapolated,
//! and dose-normalised values.
//!
//! The rules are PKNCA's (0.12), each an explicit option with PKNCA's default:
//! [`AucMethod`] (lin-up/log-down by default), [`BlqRules`] (BLQ zero before the first
//! quantifiable sample, dropped between, zero after the last), [`LambdaZRule`] (best
//! adjusted R2 within 1e-4, most points, at least 3, Cmax excluded) and per-profile
//! [`ManualLambdaZ`] overrides. Results match PKNCA's to 1e-6 relative on the reference
//! sets in `shared/reference` (see `tests/pknca_reference.rs`).
//!
//! Pure functions, no I/O: [`nca_profile`] for one profile, [`nca_batch`] for many in
//! parallel (rayon).
//!
//! ```
//! use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
//! use cartpk_nca::{nca_profile, NcaOptions};
//!
//! let key = ProfileKey { subject: "P01".into(), matrix: Matrix::Blood, assay: Assay::Qpcr };
//! let samples = vec![
//!     Sample::blq(0.0, Some(50.0)),
//!     Sample::quantified(7.0, 2000.0),
//!     Sample::quantified(14.0, 1000.0),
//!     Sample::quantified(28.0, 500.0),
//! ];
//! let profile = Profile::new(key, ConcUnit::CopiesPerUg, samples);
//! let r = nca_profile(&profile, &NcaOptions::default(), None).unwrap();
//! assert_eq!(r.cmax, Some(2000.0));
//! assert_eq!(r.tmax, Some(7.0));
//! // 0-7 linear up: 7000; 7-14 and 14-28 log down: 7000/ln 2 and 7000/ln 2.
//! let auc = 7000.0 + 2.0 * 7000.0 / 2f64.ln();
//! assert!((r.auc_0_28().unwrap() - auc).abs() < 1e-9);
//! ```

pub mod auc;
pub mod blq;
pub mod lambda_z;
pub mod options;
pub mod parameter;
pub mod result;
pub mod warning;

pub use blq::{BlqRule, BlqRules};
pub use lambda_z::{LambdaZFit, LambdaZOverrides, LambdaZRule, ManualLambdaZ};
pub use options::{AucMethod, Interval, NcaOptions, StartImpute};
pub use parameter::{Parameter, ParameterValue, UnitKind};
pub use result::{NcaError, NcaResult, PartialAuc};
pub use warning::{NcaWarning, StartNote};

use cartpk_core::{Profile, ProfileKey};
use rayon::prelude::*;

/// NCA of one profile, with an optional manual choice of terminal points.
pub fn nca_profile(
    profile: &Profile,
    options: &NcaOptions,
    manual: Option<&ManualLambdaZ>,
) -> Result<NcaResult, NcaError> {
    result::compute(&profile.samples, profile.dose.as_ref(), options, manual)
}

/// NCA of many profiles in parallel (rayon's global pool). The output is in the order of
/// `profiles`, and each result is what [`nca_profile`] gives, whatever the thread count.
pub fn nca_batch(
    profiles: &[Profile],
    options: &NcaOptions,
    overrides: &LambdaZOverrides,
) -> Vec<Result<NcaResult, NcaError>> {
    profiles
        .par_iter()
        .with_min_len(64)
        .map(|p| nca_profile(p, options, overrides.get(&p.key)))
        .collect()
}

/// The key of each profile whose manual lambda_z override matched no profile, so that a
/// typo in an overrides file does not go unnoticed.
pub fn unused_overrides<'a>(
    profiles: &[Profile],
    overrides: &'a LambdaZOverrides,
) -> Vec<&'a ProfileKey> {
    let keys: std::collections::HashSet<&ProfileKey> = profiles.iter().map(|p| &p.key).collect();
    let mut unused: Vec<_> = overrides.keys().filter(|k| !keys.contains(k)).collect();
    unused.sort();
    unused
}
