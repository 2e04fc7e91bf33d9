//! Embedding cartpk in a pipeline: read an assay CSV, run NCA and model fits on every
//! profile in parallel, and write one CSV row per profile with the headline metrics.
//!
//! Run: `cargo run --release -p cartpk-ck --example nca_and_fit_pipeline -- data/seed_cohort.csv out.csv`

use cartpk_ck::{fit_batch, FitOptions, Stein2019};
use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_nca::{nca_batch, LambdaZOverrides, NcaOptions};
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = match args.as_slice() {
        [_, i, o] => (i.as_str(), o.as_str()),
        _ => return Err("usage: nca_and_fit_pipeline INPUT.csv OUTPUT.csv".into()),
    };
    let data = read_path(Path::new(input), &IngestOptions::default())?;
    for r in &data.rejected {
        for e in &r.errors {
            eprintln!("skipped {}: {e}", r.key);
        }
    }
    // Both batches run on every core (rayon); results come back in profile order.
    let nca = nca_batch(
        &data.profiles,
        &NcaOptions::default(),
        &LambdaZOverrides::new(),
    );
    let fits = fit_batch(&Stein2019, &data.profiles, &FitOptions::default());

    let mut out = String::from("subject,matrix,assay,conc_unit,cmax,tmax_day,auc_0_28,half_life_day,fit_alpha_per_day,fit_beta_per_day,fit_converged\n");
    let na = |v: Option<f64>| v.map_or("NA".to_string(), |x| x.to_string());
    for ((p, n), f) in data.profiles.iter().zip(&nca).zip(&fits) {
        let n = n.as_ref().ok();
        let f = f.as_ref().ok();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            p.key.subject,
            p.key.matrix,
            p.key.assay,
            p.unit,
            na(n.and_then(|r| r.cmax)),
            na(n.and_then(|r| r.tmax)),
            na(n.and_then(|r| r.auc_0_28())),
            na(n.and_then(|r| r.half_life())),
            na(f.and_then(|r| r.estimate("alpha")).map(|e| e.value)),
            na(f.and_then(|r| r.estimate("beta")).map(|e| e.value)),
            f.is_some_and(|r| r.converged),
        )?;
    }
    std::fs::write(output, out)?;
    eprintln!("{} profiles -> {output}", data.profiles.len());
    Ok(())
}
