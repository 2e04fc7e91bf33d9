//! Endpoint statistics against R 4.2.2 (survival 3.5-3, MASS 7.3-58): every number in
//! `tests/fixtures/*.csv` was written by `tests/fixtures/endpoints.R` (run from the
//! repository root) and is matched here to 1e-6 relative (most to 1e-12).

use cartpk_report::logistic::logistic_regression;
use cartpk_report::response::{proportion, CiMethod};
use cartpk_report::stats::kruskal_wallis;
use cartpk_report::survival::{kaplan_meier, log_rank, ConfType, KmOptions, TimeToEvent};
use std::collections::{BTreeMap, HashMap};

const TOL: f64 = 1e-6;

type Row = HashMap<String, String>;

fn read(name: &str) -> Vec<Row> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(r: &Row, k: &str) -> Option<f64> {
    let v = &r[k];
    (v != "NA").then(|| v.parse::<f64>().unwrap_or_else(|_| panic!("{k}: {v}")))
}

fn close(what: &str, got: Option<f64>, want: Option<f64>) {
    match (got, want) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= TOL * w.abs().max(1e-3),
            "{what}: cartpk {g:.17} vs R {w:.17}"
        ),
        _ => panic!("{what}: cartpk {got:?} vs R {want:?}"),
    }
}

/// dataset -> group -> observations ("all" included).
fn km_data() -> BTreeMap<String, BTreeMap<String, Vec<TimeToEvent>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<TimeToEvent>>> = BTreeMap::new();
    for r in read("km_data.csv") {
        let o = TimeToEvent {
            time: num(&r, "time").unwrap(),
            event: num(&r, "event").unwrap() == 1.0,
        };
        let d = out.entry(r["dataset"].clone()).or_default();
        d.entry("all".into()).or_default().push(o);
        d.entry(r["group"].clone()).or_default().push(o);
    }
    out
}

fn options(ct: &str) -> KmOptions {
    KmOptions {
        conf_type: ConfType::parse(ct).unwrap(),
        level: 0.95,
    }
}

#[test]
fn binomial_intervals_match_r() {
    let rows = read("binomial.csv");
    assert_eq!(rows.len(), 42);
    for r in rows {
        let (x, n) = (
            num(&r, "x").unwrap() as usize,
            num(&r, "n").unwrap() as usize,
        );
        let m = CiMethod::parse(&r["method"]).unwrap();
        let p = proportion(x, n, 0.95, m).unwrap();
        let what = format!("{x}/{n} {}", m.name());
        close(&format!("{what} lower"), Some(p.lower), num(&r, "lower"));
        close(&format!("{what} upper"), Some(p.upper), num(&r, "upper"));
    }
}

#[test]
fn kaplan_meier_steps_match_survfit() {
    let data = km_data();
    let rows = read("km_steps.csv");
    let mut by_curve: BTreeMap<(String, String, String), Vec<Row>> = BTreeMap::new();
    for r in rows {
        let k = (
            r["dataset"].clone(),
            r["group"].clone(),
            r["conf_type"].clone(),
        );
        by_curve.entry(k).or_default().push(r);
    }
    assert!(by_curve.len() >= 60);
    for ((ds, g, ct), rows) in by_curve {
        let fit = kaplan_meier(&data[&ds][&g], options(&ct)).unwrap();
        assert_eq!(fit.steps.len(), rows.len(), "{ds} {g} {ct}");
        for (s, r) in fit.steps.iter().zip(&rows) {
            let what = format!("{ds} {g} {ct} t={}", s.time);
            assert_eq!(Some(s.time), num(r, "time"), "{what}");
            assert_eq!(Some(s.n_risk as f64), num(r, "n_risk"), "{what}");
            assert_eq!(Some(s.n_event as f64), num(r, "n_event"), "{what}");
            assert_eq!(Some(s.n_censor as f64), num(r, "n_censor"), "{what}");
            close(&format!("{what} surv"), Some(s.surv), num(r, "surv"));
            let se = s.std_err.is_finite().then_some(s.std_err);
            let r_se = num(r, "std_err").filter(|v| v.is_finite());
            close(&format!("{what} std.err"), se, r_se);
            close(&format!("{what} lower"), s.lower, num(r, "lower"));
            close(&format!("{what} upper"), s.upper, num(r, "upper"));
        }
    }
}

#[test]
fn quantiles_and_medians_match_quantile_survfit() {
    let data = km_data();
    for r in read("km_quantiles.csv") {
        let (ds, g, ct) = (&r["dataset"], &r["group"], &r["conf_type"]);
        let fit = kaplan_meier(&data[ds][g], options(ct)).unwrap();
        let p = num(&r, "p").unwrap();
        let q = fit.quantile(p);
        let what = format!("{ds} {g} {ct} p={p}");
        close(&format!("{what} quantile"), q.estimate, num(&r, "quantile"));
        close(&format!("{what} lower"), q.lower, num(&r, "lower"));
        close(&format!("{what} upper"), q.upper, num(&r, "upper"));
    }
}

#[test]
fn landmarks_and_numbers_at_risk_match_summary_survfit() {
    let data = km_data();
    let rows = read("km_landmarks.csv");
    assert!(rows.len() > 200);
    for r in rows {
        let (ds, g, ct) = (&r["dataset"], &r["group"], &r["conf_type"]);
        let fit = kaplan_meier(&data[ds][g], options(ct)).unwrap();
        let t = num(&r, "time").unwrap();
        let l = fit.at(t).unwrap();
        let what = format!("{ds} {g} {ct} t={t}");
        assert_eq!(Some(l.n_risk as f64), num(&r, "n_risk"), "{what}");
        close(&format!("{what} surv"), Some(l.surv), num(&r, "surv"));
        let se = l.std_err.is_finite().then_some(l.std_err);
        close(&format!("{what} std.err"), se, num(&r, "std_err"));
        close(&format!("{what} lower"), l.lower, num(&r, "lower"));
        close(&format!("{what} upper"), l.upper, num(&r, "upper"));
    }
}

#[test]
fn log_rank_matches_survdiff() {
    let data = km_data();
    let groups_rows = read("logrank_groups.csv");
    for r in read("logrank.csv") {
        let ds = &r["dataset"];
        let groups: Vec<(String, Vec<TimeToEvent>)> = data[ds]
            .iter()
            .filter(|(g, _)| *g != "all")
            .map(|(g, v)| (g.clone(), v.clone()))
            .collect();
        let lr = log_rank(&groups).unwrap();
        close(&format!("{ds} chisq"), Some(lr.chisq), num(&r, "chisq"));
        close(&format!("{ds} p"), Some(lr.p_value), num(&r, "p_value"));
        assert_eq!(Some(lr.df as f64), num(&r, "df"));
        for gr in groups_rows.iter().filter(|g| &g["dataset"] == ds) {
            let i = lr.groups.iter().position(|g| g == &gr["group"]).unwrap();
            close(
                &format!("{ds} O"),
                Some(lr.observed[i]),
                num(gr, "observed"),
            );
            close(
                &format!("{ds} E"),
                Some(lr.expected[i]),
                num(gr, "expected"),
            );
        }
    }
}

#[test]
fn logistic_regression_matches_glm() {
    let mut data: BTreeMap<String, (Vec<bool>, Vec<f64>)> = BTreeMap::new();
    for r in read("logistic_data.csv") {
        let d = data.entry(r["dataset"].clone()).or_default();
        d.0.push(num(&r, "y").unwrap() == 1.0);
        d.1.push(num(&r, "x").unwrap());
    }
    let mut fits = BTreeMap::new();
    for (ds, (y, x)) in &data {
        fits.insert(
            ds.clone(),
            logistic_regression(y, &[("x", x)], 0.95).unwrap(),
        );
    }
    for r in read("logistic.csv") {
        let fit = &fits[&r["dataset"]];
        let j = usize::from(r["term"] == "x");
        let c = &fit.coefficients[j];
        let what = format!("{} {}", r["dataset"], r["term"]);
        close(
            &format!("{what} estimate"),
            Some(c.estimate),
            num(&r, "estimate"),
        );
        close(&format!("{what} se"), Some(c.std_err), num(&r, "std_err"));
        close(&format!("{what} z"), Some(c.z), num(&r, "z"));
        close(&format!("{what} p"), Some(c.p_value), num(&r, "p_value"));
        // Bounds near 0 are compared on the scale of the standard error. R's standard errors
        // use the IRLS weights of the penultimate iterate (glm.fit's QR), ours those of the
        // converged estimate: they differ by ~4e-8 relative.
        for (got, want) in [(c.wald.0, "wald_lower"), (c.wald.1, "wald_upper")] {
            let w = num(&r, want).unwrap();
            assert!(
                (got - w).abs() <= TOL * c.std_err,
                "{what} {want}: {got} vs {w}"
            );
        }
        close(
            &format!("{what} profile lo"),
            c.profile.0,
            num(&r, "profile_lower"),
        );
        close(
            &format!("{what} profile hi"),
            c.profile.1,
            num(&r, "profile_upper"),
        );
        // MASS/R 4.2 `confint` interpolates the profile on a grid (spline through ~10
        // points per side): within 1% of a standard error of the exact root here.
        for (got, want) in [(c.profile.0, "mass_lower"), (c.profile.1, "mass_upper")] {
            let (g, w) = (got.unwrap(), num(&r, want).unwrap());
            assert!(
                (g - w).abs() < 1e-2 * c.std_err,
                "{what} {want}: {g} vs {w}"
            );
        }
        close(
            &format!("{what} deviance"),
            Some(fit.deviance),
            num(&r, "deviance"),
        );
        close(
            &format!("{what} null"),
            Some(fit.null_deviance),
            num(&r, "null_deviance"),
        );
    }
    for r in read("logistic_predict.csv") {
        let fit = &fits[&r["dataset"]];
        let p = fit.predict(&[num(&r, "x").unwrap()]).unwrap();
        let what = format!("{} predict x={}", r["dataset"], r["x"]);
        close(&format!("{what} p"), Some(p.p), num(&r, "p"));
        close(&format!("{what} lower"), Some(p.lower), num(&r, "lower"));
        close(&format!("{what} upper"), Some(p.upper), num(&r, "upper"));
    }
}

#[test]
fn kruskal_wallis_matches_kruskal_test() {
    let mut data: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for r in read("kruskal_data.csv") {
        data.entry(r["dataset"].clone())
            .or_default()
            .entry(r["group"].clone())
            .or_default()
            .push(num(&r, "value").unwrap());
    }
    for r in read("kruskal.csv") {
        let groups: Vec<&[f64]> = data[&r["dataset"]].values().map(Vec::as_slice).collect();
        let k = kruskal_wallis(&groups).unwrap();
        close(
            &format!("{} H", r["dataset"]),
            Some(k.statistic),
            num(&r, "statistic"),
        );
        close(
            &format!("{} p", r["dataset"]),
            Some(k.p_value),
            num(&r, "p_value"),
        );
        assert_eq!(Some(k.df as f64), num(&r, "df"));
    }
}
