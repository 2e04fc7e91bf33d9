//! The endpoint tables of the example cohort (data/seed_cohort*.csv) through
//! `endpoints::endpoints`, against the R 4.2.2 values of tests/fixtures/endpoints.R (which
//! derives persistence, Cmax and the exposure groups from the CSV files on its own).

use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_core::SubjectsTable;
use cartpk_nca::{nca_profile, NcaOptions};
use cartpk_report::endpoints::{endpoints, EndpointOptions};
use std::collections::HashMap;
use std::path::Path;

fn rows(name: &str) -> Vec<HashMap<String, String>> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(r: &HashMap<String, String>, k: &str) -> Option<f64> {
    (r[k] != "NA").then(|| r[k].parse().unwrap())
}

fn close(what: &str, got: Option<f64>, want: Option<f64>) {
    match (got, want) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1e-3),
            "{what}: {g} vs {w}"
        ),
        _ => panic!("{what}: {got:?} vs {want:?}"),
    }
}

#[test]
fn example_cohort_endpoints_match_r() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = read_path(
        &root.join("data/seed_cohort.csv"),
        &IngestOptions::default(),
    )
    .unwrap();
    let subjects = SubjectsTable::read(&root.join("data/seed_cohort_subjects.csv"), b',').unwrap();
    let nca: Vec<_> = data
        .profiles
        .iter()
        .map(|p| nca_profile(p, &NcaOptions::default(), None).ok())
        .collect();
    let pairs: Vec<_> = data
        .profiles
        .iter()
        .zip(nca.iter().map(Option::as_ref))
        .collect();
    let e = endpoints(&pairs, Some(&subjects), &EndpointOptions::default());

    // Response: 34/48 CR/CRi, the adult R/R trial's count (binom.test: 0.5593652-0.8304692).
    let r = &e.response[0];
    assert_eq!(
        (r.column.as_str(), r.rate.successes, r.rate.n),
        ("response", 34, 48)
    );
    close("ORR lower", Some(r.rate.lower), Some(0.55936523));
    // OS, RFS, EFS detected from the columns.
    let names: Vec<&str> = e
        .time_to_event
        .iter()
        .map(|t| t.columns.name.as_str())
        .collect();
    assert_eq!(names, ["OS", "RFS", "EFS"]);

    let q = rows("km_quantiles.csv");
    let find = |ds: &str, g: &str| {
        q.iter()
            .find(|r| {
                r["dataset"] == ds && r["group"] == g && r["conf_type"] == "log" && r["p"] == "0.5"
            })
            .unwrap()
    };
    // OS overall and by response (log-rank as survdiff).
    let os = &e.time_to_event[0];
    let want = find("cohort_os", "all");
    close(
        "OS median",
        os.overall.median.estimate,
        num(want, "quantile"),
    );
    close(
        "OS median lower",
        os.overall.median.lower,
        num(want, "lower"),
    );
    close(
        "OS median upper",
        os.overall.median.upper,
        num(want, "upper"),
    );
    let lr = rows("logrank.csv");
    let chisq = |ds: &str| num(lr.iter().find(|r| r["dataset"] == ds).unwrap(), "chisq");
    let by_resp = &os.stratified[0];
    assert_eq!(by_resp.by, "response");
    close(
        "OS log-rank by response",
        by_resp.log_rank.as_ref().map(|l| l.chisq),
        chisq("cohort_os"),
    );
    // RFS by Cmax median split, EFS by Cmax tertiles (groups as R builds them).
    let rfs = &e.time_to_event[1];
    let split = rfs
        .stratified
        .iter()
        .find(|s| s.by.starts_with("Cmax above"))
        .unwrap();
    close(
        "RFS log-rank by Cmax median",
        split.log_rank.as_ref().map(|l| l.chisq),
        chisq("cohort_rfs"),
    );
    let efs = &e.time_to_event[2];
    let tert = efs
        .stratified
        .iter()
        .find(|s| s.by.starts_with("Cmax tertiles"))
        .unwrap();
    close(
        "EFS log-rank by Cmax tertile",
        tert.log_rank.as_ref().map(|l| l.chisq),
        chisq("cohort_efs"),
    );

    // Persistence: every patient's record as R derives it, and the curve's median.
    let p = e.persistence.as_ref().unwrap();
    let want = rows("persistence.csv");
    assert_eq!(p.records.len(), want.len());
    for w in &want {
        let rec = p
            .records
            .iter()
            .find(|r| r.subject == w["subject"])
            .unwrap();
        assert_eq!(Some(rec.time), num(w, "time"), "{}", rec.subject);
        assert_eq!(rec.event, w["event"] == "1", "{}", rec.subject);
    }
    let want = find("cohort_persistence", "all");
    close(
        "persistence median",
        p.overall.median.estimate,
        num(want, "quantile"),
    );
    close(
        "persistence log-rank by response",
        p.by_response
            .as_ref()
            .and_then(|s| s.log_rank.as_ref())
            .map(|l| l.chisq),
        chisq("cohort_persistence"),
    );
    assert_eq!(p.landmarks.len(), 4);

    // Exposure-response on log2 Cmax as glm.
    let lg = rows("logistic.csv");
    let slope = lg
        .iter()
        .find(|r| r["dataset"] == "cohort_cmax" && r["term"] == "x")
        .unwrap();
    let f = e
        .exposure_response
        .iter()
        .find(|f| f.metric == "cmax")
        .unwrap();
    close("log OR", Some(f.odds_ratio.ln()), num(slope, "estimate"));
    close(
        "profile lower",
        f.odds_ratio_profile.0.map(f64::ln),
        num(slope, "profile_lower"),
    );
    close("p", Some(f.p_value), num(slope, "p_value"));
    assert_eq!(f.quartiles.iter().map(|q| q.response.n).sum::<usize>(), 48);
    assert!(e.exposure_response.iter().any(|f| f.metric == "auc_0_28"));

    // CRS and ICANS grade by Cmax: Kruskal-Wallis as kruskal.test.
    let kw = rows("kruskal.csv");
    for (col, ds) in [
        ("crs_grade", "cohort_cmax_by_crs"),
        ("icans_grade", "cohort_cmax_by_icans"),
    ] {
        let g = e
            .grades
            .iter()
            .find(|g| g.column == col && g.metric == "cmax")
            .unwrap();
        let want = kw.iter().find(|r| r["dataset"] == ds).unwrap();
        close(
            col,
            g.kruskal_wallis.as_ref().map(|k| k.statistic),
            num(want, "statistic"),
        );
    }
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);

    // The HTML section has the ORR as the trial prints it (rounded to nearest) and the
    // persistence landmarks with who was censored.
    let html = cartpk_report::endpoints_html::endpoints_section(
        &e,
        &[365.0, 730.0],
        &[28.0, 84.0, 168.0, 365.0],
        &|stem| Some(format!("{stem}.png")),
    );
    assert!(
        html.contains("<td>34/48</td><td>70.8 (55.9-83.0)</td>"),
        "{html}"
    );
    assert!(html.contains("km_persistence.png") && html.contains("censored before the day"));
}

#[test]
fn unreadable_event_cells_are_warnings_naming_the_subject() {
    let subjects = SubjectsTable::from_bytes(
        "subjects.csv",
        b"subject,response,os_time,os_event\nA,CR,100,1\nB,NR,abc,1\nC,CR,200,0\nD,NR,50,maybe\n",
        b',',
    )
    .unwrap();
    let e = endpoints(&[], Some(&subjects), &EndpointOptions::default());
    assert_eq!(e.time_to_event.len(), 1);
    assert_eq!(e.time_to_event[0].overall.fit.n, 2);
    assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
    assert!(e.warnings[0].contains("subjects.csv: subject 'B', columns 'os_time'/'os_event'"));
    assert!(e.warnings[1].contains("'D'") && e.warnings[1].contains("'maybe'"));
    assert_eq!((e.response[0].rate.successes, e.response[0].rate.n), (2, 4));
}

#[test]
fn example_cohort_figures_render() {
    use cartpk_plot::{ImageFormat, PlotOptions};
    use cartpk_report::endpoint_figures::endpoint_figures;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = read_path(
        &root.join("data/seed_cohort.csv"),
        &IngestOptions::default(),
    )
    .unwrap();
    let subjects = SubjectsTable::read(&root.join("data/seed_cohort_subjects.csv"), b',').unwrap();
    let nca: Vec<_> = data
        .profiles
        .iter()
        .map(|p| nca_profile(p, &NcaOptions::default(), None).ok())
        .collect();
    let pairs: Vec<_> = data
        .profiles
        .iter()
        .zip(nca.iter().map(Option::as_ref))
        .collect();
    let e = endpoints(&pairs, Some(&subjects), &EndpointOptions::default());
    let figures = endpoint_figures(&e);
    let names: Vec<&str> = figures.iter().map(|f| f.0.as_str()).collect();
    for want in [
        "km_persistence",
        "km_os_by_response",
        "km_rfs",
        "exposure_response_cmax",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // Written out when asked, to look at them: CARTPK_FIGURES=dir cargo test ...
    let dir = std::env::var_os("CARTPK_FIGURES");
    for (name, f) in &figures {
        let svg = f.render(ImageFormat::Svg, &PlotOptions::default()).unwrap();
        assert!(svg.starts_with(b"<svg"), "{name}");
        if let Some(d) = &dir {
            let png = f.render(ImageFormat::Png, &PlotOptions::default()).unwrap();
            std::fs::write(Path::new(d).join(format!("{name}.png")), png).unwrap();
        }
    }
}

#[test]
fn endpoints_given_as_dates_with_an_origin() {
    // 2024 is a leap year: 2024-02-01 to 2024-03-01 is 29 days.
    let subjects = SubjectsTable::from_bytes(
        "subjects.csv",
        b"subject,infusion_date,os_date,os_event\nA,2024-02-01,2024-03-01,1\nB,2024-01-10,2024-12-31,0\nC,2024-05-01,2024-04-01,1\n",
        b',',
    )
    .unwrap();
    let e = endpoints(&[], Some(&subjects), &EndpointOptions::default());
    let os = &e.time_to_event[0];
    assert_eq!(os.columns.origin.as_deref(), Some("infusion_date"));
    let times: Vec<f64> = os.overall.fit.steps.iter().map(|s| s.time).collect();
    assert_eq!(times, [29.0, 356.0]);
    // C's date is before its origin: a warning, not a negative time.
    assert_eq!(e.warnings.len(), 1, "{:?}", e.warnings);
    assert!(e.warnings[0].contains("'C'"));
}
