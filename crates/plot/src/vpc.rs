//! Censored visual predictive check (Bergstrand & Karlsson, AAPS J 2009;11:371-380): the
//! observed 5th/50th/95th percentiles per time bin against the prediction intervals of the
//! same percentiles in data simulated from the model, on a log concentration axis, and
//! under it the fraction of samples below the LLOQ with its own interval (a percentile
//! that falls below the LLOQ is not drawn: it is censored, not a number). Plain data in,
//! no statistics here.
//!
//! Time is on a log axis (days 1 to the last visit): a VPC compares bins, and the trial
//! schedule's visits (days 1-28 weekly, then months) are spread evenly that way.

use crate::render::{say, start_with_note, Figure, PlotError, PlotOptions};
use crate::style::{colour, log_range};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One bin of one curve: the observed value and the simulated median and interval
/// (`None`: below the LLOQ, or not defined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpcBin {
    /// Median time of the bin, days.
    pub time: f64,
    /// Observed percentile (or BLQ fraction).
    pub observed: Option<f64>,
    /// Median of the simulated ones.
    pub median: Option<f64>,
    /// Lower end of the prediction interval.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
}

/// One percentile's curve over the bins.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcPercentile {
    /// Percentile, % (5, 50, 95).
    pub percentile: f64,
    /// Bins in time order.
    pub bins: Vec<VpcBin>,
}

/// A censored VPC figure.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcPlot {
    /// Title, e.g. `blood qPCR: visual predictive check`.
    pub title: String,
    /// Concentration axis label, with the unit.
    pub y_label: String,
    /// LLOQ (dashed line), when the data have one.
    pub lloq: Option<f64>,
    /// Percentile panel.
    pub percentiles: Vec<VpcPercentile>,
    /// BLQ-fraction panel (fractions 0-1).
    pub blq: Vec<VpcBin>,
    /// Prediction-interval level, % (90).
    pub interval_percent: f64,
}

fn drawable_time(t: f64) -> bool {
    t.is_finite() && t > 0.0
}

impl Figure for VpcPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let note = format!(
            "lines: observed percentiles (5th, median, 95th); bands: {:.0}% intervals of the simulated ones; dashed: LLOQ",
            self.interval_percent
        );
        let body = start_with_note(root, &self.title, &note, options)?;
        let times: Vec<f64> = self
            .percentiles
            .iter()
            .flat_map(|p| p.bins.iter().map(|b| b.time))
            .chain(self.blq.iter().map(|b| b.time))
            .filter(|t| drawable_time(*t))
            .collect();
        if times.is_empty() {
            return say(&body, "no time bin after the infusion to draw", options);
        }
        let t_lo = times.iter().copied().fold(f64::INFINITY, f64::min) / 1.3;
        let t_hi = times.iter().copied().fold(0.0f64, f64::max) * 1.3;
        let values: Vec<f64> = self
            .percentiles
            .iter()
            .flat_map(|p| {
                p.bins
                    .iter()
                    .flat_map(|b| [b.observed, b.median, b.low, b.high])
            })
            .flatten()
            .chain(self.lloq)
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let (y_lo, y_hi) = log_range(
            values.iter().copied().fold(f64::INFINITY, f64::min),
            values.iter().copied().fold(0.0f64, f64::max),
        );
        let (_, h) = body.dim_in_pixel();
        let (upper, lower) = body.split_vertically((h as f64 * 0.68) as i32);
        let x_fmt = |v: &f64| {
            if *v >= 1.0 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        };
        let mut chart = ChartBuilder::on(&upper)
            .margin(px(10.0))
            .x_label_area_size(px(28.0))
            .y_label_area_size(px(70.0))
            .build_cartesian_2d((t_lo..t_hi).log_scale(), (y_lo..y_hi).log_scale())?;
        chart
            .configure_mesh()
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v| crate::style::log_tick(v))
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        let on_axis = |v: f64| v.is_finite() && v >= y_lo && v <= y_hi;
        for (i, p) in self.percentiles.iter().enumerate() {
            // The median in the first colour, the outer percentiles in the second.
            let col = if (p.percentile - 50.0).abs() < 1e-9 {
                colour(0)
            } else {
                colour(1)
            };
            let band: Vec<(f64, f64, f64)> = p
                .bins
                .iter()
                .filter(|b| drawable_time(b.time))
                .filter_map(|b| Some((b.time, b.low?, b.high?)))
                .filter(|(_, l, h)| on_axis(*l) && on_axis(*h))
                .collect();
            if band.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = band.iter().map(|(t, l, _)| (*t, *l)).collect();
                poly.extend(band.iter().rev().map(|(t, _, h)| (*t, *h)));
                chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.18).filled())))?;
            }
            // Simulated median of the percentile, dashed; observed, solid with points.
            let sim: Vec<(f64, f64)> = p
                .bins
                .iter()
                .filter(|b| drawable_time(b.time))
                .filter_map(|b| Some((b.time, b.median?)))
                .filter(|(_, v)| on_axis(*v))
                .collect();
            chart.draw_series(DashedLineSeries::new(
                sim,
                px(4.0) as u32,
                px(3.0) as u32,
                col.mix(0.8).stroke_width(px(1.0) as u32),
            ))?;
            // Observed: solid segments between consecutive drawn bins; a censored percentile
            // breaks the line.
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for b in p.bins.iter().filter(|b| drawable_time(b.time)) {
                match b.observed.filter(|v| on_axis(*v)) {
                    Some(v) => run.push((b.time, v)),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            // One legend entry per colour: the median, and the outer percentiles together.
            let outer: Vec<String> = self
                .percentiles
                .iter()
                .filter(|q| (q.percentile - 50.0).abs() >= 1e-9)
                .map(|q| format!("{:.0}th", q.percentile))
                .collect();
            let is_median = (p.percentile - 50.0).abs() < 1e-9;
            let label = if is_median {
                "observed median".to_string()
            } else {
                format!("observed {} percentiles", outer.join(" and "))
            };
            let first_outer = self
                .percentiles
                .iter()
                .position(|q| (q.percentile - 50.0).abs() >= 1e-9);
            let mut labelled = !(is_median || first_outer == Some(i));
            for r in runs.into_iter().filter(|r| !r.is_empty()) {
                let s = chart
                    .draw_series(LineSeries::new(r.clone(), col.stroke_width(px(2.0) as u32)))?;
                if !labelled {
                    s.label(label.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(3))
                    });
                    labelled = true;
                }
                chart.draw_series(
                    r.iter()
                        .map(|&(t, v)| Circle::new((t, v), px(3.0), col.filled())),
                )?;
            }
        }
        if let Some(l) = self.lloq.filter(|l| on_axis(*l)) {
            chart.draw_series(DashedLineSeries::new(
                vec![(t_lo, l), (t_hi, l)],
                px(6.0) as u32,
                px(4.0) as u32,
                RGBColor(120, 120, 120).stroke_width(px(1.0) as u32),
            ))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;

        // BLQ-fraction panel.
        let mut chart = ChartBuilder::on(&lower)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(70.0))
            .build_cartesian_2d((t_lo..t_hi).log_scale(), 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("Days since infusion (log scale)")
            .y_desc("Fraction BLQ")
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .y_labels(3)
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        let col = colour(2);
        let bins: Vec<&VpcBin> = self.blq.iter().filter(|b| drawable_time(b.time)).collect();
        let band: Vec<(f64, f64, f64)> = bins
            .iter()
            .filter_map(|b| Some((b.time, b.low?, b.high?)))
            .collect();
        if band.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = band.iter().map(|(t, l, _)| (*t, *l)).collect();
            poly.extend(band.iter().rev().map(|(t, _, h)| (*t, *h)));
            chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.18).filled())))?;
        }
        chart.draw_series(DashedLineSeries::new(
            bins.iter().filter_map(|b| Some((b.time, b.median?))),
            px(4.0) as u32,
            px(3.0) as u32,
            col.mix(0.8).stroke_width(px(1.0) as u32),
        ))?;
        let obs: Vec<(f64, f64)> = bins
            .iter()
            .filter_map(|b| Some((b.time, b.observed?)))
            .collect();
        chart
            .draw_series(LineSeries::new(
                obs.clone(),
                col.stroke_width(px(2.0) as u32),
            ))?
            .label("observed fraction BLQ")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(3)));
        chart.draw_series(
            obs.iter()
                .map(|&(t, v)| Circle::new((t, v), px(3.0), col.filled())),
        )?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;
        Ok(())
    }

    fn warnings(&self) -> Vec<String> {
        let dropped = self
            .percentiles
            .iter()
            .flat_map(|p| p.bins.iter())
            .chain(&self.blq)
            .filter(|b| !drawable_time(b.time))
            .count();
        if dropped == 0 {
            Vec::new()
        } else {
            vec![format!(
                "{dropped} VPC bin value(s) at day <= 0 not drawn on the log time axis"
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, ImageFormat};

    fn bin(time: f64, v: Option<f64>) -> VpcBin {
        VpcBin {
            time,
            observed: v,
            median: v,
            low: v.map(|x| x / 2.0),
            high: v.map(|x| x * 2.0),
        }
    }

    #[test]
    fn draws_both_panels_and_breaks_censored_percentiles() {
        let p = VpcPlot {
            title: "blood qPCR: visual predictive check".into(),
            y_label: "copies/ug".into(),
            lloq: Some(50.0),
            percentiles: vec![
                VpcPercentile {
                    percentile: 5.0,
                    bins: vec![
                        bin(1.0, Some(100.0)),
                        bin(14.0, Some(1000.0)),
                        bin(365.0, None),
                    ],
                },
                VpcPercentile {
                    percentile: 50.0,
                    bins: vec![
                        bin(1.0, Some(1e3)),
                        bin(14.0, Some(2e4)),
                        bin(365.0, Some(100.0)),
                    ],
                },
            ],
            blq: vec![
                VpcBin {
                    time: 1.0,
                    observed: Some(0.1),
                    median: Some(0.1),
                    low: Some(0.0),
                    high: Some(0.2),
                },
                VpcBin {
                    time: 365.0,
                    observed: Some(0.6),
                    median: Some(0.5),
                    low: Some(0.4),
                    high: Some(0.7),
                },
            ],
            interval_percent: 90.0,
        };
        let svg = String::from_utf8(render(&p, ImageFormat::Svg, &PlotOptions::default()).unwrap())
            .unwrap();
        assert!(svg.contains("Fraction BLQ"));
        assert!(svg.contains("observed median") && svg.contains("observed 5th percentiles"));
        assert!(p.warnings().is_empty());
        let png = render(&p, ImageFormat::Png, &PlotOptions::default()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
