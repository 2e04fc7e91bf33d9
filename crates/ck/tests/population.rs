//! Known-answer tests of the population fit (SAEM with censored data) on cohorts simulated
//! from Stein 2019 Table 1 (cartpk_ck::simulate): residual SD 0.56, the trial schedule to day
//! 365, LLOQ 50 copies/ug. Seeds are fixed, so the figures are exact and reproducible;
//! docs/population.md tabulates the 5-seed study (examples/population_recovery.rs) and the
//! numpyro NUTS reference on the same cohort (benches/reference/population_nuts.py).

use cartpk_ck::population::{
    fit_population, individual_mode, residuals, vpc, CovariateKind, CovariateStatement,
    CovariateValue, PopulationFit, PopulationModel, PopulationSubject, ResidualOptions,
    SaemOptions, VpcOptions,
};
use cartpk_ck::simulate::{published_omega2, simulate, CohortSpec, SimulatedSubject, Typical};
use std::sync::OnceLock;

fn subjects_of(cohort: &[SimulatedSubject]) -> Vec<PopulationSubject> {
    cohort
        .iter()
        .map(|s| PopulationSubject::from_profile(&s.profiles()[0]))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The 200-subject cohort (seed 1) and its fit, shared by the tests of this file.
fn fixed_seed() -> &'static (Vec<SimulatedSubject>, Vec<PopulationSubject>, PopulationFit) {
    static FIT: OnceLock<(Vec<SimulatedSubject>, Vec<PopulationSubject>, PopulationFit)> =
        OnceLock::new();
    FIT.get_or_init(|| {
        let cohort = simulate(&CohortSpec::published(200, 1));
        let subjects = subjects_of(&cohort);
        let fit = fit_population(
            &PopulationModel::stein2019(),
            &subjects,
            &SaemOptions {
                seed: 1,
                ..SaemOptions::default()
            },
        )
        .expect("the simulated cohort fits");
        (cohort, subjects, fit)
    })
}

/// Population and individual recovery. Thresholds: the acceptance (typical values
/// within 15%, sigma within 10%; omega^2 within 35%, 50% for FB and beta, which the issue
/// sets for the 5-seed average). On cohort 1 every omega^2 but FB's and beta's is held to
/// 50%; FB's and beta's are judged as the issue says, on the average over cohorts 1-5 (each
/// fitted with its own seed, as examples/population_recovery.rs does). On cohort 1 alone
/// beta's omega^2 comes out at 0.35-0.62 (truth 0.86, RSE ~37%, shrinkage 45%) for every
/// SAEM seed 1-8, before and after the change that made this rule explicit: a fixed 50%
/// on that one cohort passed or failed by the seed.
///
/// Individual recovery, median |ln(estimate/truth)| over the 200 patients, against numpyro
/// NUTS posterior medians on this same cohort (benches/reference/population_nuts.py, seed 1;
/// docs/population.md: Cmax 0.224, Tmax 0.065, rho 0.111, alpha 0.171, beta 0.528, FB
/// 0.343): the conditional medians within 1.1x for every parameter, the conditional modes
/// within 1.15x (alpha's mode is 1.11x: the mode of a skewed posterior is not its median).
/// The conditional medians carry Monte Carlo error: over SAEM seeds 1-8 Cmax's figure
/// spreads over 0.225-0.257, so the test takes the median of three SAEM seeds.
#[test]
fn recovers_stein_population_and_individuals_on_a_fixed_seed() {
    let (cohort, subjects, fit) = fixed_seed();
    let t = Typical::published();
    let o = published_omega2();
    let truth = [t.cmax, t.foldx, t.tmax, t.alpha, t.fb, t.beta];
    let truth_w = [o.cmax, o.foldx, o.tmax, o.alpha, o.fb, o.beta];
    let mut report = Vec::new();
    for (k, p) in fit.parameters.iter().enumerate() {
        let rel = p.typical / truth[k] - 1.0;
        let w = p.omega2.expect("every parameter has a random effect");
        let relw = w / truth_w[k] - 1.0;
        let w_rse = p.omega2_rse_percent.expect("omega2 has a standard error");
        report.push(format!(
            "{} {:+.3} {:+.3} (RSE {:.0}%)",
            p.name, rel, relw, w_rse
        ));
        assert!(rel.abs() < 0.15, "typical {}: {report:?}", p.name);
        if !matches!(p.name, "fb" | "beta") {
            assert!(relw.abs() < 0.5, "omega2 {}: {report:?}", p.name);
        }
        assert!(p.typical_rse_percent.is_some_and(|r| r > 0.0 && r < 50.0));
        assert!(w_rse > 0.0 && w_rse < 60.0);
    }
    let cohort_fits: Vec<PopulationFit> = (2..=5)
        .map(|seed| {
            fit_population(
                &PopulationModel::stein2019(),
                &subjects_of(&simulate(&CohortSpec::published(200, seed))),
                &SaemOptions {
                    seed,
                    ..SaemOptions::default()
                },
            )
            .expect("the simulated cohort fits")
        })
        .collect();
    for k in [4, 5] {
        let rel: Vec<f64> = std::iter::once(fit)
            .chain(&cohort_fits)
            .map(|f| f.parameters[k].omega2.expect("a random effect") / truth_w[k] - 1.0)
            .collect();
        let mean = rel.iter().sum::<f64>() / rel.len() as f64;
        assert!(
            mean.abs() < 0.5,
            "omega2 {}: mean {mean:+.3} over cohorts 1-5: {rel:?}",
            fit.parameters[k].name
        );
    }
    assert!(
        (fit.residual.sigma / 0.56 - 1.0).abs() < 0.1,
        "{}",
        fit.residual.sigma
    );
    assert!(fit.residual.rse_percent.is_some_and(|r| r < 10.0));
    // Individual estimates: model parameters cmax, tmax, rho, alpha, beta, fb.
    let more: Vec<PopulationFit> = [2, 3]
        .iter()
        .map(|&seed| {
            fit_population(
                &PopulationModel::stein2019(),
                subjects,
                &SaemOptions {
                    seed,
                    ..SaemOptions::default()
                },
            )
            .expect("the simulated cohort fits")
        })
        .collect();
    let fits: Vec<&PopulationFit> = std::iter::once(fit).chain(&more).collect();
    let nuts = [0.224, 0.065, 0.111, 0.171, 0.528, 0.343];
    for (j, name) in fit.model_parameter_names.iter().enumerate() {
        let recovery = |est: &dyn Fn(&cartpk_ck::population::IndividualEstimate) -> f64| {
            median(
                fits.iter()
                    .map(|f| {
                        median(
                            f.individuals
                                .iter()
                                .zip(cohort)
                                .map(|(e, s)| (est(e) / s.params.to_vec()[j]).ln().abs())
                                .collect(),
                        )
                    })
                    .collect(),
            )
        };
        let med = recovery(&|e| e.model_median[j]);
        let mode = recovery(&|e| e.model_mode[j]);
        assert!(
            med <= 1.1 * nuts[j],
            "{name}: median {med:.3} vs NUTS {}",
            nuts[j]
        );
        assert!(
            mode <= 1.15 * nuts[j],
            "{name}: mode {mode:.3} vs NUTS {}",
            nuts[j]
        );
    }
    assert!(fit.neg2ll.is_finite() && fit.aic > fit.neg2ll && fit.bic > fit.aic);
    assert_eq!(fit.n_subjects, 200);
}

/// The reported conditional mode is never worse (beyond the optimiser tolerance, 1e-3 in -2 ln
/// posterior) than the optimum reached from the typical
/// values alone (what a single-start estimator reports), and on this cohort the multi-start
/// finds a strictly better mode for some patients: their posteriors have several modes.
#[test]
fn finds_the_better_mode_of_multimodal_patients() {
    let (_, subjects, fit) = fixed_seed();
    let model = PopulationModel::stein2019();
    let typical: Vec<f64> = fit.parameters.iter().map(|p| p.typical).collect();
    let mut improved = 0;
    for (s, e) in subjects.iter().zip(&fit.individuals) {
        let (_, single) = individual_mode(fit, &model, s, std::slice::from_ref(&typical))
            .expect("the typical values are inside the domain");
        assert!(
            e.neg2_ln_posterior <= single + 1e-3,
            "{}: {} > {}",
            e.subject,
            e.neg2_ln_posterior,
            single
        );
        if e.neg2_ln_posterior < single - 0.5 {
            improved += 1;
        }
    }
    let multimodal = fit.individuals.iter().filter(|e| e.local_modes > 1).count();
    assert!(improved >= 1, "no patient where the multi-start mattered");
    assert!(multimodal >= improved.min(1));
}

/// One seed gives bit-identical results for 1 and 2 threads (per-subject random streams,
/// reductions in subject order).
#[test]
fn same_seed_gives_identical_fits_for_any_thread_count() {
    let cohort = simulate(&CohortSpec::published(30, 7));
    let subjects = subjects_of(&cohort);
    let options = SaemOptions {
        seed: 3,
        exploratory: 40,
        smoothing: 20,
        annealing: 20,
        conditional_iterations: 20,
        importance_draws: 100,
        ..SaemOptions::default()
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| {
            let fit =
                fit_population(&PopulationModel::stein2019(), &subjects, &options).expect("fits");
            format!("{fit:?}")
        })
    };
    assert_eq!(run(1), run(2));
}

/// A 2x Cmax ratio between two groups (100 subjects each, simulated with typical Cmax 24,000
/// and 48,000) is recovered: the categorical effect's 95% CI covers ln 2. The 20-replicate
/// coverage study is the ignored test below.
fn covariate_fit(seed: u64) -> (f64, (f64, f64)) {
    let mut subjects = Vec::new();
    for (group, cmax, prefix) in [("low", 24_000.0, "L"), ("high", 48_000.0, "H")] {
        let mut spec = CohortSpec::published(100, seed * 2 + u64::from(group == "high"));
        spec.typical.cmax = cmax;
        spec.subject_prefix = prefix.into();
        for mut s in subjects_of(&simulate(&spec)) {
            s.covariates
                .insert("group".into(), CovariateValue::Level(group.into()));
            subjects.push(s);
        }
    }
    let mut model = PopulationModel::stein2019();
    model.covariates.push(CovariateStatement {
        parameter: "cmax",
        covariate: "group".into(),
        kind: CovariateKind::Categorical {
            level: "high".into(),
        },
    });
    let fit = fit_population(
        &model,
        &subjects,
        &SaemOptions {
            seed,
            ..SaemOptions::default()
        },
    )
    .expect("fits");
    let e = &fit.covariate_effects[0];
    (e.estimate, e.ci95.expect("standard errors"))
}

#[test]
fn recovers_a_categorical_cmax_effect() {
    let (beta, (lo, hi)) = covariate_fit(11);
    assert!(
        lo < 2f64.ln() && 2f64.ln() < hi,
        "beta {beta} CI ({lo}, {hi})"
    );
    assert!(
        (beta.exp() / 2.0 - 1.0).abs() < 0.25,
        "ratio {}",
        beta.exp()
    );
}

/// Coverage of the 95% CI of the 2x Cmax ratio (acceptance: at least 90%). 20 replicates
/// cannot tell a calibrated interval from a 1.4x too narrow one (a calibrated 95% interval
/// covers at least 18 of 20 with probability 0.92 only), so the study runs 100 (seeds
/// 100-199): with the Louis standard errors it covered 95/100 (Clopper-Pearson 88.7-98.4%),
/// the estimates' SD over the replicates 0.132 against a mean SE of 0.129
/// (docs/population.md). Slow (100 fits of 200 subjects):
/// `cargo test --release -p cartpk-ck --test population -- --ignored covariate_ci
/// --nocapture`, or the example `population_covariate_coverage`, which also prints the
/// oracle group difference.
#[test]
#[ignore]
fn covariate_ci_covers_the_truth_in_90_percent_of_replicates() {
    let mut covered = 0;
    let n = 100;
    for seed in 100..100 + n {
        let (beta, (lo, hi)) = covariate_fit(seed);
        let ok = lo < 2f64.ln() && 2f64.ln() < hi;
        println!(
            "seed {seed}: ratio {:.3} CI ({:.3}, {:.3}) {}",
            beta.exp(),
            lo.exp(),
            hi.exp(),
            if ok { "covers" } else { "misses" }
        );
        covered += usize::from(ok);
    }
    println!("coverage {covered}/{n}");
    assert!(covered * 10 >= n as usize * 9, "coverage {covered}/{n}");
}

/// The diagnostics of a correct model: observed percentiles inside their simulated
/// intervals and BLQ fractions inside theirs in most bins; npd close to N(0, 1).
#[test]
fn diagnostics_of_a_correct_model_look_right() {
    let (_, subjects, fit) = fixed_seed();
    let model = PopulationModel::stein2019();
    let v = vpc(
        fit,
        &model,
        subjects,
        &VpcOptions {
            replicates: 100,
            ..VpcOptions::default()
        },
    )
    .expect("vpc");
    assert_eq!(v.blq.len(), 11, "one bin per scheduled visit after day 0");
    let inside_blq = v
        .blq
        .iter()
        .filter(|r| r.observed >= r.simulated_low - 1e-12 && r.observed <= r.simulated_high + 1e-12)
        .count();
    assert!(inside_blq >= 9, "{:?}", v.blq);
    let medians: Vec<_> = v
        .percentiles
        .iter()
        .filter(|r| r.percentile == 50.0)
        .collect();
    let inside = medians
        .iter()
        .filter(|r| match (r.observed, r.simulated_low, r.simulated_high) {
            (Some(o), Some(l), Some(h)) => o >= l && o <= h,
            (None, None, _) => true,
            _ => false,
        })
        .count();
    assert!(inside >= 9, "{medians:?}");
    let rows = residuals(fit, &model, subjects, &ResidualOptions::default()).expect("npd");
    let n = rows.len() as f64;
    let mean = rows.iter().map(|r| r.npd).sum::<f64>() / n;
    let sd = (rows.iter().map(|r| (r.npd - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(
        mean.abs() < 0.1 && (sd - 1.0).abs() < 0.1,
        "npd mean {mean} sd {sd}"
    );
}

/// Regression (review of 2026-12-04): K1 + K2 came straight from `--k1`/`--k2` (or
/// Python's `k1`/`k2`) and were summed unchecked, so `--k1 18446744073709551615` overflowed
/// (a panic in debug builds, a silently skipped smoothing phase in release). An iteration
/// count beyond MAX_SAEM_ITERATIONS is now a typed error, before any work.
#[test]
fn iteration_counts_out_of_range_are_an_error_not_an_overflow() {
    use cartpk_ck::population::{PopulationError, MAX_SAEM_ITERATIONS};
    let subjects = subjects_of(&simulate(&CohortSpec::published(4, 3)));
    for exploratory in [usize::MAX, MAX_SAEM_ITERATIONS] {
        let err = fit_population(
            &PopulationModel::stein2019(),
            &subjects,
            &SaemOptions {
                exploratory,
                ..SaemOptions::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, PopulationError::Options(_)), "{err}");
        assert!(err.to_string().contains("expected at most 100000"), "{err}");
    }
}

/// Regression (review of 2026-12-04): a VPC percentile above 100 or an interval outside
/// (0, 1) indexed past the sorted replicates (a panic). Both are typed errors now.
#[test]
fn vpc_settings_out_of_range_are_an_error_not_a_panic() {
    use cartpk_ck::population::PopulationError;
    let (_, subjects, fit) = fixed_seed();
    let model = PopulationModel::stein2019();
    for options in [
        VpcOptions {
            percentiles: vec![5.0, 150.0],
            ..VpcOptions::default()
        },
        VpcOptions {
            interval: 1.5,
            ..VpcOptions::default()
        },
    ] {
        let err = vpc(fit, &model, subjects, &options).unwrap_err();
        assert!(matches!(err, PopulationError::Options(_)), "{err}");
    }
}
