//! Labels that reach file names (issue 10, item 7): a subject id longer than a file name may
//! be made `cartpk run` fail with "File name too long"; `../../etc/x` became the hidden
//! `.._.._etc_x.png`. Names are now sanitised, bounded and unique per patient.

use crate::util::{cartpk, workspace_file};

/// The example's first patient's blood rows under other subject ids.
fn input_with_subjects(dir: &std::path::Path, ids: &[&str]) -> std::path::PathBuf {
    let text = std::fs::read_to_string(workspace_file("data/seed_cohort.csv")).unwrap();
    let mut out = String::from("subject,matrix,assay,time,value,unit,lloq\n");
    for id in ids {
        let quoted = format!("\"{}\"", id.replace('"', "\"\""));
        for line in text.lines().filter(|l| l.starts_with("SIM001,blood,qpcr,")) {
            out.push_str(&line.replacen("SIM001", &quoted, 1));
            out.push('\n');
        }
    }
    let path = dir.join("assay.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn long_and_path_like_subject_ids_give_bounded_visible_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = "P".repeat(300);
    let ids = [long.as_str(), "../../etc/x", ".hidden", "A/1", "A_1"];
    let input = input_with_subjects(dir.path(), &ids);
    let out = dir.path().join("results");
    cartpk()
        .arg("run")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(0);
    let names: Vec<String> = std::fs::read_dir(out.join("plots/patients"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), ids.len(), "one figure per patient: {names:?}");
    for n in &names {
        assert!(!n.starts_with('.'), "hidden: {n}");
        assert!(n.len() <= 80, "bounded: {n}");
        assert!(n.ends_with(".png"));
    }
    // Nothing escaped the output directory.
    assert!(!dir.path().join("etc").exists());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&long), "the report shows the id as it is");
}
