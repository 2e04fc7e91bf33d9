//! Issue 9, data in: real lab exports read with flags only give the clean file's NCA
//! numbers, and the ingestion defects found by mutation testing stay fixed. Fixtures are
//! written by `data/make_lab_exports.py` from `data/cart_cohort.csv` (= the PKNCA reference
//! cohort `crates/nca/tests/data/cart_small.csv`, whose numbers `cartpk nca` reproduces to
//! 1e-6, see `crates/nca/tests/pknca_reference.rs`).

use crate::util::cartpk;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
}

type Long = BTreeMap<(String, String, String, String, String), (String, String)>;

/// The long table written in `dir`.
fn long_table(dir: &Path) -> Long {
    let mut rdr = csv::Reader::from_path(dir.join("nca_long.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (s, m, a, p, ie) = (
        col("subject"),
        col("matrix"),
        col("assay"),
        col("parameter"),
        col("interval_end_day"),
    );
    let (v, w) = (col("value"), col("warnings"));
    let mut table = Long::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let key = (
            r[s].to_string(),
            r[m].to_string(),
            r[a].to_string(),
            r[p].to_string(),
            r[ie].to_string(),
        );
        table.insert(key, (r[v].to_string(), r[w].to_string()));
    }
    table
}

/// `cartpk nca` on `input` with `flags`; the long table keyed by profile, parameter and
/// interval, with (value, warnings).
fn nca(input: &Path, flags: &[&str], dir: &Path) -> (Long, String) {
    let out = cartpk()
        .arg("nca")
        .arg(input)
        .args(flags)
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    (long_table(dir), stderr)
}

/// Every value of `clean` is in `messy`, identical as written; `n.samples` counts the
/// not-done rows of the messy file, so it is the one parameter allowed to differ.
fn assert_same_numbers(messy: &Long, clean: &Long) {
    assert!(!clean.is_empty());
    let mut compared = 0;
    for (k, (v, _)) in clean {
        let got = &messy
            .get(k)
            .unwrap_or_else(|| panic!("messy run has no {k:?}"))
            .0;
        if k.3 == "n.samples" {
            continue;
        }
        assert_eq!(got, v, "{k:?}");
        compared += 1;
    }
    assert!(compared > 20);
}

#[test]
fn three_patient_lab_export_with_flags_only_matches_the_clean_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (messy, stderr) = nca(
        &data("lab_export_3pt.csv"),
        &["--assay", "qpcr", "--lloq", "50", "--uloq", "105414"],
        &tmp.path().join("messy"),
    );
    let (clean, _) = nca(
        &data("lab_export_3pt_clean.csv"),
        &[],
        &tmp.path().join("clean"),
    );
    assert_same_numbers(&messy, &clean);
    assert_eq!(messy.len(), clean.len());
    // The >ULOQ sample (the peak of 101-003) is flagged on Cmax and AUClast.
    let key = |p: &str| {
        (
            "101-003".to_string(),
            "blood".to_string(),
            "qpcr".to_string(),
            p.to_string(),
            "Inf".to_string(),
        )
    };
    for p in ["cmax", "auclast"] {
        assert!(
            messy[&key(p)].1.contains("above the ULOQ"),
            "{p}: {:?}",
            messy[&key(p)]
        );
        assert!(!clean[&key(p)].1.contains("above the ULOQ"));
    }
    // Loud about what was assumed: constants, baseline rows, the QNS row, the >ULOQ row,
    // the Latin-1 µ.
    for note in [
        "assay 'qpcr' for every row",
        "9 baseline sample(s)",
        "1 not-done code(s) taken as missing",
        "lab_export_3pt.csv:36:5 (Result) 'QNS'",
        "1 above-range result(s)",
        "Latin-1",
    ] {
        assert!(stderr.contains(note), "missing '{note}' in:\n{stderr}");
    }
}

#[test]
fn semicolon_decimal_comma_export_of_the_reference_cohort_gives_its_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let (messy, stderr) = nca(
        &data("cart_cohort_semicolon.csv"),
        &[],
        &tmp.path().join("messy"),
    );
    let (clean, _) = nca(&data("cart_cohort.csv"), &[], &tmp.path().join("clean"));
    assert_eq!(messy.len(), clean.len());
    assert_same_numbers(&messy, &clean);
    assert!(stderr.contains("fields separated by ';'"), "{stderr}");
    assert!(stderr.contains("',' read as the decimal mark"), "{stderr}");
    assert!(stderr.contains("20 not-done code(s)"), "{stderr}");
}

#[test]
fn export_without_assay_and_lloq_columns_gives_the_reference_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let (messy, stderr) = nca(
        &data("cart_cohort_no_assay.csv"),
        &["--assay", "qpcr", "--lloq", "50"],
        &tmp.path().join("messy"),
    );
    let (clean, _) = nca(&data("cart_cohort.csv"), &[], &tmp.path().join("clean"));
    let blood_qpcr: Long = clean
        .into_iter()
        .filter(|(k, _)| k.1 == "blood" && k.2 == "qpcr")
        .collect();
    assert_eq!(messy.len(), blood_qpcr.len());
    assert_same_numbers(&messy, &blood_qpcr);
    assert!(stderr.contains("40 baseline sample(s)"), "{stderr}");
    assert!(stderr.contains("20 not-done code(s)"), "{stderr}");
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_missing_column_in_one_error_with_the_flag_that_fixes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "lab.csv", b"PatientID,Day,Result\n101,0,5\n");
    cartpk()
        .args(["nca"])
        .arg(&f)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(1)
        .stderr(contains("no subject column").not())
        .stderr(contains("no matrix column"))
        .stderr(contains("--matrix blood"))
        .stderr(contains("no assay column"))
        .stderr(contains("--assay qpcr"))
        .stderr(contains("no unit column"))
        .stderr(contains("--unit copies/ug"))
        .stderr(contains("the header has: PatientID, Day, Result"));
    // `--columns assay=qPCR` names a column, not a value: the error says which flag gives a
    // value.
    cartpk()
        .args(["nca"])
        .arg(&f)
        .args([
            "--columns",
            "assay=qPCR",
            "--matrix",
            "blood",
            "--unit",
            "copies/ug",
        ])
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(1)
        .stderr(contains("--assay 'qPCR'"));
    // With the flags, the same file reads.
    cartpk()
        .args(["nca"])
        .arg(&f)
        .args([
            "--assay",
            "qpcr",
            "--matrix",
            "blood",
            "--unit",
            "copies/ug",
        ])
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .success();
}

#[test]
fn header_only_and_junk_first_line() {
    let tmp = tempfile::tempdir().unwrap();
    let header = "subject,matrix,assay,time,value,unit\n";
    let f = write(tmp.path(), "h.csv", header.as_bytes());
    cartpk()
        .arg("nca")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(1)
        .stderr(contains("no data rows after the header on line 1"));
    let body =
        format!(" , , ,\n{header}P1,blood,qpcr,0,<50,copies/ug\nP1,blood,qpcr,7,500,copies/ug\n");
    let f = write(tmp.path(), "j.csv", body.as_bytes());
    cartpk()
        .arg("nca")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .success()
        .stderr(contains("line(s) 1 before the header have no column names"));
}

/// Regression: a title line above the header (LIMS exports: study name, export date) was
/// read as the header and failed with "no subject column" (found 2026-12-04 running
/// `cartpk nca` on a hand-written messy export). The streamed reader of `cartpk nca` finds
/// the header below it and the numbers equal those of the file without the title.
#[test]
fn a_title_line_above_the_header_is_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let body = "Patient ID;Tissue;Method;Study Day;Result;Units;LLOQ\n\
                P-001;PB;qPCR;-7;BLQ;copies/ug;50\nP-001;PB;qPCR;1;1250,5;copies/ug;50\n\
                P-001;PB;qPCR;7;45000;copies/ug;50\nP-001;PB;qPCR;14;30000;copies/ug;50\n\
                P-001;PB;qPCR;28;2100;copies/ug;50\nP-001;PB;qPCR;84;<50;copies/ug;50\n";
    let titled = write(
        tmp.path(),
        "titled.csv",
        format!("Study CART-01 qPCR export 2026-12-01\n;;;;;;\n{body}").as_bytes(),
    );
    let plain = write(tmp.path(), "plain.csv", body.as_bytes());
    let (with_title, stderr) = nca(&titled, &[], &tmp.path().join("t"));
    let (without, _) = nca(&plain, &[], &tmp.path().join("p"));
    assert_eq!(with_title, without);
    assert!(with_title.len() > 10, "{with_title:?}");
    assert!(
        stderr.contains("line(s) 1 before the header do not name the columns"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line(s) 2 before the header have no column names"),
        "{stderr}"
    );
}

/// Regression: `AVAL (copies/ug)` (the unit in the value column's name, no unit column)
/// failed with "no value column ... no unit column"; `Time (h)` would, once bracketed names
/// matched, have been read in days. Found 2026-12-04 on a hand-written ADaM-like export.
#[test]
fn units_in_the_header_are_used_or_refused_never_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = "P1,Whole Blood,TRANSGENE,1,1 250,50,,\r\nP1,Whole Blood,TRANSGENE,7,45000,50,,\r\n\
                P1,Whole Blood,TRANSGENE,14,30000,50,,\r\nP1,Whole Blood,TRANSGENE,28,<LLOQ,50,,\r\n";
    let adam = write(
        tmp.path(),
        "adam.csv",
        format!("USUBJID,PCSPEC,PARAMCD,Study Day,AVAL (copies/ug),LLOQ,,\r\n{rows}").as_bytes(),
    );
    let (long, stderr) = nca(&adam, &[], &tmp.path().join("a"));
    let key = |p: &str| {
        (
            "P1".to_string(),
            "blood".to_string(),
            "qpcr".to_string(),
            p.to_string(),
            "Inf".to_string(),
        )
    };
    assert_eq!(long[&key("cmax")].0, "45000");
    assert!(
        stderr.contains("unit 'copies/ug' for every row, from the header 'AVAL (copies/ug)'"),
        "{stderr}"
    );
    let hours = write(
        tmp.path(),
        "hours.csv",
        b"subject,matrix,assay,Time (h),value,unit\nP1,blood,qpcr,24,900,copies/ug\nP1,blood,qpcr,168,9000,copies/ug\n",
    );
    cartpk()
        .arg("nca")
        .arg(&hours)
        .arg("--out")
        .arg(tmp.path().join("h"))
        .assert()
        .code(1)
        .stderr(contains(
            "hours.csv:1: column 'Time (h)' gives the unit 'h', but the times would be read in days",
        ))
        .stderr(contains("use --time-unit h"));
    let (long, _) = nca(&hours, &["--time-unit", "h"], &tmp.path().join("h2"));
    assert_eq!(long[&key("tmax")].0, "7");
}

/// Mutation-testing defects of issue 9: each used to panic (exit 101) or sink a profile.
#[test]
fn former_panics_and_profile_killers_are_row_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let header = "subject,matrix,assay,time,value,unit,lloq\n";
    // An assay label that normalises to nothing: a row error, the other profile analysed.
    let f = write(
        tmp.path(),
        "dash.csv",
        format!("{header}P1,blood,-,0,5,copies/ug,1\nP2,blood,qpcr,0,<1,copies/ug,1\nP2,blood,qpcr,7,50,copies/ug,1\n").as_bytes(),
    );
    cartpk()
        .arg("nca")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path().join("o1"))
        .assert()
        .code(3)
        .stderr(contains(
            "column 'assay': expected a assay label with letters or digits, found '-'",
        ));
    // Values and times out of range, an unknown code, QNS, a negative (baseline) time:
    // each one sample, never the profile.
    let rows = [
        "P1,blood,qpcr,-6,<1,copies/ug,1",
        "P1,blood,qpcr,0,<1,copies/ug,1",
        "P1,blood,qpcr,7,1e308,copies/ug,1",
        "P1,blood,qpcr,8,1e-310,copies/ug,1",
        "P1,blood,qpcr,9,NaN,copies/ug,1",
        "P1,blood,qpcr,10,inf,copies/ug,1",
        "P1,blood,qpcr,1e16,50,copies/ug,1",
        "P1,blood,qpcr,14,500,copies/ug,1",
        "P1,blood,qpcr,21,QNS,copies/ug,1",
        "P1,blood,qpcr,28,Detected <LLOQ,copies/ug,1",
        "P1,blood,qpcr,35,what?,copies/ug,1",
    ];
    let f = write(
        tmp.path(),
        "wild.csv",
        format!("{header}{}\n", rows.join("\n")).as_bytes(),
    );
    cartpk()
        .arg("nca")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path().join("o2"))
        .assert()
        .success()
        .stderr(contains("1 profiles analysed").or(contains("1 profile analysed")))
        .stderr(contains("4 value(s) or time(s) out of range"))
        .stderr(contains("1 unknown result code(s) taken as missing"))
        .stderr(contains("wild.csv:12:5 (value) 'what?'"));
}

#[test]
fn lambda_z_override_with_a_punctuation_label_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let o = write(
        tmp.path(),
        "ov.csv",
        b"subject,matrix,assay,start,end\nP00001,-,qpcr,28,365\n",
    );
    cartpk()
        .arg("nca")
        .arg(data("cart_cohort.csv"))
        .arg("--lambda-z-overrides")
        .arg(&o)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(1)
        .stderr(contains(
            "ov.csv:2:2: column 'matrix': expected a matrix label",
        ));
}

/// `cartpk run` with flags only: the lab export and its subjects file (`Patient ID`,
/// `Best Overall Response`, `Dose (CAR+ cells)`) give the clean files' NCA numbers, the
/// dose-normalised ones included; the unrecognised subject column is named on stderr.
#[test]
fn run_on_the_lab_export_with_its_subjects_file_matches_the_clean_files() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |input: &str, subjects: &str, flags: &[&str], out: &Path| {
        let a = cartpk()
            .arg("run")
            .arg(data(input))
            .arg("--subjects")
            .arg(data(subjects))
            .args(flags)
            .args(["--responders", "CR,PR", "--out"])
            .arg(out)
            .assert()
            .success();
        String::from_utf8_lossy(&a.get_output().stderr).into_owned()
    };
    let (m, c) = (tmp.path().join("messy"), tmp.path().join("clean"));
    let stderr = run(
        "lab_export_3pt.csv",
        "lab_export_3pt_subjects.csv",
        &["--assay", "qpcr", "--lloq", "50", "--uloq", "105414"],
        &m,
    );
    run(
        "lab_export_3pt_clean.csv",
        "lab_export_3pt_subjects_clean.csv",
        &[],
        &c,
    );
    let (messy, clean) = (long_table(&m), long_table(&c));
    assert!(clean.keys().any(|k| k.3 == "cmax.dn"), "dose read");
    assert_eq!(messy.len(), clean.len());
    assert_same_numbers(&messy, &clean);
    assert!(
        stderr.contains("not recognised, passed through to the tables as they are: Site Comment"),
        "{stderr}"
    );
}
