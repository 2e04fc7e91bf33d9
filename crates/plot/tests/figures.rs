//! Figures checked by what they contain: SVG element counts and labels (snapshot of a
//! structural summary), decoded PNG size, text drawn with the font's advances, and no
//! panic or hang on awkward data.

use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_nca::{nca_profile, NcaOptions};
use cartpk_plot::boxplot::{GroupValues, MetricByGroupPlot};
use cartpk_plot::cohort::{CohortPlot, CohortProfile};
use cartpk_plot::gof::{GofPlot, GofPoint};
use cartpk_plot::patient::{PatientPlot, PatientSeries, SeriesPoint};
use cartpk_plot::{render, render_checked, Figure, ImageFormat, PlotError, PlotOptions};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

const BLUE: &str = "#0072B2"; // first series colour (Okabe-Ito blue)
const VERMILLION: &str = "#D55E00"; // second

fn profile(matrix: Matrix, assay: Assay, unit: ConcUnit, samples: Vec<Sample>) -> Profile {
    let key = ProfileKey {
        subject: "P01".into(),
        matrix,
        assay,
    };
    Profile::new(key, unit, samples)
}

/// Blood qPCR: 5 quantified samples and 2 BLQ (LLOQ 50 copies/ug).
fn blood() -> Profile {
    profile(
        Matrix::Blood,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(4.0, 800.0),
            Sample::quantified(11.0, 24000.0),
            Sample::quantified(14.0, 9000.0),
            Sample::quantified(28.0, 900.0),
            Sample::quantified(84.0, 150.0),
            Sample::blq(168.0, Some(50.0)),
        ],
    )
}

/// Marrow qPCR at days 28/84 (sparse: no Cmax).
fn marrow() -> Profile {
    profile(
        Matrix::BoneMarrow,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(28.0, 3000.0),
            Sample::quantified(84.0, 400.0),
        ],
    )
}

fn flow() -> Profile {
    profile(
        Matrix::Blood,
        Assay::Flow,
        ConcUnit::PercentCarPositive,
        vec![
            Sample::blq(0.0, Some(0.1)),
            Sample::quantified(7.0, 5.0),
            Sample::quantified(11.0, 81.0),
            Sample::quantified(14.0, 40.0),
            Sample::quantified(28.0, 1.0),
            Sample::quantified(84.0, 0.5),
        ],
    )
}

fn patient(profiles: &[Profile]) -> PatientPlot {
    let series = profiles
        .iter()
        .map(|p| {
            let r = nca_profile(p, &NcaOptions::default(), None).ok();
            PatientSeries::from_profile(p, r.as_ref())
        })
        .collect();
    PatientPlot {
        subject: "P01".into(),
        series,
        death_day: None,
    }
}

fn svg<F: Figure>(f: &F) -> String {
    String::from_utf8(render(f, ImageFormat::Svg, &PlotOptions::default()).unwrap()).unwrap()
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// The texts of the SVG, in order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .map(|(_, rest)| rest.split('<').next().unwrap_or("").trim().to_string())
        })
        .collect()
}

/// The opening tags of one SVG element kind.
fn tags<'a>(svg: &'a str, element: &str) -> Vec<&'a str> {
    svg.split(&format!("<{element}"))
        .skip(1)
        .map(|c| c.split('>').next().unwrap_or(""))
        .collect()
}

#[test]
fn patient_svg_has_markers_per_panel_open_blq_and_one_cmax() {
    let s = svg(&patient(&[blood()]));
    let circles = tags(&s, "circle");
    // Split time axis: days 0-28 show the samples at 4, 11, 14, 28 (4 quantified), the
    // whole follow-up all 5; plus the legend entry.
    let filled = format!(r#"fill="{BLUE}" stroke="none""#);
    assert_eq!(
        circles.iter().filter(|c| c.contains(&filled)).count(),
        4 + 5 + 1,
        "{circles:#?}"
    );
    // Open blue circles: BLQ at day 0 (both panels) and day 168 (follow-up panel).
    let open = circles
        .iter()
        .filter(|c| c.contains(r#"fill="none""#) && c.contains(&format!(r#"stroke="{BLUE}""#)))
        .count();
    assert_eq!(open, 3, "{circles:#?}");
    let t = texts(&s);
    // 10^n ticks on the log axis, both time panels, and Cmax marked once.
    for label in ["10²", "10³", "10⁴", "10⁵"] {
        assert!(t.iter().any(|x| x == label), "no tick {label}: {t:?}");
    }
    assert!(t
        .iter()
        .any(|x| x == "Days since infusion: 0-28 (expansion)"));
    assert!(t
        .iter()
        .any(|x| x == "Days since infusion: whole follow-up"));
    assert!(t.iter().any(|x| x == "transgene copies/µg gDNA"));
    assert_eq!(
        t.iter().filter(|x| x.starts_with("Cmax")).count(),
        1,
        "{t:?}"
    );
    assert!(
        t.iter()
            .any(|x| x.starts_with("P01  |  blood qPCR: Cmax 2.40e4 copies/ug at day 11, AUC0-28d")),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "LLOQ") && t.iter().any(|x| x == "BLQ (open, at LLOQ)"));
    assert!(t.iter().any(|x| x == "0-28 d"));
}

#[test]
fn sparse_profiles_get_no_cmax_and_percent_axes_stop_at_100() {
    let s = svg(&patient(&[marrow()]));
    assert!(
        !texts(&s).iter().any(|x| x.starts_with("Cmax")),
        "marrow got a Cmax label"
    );
    let mut series = PatientSeries::from_profile(&marrow(), None);
    assert!(!series.mark_cmax);
    // The caller decides: a sampling rule of its own can turn the mark on.
    series.mark_cmax = true;
    series.cmax = Some((28.0, 3000.0));
    let plot = PatientPlot {
        subject: "P01".into(),
        series: vec![series],
        death_day: None,
    };
    assert_eq!(
        texts(&svg(&plot))
            .iter()
            .filter(|x| x.starts_with("Cmax"))
            .count(),
        1
    );

    // Flow peaking at 81%: the axis ends at 10², not 10³.
    let t = texts(&svg(&patient(&[flow()])));
    assert!(
        t.iter().any(|x| x == "10²") && !t.iter().any(|x| x == "10³"),
        "{t:?}"
    );
    // A %CAR+ above 100 is not drawn and is reported.
    let mut bad = flow();
    bad.samples.push(Sample::quantified(100.0, 9321.0));
    let r = render_checked(&patient(&[bad]), ImageFormat::Svg, &PlotOptions::default()).unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("9321 %CAR+ is above 100%")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn fitted_curve_is_smooth_and_clipped_to_each_panel() {
    // A peak at day 10: exp(-(t-10)^2/8) scaled; the curve must have points every <= 0.05
    // day around the peak, and no point outside the panel's time range.
    let series = PatientSeries::from_profile(&blood(), None).with_model(168.0, |t| {
        100.0 + 20000.0 * (-(t - 10.0) * (t - 10.0) / 8.0).exp()
    });
    let curve = series.fit.clone().unwrap();
    let near_peak: Vec<f64> = curve
        .iter()
        .map(|p| p.0)
        .filter(|t| (8.0..12.0).contains(t))
        .collect();
    assert!(
        near_peak.len() >= 80,
        "{} points around the peak",
        near_peak.len()
    );
    let s = svg(&PatientPlot {
        subject: "P01".into(),
        series: vec![series],
        death_day: None,
    });
    // The model curve: a wide blue polyline in each of the two panels.
    let curves = tags(&s, "polyline")
        .into_iter()
        .filter(|p| p.contains(&format!(r#"stroke="{BLUE}""#)) && p.contains(r#"stroke-width="2""#))
        .count();
    assert!(curves >= 2, "{curves} curve polylines");
}

#[test]
fn patient_svg_structure_snapshot() {
    let s = svg(&patient(&[blood(), marrow(), flow()]));
    let summary = format!(
        "circles: {}\npolygons (triangles): {}\nrects: {}\npolylines: {}\ntexts:\n{}",
        count(&s, "<circle"),
        count(&s, "<polygon"),
        count(&s, "<rect"),
        count(&s, "<polyline"),
        texts(&s).join("\n")
    );
    insta::assert_snapshot!(summary);
}

#[test]
fn png_has_the_requested_size_and_a_drawn_plot_area() {
    let opts = PlotOptions {
        width_in: 6.0,
        height_in: 4.0,
        dpi: 150.0,
    };
    let png = render(&patient(&[blood()]), ImageFormat::Png, &opts).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (900, 600));
    // The plot area has ink, some of it the series blue, and anti-aliased edges: colours
    // between the blue and white, which a non-anti-aliased renderer does not produce.
    let (w, h) = img.dimensions();
    let (mut ink, mut blue, mut blended) = (0, 0, 0);
    for y in h / 5..h * 4 / 5 {
        for x in w / 6..w * 5 / 6 {
            let p = img.get_pixel(x, y).0;
            if p != [255, 255, 255] {
                ink += 1;
            }
            if p == [0, 114, 178] {
                blue += 1;
            }
            // On the line from blue (0,114,178) to white, strictly between.
            let f = (255 - p[0] as i32) as f64 / 255.0;
            if f > 0.15
                && f < 0.85
                && (p[1] as f64 - (255.0 - 141.0 * f)).abs() < 6.0
                && (p[2] as f64 - (255.0 - 77.0 * f)).abs() < 6.0
            {
                blended += 1;
            }
        }
    }
    assert!(ink > 2000, "plot area nearly blank: {ink} non-white pixels");
    assert!(blue > 100, "no series colour: {blue} blue pixels");
    assert!(blended > 50, "no anti-aliasing: {blended} blended pixels");
}

/// Draws one string, big, so its ink can be measured.
struct OneText(&'static str);

impl Figure for OneText {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        _options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        // plotters writes font-size = size / 1.24 into the SVG.
        root.draw(&Text::new(
            self.0,
            (20, 40),
            ("sans-serif", 62.0).into_font(),
        ))?;
        Ok(())
    }
}

/// Ink width of `text` at `px` pixels per em from the bundled font's metrics: the pen
/// advances over every glyph but the last, from the first glyph's left edge to the last
/// glyph's right edge (no kerning pair in these strings changes it by more than a pixel).
fn metric_ink_width(text: &str, px: f64) -> f64 {
    let face = ttf_parser::Face::parse(include_bytes!("../fonts/DejaVuSans.ttf"), 0).unwrap();
    let scale = px / face.units_per_em() as f64;
    let ids: Vec<_> = text.chars().map(|c| face.glyph_index(c).unwrap()).collect();
    let adv: f64 = ids[..ids.len() - 1]
        .iter()
        .map(|&g| face.glyph_hor_advance(g).unwrap() as f64)
        .sum();
    let first = face.glyph_bounding_box(ids[0]).unwrap();
    let last = face.glyph_bounding_box(ids[ids.len() - 1]).unwrap();
    (adv + last.x_max as f64 - first.x_min as f64) * scale
}

/// The widest blank between two adjacent letters of `text` from the font's metrics, px.
fn metric_max_gap(text: &str, px: f64) -> f64 {
    let face = ttf_parser::Face::parse(include_bytes!("../fonts/DejaVuSans.ttf"), 0).unwrap();
    let scale = px / face.units_per_em() as f64;
    let ids: Vec<_> = text.chars().map(|c| face.glyph_index(c).unwrap()).collect();
    ids.windows(2)
        .map(|w| {
            let a = face.glyph_bounding_box(w[0]).unwrap();
            let b = face.glyph_bounding_box(w[1]).unwrap();
            let rsb = face.glyph_hor_advance(w[0]).unwrap() as f64 - a.x_max as f64;
            (rsb + b.x_min as f64) * scale
        })
        .fold(0.0, f64::max)
}

/// Issue 10: PNG text drawn with the bundled font had wrong advances ("Cma x", "Days
/// si nce i nfusi on"). The ink of a rendered string must match the font's metrics.
#[test]
fn png_text_is_drawn_with_the_fonts_advances() {
    let opts = PlotOptions {
        width_in: 8.0,
        height_in: 1.0,
        dpi: 100.0,
    };
    for text in ["Cmax", "Days since infusion", "SIM002"] {
        let png = render(&OneText(text), ImageFormat::Png, &opts).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        let columns: Vec<u32> = (0..w)
            .filter(|&x| (0..h).any(|y| img.get_pixel(x, y).0[0] < 128))
            .collect();
        let ink = (columns[columns.len() - 1] - columns[0] + 1) as f64;
        let expected = metric_ink_width(text, 62.0 / 1.24);
        assert!(
            (ink - expected).abs() <= 2.0 + 0.01 * expected,
            "{text}: ink {ink} px, font metrics {expected:.1} px"
        );
        // No gap inside a word wider than the font's widest gap between two of its
        // letters (right side bearing + next left side bearing): the broken renderer left
        // a space-sized hole ("Cma x").
        if !text.contains(' ') {
            let gap = columns
                .windows(2)
                .map(|c| c[1] - c[0] - 1)
                .max()
                .unwrap_or(0) as f64;
            let expected = metric_max_gap(text, 62.0 / 1.24);
            assert!(
                gap <= expected + 2.0,
                "{text}: {gap} px hole between letters, font metrics at most {expected:.1} px"
            );
        }
    }
}

/// Runs `f` on another thread; fails if it takes longer than `secs` (a hang is a failure,
/// not a stuck test run).
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("{what}: no answer within {secs} s (hang)"))
}

/// Issue 9: values near the limits of f64 hung plotters' log axis; times of 1e16 days and
/// zero-width ranges. Every figure draws (leaving the value out, with a warning) or says
/// why, within seconds, in both formats.
#[test]
fn extreme_values_never_hang_or_panic() {
    let q = Sample::quantified;
    let cases: Vec<(&str, Vec<Sample>, bool)> = vec![
        (
            "1e308",
            vec![q(0.0, 10.0), q(7.0, 1e308), q(28.0, 5.0)],
            true,
        ),
        (
            "1e-310",
            vec![q(0.0, 10.0), q(7.0, 1e-310), q(28.0, 5.0)],
            true,
        ),
        ("f64::MAX", vec![q(7.0, f64::MAX)], true),
        ("infinity", vec![q(7.0, f64::INFINITY), q(8.0, 3.0)], true),
        ("NaN", vec![q(7.0, f64::NAN), q(8.0, 3.0)], true),
        ("time 1e16", vec![q(0.0, 10.0), q(1e16, 50.0)], true),
        ("time -1e16", vec![q(-1e16, 10.0), q(3.0, 50.0)], true),
        (
            "identical values",
            vec![q(7.0, 5.0), q(7.0, 5.0), q(7.0, 5.0)],
            false,
        ),
        ("single time 0", vec![q(0.0, 5.0)], false),
        ("baseline", vec![q(-6.0, 5.0), q(7.0, 500.0)], false),
        ("empty", vec![], false),
        (
            "all BLQ",
            vec![Sample::blq(0.0, Some(50.0)), Sample::blq(7.0, Some(50.0))],
            false,
        ),
        ("BLQ without LLOQ", vec![Sample::blq(0.0, None)], true),
        ("zeros", vec![q(0.0, 0.0), q(3.0, 0.0)], true),
        ("missing only", vec![Sample::missing(1.0)], false),
    ];
    for (name, samples, warns) in cases {
        let p = profile(Matrix::Blood, Assay::Qpcr, ConcUnit::CopiesPerUg, samples);
        let series = PatientSeries::from_profile(&p, None).with_model(30.0, |t| 1e308 * t);
        let points = series.points.clone();
        let plot = PatientPlot {
            subject: "X".into(),
            series: vec![series],
            death_day: None,
        };
        let cohort = CohortPlot {
            title: name.into(),
            unit: ConcUnit::CopiesPerUg,
            profiles: (0..4)
                .map(|i| CohortProfile {
                    subject: format!("S{i}"),
                    group: Some(if i % 2 == 0 { "CR" } else { "NR" }.into()),
                    points: points.clone(),
                })
                .collect(),
        };
        let gof = GofPlot {
            title: name.into(),
            unit_label: "copies/µg".into(),
            points: points
                .iter()
                .map(|p| GofPoint {
                    time: p.time,
                    observed: p.value,
                    predicted: p.value * 2.0,
                    weighted_residual: p.value,
                    blq: p.blq,
                })
                .collect(),
        };
        let by_group = MetricByGroupPlot {
            title: name.into(),
            metric_label: "Cmax".into(),
            group_label: "group".into(),
            groups: vec![GroupValues {
                name: "all".into(),
                values: points.iter().map(|p| p.value).collect(),
            }],
        };
        let label = name.to_string();
        let warnings = within(60, name, move || {
            let mut warnings = Vec::new();
            for format in [ImageFormat::Png, ImageFormat::Svg] {
                let o = PlotOptions::default();
                let r = render_checked(&plot, format, &o);
                assert!(r.is_ok(), "{label} patient {format:?}: {:?}", r.err());
                warnings = r.unwrap().warnings;
                for r in [
                    render(&cohort, format, &o).map(|_| ()),
                    render(&gof, format, &o).map(|_| ()),
                    render(&by_group, format, &o).map(|_| ()),
                ] {
                    assert!(r.is_ok(), "{label} {format:?}: {:?}", r.err());
                }
            }
            warnings
        });
        assert_eq!(!warnings.is_empty(), warns, "{name}: {warnings:?}");
    }
    let empty_patient = PatientPlot {
        subject: "X".into(),
        series: vec![],
        death_day: None,
    };
    assert!(texts(&svg(&empty_patient))
        .iter()
        .any(|t| t == "no samples to draw"));
    let bad = PlotOptions {
        width_in: -1.0,
        ..PlotOptions::default()
    };
    assert!(render(&empty_patient, ImageFormat::Png, &bad).is_err());
}

fn pts(v: &[(f64, f64, bool)]) -> Vec<SeriesPoint> {
    v.iter()
        .map(|&(time, value, blq)| SeriesPoint { time, value, blq })
        .collect()
}

#[test]
fn cohort_shows_groups_lloq_and_notes_outside_the_legend() {
    let profiles: Vec<CohortProfile> = (0..6)
        .map(|i| CohortProfile {
            subject: format!("S{i}"),
            group: Some(if i % 2 == 0 { "CR".into() } else { "NR".into() }),
            points: pts(&[
                (0.0, 50.0, true),
                (7.0, 1000.0 * (i + 1) as f64, false),
                (14.0, 800.0 * (i + 1) as f64, false),
                (28.0, 200.0, false),
                (84.0, 90.0, false),
                (168.0, 50.0, true),
            ]),
        })
        .collect();
    let cohort = CohortPlot {
        title: "blood qPCR: 6 patients".into(),
        unit: ConcUnit::CopiesPerUg,
        profiles,
    };
    assert!(!cohort.is_sparse());
    let s = svg(&cohort);
    let t = texts(&s);
    for label in ["CR (n=3)", "NR (n=3)", "LLOQ 50"] {
        assert!(
            t.iter().any(|x| x == label),
            "no legend entry {label}: {t:?}"
        );
    }
    // The conventions are a note under the title, not a legend entry.
    assert!(t
        .iter()
        .any(|x| x.starts_with("thin lines: patients; bold: median")));
    // Two groups in two different colours: blue and vermillion medians (3 px wide).
    for c in [BLUE, VERMILLION] {
        assert!(
            tags(&s, "polyline")
                .iter()
                .any(|p| p.contains(&format!(r#"stroke="{c}""#))
                    && p.contains(r#"stroke-width="3""#)),
            "no median in {c}"
        );
    }
}

/// Issue 10: the CSF cohort figure (one day-28 sample per patient) was an empty panel.
#[test]
fn sparse_cohort_draws_visits_as_boxes_and_dots() {
    let profiles: Vec<CohortProfile> = (0..9)
        .map(|i| CohortProfile {
            subject: format!("S{i}"),
            group: Some(if i < 5 { "CR".into() } else { "NR".into() }),
            points: if i == 8 {
                pts(&[(28.0, 50.0, true)])
            } else {
                pts(&[(27.0 + (i % 3) as f64, 100.0 * (i + 1) as f64, false)])
            },
        })
        .collect();
    let cohort = CohortPlot {
        title: "csf qPCR: 9 patients".into(),
        unit: ConcUnit::CopiesPerUg,
        profiles,
    };
    assert!(cohort.is_sparse());
    let s = svg(&cohort);
    let t = texts(&s);
    assert!(t.iter().any(|x| x == "day 28 (n=9)"), "{t:?}");
    assert!(t.iter().any(|x| x == "CR (n=5)") && t.iter().any(|x| x == "NR (n=4)"));
    // One dot per patient (8 filled, 1 open BLQ drawn over a white disc) + 1 legend marker.
    let circles = tags(&s, "circle");
    let filled = circles
        .iter()
        .filter(|c| c.contains(r#"stroke="none""#) && !c.contains("#FFFFFF"))
        .count();
    assert_eq!(filled, 8, "{circles:#?}");
    // CR has 5 values: a box; NR has 4 (one BLQ at the LLOQ): a box too.
    assert!(count(&s, "<rect") >= 4);
}

#[test]
fn gof_shows_blq_as_distinct_jittered_markers() {
    let points: Vec<GofPoint> = (1..=5)
        .map(|i| GofPoint {
            time: i as f64 * 7.0,
            observed: 100.0 * i as f64,
            predicted: 90.0 * i as f64,
            weighted_residual: 0.3,
            blq: false,
        })
        .chain((0..20).map(|i| GofPoint {
            time: 100.0 + i as f64,
            observed: 50.0,
            predicted: 1e-6 * (i + 1) as f64,
            weighted_residual: f64::NAN.max(0.0),
            blq: true,
        }))
        .collect();
    let gof = GofPlot {
        title: "gof".into(),
        unit_label: "copies/ug".into(),
        points,
    };
    let s = svg(&gof);
    // Quantified: five points in each panel (+ legend).
    let circles = tags(&s, "circle");
    assert_eq!(
        circles.iter().filter(|c| c.contains(BLUE)).count(),
        11,
        "{circles:#?}"
    );
    // BLQ: 20 open vermillion triangles (outlines: polylines; + legend) at distinct
    // heights.
    let tri = tags(&s, "polyline")
        .into_iter()
        .filter(|p| p.contains(VERMILLION))
        .collect::<Vec<_>>();
    assert_eq!(tri.len(), 21);
    let mut ys: Vec<&str> = tri
        .iter()
        .filter_map(|p| p.split("points=\"").nth(1))
        .filter_map(|p| p.split(' ').next())
        .filter_map(|p| p.split(',').nth(1))
        .collect();
    ys.sort();
    ys.dedup();
    assert!(ys.len() >= 10, "BLQ markers not jittered: {ys:?}");
    let t = texts(&s);
    assert!(
        t.iter().any(|x| x == "BLQ at LLOQ, jittered (n=20)"),
        "{t:?}"
    );
}

#[test]
fn metric_by_group_has_n_in_labels_and_a_dot_per_subject() {
    let plot = MetricByGroupPlot {
        title: "Cmax by response (blood qPCR)".into(),
        metric_label: "Cmax (copies/µg gDNA)".into(),
        group_label: "Best overall response".into(),
        groups: vec![
            GroupValues {
                name: "CR/CRi".into(),
                values: vec![2e4, 5e4, 1e5, 3e4, 8e4],
            },
            GroupValues {
                name: "NR".into(),
                values: vec![2e3, 5e3, 0.0],
            },
        ],
    };
    let s = svg(&plot);
    let t = texts(&s);
    assert!(t.iter().any(|x| x == "CR/CRi (n=5)"), "{t:?}");
    assert!(t.iter().any(|x| x == "NR (n=3, 1 not shown)"), "{t:?}");
    assert!(t.iter().any(|x| x == "10⁴"));
    // 7 drawable values, one dot each; a box for CR/CRi (n >= 4) only.
    assert_eq!(count(&s, "<circle"), 7);
    let r = render_checked(&plot, ImageFormat::Svg, &PlotOptions::default()).unwrap();
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
}

#[test]
fn gof_percent_axes_stop_at_100() {
    let gof = GofPlot {
        title: "blood flow".into(),
        unit_label: "%".into(),
        points: (1..=5)
            .map(|i| GofPoint {
                time: i as f64 * 7.0,
                observed: 16.0 * i as f64,
                predicted: 15.0 * i as f64,
                weighted_residual: 0.1,
                blq: false,
            })
            .collect(),
    };
    let t = texts(&svg(&gof));
    assert!(
        t.iter().any(|x| x == "10²") && !t.iter().any(|x| x == "10³"),
        "{t:?}"
    );
}

/// A patient who died: a vertical line at the day of death in every panel that reaches it,
/// labelled, and the time axis extended to it (here past the last sample, day 84); none
/// for a patient without a death.
#[test]
fn a_death_is_drawn_where_the_samples_end() {
    let mut plot = patient(&[flow()]);
    assert!(!texts(&svg(&plot)).iter().any(|t| t.starts_with("died")));
    plot.death_day = Some(100.0);
    let s = svg(&plot);
    let labels: Vec<String> = texts(&s)
        .into_iter()
        .filter(|t| t.starts_with("died"))
        .collect();
    // The whole-follow-up panel reaches day 100; the 0-28 panel does not.
    assert_eq!(labels, ["died, day 100"]);
    // The line: black and 2 px wide (the axes are 1 px), vertical, at one x.
    let lines: Vec<&str> = tags(&s, "polyline")
        .into_iter()
        .filter(|p| p.contains(r##"stroke="#000000" stroke-width="2""##))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let points: Vec<&str> = lines[0]
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    let x = |p: &str| p.split(',').next().unwrap().to_string();
    assert_eq!(
        x(points[0]),
        x(points[1].trim_end_matches('"')),
        "{points:?}"
    );
}
