//! Coverage study of a covariate effect's 95% CI (issue 12's acceptance): two groups of
//! 100 patients simulated from Stein 2019 Table 1 with typical Cmax 24,000 and 48,000
//! copies/ug (a 2x ratio), a categorical effect of group on Cmax in the statement, default
//! settings. Per replicate it prints the estimated ratio, its SE and 95% Wald CI, and the
//! "oracle" difference of the groups' true mean ln Cmax (what the estimate would be with
//! every patient's Cmax known); at the end the coverage, the mean SE and the empirical SD of
//! the estimates over the replicates.
//!
//! cargo run --release -p cartpk-ck --example population_covariate_coverage -- [first] [n]
//!     (seeds first..first+n; the acceptance study is 100 20)

use cartpk_ck::population::{
    fit_population, CovariateKind, CovariateStatement, CovariateValue, PopulationModel,
    PopulationSubject, SaemOptions,
};
use cartpk_ck::simulate::{simulate, CohortSpec};

fn main() {
    // --oracle: only the true group difference per replicate (no fit).
    let oracle_only = std::env::args().any(|a| a == "--oracle");
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let first = args.first().copied().unwrap_or(100);
    let n = args.get(1).copied().unwrap_or(20);
    let mut est = Vec::new();
    let mut ses = Vec::new();
    let mut oracle = Vec::new();
    let mut covered = 0;
    for seed in first..first + n {
        let mut subjects = Vec::new();
        let mut ln_cmax = [Vec::new(), Vec::new()];
        for (g, (group, cmax, prefix)) in [("low", 24_000.0, "L"), ("high", 48_000.0, "H")]
            .into_iter()
            .enumerate()
        {
            let mut spec = CohortSpec::published(100, seed * 2 + g as u64);
            spec.typical.cmax = cmax;
            spec.subject_prefix = prefix.into();
            for s in simulate(&spec) {
                ln_cmax[g].push(s.params.cmax.ln());
                let mut p = PopulationSubject::from_profile(&s.profiles()[0]);
                p.covariates
                    .insert("group".into(), CovariateValue::Level(group.into()));
                subjects.push(p);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let o = mean(&ln_cmax[1]) - mean(&ln_cmax[0]);
        oracle.push(o);
        if oracle_only {
            println!("seed {seed}: oracle ln {o:.4}");
            continue;
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
        .expect("the simulated cohort fits");
        let e = &fit.covariate_effects[0];
        let se = e.se.unwrap_or(f64::NAN);
        let ok = (e.estimate - 2f64.ln()).abs() < 1.959964 * se;
        covered += usize::from(ok);
        println!(
            "seed {seed}: ratio {:.3} ln {:.4} se {:.4} CI {:.3}-{:.3} oracle ln {:.4} {}",
            e.ratio,
            e.estimate,
            se,
            (e.estimate - 1.959964 * se).exp(),
            (e.estimate + 1.959964 * se).exp(),
            o,
            if ok { "covers" } else { "misses" }
        );
        est.push(e.estimate);
        ses.push(se);
    }
    let sd = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt()
    };
    let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    if oracle_only {
        println!("oracle: mean {:.4}, SD {:.4}", m(&oracle), sd(&oracle));
        return;
    }
    println!(
        "coverage {covered}/{n}; mean ln ratio {:.4} (truth {:.4}); empirical SD {:.4}; mean SE {:.4}; oracle SD {:.4}",
        m(&est),
        2f64.ln(),
        sd(&est),
        m(&ses),
        sd(&oracle)
    );
}
