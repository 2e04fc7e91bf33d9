//! The shared harness of the integration tests: the binary, workspace files, fixtures and
//! CSV readers.

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The `cartpk` binary built for these tests.
pub fn cartpk() -> Command {
    Command::cargo_bin("cartpk").expect("cargo builds the cartpk binary for its tests")
}

/// A file of the workspace, e.g. `data/seed_cohort.csv`.
pub fn workspace_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A file of `crates/cli/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A CSV file as one map from column name to text per record.
pub fn read_csv_maps(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A number in a CSV cell.
pub fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// `cartpk run` on the bundled example cohort and its subjects file, with `args`.
pub fn run_example(out: &Path, args: &[&str]) {
    cartpk()
        .arg("run")
        .arg(workspace_file("data/seed_cohort.csv"))
        .arg("--subjects")
        .arg(workspace_file("data/seed_cohort_subjects.csv"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(args)
        .assert()
        .code(0);
}
