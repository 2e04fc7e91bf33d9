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
            let a = chart.draw_series(pts.map(|p| TriangleMarker::new(p, d, style)))?;
            label.map(|l| (a, l, 1))
        }
        Marker::Square => {
            let a = chart.draw_series(
                pts.map(|p| EmptyElement::at(p) + Rectangle::new([(-s, -s), (s, s)], style)),
            )?;
            label.map(|l| (a, l, 2))
        }
        Marker::Diamond => {
            let a = chart.draw_series(pts.map(|p| {
                EmptyElement::at(p) + Polygon::new(vec![(0, -d), (d, 0), (0, d), (-d, 0)], style)
            }))?;
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
                a.legend(move |(x, y)| TriangleMarker::new((x + 8, y), 5, style));
            }
            2 => {
                a.legend(move |(x, y)| Rectangle::new([(x + 4, y - 4), (x + 12, y + 4)], style));
            }
            _ => {
                a.legend(move |(x, y)| {
                    Polygon::new(
                        vec![(x + 8, y - 5), (x + 13, y), (x + 8, y + 5), (x + 3, y)],
                        style,
                    )
                });
            }
        }
    }
    Ok(())
}

/// The y-axis label of a unit, in the field's words.
pub fn unit_axis_label(unit: &ConcUnit) -> String {
    match unit {
        ConcUnit::CopiesPerUg => "transgene copies/ug gDNA".to_string(),
        ConcUnit::PercentCarPositive => "%CAR+ of CD3+ T cells".to_string(),
        ConcUnit::CellsPerUl => "CAR+ cells/uL".to_string(),
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

/// A log10 axis range covering `lo..hi` (both > 0) in whole decades, at least one decade.
pub fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = 10f64.powf(lo.log10().floor());
    let mut hi = 10f64.powf(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    (lo, hi)
}

/// Human-friendly number: 3 significant digits, scientific beyond 1e5.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
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

/// Tick label of a log axis: powers of ten as 1, 10, 100, 1e3...
pub fn log_tick(v: &f64) -> String {
    let e = v.log10().round();
    if (v.log10() - e).abs() > 1e-9 {
        return String::new();
    }
    match e as i32 {
        -2 => "0.01".into(),
        -1 => "0.1".into(),
        0 => "1".into(),
        1 => "10".into(),
        2 => "100".into(),
        e => format!("1e{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_labels() {
        assert_eq!(log_range(50.0, 6177.0), (10.0, 10000.0));
        assert_eq!(log_range(100.0, 100.0), (100.0, 1000.0));
        assert_eq!(log_tick(&1000.0), "1e3");
        assert_eq!(log_tick(&200.0), "");
        assert_eq!(fmt_num(6177.47), "6177");
        assert_eq!(fmt_num(20.7496), "20.75");
        assert_eq!(fmt_num(32227.1), "32227");
        assert_eq!(fmt_num(257748.0), "2.58e5");
    }
}
