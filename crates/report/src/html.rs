//! The one-page HTML report of a [`Report`]: provenance, exposure summaries, visit
//! concentrations of sparse matrices, persistence, exposure-response, tissue ratios,
//! individual estimates, model fits, figures, subjects, settings and the warnings grouped
//! by kind, most serious first. Nothing is fetched from anywhere (no script, stylesheet or
//! font); patient figures are inline SVG up to [`crate::settings::INLINE_PATIENT_LIMIT`]
//! patients and linked PNG files beyond, every one linked to its full-size file.

use crate::analysis::{FigureKind, RenderedFigure, Report};
use crate::cohort::SummaryRow;
use crate::format::{column, pct};
use crate::sampling::Support;
use crate::warnings::{grouped, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Most warnings listed under one kind; the rest are in `warnings.csv`.
pub const MAX_LISTED_PER_KIND: usize = 200;

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Anchor id (letters, digits, `-`).
    pub id: String,
    /// Caption shown above the table.
    pub caption: String,
    /// Column names (with units).
    pub header: Vec<String>,
    /// Cells, as text.
    pub rows: Vec<Vec<String>>,
    /// A note under the table (definitions, methods).
    pub note: Option<String>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A relative link target: each path segment percent-encoded where needed.
fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:1300px;padding:0 1em;color:#222;line-height:1.4}\
h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}h3{margin-bottom:.2em}\
.sub{color:#555;margin-top:.2em}.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;margin:.6em 0 1em;font-size:.8em}\
caption{text-align:left;font-weight:bold;padding:.3em 0}th,td{border:1px solid #ccc;padding:.25em .45em;text-align:right;white-space:pre-line}\
th{background:#f2f2f2;vertical-align:bottom}th small{font-weight:normal;color:#555}td:first-child,th:first-child{text-align:left}\
td.excl{color:#999;text-decoration:line-through}.note{font-size:.8em;color:#555;max-width:75em}\
figure{margin:1em 0}figcaption{font-size:.85em;color:#444}.thumbs{display:flex;flex-wrap:wrap;gap:.5em}\
.thumbs figure{width:300px;margin:0}.thumbs svg,.thumbs img{width:100%;height:auto;border:1px solid #eee}svg{max-width:100%;height:auto}.pair{display:grid;grid-template-columns:1fr 1fr;gap:.5em}.pair figure{margin:0}.patient-index{columns:10em;font-size:.9em}.patient-index a{display:block}\
\
details{margin:.3em 0}summary{cursor:pointer}details li{font-size:.85em}.sev-skipped summary,.sev-excluded summary{font-weight:bold}\
[id^=estimates-] td:last-child{text-align:left;white-space:normal;min-width:16em}.prov td,#settings-table td{white-space:normal;overflow-wrap:anywhere;text-align:left}#settings-table th{text-align:left}nav a{margin-right:1em}";

pub(crate) fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<div class=\"scroll\"><table id=\"{}\"><caption>{}</caption>",
        escape(&t.id),
        escape(&t.caption)
    );
    if !t.header.is_empty() {
        out.push_str("<thead><tr>");
    }
    for h in &t.header {
        // "name [unit]" headers show the unit on a second, smaller line (and what follows a
        // line break in it on a third: a metric's CSV names, see `metric_header`).
        match h.split_once(" [") {
            Some((n, u)) => {
                let _ = write!(
                    out,
                    "<th>{}<br><small>{}</small></th>",
                    escape(n),
                    escape(u.trim_end_matches(']'))
                );
            }
            None => {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
        }
    }
    if !t.header.is_empty() {
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            // A leading '\u{1}' marks an excluded estimate.
            match c.strip_prefix('\u{1}') {
                Some(v) => {
                    let _ = write!(out, "<td class=\"excl\">{}</td>", escape(v));
                }
                None => {
                    let _ = write!(out, "<td>{}</td>", escape(c));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    if let Some(n) = &t.note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
    }
}

/// The SVG element of a document, without an XML declaration or doctype.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or("", |i| &svg[i..])
}

pub(crate) fn figure(out: &mut String, f: &RenderedFigure) {
    let link = href(&f.path);
    match &f.svg {
        Some(svg) => {
            let _ = write!(
                out,
                "<figure><a href=\"{link}\" title=\"open full size\">{}</a><figcaption>{}</figcaption></figure>",
                inline_svg(svg),
                escape(&f.caption)
            );
        }
        None => {
            let _ = write!(
                out,
                "<figure><a href=\"{link}\" title=\"open full size\"><img loading=\"lazy\" src=\"{link}\" alt=\"{}\"></a><figcaption>{}</figcaption></figure>",
                escape(&f.caption),
                escape(&f.caption)
            );
        }
    }
}

/// The header of a metric's column: its display label, then on smaller lines its unit and
/// the name it has in every CSV table (PKNCA's parameter name and the CDISC PPTESTCD), so
/// that a reader can match the report's columns to summary.csv, nca_long.csv and PKNCA.
fn metric_header(label: &str, unit: &str, parameter: &str, pptestcd: &str) -> String {
    if pptestcd.is_empty() {
        format!("{label} [{unit}\n{parameter}]")
    } else {
        format!("{label} [{unit}\n{parameter} ({pptestcd})]")
    }
}

/// The summary of one matrix x assay x group: metrics as columns, statistics as rows, so
/// that each column has one unit and one notation.
fn summary_table(id: &str, caption: &str, rows: &[&SummaryRow]) -> Table {
    let header = std::iter::once("statistic".to_string())
        .chain(
            rows.iter()
                .map(|r| metric_header(&r.label, &r.unit, &r.parameter, &r.pptestcd)),
        )
        .collect();
    let cols: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let time = r.parameter == "tmax" || r.parameter == "tlast";
            let vals = column(&[r.geo_mean, r.mean, r.sd, r.median, r.min, r.max]);
            let dash = |s: &str| {
                if time {
                    "–".to_string()
                } else {
                    s.to_string()
                }
            };
            vec![
                r.n.to_string(),
                r.n_excluded.to_string(),
                r.n_blq.to_string(),
                r.n_missing.to_string(),
                dash(&vals[0]),
                if time {
                    "–".into()
                } else {
                    pct(r.geo_cv_pct)
                },
                dash(&vals[1]),
                dash(&vals[2]),
                if r.n == 0 {
                    "NA".into()
                } else {
                    format!("{}\n({}, {})", vals[3], vals[4], vals[5])
                },
            ]
        })
        .collect();
    let labels = [
        "n",
        "n excluded",
        "n BLQ",
        "n NA",
        "geometric mean",
        "geometric CV%",
        "arithmetic mean",
        "SD",
        "median (min, max)",
    ];
    let table_rows = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            std::iter::once(l.to_string())
                .chain(cols.iter().map(|c| c[i].clone()))
                .collect()
        })
        .collect();
    let reasons: Vec<String> = rows
        .iter()
        .filter(|r| r.n_excluded > 0)
        .map(|r| format!("{}: {} ({})", r.label, r.n_excluded, r.excluded_reasons))
        .collect();
    let blq = rows.iter().any(|r| r.n_blq > 0);
    Table {
        id: id.into(),
        caption: caption.into(),
        header,
        rows: table_rows,
        note: Some(format!(
            "{}{} n NA: not computable (e.g. no terminal phase).",
            if reasons.is_empty() {
                "No estimate excluded.".to_string()
            } else {
                format!("Excluded: {}.", reasons.join("; "))
            },
            if blq {
                " n BLQ: profiles without any quantifiable sample."
            } else {
                ""
            }
        )),
    }
}

fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Renders the report as one HTML page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::with_capacity(1 << 20);
    let s = &report.settings;
    let title = "CAR-T cellular kinetics report";
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>{STYLE}</style></head><body>"
    );
    let n_warn = report.warnings.len();
    let by_sev = |sev: Severity| report.warnings.iter().filter(|w| w.severity == sev).count();
    let _ = write!(
        out,
        "<h1>{title}</h1><p class=\"sub\">{}: {} subjects, {} profiles. {} warnings: {} skipped, {} excluded estimates, {} that change a number, {} notes.</p>",
        escape(&report.source),
        report.n_subjects,
        report.profiles.len(),
        n_warn,
        by_sev(Severity::Skipped),
        by_sev(Severity::Excluded),
        by_sev(Severity::Changes),
        by_sev(Severity::Note),
    );
    // Provenance.
    let p = &report.provenance;
    let mut prov = vec![
        vec!["run date (UTC)".to_string(), p.run_date.clone()],
        vec!["software".into(), format!("cartpk {}", p.version)],
        vec!["command line".into(), p.command_line.clone()],
    ];
    for (name, hash) in &p.inputs {
        prov.push(vec![format!("SHA-256 of {name}"), hash.clone()]);
    }
    out.push_str("<div class=\"prov\">");
    table(
        &mut out,
        &Table {
            id: "provenance".into(),
            caption: "Provenance".into(),
            header: Vec::new(),
            rows: prov,
            note: None,
        },
    );
    out.push_str("</div>");

    let sections = [
        ("exposure", "Exposure"),
        ("visits", "Tissue visits"),
        ("endpoints", "Trial endpoints"),
        ("exposure-response", "Exposure-response"),
        ("estimates", "Individual estimates"),
        ("fits", "Model fits"),
        ("cohort", "Cohort profiles"),
        ("patients", "Patients"),
        ("subjects", "Subjects"),
        ("settings", "Settings"),
        ("warnings", "Warnings"),
    ];
    out.push_str("<nav>");
    for (id, name) in sections {
        let _ = write!(out, "<a href=\"#{id}\">{name}</a>");
        // The population section follows the per-profile fits when a cohort was fitted.
        if id == "fits" && !report.population.is_empty() {
            out.push_str("<a href=\"#population\">Population model</a>");
        }
    }
    out.push_str("</nav>");

    // Exposure.
    let rich: Vec<_> = report
        .kinds
        .iter()
        .filter(|k| k.support == Support::FullNca)
        .collect();
    let sparse: Vec<_> = report
        .kinds
        .iter()
        .filter(|k| k.support == Support::Visits)
        .collect();
    let c = &s.criteria;
    let _ = write!(
        out,
        "<section id=\"exposure\"><h2>Exposure</h2><p>Non-compartmental analysis with PKNCA's rules ({}; AUC0-28d: aucint.last over days 0-28, which like PKNCA counts the fall from Tlast to a BLQ sample inside the interval) for the matrices sampled richly enough ({}): {}. Estimates enter the statistics only when they meet the acceptance criteria: t1/2 and AUCinf need an adjusted R2 &gt;= {} and a lambda_z span &gt;= {} half-lives; AUCinf needs &lt;= {}% extrapolated. Excluded estimates stay in the individual tables, flagged. Geometric statistics are over values &gt; 0; profiles without any quantifiable sample are counted as BLQ and left out. Dose-normalised values are per 10^8 CAR+ cells (per 10^6 cells/kg for doses per kg).</p>",
        escape(s.nca.auc_method.pknca_name()),
        escape(&s.sampling.describe()),
        escape(&rich.iter().map(|k| k.label.clone()).collect::<Vec<_>>().join(", ")),
        c.min_adj_r_squared,
        c.min_span_half_lives,
        c.max_aucpext_pct
    );
    let mut by_kg: BTreeMap<(&str, &str, &str), Vec<&SummaryRow>> = BTreeMap::new();
    for r in &report.summary {
        by_kg
            .entry((&r.matrix, &r.assay, &r.group))
            .or_default()
            .push(r);
    }
    for k in &rich {
        let _ = write!(out, "<h3>{}</h3>", escape(&k.label));
        // "all" first, then the groups.
        let mut keys: Vec<_> = by_kg
            .keys()
            .filter(|(m, a, _)| *m == k.matrix && *a == k.assay)
            .copied()
            .collect();
        keys.sort_by_key(|(_, _, g)| (*g != "all", g.to_string()));
        for key in keys {
            let rows = &by_kg[&key];
            let g = key.2;
            let caption = if g == "all" {
                format!("{}: all patients", k.label)
            } else {
                format!("{}: group {g}", k.label)
            };
            table(
                &mut out,
                &summary_table(
                    &anchor(&format!("summary-{}-{}-{g}", k.matrix, k.assay)),
                    &caption,
                    rows,
                ),
            );
        }
    }
    out.push_str("</section>");

    // Sparse matrices: visits and tissue ratios.
    out.push_str("<section id=\"visits\"><h2>Tissue visits</h2>");
    if sparse.is_empty() {
        out.push_str("<p>Every matrix is sampled richly enough for NCA.</p>");
    } else {
        let _ = write!(
            out,
            "<p>{} {} sampled at a few visits only: reported as the concentration at each visit and as the tissue-to-blood ratio at matched visits, without AUC, Tmax or half-life ({}).</p>",
            escape(&sparse.iter().map(|k| k.label.clone()).collect::<Vec<_>>().join(", ")),
            if sparse.len() == 1 { "is" } else { "are" },
            escape(&s.sampling.describe())
        );
    }
    for k in &sparse {
        let rows: Vec<_> = report
            .visits
            .iter()
            .filter(|v| v.matrix == k.matrix && v.assay == k.assay)
            .collect();
        let unit = rows.first().map_or(String::new(), |r| r.unit.clone());
        let stats = column(
            &rows
                .iter()
                .flat_map(|r| [r.geo_mean, r.median, r.min, r.max])
                .collect::<Vec<_>>(),
        );
        table(
            &mut out,
            &Table {
                id: anchor(&format!("visits-{}-{}", k.matrix, k.assay)),
                caption: format!("{}: concentration at each visit", k.label),
                header: vec![
                    "group".into(),
                    "day".into(),
                    "n sampled".into(),
                    "n BLQ".into(),
                    "n quantified".into(),
                    format!("geometric mean [{unit}]"),
                    "geometric CV%".into(),
                    format!("median (min, max) [{unit}]"),
                ],
                rows: rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        vec![
                            r.group.clone(),
                            format!("{}", r.day),
                            r.n_sampled.to_string(),
                            r.n_blq.to_string(),
                            r.n.to_string(),
                            stats[4 * i].clone(),
                            pct(r.geo_cv_pct),
                            if r.n == 0 {
                                "NA".into()
                            } else {
                                format!("{} ({}, {})", stats[4 * i + 1], stats[4 * i + 2], stats[4 * i + 3])
                            },
                        ]
                    })
                    .collect(),
                note: Some("Visit: sample day rounded to the day. Statistics over the n quantified samples; BLQ samples counted apart.".into()),
            },
        );
    }
    if !report.tissue_ratios.is_empty() {
        let r = &report.tissue_ratios;
        let stats = column(
            &r.iter()
                .flat_map(|x| [x.geo_mean, x.median, x.min, x.max])
                .collect::<Vec<_>>(),
        );
        table(
            &mut out,
            &Table {
                id: "tissue-ratios".into(),
                caption: "Tissue-to-blood ratios (qPCR, same subject, blood within 1 day)".into(),
                header: vec![
                    "matrix".into(),
                    "day".into(),
                    "n pairs".into(),
                    "geometric mean ratio".into(),
                    "median (min, max)".into(),
                ],
                rows: r
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        vec![
                            x.matrix.clone(),
                            format!("{}", x.day),
                            x.n.to_string(),
                            stats[4 * i].clone(),
                            format!(
                                "{} ({}, {})",
                                stats[4 * i + 1],
                                stats[4 * i + 2],
                                stats[4 * i + 3]
                            ),
                        ]
                    })
                    .collect(),
                note: Some(
                    "Pairs where both the tissue and the blood sample are quantified.".into(),
                ),
            },
        );
    }
    out.push_str("</section>");

    // Trial endpoints: response rates, persistence as time-to-event, OS/RFS/EFS,
    // logistic exposure-response.
    let endpoint_src = |stem: &str| -> Option<String> {
        let path = format!("plots/{stem}.png");
        report
            .figures
            .iter()
            .find(|f| f.kind == FigureKind::Endpoint && f.path == path)
            .map(|f| href(&f.path))
    };
    out.push_str(&crate::endpoints_html::endpoints_section(
        &report.endpoints,
        &s.endpoints.landmark_days,
        &s.endpoints.persistence_days,
        &endpoint_src,
    ));

    // Exposure-response.
    let er = &report.exposure_response;
    out.push_str("<section id=\"exposure-response\"><h2>Exposure-response</h2>");
    if er.is_empty() {
        out.push_str("<p>No response column in the subjects file.</p>");
    } else {
        // Each row is its own metric and unit: the two geometric means of a row share one
        // notation (a flow %CAR+ of 29.2 is not written 2.92e1 because a qPCR row is 3e4).
        let gm: Vec<String> = er
            .iter()
            .flat_map(|r| column(&[r.geo_mean_responders, r.geo_mean_non_responders]))
            .collect();
        let ratio = column(
            &er.iter()
                .flat_map(|r| [r.gm_ratio, r.gm_ratio_lower_95, r.gm_ratio_upper_95])
                .collect::<Vec<_>>(),
        );
        let pv = column(&er.iter().map(|r| r.wilcoxon_p).collect::<Vec<_>>());
        table(
            &mut out,
            &Table {
                id: "er".into(),
                caption: format!("Exposure by response ({})", s.response_column),
                header: ["matrix", "assay", "metric", "unit", "responders: n, geometric mean", "non-responders: n, geometric mean", "GM ratio (95% CI)", "Wilcoxon p"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rows: er
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        vec![
                            r.matrix.clone(),
                            r.assay.clone(),
                            r.label.clone(),
                            r.unit.clone(),
                            format!("{}, {}", r.n_responders, gm[2 * i]),
                            format!("{}, {}", r.n_non_responders, gm[2 * i + 1]),
                            if r.gm_ratio.is_some() {
                                format!("{} ({}, {})", ratio[3 * i], ratio[3 * i + 1], ratio[3 * i + 2])
                            } else {
                                "NA".into()
                            },
                            format!("{}{}", pv[i], if r.wilcoxon_exact == Some(true) { " (exact)" } else { "" }),
                        ]
                    })
                    .collect(),
                note: Some(format!(
                    "Responders: {} in {{{}}}. Ratio of geometric means responders / non-responders with the 95% CI of Welch's t-test on log values; two-sided Wilcoxon rank-sum test (exact for small samples without ties, as R's wilcox.test).",
                    s.response_column,
                    s.responders.join(", ")
                )),
            },
        );
    }
    let by_group: Vec<_> = report
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::ExposureByGroup)
        .collect();
    if !by_group.is_empty() {
        out.push_str("<p>Cmax and AUC0-28d by group: a box (median, quartiles) and every patient's value; estimates failing the acceptance criteria are left out, as in the summary statistics. The logistic fit of response on exposure is under Trial endpoints.</p><div class=\"pair\">");
        for f in by_group {
            figure(&mut out, f);
        }
        out.push_str("</div>");
    }
    out.push_str("</section>");

    // Individual estimates, flagged.
    out.push_str("<section id=\"estimates\"><h2>Individual estimates</h2><p>Struck-through values fail the acceptance criteria (or the profile is sampled too sparsely) and are left out of the summaries; the reason is in the last column. Full tables: estimates.csv, nca_wide.csv.</p>");
    for k in &rich {
        let rows: Vec<_> = report
            .estimates
            .iter()
            .filter(|e| e.matrix == k.matrix && e.assay == k.assay)
            .collect();
        let mut params: Vec<(&str, String)> = Vec::new();
        let mut by_subject: BTreeMap<&str, Vec<&crate::cohort::EstimateRow>> = BTreeMap::new();
        for e in &rows {
            if !params.iter().any(|(p, _)| *p == e.parameter) {
                params.push((
                    &e.parameter,
                    metric_header(&e.label, &e.unit, &e.parameter, &e.pptestcd),
                ));
            }
            by_subject.entry(&e.subject).or_default().push(e);
        }
        let cols: Vec<Vec<String>> = params
            .iter()
            .map(|(p, _)| {
                let vals: Vec<Option<f64>> = by_subject
                    .values()
                    .map(|es| es.iter().find(|e| e.parameter == *p).and_then(|e| e.value))
                    .collect();
                column(&vals)
            })
            .collect();
        let table_rows: Vec<Vec<String>> = by_subject
            .iter()
            .enumerate()
            .map(|(i, (subject, es))| {
                let mut row = vec![subject.to_string()];
                let mut reasons = Vec::new();
                for (j, (p, _)) in params.iter().enumerate() {
                    let e = es.iter().find(|e| e.parameter == *p);
                    let v = cols[j][i].clone();
                    match e {
                        Some(e) if !e.included => {
                            // t1/2 and AUCinf share reasons: each once.
                            for part in e.reason.split("; ") {
                                if !reasons.iter().any(|r| r == part) {
                                    reasons.push(part.to_string());
                                }
                            }
                            row.push(format!("\u{1}{v}"));
                        }
                        _ => row.push(v),
                    }
                }
                row.push(reasons.join("; "));
                row
            })
            .collect();
        let n_flagged = table_rows
            .iter()
            .filter(|r| !r.last().is_some_and(String::is_empty))
            .count();
        let _ = write!(
            out,
            "<details><summary>{}: {} profiles, {} with an excluded estimate</summary>",
            escape(&k.label),
            table_rows.len(),
            n_flagged
        );
        table(
            &mut out,
            &Table {
                id: anchor(&format!("estimates-{}-{}", k.matrix, k.assay)),
                caption: format!("{}: individual NCA estimates", k.label),
                header: std::iter::once("subject".to_string())
                    .chain(params.iter().map(|(_, h)| h.clone()))
                    .chain(std::iter::once("excluded because".to_string()))
                    .collect(),
                rows: table_rows,
                note: None,
            },
        );
        out.push_str("</details>");
    }
    out.push_str("</section>");

    // Model fits.
    out.push_str("<section id=\"fits\"><h2>Model fits</h2>");
    let fitted: Vec<usize> = (0..report.profiles.len())
        .filter(|&i| matches!(report.fits[i], Some(Ok(_))))
        .collect();
    let n_reportable = fitted
        .iter()
        .filter(|&&i| {
            report.fit_verdicts[i]
                .as_ref()
                .is_some_and(|v| v.reportable)
        })
        .count();
    let n_not = report
        .fits
        .iter()
        .filter(|f| matches!(f, Some(Err(_))))
        .count();
    let _ = write!(
        out,
        "<p>Stein et al. 2019 model (expansion, contraction, persistence) fitted by maximum likelihood per richly sampled profile, BLQ as {:?}: {} fitted, {} reportable, {} not fitted (too few observations). Only reportable fits are drawn and shown in the goodness-of-fit figures.</p>",
        s.fit.blq,
        fitted.len(),
        n_reportable,
        n_not
    );
    let n_ridge = fitted
        .iter()
        .filter(|&&i| match &report.fits[i] {
            Some(Ok(f)) => f
                .warnings
                .iter()
                .any(|w| matches!(w, cartpk_ck::FitWarning::OnFlatRidge { .. })),
            _ => false,
        })
        .count();
    if n_ridge > 0 {
        let (fits, lie, their) = if n_ridge == 1 {
            ("fit", "lies", "its")
        } else {
            ("fits", "lie", "their")
        };
        let _ = write!(
            out,
            "<p>{n_ridge} {fits} whose data do not determine every parameter (none of them reportable) {lie} on a flat likelihood ridge: {their} estimates are the point of the ridge nearest the population's typical values within {} ln L of the optimum (<code>--ridge-tol</code>), {their} standard errors those of the optimum.</p>",
            s.fit.ridge_tol
        );
    }
    if !fitted.is_empty() {
        let names: Vec<(&str, &str)> = fitted
            .iter()
            .find_map(|&i| match &report.fits[i] {
                Some(Ok(f)) => Some(f.estimates.iter().map(|e| (e.name, e.unit)).collect()),
                _ => None,
            })
            .unwrap_or_default();
        let mut rows = Vec::new();
        let est_cols: Vec<Vec<String>> = (0..names.len())
            .map(|j| {
                column(
                    &fitted
                        .iter()
                        .map(|&i| match &report.fits[i] {
                            Some(Ok(f)) => f.estimates.get(j).map(|e| e.value),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        for (row_i, &i) in fitted.iter().enumerate() {
            let p = &report.profiles[i];
            let Some(Ok(f)) = &report.fits[i] else {
                continue;
            };
            let v = report.fit_verdicts[i].as_ref();
            let ok = v.is_some_and(|v| v.reportable);
            let mut row = vec![
                p.key.subject.clone(),
                p.key.matrix.label().to_string(),
                p.key.assay.label().to_string(),
                if ok {
                    "yes".into()
                } else {
                    format!("no: {}", v.map_or(String::new(), |v| v.failed.join(", ")))
                },
                format!("{} / {}", f.n_quantified, f.n_params),
            ];
            for (j, e) in f.estimates.iter().enumerate() {
                let rse = e.rse_pct.map_or("NA".to_string(), |r| pct(Some(r)));
                let cell = format!("{} ({rse})", est_cols[j][row_i]);
                row.push(if ok { cell } else { format!("\u{1}{cell}") });
            }
            rows.push(row);
        }
        let any_logit = fitted.iter().any(|&i| {
            matches!(
                &report.fits[i],
                Some(Ok(f)) if matches!(f.scale, cartpk_ck::fit::ObservationScale::Logit { .. })
            )
        });
        let t = &s.fit.trust;
        let note = format!(
            "Reportable: the search converged (confirmed by a second start), at least parameters + {} quantified samples, every RSE at most {}%, and predictions inside the assay range; otherwise struck through, with the criteria that fail. conc: the profile's unit.{} Full tables: fit_summary.csv, fit_estimates.csv.",
            t.extra_observations,
            t.max_rse_pct,
            if any_logit {
                " For %CAR+ profiles (fitted on the logit scale) cmax and c0 are on the 100 x CAR+/CAR- scale, not in %: the peak in % is 100 cmax / (100 + cmax)."
            } else {
                ""
            }
        );
        out.push_str("<details><summary>Individual estimates (RSE%)</summary>");
        table(
            &mut out,
            &Table {
                id: "fit-estimates".into(),
                caption: "Stein 2019 model: individual estimates (RSE%)".into(),
                header: [
                    "subject",
                    "matrix",
                    "assay",
                    "reportable",
                    "quantified obs / parameters",
                ]
                .iter()
                .map(|s| s.to_string())
                .chain(names.iter().map(|(n, u)| format!("{n} [{u}]")))
                .collect(),
                rows,
                note: Some(note),
            },
        );
        out.push_str("</details>");
    }
    for f in report
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::GoodnessOfFit)
    {
        figure(&mut out, f);
    }
    out.push_str("</section>");

    out.push_str(&crate::population_section::population_html(
        &report.population,
        &report.figures,
    ));

    out.push_str("<section id=\"cohort\"><h2>Cohort profiles</h2>");
    for f in report
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Cohort)
    {
        figure(&mut out, f);
    }
    out.push_str("</section>");

    let patients: Vec<_> = report
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Patient)
        .collect();
    // SVG patient files (large cohorts, `PatientFigures`) are listed as links: a browser
    // builds a document per SVG image (about 60 ms each in Chromium), so a gallery of
    // thousands of them would take minutes to load, and nobody reads 2,000 thumbnails.
    let index = patients
        .iter()
        .any(|f| f.svg.is_none() && f.path.ends_with(".svg"));
    let _ = write!(
        out,
        "<section id=\"patients\"><h2>Patients</h2><p>{} patients; {}.{}</p><div class=\"{}\">",
        patients.len(),
        if index {
            "each name opens the patient's figure (an SVG file under plots/patients/)"
        } else {
            "click a figure to open it full size (plots/patients/)"
        },
        if index {
            " The figures are SVG files (sharp at any zoom), listed by patient: <code>--patient-figures png</code> draws PNG thumbnails instead.".to_string()
        } else if patients.iter().any(|f| f.svg.is_none()) {
            format!(
                " More than {} patients: figures are linked files, loaded as the page scrolls.",
                s.inline_patient_limit
            )
        } else {
            String::new()
        },
        if index { "patient-index" } else { "thumbs" }
    );
    for f in patients {
        if index {
            let _ = write!(
                out,
                "<a href=\"{}\">{}</a> ",
                href(&f.path),
                escape(&f.caption)
            );
        } else {
            figure(&mut out, f);
        }
    }
    out.push_str("</div></section>");

    // Subjects.
    out.push_str("<section id=\"subjects\"><h2>Subjects</h2>");
    match &report.subjects {
        Some(t) => {
            let cols = t.covariates();
            let mut subs: Vec<&String> = t.rows.keys().collect();
            subs.sort();
            let rows = subs
                .iter()
                .map(|s| {
                    std::iter::once((*s).clone())
                        .chain(
                            cols.iter()
                                .map(|&(c, _)| t.get(s, c).unwrap_or("").to_string()),
                        )
                        .collect()
                })
                .collect();
            out.push_str("<details><summary>Subjects file</summary>");
            table(
                &mut out,
                &Table {
                    id: "subjects-table".into(),
                    caption: format!("Subjects ({})", t.file),
                    header: std::iter::once(t.header[t.subject_column].clone())
                        .chain(cols.iter().map(|(_, h)| h.to_string()))
                        .collect(),
                    rows,
                    note: None,
                },
            );
            out.push_str("</details>");
        }
        None => out.push_str("<p>No subjects file.</p>"),
    }
    out.push_str("</section>");

    // Settings.
    let n = &s.nca;
    let settings = vec![
        ("assay file", report.source.clone()),
        (
            "subjects file",
            report
                .subjects_file
                .clone()
                .unwrap_or_else(|| "none".into()),
        ),
        ("AUC method", n.auc_method.pknca_name().to_string()),
        (
            "BLQ before first / between / after last quantifiable",
            format!(
                "{} / {} / {}",
                n.blq.before_first, n.blq.between, n.blq.after_last
            ),
        ),
        (
            "partial AUC intervals (day)",
            n.intervals
                .iter()
                .map(|i| i.label())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "lambda_z",
            format!(
                "best adjusted R2 within {}, at least {} points, Tmax excluded; {} manual choices",
                n.lambda_z.adj_r2_factor,
                n.lambda_z.min_points,
                s.lambda_z_overrides.len()
            ),
        ),
        (
            "acceptance: t1/2 and AUCinf",
            format!(
                "adjusted R2 >= {}, span >= {} half-lives",
                c.min_adj_r_squared, c.min_span_half_lives
            ),
        ),
        (
            "acceptance: AUCinf",
            format!("%AUC extrapolated <= {}%", c.max_aucpext_pct),
        ),
        ("sampling rule", s.sampling.describe()),
        (
            "default dose",
            s.default_dose
                .as_ref()
                .map_or("none".into(), |d| format!("{} {}", d.amount, d.unit)),
        ),
        (
            "CK model",
            "Stein et al. 2019 (expansion, contraction, persistence), closed form".into(),
        ),
        (
            "likelihood",
            format!(
                "log-normal residual{}, BLQ {:?}, sigma >= {}; pre-infusion samples {}",
                if s.fit.bounded_percent {
                    " (logit-normal for %CAR+, bounded at 100%)"
                } else {
                    ""
                },
                s.fit.blq,
                s.fit.sigma_min,
                if s.fit.include_baseline {
                    "kept (--fit-baseline)"
                } else {
                    "left out"
                }
            ),
        ),
        ("optimiser", {
            let o = &s.fit.search;
            format!(
                "argmin: L-BFGS ({} iterations) from the best {} data-driven starts and {} points of a {}-point Latin hypercube; Nelder-Mead ({} iterations) + L-BFGS ({}) from the best {} ends; a second start must confirm the optimum within {} ln L (up to {} rounds); gradient norm < {}",
                o.local_max_iters, o.n_start_local, o.n_local, o.n_spread, s.fit.nm_max_iters, s.fit.lbfgs_max_iters, o.n_polish, o.same_optimum_tol, o.max_rounds, o.gradient_tol
            )
        }),
        (
            "flat likelihood ridges",
            if s.fit.ridge_tol > 0.0 {
                format!("fits not determined by their data: the point nearest the typical values within {} ln L of the optimum", s.fit.ridge_tol)
            } else {
                "the optimum as found (tie-break off)".to_string()
            },
        ),
        (
            "groups",
            format!(
                "column '{}'",
                s.group_by.as_deref().unwrap_or(&s.response_column)
            ),
        ),
        (
            "response",
            format!(
                "column '{}', responders: {}",
                s.response_column,
                s.responders.join(", ")
            ),
        ),
    ];
    table_section(
        &mut out,
        "settings",
        "Settings",
        Table {
            id: "settings-table".into(),
            caption: "Analysis settings".into(),
            header: vec!["setting".into(), "value".into()],
            rows: settings
                .into_iter()
                .map(|(k, v)| vec![k.to_string(), v])
                .collect(),
            note: None,
        },
    );

    // Warnings, grouped by kind, most serious first.
    let _ = write!(
        out,
        "<section id=\"warnings\"><h2>Warnings ({n_warn})</h2><p>Grouped by kind, most serious first: skipped (no result), excluded (an estimate left out of the summaries), changes a number, note (expected for the design). Every warning is in warnings.csv.</p>"
    );
    if n_warn == 0 {
        out.push_str("<p>None.</p>");
    }
    for (sev, kind, ws) in grouped(&report.warnings) {
        let _ = write!(
            out,
            "<details class=\"sev-{}\"{}><summary>{}: {} ({})</summary><ul>",
            match sev {
                Severity::Skipped => "skipped",
                Severity::Excluded => "excluded",
                Severity::Changes => "changes",
                Severity::Note => "note",
            },
            if sev == Severity::Skipped {
                " open"
            } else {
                ""
            },
            sev.label(),
            escape(kind),
            ws.len()
        );
        for w in ws.iter().take(MAX_LISTED_PER_KIND) {
            let _ = write!(out, "<li>{}</li>", escape(&w.message));
        }
        if ws.len() > MAX_LISTED_PER_KIND {
            let _ = write!(
                out,
                "<li>... and {} more in warnings.csv</li>",
                ws.len() - MAX_LISTED_PER_KIND
            );
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</section></body></html>\n");
    out
}

fn table_section(out: &mut String, id: &str, title: &str, t: Table) {
    let _ = write!(out, "<section id=\"{id}\"><h2>{title}</h2>");
    table(out, &t);
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_links() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(
            href("plots/patients/A b#1.png"),
            "plots/patients/A%20b%231.png"
        );
        let mut out = String::new();
        table(
            &mut out,
            &Table {
                id: "t".into(),
                caption: "c".into(),
                header: vec!["Cmax [copies/ug]".into()],
                rows: vec![vec!["\u{1}12".into()], vec!["<b>".into()]],
                note: None,
            },
        );
        assert!(out.contains("<th>Cmax<br><small>copies/ug</small></th>"));
        assert!(out.contains("<td class=\"excl\">12</td>"));
        assert!(out.contains("<td>&lt;b&gt;</td>"));
    }

    /// Regression (brief: one name per metric across every table, PKNCA's with PPTESTCD):
    /// the report's metric columns showed only display labels, unlike the CSV tables.
    #[test]
    fn metric_headers_carry_the_csv_names() {
        let h = metric_header("AUC0-28d", "day*copies/ug", "aucint.last.0-28", "AUCINT");
        let mut out = String::new();
        table(
            &mut out,
            &Table {
                id: "t".into(),
                caption: "c".into(),
                header: vec![h],
                rows: vec![],
                note: None,
            },
        );
        // Unit and names on smaller lines (th is white-space: pre-line).
        assert!(
            out.contains(
                "<th>AUC0-28d<br><small>day*copies/ug\naucint.last.0-28 (AUCINT)</small></th>"
            ),
            "{out}"
        );
        assert_eq!(
            metric_header("Cmax/dose", "x", "cmax.dn", ""),
            "Cmax/dose [x\ncmax.dn]"
        );
    }
}
