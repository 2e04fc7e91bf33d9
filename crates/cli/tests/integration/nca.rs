//! `cartpk nca` end to end: good input, CDISC input, column mapping, every kind of bad
//! row, fatal errors, bad flags, atomic re-runs, lambda_z overrides and dose
//! normalisation. Inputs are the fixtures in `tests/fixtures/` (a good profile `G01` and,
//! where a row is bad, a profile `B01` holding it) or the NCA crate's reference data.

use crate::util::{cartpk, fixture, workspace_file};
use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn cart_small() -> PathBuf {
    workspace_file("crates/nca/tests/data/cart_small.csv")
}

/// `cartpk nca INPUT --out OUT ARGS...`
fn nca(input: &Path, out: &Path, args: &[&str]) -> Command {
    let mut cmd = cartpk();
    cmd.arg("nca").arg(input).arg("--out").arg(out).args(args);
    cmd
}

/// A CSV file as a header and records of strings.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let records = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, records)
}

/// The `(subject, matrix, assay)` of every row of `nca_wide.csv`.
fn wide_keys(dir: &Path) -> Vec<(String, String, String)> {
    let (_, rows) = read_csv(&dir.join("nca_wide.csv"));
    rows.into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect()
}

fn has_profile(dir: &Path, key: (&str, &str, &str)) -> bool {
    wide_keys(dir)
        .iter()
        .any(|(s, m, a)| (s.as_str(), m.as_str(), a.as_str()) == key)
}

/// One row of `nca_wide.csv` as `column -> value`.
fn wide_row(dir: &Path, key: (&str, &str, &str)) -> HashMap<String, String> {
    let (header, rows) = read_csv(&dir.join("nca_wide.csv"));
    let row = rows
        .into_iter()
        .find(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()) == key)
        .unwrap_or_else(|| panic!("no row for {key:?} in nca_wide.csv"));
    header.into_iter().zip(row).collect()
}

fn num(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("expected a number, found '{text}'"))
}

fn assert_rel(actual: f64, expected: f64, rel: f64) {
    let err = ((actual - expected) / expected).abs();
    assert!(
        err <= rel,
        "{actual} vs {expected}: relative error {err:e} > {rel:e}"
    );
}

// ---------------------------------------------------------------------------------------
// 1. Good input
// ---------------------------------------------------------------------------------------

#[test]
fn good_input_exits_0_and_writes_the_three_csv_files() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    for f in ["nca_long.csv", "nca_wide.csv", "nca_errors.csv"] {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    let (_, errors) = read_csv(&out.path().join("nca_errors.csv"));
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn good_input_wide_has_one_row_per_profile_and_units_in_the_header() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    let (header, rows) = read_csv(&out.path().join("nca_wide.csv"));
    assert_eq!(rows.len(), 80);
    assert_eq!(
        &header[..6],
        [
            "subject",
            "matrix",
            "assay",
            "conc_unit",
            "dose",
            "dose_unit"
        ]
    );
    for col in [
        "cmax [conc_unit]",
        "tmax [day]",
        "aucint.last.0-28 [day*conc_unit]",
        "aucint.last.0-84 [day*conc_unit]",
        "half.life [day]",
    ] {
        assert!(header.iter().any(|h| h == col), "no '{col}' in {header:?}");
    }
    // No dose given: no dose-normalised columns.
    assert!(!header.iter().any(|h| h.starts_with("cmax.dn")));
}

#[test]
fn good_input_matches_pknca_auclast() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    let row = wide_row(out.path(), ("P00001", "blood", "qpcr"));
    // Source: crates/nca/tests/data/cart_small_pknca.csv (PKNCA, lin up/log down),
    // row "P00001","blood","qpcr": auclast 57748.1707540709, cmax 6177.47, tmax 11,
    // aucint.last.0-28 32227.1227851553.
    assert_rel(num(&row["auclast [day*conc_unit]"]), 57748.1707540709, 1e-6);
    assert_rel(
        num(&row["aucint.last.0-28 [day*conc_unit]"]),
        32227.1227851553,
        1e-6,
    );
    assert_eq!(num(&row["cmax [conc_unit]"]), 6177.47);
    assert_eq!(num(&row["tmax [day]"]), 11.0);
    assert_eq!(row["conc_unit"], "copies/ug");
}

#[test]
fn good_input_long_csv_has_its_columns_and_cdisc_codes() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    let (header, rows) = read_csv(&out.path().join("nca_long.csv"));
    assert_eq!(
        header,
        [
            "subject",
            "matrix",
            "assay",
            "parameter",
            "pptestcd",
            "interval_start_day",
            "interval_end_day",
            "value",
            "unit",
            "warnings"
        ]
    );
    for code in ["CMAX", "LAMZHL", "AUCINT"] {
        assert!(rows.iter().any(|r| r[4] == code), "no {code} row");
    }
    let auc28 = rows
        .iter()
        .find(|r| {
            r[..3] == ["P00001", "blood", "qpcr"] && r[4] == "AUCINT" && r[5] == "0" && r[6] == "28"
        })
        .expect("AUCINT 0-28 of P00001 blood qpcr");
    assert_eq!(auc28[8], "day*copies/ug");
}

#[test]
fn format_json_writes_nca_json_that_parses() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet", "--format", "json"])
        .assert()
        .code(0);
    assert!(!out.path().join("nca_wide.csv").exists());
    let text = std::fs::read_to_string(out.path().join("nca.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let profiles = json["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 80);
    assert!(json["failures"].as_array().unwrap().is_empty());
    let p = profiles
        .iter()
        .find(|p| p["subject"] == "P00001" && p["matrix"] == "blood" && p["assay"] == "qpcr")
        .unwrap();
    let cmax = p["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["pptestcd"] == "CMAX")
        .unwrap();
    assert_eq!(cmax["value"].as_f64(), Some(6177.47));
    assert_eq!(cmax["unit"], "copies/ug");
}

// ---------------------------------------------------------------------------------------
// 2. CDISC input
// ---------------------------------------------------------------------------------------

#[test]
fn cdisc_adpc_input_is_read_with_hours_converted_to_days() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("cdisc_adpc.csv"), out.path(), &["--quiet"])
        .assert()
        .code(0);
    // PCSPEC "PERIPHERAL BLOOD" / "BONE MARROW" and PARAMCD "TRANSGENE" are normalised.
    assert_eq!(
        wide_keys(out.path()),
        [
            ("S1-001".into(), "blood".into(), "qpcr".into()),
            ("S1-001".into(), "marrow".into(), "qpcr".into())
        ]
    );
    let blood = wide_row(out.path(), ("S1-001", "blood", "qpcr"));
    // Peak at AFRLT 168 h = day 7; last quantifiable at 1344 h = day 56.
    assert_eq!(num(&blood["tmax [day]"]), 7.0);
    assert_eq!(num(&blood["tlast [day]"]), 56.0);
    assert_eq!(num(&blood["cmax [conc_unit]"]), 4000.0);
    // AVAL empty with AVALC "<50" at 0 h and "BLQ" at 2016 h: both BLQ.
    assert_eq!(num(&blood["n.blq [count]"]), 2.0);
    assert_eq!(num(&blood["n.quant [count]"]), 6.0);
    let marrow = wide_row(out.path(), ("S1-001", "marrow", "qpcr"));
    assert_eq!(num(&marrow["tmax [day]"]), 28.0);
}

// ---------------------------------------------------------------------------------------
// 3. --columns
// ---------------------------------------------------------------------------------------

#[test]
fn nonstandard_column_names_need_a_mapping() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("custom_columns.csv"), out.path(), &[])
        .assert()
        .code(1)
        .stderr(contains("no subject column").and(contains("--columns subject=NAME")));
}

#[test]
fn columns_mapping_reads_nonstandard_names() {
    let out = tempfile::tempdir().unwrap();
    nca(
        &fixture("custom_columns.csv"),
        out.path(),
        &[
            "--quiet",
            "--columns",
            "subject=PATID,matrix=SITE,assay=METHOD_X",
            "--columns",
            "time=STUDY_DAY,value=RESULT,unit=RESULT_UNIT",
        ],
    )
    .assert()
    .code(0);
    let row = wide_row(out.path(), ("X1", "blood", "qpcr"));
    assert_eq!(num(&row["cmax [conc_unit]"]), 5000.0);
    assert_eq!(num(&row["tmax [day]"]), 14.0);
}

#[test]
fn columns_unknown_role_is_refused_naming_the_roles() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--columns", "colour=x"])
        .assert()
        .failure()
        .stderr(
            contains("--columns")
                .and(contains("unknown column role 'colour'"))
                .and(contains("expected one of subject, matrix, assay, time")),
        );
    assert!(!out.path().join("nca_wide.csv").exists());
}

#[test]
fn columns_mapping_to_an_absent_column_lists_the_header() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--columns", "subject=PATID"])
        .assert()
        .code(1)
        .stderr(
            contains("cart_small.csv:1: no subject column (looked for 'PATID' (from --columns)")
                .and(contains("subject, matrix, assay, time, value, unit, lloq")),
        );
}

// ---------------------------------------------------------------------------------------
// 4. Bad rows: the profile holding one is skipped, the others are analysed, exit 3.
// ---------------------------------------------------------------------------------------

/// What a bad row's error must say.
struct BadRow<'a> {
    fixture: &'a str,
    line: u64,
    /// `(1-based index, header name)` of the offending cell.
    column: Option<(usize, &'a str)>,
    /// The offending text, as found.
    text: &'a str,
    /// Whether profile B01 is skipped (false when the row cannot be attributed to it).
    b01_skipped: bool,
}

/// Runs `cartpk nca` on a fixture with one bad row and checks the exit code, stderr,
/// `nca_errors.csv` and that the good profile G01 is still analysed.
fn check_bad_row(bad: BadRow<'_>) {
    let out = tempfile::tempdir().unwrap();
    let input = fixture(bad.fixture);
    let assert = nca(&input, out.path(), &[]).assert().code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();

    // stderr: `file:line:col: column 'name': ..., found 'text'`.
    let location = match bad.column {
        Some((index, name)) => format!(
            "{}:{}:{index}: column '{name}': ",
            input.display(),
            bad.line
        ),
        None => format!("{}:{}: ", input.display(), bad.line),
    };
    assert!(
        stderr.contains(&format!("error: {location}")),
        "stderr lacks '{location}':\n{stderr}"
    );
    let found = format!("found '{}'", bad.text);
    assert!(stderr.contains(&found), "stderr lacks {found}:\n{stderr}");

    // nca_errors.csv: file, line, column, subject, matrix, assay, message.
    let (header, errors) = read_csv(&out.path().join("nca_errors.csv"));
    assert_eq!(
        header,
        ["file", "line", "column", "subject", "matrix", "assay", "message"]
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e[0], input.display().to_string());
    assert_eq!(e[1], bad.line.to_string());
    assert_eq!(e[2], bad.column.map_or("", |c| c.1));
    assert!(e[6].contains(&location), "{e:?}");
    assert!(e[6].contains(&found), "{e:?}");
    if bad.b01_skipped {
        assert_eq!(e[3..6], ["B01", "blood", "qpcr"]);
    }

    assert!(has_profile(out.path(), ("G01", "blood", "qpcr")));
    assert_eq!(
        has_profile(out.path(), ("B01", "blood", "qpcr")),
        !bad.b01_skipped
    );
    assert!(
        stderr.contains("1 profiles analysed") == bad.b01_skipped,
        "{stderr}"
    );
}

#[test]
fn non_numeric_time_skips_its_profile() {
    check_bad_row(BadRow {
        fixture: "bad_time_text.csv",
        line: 10,
        column: Some((4, "time")),
        text: "abc",
        b01_skipped: true,
    });
}

/// Issue 9: a negative time is a baseline (pre-infusion) sample, kept; never a reason to
/// skip the profile.
#[test]
fn negative_time_is_a_baseline_sample() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("bad_time_negative.csv"), out.path(), &[])
        .assert()
        .success()
        .stderr(contains("1 baseline sample(s)"));
}

#[test]
fn negative_value_skips_its_profile() {
    check_bad_row(BadRow {
        fixture: "bad_value_negative.csv",
        line: 10,
        column: Some((5, "value")),
        text: "-900",
        b01_skipped: true,
    });
}

/// Issue 9: an unknown result code makes that one sample missing, named with file and
/// line, and never skips the profile.
#[test]
fn unknown_result_code_is_one_missing_sample() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("bad_value_text.csv");
    nca(&input, out.path(), &[])
        .assert()
        .success()
        .stderr(contains(format!(
            "1 unknown result code(s) taken as missing: {}:10:5 (value) 'n.d.x'",
            input.display()
        )));
}

#[test]
fn unknown_time_unit_skips_its_profile() {
    check_bad_row(BadRow {
        fixture: "bad_time_unit.csv",
        line: 10,
        column: Some((5, "time_unit")),
        text: "fortnights",
        b01_skipped: true,
    });
}

#[test]
fn mixed_time_units_in_a_profile_skip_it() {
    check_bad_row(BadRow {
        fixture: "mixed_time_units.csv",
        line: 10,
        column: Some((5, "time_unit")),
        text: "hours",
        b01_skipped: true,
    });
}

#[test]
fn mixed_time_units_message_names_the_first_units_line() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("mixed_time_units.csv"), out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains(
            "expected one time unit per profile; line 9 uses 'day'",
        ));
}

#[test]
fn mixed_value_units_in_a_profile_skip_it() {
    check_bad_row(BadRow {
        fixture: "mixed_units.csv",
        line: 11,
        column: Some((6, "unit")),
        text: "cells/uL",
        b01_skipped: true,
    });
}

#[test]
fn mixed_value_units_message_names_the_first_units_line() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("mixed_units.csv"), out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains(
            "expected one unit per profile; line 9 uses 'copies/ug'",
        ));
}

#[test]
fn duplicate_times_with_different_values_skip_the_profile() {
    check_bad_row(BadRow {
        fixture: "duplicate_time.csv",
        line: 11,
        column: Some((4, "time")),
        text: "950",
        b01_skipped: true,
    });
}

#[test]
fn duplicate_time_message_names_the_other_line_and_value() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("duplicate_time.csv"), out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains("line 10 has '900' at the same time"));
}

#[test]
fn wrong_field_count_is_reported_with_file_and_line() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("wrong_field_count.csv");
    nca(&input, out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains(format!(
            "error: {}:10: expected 7 fields as in the header, the row has 6",
            input.display()
        )));
    let (_, errors) = read_csv(&out.path().join("nca_errors.csv"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0][..3],
        [input.display().to_string(), "10".into(), "".into()]
    );
    assert!(has_profile(out.path(), ("G01", "blood", "qpcr")));
}

#[test]

fn wrong_field_count_shows_the_row_as_written() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("wrong_field_count.csv"), out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains("found 'B01,blood,qpcr,7,900,copies/ug'"));
    let (_, errors) = read_csv(&out.path().join("nca_errors.csv"));
    assert!(
        errors[0][6].contains("found 'B01,blood,qpcr,7,900,copies/ug'"),
        "{errors:?}"
    );
}

#[test]

fn wrong_field_count_rejects_the_profile_of_the_row() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("wrong_field_count.csv"), out.path(), &["--quiet"])
        .assert()
        .code(3);
    assert!(has_profile(out.path(), ("G01", "blood", "qpcr")));
    assert!(!has_profile(out.path(), ("B01", "blood", "qpcr")));
    let (_, errors) = read_csv(&out.path().join("nca_errors.csv"));
    assert_eq!(errors[0][3..6], ["B01", "blood", "qpcr"]);
}

#[test]
fn empty_subject_is_reported_and_other_profiles_analysed() {
    // The row cannot be attributed to a profile, so B01 keeps its other rows.
    check_bad_row(BadRow {
        fixture: "empty_subject.csv",
        line: 10,
        column: Some((1, "subject")),
        text: "",
        b01_skipped: false,
    });
}

#[test]
fn empty_subject_message_says_what_was_expected() {
    let out = tempfile::tempdir().unwrap();
    nca(&fixture("empty_subject.csv"), out.path(), &[])
        .assert()
        .code(3)
        .stderr(contains("expected a non-empty subject"));
}

/// Writes `G01` (fine) and `B01` (day 7 not a number) with `eol` line ends and, if
/// `blank`, an empty line just before the B01 row; the bad cell is on line 4 of the file
/// (5 with the blank line).
fn write_line_end_fixture(dir: &Path, name: &str, eol: &str, blank: bool) -> PathBuf {
    let mut text = format!("subject,matrix,assay,time,value,unit{eol}");
    text.push_str(&format!("G01,blood,qpcr,0,100,copies/ug{eol}"));
    text.push_str(&format!("G01,blood,qpcr,7,50,copies/ug{eol}"));
    if blank {
        text.push_str(eol);
    }
    text.push_str(&format!("B01,blood,qpcr,x7,900,copies/ug{eol}"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn lf_file_error_names_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_line_end_fixture(dir.path(), "lf.csv", "\n", false);
    nca(&input, &dir.path().join("out"), &[])
        .assert()
        .code(3)
        .stderr(contains(format!("{}:4:4: column 'time'", input.display())));
}

#[test]

fn crlf_file_error_names_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_line_end_fixture(dir.path(), "crlf.csv", "\r\n", false);
    nca(&input, &dir.path().join("out"), &[])
        .assert()
        .code(3)
        .stderr(contains(format!("{}:4:4: column 'time'", input.display())));
}

#[test]

fn row_after_a_blank_line_is_reported_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_line_end_fixture(dir.path(), "blank.csv", "\n", true);
    nca(&input, &dir.path().join("out"), &[])
        .assert()
        .code(3)
        .stderr(contains(format!("{}:5:4: column 'time'", input.display())));
}

// ---------------------------------------------------------------------------------------
// 5. Fatal errors: exit 1, nothing analysed, the message names the file.
// ---------------------------------------------------------------------------------------

#[test]
fn missing_input_file_is_fatal() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("no_such_file.csv");
    nca(&input, &out.path().join("res"), &[])
        .assert()
        .code(1)
        .stderr(contains(format!("{}: cannot read", input.display())));
    assert!(!out.path().join("res").exists());
}

#[test]
fn missing_required_column_is_fatal_and_lists_the_header() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("missing_assay_column.csv");
    nca(&input, &out.path().join("res"), &[])
        .assert()
        .code(1)
        .stderr(
            contains(format!("{}:1: no assay column", input.display())).and(contains(
                "the header has: subject, matrix, time, value, unit",
            )),
        );
    assert!(!out.path().join("res").exists());
}

#[test]
fn empty_file_is_fatal() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("empty.csv");
    nca(&input, &out.path().join("res"), &[])
        .assert()
        .code(1)
        .stderr(contains(format!("{}: empty file", input.display())));
    assert!(!out.path().join("res").exists());
}

// ---------------------------------------------------------------------------------------
// 6. Bad flags: refused before anything is read or written, naming the flag.
// ---------------------------------------------------------------------------------------

fn check_bad_flag(args: &[&str], message: &str) {
    let out = tempfile::tempdir().unwrap();
    let res = out.path().join("res");
    nca(&cart_small(), &res, args)
        .assert()
        .failure()
        .code(predicate::ne(3))
        .stderr(contains(message));
    assert!(!res.exists(), "{args:?} created the output directory");
}

#[test]
fn bad_auc_method_is_refused() {
    check_bad_flag(
        &["--auc-method", "nonsense"],
        "--auc-method: unknown AUC method 'nonsense'",
    );
}

#[test]
fn reversed_interval_is_refused() {
    check_bad_flag(&["--interval", "28-0"], "--interval: expected an interval");
}

#[test]
fn bad_blq_rule_is_refused() {
    check_bad_flag(
        &["--blq-between", "nonsense"],
        "--blq-between: unknown BLQ rule 'nonsense'",
    );
}

#[test]
fn bad_time_unit_flag_is_refused() {
    check_bad_flag(
        &["--time-unit", "months"],
        "--time-unit: unknown time unit 'months'",
    );
}

#[test]
fn bad_format_is_a_clap_usage_error() {
    check_bad_flag(&["--format", "xml"], "'--format <FORMAT>'");
}

#[test]

fn bad_flag_values_exit_with_the_usage_code() {
    for args in [
        ["--auc-method", "nonsense"],
        ["--interval", "28-0"],
        ["--blq-between", "nonsense"],
        ["--time-unit", "months"],
        ["--columns", "colour=x"],
    ] {
        let out = tempfile::tempdir().unwrap();
        nca(&cart_small(), out.path(), &args).assert().code(2);
    }
}

// ---------------------------------------------------------------------------------------
// 7. Atomic re-runs
// ---------------------------------------------------------------------------------------

#[test]
fn rerun_replaces_files_and_leaves_no_temporary_files() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    let first = std::fs::read(out.path().join("nca_wide.csv")).unwrap();
    std::fs::write(out.path().join("nca_wide.csv"), "stale\n").unwrap();
    std::fs::write(out.path().join("nca_long.csv"), "stale\n").unwrap();
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read(out.path().join("nca_wide.csv")).unwrap(),
        first
    );
    let long = std::fs::read_to_string(out.path().join("nca_long.csv")).unwrap();
    assert!(long.starts_with("subject,matrix,assay,parameter,"));
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The tables and the manifest of the set (output/publish.rs), no temporary file.
    assert_eq!(
        names,
        [
            "nca_errors.csv",
            "nca_long.csv",
            "nca_manifest.json",
            "nca_wide.csv"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// 8. Lambda_z overrides
// ---------------------------------------------------------------------------------------

#[test]
fn lambda_z_override_sets_the_fit_window() {
    let out = tempfile::tempdir().unwrap();
    let overrides = fixture("lz_override.csv");
    let overrides = overrides.to_str().unwrap();
    // Without the override PKNCA picks 14-168 (cart_small_pknca.csv, lambda.z.time.first).
    nca(&cart_small(), out.path(), &["--quiet"])
        .assert()
        .code(0);
    let row = wide_row(out.path(), ("P00001", "blood", "qpcr"));
    assert_eq!(num(&row["lambda.z.time.first [day]"]), 14.0);

    nca(
        &cart_small(),
        out.path(),
        &["--quiet", "--lambda-z-overrides", overrides],
    )
    .assert()
    .code(0);
    let row = wide_row(out.path(), ("P00001", "blood", "qpcr"));
    assert_eq!(num(&row["lambda.z.time.first [day]"]), 56.0);
    assert_eq!(num(&row["lambda.z.time.last [day]"]), 168.0);
    // Days 56, 84, 112 and 168.
    assert_eq!(num(&row["lambda.z.n.points [count]"]), 4.0);
    // Other profiles keep the automatic choice.
    let other = wide_row(out.path(), ("P00001", "blood", "flow"));
    assert_eq!(num(&other["lambda.z.time.first [day]"]), 168.0);
}

#[test]
fn lambda_z_override_for_an_absent_profile_warns_and_exits_3() {
    let out = tempfile::tempdir().unwrap();
    let overrides = fixture("lz_override_unknown_profile.csv");
    nca(
        &cart_small(),
        out.path(),
        &[
            "--quiet",
            "--lambda-z-overrides",
            overrides.to_str().unwrap(),
        ],
    )
    .assert()
    .code(3)
    .stderr(contains(
        "error: lambda_z override for P99999/blood/qpcr matches no profile",
    ));
    // It is in the errors table too, so that exit code 3 and nca_errors.csv agree.
    let errors = std::fs::read_to_string(out.path().join("nca_errors.csv")).unwrap();
    assert!(errors.contains("lambda_z override for P99999/blood/qpcr matches no profile"));
    // The override that matches still applies.
    let row = wide_row(out.path(), ("P00001", "blood", "qpcr"));
    assert_eq!(num(&row["lambda.z.time.first [day]"]), 56.0);
}

#[test]
fn malformed_lambda_z_override_file_is_fatal_naming_file_and_line() {
    let out = tempfile::tempdir().unwrap();
    let overrides = fixture("lz_override_end_before_start.csv");
    nca(
        &cart_small(),
        &out.path().join("res"),
        &["--lambda-z-overrides", overrides.to_str().unwrap()],
    )
    .assert()
    .code(1)
    .stderr(
        contains(format!("{}:3:5: column 'end'", overrides.display())).and(contains(
            "expected an end after the start (168), found '56'",
        )),
    );
    assert!(!out.path().join("res").exists());
}

// ---------------------------------------------------------------------------------------
// 9. Dose normalisation
// ---------------------------------------------------------------------------------------

#[test]
fn dose_adds_dose_normalised_columns() {
    let out = tempfile::tempdir().unwrap();
    nca(&cart_small(), out.path(), &["--quiet", "--dose", "5e7"])
        .assert()
        .code(0);
    let row = wide_row(out.path(), ("P00001", "blood", "qpcr"));
    assert_eq!(num(&row["dose"]), 5e7);
    assert_eq!(row["dose_unit"], "cells");
    let cmax = num(&row["cmax [conc_unit]"]);
    assert_rel(
        num(&row["cmax.dn [conc_unit/dose_unit]"]),
        cmax / 5e7,
        1e-12,
    );
    assert!(row.contains_key("auclast.dn [day*conc_unit/dose_unit]"));
    assert!(row.contains_key("aucint.last.dn.0-28 [day*conc_unit/dose_unit]"));
    let (_, long) = read_csv(&out.path().join("nca_long.csv"));
    let cmaxd = long
        .iter()
        .find(|r| r[..3] == ["P00001", "blood", "qpcr"] && r[4] == "CMAXD")
        .expect("CMAXD row");
    assert_eq!(cmaxd[8], "copies/ug/cells");
}
