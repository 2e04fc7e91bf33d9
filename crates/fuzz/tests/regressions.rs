//! One reproducer per defect the fuzz harness (or the mutation testing of issue 9) found.
//! Open ones are `#[ignore = "open: <stage> <what>"]`; un-ignore a test when its fix
//! lands. Library stages are called directly; output-set defects need the `cartpk` binary
//! (`CARTPK_BIN`, else `target/debug/cartpk` of this workspace, else `cargo run`).
//! Details of each finding: `crates/fuzz/FINDINGS.md`.

use cartpk_ck::{fit_profile, FitOptions, Stein2019};
use cartpk_core::ingest::{read_bytes, IngestOptions};
use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_fuzz::deadline::{within, Ended};
use cartpk_fuzz::stages::{patient_plot, render_both};
use cartpk_nca::{nca_profile, NcaOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const HEADER: &str = "subject,matrix,assay,time,value,unit,lloq\n";

/// Runs `f` under a limit and fails on a panic or a hang, naming `what`.
fn must_finish<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    match within(Duration::from_secs(10), f) {
        Ended::Returned(v) => v,
        Ended::Panicked(m) => panic!("{what}: panicked: {m}"),
        Ended::TimedOut => panic!("{what}: still running after 10 s (hang)"),
    }
}

fn read(csv: String) -> Result<cartpk_core::ingest::Dataset, String> {
    must_finish("read_bytes", move || {
        read_bytes(csv.as_bytes(), "t.csv", &IngestOptions::default()).map_err(|e| e.to_string())
    })
}

fn profile(samples: Vec<Sample>) -> Profile {
    let key = ProfileKey {
        subject: "P1".into(),
        matrix: Matrix::Blood,
        assay: Assay::Qpcr,
    };
    Profile::new(key, ConcUnit::CopiesPerUg, samples)
}

// ---------------------------------------------------------------------------------------
// Ingestion.

/// Issue 9; fuzz seed 1 cases 18 and 136. A matrix or assay label that normalises to
/// nothing panics in `Reader::builder_for` (crates/core/src/ingest/mod.rs,
/// `expect("a non-empty label always parses to an assay")`) and aborts the whole file.
/// Expected: a row error naming line 2, the other profile still read.
#[test]
fn empty_matrix_or_assay_label_is_a_row_error() {
    for (col, label) in [(1, "-"), (1, "_"), (1, "()"), (2, "-"), (2, "_"), (2, "()")] {
        let mut bad = ["P1", "blood", "qpcr", "0", "5", "copies/ug", "1"];
        bad[col] = label;
        let csv = format!(
            "{HEADER}{}\nP2,blood,qpcr,0,5,copies/ug,1\nP2,blood,qpcr,7,50,copies/ug,1\n",
            bad.join(",")
        );
        let d = read(csv).unwrap_or_else(|e| panic!("label '{label}': whole file refused: {e}"));
        assert!(
            d.has_errors(),
            "label '{label}': the bad row is not reported"
        );
        assert!(
            d.profiles.iter().any(|p| p.key.subject == "P2"),
            "label '{label}': the good profile was lost"
        );
    }
}

/// Issue 9. A first line of spaces or commas is reported as "empty file" although rows
/// follow. Expected: the line is skipped (or named for what it is), the rows are read.
#[test]
fn blank_first_line_is_not_an_empty_file() {
    for first in [",,,,,,", "   ", " , , "] {
        let csv = format!("{first}\n{HEADER}P1,blood,qpcr,0,5,copies/ug,1\n");
        match read(csv) {
            Ok(d) => assert_eq!(d.profiles.len(), 1, "first line '{first}'"),
            Err(e) => assert!(
                !e.to_lowercase().contains("empty"),
                "first line '{first}': called empty: {e}"
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// NCA.

/// Issue 9. The log-down trapezoid loses all precision when two consecutive
/// concentrations differ by a few ulps. Hand calculation: BLQ (0) at day 0, 500 at day 7:
/// linear up, 7 x 500 / 2 = 1750; then 500 and 500 - 1 ulp over 28 days: the limit of
/// (t2 - t1)(c1 - c2)/ln(c1/c2) as c2 -> c1 is (t2 - t1) c1 = 14000. AUClast 15750 (the
/// day-0 sample is BLQ, so every start rule gives 0 there).
#[test]
fn log_down_of_nearly_equal_concentrations() {
    let p = profile(vec![
        Sample::blq(0.0, Some(50.0)),
        Sample::quantified(7.0, 500.0),
        Sample::quantified(35.0, 499.999_999_999_999_94),
    ]);
    let r = nca_profile(&p, &NcaOptions::default(), None).expect("two quantified samples");
    let auc = r.auclast.expect("AUClast of two quantified samples");
    assert!((auc - 15750.0).abs() / 15750.0 < 1e-9, "AUClast {auc}");
}

// ---------------------------------------------------------------------------------------
// Fit.

/// Issue 9. Times of ~1e16 days (hours mistyped as a huge number) make the fit panic:
/// `f64::clamp` with a NaN bound in `Stein2019::starts`. Expected: an error (or a fit),
/// never a panic.
#[test]
fn fit_with_times_of_1e16_days_does_not_panic() {
    for scale in [1e16, 1e17, 1e300] {
        let p = profile(vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(1.0 * scale, 2000.0),
            Sample::quantified(2.0 * scale, 40_000.0),
            Sample::quantified(3.0 * scale, 9000.0),
            Sample::quantified(4.0 * scale, 1000.0),
            Sample::quantified(5.0 * scale, 300.0),
        ]);
        must_finish("fit_profile", move || {
            let _ = fit_profile(&Stein2019, &p, &FitOptions::default());
        });
    }
}

// ---------------------------------------------------------------------------------------
// Figures.

/// Issue 9; fuzz seed 1 case 135. One value near the limits of f64 makes the patient
/// figure loop forever (plotters' `LogCoord::key_points`, from `cartpk_plot::render`).
/// Expected: the figure is drawn (or an error returned) within the time limit.
#[test]
fn patient_figure_with_values_near_f64_limits_finishes() {
    for extreme in [1e308, f64::MAX, 1e-310, 5e-324] {
        let p = profile(vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(7.0, 40_000.0),
            Sample::quantified(14.0, extreme),
            Sample::quantified(28.0, 900.0),
        ]);
        must_finish(&format!("render with {extreme:e}"), move || {
            let nca = vec![nca_profile(&p, &NcaOptions::default(), None)];
            let plot = patient_plot("P1", &[0], std::slice::from_ref(&p), &nca, &[None]);
            render_both(&plot)
        });
    }
}

/// Fuzz seed 2 cases 476 and 789. A sample time of f64::MAX days makes the time axis of
/// the patient figure loop forever (plotters' `compute_f64_key_points`; 1.5e308 is drawn).
/// Expected: such times rejected per row at ingestion and/or the axis clamped; `render`
/// finishes.
#[test]
fn patient_figure_with_a_time_near_f64_max_finishes() {
    for blq in [false, true] {
        let last = if blq {
            Sample::blq(f64::MAX, Some(50.0))
        } else {
            Sample::quantified(f64::MAX, 900.0)
        };
        let p = profile(vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(7.0, 40_000.0),
            last,
        ]);
        must_finish("render with a time of f64::MAX", move || {
            let nca = vec![nca_profile(&p, &NcaOptions::default(), None)];
            let plot = patient_plot("P1", &[0], std::slice::from_ref(&p), &nca, &[None]);
            render_both(&plot)
        });
    }
}

// ---------------------------------------------------------------------------------------
// The command line: file names and output sets.

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `cartpk` command.
fn cartpk() -> Command {
    if let Some(bin) = std::env::var_os("CARTPK_BIN") {
        return Command::new(bin);
    }
    let built = workspace_root().join("target/debug/cartpk");
    if built.is_file() {
        return Command::new(built);
    }
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(workspace_root())
        .args(["run", "-q", "-p", "cartpk", "--"]);
    c
}

/// Runs `cartpk` with `args`; (exit code, stderr).
fn run_cli(args: &[&str]) -> (i32, String) {
    let out = cartpk().args(args).output().expect("cartpk runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Good rows for subjects `ids` (one blood qPCR profile each).
fn cohort(ids: &[&str]) -> String {
    let mut s = HEADER.to_string();
    for id in ids {
        let id = if id.contains([',', '"']) {
            format!("\"{}\"", id.replace('"', "\"\""))
        } else {
            id.to_string()
        };
        for (t, v) in [
            (0, "<50"),
            (4, "2000"),
            (7, "40000"),
            (14, "9000"),
            (28, "2500"),
            (56, "900"),
            (84, "500"),
        ] {
            s.push_str(&format!("{id},blood,qpcr,{t},{v},copies/ug,50\n"));
        }
    }
    s
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Issue 9. `cartpk run` fails as a whole (exit 1, nothing written) when one subject id
/// is long: the figure's file name passes 255 bytes. Expected: names bounded (cap plus a
/// short hash), the run completes.
#[test]
fn run_with_a_long_subject_id_completes() {
    let dir = tempfile_dir("longid");
    let long = format!("P{}", "x".repeat(400));
    std::fs::write(dir.join("in.csv"), cohort(&["P01", &long])).unwrap();
    let out = dir.join("out");
    let (code, err) = run_cli(&[
        "run",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    for n in names(&out.join("plots").join("patients")) {
        assert!(n.len() <= 255, "file name of {} bytes", n.len());
    }
}

/// Issue 9. Sanitised figure names can start with a dot and so hide (`../../etc/x`
/// becomes `.._.._etc_x.png`). Expected: no written name starts with a dot.
#[test]
fn figure_names_never_start_with_a_dot() {
    let dir = tempfile_dir("dotname");
    std::fs::write(dir.join("in.csv"), cohort(&["../../etc/x", ".hidden"])).unwrap();
    let out = dir.join("out");
    let (code, err) = run_cli(&[
        "run",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let figs = names(&out.join("plots").join("patients"));
    assert_eq!(figs.len(), 2, "{figs:?}");
    assert!(figs.iter().all(|n| !n.starts_with('.')), "{figs:?}");
}

/// Issue 9. The empty-label panic of ingestion, in `--lambda-z-overrides`
/// (crates/cli/src/overrides.rs). Expected: an error naming the file and line, exit 1.
#[test]
fn overrides_with_an_empty_label_is_an_error() {
    let dir = tempfile_dir("overrides");
    std::fs::write(dir.join("in.csv"), cohort(&["P00001"])).unwrap();
    std::fs::write(
        dir.join("o.csv"),
        "subject,matrix,assay,start,end\nP00001,-,qpcr,28,365\n",
    )
    .unwrap();
    let (code, err) = run_cli(&[
        "nca",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
        "--lambda-z-overrides",
        dir.join("o.csv").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("o.csv:2"), "{err}");
}

/// Issue 9. A header-only file exits 0 with empty tables. Expected: an error, exit 1.
#[test]
fn header_only_file_is_an_error() {
    let dir = tempfile_dir("headeronly");
    std::fs::write(dir.join("in.csv"), HEADER).unwrap();
    let (code, err) = run_cli(&[
        "nca",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
}

/// Issue 9. Ids such as `=cmd|' /C calc'!A0` are written as they are into the first cell
/// of every CSV table. Expected (docs/robustness.md): a leading `'` in CSV cells, the raw
/// id in JSON.
#[test]
fn formula_like_ids_are_neutralised_in_csv_and_raw_in_json() {
    let dir = tempfile_dir("formula");
    let ids = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "@HYPERLINK(\"x\")", "-1"];
    std::fs::write(dir.join("in.csv"), cohort(&ids)).unwrap();
    let out = dir.join("out");
    let (code, err) = run_cli(&[
        "nca",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "all",
    ]);
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let wide = std::fs::read_to_string(out.join("nca_wide.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(wide.as_bytes());
    let firsts: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    for f in &firsts {
        let c = f.chars().next().unwrap();
        assert!(
            !matches!(c, '=' | '+' | '@' | '\t' | '\r') && (c != '-' || f == "-1"),
            "cell {f:?}"
        );
    }
    assert!(
        firsts.contains(&"'=cmd|' /C calc'!A0".to_string()),
        "{firsts:?}"
    );
    assert!(
        firsts.contains(&"-1".to_string()),
        "a number-like id is not altered: {firsts:?}"
    );
    let json = std::fs::read_to_string(out.join("nca.json")).unwrap();
    assert!(json.contains("\"=cmd|' /C calc'!A0\""), "raw id in JSON");
}

/// Issue 9. A later `--format csv` run leaves an earlier run's `nca.json` in place, and
/// nothing tells two runs' tables apart. Expected: the stale file removed, a manifest.
#[test]
fn a_later_run_removes_the_earlier_runs_files() {
    let dir = tempfile_dir("stale");
    std::fs::write(dir.join("in.csv"), cohort(&["P01"])).unwrap();
    let out = dir.join("out");
    let args = |f: &'static str| {
        vec![
            "nca".to_string(),
            dir.join("in.csv").display().to_string(),
            "--out".into(),
            out.display().to_string(),
            "--format".into(),
            f.into(),
        ]
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run_cli(&a)
    };
    assert_eq!(run(args("all")).0, 0);
    assert!(out.join("nca.json").is_file());
    assert_eq!(run(args("csv")).0, 0);
    assert!(!out.join("nca.json").exists(), "{:?}", names(&out));
    assert!(out.join("nca_manifest.json").is_file(), "{:?}", names(&out));
}

/// Issue 9. A file a user saves into a directory that `cartpk run` wrote is deleted
/// without a word on the next run. Expected: kept, and named in a warning.
#[test]
fn run_keeps_a_file_it_did_not_write() {
    let dir = tempfile_dir("foreign");
    std::fs::write(dir.join("in.csv"), cohort(&["P01"])).unwrap();
    let out = dir.join("out");
    let go = || {
        run_cli(&[
            "run",
            dir.join("in.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert_eq!(go().0, 0);
    std::fs::write(out.join("my notes.txt"), "mine").unwrap();
    let (code, err) = go();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("my notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        err.contains("my notes.txt"),
        "not named in a warning: {err}"
    );
}

/// Issue 9. `kill -9` of `cartpk run` leaves `.cartpk-run-XXXXXX` staging directories and
/// `.out.old-PID` copies beside `--out`, and of `cartpk nca` `.cartpk-XXXXXX.tmp` files, that
/// nothing removes. Expected: leftovers of dead processes cleaned on the next run.
#[test]
fn leftovers_of_killed_runs_are_cleaned() {
    let dir = tempfile_dir("leftovers");
    std::fs::write(dir.join("in.csv"), cohort(&["P01"])).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(dir.join(".cartpk-run-AbC123/patients")).unwrap();
    std::fs::write(dir.join(".cartpk-run-AbC123/patients/P01.png"), "partial").unwrap();
    // PID 4194304 is above Linux's pid_max: never a live process.
    std::fs::create_dir_all(dir.join(".out.old-4194304")).unwrap();
    std::fs::write(dir.join(".out.old-4194304/report.html"), "old").unwrap();
    std::fs::create_dir_all(&out).unwrap();
    // Killed between the two renames of the old directory swap: the new set is in place.
    std::fs::write(out.join("report.html"), "new").unwrap();
    std::fs::write(out.join(".cartpk-Xy12Zw.tmp"), "partial").unwrap();
    // Leftovers are older than the process that cleans them; the staging directory of a
    // cartpk without a PID in its names is cleaned once untouched for a minute
    // (publish::UNNAMED_LEFTOVER_AGE), as it would be after a kill -9 long ago.
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(120);
    for p in [
        dir.join(".cartpk-run-AbC123/patients/P01.png"),
        dir.join(".cartpk-run-AbC123/patients"),
        dir.join(".cartpk-run-AbC123"),
        out.join(".cartpk-Xy12Zw.tmp"),
    ] {
        std::fs::File::open(&p)
            .and_then(|f| f.set_modified(long_ago))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    std::thread::sleep(Duration::from_millis(1100));
    let (code, err) = run_cli(&[
        "run",
        dir.join("in.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(names(&dir), vec!["in.csv".to_string(), "out".to_string()]);
    assert!(
        !names(&out).iter().any(|n| n.ends_with(".tmp")),
        "{:?}",
        names(&out)
    );
}

/// A fresh directory under the system temporary directory, removed with everything in it
/// when dropped (regression: every run of these tests left 8 directories in /tmp).
struct TestDir(PathBuf);

impl std::ops::Deref for TestDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir(tag: &str) -> TestDir {
    let d = std::env::temp_dir().join(format!(
        "cartpk-fuzz-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&d).expect("temporary directory");
    TestDir(d)
}
