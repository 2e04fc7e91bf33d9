//! Recovery study of the population fit (SAEM) on cohorts simulated from Stein 2019 Table 1:
//! residual SD 0.56, the trial schedule to day 365, LLOQ 50 copies/ug. Prints, per seed and
//! averaged, the estimates against the truth and the individual-estimate recovery (median
//! |ln(estimate/truth)| over subjects), as docs/population.md tabulates them.
//!
//! cargo run --release -p cartpk-ck --example population_recovery -- [n_subjects] [seeds...]
//!     [--conditional N] [--write DIR]

use cartpk_ck::population::{fit_population, PopulationModel, PopulationSubject, SaemOptions};
use cartpk_ck::simulate::{published_omega2, simulate, CohortSpec, Typical};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // --write DIR: the cohorts and the truth as CSV, for benches/reference/population_nuts.py.
    let write_dir = args.iter().position(|a| a == "--write").map(|i| {
        let d = args.remove(i + 1);
        args.remove(i);
        std::path::PathBuf::from(d)
    });
    // --conditional N: post-convergence MCMC iterations (default 500).
    let conditional = args.iter().position(|a| a == "--conditional").map(|i| {
        let n: usize = args
            .remove(i + 1)
            .parse()
            .expect("--conditional takes a count");
        args.remove(i);
        n
    });
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let seeds: Vec<u64> = if args.len() > 1 {
        args[1..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        vec![1, 2, 3, 4, 5]
    };
    let t = Typical::published();
    let o = published_omega2();
    let truth = [t.cmax, t.foldx, t.tmax, t.alpha, t.fb, t.beta];
    let truth_w = [o.cmax, o.foldx, o.tmax, o.alpha, o.fb, o.beta];
    let names = ["cmax", "foldx", "tmax", "alpha", "fb", "beta"];
    let mut sum_rel = [0.0; 6];
    let mut sum_relw = [0.0; 6];
    let mut sum_sigma = 0.0;
    for &seed in &seeds {
        let spec = CohortSpec::published(n, seed);
        let cohort = simulate(&spec);
        let subjects: Vec<PopulationSubject> = cohort
            .iter()
            .map(|s| PopulationSubject::from_profile(&s.profiles()[0]))
            .collect();
        if let Some(dir) = &write_dir {
            write_cohort(dir, seed, &cohort);
        }
        let start = Instant::now();
        let fit = fit_population(
            &PopulationModel::stein2019(),
            &subjects,
            &SaemOptions {
                seed,
                conditional_iterations: conditional.unwrap_or(500),
                ..SaemOptions::default()
            },
        )
        .expect("simulated cohort fits");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "seed {seed}: {n} subjects, {secs:.2} s, -2LL {:.1}, sigma {:.4}, eps-shrinkage {:.1}%",
            fit.neg2ll, fit.residual.sigma, fit.epsilon_shrinkage_percent
        );
        for (k, p) in fit.parameters.iter().enumerate() {
            let rel = p.typical / truth[k] - 1.0;
            let relw = p.omega2.unwrap_or(f64::NAN) / truth_w[k] - 1.0;
            sum_rel[k] += rel;
            sum_relw[k] += relw;
            println!(
                "  {:6} typical {:>10.4} (truth {:>9.4}, {:+.1}%, RSE {:.1}%)  omega2 {:.3} (truth {:.2}, {:+.1}%, RSE {:.1}%) shrinkage {:.1}%",
                names[k], p.typical, truth[k], 100.0 * rel, p.typical_rse_percent.unwrap_or(f64::NAN),
                p.omega2.unwrap_or(f64::NAN), truth_w[k], 100.0 * relw, p.omega2_rse_percent.unwrap_or(f64::NAN),
                p.shrinkage_percent.unwrap_or(f64::NAN)
            );
        }
        sum_sigma += fit.residual.sigma / 0.56 - 1.0;
        // Individual recovery in the model's parameters (cmax, tmax, rho, alpha, beta, fb).
        let mnames = &fit.model_parameter_names;
        let mut line = String::from("  median |ln(mode/truth)|:");
        let mut line_mean = String::from("  median |ln(mean/truth)|:");
        let mut line_median = String::from("  median |ln(cond. median/truth)|:");
        for (j, name) in mnames.iter().enumerate() {
            let errs: Vec<f64> = fit
                .individuals
                .iter()
                .zip(&cohort)
                .map(|(e, s)| (e.model_mode[j] / s.params.to_vec()[j]).ln().abs())
                .collect();
            let errs_mean: Vec<f64> = fit
                .individuals
                .iter()
                .zip(&cohort)
                .map(|(e, s)| (e.model_mean[j] / s.params.to_vec()[j]).ln().abs())
                .collect();
            let errs_median: Vec<f64> = fit
                .individuals
                .iter()
                .zip(&cohort)
                .map(|(e, s)| (e.model_median[j] / s.params.to_vec()[j]).ln().abs())
                .collect();
            line_median += &format!(" {name} {:.3}", median(errs_median));
            line += &format!(" {name} {:.3}", median(errs));
            line_mean += &format!(" {name} {:.3}", median(errs_mean));
        }
        let multi = fit.individuals.iter().filter(|e| e.local_modes > 1).count();
        println!("{line}\n{line_mean}\n{line_median}\n  subjects with >1 local mode: {multi}");
    }
    let s = seeds.len() as f64;
    println!("average over {} seeds:", seeds.len());
    for k in 0..6 {
        println!(
            "  {:6} typical {:+.1}%  omega2 {:+.1}%",
            names[k],
            100.0 * sum_rel[k] / s,
            100.0 * sum_relw[k] / s
        );
    }
    println!("  sigma {:+.1}%", 100.0 * sum_sigma / s);
}

/// Writes cohort_<seed>.csv (subject, time, value, lloq, censored; full precision) and
/// truth_<seed>.csv (the model's natural parameters).
fn write_cohort(
    dir: &std::path::Path,
    seed: u64,
    cohort: &[cartpk_ck::simulate::SimulatedSubject],
) {
    use std::fmt::Write;
    std::fs::create_dir_all(dir).expect("output directory can be created");
    let mut data = String::from("subject,time,value,lloq,censored\n");
    let mut truth = String::from("subject,cmax,tmax,rho,alpha,beta,fb\n");
    for s in cohort {
        for r in s.rows.iter().filter(|r| r.matrix == "blood") {
            let (v, c) = match r.value {
                Some(v) => (v, 0),
                None => (r.lloq, 1),
            };
            writeln!(
                data,
                "{},{:?},{:?},{:?},{}",
                s.subject, r.time, v, r.lloq, c
            )
            .expect("string write");
        }
        let p = s.params;
        writeln!(
            truth,
            "{},{:?},{:?},{:?},{:?},{:?},{:?}",
            s.subject, p.cmax, p.tmax, p.rho, p.alpha, p.beta, p.fb
        )
        .expect("string write");
    }
    std::fs::write(dir.join(format!("cohort_{seed}.csv")), data).expect("cohort written");
    std::fs::write(dir.join(format!("truth_{seed}.csv")), truth).expect("truth written");
}
