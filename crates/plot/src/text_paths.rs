//! Text of a figure's SVG turned into glyph outlines once per distinct label.
//!
//! usvg lays out every `<text>` element afresh: it builds the shaper's kerning caches for
//! the font (harfrust `ShaperData::new`) and shapes the string, about 0.5 M instructions a
//! label and a quarter of the CPU time of a patient PNG. A cohort's figures repeat the same
//! labels (tick labels, axis titles, legend entries) at a handful of positions, so each
//! distinct label is laid out once by usvg, at the origin, written back as SVG paths by
//! usvg's own writer, and reused at its position through a `translate`. plotters places
//! text at integer pixels, so the outlines (and their anti-aliasing) are those usvg would
//! have produced in place.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Labels kept at most; beyond that the cache starts afresh (bounded memory for long runs).
const CACHE_CAPACITY: usize = 20_000;

fn cache() -> &'static Mutex<HashMap<String, Option<Arc<str>>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<str>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The value of attribute `name` in the opening tag `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The label `element` moved to the origin, and where it was; `None` for text this module
/// does not recognise (left to usvg as it is).
fn at_origin(element: &str) -> Option<(String, f32, f32)> {
    let tag_end = element.find('>')?;
    let tag = &element[..tag_end];
    let (xs, ys) = (attribute(tag, "x")?, attribute(tag, "y")?);
    let (x, y) = (xs.parse::<f32>().ok()?, ys.parse::<f32>().ok()?);
    let mut moved = tag
        .replacen(&format!(" x=\"{xs}\""), " x=\"0\"", 1)
        .replacen(&format!(" y=\"{ys}\""), " y=\"0\"", 1);
    if let Some(transform) = attribute(tag, "transform") {
        // plotters rotates a label about its anchor: `rotate(270, x, y)`.
        let about = format!(", {xs}, {ys})");
        if !(transform.starts_with("rotate(") && transform.ends_with(&about)) {
            return None;
        }
        let angle = &transform["rotate(".len()..transform.len() - about.len()];
        moved = moved.replacen(transform, &format!("rotate({angle}, 0, 0)"), 1);
    }
    moved.push_str(&element[tag_end..]);
    Some((moved, x, y))
}

/// The glyph outlines of `label` (a `<text>` element at the origin) as SVG paths, or `None`
/// when usvg's output is not a plain list of shapes (then the label stays text).
fn outlines(label: &str, options: &usvg::Options) -> Option<Arc<str>> {
    let svg =
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">{label}</svg>"#);
    let tree = usvg::Tree::from_str(&svg, options).ok()?;
    let written = tree.to_string(&usvg::WriteOptions {
        preserve_text: false,
        indent: usvg::Indent::None,
        ..usvg::WriteOptions::default()
    });
    let body_start = written.find("<svg")?;
    let body_start = body_start + written[body_start..].find('>')? + 1;
    let body_end = written.rfind("</svg>")?;
    let body = written.get(body_start..body_end)?;
    // References (gradients, clip paths) would need ids unique in the whole figure.
    if body.contains(" id=") || body.contains("url(") || body.contains("<text") {
        return None;
    }
    Some(Arc::from(body))
}

/// `svg` with every recognised `<text>` element replaced by its glyph outlines.
pub(crate) fn text_to_paths(svg: &str, options: &usvg::Options) -> String {
    const OPEN: &str = "<text ";
    const CLOSE: &str = "</text>";
    let mut out = String::with_capacity(svg.len() * 2);
    let mut rest = svg;
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start..].find(CLOSE) else {
            break;
        };
        let end = start + len + CLOSE.len();
        out.push_str(&rest[..start]);
        let element = &rest[start..end];
        match at_origin(element).and_then(|(label, x, y)| {
            let known = cache()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&label)
                .cloned();
            let paths = match known {
                Some(paths) => paths,
                None => {
                    let paths = outlines(&label, options);
                    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
                    if cache.len() >= CACHE_CAPACITY {
                        cache.clear();
                    }
                    cache.insert(label, paths.clone());
                    paths
                }
            };
            paths.map(|p| (p, x, y))
        }) {
            Some((paths, x, y)) => {
                out.push_str(&format!("<g transform=\"translate({x} {y})\">"));
                out.push_str(&paths);
                out.push_str("</g>");
            }
            None => out.push_str(element),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_moves_to_origin_with_its_rotation() {
        let e = r#"<text x="8" y="122" dy="0.76em" font-size="10" transform="rotate(270, 8, 122)">a</text>"#;
        let (label, x, y) = at_origin(e).expect("plotters' label form");
        assert_eq!((x, y), (8.0, 122.0));
        assert_eq!(
            label,
            r#"<text x="0" y="0" dy="0.76em" font-size="10" transform="rotate(270, 0, 0)">a</text>"#
        );
        assert!(at_origin(r#"<text x="1" y="2" transform="scale(2)">a</text>"#).is_none());
    }
}
