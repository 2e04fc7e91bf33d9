//! Reproduces every number PKNCA 0.12.1 (R) computed for the bundled reference inputs,
//! to 1e-6 relative.
//!
//! Source of the expected values: `tests/data/*_pknca*.csv`, copied from the project's
//! `shared/reference/` (PKNCA 0.12.1; see its README for how they were made): Theoph (R's
//! classic data set, time in hours) and a simulated 20-patient CAR-T cohort (days), each
//! with `auc.method` "lin up/log down" and "linear". Intervals: [0, Inf) for the
//! single-value parameters, [0, 28] and [0, 84] for `aucint.last`.
//!
//! The NCA engine does not care about the time unit, so Theoph is read with its hours
//! declared as the time unit of the computation and compared as is.

use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_core::TimeUnit;
use cartpk_nca::{nca_batch, AucMethod, LambdaZOverrides, NcaOptions, NcaResult, StartImpute};
use std::collections::HashMap;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn value_of(r: &NcaResult, column: &str) -> Option<f64> {
    let fit = r.lambda_z;
    match column {
        "auclast" => r.auclast,
        "cmax" => r.cmax,
        "tmax" => r.tmax,
        "tlast" => r.tlast,
        "tfirst" => r.tfirst,
        "clast.obs" => r.clast_obs,
        "lambda.z" => fit.map(|f| f.lambda_z),
        "r.squared" => fit.map(|f| f.r_squared),
        "adj.r.squared" => fit.map(|f| f.adj_r_squared),
        "lambda.z.time.first" => fit.map(|f| f.time_first),
        "lambda.z.time.last" => fit.map(|f| f.time_last),
        "lambda.z.n.points" => fit.map(|f| f.n_points as f64),
        "clast.pred" => r.clast_pred,
        "half.life" => fit.map(|f| f.half_life()),
        "span.ratio" => fit.map(|f| f.span_ratio()),
        "aucinf.obs" => r.aucinf_obs,
        "aucinf.pred" => r.aucinf_pred,
        "aucpext.obs" => r.aucpext_obs,
        "aucint.last.0-28" => r.auc_over(0.0, 28.0),
        "aucint.last.0-84" => r.auc_over(0.0, 84.0),
        other => panic!("reference column {other} is not mapped"),
    }
}

/// Compares all profiles of `input` with PKNCA's `expected`; returns the number of values
/// compared.
/// As [`check`] with any options; returns (values compared, mismatches).
fn check_with(input: &str, expected: &str, options: &NcaOptions) -> (usize, Vec<String>) {
    let ingest = IngestOptions {
        time_unit: Some(TimeUnit::Days),
        ..IngestOptions::default()
    };
    let ds = read_path(&data(input), &ingest).expect("reference input reads");
    assert!(
        !ds.has_errors(),
        "reference input has errors: {:?}",
        ds.rejected
    );
    let results = nca_batch(&ds.profiles, options, &LambdaZOverrides::new());
    let by_key: HashMap<(String, String, String), &NcaResult> = ds
        .profiles
        .iter()
        .zip(&results)
        .map(|(p, r)| {
            let k = (
                p.key.subject.clone(),
                p.key.matrix.label().to_string(),
                p.key.assay.label().to_string(),
            );
            (k, r.as_ref().expect("reference profile computes"))
        })
        .collect();

    let mut rdr = csv::Reader::from_path(data(expected)).unwrap();
    let header = rdr.headers().unwrap().clone();
    let mut compared = 0;
    let mut failures = Vec::new();
    let mut rows = 0;
    for row in rdr.records() {
        let row = row.unwrap();
        rows += 1;
        let key = (row[0].to_string(), row[1].to_string(), row[2].to_string());
        let r = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("no cartpk result for {key:?}"));
        for (col, text) in header.iter().zip(row.iter()).skip(3) {
            let got = value_of(r, col);
            let want = if text == "NA" {
                None
            } else {
                Some(text.parse::<f64>().unwrap())
            };
            let ok = match (got, want) {
                (None, None) => true,
                (Some(g), Some(w)) => (g - w).abs() <= 1e-6 * w.abs().max(1e-12),
                _ => false,
            };
            compared += 1;
            if !ok {
                failures.push(format!("{key:?} {col}: cartpk {got:?}, PKNCA {want:?}"));
            }
        }
    }
    assert_eq!(
        rows,
        by_key.len(),
        "{expected}: PKNCA and cartpk profile counts differ"
    );
    (compared, failures)
}

fn assert_matches(input: &str, expected: &str, method: AucMethod) -> usize {
    let options = NcaOptions {
        auc_method: method,
        ..NcaOptions::pknca()
    };
    let (compared, failures) = check_with(input, expected, &options);
    assert!(
        failures.is_empty(),
        "{} mismatches in {expected}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    compared
}

/// The cartpk default start rule (`start_conc0`) gives the same numbers on the CAR-T
/// reference set: every profile has a BLQ sample at day 0, which is already 0.
#[test]
fn cart_small_default_start_conc0_matches_pknca() {
    for (expected, method) in [
        ("cart_small_pknca.csv", AucMethod::LinUpLogDown),
        ("cart_small_pknca_linear.csv", AucMethod::Linear),
    ] {
        let options = NcaOptions {
            auc_method: method,
            ..NcaOptions::default()
        };
        assert_eq!(options.start, StartImpute::Conc0);
        let (compared, failures) = check_with("cart_small.csv", expected, &options);
        assert_eq!(compared, 80 * 20);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// Theoph has a positive pre-dose concentration at time 0: `start_conc0` replaces it by 0
/// and so changes the AUCs, which is why the reference runs with PKNCA's own `none`.
#[test]
fn theoph_differs_under_start_conc0_only_in_auc() {
    let options = NcaOptions::default();
    let (_, failures) = check_with("theoph.csv", "theoph_pknca_linuplogdown.csv", &options);
    assert!(!failures.is_empty());
    assert!(
        failures.iter().all(|f| f.contains(" auc")),
        "only AUC-based values may differ: {failures:?}"
    );
}

#[test]
fn theoph_lin_up_log_down_matches_pknca() {
    assert_eq!(
        assert_matches(
            "theoph.csv",
            "theoph_pknca_linuplogdown.csv",
            AucMethod::LinUpLogDown
        ),
        12 * 20
    );
}

#[test]
fn theoph_linear_matches_pknca() {
    assert_eq!(
        assert_matches("theoph.csv", "theoph_pknca_linear.csv", AucMethod::Linear),
        12 * 20
    );
}

#[test]
fn cart_small_lin_up_log_down_matches_pknca() {
    assert_eq!(
        assert_matches(
            "cart_small.csv",
            "cart_small_pknca.csv",
            AucMethod::LinUpLogDown
        ),
        80 * 20
    );
}

#[test]
fn cart_small_linear_matches_pknca() {
    assert_eq!(
        assert_matches(
            "cart_small.csv",
            "cart_small_pknca_linear.csv",
            AucMethod::Linear
        ),
        80 * 20
    );
}
