//! `cartpk simulate` and `cartpk fit` end to end.

use crate::util::cartpk;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

#[test]
fn simulate_is_seeded_and_writes_true_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, seed: &str| {
        cartpk()
            .args(["simulate", "--n-subjects", "5", "--seed", seed, "--out"])
            .arg(dir.path().join(name))
            .assert()
            .code(0);
        std::fs::read_to_string(dir.path().join(name)).unwrap()
    };
    let a = run("a.csv", "3");
    let b = run("b.csv", "3");
    let c = run("c.csv", "4");
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.starts_with("subject,matrix,assay,time,value,unit,lloq\n"));
    // Pre-infusion samples are mostly below the LLOQ and written as lab exports do.
    assert!(a.contains(",<50,copies/ug,50\n"));
    let params = std::fs::read_to_string(dir.path().join("a_params.csv")).unwrap();
    assert_eq!(params.lines().count(), 6);
    assert!(params.starts_with("subject,cmax [copies/ug],tmax [day],rho [1/day]"));
}

#[test]
fn fit_of_a_simulated_cohort_writes_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cohort.csv");
    cartpk()
        .args([
            "simulate",
            "--n-subjects",
            "6",
            "--seed",
            "9",
            "--sigma",
            "0.2",
            // A low LLOQ keeps every profile above the (parameters + 2) quantified samples
            // a fit needs.
            "--lloq",
            "1",
            "--matrices",
            "blood",
            // Every scheduled sample (none left out after a simulated death).
            "--full-schedule",
            "--out",
        ])
        .arg(&data)
        .assert()
        .code(0);
    let out = dir.path().join("fit");
    cartpk()
        .args(["fit", "--format", "all", "--out"])
        .arg(&out)
        .arg(&data)
        .assert()
        .code(0)
        .stderr(contains("6 profiles fitted"));
    let summary = std::fs::read_to_string(out.join("fit_summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 7);
    assert!(summary
        .lines()
        .next()
        .unwrap()
        .contains("alpha [1/day],alpha.rse [%]"));
    let estimates = std::fs::read_to_string(out.join("fit_estimates.csv")).unwrap();
    // 6 profiles x (7 estimates + 5 derived quantities).
    assert_eq!(estimates.lines().count(), 1 + 6 * 12);
    let predictions = std::fs::read_to_string(out.join("fit_predictions.csv")).unwrap();
    // 13 samples per patient on the seed trial's blood schedule, the pre-infusion (day 0)
    // one not fitted.
    assert_eq!(predictions.lines().count(), 1 + 6 * 12);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("fit.json")).unwrap()).unwrap();
    assert_eq!(json["fits"].as_array().unwrap().len(), 6);
    assert_eq!(json["settings"]["blq"], "m3");
}

#[test]
fn sparse_profiles_are_reported_and_the_rest_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cohort.csv");
    cartpk()
        .args([
            "simulate",
            "--n-subjects",
            "4",
            "--seed",
            "2",
            "--matrices",
            "blood,csf",
            "--out",
        ])
        .arg(&data)
        .assert()
        .code(0);
    let out = dir.path().join("fit");
    cartpk()
        .args(["fit", "--out"])
        .arg(&out)
        .arg(&data)
        .assert()
        .code(3)
        .stderr(contains("/csf/qpcr: not fitted:"));
    let errors = std::fs::read_to_string(out.join("fit_errors.csv")).unwrap();
    assert!(errors.contains("at least 9 (parameters + 2) needed to fit"));
    let summary = std::fs::read_to_string(out.join("fit_summary.csv")).unwrap();
    assert!(summary.lines().skip(1).all(|l| l.contains(",blood,")));
}

/// Flag values that make no sense are usage errors: exit code 2, as clap's own.
#[test]
fn bad_fit_and_simulate_flags_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    cartpk()
        .args(["fit", "--blq", "m9", "--out"])
        .arg(dir.path())
        .arg("x.csv")
        .assert()
        .code(2)
        .stderr(contains("--fit-blq: unknown BLQ method 'm9'"));
    cartpk()
        .args(["fit", "--model", "weibull", "--out"])
        .arg(dir.path())
        .arg("x.csv")
        .assert()
        .code(2)
        .stderr(contains("--model: unknown model 'weibull'"));
    cartpk()
        .args(["simulate", "--matrices", "spleen", "--out"])
        .arg(dir.path().join("s.csv"))
        .assert()
        .code(2)
        .stderr(contains("--matrices: unknown matrix 'spleen'"));
}

/// `fit`, `plot` and `run` share one definition of the model fit's flags (`ModelArgs`):
/// each accepts `--model`, `--fit-blq` (alias `--blq`), `--sigma-min`, `--fit-baseline` and
/// `--ridge-tol` and rejects a bad value with the same message before any input is read.
#[test]
fn fit_plot_and_run_accept_the_same_model_flags() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["fit", "plot", "run"] {
        for (flag, value, message) in [
            ("--fit-blq", "m9", "--fit-blq: unknown BLQ method 'm9'"),
            ("--blq", "m9", "--fit-blq: unknown BLQ method 'm9'"),
            (
                "--sigma-min",
                "0",
                "--sigma-min: expected a number > 0, found 0",
            ),
            (
                "--ridge-tol=-0.1",
                "--quiet",
                "--ridge-tol: expected a ln L difference from 0 (off) to below 1, found -0.1",
            ),
            (
                "--ridge-tol",
                "1",
                "--ridge-tol: expected a ln L difference from 0 (off) to below 1, found 1",
            ),
        ] {
            cartpk()
                .args([command, flag, value, "--fit-baseline", "--out"])
                .arg(dir.path())
                .arg("x.csv")
                .assert()
                .code(2)
                .stderr(contains(message));
        }
    }
}

/// Regression: `fit --population` compared the `--model` text with "stein2019", so a
/// name `by_name` accepts in another spelling (" Stein2019 ") fitted the profiles and then
/// failed the population fit. The model is now resolved once and compared by identity.
#[test]
fn population_fit_accepts_the_model_name_in_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    cartpk()
        .args([
            "fit",
            "--model",
            " Stein2019 ",
            "--population",
            "--k1",
            "3",
            "--k2",
            "2",
        ])
        .args(["--min-subjects", "2", "--quiet", "--out"])
        .arg(dir.path())
        .arg(crate::util::workspace_file("data/cart_cohort.csv"))
        .assert()
        // 3: some sparse tissue profiles are not fitted (fit_errors.csv), as without
        // --population.
        .code(3)
        .stderr(contains("population parameterisation").not());
    assert!(dir.path().join("population_parameters.csv").exists());
}

/// `run` and `plot` take the model from the same flag as `fit` (one `Settings::model`,
/// resolved once by `cartpk_ck::by_name`): an unknown name is the same usage error before
/// any input is read, and the known name is accepted in any case.
#[test]
fn run_and_plot_resolve_the_model_flag_as_fit_does() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["run", "plot"] {
        cartpk()
            .args([command, "--model", "weibull", "--out"])
            .arg(dir.path())
            .arg("x.csv")
            .assert()
            .code(2)
            .stderr(contains("--model: unknown model 'weibull'"));
    }
    let out = dir.path().join("plots");
    cartpk()
        .args([
            "plot",
            "--fit",
            "--model",
            " Stein2019 ",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .arg(crate::util::workspace_file("data/cart_cohort.csv"))
        .assert()
        .success();
    assert!(out.join("patients").read_dir().unwrap().next().is_some());
}

/// A simulated patient gives no sample after its follow-up ends (death, loss to follow-up
/// or data cut-off: `os_time` of the subjects file), as in a trial; `--full-schedule`
/// keeps every scheduled sample and is otherwise the same cohort.
#[test]
fn simulated_samples_end_with_follow_up_unless_full_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        cartpk()
            .args([
                "simulate",
                "--n-subjects",
                "48",
                "--seed",
                "2025",
                "--quiet",
            ])
            .args(extra)
            .arg("--out")
            .arg(dir.path().join(name))
            .assert()
            .code(0);
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (
                    f[0].to_string(),
                    f[1..3].join(","),
                    f[3].parse::<f64>().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let trial = run("trial.csv", &[]);
    let full = run("full.csv", &["--full-schedule"]);
    let subjects = std::fs::read_to_string(dir.path().join("trial_subjects.csv")).unwrap();
    let full_subjects = std::fs::read_to_string(dir.path().join("full_subjects.csv")).unwrap();
    assert_eq!(
        subjects, full_subjects,
        "the outcomes do not depend on the sampling"
    );
    let mut header = subjects.lines().next().unwrap().split(',');
    let os_col = header.position(|c| c == "os_time").unwrap();
    let os: std::collections::BTreeMap<String, f64> = subjects
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[os_col].parse().unwrap())
        })
        .collect();
    // The trial's rows are the full schedule's rows up to each subject's os_time.
    let expected: Vec<_> = full
        .iter()
        .filter(|(s, _, t)| *t <= os[s])
        .cloned()
        .collect();
    assert_eq!(trial, expected);
    assert!(
        full.len() > trial.len(),
        "some subject of this cohort dies during the schedule"
    );
    assert!(trial.iter().all(|(s, _, t)| *t <= os[s]));
}
