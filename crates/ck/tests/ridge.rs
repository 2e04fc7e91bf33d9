//! The tie-break on flat likelihood ridges (`cartpk_ck::fit::ridge`, `FitOptions::ridge_tol`):
//! it moves only fits whose parameters the data do not determine, by at most `ridge_tol` in
//! ln L, and those estimates recover the simulated truth better (docs/ck-model.md, "Flat
//! ridges").

use cartpk_ck::simulate::{simulate, CohortSpec, SamplingArm, SimulatedSubject, TRIAL_DAYS};
use cartpk_ck::{fit_batch, FitOptions, FitResult, FitWarning, Stein2019, TrustFailure};

fn fits(cohort: &[SimulatedSubject], ridge_tol: f64) -> Vec<Option<FitResult>> {
    let profiles: Vec<_> = cohort.iter().map(|s| s.profiles().remove(0)).collect();
    let options = FitOptions {
        fit_sparse: true,
        ridge_tol,
        ..FitOptions::default()
    };
    fit_batch(&Stein2019, &profiles, &options)
        .into_iter()
        .map(Result::ok)
        .collect()
}

fn ridge_loss(f: &FitResult) -> Option<f64> {
    f.warnings.iter().find_map(|w| match w {
        FitWarning::OnFlatRidge { ln_l_loss } => Some(*ln_l_loss),
        _ => None,
    })
}

fn undetermined(f: &FitResult) -> bool {
    f.converged
        && f.trust_failures.iter().any(|t| {
            matches!(
                t,
                TrustFailure::RseAboveLimit { .. } | TrustFailure::NoStandardErrors
            )
        })
}

/// Checks the tie-break profile by profile against the same fits without it; returns
/// (moved, identical, improved: optimum better by more than 1 ln L than the search's).
fn check(cohort: &[SimulatedSubject]) -> (usize, usize, usize) {
    let tol = FitOptions::default().ridge_tol;
    let (mut moved, mut identical, mut improved) = (0, 0, 0);
    for (with, without) in fits(cohort, tol).into_iter().zip(fits(cohort, 0.0)) {
        let (Some(with), Some(without)) = (with, without) else {
            continue;
        };
        if !undetermined(&without) {
            // Determined (or not converged): the tie-break never runs, bit for bit.
            assert_eq!(with, without);
            identical += 1;
            continue;
        }
        assert!(!with.reportable(), "{:?}", with.trust_failures);
        let (cost, cost_without) = (with.neg2ll / 2.0, without.neg2ll / 2.0);
        match ridge_loss(&with) {
            Some(loss) => {
                moved += 1;
                // Regression (review of the tie-break): on logit-scale profiles the penalised
                // search landed 10-15 ln L below a degenerate "optimum" and the warning
                // printed a negative loss; such a point is now searched again from.
                // (A move may land a hair below its optimum: `ridge::BETTER_BY`, 1e-6.)
                assert!((-1e-6..=tol).contains(&loss), "loss {loss}");
                let optimum = cost - loss;
                assert!(
                    optimum <= cost_without + 1e-9,
                    "{optimum} vs {cost_without}"
                );
                improved += usize::from(optimum < cost_without - 1.0);
                if (optimum - cost_without).abs() < 1e-9 {
                    // Moved from the same optimum: its SEs and RSEs, its trust verdict.
                    for (a, b) in with.estimates.iter().zip(&without.estimates) {
                        assert_eq!((a.se, a.rse_pct), (b.se, b.rse_pct));
                    }
                    assert_eq!(with.gradient_norm, without.gradient_norm);
                }
            }
            // Stayed, or searched again from a better point: never worse.
            None => {
                assert!(cost <= cost_without + 1e-9, "{cost} vs {cost_without}");
                improved += usize::from(cost < cost_without - 1.0);
            }
        }
    }
    (moved, identical, improved)
}

/// A fit the data determine is the exact maximum-likelihood estimate (bit for bit the fit
/// without the tie-break); a moved fit is one that was converged and not determined (an
/// RSE above the limit or no standard errors at the optimum), is never reportable, and its
/// ln L is at most `ridge_tol` below its optimum, as its warning says.
#[test]
fn only_undetermined_fits_move_and_by_at_most_the_tolerance() {
    let (moved, identical, _) = check(&simulate(&CohortSpec::published(60, 7)));
    assert!(
        moved >= 5 && identical >= 5,
        "moved {moved}, identical {identical}"
    );
}

/// The same on %CAR+ profiles, fitted on the logit scale (bounded at 100%). There the search
/// marked "converged" two degenerate points (SIM015: Tmax 1.8e-9 days, sigma 4.4; SIM070:
/// Cmax 9.5e6) 10-16 ln L below the optimum the penalised search then found; the fit now
/// searches again from such a point.
#[test]
fn tie_break_on_percent_profiles_never_reports_a_negative_loss() {
    let mut spec = CohortSpec::published(100, 5);
    spec.arms = vec![SamplingArm::blood_flow(TRIAL_DAYS.to_vec(), 1e-3)];
    let (moved, identical, improved) = check(&simulate(&spec));
    assert!(
        moved >= 5 && identical >= 5,
        "moved {moved}, identical {identical}"
    );
    assert!(
        improved >= 2,
        "{improved} fits improved by the search from a better point"
    );
}

fn median_abs_error(cohort: &[SimulatedSubject], fits: &[Option<FitResult>], i: usize) -> f64 {
    let mut e: Vec<f64> = cohort
        .iter()
        .zip(fits)
        .filter_map(|(s, f)| {
            f.as_ref()
                .map(|f| (f.estimates[i].value / s.params.to_vec()[i]).ln().abs())
        })
        .collect();
    e.sort_by(f64::total_cmp);
    e[e.len() / 2]
}

/// On the published population (Stein 2019 Table 1, residual SD 0.56, 200 patients, the
/// trials' schedule), where beta and FB are often not determined by one profile, the
/// tie-break recovers them better than the arbitrary point of the ridge where the search
/// stops: measured 0.960 -> 0.894 (beta) and 0.777 -> 0.678 (FB), median |ln(est/true)|
/// (`ck_recovery --seeds`, seed 2019; FB better on each of ten seeds).
#[test]
fn ridge_tie_break_recovers_persistence_better() {
    let cohort = simulate(&CohortSpec::published(200, 2019));
    let with = fits(&cohort, FitOptions::default().ridge_tol);
    let without = fits(&cohort, 0.0);
    for (i, name) in [(4, "beta"), (5, "fb")] {
        let (a, b) = (
            median_abs_error(&cohort, &with, i),
            median_abs_error(&cohort, &without, i),
        );
        assert!(a < b - 0.03, "{name}: {a} with the tie-break, {b} without");
    }
}
