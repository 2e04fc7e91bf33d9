//! Kaplan-Meier plot: step curves from (0, 1), pointwise confidence bands, censoring ticks,
//! and the number-at-risk table under the time axis, one row per curve (as survminer's
//! `ggsurvplot(risk.table = TRUE)`). Plain data in, no statistics here.

use crate::render::{say, start_with_note, Figure, PlotError, PlotOptions};
use crate::style::colour;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The curve at one distinct time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmPoint {
    /// Time (days).
    pub time: f64,
    /// S(time), 0-1.
    pub surv: f64,
    /// Lower confidence bound, when defined.
    pub lower: Option<f64>,
    /// Upper confidence bound, when defined.
    pub upper: Option<f64>,
    /// Subjects censored at `time` (drawn as a tick on the curve).
    pub censored: usize,
}

/// One Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KmCurve {
    /// Legend label, e.g. `responders (n=34), median 826 d`.
    pub label: String,
    /// Steps, ascending in time.
    pub points: Vec<KmPoint>,
    /// Number at risk at each of the plot's `risk_times`.
    pub at_risk: Vec<usize>,
}

/// A Kaplan-Meier figure.
#[derive(Debug, Clone, PartialEq)]
pub struct KmPlot {
    /// Title.
    pub title: String,
    /// Y axis label, e.g. `Overall survival` or `Probability of quantifiable transgene`.
    pub y_label: String,
    /// Curves.
    pub curves: Vec<KmCurve>,
    /// Times of the number-at-risk table (days).
    pub risk_times: Vec<f64>,
    /// A line under the title (e.g. the log-rank test).
    pub note: Option<String>,
    /// Draw the confidence bands.
    pub bands: bool,
}

/// Height of the number-at-risk table at 100 dpi: a header row and one row per curve.
fn table_height(n: usize) -> f64 {
    40.0 + 18.0 * n as f64
}

impl Figure for KmPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let px = |v: f64| options.px(v);
        // The test's result under the title, not in it: with a subgroup description the
        // two did not fit on one line of the figure (the title ran off both edges).
        let body = start_with_note(
            root,
            &self.title,
            self.note.as_deref().unwrap_or(""),
            options,
        )?;
        let t_max = self
            .curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.time))
            .chain(self.risk_times.iter().copied())
            .fold(0.0f64, f64::max);
        if self.curves.iter().all(|c| c.points.is_empty()) {
            return say(&body, "no observation to draw", options);
        }
        let (_, h) = body.dim_in_pixel();
        let table_px = px(table_height(self.curves.len())).min(h as i32 / 2);
        let (upper, lower) = body.split_vertically(h as i32 - table_px);
        let x_hi = (t_max * 1.03).max(1.0);
        // The number-at-risk rows are named left of the time axis: the label area is as
        // wide as the longest name needs (was: names cut to 8 characters, "non-resp").
        let names: Vec<String> = self
            .curves
            .iter()
            .map(|c| risk_row_name(&c.label))
            .collect();
        let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        let y_area = px((8.0 + 6.5 * longest as f64).clamp(62.0, 150.0));
        let mut chart = ChartBuilder::on(&upper)
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..x_hi, 0.0..1.02)?;
        chart
            .configure_mesh()
            .x_desc("Days since infusion")
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", px(12.0)))
            .axis_desc_style(("sans-serif", px(13.0)))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;

        for (ci, c) in self.curves.iter().enumerate() {
            let col = colour(ci);
            // Step path from (0, 1): horizontal to each time, then down.
            let mut path = vec![(0.0, 1.0)];
            let mut band_lo = vec![(0.0, 1.0)];
            let mut band_hi = vec![(0.0, 1.0)];
            let mut prev = (1.0, Some(1.0), Some(1.0));
            for p in &c.points {
                path.push((p.time, prev.0));
                path.push((p.time, p.surv));
                if let (Some(l0), Some(h0)) = (prev.1, prev.2) {
                    band_lo.push((p.time, l0));
                    band_hi.push((p.time, h0));
                }
                if let (Some(l), Some(u)) = (p.lower, p.upper) {
                    band_lo.push((p.time, l));
                    band_hi.push((p.time, u));
                }
                prev = (p.surv, p.lower, p.upper);
            }
            let end = c.points.last().map_or(0.0, |p| p.time);
            if self.bands && band_lo.len() >= 2 {
                let mut poly = band_lo.clone();
                poly.extend(band_hi.iter().rev().copied());
                chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.15).filled())))?;
            }
            path.push((end, prev.0));
            chart
                .draw_series(LineSeries::new(path, col.stroke_width(px(2.0) as u32)))?
                .label(c.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(3))
                });
            // Censoring ticks: a short vertical mark on the curve.
            let tick = px(5.0);
            chart.draw_series(c.points.iter().filter(|p| p.censored > 0).map(|p| {
                EmptyElement::at((p.time, p.surv))
                    + PathElement::new(
                        vec![(0, -tick), (0, tick)],
                        col.stroke_width(px(1.5) as u32),
                    )
            }))?;
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label(if self.bands {
                "| censored; bands: pointwise 95% CI"
            } else {
                "| censored"
            })
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 1, y)], WHITE));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;

        // Number-at-risk table, columns aligned with the time axis.
        let (x0, y0) = lower.get_base_pixel();
        let font = ("sans-serif", px(11.0)).into_font();
        let header = ("sans-serif", px(11.0))
            .into_font()
            .color(&RGBColor(90, 90, 90));
        lower.draw(&Text::new(
            "Number at risk",
            (px(6.0), px(2.0)),
            header.clone(),
        ))?;
        // The day of each column, which the axis ticks do not give (the columns are the
        // report's landmarks, every 90 days; the ticks are round hundreds).
        let day_y = px(18.0);
        lower.draw(&Text::new("day", (px(4.0), day_y), header.clone()))?;
        for &t in &self.risk_times {
            let (bx, _) = chart.backend_coord(&(t, 0.0));
            let text = format!("{t:.0}");
            let w = text.len() as i32 * px(6.5);
            lower.draw(&Text::new(text, (bx - x0 - w / 2, day_y), header.clone()))?;
        }
        for (ci, c) in self.curves.iter().enumerate() {
            let row_y = px(36.0) + ci as i32 * px(18.0);
            let style = font.clone().color(&colour(ci));
            lower.draw(&Text::new(
                names[ci].clone(),
                (px(4.0), row_y),
                style.clone(),
            ))?;
            for (k, &t) in self.risk_times.iter().enumerate() {
                let (bx, _) = chart.backend_coord(&(t, 0.0));
                let n = c.at_risk.get(k).copied().unwrap_or(0);
                let text = n.to_string();
                let w = text.len() as i32 * px(6.5);
                lower.draw(&Text::new(text, (bx - x0 - w / 2, row_y), style.clone()))?;
            }
            let _ = y0;
        }
        Ok(())
    }
}

/// The name of a curve's number-at-risk row: its label up to the first " (", at most 20
/// characters (longer names end in "...").
fn risk_row_name(label: &str) -> String {
    let name = label.split(" (").next().unwrap_or("");
    if name.chars().count() <= 20 {
        name.to_string()
    } else {
        name.chars().take(17).chain("...".chars()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, ImageFormat};

    /// Regression (report review, 2026-12-04): the number-at-risk rows were named by the
    /// first 8 characters of the label ("non-resp", "responde").
    #[test]
    fn risk_rows_are_named_in_full() {
        assert_eq!(
            risk_row_name("non-responders (n=14, 11 events): median 270 d"),
            "non-responders"
        );
        assert_eq!(
            risk_row_name("at or below median (n=24)"),
            "at or below median"
        );
        assert_eq!(
            risk_row_name("a subgroup name far too long to fit (n=3)"),
            "a subgroup name f..."
        );
    }

    #[test]
    fn draws_svg_with_risk_table() {
        let p = KmPlot {
            title: "Overall survival".into(),
            y_label: "Survival probability".into(),
            curves: vec![KmCurve {
                label: "all (n=3)".into(),
                points: vec![
                    KmPoint {
                        time: 10.0,
                        surv: 2.0 / 3.0,
                        lower: Some(0.3),
                        upper: Some(1.0),
                        censored: 0,
                    },
                    KmPoint {
                        time: 20.0,
                        surv: 2.0 / 3.0,
                        lower: Some(0.3),
                        upper: Some(1.0),
                        censored: 1,
                    },
                    KmPoint {
                        time: 30.0,
                        surv: 0.0,
                        lower: None,
                        upper: None,
                        censored: 0,
                    },
                ],
                at_risk: vec![3, 2],
            }],
            risk_times: vec![0.0, 15.0],
            note: Some("log-rank p = 0.5".into()),
            bands: true,
        };
        let svg = String::from_utf8(render(&p, ImageFormat::Svg, &PlotOptions::default()).unwrap())
            .unwrap();
        assert!(svg.contains("Number at risk"));
        // plotters writes each text on its own line inside <text>: the counts, and the
        // days of the columns (regression: the columns had no day, and the axis ticks are
        // not the landmarks).
        assert!(svg.contains("\n3\n") && svg.contains("\n2\n"));
        assert!(svg.contains("\nday\n") && svg.contains("\n15\n"));
    }
}
