//! Regression (found by a review of arithmetic on counts, 2026-12-04): the report's table
//! of individual estimates showed "quantified obs" as `n_obs - n_blq`. Under M1 `n_obs`
//! already leaves the BLQ samples out, so a profile with more BLQ than quantified samples
//! underflowed (a panic in debug builds, 18446744073709551615 in release) and any M1 fit
//! showed too few. The column is `n_quantified`.

use cartpk_ck::BlqMethod;
use cartpk_core::ingest::{read_bytes, IngestOptions};
use cartpk_report::html::render_html;
use cartpk_report::{analyse, Settings};

#[test]
fn m1_fit_with_more_blq_than_quantified_samples_reports_its_quantified_count() {
    // Nine quantified samples over the expansion and contraction (a Stein-like curve), then
    // ten BLQ samples over the persistence phase.
    let mut csv = String::from("subject,matrix,assay,time,value,unit,lloq\n");
    let quantified = [
        (1.0, 900.0),
        (4.0, 6000.0),
        (7.0, 30000.0),
        (11.0, 52000.0),
        (14.0, 31000.0),
        (21.0, 9000.0),
        (28.0, 3000.0),
        (56.0, 700.0),
        (84.0, 260.0),
    ];
    for (t, v) in quantified {
        csv.push_str(&format!("P1,blood,qpcr,{t},{v},copies/ug,200\n"));
    }
    for t in [112, 140, 168, 196, 224, 252, 280, 308, 336, 365] {
        csv.push_str(&format!("P1,blood,qpcr,{t},<200,copies/ug,200\n"));
    }
    let data = read_bytes(csv.as_bytes(), "m1.csv", &IngestOptions::default()).unwrap();
    let mut settings = Settings::default();
    settings.fit.blq = BlqMethod::M1;
    let report = analyse(&data, None, &settings);
    let fit = report.fits[0]
        .as_ref()
        .expect("a rich profile is fitted")
        .as_ref()
        .expect("the fit succeeds");
    assert_eq!((fit.n_quantified, fit.n_blq, fit.n_obs), (9, 10, 9));
    let html = render_html(&report);
    let row = format!(">{} / {}<", 9, fit.n_params);
    assert!(html.contains(&row), "no cell {row} in the estimates table");
}
