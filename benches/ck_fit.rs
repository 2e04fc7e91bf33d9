//! Criterion benchmark of per-patient CK fits (Stein 2019 model, M3): one profile, and a
//! simulated cohort of 1,000 patients x 3 matrices (blood, marrow, CSF) fitted in parallel
//! on all cores. Run with `cargo bench -p cartpk-ck --bench ck_fit`.

use cartpk_ck::simulate::{simulate, CohortSpec, SamplingArm, TRIAL_DAYS};
use cartpk_ck::{fit_batch, fit_profile, FitOptions, Stein2019};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// The published cohort with marrow and CSF sampled on the blood schedule at lower levels,
/// so that every patient has three profiles to fit.
pub fn cohort_spec(n: usize) -> CohortSpec {
    let mut spec = CohortSpec::published(n, 42);
    spec.sigma = 0.3;
    let arm = |matrix: &str, scale: f64| SamplingArm {
        matrix: matrix.into(),
        assay: "qpcr".into(),
        unit: "copies/ug".into(),
        times: TRIAL_DAYS.to_vec(),
        lloq: 50.0,
        scale,
        availability: 1.0,
        max_value: None,
    };
    spec.arms = vec![arm("blood", 1.0), arm("marrow", 0.5), arm("csf", 0.2)];
    spec
}

fn bench(c: &mut Criterion) {
    let profiles: Vec<_> = simulate(&cohort_spec(1000))
        .iter()
        .flat_map(|s| s.profiles())
        .collect();
    // Profiles with 3-8 quantified samples are fitted too (`fit_sparse`), as before the
    // (parameters + 2) rule, so that the figures compare with earlier ones.
    let options = FitOptions {
        fit_sparse: true,
        ..FitOptions::default()
    };
    let mut g = c.benchmark_group("ck_fit");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_profile_12_samples", |b| {
        b.iter(|| fit_profile(&Stein2019, black_box(&profiles[0]), &options))
    });
    g.throughput(Throughput::Elements(profiles.len() as u64));
    g.bench_function("1000_patients_x_3_matrices_all_cores", |b| {
        b.iter(|| fit_batch(&Stein2019, black_box(&profiles), &options))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
