//! The figures of the trial endpoints ([`crate::endpoints::Endpoints`]): Kaplan-Meier plots
//! of persistence and of each time-to-event endpoint (overall, by response, by Cmax above
//! vs at or below the median), and the logistic exposure-response plots.

use crate::endpoints::{Curve, Endpoints, Stratified};
use cartpk_plot::exposure_response::{ExposureResponsePlot, ObservedBin};
use cartpk_plot::km::{KmCurve, KmPlot, KmPoint};
use cartpk_plot::{render, ImageFormat, PlotError, PlotOptions};

/// One endpoint figure.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointFigure {
    /// A Kaplan-Meier plot.
    KaplanMeier(KmPlot),
    /// A logistic exposure-response plot.
    ExposureResponse(ExposureResponsePlot),
}

impl EndpointFigure {
    /// PNG or SVG bytes.
    pub fn render(&self, format: ImageFormat, options: &PlotOptions) -> Result<Vec<u8>, PlotError> {
        match self {
            EndpointFigure::KaplanMeier(p) => render(p, format, options),
            EndpointFigure::ExposureResponse(p) => render(p, format, options),
        }
    }
}

/// A p-value as reports print it.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// A median bound in days; `NA` where the confidence curve never reaches 0.5 (not
/// estimable from the data, e.g. the upper bound of a median near the end of follow-up).
fn days(v: Option<f64>) -> String {
    v.map_or("NA".to_string(), |d| format!("{d:.0}"))
}

fn km_curve(c: &Curve, risk_times: &[f64]) -> KmCurve {
    let m = &c.median;
    let median = match m.estimate {
        Some(_) => format!(
            "median {} d (95% CI {}-{})",
            days(m.estimate),
            days(m.lower),
            days(m.upper)
        ),
        None => "median not reached".to_string(),
    };
    KmCurve {
        label: format!(
            "{} (n={}, {} events): {median}",
            c.label, c.fit.n, c.fit.n_events
        ),
        points: c
            .fit
            .steps
            .iter()
            .map(|s| KmPoint {
                time: s.time,
                surv: s.surv,
                lower: s.lower,
                upper: s.upper,
                censored: s.n_censor,
            })
            .collect(),
        at_risk: risk_times.iter().map(|&t| c.fit.n_risk(t)).collect(),
    }
}

/// The risk-table days of the curve followed longest (every curve has the same days up to
/// its own last observation).
fn risk_times(curves: &[&Curve]) -> Vec<f64> {
    curves
        .iter()
        .max_by_key(|c| c.at_risk.len())
        .map(|c| c.at_risk.iter().map(|r| r.0).collect())
        .unwrap_or_default()
}

/// The curves of a stratification in the order they are drawn (and so coloured): by
/// response, responders first, so that responders have the first colour as in the box plots
/// and cohort figures by response (and in RFS, where only responders have a curve).
fn drawing_order(s: &Stratified) -> Vec<&Curve> {
    let mut curves: Vec<&Curve> = s.curves.iter().collect();
    if s.by == "response" {
        curves.sort_by_key(|c| c.label != "responders");
    }
    curves
}

fn km_plot(title: String, y_label: &str, curves: &[&Curve], s: Option<&Stratified>) -> KmPlot {
    let times = risk_times(curves);
    KmPlot {
        title,
        y_label: y_label.to_string(),
        curves: curves.iter().map(|c| km_curve(c, &times)).collect(),
        risk_times: times,
        note: s.and_then(|s| s.log_rank.as_ref()).map(|l| {
            format!(
                "log-rank chi2 = {:.2}, df = {}, {}",
                l.chisq,
                l.df,
                p_text(l.p_value)
            )
        }),
        bands: true,
    }
}

/// The long name of a usual endpoint abbreviation (OS, RFS...), else the name itself.
fn long_name(name: &str) -> String {
    match name {
        "OS" => "Overall survival (OS)".into(),
        "RFS" => "Relapse-free survival (RFS)".into(),
        "EFS" => "Event-free survival (EFS)".into(),
        "DFS" => "Disease-free survival (DFS)".into(),
        "PFS" => "Progression-free survival (PFS)".into(),
        "DOR" => "Duration of remission (DOR)".into(),
        other => other.to_string(),
    }
}

/// Every endpoint figure, named by a file stem (e.g. `km_os_by_response`).
pub fn endpoint_figures(e: &Endpoints) -> Vec<(String, EndpointFigure)> {
    let mut out = Vec::new();
    if let Some(p) = &e.persistence {
        let label = "P(quantifiable transgene)";
        let title = format!(
            "Persistence, {} {}",
            p.kind.matrix.label(),
            p.kind.assay.label()
        );
        let plot = match &p.by_response {
            Some(s) => km_plot(title, label, &drawing_order(s), Some(s)),
            None => km_plot(title, label, &[&p.overall], None),
        };
        out.push((
            "km_persistence".to_string(),
            EndpointFigure::KaplanMeier(plot),
        ));
    }
    for t in &e.time_to_event {
        let name = &t.columns.name;
        let stem = name.to_ascii_lowercase();
        out.push((
            format!("km_{stem}"),
            EndpointFigure::KaplanMeier(km_plot(
                long_name(name),
                &format!("{name} probability"),
                &[&t.overall],
                None,
            )),
        ));
        for s in &t.stratified {
            let suffix = if s.by == "response" {
                "by_response"
            } else if s.by.starts_with("Cmax above") {
                "by_cmax_median"
            } else {
                continue;
            };
            out.push((
                format!("km_{stem}_{suffix}"),
                EndpointFigure::KaplanMeier(km_plot(
                    format!("{} by {}", long_name(name), s.by),
                    &format!("{name} probability"),
                    &drawing_order(s),
                    Some(s),
                )),
            ));
        }
    }
    for f in &e.exposure_response {
        let label = if f.metric == "cmax" {
            "Cmax"
        } else {
            "AUC0-28d"
        };
        let or = |v: Option<f64>| v.map_or("NA".to_string(), |x| format!("{x:.2}"));
        out.push((
            format!("exposure_response_{}", f.metric),
            EndpointFigure::ExposureResponse(ExposureResponsePlot {
                title: format!("{} vs {label}", f.response_column),
                x_label: format!("{label} ({})", f.unit),
                curve: f
                    .curve
                    .iter()
                    .map(|(x, p)| (*x, p.p, p.lower, p.upper))
                    .collect(),
                bins: f
                    .quartiles
                    .iter()
                    .map(|b| ObservedBin {
                        exposure: b.centre,
                        proportion: b.response.estimate,
                        lower: b.response.lower,
                        upper: b.response.upper,
                        n: b.response.n,
                    })
                    .collect(),
                patients: f.observations.clone(),
                note: Some(format!(
                    "OR per doubling {:.2} (profile 95% CI {}-{}), Wald {}",
                    f.odds_ratio,
                    or(f.odds_ratio_profile.0),
                    or(f.odds_ratio_profile.1),
                    p_text(f.p_value)
                )),
            }),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{endpoints, EndpointOptions};
    use cartpk_core::SubjectsTable;

    /// Regression: curves by response were drawn in name order, non-responders first, so
    /// the two groups swapped colours between the Kaplan-Meier figures and the box plots
    /// and cohort figures by response (which put CR/CRi first).
    #[test]
    fn curves_by_response_draw_responders_first() {
        let mut text = String::from("subject,response,os_time,os_event\n");
        for i in 0..12 {
            let r = if i % 3 == 0 { "NR" } else { "CR/CRi" };
            text.push_str(&format!("S{i:02},{r},{},{}\n", 30 + 40 * i, i % 2));
        }
        let subjects = SubjectsTable::from_bytes("s.csv", text.as_bytes(), b',').unwrap();
        let e = endpoints(&[], Some(&subjects), &EndpointOptions::default());
        let figures = endpoint_figures(&e);
        let (_, fig) = figures
            .iter()
            .find(|(name, _)| name == "km_os_by_response")
            .expect("an OS figure by response");
        let EndpointFigure::KaplanMeier(plot) = fig else {
            panic!("a Kaplan-Meier figure")
        };
        let labels: Vec<&str> = plot.curves.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels.len(), 2);
        assert!(labels[0].starts_with("responders"), "{labels:?}");
        assert!(labels[1].starts_with("non-responders"), "{labels:?}");
    }
}
