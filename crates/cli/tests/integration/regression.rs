//! One test per fixed bug, named for the bug, so that it stays fixed.
//!
//! Fixed bugs whose tests need the fixtures and helpers of `tests/cli.rs` live there:
//! `wrong_field_count_shows_the_row_as_written` (fields were run together in the message),
//! `wrong_field_count_rejects_the_profile_of_the_row` (a short row did not reject its
//! profile), `crlf_file_error_names_the_right_line` and
//! `row_after_a_blank_line_is_reported_on_its_own_line` (line numbers one too small),
//! `bad_flag_values_exit_with_the_usage_code` (bad flag values exited 1, not 2). The NCA
//! engine's: `lambda_z::tests::flat_tail_has_no_lambda_z` and the property
//! `flat_terminal_phase_has_no_lambda_z` (a flat tail gave lambda_z ~ 1e-32);
//! `auc::tests::pknca_worked_example` (a BLQ rule giving samples after Tlast a value made
//! AUCinf count the tail twice). The report's: `cohort::tests::landmarks_use_the_visit_window`
//! and `tissue_is_paired_with_blood_of_the_same_visit` (landmark and tissue tables matched
//! exact days only).

use crate::util::{cartpk, workspace_file};
use predicates::prelude::PredicateBooleanExt;

fn wide_row(
    dir: &std::path::Path,
    key: (&str, &str, &str),
) -> std::collections::HashMap<String, String> {
    let mut rdr = csv::Reader::from_path(dir.join("nca_wide.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if (&rec[0], &rec[1], &rec[2]) == key {
            return header
                .iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string))
                .collect();
        }
    }
    panic!("no row for {key:?}");
}

/// An all-BLQ profile reported AUCinf as NA; PKNCA 0.12.1 reports 0 for aucinf.obs and
/// aucinf.pred (source: crates/nca/tests/data/cart_small_pknca.csv, P00004 marrow qpcr).
#[test]
fn all_blq_profile_has_zero_aucinf_like_pknca() {
    let dir = tempfile::tempdir().unwrap();
    cartpk()
        .args(["nca", "--quiet", "--out"])
        .arg(dir.path())
        .arg(workspace_file("data/cart_cohort.csv"))
        .assert()
        .code(0);
    let row = wide_row(dir.path(), ("P00004", "marrow", "qpcr"));
    assert_eq!(row["cmax [conc_unit]"], "0");
    assert_eq!(row["tmax [day]"], "NA");
    assert_eq!(row["aucinf.obs [day*conc_unit]"], "0");
    assert_eq!(row["aucinf.pred [day*conc_unit]"], "0");
    assert_eq!(row["aucpext.obs [%]"], "NA");
    assert_eq!(row["aucint.last.0-28 [day*conc_unit]"], "0");
}

/// Result files were created 0600 (tempfile's default), unreadable by colleagues sharing
/// the results directory.
#[cfg(unix)]
#[test]
fn result_files_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    cartpk()
        .args(["nca", "--quiet", "--out"])
        .arg(dir.path())
        .arg(workspace_file("data/cart_cohort.csv"))
        .assert()
        .code(0);
    for f in ["nca_long.csv", "nca_wide.csv", "nca_errors.csv"] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "{f} mode {mode:o}");
    }
}

/// `cartpk run` once deleted a non-empty directory it had not written; then it refused
/// one. Outputs are now published as a set (output/publish.rs): files cartpk did not write
/// are kept and named, never deleted (issue 9); a file as --out is still refused.
#[test]
fn run_keeps_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.csv"), "keep me").unwrap();
    cartpk()
        .arg("run")
        .arg(workspace_file("data/cart_cohort.csv"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(
            predicates::str::contains("did not write")
                .and(predicates::str::contains("precious.csv")),
        );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious.csv")).unwrap(),
        "keep me"
    );
    assert!(dir.path().join("report.html").is_file());
    assert!(dir.path().join("run_manifest.json").is_file());
    // A file as --out is refused, and left as it was.
    let file = dir.path().join("precious.csv");
    cartpk()
        .arg("run")
        .arg(workspace_file("data/cart_cohort.csv"))
        .arg("--out")
        .arg(&file)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

/// Subjects whose identifiers differ only in characters a file name cannot hold (`A/1`,
/// `A_1`) overwrote each other's figure.
#[test]
fn patient_figures_of_similar_subject_ids_do_not_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ids.csv");
    let mut text = String::from("subject,matrix,assay,time,value,unit,lloq\n");
    for id in ["A/1", "A_1", "A 1"] {
        for (t, v) in [(0, "<50"), (7, "900"), (28, "300")] {
            text.push_str(&format!("{id},blood,qpcr,{t},{v},copies/ug,50\n"));
        }
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("plots");
    cartpk()
        .args(["plot", "--quiet", "--format", "svg", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .code(0);
    let mut names: Vec<String> = std::fs::read_dir(out.join("patients"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Ids that clean to the same text keep apart by a hash of the id (issue 10).
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"A_1.svg".to_string()), "{names:?}");
}
