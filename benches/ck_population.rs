//! Criterion benchmark of the population fit (SAEM, Stein 2019, M3) on cohorts simulated
//! from Stein 2019 Table 1 (residual SD 0.56, trial schedule to day 365, LLOQ 50
//! copies/ug): 200 and 2,000 subjects, default settings (5 burn-in + 300 exploratory + 200
//! smoothing iterations, then 200 post-convergence iterations, conditional modes, Fisher
//! information and -2LL by importance sampling with 1,000 draws per subject), all cores.
//!
//! `cargo bench -p cartpk-ck --bench ck_population` (add `-- 200` for the small cohort only).
//! docs/benchmarks.md records the figures with numpyro NUTS on the same cohort.

use cartpk_ck::population::{fit_population, PopulationModel, PopulationSubject, SaemOptions};
use cartpk_ck::simulate::{simulate, CohortSpec};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn cohort(n: usize) -> Vec<PopulationSubject> {
    simulate(&CohortSpec::published(n, 1))
        .iter()
        .map(|s| PopulationSubject::from_profile(&s.profiles()[0]))
        .collect()
}

fn bench(c: &mut Criterion) {
    let model = PopulationModel::stein2019();
    let mut group = c.benchmark_group("population_saem");
    group.sample_size(10);
    for n in [200usize, 2000] {
        let subjects = cohort(n);
        group.measurement_time(Duration::from_secs(if n > 500 { 300 } else { 60 }));
        group.bench_function(format!("stein2019_{n}_subjects"), |b| {
            b.iter(|| {
                fit_population(&model, black_box(&subjects), &SaemOptions::default())
                    .expect("the simulated cohort fits")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
