//! The cohort figure: every profile as a thin line (spaghetti), with the median and the
//! 5-95th percentile band over time, by group when groups are given.

use crate::patient::SeriesPoint;
use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::{colour, log_range, log_tick, unit_axis_label};
use cartpk_core::ConcUnit;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// One subject's profile in the cohort figure.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortProfile {
    /// Subject identifier.
    pub subject: String,
    /// Group (e.g. `CR` / `NR`), when the figure is split by group.
    pub group: Option<String>,
    /// Observations (BLQ at the LLOQ).
    pub points: Vec<SeriesPoint>,
}

/// A cohort figure for one matrix x assay.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortPlot {
    /// Title, e.g. `blood qPCR, 20 patients`.
    pub title: String,
    /// Unit of every profile.
    pub unit: ConcUnit,
    /// The profiles.
    pub profiles: Vec<CohortProfile>,
}

/// The q-th quantile (0-1) of sorted values, linear between order statistics (R's type 7,
/// the default of `quantile()`).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Per time: (time, 5th percentile, median, 95th percentile) over the subjects sampled at
/// that time, for times with at least 3 subjects. BLQ samples count as LLOQ/2, the usual
/// convention for descriptive statistics; the legend says so.
pub fn summary_band(profiles: &[&CohortProfile]) -> Vec<(f64, f64, f64, f64)> {
    let mut by_time: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for p in profiles {
        for pt in &p.points {
            let v = if pt.blq { pt.value / 2.0 } else { pt.value };
            by_time.entry(pt.time.to_bits()).or_default().push(v);
        }
    }
    let mut out: Vec<(f64, f64, f64, f64)> = by_time
        .into_iter()
        .filter(|(_, v)| v.len() >= 3)
        .map(|(t, mut v)| {
            v.sort_by(f64::total_cmp);
            (
                f64::from_bits(t),
                quantile(&v, 0.05),
                quantile(&v, 0.5),
                quantile(&v, 0.95),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

impl Figure for CohortPlot {
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
        let values = self.profiles.iter().flat_map(|p| p.points.iter());
        let (lo, hi, t_max) = values.fold((f64::INFINITY, 0.0f64, 0.0f64), |(lo, hi, tm), p| {
            (lo.min(p.value / 2.0), hi.max(p.value), tm.max(p.time))
        });
        if !lo.is_finite() {
            return say(&body, "no samples to draw", options);
        }
        let (y_lo, y_hi) = log_range(lo, hi * 1.5);
        let x_hi = (t_max * 1.04).max(1.0);
        let mut chart = ChartBuilder::on(&body)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(62.0))
            .build_cartesian_2d(0.0..x_hi, (y_lo..y_hi).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("Days since infusion")
            .y_desc(unit_axis_label(&self.unit))
            .y_label_formatter(&log_tick)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;

        let mut groups: Vec<Option<String>> = Vec::new();
        for p in &self.profiles {
            if !groups.contains(&p.group) {
                groups.push(p.group.clone());
            }
        }
        for (gi, g) in groups.iter().enumerate() {
            let c = colour(gi);
            let members: Vec<&CohortProfile> =
                self.profiles.iter().filter(|p| &p.group == g).collect();
            for p in &members {
                chart.draw_series(LineSeries::new(
                    p.points.iter().map(|pt| (pt.time, pt.value)),
                    c.mix(0.25).stroke_width(px(1.0) as u32),
                ))?;
            }
            let band = summary_band(&members);
            if band.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.1.max(y_lo))).collect();
                poly.extend(band.iter().rev().map(|b| (b.0, b.3.max(y_lo))));
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))?;
                let name = g.clone().unwrap_or_else(|| "all".to_string());
                chart
                    .draw_series(LineSeries::new(
                        band.iter().map(|b| (b.0, b.2.max(y_lo))),
                        c.stroke_width(px(3.0) as u32),
                    ))?
                    .label(format!(
                        "{name} (n={}): median, 5-95th percentile",
                        members.len()
                    ))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3))
                    });
            }
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("percentiles with BLQ at LLOQ/2; thin lines: patients")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 16, y)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
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

    #[test]
    fn quantiles_match_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0.05, 0.5, 0.95)) = 1.2, 3.0, 8.8
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.95) - 8.8).abs() < 1e-12);
    }
}
