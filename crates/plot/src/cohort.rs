//! The cohort figure of one matrix x assay.
//!
//! Richly sampled matrices (blood): every profile as a thin line, with the median and the
//! 5-95th percentile band over time per group, on the split 0-28 d / whole follow-up time
//! axis ([`crate::time_axis`]). Sparse matrices (marrow, CSF: a few visits per patient,
//! [`CohortPlot::is_sparse`]): one box and the patients' dots per visit and group, since
//! lines between visits months apart and a band over three patients say nothing.
//!
//! Both show the LLOQ dashed, BLQ samples as open markers at their LLOQ, %CAR+ capped at
//! 100, and one colour per group, named in the legend with its n.

use crate::boxplot::{draw_box, Dot, SlotAxis};
use crate::patient::SeriesPoint;
use crate::render::{say, start_with_note, Figure, PlotError, PlotOptions};
use crate::style::{
    clip_polyline, dashed_legend, day_tick, drawable_value, fmt_num, log_range_for, log_tick,
    on_time_axis, unit_axis_label, why_not_drawn,
};
use crate::time_axis::{split_time, time_layout, DayAxis, TimePanel, EXPANSION_END_DAY};
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

/// A matrix is drawn as visits (boxes and dots) when its profiles have at most this many
/// samples (median over profiles): marrow and CSF in CAR-T trials are sampled at 1-4
/// visits, blood at 10 or more.
pub const SPARSE_MAX_MEDIAN_SAMPLES: usize = 4;

/// Colours of groups: hues far apart (Okabe & Ito blue, vermillion, bluish green, reddish
/// purple, orange), so that translucent bands stay distinguishable where they overlap.
pub fn group_colour(n: usize) -> RGBColor {
    crate::style::colour(n)
}

/// Grey for subjects without a group.
const NO_GROUP: RGBColor = RGBColor(120, 120, 120);

/// The q-th quantile (0-1) of sorted values, linear between order statistics (R's type 7,
/// the default of `quantile()`).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Per time: (time, 5th percentile, median, 95th percentile) over the subjects sampled at
/// that time, for times with at least 3 subjects. BLQ samples count as LLOQ/2, the usual
/// convention for descriptive statistics; the figure's note says so.
pub fn summary_band(profiles: &[&CohortProfile]) -> Vec<(f64, f64, f64, f64)> {
    let mut by_time: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for p in profiles {
        for pt in &p.points {
            if !(pt.time.is_finite() && pt.value.is_finite()) {
                continue;
            }
            let v = if pt.blq { pt.value / 2.0 } else { pt.value };
            // +0.0 and -0.0 are one time.
            by_time
                .entry((pt.time + 0.0).to_bits())
                .or_default()
                .push(v);
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

/// Visits of sparse data: sample times clustered (a time within 10% or 2 days of the
/// visit's first time belongs to it), each labelled by its median time.
pub fn visits(times: &[f64]) -> Vec<(f64, f64, f64)> {
    let mut t: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
    t.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64, f64)> = Vec::new(); // (first, last, median)
    let mut cluster: Vec<f64> = Vec::new();
    for v in t {
        if let Some(&first) = cluster.first() {
            if v - first > (0.1 * first.abs()).max(2.0) {
                out.push((first, cluster[cluster.len() - 1], quantile(&cluster, 0.5)));
                cluster.clear();
            }
        }
        cluster.push(v);
    }
    if let Some(&first) = cluster.first() {
        out.push((first, cluster[cluster.len() - 1], quantile(&cluster, 0.5)));
    }
    out
}

impl CohortPlot {
    /// The points a figure can draw.
    fn drawable<'a>(&'a self, p: &'a CohortProfile) -> impl Iterator<Item = &'a SeriesPoint> {
        p.points
            .iter()
            .filter(|pt| on_time_axis(pt.time) && drawable_value(&self.unit, pt.value))
    }

    /// Whether the profiles are sparse ([`SPARSE_MAX_MEDIAN_SAMPLES`]): drawn as visits.
    pub fn is_sparse(&self) -> bool {
        let mut n: Vec<usize> = self
            .profiles
            .iter()
            .map(|p| self.drawable(p).count())
            .filter(|&n| n > 0)
            .collect();
        if n.is_empty() {
            return false;
        }
        n.sort_unstable();
        n[(n.len() - 1) / 2] <= SPARSE_MAX_MEDIAN_SAMPLES
    }

    /// The LLOQ (the largest BLQ value), drawn dashed.
    pub fn lloq(&self) -> Option<f64> {
        self.profiles
            .iter()
            .flat_map(|p| self.drawable(p))
            .filter(|pt| pt.blq)
            .map(|pt| pt.value)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    }

    /// Groups in name order (the order, and so the colours, of the report's other figures
    /// by group: box plots by response put `CR/CRi` before `NR`), with their colours and n.
    fn groups(&self) -> Vec<(Option<String>, RGBColor, usize)> {
        let mut groups: Vec<(Option<String>, RGBColor, usize)> = Vec::new();
        for p in &self.profiles {
            match groups.iter_mut().find(|g| g.0 == p.group) {
                Some(g) => g.2 += 1,
                None => groups.push((p.group.clone(), RGBColor(0, 0, 0), 1)),
            }
        }
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        let mut k = 0;
        for g in &mut groups {
            g.1 = match &g.0 {
                Some(name) if name != "(no group)" => {
                    k += 1;
                    group_colour(k - 1)
                }
                _ => NO_GROUP,
            };
        }
        // A single unnamed group is the whole cohort: the first colour, not grey.
        if groups.len() == 1 {
            groups[0].1 = group_colour(0);
        }
        groups
    }

    fn group_name(g: &Option<String>) -> String {
        g.clone().unwrap_or_else(|| "all patients".to_string())
    }

    fn y_range(&self) -> Option<(f64, f64)> {
        let (lo, hi) = self.profiles.iter().flat_map(|p| self.drawable(p)).fold(
            (f64::INFINITY, 0.0f64),
            |(lo, hi), p| {
                let v = if p.blq { p.value / 2.0 } else { p.value };
                (lo.min(v), hi.max(p.value))
            },
        );
        lo.is_finite()
            .then(|| log_range_for(&self.unit, lo / 1.2, hi * 1.5))
    }

    fn draw_rich<DB: DrawingBackend>(
        &self,
        body: &DrawingArea<DB, Shift>,
        y: (f64, f64),
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let (t_lo, t_hi) = self
            .profiles
            .iter()
            .flat_map(|p| self.drawable(p).map(|pt| pt.time))
            .fold((0.0f64, 0.0f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
        let layout = time_layout(t_lo, t_hi);
        let areas = split_time(body, layout.len());
        let groups = self.groups();
        let lloq = self.lloq();
        for (k, (area, &(panel, x))) in areas.iter().zip(&layout).enumerate() {
            let first = k == 0;
            let last = k + 1 == layout.len();
            let max_ticks = if panel == TimePanel::Expansion { 6 } else { 9 };
            let mut chart = ChartBuilder::on(area)
                .margin(px(10.0))
                .margin_left(if first { px(10.0) } else { px(2.0) })
                .x_label_area_size(px(40.0))
                .y_label_area_size(if first { px(62.0) } else { px(40.0) })
                .build_cartesian_2d(DayAxis::new(x.0, x.1, max_ticks), (y.0..y.1).log_scale())?;
            let mut mesh = chart.configure_mesh();
            mesh.x_desc(panel.axis_label())
                .y_label_formatter(&log_tick)
                .x_label_formatter(&day_tick)
                .label_style(("sans-serif", px(12.0)))
                .axis_desc_style(("sans-serif", px(12.5)))
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(222, 222, 222));
            if first {
                mesh.y_desc(unit_axis_label(&self.unit));
            }
            mesh.draw()?;
            if panel != TimePanel::Expansion && x.1 > EXPANSION_END_DAY {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0f64.max(x.0), y.0), (EXPANSION_END_DAY, y.1)],
                    RGBColor(120, 120, 120).mix(0.08).filled(),
                )))?;
            }
            // Patients first (thin), then every group's band, then the medians on top, so
            // that no band hides another group's median.
            for (g, c, _) in &groups {
                for p in self.profiles.iter().filter(|p| &p.group == g) {
                    let line: Vec<(f64, f64)> =
                        self.drawable(p).map(|pt| (pt.time, pt.value)).collect();
                    for run in clip_polyline(&line, x, y, true) {
                        chart.draw_series(LineSeries::new(
                            run,
                            c.mix(0.18).stroke_width(px(1.0) as u32),
                        ))?;
                    }
                    let blq = self
                        .drawable(p)
                        .filter(|pt| pt.blq && pt.time >= x.0 && pt.time <= x.1);
                    chart.draw_series(blq.map(|pt| {
                        Circle::new((pt.time, pt.value), px(2.5), c.mix(0.5).stroke_width(1))
                    }))?;
                }
            }
            let bands: Vec<_> = groups
                .iter()
                .map(|(g, c, n)| {
                    let members: Vec<&CohortProfile> =
                        self.profiles.iter().filter(|p| &p.group == g).collect();
                    (g, *c, *n, summary_band(&members))
                })
                .collect();
            for (_, c, _, band) in &bands {
                if band.len() < 2 {
                    continue;
                }
                let mut poly: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.1.max(y.0))).collect();
                poly.extend(band.iter().rev().map(|b| (b.0, b.3.max(y.0))));
                // The band, clipped to the panel in time.
                let poly: Vec<(f64, f64)> = poly
                    .into_iter()
                    .map(|(t, v)| (t.clamp(x.0, x.1), v.min(y.1)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.08).filled())))?;
                for edge in [
                    band.iter().map(|b| (b.0, b.1)).collect::<Vec<_>>(),
                    band.iter().map(|b| (b.0, b.3)).collect::<Vec<_>>(),
                ] {
                    for run in clip_polyline(&edge, x, y, true) {
                        chart.draw_series(DashedLineSeries::new(
                            run,
                            px(4.0),
                            px(3.0),
                            c.mix(0.7).stroke_width(px(1.0) as u32),
                        ))?;
                    }
                }
            }
            for (g, c, n, band) in &bands {
                let c = *c;
                let median: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
                let mut labelled = !last;
                for run in clip_polyline(&median, x, y, true) {
                    let s =
                        chart.draw_series(LineSeries::new(run, c.stroke_width(px(3.0) as u32)))?;
                    if !labelled {
                        labelled = true;
                        s.label(format!("{} (n={n})", Self::group_name(g))).legend(
                            move |(x, y)| {
                                EmptyElement::at((x, y))
                                    + Rectangle::new([(0, -5), (18, 5)], c.mix(0.2).filled())
                                    + PathElement::new(vec![(0, 0), (18, 0)], c.stroke_width(3))
                            },
                        );
                    }
                }
            }
            if let Some(l) = lloq.filter(|&l| l >= y.0 && l <= y.1) {
                let grey = RGBColor(60, 60, 60);
                let s = chart.draw_series(DashedLineSeries::new(
                    vec![(x.0, l), (x.1, l)],
                    px(6.0),
                    px(4.0),
                    grey.stroke_width(px(1.2) as u32),
                ))?;
                if last {
                    s.label(format!("LLOQ {}", fmt_num(l)))
                        .legend(move |at| dashed_legend(at, 18, grey.stroke_width(1)));
                }
            }
            if last {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .background_style(WHITE.mix(0.9))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font(("sans-serif", px(12.0)))
                    .draw()?;
            }
        }
        Ok(())
    }

    fn draw_sparse<DB: DrawingBackend>(
        &self,
        body: &DrawingArea<DB, Shift>,
        y: (f64, f64),
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        let times: Vec<f64> = self
            .profiles
            .iter()
            .flat_map(|p| self.drawable(p).map(|pt| pt.time))
            .collect();
        let visits = visits(&times);
        let groups = self.groups();
        let visit_of = |t: f64| visits.iter().position(|v| t >= v.0 && t <= v.1);
        // n per visit (all groups).
        let labels: Vec<String> = visits
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let n = self
                    .profiles
                    .iter()
                    .filter(|p| self.drawable(p).any(|pt| visit_of(pt.time) == Some(i)))
                    .count();
                format!("day {} (n={n})", fmt_num(v.2))
            })
            .collect();
        let label_of = |v: &f64| {
            let i = v.floor();
            if i >= 0.0 && (i as usize) < labels.len() && (v - i - 0.5).abs() < 1e-9 {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        };
        let mut chart = ChartBuilder::on(body)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(62.0))
            .build_cartesian_2d(SlotAxis { n: visits.len() }, (y.0..y.1).log_scale())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("Visit (days since infusion)")
            .y_desc(unit_axis_label(&self.unit))
            .x_label_formatter(&label_of)
            .y_label_formatter(&log_tick)
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(12.5)))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(222, 222, 222))
            .draw()?;
        let lloq = self.lloq();
        if let Some(l) = lloq.filter(|&l| l >= y.0 && l <= y.1) {
            let grey = RGBColor(60, 60, 60);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, l), (visits.len() as f64, l)],
                    px(6.0),
                    px(4.0),
                    grey.stroke_width(px(1.2) as u32),
                ))?
                .label(format!("LLOQ {}", fmt_num(l)))
                .legend(move |at| dashed_legend(at, 18, grey.stroke_width(1)));
        }
        let slot = 0.8 / groups.len().max(1) as f64;
        for (vi, _) in visits.iter().enumerate() {
            for (gi, (g, c, _)) in groups.iter().enumerate() {
                let dots: Vec<Dot> = self
                    .profiles
                    .iter()
                    .filter(|p| &p.group == g)
                    .flat_map(|p| self.drawable(p))
                    .filter(|pt| visit_of(pt.time) == Some(vi))
                    .map(|pt| Dot {
                        value: pt.value,
                        blq: pt.blq,
                    })
                    .collect();
                let x = vi as f64 + 0.1 + slot * (gi as f64 + 0.5);
                draw_box(&mut chart, x, slot * 0.7, &dots, *c, options)?;
            }
        }
        for (g, c, n) in &groups {
            let c = *c;
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!("{} (n={n})", Self::group_name(g)))
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + Rectangle::new([(2, -6), (16, 6)], c.mix(0.2).filled())
                        + Rectangle::new([(2, -6), (16, 6)], c.stroke_width(1))
                        + PathElement::new(vec![(2, 0), (16, 0)], c.stroke_width(3))
                });
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("BLQ (open, at LLOQ)")
            .legend(|(x, y)| Circle::new((x + 9, y), 4, BLACK.stroke_width(1)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(12.0)))
            .draw()?;
        Ok(())
    }
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
        let sparse = self.is_sparse();
        let note = if sparse {
            "sparse sampling: one box (median, quartiles) and the patients' values per visit; open: BLQ at LLOQ"
        } else {
            "thin lines: patients; bold: median, shaded: 5th-95th percentile per day with >= 3 patients (BLQ as LLOQ/2)"
        };
        let body = start_with_note(root, &self.title, note, options)?;
        let Some(y) = self.y_range() else {
            return say(&body, "no samples that a log axis can show", options);
        };
        if sparse {
            self.draw_sparse(&body, y, options)
        } else {
            self.draw_rich(&body, y, options)
        }
    }

    fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.profiles {
            for pt in &p.points {
                if !on_time_axis(pt.time) {
                    out.push(format!(
                        "{}: {}: sample at day {} not drawn: outside the drawable time range",
                        self.title, p.subject, pt.time
                    ));
                } else if !drawable_value(&self.unit, pt.value) {
                    out.push(format!(
                        "{}: {}: sample at day {} not drawn: {}",
                        self.title,
                        p.subject,
                        fmt_num(pt.time),
                        why_not_drawn(&self.unit, pt.value)
                    ));
                }
            }
        }
        out
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

    #[test]
    fn visits_cluster_nearby_times() {
        let v = visits(&[28.0, 27.0, 29.5, 84.0, 86.0, 168.0, 0.0, 1.0]);
        let medians: Vec<f64> = v.iter().map(|v| v.2).collect();
        assert_eq!(medians, vec![0.5, 28.0, 85.0, 168.0]);
    }
}
