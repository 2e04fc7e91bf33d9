//! The population-fit tables (`cartpk fit --population`): the library's rows
//! (`cartpk_ck::population::report`) written as CSV and JSON, nothing computed here.

use crate::fields::{push_num, push_record};
use cartpk_ck::fit::trust::format_rse;
use cartpk_ck::population::report::PopulationTables;
use serde::Serialize;

/// A number as its CSV field (`NA` when missing).
fn num(v: Option<f64>) -> String {
    let mut out = Vec::new();
    push_num(&mut out, v);
    String::from_utf8(out).expect("push_num writes ASCII")
}

/// An RSE field: the number, `>1000` above 1000%, `NA` when missing.
fn rse(v: Option<f64>) -> String {
    match v {
        Some(r) if r <= 1000.0 => num(Some(r)),
        r => format_rse(r),
    }
}

fn opt_text(v: Option<&str>) -> String {
    v.unwrap_or("NA").to_string()
}

fn table(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = Vec::new();
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    push_record(&mut out, &h);
    for r in rows {
        let r: Vec<&str> = r.iter().map(String::as_str).collect();
        push_record(&mut out, &r);
    }
    out
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `population_parameters.csv`: typical values with omega^2 and CV%, covariate effects and
/// sigma, each with SE and RSE%.
pub fn parameters_csv(fits: &[PopulationTables]) -> Vec<u8> {
    let header = strings(&[
        "matrix",
        "assay",
        "conc_unit",
        "parameter",
        "kind",
        "variability",
        "estimate",
        "unit",
        "se",
        "rse [%]",
        "omega2",
        "omega2.se",
        "omega2.rse [%]",
        "cv [%]",
        "ci95_low",
        "ci95_high",
        "ratio",
    ]);
    table(
        &header,
        fits.iter().flat_map(|f| &f.parameters).map(|r| {
            vec![
                r.key.matrix.clone(),
                r.key.assay.clone(),
                r.key.conc_unit.clone(),
                r.parameter.clone(),
                r.kind.to_string(),
                opt_text(r.variability),
                num(Some(r.estimate)),
                r.unit.clone(),
                num(r.se),
                rse(r.rse_percent),
                num(r.omega2),
                num(r.omega2_se),
                rse(r.omega2_rse_percent),
                num(r.cv_percent),
                num(r.ci95_low),
                num(r.ci95_high),
                num(r.ratio),
            ]
        }),
    )
}

/// `population_individual.csv`: one row per subject, the conditional modes in
/// `fit_summary.csv`'s parameter and derived columns (same names and units, `conc_unit`
/// meaning the row's unit), then the conditional medians (`<name>.median`).
pub fn individual_csv(fits: &[PopulationTables]) -> Vec<u8> {
    let mut header = strings(&[
        "subject",
        "matrix",
        "assay",
        "conc_unit",
        "model",
        "estimator",
        "n_obs",
        "n_blq",
        "neg2ll",
        "local_modes",
        "mode_gap",
    ]);
    // Every cohort has the same structural model, so the first one names the columns.
    if let Some(first) = fits.first() {
        let unit = |u: &str| cartpk_ck::population::report::unit_of(u, "conc_unit");
        for (name, u) in &first.model_parameters {
            header.push(format!("{name} [{}]", unit(u)));
        }
        if let Some(i) = first.individuals.first() {
            for d in &i.derived {
                let u = cartpk_ck::population::report::unit_of(d.unit, "conc_unit");
                header.push(format!("{} [{u}]", d.name));
            }
        }
        for (name, u) in &first.model_parameters {
            header.push(format!("{name}.median [{}]", unit(u)));
        }
    }
    table(
        &header,
        fits.iter().flat_map(|f| {
            f.individuals.iter().map(move |i| {
                let mut row = vec![
                    i.subject.clone(),
                    i.key.matrix.clone(),
                    i.key.assay.clone(),
                    i.key.conc_unit.clone(),
                    f.fit.model.to_string(),
                    "conditional_mode".to_string(),
                    num(Some(i.n_obs as f64)),
                    num(Some(i.n_blq as f64)),
                    num(Some(i.neg2ll)),
                    num(Some(i.local_modes as f64)),
                    num(Some(i.mode_gap)),
                ];
                row.extend(i.mode.iter().map(|v| num(Some(*v))));
                row.extend(i.derived.iter().map(|d| num(Some(d.value))));
                row.extend(i.median.iter().map(|v| num(Some(*v))));
                row
            })
        }),
    )
}

/// `population_shrinkage.csv`: eta-shrinkage per parameter, epsilon-shrinkage.
pub fn shrinkage_csv(fits: &[PopulationTables]) -> Vec<u8> {
    let header = strings(&["matrix", "assay", "kind", "parameter", "shrinkage [%]"]);
    table(
        &header,
        fits.iter().flat_map(|f| &f.shrinkage).map(|r| {
            vec![
                r.key.matrix.clone(),
                r.key.assay.clone(),
                r.kind.to_string(),
                r.parameter.clone(),
                num(Some(r.shrinkage_percent)),
            ]
        }),
    )
}

/// `population_vpc.csv`: the censored VPC, percentile panel (concentrations) and BLQ panel
/// (fractions).
pub fn vpc_csv(fits: &[PopulationTables]) -> Vec<u8> {
    let header = strings(&[
        "matrix",
        "assay",
        "conc_unit",
        "panel",
        "bin",
        "time_day",
        "percentile",
        "n",
        "observed",
        "simulated_median",
        "simulated_low",
        "simulated_high",
    ]);
    table(
        &header,
        fits.iter().flat_map(|f| &f.vpc).map(|r| {
            vec![
                r.key.matrix.clone(),
                r.key.assay.clone(),
                r.key.conc_unit.clone(),
                r.panel.to_string(),
                num(Some(r.bin as f64)),
                num(Some(r.time_day)),
                num(r.percentile),
                num(r.n.map(|n| n as f64)),
                num(r.observed),
                num(r.simulated_median),
                num(r.simulated_low),
                num(r.simulated_high),
            ]
        }),
    )
}

/// `population_residuals.csv`: PRED, IPRED, IWRES, pd and npd per observation.
pub fn residuals_csv(fits: &[PopulationTables]) -> Vec<u8> {
    let header = strings(&[
        "subject",
        "matrix",
        "assay",
        "conc_unit",
        "time_day",
        "observed",
        "lloq",
        "blq",
        "pred",
        "ipred",
        "iwres",
        "pd",
        "npd",
    ]);
    table(
        &header,
        fits.iter().flat_map(|f| &f.residuals).map(|r| {
            let o = &r.row;
            vec![
                o.subject.clone(),
                r.key.matrix.clone(),
                r.key.assay.clone(),
                r.key.conc_unit.clone(),
                num(Some(o.time)),
                num(o.observed),
                num(o.lloq),
                o.observed.is_none().to_string(),
                num(Some(o.pred)),
                num(Some(o.ipred)),
                num(o.iwres),
                num(Some(o.pd)),
                num(Some(o.npd)),
            ]
        }),
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    cartpk_version: &'static str,
    input: &'a str,
    settings: &'a cartpk_ck::population::report::CohortFitOptions,
    cohorts: &'a [PopulationTables],
    warnings: &'a [String],
}

/// `population.json`: the settings, every cohort's tables and the warnings.
pub fn json(
    fits: &[PopulationTables],
    settings: &cartpk_ck::population::report::CohortFitOptions,
    input: &str,
    warnings: &[String],
) -> Vec<u8> {
    let report = JsonReport {
        cartpk_version: env!("CARGO_PKG_VERSION"),
        input,
        settings,
        cohorts: fits,
        warnings,
    };
    crate::fields::json_bytes(&report)
}
