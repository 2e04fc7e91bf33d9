//! The bundled example cohort is what `cartpk simulate` writes: the assay data, the true
//! parameters and the subjects file (whose simulated outcome columns are appended after the
//! original ones and drawn from their own random stream) regenerate byte for byte.

use assert_cmd::Command;
use std::path::Path;

#[test]
fn data_files_regenerate_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("cartpk")
        .unwrap()
        .args([
            "simulate",
            "--n-subjects",
            "48",
            "--seed",
            "2025",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("seed_cohort.csv"))
        .assert()
        .success();
    for f in [
        "seed_cohort.csv",
        "seed_cohort_params.csv",
        "seed_cohort_subjects.csv",
    ] {
        let want = std::fs::read(root.join("data").join(f)).unwrap();
        let got = std::fs::read(dir.path().join(f)).unwrap();
        assert!(got == want, "{f} differs from data/{f}");
    }
}
