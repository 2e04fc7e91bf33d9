//! The report of `cartpk run`, built from Rust without the command line: read the example
//! cohort, analyse it with the default settings (changing one acceptance criterion, as a
//! pipeline would), and write every output file under a directory.
//!
//! ```text
//! cargo run --release -p cartpk-report --example report_from_rust -- data/seed_cohort.csv data/seed_cohort_subjects.csv results_rust
//! ```

use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_core::SubjectsTable;
use cartpk_report::{analyse, Provenance, Settings};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = PathBuf::from(args.next().unwrap_or_else(|| "data/seed_cohort.csv".into()));
    let subjects = args.next().map(PathBuf::from);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "results_rust".into()));

    let data = read_path(&input, &IngestOptions::default())?;
    let subjects = subjects
        .as_deref()
        .map(|p| SubjectsTable::read(p, b','))
        .transpose()?;

    let mut settings = Settings::default();
    // A stricter terminal-phase criterion than the default 0.8, as a study's SAP may ask.
    settings.criteria.min_adj_r_squared = 0.9;

    let mut report = analyse(&data, subjects.as_ref(), &settings);
    report.provenance = Provenance::now("examples/report_from_rust.rs")
        .with_input(&data.source, &std::fs::read(&input)?);

    for (path, bytes) in report.files()? {
        let path = out.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)?;
    }
    let excluded: usize = report
        .summary
        .iter()
        .filter(|r| r.group == "all")
        .map(|r| r.n_excluded)
        .sum();
    println!(
        "{} subjects, {} profiles, {} summary rows ({} estimates excluded), {} warnings; wrote {}",
        report.n_subjects,
        report.profiles.len(),
        report.summary.len(),
        excluded,
        report.warnings.len(),
        out.join("report.html").display()
    );
    Ok(())
}
