//! Criterion benchmark of the NCA kernel: one 15-sample CAR-T profile, and a batch of
//! 10,000 profiles across all cores (rayon). Run with `cargo bench -p cartpk-nca`.
//!
//! Profiles follow the Stein 2019 shape (expansion to a peak near day 9-11, biphasic
//! decline) with deterministic pseudo-random noise and BLQ tails, so lambda_z selection and
//! the log-down trapezoid both do real work.

use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_nca::{nca_batch, nca_profile, LambdaZOverrides, NcaOptions};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const TIMES: [f64; 15] = [
    0.0, 1.0, 4.0, 7.0, 11.0, 14.0, 21.0, 28.0, 56.0, 84.0, 112.0, 168.0, 270.0, 365.0, 540.0,
];

/// A small deterministic generator (xorshift), so the benchmark needs no RNG crate.
struct XorShift(u64);

impl XorShift {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn profile(i: usize, rng: &mut XorShift) -> Profile {
    let cmax = 24000.0 * (1.0 + 2.0 * rng.unit());
    let tmax = 7.0 + 6.0 * rng.unit();
    let c0 = cmax / 3900.0;
    let rho = (cmax / c0).ln() / tmax;
    let (alpha, beta, fb) = (
        0.16 * (0.5 + rng.unit()),
        0.0032 * (0.5 + rng.unit()),
        0.0079,
    );
    let samples = TIMES
        .iter()
        .map(|&t| {
            let c = if t < tmax {
                c0 * (rho * t).exp()
            } else {
                let d = t - tmax;
                cmax * ((1.0 - fb) * (-alpha * d).exp() + fb * (-beta * d).exp())
            } * (0.7 + 0.6 * rng.unit());
            if c < 50.0 {
                Sample::blq(t, Some(50.0))
            } else {
                Sample::quantified(t, c)
            }
        })
        .collect();
    let key = ProfileKey {
        subject: format!("S{i:06}"),
        matrix: Matrix::Blood,
        assay: Assay::Qpcr,
    };
    Profile::new(key, ConcUnit::CopiesPerUg, samples)
}

fn bench(c: &mut Criterion) {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let profiles: Vec<Profile> = (0..10_000).map(|i| profile(i, &mut rng)).collect();
    let options = NcaOptions::default();
    let overrides = LambdaZOverrides::new();

    let mut g = c.benchmark_group("nca");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_profile_15_samples", |b| {
        b.iter(|| nca_profile(black_box(&profiles[0]), &options, None))
    });
    g.throughput(Throughput::Elements(profiles.len() as u64));
    g.bench_function("batch_10000_profiles_all_cores", |b| {
        b.iter(|| nca_batch(black_box(&profiles), &options, &overrides))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
