//! Logistic exposure-response plot: the fitted probability of response against exposure on
//! a log2 axis with its pointwise band, the observed proportion (with exact CI) in each
//! exposure quartile at the quartile's geometric mean, and each patient as a tick at 0
//! (no response) or 1 (response). Plain data in, no statistics here.

use crate::log2_axis::Log2Axis;
use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::colour;
use plotters::coord::Shift;
use plotters::prelude::*;

/// An observed proportion in an exposure bin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservedBin {
    /// Position on the exposure axis (e.g. the bin's geometric mean).
    pub exposure: f64,
    /// Proportion responding, 0-1.
    pub proportion: f64,
    /// Lower CI bound.
    pub lower: f64,
    /// Upper CI bound.
    pub upper: f64,
    /// Patients in the bin.
    pub n: usize,
}

/// A fitted logistic exposure-response figure.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureResponsePlot {
    /// Title.
    pub title: String,
    /// Exposure axis label with unit, e.g. `Cmax, blood qPCR (copies/ug)`.
    pub x_label: String,
    /// (exposure, fitted probability, lower, upper), ascending in exposure.
    pub curve: Vec<(f64, f64, f64, f64)>,
    /// Observed proportions by exposure bin.
    pub bins: Vec<ObservedBin>,
    /// (exposure, responded) per patient.
    pub patients: Vec<(f64, bool)>,
    /// A line under the title, e.g. the odds ratio per doubling.
    pub note: Option<String>,
}

impl Figure for ExposureResponsePlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let title = match &self.note {
            Some(n) => format!("{}: {n}", self.title),
            None => self.title.clone(),
        };
        let body = start(root, &title, options)?;
        let xs: Vec<f64> = self
            .curve
            .iter()
            .map(|c| c.0)
            .chain(self.patients.iter().map(|p| p.0))
            .filter(|x| *x > 0.0 && x.is_finite())
            .collect();
        if xs.is_empty() {
            return say(&body, "no exposure to draw", options);
        }
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min).log2();
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max).log2();
        let pad = ((hi - lo) * 0.04).max(0.25);
        let x_axis = Log2Axis::new((lo - pad)..(hi + pad));
        let tick_label = |v: &f64| x_axis.label(*v);
        let mut chart = ChartBuilder::on(&body)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(62.0))
            .build_cartesian_2d(x_axis.clone(), -0.06..1.06)?;
        chart
            .configure_mesh()
            .x_desc(format!("{} (log2 scale)", self.x_label))
            .y_desc("Probability of response")
            .x_label_formatter(&tick_label)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            // One light line between the 0.1 grid lines; the default ten read as hatching.
            .y_max_light_lines(1)
            .draw()?;
        let fit = colour(0);
        let obs = colour(1);
        if self.curve.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = self.curve.iter().map(|c| (c.0.log2(), c.2)).collect();
            poly.extend(self.curve.iter().rev().map(|c| (c.0.log2(), c.3)));
            chart.draw_series(std::iter::once(Polygon::new(poly, fit.mix(0.18).filled())))?;
            chart
                .draw_series(LineSeries::new(
                    self.curve.iter().map(|c| (c.0.log2(), c.1)),
                    fit.stroke_width(px(2.5) as u32),
                ))?
                .label("logistic fit, 95% band")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], fit.stroke_width(3))
                });
        }
        // Patients: ticks at 0 and 1, nudged off the axis.
        let tick = px(6.0);
        let grey = RGBColor(110, 110, 110);
        chart.draw_series(self.patients.iter().filter(|p| p.0 > 0.0).map(|&(x, r)| {
            let y = if r { 1.03 } else { -0.03 };
            EmptyElement::at((x.log2(), y))
                + PathElement::new(vec![(0, -tick / 2), (0, tick / 2)], grey.stroke_width(1))
        }))?;
        // Observed proportions by bin with their exact CI.
        let whisker = px(4.0);
        chart.draw_series(self.bins.iter().filter(|b| b.exposure > 0.0).map(|b| {
            let x = b.exposure.log2();
            PathElement::new(
                vec![(x, b.lower), (x, b.upper)],
                obs.stroke_width(px(1.5) as u32),
            )
        }))?;
        chart.draw_series(self.bins.iter().filter(|b| b.exposure > 0.0).flat_map(|b| {
            let x = b.exposure.log2();
            [b.lower, b.upper].map(|y| {
                EmptyElement::at((x, y))
                    + PathElement::new(
                        vec![(-whisker, 0), (whisker, 0)],
                        obs.stroke_width(px(1.5) as u32),
                    )
            })
        }))?;
        chart
            .draw_series(
                self.bins
                    .iter()
                    .filter(|b| b.exposure > 0.0)
                    .map(|b| Circle::new((b.exposure.log2(), b.proportion), px(5.0), obs.filled())),
            )?
            .label("observed by exposure quartile (exact 95% CI)")
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, obs.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, ImageFormat};

    #[test]
    fn draws_svg() {
        let p = ExposureResponsePlot {
            title: "Response vs Cmax".into(),
            x_label: "Cmax (copies/ug)".into(),
            curve: vec![(100.0, 0.2, 0.1, 0.4), (1e4, 0.8, 0.6, 0.9)],
            bins: vec![ObservedBin {
                exposure: 300.0,
                proportion: 0.5,
                lower: 0.2,
                upper: 0.8,
                n: 4,
            }],
            patients: vec![(100.0, false), (1e4, true)],
            note: Some("OR per doubling 1.5".into()),
        };
        let svg = String::from_utf8(render(&p, ImageFormat::Svg, &PlotOptions::default()).unwrap())
            .unwrap();
        assert!(svg.contains("observed by exposure quartile"));
    }
}
