//! Axis-aligned rules (grid lines, axes, ticks, dashes): drawn crisp, and merged.
//!
//! plotters writes grid lines, axes, ticks and each dash of a dashed line as its own 1-pixel
//! `<line>`/`<polyline>` segment on integer coordinates: about 400 elements in a patient
//! figure. Two costs follow, both measured with callgrind on patient figures:
//! - anti-aliased, such a segment straddles two pixel rows at half intensity (a blurred grey
//!   rule instead of a crisp one), and tiny-skia's anti-aliased hairline blitter was 15% of
//!   the CPU time of a patient PNG. SVG's `shape-rendering="crispEdges"` (SVG 1.1, 11.7.1)
//!   asks for exactly what a rule needs: whole pixels, no smoothing;
//! - usvg parses, styles and bounds every element on its own. Consecutive rules of one
//!   opaque style become one `<path>` of `M x y L x y` segments, drawn in the same order
//!   at the same place (opaque strokes of one colour: overlaps look the same).
//!
//! Curves, markers, diagonal segments and translucent strokes are left as they are.

/// The value of the attribute whose `key` is ` name="` (spelled out: no allocation, this
/// runs on every element of every figure).
fn attribute<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let start = tag.find(key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// A thin axis-aligned segment: its end points as written (plotters writes integers), and
/// its paint attributes (the tag between its name and its geometry).
struct Rule<'a> {
    from: (&'a str, &'a str),
    to: (&'a str, &'a str),
    paint: &'a str,
}

/// `element` as a rule, when it is one `<line>` or two-point `<polyline>` of a stroke at
/// most 1 pixel wide, horizontal or vertical, with its geometry last (plotters' form;
/// anything else is left alone).
fn rule(element: &str) -> Option<Rule<'_>> {
    if !element.ends_with("\"/>") || element.contains(" shape-rendering=") {
        return None;
    }
    let (name, geometry) = if element.starts_with("<line ") {
        ("<line", " x1=\"")
    } else if element.starts_with("<polyline ") {
        ("<polyline", " points=\"")
    } else {
        return None;
    };
    let geometry_at = element.find(geometry)?;
    let paint = &element[name.len()..geometry_at];
    let thin = attribute(paint, " stroke-width=\"")
        .and_then(|w| w.parse::<f32>().ok())
        .is_none_or(|w| w <= 1.0);
    if !thin {
        return None;
    }
    let tail = &element[geometry_at..];
    let (from, to) = if name == "<line" {
        // The four coordinates, and nothing after them.
        if !tail.contains(" y2=\"") || tail.matches('=').count() != 4 {
            return None;
        }
        (
            (attribute(tail, " x1=\"")?, attribute(tail, " y1=\"")?),
            (attribute(tail, " x2=\"")?, attribute(tail, " y2=\"")?),
        )
    } else {
        if tail.matches('=').count() != 1 {
            return None;
        }
        let mut points = attribute(tail, " points=\"")?.split_whitespace();
        let from = points.next()?.split_once(',')?;
        let to = points.next()?.split_once(',')?;
        if points.next().is_some() {
            return None;
        }
        (from, to)
    };
    let numeric = |v: &str| v.parse::<f32>().is_ok_and(f32::is_finite);
    if !(numeric(from.0) && numeric(from.1) && numeric(to.0) && numeric(to.1)) {
        return None;
    }
    if from.0 != to.0 && from.1 != to.1 {
        return None;
    }
    // A polyline's `fill="none"` is implied by the merged path's own.
    let paint = paint.strip_prefix(" fill=\"none\"").unwrap_or(paint);
    if paint.contains(" fill=") {
        return None;
    }
    Some(Rule { from, to, paint })
}

/// Whether a rule of these paint attributes can share a path with others: opaque only
/// (translucent overlaps would blend differently in one path).
fn mergeable(paint: &str) -> bool {
    !paint.contains("stroke-opacity=") && !paint.contains("opacity=\"0")
}

/// Rules waiting to be written as one element.
#[derive(Default)]
struct Pending<'a> {
    paint: &'a str,
    first: &'a str,
    d: String,
    n: usize,
}

impl Pending<'_> {
    fn flush(&mut self, out: &mut String) {
        match self.n {
            0 => {}
            1 => {
                // `<line ...` or `<polyline ...`: the attribute goes after the name.
                let name_end = self.first.find(' ').unwrap_or(self.first.len());
                out.push_str(&self.first[..name_end]);
                out.push_str(" shape-rendering=\"crispEdges\"");
                out.push_str(&self.first[name_end..]);
            }
            _ => {
                out.push_str("<path fill=\"none\" shape-rendering=\"crispEdges\"");
                out.push_str(self.paint);
                out.push_str(" d=\"");
                out.push_str(&self.d);
                out.push_str("\"/>");
            }
        }
        self.n = 0;
        self.d.clear();
    }
}

/// `svg` with its thin axis-aligned segments crisp and runs of them of one opaque paint
/// merged into one path.
pub(crate) fn crisp_rules(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut pending = Pending::default();
    for element in svg.split_inclusive('>') {
        let trimmed = element.trim_start();
        match rule(trimmed) {
            Some(r) => {
                if pending.n > 0 && !(r.paint == pending.paint && mergeable(r.paint)) {
                    pending.flush(&mut out);
                }
                if pending.n == 0 {
                    pending.paint = r.paint;
                    pending.first = trimmed;
                }
                for (i, v) in [r.from.0, r.from.1, r.to.0, r.to.1].iter().enumerate() {
                    pending.d.push_str(["M", " ", "L", " "][i]);
                    pending.d.push_str(v);
                }
                pending.n += 1;
            }
            None => {
                pending.flush(&mut out);
                out.push_str(element);
            }
        }
    }
    pending.flush(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::crisp_rules;

    #[test]
    fn a_lone_rule_becomes_crisp() {
        let svg = r##"<line opacity="1" stroke="#F0F0F0" stroke-width="1" x1="70" y1="213" x2="70" y2="31"/><circle cx="1" cy="2" r="3"/>"##;
        assert_eq!(
            crisp_rules(svg),
            r##"<line shape-rendering="crispEdges" opacity="1" stroke="#F0F0F0" stroke-width="1" x1="70" y1="213" x2="70" y2="31"/><circle cx="1" cy="2" r="3"/>"##
        );
    }

    #[test]
    fn consecutive_rules_of_one_paint_share_a_path_in_order() {
        let svg = concat!(
            r##"<line opacity="1" stroke="#F0F0F0" stroke-width="1" x1="70" y1="213" x2="70" y2="31"/>"##,
            r##"<polyline fill="none" opacity="1" stroke="#F0F0F0" stroke-width="1" points="64,213 69,213 "/>"##,
            r##"<circle cx="1" cy="2" r="3"/>"##,
            r##"<polyline fill="none" opacity="1" stroke="#000000" stroke-width="1" points="5,6 5,9 "/>"##,
            r##"<polyline fill="none" opacity="1" stroke="#000000" stroke-width="1" points="7,6 7,9 "/>"##,
        );
        assert_eq!(
            crisp_rules(svg),
            concat!(
                r##"<path fill="none" shape-rendering="crispEdges" opacity="1" stroke="#F0F0F0" stroke-width="1" d="M70 213L70 31M64 213L69 213"/>"##,
                r##"<circle cx="1" cy="2" r="3"/>"##,
                r##"<path fill="none" shape-rendering="crispEdges" opacity="1" stroke="#000000" stroke-width="1" d="M5 6L5 9M7 6L7 9"/>"##,
            )
        );
    }

    #[test]
    fn curves_diagonals_thick_and_translucent_strokes_are_kept() {
        let svg = concat!(
            r##"<polyline fill="none" stroke="red" stroke-width="1" points="1,2 3,4 "/>"##,
            r##"<polyline fill="none" stroke="red" stroke-width="1" points="1,2 1,4 5,4 "/>"##,
            r##"<line stroke="red" stroke-width="2" x1="1" y1="2" x2="1" y2="9"/>"##,
            r##"<circle cx="1" cy="2" r="3"/>"##,
        );
        assert_eq!(crisp_rules(svg), svg);
        // Translucent rules: crisp, but each its own element (overlaps blend as before).
        let translucent = concat!(
            r##"<line stroke-opacity="0.5" stroke="red" x1="1" y1="2" x2="1" y2="9"/>"##,
            r##"<line stroke-opacity="0.5" stroke="red" x1="3" y1="2" x2="3" y2="9"/>"##,
        );
        assert_eq!(
            crisp_rules(translucent)
                .matches("<line shape-rendering")
                .count(),
            2
        );
    }
}
