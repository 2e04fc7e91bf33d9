//! CPU cost of per-profile fits, for comparisons on a shared machine: fits the benchmark
//! cohort (benches/ck_fit.rs: published population, residual SD 0.3, blood + marrow + CSF
//! on the trial schedule) on ONE thread and prints the wall time. Run it under
//! `/usr/bin/time -f "%U s user"` to get the CPU time, which other processes on the machine
//! disturb far less than the wall time.
//!
//! Run: `cargo run --release -p cartpk-ck --example ck_fit_throughput [n_patients]`

use cartpk_ck::simulate::{simulate, CohortSpec, SamplingArm, TRIAL_DAYS};
use cartpk_ck::{fit_batch, FitOptions, Stein2019};

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

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
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
    let profiles: Vec<_> = simulate(&spec).iter().flat_map(|s| s.profiles()).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool can always be built");
    let t0 = std::time::Instant::now();
    // Every profile with 3 quantified samples or more is fitted, as before the
    // (parameters + 2) rule, so that figures compare.
    let options = options_from_env(FitOptions {
        fit_sparse: true,
        ..FitOptions::default()
    });
    let fits = pool.install(|| fit_batch(&Stein2019, &profiles, &options));
    let s = t0.elapsed().as_secs_f64();
    let ok = fits.iter().filter(|f| f.is_ok()).count();
    println!(
        "{} profiles ({ok} fitted) in {s:.2} s wall on one thread: {:.3} ms per profile",
        profiles.len(),
        1e3 * s / profiles.len() as f64
    );
}
