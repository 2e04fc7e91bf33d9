//! The one-page HTML report: tables, inline SVG figures, settings and warnings, with no
//! external resource (no script, stylesheet, font or image is fetched), so the file can be
//! archived and opened anywhere.

use std::fmt::Write as _;

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Anchor id (letters, digits, `-`).
    pub id: String,
    /// Caption shown above the table.
    pub caption: String,
    /// Column names (with units).
    pub header: Vec<String>,
    /// Cells, as text.
    pub rows: Vec<Vec<String>>,
    /// A note under the table (definitions, methods).
    pub note: Option<String>,
}

/// A figure: an SVG document drawn inline.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Caption.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// A section: a heading, text, tables and figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Paragraphs above the content.
    pub paragraphs: Vec<String>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Figures.
    pub figures: Vec<Figure>,
    /// Draw the figures small, several per row (per-patient plots).
    pub thumbnails: bool,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Page title.
    pub title: String,
    /// Line under the title (input, date).
    pub subtitle: String,
    /// Analysis settings: (name, value), e.g. ("AUC method", "lin up/log down").
    pub settings: Vec<(String, String)>,
    /// Body.
    pub sections: Vec<Section>,
    /// Every warning and skipped profile of the run.
    pub warnings: Vec<String>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;color:#222;line-height:1.4}\
h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\
.sub{color:#555;margin-top:.2em}table{border-collapse:collapse;margin:1em 0;font-size:.85em}\
caption{text-align:left;font-weight:bold;padding:.3em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}\
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}.note{font-size:.8em;color:#555;max-width:60em}\
figure{margin:1em 0}figcaption{font-size:.85em;color:#444}.thumbs{display:flex;flex-wrap:wrap;gap:.5em}\
.thumbs figure{width:390px;margin:0}.thumbs svg{width:100%;height:auto}svg{max-width:100%;height:auto}\
.warn li{font-size:.85em}nav a{margin-right:1em}";

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table id=\"{}\"><caption>{}</caption><thead><tr>",
        escape(&t.id),
        escape(&t.caption)
    );
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", escape(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if let Some(n) = &t.note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
    }
}

/// The SVG element of a document, without an XML declaration or doctype.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or("", |i| &svg[i..])
}

/// Renders the report as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&report.title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"sub\">{}</p>",
        escape(&report.title),
        escape(&report.subtitle)
    );
    out.push_str("<nav>");
    for (i, s) in report.sections.iter().enumerate() {
        let _ = write!(out, "<a href=\"#s{i}\">{}</a>", escape(&s.title));
    }
    out.push_str("<a href=\"#settings\">Settings</a><a href=\"#warnings\">Warnings</a></nav>");
    for (i, s) in report.sections.iter().enumerate() {
        let _ = write!(out, "<section id=\"s{i}\"><h2>{}</h2>", escape(&s.title));
        for p in &s.paragraphs {
            let _ = write!(out, "<p>{}</p>", escape(p));
        }
        for t in &s.tables {
            table(&mut out, t);
        }
        if s.thumbnails {
            out.push_str("<div class=\"thumbs\">");
        }
        for f in &s.figures {
            let _ = write!(
                out,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                inline_svg(&f.svg),
                escape(&f.caption)
            );
        }
        if s.thumbnails {
            out.push_str("</div>");
        }
        out.push_str("</section>");
    }
    let settings = Table {
        id: "settings".into(),
        caption: "Analysis settings".into(),
        header: vec!["setting".into(), "value".into()],
        rows: report
            .settings
            .iter()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect(),
        note: None,
    };
    out.push_str("<section><h2>Settings</h2>");
    table(&mut out, &settings);
    out.push_str("</section>");
    let _ = write!(
        out,
        "<section id=\"warnings\"><h2>Warnings ({})</h2>",
        report.warnings.len()
    );
    if report.warnings.is_empty() {
        out.push_str("<p>None.</p>");
    } else {
        out.push_str("<ul class=\"warn\">");
        for w in &report.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_inlines() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let r = Report {
            title: "T <1>".into(),
            subtitle: "s".into(),
            settings: vec![("AUC method".into(), "lin up/log down".into())],
            sections: vec![Section {
                title: "NCA".into(),
                tables: vec![Table {
                    id: "t1".into(),
                    caption: "Cmax".into(),
                    header: vec!["n".into()],
                    rows: vec![vec!["48".into()]],
                    note: Some("geometric".into()),
                }],
                figures: vec![Figure {
                    caption: "fig".into(),
                    svg: "<?xml version=\"1.0\"?><svg width=\"10\"></svg>".into(),
                }],
                ..Section::default()
            }],
            warnings: vec!["P1: <bad>".into()],
        };
        let html = render_html(&r);
        assert!(html.contains("<title>T &lt;1&gt;</title>"));
        assert!(
            html.contains("<figure><svg width=\"10\"></svg><figcaption>fig</figcaption></figure>")
        );
        assert!(!html.contains("<?xml"));
        assert!(html.contains("<li>P1: &lt;bad&gt;</li>"));
        assert!(html.contains("<td>48</td>"));
        // Self-contained: nothing is loaded from anywhere.
        assert!(
            !html.contains("src=") && !html.contains("href=\"http") && !html.contains("<script")
        );
    }
}
