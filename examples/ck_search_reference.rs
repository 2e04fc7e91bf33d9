//! The search against an exhaustive reference: on cohorts simulated from Stein 2019
//! Table 1 (residual SD 0.56, the trials' blood schedule, LLOQ 50 copies/ug), every blood
//! profile is fitted by `fit_profile` and by the exhaustive reference search (500 spread
//! starts, `cartpk_ck::fit::reference_optimum`). Prints the share of fits within 0.01 ln L
//! of the reference optimum, the share stopped at an iteration limit, and the time per
//! fit. The table in docs/ck-model.md comes from this program.
//!
//! Run: `cargo run --release -p cartpk-ck --example ck_search_reference [n_subjects] [seeds...]`
//! (defaults: 150 subjects, seeds 1 2 3).

use cartpk_ck::fit::{observations, reference_optimum, Termination};
use cartpk_ck::simulate::{simulate, CohortSpec};
use cartpk_ck::{fit_profile, CkModel, FitOptions, Stein2019};
use rayon::prelude::*;

/// Search settings from the environment (`CK_NM`, `CK_LBFGS`, `CK_SPREAD`, `CK_LOCAL`,
/// `CK_LOCAL_ITERS`, `CK_POLISH`, `CK_ROUNDS`), for tuning experiments; defaults otherwise.
fn options_from_env(mut o: FitOptions) -> FitOptions {
    let get = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    if let Some(v) = get("CK_NM") {
        o.nm_max_iters = v;
    }
    if let Some(v) = get("CK_LBFGS") {
        o.lbfgs_max_iters = v;
    }
    if let Some(v) = get("CK_SPREAD") {
        o.search.n_spread = v as usize;
    }
    if let Some(v) = get("CK_LOCAL") {
        o.search.n_local = v as usize;
    }
    if let Some(v) = get("CK_LOCAL_ITERS") {
        o.search.local_max_iters = v;
    }
    if let Some(v) = get("CK_START_LOCAL") {
        o.search.n_start_local = v as usize;
    }
    if let Some(v) = get("CK_POLISH") {
        o.search.n_polish = v as usize;
    }
    if let Some(v) = get("CK_ROUNDS") {
        o.search.max_rounds = v as usize;
    }
    o
}

/// One profile: the fit's -ln L, the reference's, how the fit ended, ms per fit, details.
type Row = (f64, f64, Termination, f64, String);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(150);
    let seeds: Vec<u64> = if args.len() > 1 {
        args[1..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        vec![1, 2, 3]
    };
    // Every profile with 3 quantified samples or more is fitted (the sparse ones too), so
    // the comparison covers the hardest likelihoods.
    let options = options_from_env(FitOptions {
        fit_sparse: true,
        ..FitOptions::default()
    });
    println!("| seed | profiles fitted | within 0.01 of the reference | iteration limit | converged | worst gap (ln L) | ms per fit (one core) |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let (mut all_n, mut all_ok, mut all_lim, mut all_conv) = (0, 0, 0, 0);
    for seed in seeds {
        let cohort = simulate(&CohortSpec::published(n, seed));
        let profiles: Vec<_> = cohort.iter().map(|s| s.profiles().remove(0)).collect();
        let rows: Vec<Option<Row>> = profiles
            .par_iter()
            .map(|p| {
                let t0 = std::time::Instant::now();
                let fit = fit_profile(&Stein2019, p, &options).ok()?;
                let ms = t0.elapsed().as_secs_f64() * 1e3;
                let obs = observations(p).0;
                let lambda_z = cartpk_nca::nca_profile(p, &cartpk_nca::NcaOptions::default(), None)
                    .ok()
                    .and_then(|r| r.lambda_z.map(|f| f.lambda_z));
                let (ref_param, reference) =
                    reference_optimum(&Stein2019, &obs, lambda_z, &options, 500)?;
                let detail = format!(
                    "{}: fit {:?} reference {:?} obs {:?}",
                    p.key.subject,
                    fit.estimates.iter().map(|e| e.value).collect::<Vec<_>>(),
                    {
                        let mut v = Stein2019.to_natural(&ref_param[..6]);
                        v.push(options.sigma_min + ref_param[6].exp());
                        v
                    },
                    obs
                );
                Some((fit.neg2ll / 2.0, reference, fit.termination, ms, detail))
            })
            .collect();
        let rows: Vec<_> = rows.into_iter().flatten().collect();
        let ok = rows.iter().filter(|r| r.0 <= r.1 + 0.01).count();
        let lim = rows
            .iter()
            .filter(|r| r.2 == Termination::IterationLimit)
            .count();
        let conv = rows
            .iter()
            .filter(|r| r.2 == Termination::Converged)
            .count();
        let worst = rows
            .iter()
            .map(|r| r.0 - r.1)
            .fold(f64::NEG_INFINITY, f64::max);
        let ms = rows.iter().map(|r| r.3).sum::<f64>() / rows.len().max(1) as f64;
        for r in rows.iter().filter(|r| r.0 > r.1 + 0.01) {
            eprintln!(
                "seed {seed}: fit {:.4} reference {:.4} ({:?}) {}",
                r.0, r.1, r.2, r.4
            );
        }
        println!(
            "| {seed} | {} | {ok} ({:.1}%) | {lim} ({:.1}%) | {conv} | {worst:.4} | {ms:.2} |",
            rows.len(),
            100.0 * ok as f64 / rows.len() as f64,
            100.0 * lim as f64 / rows.len() as f64,
        );
        all_n += rows.len();
        all_ok += ok;
        all_lim += lim;
        all_conv += conv;
    }
    println!(
        "| all | {all_n} | {all_ok} ({:.1}%) | {all_lim} ({:.1}%) | {all_conv} | | |",
        100.0 * all_ok as f64 / all_n as f64,
        100.0 * all_lim as f64 / all_n as f64
    );
}
