//! The search reaches the best optimum, pre-infusion samples stay out of the likelihood,
//! %CAR+ predictions stay below 100%, and the trust criteria name what fails.

use cartpk_ck::fit::{observations, reference_optimum, FitData, Termination};
use cartpk_ck::simulate::{simulate, CohortSpec, SamplingArm, TRIAL_DAYS};
use cartpk_ck::{
    fit_profile, FitError, FitOptions, FitWarning, Stein2019, SteinParams, TrustFailure,
};
use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};

fn lambda_z(p: &Profile) -> Option<f64> {
    cartpk_nca::nca_profile(p, &cartpk_nca::NcaOptions::default(), None)
        .ok()
        .and_then(|r| r.lambda_z.map(|f| f.lambda_z))
}

/// Fits every blood profile of a published cohort (Stein 2019 Table 1, residual SD 0.56)
/// and compares -ln L with the exhaustive reference (`n_ref` spread starts); returns
/// (profiles, within 0.01, at the iteration limit, the misses).
fn against_reference(n: usize, seed: u64, n_ref: usize) -> (usize, usize, usize, Vec<String>) {
    let options = FitOptions {
        fit_sparse: true,
        ..FitOptions::default()
    };
    let cohort = simulate(&CohortSpec::published(n, seed));
    let (mut total, mut ok, mut limit, mut misses) = (0, 0, 0, Vec::new());
    for s in &cohort {
        let p = s.profiles().remove(0);
        let Ok(fit) = fit_profile(&Stein2019, &p, &options) else {
            continue;
        };
        let obs = observations(&p).0;
        let (_, reference) =
            reference_optimum(&Stein2019, &obs, lambda_z(&p), &options, n_ref).unwrap();
        total += 1;
        let cost = fit.neg2ll / 2.0;
        if cost <= reference + 0.01 {
            ok += 1;
        } else {
            misses.push(format!("{}: {cost} vs {reference}", s.subject));
        }
        limit += usize::from(fit.termination == Termination::IterationLimit);
    }
    (total, ok, limit, misses)
}

/// The acceptance pinned on a fixed seed, small cohort: every fit reaches the optimum of
/// the exhaustive reference (500 spread starts) within 0.01 ln L, none at an iteration
/// limit. The full figure (several seeds, hundreds of profiles) is the ignored test below
/// and the example `ck_search_reference` (docs/ck-model.md).
#[test]
fn fits_reach_the_reference_optimum_on_a_fixed_seed() {
    let (total, ok, limit, misses) = against_reference(16, 13, 500);
    assert!(total >= 14, "only {total} profiles fitted");
    assert_eq!(ok, total, "missed the reference optimum: {misses:?}");
    assert_eq!(limit, 0);
}

/// The acceptance on 3 seeds x 100 patients: >= 99% within 0.01, < 1% at an iteration
/// limit. Slow (minutes): `cargo test -p cartpk-ck --release --test search -- --ignored`.
#[test]
#[ignore]
fn fits_reach_the_reference_optimum_on_three_cohorts() {
    let (mut total, mut ok, mut limit, mut misses) = (0, 0, 0, Vec::new());
    for seed in [1, 2, 3] {
        let r = against_reference(100, seed, 500);
        total += r.0;
        ok += r.1;
        limit += r.2;
        misses.extend(r.3);
    }
    // The figure docs/ck-model.md quotes (`-- --nocapture` shows it).
    eprintln!("{ok}/{total} within 0.01 of the reference, {limit} at an iteration limit, misses: {misses:?}");
    assert!(ok * 100 >= total * 99, "{ok}/{total}: {misses:?}");
    assert!(
        limit * 100 < total,
        "{limit}/{total} at the iteration limit"
    );
}

fn profile(unit: ConcUnit, samples: Vec<Sample>) -> Profile {
    Profile::new(
        ProfileKey {
            subject: "P1".into(),
            matrix: Matrix::parse("blood").unwrap(),
            assay: Assay::parse("qpcr").unwrap(),
        },
        unit,
        samples,
    )
}

/// A noiseless profile of `p` on the trial schedule, LLOQ `lloq`.
fn noiseless(p: &SteinParams, unit: ConcUnit, lloq: f64) -> Profile {
    let samples = TRIAL_DAYS
        .iter()
        .map(|&t| {
            let c = p.conc(t);
            if c >= lloq {
                Sample::quantified(t, c)
            } else {
                Sample::blq(t, Some(lloq))
            }
        })
        .collect();
    profile(unit, samples)
}

#[test]
fn pre_infusion_samples_stay_out_of_the_likelihood_by_default() {
    let truth = SteinParams::published();
    let p = noiseless(&truth, ConcUnit::CopiesPerUg, 50.0);
    let fit = fit_profile(&Stein2019, &p, &FitOptions::default()).unwrap();
    // 12 samples: the day-0 one (BLQ) is left out; n_obs counts what was fitted.
    assert_eq!(fit.n_baseline, 1);
    assert_eq!(fit.n_obs, 11);
    let with = fit_profile(
        &Stein2019,
        &p,
        &FitOptions {
            include_baseline: true,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert_eq!(with.n_baseline, 0);
    assert_eq!(with.n_obs, 12);
    // A quantified day-0 value (background) would drag C0 to it when kept; left out, the
    // fit is the same as without the sample.
    let mut bg = p.clone();
    bg.samples[0] = Sample::quantified(0.0, 400.0);
    let a = fit_profile(&Stein2019, &bg, &FitOptions::default()).unwrap();
    assert_eq!(a.neg2ll, fit.neg2ll);
    assert_eq!(
        FitData::of(&bg, false, true).observations,
        FitData::of(&p, false, true).observations
    );
}

#[test]
fn percent_predictions_stay_below_100() {
    // A %CAR+ profile that rises to ~95%: on the logit scale every prediction is < 100.
    let truth = SteinParams {
        cmax: 1900.0, // odds x 100 = 19: 95% CAR+
        tmax: 10.0,
        rho: 0.8,
        alpha: 0.15,
        beta: 0.004,
        fb: 0.02,
    };
    let scale = cartpk_ck::fit::ObservationScale::Logit { upper: 100.0 };
    let samples = TRIAL_DAYS[1..]
        .iter()
        .map(|&t| Sample::quantified(t, scale.to_measured(truth.conc(t))))
        .collect();
    let p = profile(ConcUnit::PercentCarPositive, samples);
    let fit = fit_profile(&Stein2019, &p, &FitOptions::default()).unwrap();
    assert!(fit.max_prediction < 100.0 && fit.max_prediction > 90.0);
    for pr in fit.predictions(&Stein2019, &observations(&p).0) {
        assert!(pr.predicted < 100.0);
        assert!((pr.predicted - pr.observed).abs() < 1e-3 * pr.observed);
    }
    assert!(!fit
        .trust_failures
        .iter()
        .any(|f| matches!(f, TrustFailure::PredictionOutsideRange { .. })));
    // On the log scale, the same data give a curve over 100% near the peak: a warning with
    // the value and a named trust failure. (Values just below 100 with a peak between
    // samples: the fitted peak exceeds the bound.)
    let mut q = p.clone();
    for s in &mut q.samples {
        if (7.0..=14.0).contains(&s.time) {
            *s = Sample::quantified(s.time, 99.0);
        }
    }
    let log = fit_profile(
        &Stein2019,
        &q,
        &FitOptions {
            bounded_percent: false,
            ..FitOptions::default()
        },
    )
    .unwrap();
    if log.max_prediction > 100.0 {
        assert!(log.warnings.iter().any(|w| matches!(
            w,
            FitWarning::PredictionOutsideRange { predicted, .. } if *predicted > 100.0
        )));
        assert!(!log.reportable());
    }
    let bounded = fit_profile(&Stein2019, &q, &FitOptions::default()).unwrap();
    assert!(bounded.max_prediction < 100.0);
}

#[test]
fn sparse_profiles_are_not_fitted_or_flagged() {
    let samples = vec![
        Sample::blq(1.0, Some(50.0)),
        Sample::quantified(7.0, 3000.0),
        Sample::quantified(11.0, 9000.0),
        Sample::quantified(14.0, 6000.0),
        Sample::quantified(28.0, 800.0),
        Sample::blq(84.0, Some(50.0)),
    ];
    let p = profile(ConcUnit::CopiesPerUg, samples);
    // 4 quantified, 7 parameters: 9 needed.
    assert_eq!(
        fit_profile(&Stein2019, &p, &FitOptions::default()),
        Err(FitError::TooFewObservations { n: 4, needed: 9 })
    );
    let fit = fit_profile(
        &Stein2019,
        &p,
        &FitOptions {
            fit_sparse: true,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert!(!fit.reportable());
    assert!(fit
        .trust_failures
        .contains(&TrustFailure::TooFewQuantified { n: 4, needed: 9 }));
}

#[test]
fn a_rich_noiseless_profile_is_reportable() {
    // FB 0.05 keeps the persistence phase quantified to day 365: every parameter is
    // determined, the fit converges and meets every criterion.
    let truth = SteinParams {
        fb: 0.05,
        ..SteinParams::published()
    };
    let mut p = noiseless(&truth, ConcUnit::CopiesPerUg, 50.0);
    // A little noise so that sigma is above its floor (deterministic pattern).
    for (i, s) in p.samples.iter_mut().enumerate() {
        if let cartpk_core::SampleValue::Quantified { value } = &mut s.value {
            *value *= (0.1f64 * if i % 2 == 0 { 1.0 } else { -1.0 }).exp();
        }
    }
    let fit = fit_profile(&Stein2019, &p, &FitOptions::default()).unwrap();
    assert_eq!(fit.termination, Termination::Converged);
    assert!(fit.reportable(), "{:?}", fit.trust_failures);
}

#[test]
fn extreme_times_do_not_panic() {
    // Regression: times of ~1e16 days made the starting values panic.
    let samples = vec![
        Sample::quantified(1e16, 100.0),
        Sample::quantified(1e16 + 2.0, 300.0),
        Sample::quantified(1e16 + 4.0, 200.0),
        Sample::quantified(1e16 + 8.0, 90.0),
        Sample::quantified(1e16 + 16.0, 80.0),
        Sample::quantified(1e16 + 32.0, 70.0),
        Sample::quantified(1e16 + 64.0, 60.0),
        Sample::quantified(1e16 + 128.0, 55.0),
        Sample::quantified(1e16 + 256.0, 52.0),
    ];
    let p = profile(ConcUnit::CopiesPerUg, samples);
    let _ = fit_profile(&Stein2019, &p, &FitOptions::default());
    let mut tiny = p.clone();
    for (i, s) in tiny.samples.iter_mut().enumerate() {
        s.time = 1e-300 * (i + 1) as f64;
    }
    let _ = fit_profile(&Stein2019, &tiny, &FitOptions::default());
}

#[test]
fn flow_cohort_fits_are_bounded() {
    // Blood flow %CAR+ scaled so that peaks sit near 100%: no prediction at or above 100%.
    let mut spec = CohortSpec::published(12, 5);
    spec.arms = vec![SamplingArm::blood_flow(TRIAL_DAYS.to_vec(), 0.003)];
    for s in simulate(&spec) {
        let p = s.profiles().remove(0);
        assert_eq!(p.unit, ConcUnit::PercentCarPositive);
        if let Ok(f) = fit_profile(&Stein2019, &p, &FitOptions::default()) {
            assert!(
                f.max_prediction < 100.0,
                "{}: {}",
                s.subject,
                f.max_prediction
            );
        }
    }
}
