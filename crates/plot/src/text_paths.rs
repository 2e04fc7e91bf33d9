//! Text of a figure's SVG turned into glyph outlines once per distinct label.
//!
//! usvg lays out every `<text>` element afresh: it builds the shaper's kerning caches for
//! the font (harfrust `ShaperData::new`) and shapes the string, about 0.5 M instructions a
//! label and a quarter of the CPU time of a patient PNG. A cohort's figures repeat the same
//! labels (tick labels, axis titles, legend entries) at a handful of positions, so each
//! distinct label is laid out once by usvg, at the origin, kept as a usvg tree and drawn
//! at its position with a translation, after the rest of the figure. plotters places
//! text at integer pixels, so the outlines (and their anti-aliasing) are those usvg would
//! have produced in place.

use resvg::tiny_skia;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Labels kept at most; beyond that the cache starts afresh (bounded memory for long runs).
const CACHE_CAPACITY: usize = 20_000;

fn cache() -> &'static Mutex<HashMap<String, Outlines>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Outlines>>> = OnceLock::new();
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

/// A label laid out once, at the origin, and its pixels.
#[derive(Clone)]
pub(crate) struct Outline {
    /// The glyph outlines, for figures drawn at another scale or at fractional positions.
    pub(crate) tree: Arc<usvg::Tree>,
    /// The label rasterised once at scale 1 (anti-aliased, premultiplied, transparent
    /// around), with the offset of its top-left pixel from the label's position.
    pub(crate) sprite: Option<Arc<(tiny_skia::Pixmap, i32, i32)>>,
}

type Outlines = Option<Outline>;

/// Largest label kept as pixels: tick labels, axis titles, legend entries and value labels
/// (a few thousand pixels each) repeat across figures; a figure's title (over 10,000 pixels)
/// is its own and is drawn from its outlines. The rule depends on the label only, so a
/// figure's pixels do not depend on which figure drew a label first (thread count), and the
/// cache stays small (at most [`CACHE_CAPACITY`] x 32 kB).
const SPRITE_MAX_PIXELS: u32 = 8_192;

/// The label's pixels at scale 1: rendered at an integer offset, anti-aliasing is the same
/// as in place, so blending the sprite at an integer position gives the figure's pixels
/// (glyphs of one label do not overlap) for a copy instead of a rasterisation per figure.
fn sprite(tree: &usvg::Tree) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let bbox = tree.root().abs_stroke_bounding_box();
    // One pixel of margin for anti-aliasing.
    let (x0, y0) = (
        bbox.left().floor() as i32 - 1,
        bbox.top().floor() as i32 - 1,
    );
    let (x1, y1) = (
        bbox.right().ceil() as i32 + 1,
        bbox.bottom().ceil() as i32 + 1,
    );
    let (w, h) = (u32::try_from(x1 - x0).ok()?, u32::try_from(y1 - y0).ok()?);
    if w * h > SPRITE_MAX_PIXELS {
        return None;
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h)?;
    resvg::render(
        tree,
        tiny_skia::Transform::from_translate(-x0 as f32, -y0 as f32),
        &mut pixmap.as_mut(),
    );
    Some((pixmap, x0, y0))
}

/// The glyph outlines of `label` (a `<text>` element at the origin) as a usvg tree, or
/// `None` when usvg cannot lay it out (then the label stays text).
fn outlines(label: &str, options: &usvg::Options) -> Outlines {
    let svg =
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">{label}</svg>"#);
    let tree = usvg::Tree::from_str(&svg, options).ok()?;
    Some(Outline {
        sprite: sprite(&tree).map(Arc::new),
        tree: Arc::new(tree),
    })
}

/// Draws `label` on `pixmap` under `scale` (the figure's SVG-to-pixel transform).
pub(crate) fn draw_label(
    label: &Label,
    scale: tiny_skia::Transform,
    pixmap: &mut tiny_skia::PixmapMut<'_>,
) {
    let whole = |v: f32| v.fract() == 0.0 && v.abs() < 1e6;
    match &label.outline.sprite {
        Some(sprite) if scale.is_identity() && whole(label.x) && whole(label.y) => {
            let (pixels, dx, dy) = &**sprite;
            pixmap.draw_pixmap(
                label.x as i32 + dx,
                label.y as i32 + dy,
                pixels.as_ref(),
                &tiny_skia::PixmapPaint::default(),
                tiny_skia::Transform::identity(),
                None,
            );
        }
        _ => resvg::render(
            &label.outline.tree,
            scale.pre_translate(label.x, label.y),
            pixmap,
        ),
    }
}

/// A figure label, drawn from its cached outlines at its position.
pub(crate) struct Label {
    /// The label laid out at the origin.
    pub(crate) outline: Outline,
    /// Where plotters placed it (pixels).
    pub(crate) x: f32,
    /// Where plotters placed it (pixels).
    pub(crate) y: f32,
}

/// `svg` without its recognised `<text>` elements, and those labels, to be drawn from
/// cached outlines after the rest of the figure (labels sit on top of the shapes, as
/// plotters draws them last within each part). Writing the outlines back into the SVG, as
/// before, had usvg parse every glyph's path data again in every figure (12% of a patient
/// PNG).
pub(crate) fn split_labels(svg: &str, options: &usvg::Options) -> (String, Vec<Label>) {
    const OPEN: &str = "<text ";
    const CLOSE: &str = "</text>";
    let mut out = String::with_capacity(svg.len());
    let mut labels = Vec::new();
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
            let tree = match known {
                Some(tree) => tree,
                None => {
                    let tree = outlines(&label, options);
                    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
                    if cache.len() >= CACHE_CAPACITY {
                        cache.clear();
                    }
                    cache.insert(label, tree.clone());
                    tree
                }
            };
            tree.map(|outline| Label { outline, x, y })
        }) {
            Some(label) => labels.push(label),
            None => out.push_str(element),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, labels)
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
