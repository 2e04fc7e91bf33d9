//! `cartpk plot` end to end on the bundled example cohort.

use assert_cmd::Command;
use std::path::PathBuf;

fn workspace_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn plots_every_patient_and_cohort_with_fits_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let subjects = dir.path().join("subjects.csv");
    let mut text = String::from("subject,response\n");
    for i in 1..=20 {
        text.push_str(&format!(
            "P{i:05},{}\n",
            if i % 3 == 0 { "NR" } else { "CR" }
        ));
    }
    std::fs::write(&subjects, text).unwrap();
    let out = dir.path().join("plots");
    Command::cargo_bin("cartpk")
        .unwrap()
        .args([
            "plot",
            "--fit",
            "--format",
            "both",
            "--quiet",
            "--group-by",
            "response",
            "--subjects",
        ])
        .arg(&subjects)
        .arg("--out")
        .arg(&out)
        .arg(workspace_file("data/cart_cohort.csv"))
        .assert()
        .code(0);
    let patients: Vec<_> = std::fs::read_dir(out.join("patients"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    // 20 patients x PNG and SVG.
    assert_eq!(patients.len(), 40);
    for kind in ["blood_qpcr", "blood_flow", "marrow_qpcr", "csf_qpcr"] {
        for ext in ["png", "svg"] {
            assert!(
                out.join(format!("cohort_{kind}.{ext}")).exists(),
                "cohort_{kind}.{ext}"
            );
            assert!(
                out.join(format!("gof_{kind}.{ext}")).exists(),
                "gof_{kind}.{ext}"
            );
        }
    }
    let cohort = std::fs::read_to_string(out.join("cohort_blood_qpcr.svg")).unwrap();
    assert!(cohort.contains("\nCR (n=14)\n"), "group CR in the legend");
    assert!(cohort.contains("\nNR (n=6)\n"), "group NR in the legend");
    assert!(cohort.contains("bold: median, shaded: 5th-95th percentile"));
    let p1 = std::fs::read_to_string(out.join("patients/P00001.svg")).unwrap();
    assert!(
        p1.contains("blood qPCR model fit"),
        "fitted curve in the legend"
    );
}

#[test]
fn bad_plot_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("cartpk")
        .unwrap()
        .args(["plot", "--dpi", "0", "--out"])
        .arg(dir.path())
        .arg(workspace_file("data/cart_cohort.csv"))
        .assert()
        .code(2);
}
