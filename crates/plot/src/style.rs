//! Colours, markers and axis helpers shared by the figures.

use cartpk_core::{Assay, ConcUnit, Matrix};
use plotters::prelude::*;

/// Colour of the n-th series: a colour-blind-safe palette (Okabe & Ito 2008).
pub fn colour(n: usize) -> RGBColor {
    const OKABE_ITO: [RGBColor; 7] = [
        RGBColor(0, 114, 178),   // blue
        RGBColor(213, 94, 0),    // vermillion
        RGBColor(0, 158, 115),   // bluish green
        RGBColor(204, 121, 167), // reddish purple
        RGBColor(230, 159, 0),   // orange
        RGBColor(86, 180, 233),  // sky blue
        RGBColor(0, 0, 0),       // black
    ];
    OKABE_ITO[n % OKABE_ITO.len()]
}

/// Marker shape of a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Blood.
    Circle,
    /// Bone marrow.
    Triangle,
    /// CSF.
    Square,
    /// Other matrices.
    Diamond,
}

impl Marker {
    /// The marker of a matrix.
    pub fn of(matrix: &Matrix) -> Marker {
        match matrix {
            Matrix::Blood => Marker::Circle,
            Matrix::BoneMarrow => Marker::Triangle,
            Matrix::Csf => Marker::Square,
            Matrix::Other(_) => Marker::Diamond,
        }
    }
}

/// Draws markers of one shape at `points`; with a label, adds a legend entry showing the
/// same marker.
pub fn draw_markers<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    shape: Marker,
    points: &[(f64, f64)],
    size: i32,
    style: ShapeStyle,
    label: Option<String>,
) -> Result<(), crate::PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let pts = points.iter().copied();
    let s = size;
    let d = size + 1;
    let anno = match shape {
        Marker::Circle => {
            let a = chart.draw_series(pts.map(|p| Circle::new(p, s, style)))?;
            label.map(|l| (a, l, 0))
        }
        Marker::Triangle => {
            let h = (f64::from(d) * 0.866).round() as i32;
            let v = vec![(0, -d), (h, d / 2), (-h, d / 2)];
            let a = shape_series(chart, pts, v, style)?;
            label.map(|l| (a, l, 1))
        }
        Marker::Square => {
            let a = chart.draw_series(
                pts.map(|p| EmptyElement::at(p) + Rectangle::new([(-s, -s), (s, s)], style)),
            )?;
            label.map(|l| (a, l, 2))
        }
        Marker::Diamond => {
            let v = vec![(0, -d), (d, 0), (0, d), (-d, 0)];
            let a = shape_series(chart, pts, v, style)?;
            label.map(|l| (a, l, 3))
        }
    };
    if let Some((a, l, kind)) = anno {
        let a = a.label(l);
        match kind {
            0 => {
                a.legend(move |(x, y)| Circle::new((x + 8, y), 4, style));
            }
            1 => {
                let v = |x: i32, y: i32| {
                    vec![
                        (x + 8, y - 5),
                        (x + 12, y + 3),
                        (x + 4, y + 3),
                        (x + 8, y - 5),
                    ]
                };
                if style.filled {
                    a.legend(move |(x, y)| Polygon::new(v(x, y), style));
                } else {
                    a.legend(move |(x, y)| PathElement::new(v(x, y), style));
                }
            }
            2 => {
                a.legend(move |(x, y)| Rectangle::new([(x + 4, y - 4), (x + 12, y + 4)], style));
            }
            _ => {
                let v = |x: i32, y: i32| {
                    vec![
                        (x + 8, y - 5),
                        (x + 13, y),
                        (x + 8, y + 5),
                        (x + 3, y),
                        (x + 8, y - 5),
                    ]
                };
                if style.filled {
                    a.legend(move |(x, y)| Polygon::new(v(x, y), style));
                } else {
                    a.legend(move |(x, y)| PathElement::new(v(x, y), style));
                }
            }
        }
    }
    Ok(())
}

/// Markers of a polygonal shape (`vertices` in pixels around each point): filled, or as
/// a closed outline when `style` is not filled (plotters' `TriangleMarker` and `Polygon`
/// always fill, which would draw BLQ samples as solid markers).
fn shape_series<'c, 'a, DB, CT>(
    chart: &'c mut ChartContext<'a, DB, CT>,
    pts: impl Iterator<Item = (f64, f64)>,
    vertices: Vec<(i32, i32)>,
    style: ShapeStyle,
) -> Result<&'c mut plotters::chart::SeriesAnno<'a, DB>, crate::PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate<From = (f64, f64)>,
{
    Ok(if style.filled {
        chart
            .draw_series(pts.map(|p| EmptyElement::at(p) + Polygon::new(vertices.clone(), style)))?
    } else {
        let mut closed = vertices.clone();
        closed.push(vertices[0]);
        chart.draw_series(
            pts.map(|p| EmptyElement::at(p) + PathElement::new(closed.clone(), style)),
        )?
    })
}

/// The y-axis label of a unit, in the field's words.
pub fn unit_axis_label(unit: &ConcUnit) -> String {
    match unit {
        ConcUnit::CopiesPerUg => "transgene copies/µg gDNA".to_string(),
        ConcUnit::PercentCarPositive => "%CAR+ of CD3+ T cells".to_string(),
        ConcUnit::CellsPerUl => "CAR+ cells/µL".to_string(),
        ConcUnit::Other(u) => u.clone(),
    }
}

/// `blood qPCR`-style series label.
pub fn series_label(matrix: &Matrix, assay: &Assay) -> String {
    let a = match assay {
        Assay::Qpcr => "qPCR".to_string(),
        Assay::Flow => "flow".to_string(),
        Assay::Other(s) => s.clone(),
    };
    format!("{} {a}", matrix.label())
}

/// Smallest and largest value a log axis draws. Values outside (and zeros, negatives, NaN,
/// infinities) are left out of the figure and reported by [`crate::Figure::warnings`]:
/// plotters' log axis loops forever on a range reaching 0 or infinity, and ±100 decades keep
/// every margin and decade rounding of the range well inside f64 (about 1e±308).
pub const LOG_AXIS_LIMITS: (f64, f64) = (1e-100, 1e100);

/// Largest |time| drawn, days (about 2,700 years): later times are typing errors (hours
/// or seconds given as days), left out and reported rather than squeezing every real
/// sample into one pixel column.
pub const MAX_ABS_DAY: f64 = 1e6;

/// Whether a log axis can draw `v`.
pub fn on_log_axis(v: f64) -> bool {
    v.is_finite() && (LOG_AXIS_LIMITS.0..=LOG_AXIS_LIMITS.1).contains(&v)
}

/// Whether a time axis can draw `t` (days).
pub fn on_time_axis(t: f64) -> bool {
    t.is_finite() && t.abs() <= MAX_ABS_DAY
}

/// A log10 axis range covering `lo..hi` in whole decades, at least one decade, inside
/// [`LOG_AXIS_LIMITS`] whatever the input (NaN, zero, infinities: 1 to 10).
pub fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let (min, max) = LOG_AXIS_LIMITS;
    let clamp = |v: f64| {
        if v.is_finite() && v > 0.0 {
            v.clamp(min, max)
        } else {
            f64::NAN
        }
    };
    let (lo, hi) = (clamp(lo), clamp(hi));
    if lo.is_nan() || hi.is_nan() {
        return (1.0, 10.0);
    }
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    // Exact powers of ten (powi drifts by an ulp at large exponents).
    let decade = |e: f64| format!("1e{}", e as i32).parse::<f64>().unwrap_or(1.0);
    let lo = decade(lo.log10().floor());
    let mut hi = decade(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    (lo, hi)
}

/// A log range for values of `unit`: %CAR+ never above 100 (a percentage of cells).
pub fn log_range_for(unit: &ConcUnit, lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = log_range(lo, hi);
    if *unit == ConcUnit::PercentCarPositive && hi > 100.0 {
        return (lo.min(10.0), 100.0);
    }
    (lo, hi)
}

/// Whether a value of `unit` can be drawn: on the log axis and, for %CAR+, at most 100.
pub fn drawable_value(unit: &ConcUnit, v: f64) -> bool {
    on_log_axis(v) && !(*unit == ConcUnit::PercentCarPositive && v > 100.0)
}

/// Why a value of `unit` is not drawn, for warnings.
pub fn why_not_drawn(unit: &ConcUnit, v: f64) -> String {
    if *unit == ConcUnit::PercentCarPositive && v.is_finite() && v > 100.0 {
        format!("{} %CAR+ is above 100%", fmt_num(v))
    } else if v.is_finite() && v > 0.0 {
        format!(
            "{v:e} is outside the log axis range {:e} to {:e}",
            LOG_AXIS_LIMITS.0, LOG_AXIS_LIMITS.1
        )
    } else {
        format!("{v} cannot be shown on a log axis")
    }
}

/// A linear axis range covering `lo..hi` and 0 with a 4% margin, at least one unit wide,
/// finite whatever the input.
pub fn linear_range(lo: f64, hi: f64) -> (f64, f64) {
    // Clamped well inside f64 so that the margin cannot overflow.
    let lo = if lo.is_finite() {
        lo.clamp(-1e300, 0.0)
    } else {
        0.0
    };
    let hi = if hi.is_finite() {
        hi.clamp(0.0, 1e300)
    } else {
        1.0
    };
    let pad = (hi - lo) * 0.04;
    let (lo, hi) = (if lo < 0.0 { lo - pad } else { lo }, hi + pad);
    if hi - lo < 1.0 {
        (lo, lo + 1.0)
    } else {
        (lo, hi)
    }
}

/// Human-friendly number: 3 significant digits, scientific beyond 1e5.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if !v.is_finite() {
        format!("{v}")
    } else if v.abs() >= 1e5 || v.abs() < 1e-2 {
        format!("{v:.2e}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{:.3}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// `v` in three significant figures as a study report shows it: fixed within [0.01, 10^4)
/// (`40.6`, `206`), scientific otherwise (`6.46e4`). The rule of the report's tables
/// (`cartpk_report::format`, which checks that the two agree); the plot crate cannot
/// depend on the report crate, which draws with it.
pub fn sig3(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    if (0.01..9999.5).contains(&v.abs()) {
        let mag = v.abs().log10().floor() as i32;
        let decimals = (2 - mag).max(0) as usize;
        // Round to 3 significant figures first so that 1234 shows as 1230.
        let p = 10f64.powi(mag - 2);
        let r = (v / p).round() * p;
        format!("{r:.decimals$}")
    } else {
        format!("{v:.2e}")
    }
}

/// `n` in Unicode superscript digits (DejaVu Sans has them all).
pub fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '\u{207B}',
            '1' => '\u{00B9}',
            '2' => '\u{00B2}',
            '3' => '\u{00B3}',
            d => d
                .to_digit(10)
                .and_then(|d| char::from_u32(0x2070 + d))
                .unwrap_or(d),
        })
        .collect()
}

/// Tick label of a log axis: powers of ten as 10⁻¹, 10⁰, 10¹, 10²... (ggplot's
/// `scales::label_math(10^.x)`); other ticks unlabelled.
pub fn log_tick(v: &f64) -> String {
    let e = v.log10().round();
    if !e.is_finite() || (v.log10() - e).abs() > 1e-9 {
        return String::new();
    }
    format!("10{}", superscript(e as i32))
}

/// Tick label of a time axis, whole days.
pub fn day_tick(v: &f64) -> String {
    format!("{v:.0}")
}

/// The parts of the polyline `points` inside the box `x` by `y`, cut exactly at its edges
/// (in log10 y when `log_y`, so a straight line on the chart stays straight): plotters does
/// not clip, it pins points outside the plot area to its border. Points that are not
/// finite (or not positive on a log axis) break the line.
pub fn clip_polyline(
    points: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
    log_y: bool,
) -> Vec<Vec<(f64, f64)>> {
    let fy = |v: f64| if log_y { v.log10() } else { v };
    let gy = |v: f64| if log_y { 10f64.powf(v) } else { v };
    let (y0, y1) = (fy(y.0), fy(y.1));
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(f64, f64)>| {
        if run.len() >= 2 {
            runs.push(std::mem::take(run));
        } else {
            run.clear();
        }
    };
    for w in points.windows(2) {
        let (ax, ay, bx, by) = (w[0].0, fy(w[0].1), w[1].0, fy(w[1].1));
        if !(ax.is_finite() && ay.is_finite() && bx.is_finite() && by.is_finite()) {
            flush(&mut run);
            continue;
        }
        // Liang-Barsky.
        let (dx, dy) = (bx - ax, by - ay);
        let mut t0 = 0.0f64;
        let mut t1 = 1.0f64;
        let mut inside = true;
        for (p, q) in [
            (-dx, ax - x.0),
            (dx, x.1 - ax),
            (-dy, ay - y0),
            (dy, y1 - ay),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    inside = false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        if !inside || t0 > t1 {
            flush(&mut run);
            continue;
        }
        let a = (ax + t0 * dx, gy(ay + t0 * dy));
        let b = (ax + t1 * dx, gy(ay + t1 * dy));
        if t0 > 0.0 || run.is_empty() {
            flush(&mut run);
            run.push(a);
        }
        run.push(b);
        if t1 < 1.0 {
            flush(&mut run);
        }
    }
    flush(&mut run);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_labels() {
        assert_eq!(log_range(50.0, 6177.0), (10.0, 10000.0));
        assert_eq!(log_range(100.0, 100.0), (100.0, 1000.0));
        assert_eq!(log_tick(&1000.0), "10³");
        assert_eq!(log_tick(&0.01), "10⁻²");
        assert_eq!(log_tick(&1.0), "10⁰");
        assert_eq!(log_tick(&1e45), "10⁴⁵");
        assert_eq!(log_tick(&200.0), "");
        assert_eq!(
            log_range_for(&ConcUnit::PercentCarPositive, 0.05, 80.0 * 1.5),
            (0.01, 100.0)
        );
        assert_eq!(fmt_num(6177.47), "6177");
        assert_eq!(fmt_num(20.7496), "20.75");
        assert_eq!(fmt_num(32227.1), "32227");
        assert_eq!(fmt_num(257748.0), "2.58e5");
    }

    /// Issue 9: ranges near the limits of f64 hung plotters' log axis; every range is
    /// now finite, positive, ordered and inside the limits.
    #[test]
    fn ranges_are_finite_whatever_the_input() {
        let awkward = [
            0.0,
            -1.0,
            1e-310,
            f64::MIN_POSITIVE,
            1e308,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            5.0,
        ];
        for &a in &awkward {
            for &b in &awkward {
                let (lo, hi) = log_range(a, b);
                assert!(
                    lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo,
                    "{a} {b}"
                );
                assert!(
                    lo >= LOG_AXIS_LIMITS.0 && hi <= LOG_AXIS_LIMITS.1 * 10.0,
                    "{a} {b}"
                );
                let (lo, hi) = linear_range(a, b);
                assert!(
                    lo.is_finite() && hi.is_finite() && hi - lo >= 1.0,
                    "{a} {b}"
                );
            }
        }
        assert_eq!(log_range(1e308 * 1.5, 1.0), (1.0, 1e100));
        assert!(!on_log_axis(1e-310) && !on_log_axis(1e308) && on_log_axis(1e-3));
        assert!(!on_time_axis(1e16) && on_time_axis(-6.0));
        assert_eq!(linear_range(5.0, 5.0), (0.0, 5.2));
        assert_eq!(linear_range(0.0, 0.0), (0.0, 1.0));
    }

    #[test]
    fn polylines_are_cut_at_the_box() {
        // A line from (0, 1) to (10, 1000) on log y leaves the box 0..5 x 1..100 at x=5,
        // y=10^1.5 (straight in log y), and x=2.5 at y=10^0.75.
        let runs = clip_polyline(
            &[(0.0, 1.0), (10.0, 1000.0)],
            (0.0, 5.0),
            (1.0, 100.0),
            true,
        );
        assert_eq!(runs.len(), 1);
        let end = runs[0][1];
        assert!((end.0 - 5.0).abs() < 1e-12 && (end.1 - 10f64.powf(1.5)).abs() < 1e-9);
        // Out, in, out: one run; a NaN breaks the line.
        let runs = clip_polyline(
            &[
                (0.0, 1e-9),
                (1.0, 10.0),
                (2.0, 20.0),
                (3.0, f64::NAN),
                (4.0, 5.0),
                (5.0, 6.0),
            ],
            (0.0, 10.0),
            (1.0, 100.0),
            true,
        );
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert!((runs[0][0].1 - 1.0).abs() < 1e-9);
    }
}

/// The two dashes, as x offsets from the left end, of the legend glyph of a dashed line
/// `len` px wide: dash, gap, dash, so that the legend looks like the line it names (a solid
/// glyph for the dashed LLOQ line reads as another series).
pub fn legend_dashes(len: i32) -> [(i32, i32); 2] {
    let dash = (len * 3 / 8).max(1);
    [(0, dash), (len - dash, len)]
}

/// Legend glyph of a dashed line, left end at `at` ([`legend_dashes`]). A plain element
/// (two segments), not a composition with `EmptyElement`, so that it does not depend on
/// the backend type and fits every chart's `legend` closure.
pub fn dashed_legend((x, y): (i32, i32), len: i32, style: ShapeStyle) -> DashedGlyph {
    let [a, b] = legend_dashes(len);
    DashedGlyph {
        points: [(x + a.0, y), (x + a.1, y), (x + b.0, y), (x + b.1, y)],
        style,
    }
}

/// Two horizontal dashes in backend pixels ([`dashed_legend`]).
pub struct DashedGlyph {
    points: [(i32, i32); 4],
    style: ShapeStyle,
}

impl<'a> plotters::element::PointCollection<'a, (i32, i32)> for &'a DashedGlyph {
    type Point = &'a (i32, i32);
    type IntoIter = &'a [(i32, i32)];
    fn point_iter(self) -> Self::IntoIter {
        &self.points
    }
}

impl<DB: DrawingBackend> plotters::element::Drawable<DB> for DashedGlyph {
    fn draw<I: Iterator<Item = (i32, i32)>>(
        &self,
        points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), plotters_backend::DrawingErrorKind<DB::ErrorType>> {
        let p: Vec<(i32, i32)> = points.collect();
        for dash in p.chunks_exact(2) {
            backend.draw_path(dash.iter().copied(), &self.style)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod legend_tests {
    use super::legend_dashes;

    /// Regression: the LLOQ line is dashed on the plot but its legend glyph was solid.
    /// The glyph is two dashes with a gap between them, inside its width.
    #[test]
    fn dashed_legend_has_a_gap() {
        for len in [16, 18] {
            let [a, b] = legend_dashes(len);
            assert_eq!(a.0, 0);
            assert_eq!(b.1, len);
            assert!(a.1 < b.0, "no gap for width {len}: {a:?} {b:?}");
            assert_eq!(a.1 - a.0, b.1 - b.0, "unequal dashes");
        }
    }
}
