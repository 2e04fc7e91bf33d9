//! Rendering time of per-patient figures, without ingestion, NCA or fits:
//! `cargo run --release -p cartpk-plot --example render_bench -- [N] [THREADS] [DIR] [png]`.
//! Prints a Markdown table (docs/benchmarks.md, "Plots"). With DIR, also writes the first
//! three figures there as PNG and SVG (to compare the rasteriser's output before and after
//! a change). With `png` last, times the PNGs only (for a profiler or callgrind).
//!
//! Each patient: blood qPCR on a 14-visit trial schedule with a fitted-looking curve,
//! blood flow, marrow at days 28/84/168 and CSF at day 28, 8 x 5 in at 100 dpi.

use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_plot::patient::{PatientPlot, PatientSeries};
use cartpk_plot::{render, ImageFormat, PlotOptions};
use std::time::Instant;

fn patient(i: usize) -> PatientPlot {
    let k = 1.0 + (i % 7) as f64 * 0.3;
    let conc = move |t: f64| {
        if t <= 11.0 {
            50.0 * (t * 0.7 * k).exp().min(2e3)
        } else {
            5e4 * k * (-(t - 11.0) * 0.15).exp() + 300.0 * (-(t - 11.0) * 0.005).exp()
        }
    };
    let days = [
        0.0, 1.0, 4.0, 7.0, 11.0, 14.0, 21.0, 28.0, 56.0, 84.0, 168.0, 270.0, 365.0,
    ];
    let profile = |m: Matrix, a: Assay, u: ConcUnit, s: Vec<Sample>| {
        Profile::new(
            ProfileKey {
                subject: format!("SIM{i:04}"),
                matrix: m,
                assay: a,
            },
            u,
            s,
        )
    };
    let q = |t: f64, f: f64| {
        let v = conc(t) * f;
        if v < 50.0 {
            Sample::blq(t, Some(50.0))
        } else {
            Sample::quantified(t, v)
        }
    };
    let blood = profile(
        Matrix::Blood,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        days.iter().map(|&t| q(t, 1.0)).collect(),
    );
    let flow = profile(
        Matrix::Blood,
        Assay::Flow,
        ConcUnit::PercentCarPositive,
        days.iter()
            .map(|&t| Sample::quantified(t, (conc(t) / 2e3).clamp(0.05, 60.0)))
            .collect(),
    );
    let marrow = profile(
        Matrix::BoneMarrow,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        [28.0, 84.0, 168.0].iter().map(|&t| q(t, 0.5)).collect(),
    );
    let csf = profile(
        Matrix::Csf,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        vec![q(28.0, 0.2)],
    );
    PatientPlot {
        subject: format!("SIM{i:04}"),
        series: vec![
            PatientSeries::from_profile(&blood, None).with_model(365.0, conc),
            PatientSeries::from_profile(&marrow, None),
            PatientSeries::from_profile(&csf, None),
            PatientSeries::from_profile(&flow, None),
        ],
        death_day: None,
    }
}

fn time(plots: &[PatientPlot], format: ImageFormat, threads: usize) -> (f64, usize) {
    let start = Instant::now();
    let chunk = plots.len().div_ceil(threads.max(1));
    let bytes: usize = std::thread::scope(|s| {
        let handles: Vec<_> = plots
            .chunks(chunk.max(1))
            .map(|c| {
                s.spawn(move || {
                    c.iter()
                        .map(|p| render(p, format, &PlotOptions::default()).map_or(0, |b| b.len()))
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    (start.elapsed().as_secs_f64(), bytes)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let dir = args.next().filter(|d| d != "png");
    let png_only = std::env::args().any(|a| a == "png");
    let plots: Vec<PatientPlot> = (0..n).map(patient).collect();
    if let Some(dir) = &dir {
        for (i, p) in plots.iter().take(3).enumerate() {
            for format in [ImageFormat::Png, ImageFormat::Svg] {
                let path = format!("{dir}/patient{i}.{}", format.extension());
                match render(p, format, &PlotOptions::default()) {
                    Ok(bytes) => {
                        if let Err(e) = std::fs::write(&path, bytes) {
                            eprintln!("{path}: {e}");
                        }
                    }
                    Err(e) => eprintln!("{path}: {e}"),
                }
            }
        }
    }
    println!("| {n} patient figures, {threads} threads | wall time | mean size |");
    println!("| --- | --- | --- |");
    let formats: &[ImageFormat] = if png_only {
        &[ImageFormat::Png]
    } else {
        &[ImageFormat::Png, ImageFormat::Svg]
    };
    for &format in formats {
        let (s, bytes) = time(&plots, format, threads);
        println!(
            "| {format:?} | {s:.2} s ({:.1} ms per figure per thread) | {:.0} kB |",
            s * 1e3 * threads as f64 / n as f64,
            bytes as f64 / n as f64 / 1e3
        );
    }
}
