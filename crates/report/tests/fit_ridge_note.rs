//! The Model fits section says how many estimates are the tie-break's point on a flat
//! likelihood ridge (docs/ck-model.md, Estimation, step 7), and says nothing when the
//! tie-break is off (`--ridge-tol 0`).

use cartpk_ck::FitWarning;
use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_report::html::render_html;
use cartpk_report::{analyse, Settings};

#[test]
fn model_fits_section_counts_the_estimates_moved_along_a_ridge() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/seed_cohort.csv");
    let data = read_path(&path, &IngestOptions::default()).unwrap();
    let report = analyse(&data, None, &Settings::default());
    let moved = report
        .fits
        .iter()
        .filter_map(|f| f.as_ref().and_then(|f| f.as_ref().ok()))
        .filter(|f| {
            f.warnings
                .iter()
                .any(|w| matches!(w, FitWarning::OnFlatRidge { .. }))
        })
        .inspect(|f| assert!(!f.reportable(), "a moved fit is never reportable"))
        .count();
    assert!(moved > 0, "the seed cohort has undetermined fits on ridges");
    let html = render_html(&report);
    let sentence = format!("<p>{moved} fits whose data do not determine every parameter");
    assert!(html.contains(&sentence), "no '{sentence}' in the report");

    let mut off = Settings::default();
    off.fit.ridge_tol = 0.0;
    let report = analyse(&data, None, &off);
    let html = render_html(&report);
    assert!(!html.contains("lie on a flat likelihood ridge"));
    assert!(html.contains("the optimum as found (tie-break off)"));
}
