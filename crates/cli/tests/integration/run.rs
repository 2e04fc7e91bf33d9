//! `cartpk run` on the bundled example cohort (data/seed_cohort.csv, 48 simulated adults,
//! and its subjects file): every output, the summary statistics against an independent
//! computation and R, the report in a real browser, and the directory replaced as a whole.

use crate::util::{cartpk, num, read_csv_maps as read_csv, run_example, workspace_file};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn example_run_writes_every_output_and_statistics_match_r() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    run_example(&out, &[]);
    for f in [
        "nca_long.csv",
        "nca_wide.csv",
        "nca.json",
        "nca_errors.csv",
        "fit_summary.csv",
        "fit_estimates.csv",
        "fit_predictions.csv",
        "fit.json",
        "summary.csv",
        "persistence_landmarks.csv",
        "survival.csv",
        "response_rates.csv",
        "exposure_response_logistic.csv",
        "exposure_response.csv",
        "tissue_to_blood.csv",
        "estimates.csv",
        "visits.csv",
        "warnings.csv",
        "report.html",
        "plots/cohort_blood_qpcr.png",
        "plots/gof_blood_qpcr.png",
        "plots/km_persistence.png",
        "plots/km_os.png",
        "plots/km_rfs.png",
        "plots/exposure_response_cmax.png",
        "plots/cmax_by_response.png",
        "plots/auc0-28d_by_response.png",
        "plots/patients/SIM001.png",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }

    // Independent computation: geometric mean and CV% of blood qPCR Cmax from the NCA
    // table, by the textbook formulas exp(mean ln x) and 100 sqrt(exp(var ln x) - 1), over
    // the profiles with a full NCA (>= 5 sampling times with a result): every one here (the
    // first to die, SIM024 on day 36, has its 8 samples to day 28).
    let blood_qpcr: Vec<_> = read_csv(&out.join("nca_wide.csv"))
        .into_iter()
        .filter(|r| r["matrix"] == "blood" && r["assay"] == "qpcr")
        .collect();
    assert_eq!(blood_qpcr.len(), 48);
    let cmax: Vec<f64> = blood_qpcr
        .iter()
        .filter(|r| num(&r["n.samples [count]"]) >= 5.0)
        .map(|r| num(&r["cmax [conc_unit]"]))
        .collect();
    assert_eq!(cmax.len(), 48);
    let logs: Vec<f64> = cmax.iter().map(|x| x.ln()).collect();
    let m = logs.iter().sum::<f64>() / 48.0;
    let var = logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / 47.0;
    let summary = read_csv(&out.join("summary.csv"));
    let row = summary
        .iter()
        .find(|r| {
            r["matrix"] == "blood"
                && r["assay"] == "qpcr"
                && r["group"] == "all"
                && r["parameter"] == "cmax"
        })
        .unwrap();
    assert_eq!(row["n"], "48");
    assert!(close(num(&row["geo_mean"]), m.exp(), 1e-12));
    assert!(close(
        num(&row["geo_cv_pct"]),
        100.0 * (var.exp() - 1.0).sqrt(),
        1e-12
    ));
    // R 4.2.2 on the same NCA table, the full-NCA rule counted from the input
    // (crates/cli/tests/fixtures/run_reference.R): exp(mean(log(cm))) = 28968.378397904969;
    // 100*sqrt(exp(var(log(cm)))-1) = 104.20721783949605; median(cm) = 28421.3;
    // sd(cm) = 50387.998131428343.
    assert!(close(num(&row["geo_mean"]), 28968.37839790497, 1e-9));
    assert!(close(num(&row["geo_cv_pct"]), 104.20721783949605, 1e-9));
    assert!(close(num(&row["median"]), 28421.3, 1e-12));
    assert!(close(num(&row["sd"]), 50387.99813142834, 1e-9));

    // Exposure-response, blood qPCR, responders (CR/CRi) vs not; R 4.2.2 (same script):
    // wilcox.test(cm[r], cm[!r])$p.value = 0.02738997882208824 (exact: 34 vs 14, no ties);
    // wilcox.test(auc[r], auc[!r])$p.value = 0.010985490793254931;
    // exp(t.test(log(cm[r]), log(cm[!r]))$conf.int) = 1.0816384935775647 2.5875705237794024;
    // exp(mean(log(cm[r])) - mean(log(cm[!r]))) = 1.6729661931331616.
    let er = read_csv(&out.join("exposure_response.csv"));
    let c = er
        .iter()
        .find(|r| r["matrix"] == "blood" && r["assay"] == "qpcr" && r["parameter"] == "cmax")
        .unwrap();
    assert_eq!(
        (c["n_responders"].as_str(), c["n_non_responders"].as_str()),
        ("34", "14")
    );
    assert!(close(num(&c["wilcoxon_p"]), 0.02738997882208824, 1e-9));
    assert_eq!(c["wilcoxon_exact"], "true");
    assert!(close(num(&c["gm_ratio"]), 1.6729661931331616, 1e-9));
    assert!(close(
        num(&c["gm_ratio_lower_95"]),
        1.0816384935775647,
        1e-9
    ));
    assert!(close(
        num(&c["gm_ratio_upper_95"]),
        2.5875705237794024,
        1e-9
    ));
    let a = er
        .iter()
        .find(|r| {
            r["matrix"] == "blood" && r["assay"] == "qpcr" && r["parameter"] == "aucint.last.0-28"
        })
        .unwrap();
    assert!(close(num(&a["wilcoxon_p"]), 0.010985490793254931, 1e-9));

    // Persistence as time-to-event: Kaplan-Meier landmark estimates for blood qPCR at the
    // default landmark days, with who was censored before each.
    let q = read_csv(&out.join("persistence_landmarks.csv"));
    let days: Vec<&str> = q
        .iter()
        .filter(|r| r["matrix"] == "blood" && r["assay"] == "qpcr")
        .map(|r| r["day"].as_str())
        .collect();
    assert_eq!(days, ["28", "84", "168", "365"]);
    for c in ["n_risk", "persistence", "lower", "upper", "censored_before"] {
        assert!(q[0].contains_key(c), "persistence_landmarks.csv: {c}");
    }
    // Nobody is lost before day 28 (every patient is quantifiable then).
    assert_eq!(q[0]["persistence"], "1");
    // Those censored before a landmark because they died are named as such: SIM003 died on
    // day 21 (subjects file), still quantifiable at its last sample.
    assert_eq!(q[0]["censored_before"], "SIM003");
    assert_eq!(q[0]["died_before"], "SIM003:21");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("1 (1 died): SIM003 (died day 21)"));
    // SIM003's figure (inline, 48 patients) marks the death where its samples end.
    assert!(html.contains("died, day 21"));
}

/// The trial endpoints of issue 11 on the README's main command: the adult R/R trial's ORR
/// (34/48 = 70.8%, Clopper-Pearson 95% CI 55.9-83.0; R: `binom.test(34, 48)$conf.int` =
/// 0.5593652 0.8304692), the persistence and OS/RFS Kaplan-Meier curves and the logistic
/// exposure-response fit, in the CSV files, report.json and report.html.
#[test]
fn example_run_reports_trial_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    run_example(&out, &[]);

    let rr = read_csv(&out.join("response_rates.csv"));
    let all = rr
        .iter()
        .find(|r| r["column"] == "response" && r["group"] == "all")
        .expect("overall response rate");
    assert_eq!(
        (all["responders"].as_str(), all["evaluable"].as_str()),
        ("34", "48")
    );
    assert!(close(num(&all["rate_pct"]), 100.0 * 34.0 / 48.0, 1e-12));
    assert!(close(num(&all["lower_pct"]), 55.93652, 1e-6));
    assert!(close(num(&all["upper_pct"]), 83.04692, 1e-6));
    assert_eq!(all["ci_method"], "clopper-pearson");

    let surv = read_csv(&out.join("survival.csv"));
    for c in [
        "endpoint",
        "by",
        "group",
        "n",
        "n_events",
        "median_day",
        "median_lower_day",
        "median_upper_day",
        "landmark_day",
        "n_risk",
        "survival",
        "survival_lower",
        "survival_upper",
        "log_rank_p",
    ] {
        assert!(surv[0].contains_key(c), "survival.csv: {c}");
    }
    for e in ["persistence", "OS", "RFS", "EFS"] {
        assert!(
            surv.iter()
                .any(|r| r["endpoint"] == e && r["by"] == "all" && r["n"] != "0"),
            "survival.csv: {e}"
        );
        assert!(
            surv.iter()
                .any(|r| r["endpoint"] == e && r["by"] == "response"),
            "survival.csv: {e} by response"
        );
    }
    let os = surv
        .iter()
        .find(|r| r["endpoint"] == "OS" && r["by"] == "all")
        .unwrap();
    assert_eq!(os["n"], "48");

    let lr = read_csv(&out.join("exposure_response_logistic.csv"));
    let metrics: Vec<&str> = lr.iter().map(|r| r["metric"].as_str()).collect();
    assert_eq!(metrics.len(), 2, "Cmax and AUC0-28d: {metrics:?}");
    // The logistic fit takes the patients of the exposure-response table (see
    // sparse_profiles_give_no_exposure_to_any_analysis).
    let er = read_csv(&out.join("exposure_response.csv"));
    let table = er
        .iter()
        .find(|r| r["matrix"] == "blood" && r["assay"] == "qpcr" && r["parameter"] == "cmax")
        .unwrap();
    let n_table = num(&table["n_responders"]) + num(&table["n_non_responders"]);
    // R 4.2.2, MASS 7.3-58 (crates/cli/tests/fixtures/run_reference.R):
    // exp(coef(glm(r ~ log2(x), binomial))[2]), exp(confint.default(.)), exp(confint(.)).
    let r_values = [
        (
            "cmax",
            1.7603142689691857,
            (0.9617752512388711, 3.2218611588778647),
            (1.0054954472610893, 3.434820449484497),
        ),
        (
            "aucint.last.0-28",
            1.8569612151694275,
            (1.0075719959387184, 3.4223906267173057),
            (1.0494410959200196, 3.644250736316997),
        ),
    ];
    for (r, (metric, or_r, wald_r, profile_r)) in lr.iter().zip(r_values) {
        assert_eq!(r["metric"], metric);
        assert_eq!((r["n"].as_str(), r["n_responders"].as_str()), ("48", "34"));
        assert_eq!(num(&r["n"]), n_table);
        let or = num(&r["odds_ratio_per_doubling"]);
        assert!(close(or, or_r, 1e-9), "{metric}: {or}");
        // glm's standard error uses the weights of its penultimate iterate (see
        // crates/report/tests/endpoints_reference.rs); MASS interpolates the profile.
        assert!(close(num(&r["wald_lower"]), wald_r.0, 1e-6));
        assert!(close(num(&r["wald_upper"]), wald_r.1, 1e-6));
        assert!(close(num(&r["profile_lower"]), profile_r.0, 1e-3));
        assert!(close(num(&r["profile_upper"]), profile_r.1, 1e-3));
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    for k in [
        "response_rates",
        "survival",
        "persistence_landmarks",
        "exposure_response_logistic",
    ] {
        assert!(
            json[k].as_array().is_some_and(|a| !a.is_empty()),
            "report.json: {k}"
        );
    }

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Curves by response from infusion carry immortal-time bias: the page says so.
    assert!(html.contains("immortal-time bias"));
    // Regression: the exposure-by-response table chose one notation for all its rows, so a
    // flow %CAR+ geometric mean of 29.4 read 2.94e1 beside the qPCR rows' 3.37e4.
    assert!(html.contains("<td>34, 29.4</td>") && html.contains("<td>34, 3.37e4</td>"));
    assert!(html.contains("<section id=\"endpoints\">"));
    assert!(html.contains("34/48"), "response rate in the page");
    assert!(
        html.contains("70.8 (55.9-83.0)"),
        "ORR with its exact CI in the page"
    );
    for f in [
        "plots/km_persistence.png",
        "plots/km_os_by_response.png",
        "plots/km_rfs_by_response.png",
        "plots/exposure_response_cmax.png",
        "plots/exposure_response_auc_0_28.png",
        "plots/cmax_by_response.png",
    ] {
        assert!(html.contains(f), "{f} in the page");
    }
    // The old "quantifiable among those sampled" table is gone.
    assert!(!html.contains("quantifiable / sampled"));
}

/// `cartpk run` on `text` (an edited copy of the example's assay file, written to
/// `dir/assay.csv`) with the example's subjects file, into `dir/results`; the exit code
/// must be `code`.
fn run_on_copy(dir: &std::path::Path, text: &str, code: i32) -> std::path::PathBuf {
    let input = dir.join("assay.csv");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("results");
    cartpk()
        .arg("run")
        .arg(&input)
        .arg("--subjects")
        .arg(workspace_file("data/seed_cohort_subjects.csv"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(code);
    out
}

#[test]
fn report_is_self_contained_and_lists_warnings_and_skipped_profiles() {
    let dir = tempfile::tempdir().unwrap();
    // A copy of the example with one bad row: its profile is skipped and listed in the
    // report; the run exits 3, as `cartpk nca` does (issue 9).
    let mut text = std::fs::read_to_string(workspace_file("data/seed_cohort.csv")).unwrap();
    let bad_line = text.lines().count() + 1;
    text.push_str("SIM001,blood,qpcr,abc,100,copies/ug,50\n");
    let out = run_on_copy(dir.path(), &text, 3);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!("assay.csv:{bad_line}:4: column &#39;time&#39;")),
        "the bad row is in the report"
    );
    assert!(html.contains("SIM001/blood/qpcr"));
    assert!(
        html.contains("lin up/log down") && html.contains("Stein et al. 2019"),
        "settings"
    );
    for forbidden in ["<script", "src=\"http", "href=\"http", "<link"] {
        assert!(
            !html.contains(forbidden),
            "{forbidden}: the report must load nothing"
        );
    }
    // Tables and inline figures: one per patient, cohort and goodness-of-fit plots.
    assert!(html.matches("<table").count() >= 8);
    assert!(html.matches("<svg").count() >= 48 + 4);
}

#[test]
fn rerun_replaces_its_own_files_and_keeps_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    run_example(&out, &[]);
    std::fs::write(out.join("notes.txt"), "the user's").unwrap();
    run_example(&out, &[]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "the user's",
        "a file cartpk did not write is never deleted"
    );
    assert!(out.join("report.html").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "results")
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging or old directories left behind: {leftovers:?}"
    );
}

/// The acceptance of issue 10 on data/seed_cohort.csv: no tissue AUC, Tmax or half-life in
/// the report or its summary tables; estimates failing the criteria excluded and counted;
/// the warnings start with the kinds that change numbers; a warnings table.
#[test]
fn seed_cohort_report_fits_the_sampling_and_the_criteria() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    run_example(&out, &[]);
    let summary = read_csv(&out.join("summary.csv"));
    assert!(!summary.is_empty());
    for r in &summary {
        assert_eq!(r["matrix"], "blood", "only blood is sampled richly: {r:?}");
    }
    let estimates = read_csv(&out.join("estimates.csv"));
    assert!(estimates.iter().all(|r| r["matrix"] == "blood"));
    // Marrow and CSF as visits: marrow at days 28, 84, 168; CSF at day 28.
    let visits = read_csv(&out.join("visits.csv"));
    let days = |m: &str| -> Vec<String> {
        visits
            .iter()
            .filter(|r| r["matrix"] == m && r["group"] == "all")
            .map(|r| r["day"].clone())
            .collect()
    };
    assert_eq!(days("marrow"), ["28", "84", "168"]);
    assert_eq!(days("csf"), ["28"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for t in [
        "csf qPCR: all patients",
        "marrow qPCR: all patients",
        "csf qPCR: individual",
        "marrow qPCR: individual",
    ] {
        assert!(!html.contains(t), "{t}");
    }
    assert!(html.contains("csf qPCR: concentration at each visit"));
    // The visits tables give the n their statistics are over: sampled less BLQ here (the
    // seed cohort has no missing result).
    for r in &visits {
        let n = |k: &str| r[k].parse::<usize>().unwrap();
        assert_eq!(n("n"), n("n_sampled") - n("n_blq"), "{r:?}");
    }
    assert!(html.contains("<th>n quantified</th>"));

    // Half-lives failing the criteria are left out and counted, with the reasons; every
    // profile is accounted for.
    let hl = summary
        .iter()
        .find(|r| r["assay"] == "qpcr" && r["group"] == "all" && r["parameter"] == "half.life")
        .unwrap();
    let count = |k: &str| hl[k].parse::<usize>().unwrap();
    assert!(count("n_excluded") > 0);
    assert!(hl["excluded_reasons"].contains("span_short"), "{hl:?}");
    assert_eq!(
        count("n") + count("n_excluded") + count("n_missing") + count("n_blq"),
        48
    );
    assert_eq!(
        (hl["pptestcd"].as_str(), hl["label"].as_str()),
        ("LAMZHL", "t1/2")
    );
    // The excluded estimates are in estimates.csv, flagged with the reason.
    let flagged = estimates
        .iter()
        .filter(|r| {
            r["assay"] == "qpcr" && r["parameter"] == "half.life" && r["included"] == "false"
        })
        .count();
    assert_eq!(flagged, count("n_excluded"));
    // Dose-normalised values per 10^8 CAR+ cells (the subjects file gives 5e7 cells).
    let dn = summary
        .iter()
        .find(|r| r["assay"] == "qpcr" && r["group"] == "all" && r["parameter"] == "cmax.dn")
        .unwrap();
    assert_eq!(dn["unit"], "copies/ug per 10^8 CAR+ cells");
    let cmax = summary
        .iter()
        .find(|r| r["assay"] == "qpcr" && r["group"] == "all" && r["parameter"] == "cmax")
        .unwrap();
    assert!((num(&dn["geo_mean"]) / num(&cmax["geo_mean"]) - 2.0).abs() < 1e-9);

    // Warnings: a table with the issue's columns, and the report's groups most serious
    // first.
    let text = std::fs::read_to_string(out.join("warnings.csv")).unwrap();
    assert!(text.starts_with("file,line,subject,matrix,assay,kind,severity,message\n"));
    let w = read_csv(&out.join("warnings.csv"));
    let rank = |s: &str| {
        ["skipped", "excluded", "changes", "note"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    assert!(w
        .windows(2)
        .all(|p| rank(&p[0]["severity"]) <= rank(&p[1]["severity"])));
    let section = &html[html.find("<section id=\"warnings\"").unwrap()..];
    let first = &section[section.find("<details class=\"sev-").unwrap()..][..40];
    assert!(
        first.contains("sev-excluded") || first.contains("sev-skipped"),
        "{first}"
    );
    // Provenance: checksum of the input.
    let sha = html.split("SHA-256 of ").nth(1).unwrap();
    let hex = sha
        .split("<td>")
        .nth(1)
        .unwrap()
        .split("</td>")
        .next()
        .unwrap();
    assert!(
        hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{hex}"
    );
    assert!(html.contains("run date (UTC)") && html.contains("command line"));
}

/// Beyond --inline-patients, patient figures are linked PNG files, not inlined.
#[test]
fn large_cohorts_link_patient_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    run_example(&out, &["--inline-patients", "10"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(
        "<a href=\"plots/patients/SIM001.png\" title=\"open full size\"><img loading=\"lazy\" src=\"plots/patients/SIM001.png\""
    ));
    // 48 patients > 10: every patient figure is linked; so are the endpoint figures.
    assert_eq!(
        html.matches("<img loading=\"lazy\" src=\"plots/patients/")
            .count(),
        48
    );
    // Only the cohort and goodness-of-fit figures and the 2 box plots are inline.
    assert!(html.matches("<svg").count() <= 6 + 2);
}

/// Runs headless Chromium on `page` at 1400 px wide; returns (DOM, screenshot path).
fn chromium(dir: &std::path::Path, page: &std::path::Path) -> Option<(String, std::path::PathBuf)> {
    let chromium = ["/usr/bin/chromium", "chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })?;
    let common = |cmd: &mut std::process::Command| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,2000",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("chromium-profile").display()
        ));
    };
    let shot = dir.join("report.png");
    let mut cmd = std::process::Command::new(chromium);
    common(&mut cmd);
    let s = cmd
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        s.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&s.stderr)
    );
    let mut cmd = std::process::Command::new(chromium);
    common(&mut cmd);
    let dom = cmd
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    Some((String::from_utf8_lossy(&dom.stdout).into_owned(), shot))
}

/// Loads report.html in headless Chromium at 1400 px: a screenshot is taken, and a probe
/// (a copy of the page with a script appended, since the report itself has none) writes
/// into the DOM the sections present, the figures loaded and the page's scroll width, so
/// that `--dump-dom` shows them. Without Chromium the test says so and passes locally;
/// under CI it fails.
#[test]
fn report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    // 10 patients inline: the other figures are linked files, which must load too.
    run_example(&out, &["--inline-patients", "10"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let probe = out.join("probe.html");
    let script = r#"<script>
window.addEventListener('load', () => {
  const ids = [...document.querySelectorAll('section[id]')].map(s => s.id).join(',');
  const imgs = [...document.images];
  const loaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const p = document.createElement('pre');
  p.id = 'probe';
  p.textContent = `sections=${ids};images=${imgs.length};loaded=${loaded};svgs=${document.querySelectorAll('svg').length};scrollWidth=${document.documentElement.scrollWidth};clientWidth=${document.documentElement.clientWidth}`;
  document.body.appendChild(p);
});
</script>"#;
    std::fs::write(&probe, html.replace("</body>", &format!("{script}</body>"))).unwrap();
    let Some((dom, shot)) = chromium(dir.path(), &probe) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium (see .ci/run)"
        );
        eprintln!("chromium not installed: report_renders_in_headless_chromium checked nothing");
        return;
    };
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a screenshot of the page"
    );
    let probe = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not run: {}", &dom[..dom.len().min(500)]));
    let field = |k: &str| -> String {
        probe
            .split(';')
            .find_map(|f| f.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k} in {probe}"))
            .to_string()
    };
    for s in [
        "exposure",
        "visits",
        "endpoints",
        "exposure-response",
        "estimates",
        "fits",
        "cohort",
        "patients",
        "subjects",
        "settings",
        "warnings",
    ] {
        assert!(
            field("sections").split(',').any(|x| x == s),
            "section {s}: {probe}"
        );
    }
    // 38 linked patient figures, the endpoint figures (Kaplan-Meier, exposure-response).
    let images: usize = field("images").parse().unwrap();
    assert!(images >= 38 + 12, "{probe}");
    assert_eq!(
        field("loaded"),
        field("images"),
        "every linked figure loads: {probe}"
    );
    assert!(field("svgs").parse::<usize>().unwrap() >= 5, "{probe}");
    let (sw, cw): (usize, usize) = (
        field("scrollWidth").parse().unwrap(),
        field("clientWidth").parse().unwrap(),
    );
    assert!(sw <= cw, "no horizontal overflow at 1400 px: {probe}");
}

/// `run` takes the options of `nca` that change a number, with the same effect: a manual
/// lambda_z window and a default dose (issue 10: "run and plot accept every option that
/// changes a number").
#[test]
fn run_applies_lambda_z_overrides_and_the_default_dose() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let overrides = crate::util::fixture("lz_override.csv");
    cartpk()
        .arg("run")
        .arg(workspace_file("crates/nca/tests/data/cart_small.csv"))
        .arg("--out")
        .arg(&out)
        .args([
            "--quiet",
            "--dose",
            "2e6",
            "--dose-unit",
            "cells/kg",
            "--lambda-z-overrides",
        ])
        .arg(&overrides)
        .assert()
        .code(0);
    let wide = read_csv(&out.join("nca_wide.csv"));
    let row = wide
        .iter()
        .find(|r| r["subject"] == "P00001" && r["matrix"] == "blood" && r["assay"] == "qpcr")
        .unwrap();
    // The override's window (cartpk nca gives the same: lambda_z_override_sets_the_fit_window).
    assert_eq!(num(&row["lambda.z.time.first [day]"]), 56.0);
    assert_eq!(num(&row["lambda.z.time.last [day]"]), 168.0);
    // Dose-normalised Cmax per 10^6 cells/kg: Cmax / 2e6 * 1e6 = Cmax / 2.
    let est = read_csv(&out.join("estimates.csv"));
    let get = |p: &str| {
        est.iter()
            .find(|r| {
                r["subject"] == "P00001"
                    && r["matrix"] == "blood"
                    && r["assay"] == "qpcr"
                    && r["parameter"] == p
            })
            .map(|r| (num(&r["value"]), r["unit"].clone()))
            .unwrap()
    };
    let (cmax, _) = get("cmax");
    let (dn, unit) = get("cmax.dn");
    assert!((dn - cmax / 2.0).abs() <= 1e-12 * cmax);
    assert!(unit.ends_with("per 10^6 cells/kg"), "{unit}");
}

/// Regression: the trial endpoints took the Cmax of a profile sampled too sparsely for NCA
/// (left out of the summaries and of the exposure-response table) for their logistic fit
/// and exposure groups. Here SIM024's blood qPCR keeps its first four samples only.
#[test]
fn sparse_profiles_give_no_exposure_to_any_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(workspace_file("data/seed_cohort.csv")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            !(f[0] == "SIM024" && f[1] == "blood" && f[2] == "qpcr" && num(f[3]) > 4.0)
        })
        .collect();
    let out = run_on_copy(dir.path(), &(kept.join("\n") + "\n"), 0);
    let warnings = std::fs::read_to_string(out.join("warnings.csv")).unwrap();
    assert!(warnings.contains("SIM024,blood,qpcr,sparse_sampling"));
    let er = read_csv(&out.join("exposure_response.csv"));
    let table = er
        .iter()
        .find(|r| r["matrix"] == "blood" && r["assay"] == "qpcr" && r["parameter"] == "cmax")
        .unwrap();
    assert_eq!(
        (
            table["n_responders"].as_str(),
            table["n_non_responders"].as_str()
        ),
        ("33", "14")
    );
    for r in read_csv(&out.join("exposure_response_logistic.csv")) {
        assert_eq!(
            (r["n"].as_str(), r["n_responders"].as_str()),
            ("47", "33"),
            "{r:?}"
        );
    }
    // The exposure groups of the survival tables: 47 patients split at the median Cmax.
    let surv = read_csv(&out.join("survival.csv"));
    let groups: std::collections::BTreeMap<&str, f64> = surv
        .iter()
        .filter(|r| r["endpoint"] == "OS" && r["by"].starts_with("Cmax above"))
        .map(|r| (r["group"].as_str(), num(&r["n"])))
        .collect();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups.values().sum::<f64>(), 47.0, "{groups:?}");
}
