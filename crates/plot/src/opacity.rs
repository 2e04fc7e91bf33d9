//! Element opacity without offscreen layers.
//!
//! plotters writes translucency as `opacity` on a shape. usvg turns that into a group, and
//! resvg renders each such group on its own full-size layer and composites it back: about
//! 15 M instructions per patient figure for ten translucent shapes. For a shape that only
//! fills (`stroke="none"`) or only strokes (`fill="none"`), `opacity` is by definition the
//! same as `fill-opacity` or `stroke-opacity` (SVG 1.1, 14.5: one painted layer), which
//! tiny-skia blends directly.

/// `svg` with `opacity` of fill-only and stroke-only shapes moved to their one paint.
pub(crate) fn paint_opacity(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() + 256);
    for element in svg.split_inclusive('>') {
        let shape = [
            "<line ",
            "<polyline ",
            "<polygon ",
            "<rect ",
            "<circle ",
            "<path ",
        ]
        .iter()
        .any(|s| element.trim_start().starts_with(s));
        if shape && element.contains(" opacity=\"") && !element.contains(" opacity=\"1\"") {
            let stroke_only = element.contains(" fill=\"none\"");
            let fill_only = element.contains(" stroke=\"none\"") || !element.contains(" stroke=");
            if stroke_only != fill_only {
                let paint = if stroke_only {
                    " stroke-opacity=\""
                } else {
                    " fill-opacity=\""
                };
                out.push_str(&element.replacen(" opacity=\"", paint, 1));
                continue;
            }
        }
        out.push_str(element);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::paint_opacity;

    #[test]
    fn single_paint_opacity_moves_to_the_paint() {
        let svg = r##"<rect opacity="0.1" fill="#787878" stroke="none"/><polyline fill="none" opacity="0.45" stroke="red"/><circle opacity="0.5" fill="red" stroke="blue"/>"##;
        assert_eq!(
            paint_opacity(svg),
            r##"<rect fill-opacity="0.1" fill="#787878" stroke="none"/><polyline fill="none" stroke-opacity="0.45" stroke="red"/><circle opacity="0.5" fill="red" stroke="blue"/>"##
        );
    }
}
