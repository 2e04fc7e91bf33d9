//! Goodness-of-fit figure of a model: observed vs predicted (log-log, with the identity
//! line) and weighted residuals vs time (with 0 and +-2).
//!
//! BLQ observations appear in the left panel only, as open markers of their own colour at
//! their LLOQ, spread vertically by a small deterministic jitter (±0.06 decades) so that
//! many of them read as points and not as one solid bar; the LLOQ is drawn dashed. A
//! prediction more than 3 decades below the lowest LLOQ is drawn at the axis floor. A
//! residual against the LLOQ is not a residual, so the right panel shows quantified
//! observations only.

use crate::boxplot::jitter;
use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::{
    colour, dashed_legend, day_tick, draw_markers, log_range, log_tick, on_log_axis, on_time_axis,
    Marker,
};
use crate::time_axis::DayAxis;
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
        let pts: Vec<&GofPoint> = self.points.iter().filter(|p| Self::drawable(p)).collect();
        if pts.is_empty() {
            return say(&body, "no observations to draw", options);
        }
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
        // The range follows the quantified observations and their predictions, and the
        // LLOQs with their predictions down to 3 decades below the lowest LLOQ.
        let lloq_min = pts
            .iter()
            .filter(|p| p.blq)
            .map(|p| p.observed)
            .fold(f64::INFINITY, f64::min);
        let (lo, hi) = pts.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
            let v = if p.blq {
                p.observed.min(p.predicted.max(lloq_min / 1000.0))
            } else {
                p.observed.min(p.predicted)
            };
            (lo.min(v), hi.max(p.observed).max(p.predicted))
        });
        let (a_lo, mut a_hi) = log_range(lo / 1.5, hi * 1.5);
        // %CAR+ (unit label `%`): a percentage of cells, axes end at 100.
        if self.unit_label.trim_start().starts_with('%') && a_hi > 100.0 && a_lo < 100.0 {
            a_hi = 100.0;
        }
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
        let vermillion = colour(1);
        let mut lloqs: Vec<f64> = pts.iter().filter(|p| p.blq).map(|p| p.observed).collect();
        lloqs.sort_by(f64::total_cmp);
        lloqs.dedup();
        let grey = RGBColor(90, 90, 90);
        for (j, l) in lloqs.iter().enumerate() {
            let s = c1.draw_series(DashedLineSeries::new(
                vec![(a_lo, *l), (a_hi, *l)],
                px(6.0),
                px(4.0),
                grey.stroke_width(px(1.0) as u32),
            ))?;
            if j == 0 {
                s.label("LLOQ")
                    .legend(move |at| dashed_legend(at, 16, grey.stroke_width(1)));
            }
        }
        let q: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| !p.blq)
            .map(|p| (p.predicted, p.observed))
            .collect();
        let b: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| p.blq)
            .enumerate()
            .map(|(i, p)| {
                let y = p.observed * 10f64.powf(0.12 * jitter(i));
                (p.predicted.max(a_lo), y)
            })
            .collect();
        draw_markers(
            &mut c1,
            Marker::Circle,
            &q,
            px(3.0),
            blue.mix(0.75).filled(),
            Some(format!("quantified (n={})", q.len())),
        )?;
        draw_markers(
            &mut c1,
            Marker::Triangle,
            &b,
            px(3.0),
            vermillion.stroke_width(px(1.2) as u32),
            (!b.is_empty()).then(|| format!("BLQ at LLOQ, jittered (n={})", b.len())),
        )?;
        c1.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;

        let (t_lo, x1) = crate::style::linear_range(
            pts.iter().map(|p| p.time).fold(0.0f64, f64::min),
            pts.iter().map(|p| p.time).fold(0.0f64, f64::max),
        );
        let r_max = pts
            .iter()
            .filter(|p| !p.blq)
            .map(|p| p.weighted_residual.abs())
            .fold(3.0f64, f64::max)
            .min(1e6)
            * 1.1;
        let mut c2 = ChartBuilder::on(&right)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(55.0))
            .build_cartesian_2d(DayAxis::new(t_lo, x1, 9), -r_max..r_max)?;
        c2.configure_mesh()
            .x_desc("Days since infusion")
            .y_desc("weighted residual (quantified)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_label_formatter(&day_tick)
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        c2.draw_series(LineSeries::new(
            vec![(t_lo, 0.0), (x1, 0.0)],
            BLACK.stroke_width(1),
        ))?;
        for y in [-2.0, 2.0] {
            c2.draw_series(DashedLineSeries::new(
                vec![(t_lo, y), (x1, y)],
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
        draw_markers(
            &mut c2,
            Marker::Circle,
            &q,
            px(3.0),
            blue.mix(0.75).filled(),
            None,
        )?;
        Ok(())
    }

    fn warnings(&self) -> Vec<String> {
        let n = self.points.iter().filter(|p| !Self::drawable(p)).count();
        if n == 0 {
            return Vec::new();
        }
        vec![format!(
            "{}: {n} observation(s) not drawn: time, value or prediction outside what the axes can show",
            self.title
        )]
    }
}

impl GofPlot {
    fn drawable(p: &GofPoint) -> bool {
        on_log_axis(p.observed)
            && on_log_axis(p.predicted)
            && on_time_axis(p.time)
            && p.weighted_residual.is_finite()
    }
}
