//! Figures checked by what they contain: SVG element counts and labels (snapshot of a
//! structural summary), decoded PNG size and content, and no panic on awkward data.

use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_nca::{nca_profile, NcaOptions};
use cartpk_plot::cohort::{CohortPlot, CohortProfile};
use cartpk_plot::gof::{GofPlot, GofPoint};
use cartpk_plot::patient::{PatientPlot, PatientSeries};
use cartpk_plot::{render, Figure, ImageFormat, PlotOptions};

const BLUE: &str = "#0072B2"; // first series colour (Okabe-Ito blue)

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

#[test]
fn patient_svg_has_one_marker_per_observation_and_open_blq() {
    let s = svg(&patient(&[blood()]));
    // Filled blue circles: 5 quantified samples + 1 legend entry.
    let filled = format!(r#"fill="{BLUE}" stroke="none""#);
    let circles: Vec<&str> = s
        .split("<circle")
        .skip(1)
        .map(|c| c.split('>').next().unwrap())
        .collect();
    assert_eq!(
        circles.iter().filter(|c| c.contains(&filled)).count(),
        6,
        "{circles:#?}"
    );
    // Open blue circles: the 2 BLQ samples, drawn at the LLOQ.
    let open = circles
        .iter()
        .filter(|c| c.contains(r#"fill="none""#) && c.contains(&format!(r#"stroke="{BLUE}""#)))
        .count();
    assert_eq!(open, 2, "{circles:#?}");
    // Log axis: decade labels; axis titles with units; the title with Cmax and AUC0-28d.
    let t = texts(&s);
    for label in ["10", "100", "1e3", "1e4", "1e5"] {
        assert!(t.iter().any(|x| x == label), "no tick {label}: {t:?}");
    }
    assert!(t.iter().any(|x| x == "Days since infusion"));
    assert!(t.iter().any(|x| x == "transgene copies/ug gDNA"));
    assert!(
        t.iter()
            .any(|x| x.starts_with("P01  |  blood qPCR: Cmax 24000 copies/ug at day 11, AUC0-28d")),
        "{t:?}"
    );
    assert!(
        t.iter().any(|x| x == "LLOQ")
            && t.iter().any(|x| x == "BLQ (at LLOQ)")
            && t.iter().any(|x| x == "AUC0-28d")
    );
}

#[test]
fn patient_svg_structure_snapshot() {
    let marrow = profile(
        Matrix::BoneMarrow,
        Assay::Qpcr,
        ConcUnit::CopiesPerUg,
        vec![
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(28.0, 3000.0),
            Sample::quantified(84.0, 400.0),
        ],
    );
    let flow = profile(
        Matrix::Blood,
        Assay::Flow,
        ConcUnit::PercentCarPositive,
        vec![
            Sample::blq(0.0, Some(0.1)),
            Sample::quantified(11.0, 21.0),
            Sample::quantified(28.0, 1.0),
        ],
    );
    let s = svg(&patient(&[blood(), marrow, flow]));
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
    // The plot area (middle of the image) has ink, and some of it is the series blue.
    let (w, h) = img.dimensions();
    let mut ink = 0;
    let mut blue = 0;
    for y in h / 5..h * 4 / 5 {
        for x in w / 6..w * 5 / 6 {
            let p = img.get_pixel(x, y).0;
            if p != [255, 255, 255] {
                ink += 1;
            }
            if p == [0, 114, 178] {
                blue += 1;
            }
        }
    }
    assert!(ink > 2000, "plot area nearly blank: {ink} non-white pixels");
    assert!(blue > 100, "no series colour: {blue} blue pixels");
}

#[test]
fn awkward_profiles_draw_or_say_why_never_panic() {
    let u = || ConcUnit::CopiesPerUg;
    let cases = vec![
        ("empty", vec![]),
        (
            "all BLQ",
            vec![Sample::blq(0.0, Some(50.0)), Sample::blq(7.0, Some(50.0))],
        ),
        ("BLQ without LLOQ", vec![Sample::blq(0.0, None)]),
        ("single point", vec![Sample::quantified(0.0, 10.0)]),
        (
            "zeros",
            vec![Sample::quantified(0.0, 0.0), Sample::quantified(3.0, 0.0)],
        ),
        (
            "1 to 1e7",
            vec![
                Sample::quantified(0.0, 1.0),
                Sample::quantified(10.0, 1e7),
                Sample::quantified(365.0, 3.0),
            ],
        ),
        ("missing only", vec![Sample::missing(1.0)]),
    ];
    for (name, samples) in cases {
        let p = profile(Matrix::Blood, Assay::Qpcr, u(), samples);
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            let out = render(
                &patient(std::slice::from_ref(&p)),
                format,
                &PlotOptions::default(),
            );
            assert!(out.is_ok(), "{name} {format:?}: {:?}", out.err());
        }
    }
    let empty_patient = PatientPlot {
        subject: "X".into(),
        series: vec![],
    };
    assert!(texts(&svg(&empty_patient))
        .iter()
        .any(|t| t == "no samples to draw"));
    let cohort = CohortPlot {
        title: "none".into(),
        unit: u(),
        profiles: vec![],
    };
    assert!(render(&cohort, ImageFormat::Png, &PlotOptions::default()).is_ok());
    let gof = GofPlot {
        title: "none".into(),
        unit_label: "copies/ug".into(),
        points: vec![],
    };
    assert!(render(&gof, ImageFormat::Svg, &PlotOptions::default()).is_ok());
    let bad = PlotOptions {
        width_in: -1.0,
        ..PlotOptions::default()
    };
    assert!(render(&gof, ImageFormat::Png, &bad).is_err());
}

#[test]
fn cohort_and_gof_figures_draw_their_data() {
    let profiles: Vec<CohortProfile> = (0..6)
        .map(|i| CohortProfile {
            subject: format!("S{i}"),
            group: Some(if i % 2 == 0 { "CR".into() } else { "NR".into() }),
            points: [
                (0.0, 50.0, true),
                (7.0, 1000.0 * (i + 1) as f64, false),
                (28.0, 200.0, false),
            ]
            .iter()
            .map(|&(time, value, blq)| cartpk_plot::patient::SeriesPoint { time, value, blq })
            .collect(),
        })
        .collect();
    let cohort = CohortPlot {
        title: "blood qPCR: 6 patients".into(),
        unit: ConcUnit::CopiesPerUg,
        profiles,
    };
    let t = texts(&svg(&cohort));
    assert!(
        t.iter().any(|x| x == "CR (n=3): median, 5-95th percentile"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "NR (n=3): median, 5-95th percentile"));
    let points = (1..=5)
        .map(|i| GofPoint {
            time: i as f64 * 7.0,
            observed: 100.0 * i as f64,
            predicted: 90.0 * i as f64,
            weighted_residual: 0.3,
            blq: false,
        })
        .collect();
    let gof = GofPlot {
        title: "gof".into(),
        unit_label: "copies/ug".into(),
        points,
    };
    let s = svg(&gof);
    // Five points in each panel.
    assert_eq!(
        s.split("<circle")
            .skip(1)
            .filter(|c| c.contains(&format!(r#"fill="{BLUE}""#)))
            .count(),
        10
    );
}
