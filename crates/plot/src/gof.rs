//! Goodness-of-fit figure of a model: observed vs predicted (log-log, with the identity
//! line) and weighted residuals vs time (with 0 and +-2).
//!
//! BLQ observations appear in the left panel only, as open markers at their LLOQ (a
//! prediction far below the LLOQ is drawn at the axis floor); a residual against the LLOQ
//! is not a residual, so the right panel shows quantified observations only.

use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::{colour, draw_markers, log_range, log_tick, Marker};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One observation with its individual prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GofPoint {
    /// Days since infusion.
    pub time: f64,
    /// Observed value (the LLOQ for BLQ).
    pub observed: f64,
    /// Individual prediction.
    pub predicted: f64,
    /// (ln observed - ln predicted) / sigma.
    pub weighted_residual: f64,
    /// Whether the observation is BLQ (open marker).
    pub blq: bool,
}

/// A goodness-of-fit figure.
#[derive(Debug, Clone, PartialEq)]
pub struct GofPlot {
    /// Title.
    pub title: String,
    /// Axis label of concentrations.
    pub unit_label: String,
    /// The points.
    pub points: Vec<GofPoint>,
}

impl Figure for GofPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let body = start(root, &self.title, options)?;
        let pts: Vec<&GofPoint> = self
            .points
            .iter()
            .filter(|p| p.observed > 0.0 && p.predicted > 0.0 && p.weighted_residual.is_finite())
            .collect();
        if pts.is_empty() {
            return say(&body, "no observations to draw", options);
        }
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
        // The range follows the quantified observations and their predictions, and the
        // LLOQs; not predictions of BLQ samples, which can be many decades lower.
        let (lo, hi) = pts.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
            let v = if p.blq {
                p.observed
            } else {
                p.observed.min(p.predicted)
            };
            (lo.min(v), hi.max(p.observed).max(p.predicted))
        });
        let (a_lo, a_hi) = log_range(lo / 1.5, hi * 1.5);
        let mut c1 = ChartBuilder::on(&left)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(55.0))
            .build_cartesian_2d((a_lo..a_hi).log_scale(), (a_lo..a_hi).log_scale())?;
        c1.configure_mesh()
            .x_desc(format!("predicted ({})", self.unit_label))
            .y_desc(format!("observed ({})", self.unit_label))
            .x_label_formatter(&log_tick)
            .y_label_formatter(&log_tick)
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        c1.draw_series(LineSeries::new(
            vec![(a_lo, a_lo), (a_hi, a_hi)],
            BLACK.stroke_width(1),
        ))?;
        let blue = colour(0);
        let q: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| !p.blq)
            .map(|p| (p.predicted, p.observed))
            .collect();
        let b: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| p.blq)
            .map(|p| (p.predicted.max(a_lo), p.observed))
            .collect();
        draw_markers(&mut c1, Marker::Circle, &q, px(3.0), blue.filled(), None)?;
        draw_markers(
            &mut c1,
            Marker::Circle,
            &b,
            px(3.0),
            blue.stroke_width(px(1.5) as u32),
            None,
        )?;

        let t_max = pts.iter().map(|p| p.time).fold(0.0f64, f64::max);
        let r_max = pts
            .iter()
            .filter(|p| !p.blq)
            .map(|p| p.weighted_residual.abs())
            .fold(3.0f64, f64::max)
            * 1.1;
        let mut c2 = ChartBuilder::on(&right)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(55.0))
            .build_cartesian_2d(0.0..(t_max * 1.04).max(1.0), -r_max..r_max)?;
        c2.configure_mesh()
            .x_desc("Days since infusion")
            .y_desc("weighted residual (quantified)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        let x1 = (t_max * 1.04).max(1.0);
        c2.draw_series(LineSeries::new(
            vec![(0.0, 0.0), (x1, 0.0)],
            BLACK.stroke_width(1),
        ))?;
        for y in [-2.0, 2.0] {
            c2.draw_series(DashedLineSeries::new(
                vec![(0.0, y), (x1, y)],
                5,
                4,
                RGBColor(120, 120, 120).stroke_width(1),
            ))?;
        }
        let q: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| !p.blq)
            .map(|p| (p.time, p.weighted_residual))
            .collect();
        draw_markers(&mut c2, Marker::Circle, &q, px(3.0), blue.filled(), None)?;
        Ok(())
    }
}
