//! Box-and-dot plots on a log axis: an exposure metric (Cmax, AUC0-28d...) by group
//! ([`MetricByGroupPlot`]), and the per-visit boxes of sparse cohort figures.
//!
//! Conventions (ggplot2's `geom_boxplot` on `scale_y_log10`): statistics are computed on
//! log10 values; the box spans the 25th-75th percentiles (R type 7), the bar is the median,
//! the whiskers reach the most extreme value within 1.5 IQR of the box. Every value is also
//! drawn as a dot, spread sideways by a deterministic jitter (the same figure for the same
//! data), BLQ values as open dots at their LLOQ.

use crate::cohort::quantile;
use crate::render::{say, start_with_note, Figure, PlotError, PlotOptions};
use crate::style::{colour, log_range, log_tick, on_log_axis, why_not_drawn};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Box statistics of values on a log axis, in the values' unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxStats {
    /// Lower whisker end.
    pub whisker_lo: f64,
    /// 25th percentile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub q3: f64,
    /// Upper whisker end.
    pub whisker_hi: f64,
}

/// Box statistics of positive, finite `values` computed on log10 values; `None` when
/// there are none.
pub fn box_stats(values: &[f64]) -> Option<BoxStats> {
    let mut logs: Vec<f64> = values
        .iter()
        .filter(|v| on_log_axis(**v))
        .map(|v| v.log10())
        .collect();
    if logs.is_empty() {
        return None;
    }
    logs.sort_by(f64::total_cmp);
    let (q1, med, q3) = (
        quantile(&logs, 0.25),
        quantile(&logs, 0.5),
        quantile(&logs, 0.75),
    );
    let iqr = q3 - q1;
    let lo = logs
        .iter()
        .copied()
        .find(|&v| v >= q1 - 1.5 * iqr)
        .unwrap_or(q1);
    let hi = logs
        .iter()
        .rev()
        .copied()
        .find(|&v| v <= q3 + 1.5 * iqr)
        .unwrap_or(q3);
    let p = |v: f64| 10f64.powf(v);
    Some(BoxStats {
        whisker_lo: p(lo),
        q1: p(q1),
        median: p(med),
        q3: p(q3),
        whisker_hi: p(hi),
    })
}

/// Deterministic jitter of the i-th dot: the van der Corput sequence in base 2, which
/// spreads dots evenly over -0.5..0.5 whatever their number.
pub fn jitter(i: usize) -> f64 {
    let mut n = i + 1;
    let mut v = 0.0;
    let mut denom = 1.0;
    while n > 0 {
        denom *= 2.0;
        v += (n & 1) as f64 / denom;
        n >>= 1;
    }
    v - 0.5
}

/// One value of a box/dot plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// The value (for BLQ, the LLOQ).
    pub value: f64,
    /// BLQ: drawn open, at the LLOQ; counted in the box at the LLOQ.
    pub blq: bool,
}

/// Draws one box with its dots centred at `x` (chart units), `width` wide, in `c`.
pub(crate) fn draw_box<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, LogCoord<f64>>>,
    x: f64,
    width: f64,
    dots: &[Dot],
    c: RGBColor,
    options: &PlotOptions,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    let px = |v: f64| options.px(v);
    let values: Vec<f64> = dots.iter().map(|d| d.value).collect();
    // A box needs enough values to have quartiles worth drawing; fewer are dots only.
    if values.len() >= 4 {
        if let Some(b) = box_stats(&values) {
            let half = width / 2.0;
            let line = c.stroke_width(px(1.5) as u32);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - half, b.q1), (x + half, b.q3)],
                c.mix(0.12).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - half, b.q1), (x + half, b.q3)],
                line,
            )))?;
            for (from, to) in [(b.q3, b.whisker_hi), (b.q1, b.whisker_lo)] {
                chart.draw_series(LineSeries::new(vec![(x, from), (x, to)], line))?;
            }
            chart.draw_series(LineSeries::new(
                vec![(x - half, b.median), (x + half, b.median)],
                c.stroke_width(px(3.0) as u32),
            ))?;
        }
    }
    let size = px(3.0);
    for (i, d) in dots.iter().enumerate() {
        let at = (x + jitter(i) * width * 0.8, d.value);
        if d.blq {
            chart.draw_series(std::iter::once(Circle::new(at, size, WHITE.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(
                at,
                size,
                c.stroke_width(px(1.3) as u32),
            )))?;
        } else {
            chart.draw_series(std::iter::once(Circle::new(at, size, c.mix(0.8).filled())))?;
        }
    }
    Ok(())
}

/// A categorical axis of `n` slots centred on 0.5, 1.5... with their labels.
#[derive(Debug, Clone)]
pub(crate) struct SlotAxis {
    pub(crate) n: usize,
}

impl plotters::coord::ranged1d::Ranged for SlotAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = value / self.n.max(1) as f64;
        limit.0 + (f * (limit.1 - limit.0) as f64).round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        (0..self.n).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n.max(1) as f64
    }
}

/// The values of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupValues {
    /// Group name (e.g. `CR`, `NR`, a dose level).
    pub name: String,
    /// One value per subject.
    pub values: Vec<f64>,
}

/// An exposure metric by group: a box and the subjects' dots per group, on a log axis,
/// with n per group in the axis labels.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricByGroupPlot {
    /// Title, e.g. `Cmax by best overall response (blood qPCR)`.
    pub title: String,
    /// Axis label with unit, e.g. `Cmax (copies/µg gDNA)`.
    pub metric_label: String,
    /// Axis label of the groups, e.g. `Best overall response`.
    pub group_label: String,
    /// The groups, drawn in this order.
    pub groups: Vec<GroupValues>,
}

impl MetricByGroupPlot {
    fn n_not_drawn(&self, g: &GroupValues) -> usize {
        g.values.iter().filter(|v| !on_log_axis(**v)).count()
    }

    /// Axis label of a group: its name and n (and how many values a log axis cannot show).
    pub fn group_axis_label(&self, g: &GroupValues) -> String {
        let k = self.n_not_drawn(g);
        if k > 0 {
            format!("{} (n={}, {k} not shown)", g.name, g.values.len())
        } else {
            format!("{} (n={})", g.name, g.values.len())
        }
    }
}

impl Figure for MetricByGroupPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let body = start_with_note(
            root,
            &self.title,
            "box: median and quartiles, whiskers to 1.5 IQR (log scale); dots: subjects",
            options,
        )?;
        let all: Vec<f64> = self
            .groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .filter(|v| on_log_axis(*v))
            .collect();
        if all.is_empty() {
            return say(&body, "no value that a log axis can show", options);
        }
        let (lo, hi) = all.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        let (y_lo, y_hi) = log_range(lo / 1.5, hi * 1.5);
        let labels: Vec<String> = self
            .groups
            .iter()
            .map(|g| self.group_axis_label(g))
            .collect();
        let label_of = |v: &f64| {
            let i = v.floor();
            if i >= 0.0 && (i as usize) < labels.len() && (v - i - 0.5).abs() < 1e-9 {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        };
        let mut chart = ChartBuilder::on(&body)
            .margin(px(10.0))
            .x_label_area_size(px(44.0))
            .y_label_area_size(px(62.0))
            .build_cartesian_2d(
                SlotAxis {
                    n: self.groups.len(),
                },
                (y_lo..y_hi).log_scale(),
            )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(&self.group_label)
            .y_desc(&self.metric_label)
            .x_label_formatter(&label_of)
            .y_label_formatter(&log_tick)
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(12.5)))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(222, 222, 222))
            .draw()?;
        for (gi, g) in self.groups.iter().enumerate() {
            let dots: Vec<Dot> = g
                .values
                .iter()
                .filter(|v| on_log_axis(**v))
                .map(|&value| Dot { value, blq: false })
                .collect();
            draw_box(&mut chart, gi as f64 + 0.5, 0.5, &dots, colour(gi), options)?;
        }
        Ok(())
    }

    fn warnings(&self) -> Vec<String> {
        self.groups
            .iter()
            .flat_map(|g| {
                g.values.iter().filter(|v| !on_log_axis(**v)).map(move |v| {
                    format!(
                        "{}: group {}: value not drawn: {}",
                        self.title,
                        g.name,
                        why_not_drawn(&cartpk_core::ConcUnit::Other(String::new()), *v)
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_statistics_on_log10_values() {
        // log10 values 0, 1, 2, 3, 10 (R: quantile(c(0,1,2,3,10), c(.25,.5,.75)) = 1, 2, 3;
        // IQR 2, upper fence 6: the whisker stops at 3, the value 1e10 lies beyond it).
        let b = box_stats(&[1.0, 10.0, 100.0, 1000.0, 1e10]).unwrap();
        assert!((b.q1 - 10.0).abs() < 1e-9);
        assert!((b.median - 100.0).abs() < 1e-9);
        assert!((b.q3 - 1000.0).abs() < 1e-9);
        assert!((b.whisker_hi - 1000.0).abs() < 1e-9);
        assert!((b.whisker_lo - 1.0).abs() < 1e-12);
        assert!(box_stats(&[0.0, -1.0, f64::NAN]).is_none());
    }

    #[test]
    fn jitter_is_deterministic_and_spread() {
        let j: Vec<f64> = (0..8).map(jitter).collect();
        assert_eq!(j[0], 0.0);
        assert_eq!(j[1], -0.25);
        assert_eq!(j[2], 0.25);
        assert!(j.iter().all(|v| (-0.5..0.5).contains(v)));
    }
}
