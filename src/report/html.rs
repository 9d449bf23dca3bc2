//! The HTML fix-it report: one self-contained file a webmaster opens in a browser.
//!
//! No network: CSS and JS are inline, thumbnails are `data:` URIs, and a
//! Content-Security-Policy forbids anything else. Works without JS (every finding
//! is in the markup, grouped by page and by rule); the script adds the filter,
//! search, view switch and copy buttons. Readable on a phone and printable.
//!
//! Escaping is written by hand ([`escape`]): a templating crate would add build time
//! for what is five `replace`s here, and every dynamic value goes through it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use base64::Engine as _;
use rayon::prelude::*;

use crate::model::{
    Finding, ImageReport, MatchedBy, Report, RuleInfo, Severity, SeverityCounts, Suppression,
};

const CSS: &str = include_str!("html.css");
const JS: &str = include_str!("html.js");

/// Raw thumbnail bytes the report embeds at most. A first scan of a site with no
/// ledger flags every image, so 2,000 flagged images at 6 KB would make a 17 MB
/// page; past this budget the thumbnails are re-encoded smaller (never dropped),
/// which keeps a 2,000-image report under 10 MB and quick to open.
pub const THUMBNAIL_BUDGET: usize = 3_000_000;

/// Of that budget, what thumbnails of clean images may use: they are a courtesy,
/// flagged images come first.
pub const CLEAN_THUMBNAIL_BUDGET: usize = 1_500_000;

/// Writes into the page any script error, so a headless `--dump-dom` shows it.
const ERROR_COLLECTOR: &str = r#"(function(){var box=document.getElementById("js-errors");function show(m){box.hidden=false;box.textContent+="Uncaught: "+m+"\n";}window.addEventListener("error",function(e){show(e.message+" at "+(e.lineno||"?"));});window.addEventListener("unhandledrejection",function(e){show(String(e.reason));});})();"#;

/// Renders the whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let index = ImageIndex::new(&report.images);
    let cards = cards(report, &index);
    let rules_by_id: HashMap<&str, &RuleInfo> =
        report.rules.iter().map(|r| (r.id.as_str(), r)).collect();

    let active: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let counts = count(active.iter().copied());
    let mut out = String::with_capacity(64 * 1024 + report.images.len() * 8 * 1024);

    let title = format!(
        "{}: {} errors, {} warnings",
        report.tool.name, counts.error, counts.warning
    );
    let _ = write!(
        out,
        concat!(
            "<!doctype html>\n<html lang=\"en\" data-js=\"off\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; ",
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n",
            "<meta name=\"generator\" content=\"{gen}\">\n<title>{title}</title>\n<style>\n{css}</style>\n</head>\n<body>\n",
            "<div id=\"js-errors\" role=\"alert\" hidden></div>\n<script>{collector}</script>\n"
        ),
        gen = escape(&format!("{} {}", report.tool.name, report.tool.version)),
        title = escape(&title),
        css = CSS,
        collector = ERROR_COLLECTOR,
    );

    write_header(&mut out, report, &counts);
    write_rule_table(&mut out, &active, &rules_by_id);
    write_pages_failed(&mut out, report);
    write_controls(&mut out, report);

    out.push_str("<main>\n<section id=\"by-page\" aria-label=\"Findings by page\">\n");
    if cards.is_empty() {
        out.push_str("<p class=\"muted\">No findings: every image may be published.</p>\n");
    }
    let mut thumbs = ThumbWriter::new(report, &cards);
    let mut current_page: Option<&str> = None;
    for (n, card) in cards.iter().enumerate() {
        if current_page != Some(card.page) {
            if current_page.is_some() {
                out.push_str("</section>\n");
            }
            current_page = Some(card.page);
            let page_counts = count(
                cards
                    .iter()
                    .filter(|c| c.page == card.page)
                    .flat_map(|c| c.findings.iter().copied())
                    .filter(|f| f.suppressed.is_none()),
            );
            let _ = writeln!(
                out,
                "<section class=\"page\" data-page=\"{}\"><h2>{} <small>{}</small></h2>",
                escape(card.page),
                escape(page_title(card.page)),
                escape(&counts_text(&page_counts))
            );
        }
        write_card(&mut out, n, card, report, &mut thumbs);
    }
    if current_page.is_some() {
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");

    write_by_rule(&mut out, &cards, &rules_by_id);
    write_clean(&mut out, report, &cards, &mut thumbs);
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer>Generated by {} {} on findings as of {}. This file needs no network.</footer>\n<script>\n{}</script>\n</body>\n</html>\n",
        escape(&report.tool.name),
        escape(&report.tool.version),
        report.as_of,
        JS
    );
    out
}

/// Finds the image report a finding talks about, by site path or URL.
struct ImageIndex<'a> {
    by_name: HashMap<&'a str, usize>,
}

impl<'a> ImageIndex<'a> {
    fn new(images: &'a [ImageReport]) -> Self {
        let mut by_name = HashMap::with_capacity(images.len() * 2);
        for (i, img) in images.iter().enumerate() {
            by_name.entry(img.path.as_str()).or_insert(i);
            if let Some(url) = &img.url {
                by_name.entry(url.as_str()).or_insert(i);
            }
        }
        ImageIndex { by_name }
    }

    fn get(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

/// One image on one page with the findings about it there.
struct Card<'a> {
    page: &'a str,
    image_name: &'a str,
    image: Option<usize>,
    findings: Vec<&'a Finding>,
}

impl Card<'_> {
    fn worst(&self) -> Option<Severity> {
        let active = self
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| f.severity)
            .max();
        active.or_else(|| self.findings.iter().map(|f| f.severity).max())
    }

    fn first_line(&self) -> u32 {
        self.findings
            .iter()
            .filter_map(|f| f.line)
            .min()
            .unwrap_or(u32::MAX)
    }
}

/// Findings not tied to a page are grouped under this heading (sorted last).
const NO_PAGE: &str = "\u{10FFFF}";

fn page_title(page: &str) -> &str {
    if page == NO_PAGE {
        "Not on a page"
    } else {
        page
    }
}

fn cards<'a>(report: &'a Report, index: &ImageIndex) -> Vec<Card<'a>> {
    let mut by_key: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let page = f.page.as_deref().unwrap_or(NO_PAGE);
        by_key.entry((page, f.image.as_str())).or_default().push(f);
    }
    let mut cards: Vec<Card> = by_key
        .into_iter()
        .map(|((page, image_name), mut findings)| {
            findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
            Card {
                page,
                image_name,
                image: index.get(image_name),
                findings,
            }
        })
        .collect();
    cards.sort_by(|a, b| {
        a.page
            .cmp(b.page)
            .then(a.first_line().cmp(&b.first_line()))
            .then(a.image_name.cmp(b.image_name))
    });
    cards
}

fn write_header(out: &mut String, report: &Report, counts: &SeverityCounts) {
    let _ = write!(
        out,
        "<header><h1>Image clearance report</h1>\n<p class=\"meta\">{} · as of {} · {} {}</p></header>\n",
        escape(&report.targets.join(", ")),
        report.as_of,
        escape(&report.tool.name),
        escape(&report.tool.version)
    );
    let stat = |out: &mut String, class: &str, n: usize, label: &str| {
        let _ = write!(out, "<div class=\"stat {class}\"><b>{n}</b>{label}</div>");
    };
    out.push_str("<section class=\"band\" aria-label=\"Summary\">");
    stat(out, "", report.summary.pages, "pages");
    stat(out, "", report.summary.images, "images");
    let error_class = if counts.error == 0 { "ok" } else { "error" };
    stat(out, error_class, counts.error, "errors");
    stat(out, "warning", counts.warning, "warnings");
    stat(out, "info", counts.info, "info");
    let suppressed = report.findings.len() - counts.error - counts.warning - counts.info;
    stat(out, "", suppressed, "suppressed");
    out.push_str("</section>\n");
}

fn write_rule_table(out: &mut String, active: &[&Finding], rules: &HashMap<&str, &RuleInfo>) {
    if active.is_empty() {
        return;
    }
    let mut by_rule: BTreeMap<&str, SeverityCounts> = BTreeMap::new();
    for f in active {
        bump(by_rule.entry(&f.rule).or_default(), f.severity);
    }
    out.push_str(concat!(
        "<div class=\"table-wrap\"><table class=\"rules-table\"><thead><tr><th>Rule</th>",
        "<th class=\"n\">Errors</th><th class=\"n\">Warnings</th><th class=\"n\">Info</th></tr></thead><tbody>\n"
    ));
    for (rule, c) in by_rule {
        let summary = rules.get(rule).map(|r| r.summary.as_str()).unwrap_or("");
        let _ = writeln!(
            out,
            "<tr><td><button type=\"button\" data-rule=\"{r}\">{r}</button> <small>{}</small></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(summary),
            c.error,
            c.warning,
            c.info,
            r = escape(rule),
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn write_pages_failed(out: &mut String, report: &Report) {
    if report.pages_failed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"failed\"><h2>Pages that could not be read <small>{}</small></h2><ul>",
        report.pages_failed.len()
    );
    for failed in &report.pages_failed {
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            escape(&failed.page),
            escape(&failed.reason)
        );
    }
    out.push_str("</ul></section>\n");
}

fn write_controls(out: &mut String, report: &Report) {
    let rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    out.push_str(concat!(
        "<form class=\"controls\" role=\"search\" onsubmit=\"return false\">\n",
        "<input type=\"search\" id=\"q\" placeholder=\"Search pages, images, text\" aria-label=\"Search findings\">\n",
        "<label><input type=\"checkbox\" name=\"sev\" value=\"error\" checked> errors</label>\n",
        "<label><input type=\"checkbox\" name=\"sev\" value=\"warning\" checked> warnings</label>\n",
        "<label><input type=\"checkbox\" name=\"sev\" value=\"info\" checked> info</label>\n",
        "<label><input type=\"checkbox\" name=\"sev\" value=\"suppressed\"> suppressed</label>\n",
        "<select id=\"rule\" aria-label=\"Rule\"><option value=\"\">All rules</option>"
    ));
    for rule in rules {
        let _ = write!(out, "<option value=\"{r}\">{r}</option>", r = escape(rule));
    }
    out.push_str(concat!(
        "</select>\n<span class=\"view\" role=\"group\" aria-label=\"Group findings\">",
        "<button type=\"button\" data-view=\"page\" aria-pressed=\"true\">By page</button> ",
        "<button type=\"button\" data-view=\"rule\" aria-pressed=\"false\">By rule</button></span>\n",
        "<output id=\"shown\"></output>\n</form>\n"
    ));
}

/// Embeds each image's thumbnail once; later appearances point at the first.
struct ThumbWriter<'a> {
    /// The bytes to embed per image index: the pipeline's thumbnail, or a smaller
    /// re-encoding of it when the budget demands. Absent: no picture for that image.
    bytes: HashMap<usize, Cow<'a, [u8]>>,
    written: HashMap<usize, String>,
}

impl<'a> ThumbWriter<'a> {
    fn new(report: &'a Report, cards: &[Card]) -> Self {
        let thumb = |i: usize| {
            report.images[i]
                .thumbnail
                .as_deref()
                .filter(|b| !b.is_empty())
        };
        let flagged: BTreeSet<usize> = cards.iter().filter_map(|c| c.image).collect();
        let flagged_total: usize = flagged
            .iter()
            .filter_map(|&i| thumb(i))
            .map(<[u8]>::len)
            .sum();
        let mut bytes: HashMap<usize, Cow<[u8]>> = HashMap::new();
        if flagged_total <= THUMBNAIL_BUDGET {
            for &i in &flagged {
                if let Some(b) = thumb(i) {
                    bytes.insert(i, Cow::Borrowed(b));
                }
            }
            let mut left = CLEAN_THUMBNAIL_BUDGET.min(THUMBNAIL_BUDGET - flagged_total);
            for i in (0..report.images.len()).filter(|i| !flagged.contains(i)) {
                if let Some(b) = thumb(i).filter(|b| b.len() <= left) {
                    left -= b.len();
                    bytes.insert(i, Cow::Borrowed(b));
                }
            }
        } else {
            // JPEG size follows pixel count, so scale each side by the square root.
            let scale = (THUMBNAIL_BUDGET as f64 / flagged_total as f64).sqrt();
            let shrunk: Vec<(usize, Cow<[u8]>)> = flagged
                .par_iter()
                .filter_map(|&i| {
                    thumb(i).map(|b| (i, shrink(b, scale).map_or(Cow::Borrowed(b), Cow::Owned)))
                })
                .collect();
            bytes.extend(shrunk);
        }
        ThumbWriter {
            bytes,
            written: HashMap::new(),
        }
    }

    fn write(&mut self, out: &mut String, image_index: usize, image: &ImageReport, alt: &str) {
        let Some(bytes) = self.bytes.get(&image_index) else {
            let what = image.error.as_deref().unwrap_or("no preview");
            let _ = write!(out, "<div class=\"noimg\">{}</div>", escape(what));
            return;
        };
        out.push_str("<div class=\"tb\">");
        match self.written.get(&image_index) {
            Some(first) => {
                let _ = write!(
                    out,
                    "<img class=\"thumb-img\" data-thumb-of=\"{first}\" alt=\"{}\">",
                    escape(alt)
                );
            }
            None => {
                let id = format!("t{image_index}");
                let _ = write!(
                    out,
                    "<img class=\"thumb-img\" id=\"{id}\" decoding=\"async\" alt=\"{}\" src=\"data:{};base64,",
                    escape(alt),
                    sniff_mime(bytes)
                );
                base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
                out.push_str("\">");
                self.written.insert(image_index, id);
            }
        }
        write_faces(out, image);
        out.push_str("</div>");
    }

    /// Clean images get a thumbnail only when the budget left room for one.
    fn write_clean(&mut self, out: &mut String, image_index: usize, image: &ImageReport) {
        if self.bytes.contains_key(&image_index) {
            self.write(
                out,
                image_index,
                image,
                &format!("Thumbnail of {}", image.path),
            );
        }
    }
}

/// Re-encodes a thumbnail with each side scaled by `scale`; `None` when it cannot be
/// decoded or would not get smaller, and the original is kept.
fn shrink(bytes: &[u8], scale: f64) -> Option<Vec<u8>> {
    let img = image::load_from_memory(bytes).ok()?;
    let w = ((f64::from(img.width()) * scale).round() as u32).max(16);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(16);
    let small = img.thumbnail(w, h).into_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .encode_image(&small)
        .ok()?;
    let out = out.into_inner();
    (out.len() < bytes.len()).then_some(out)
}

fn sniff_mime(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// Face boxes are in original-image pixels; as percentages of the original size they
/// land on the thumbnail whatever its scale.
fn write_faces(out: &mut String, image: &ImageReport) {
    let (Some(faces), Some(w), Some(h)) = (&image.faces, image.width, image.height) else {
        return;
    };
    if w == 0 || h == 0 {
        return;
    }
    let pct = |v: u32, total: u32| (f64::from(v) / f64::from(total) * 100.0).clamp(0.0, 100.0);
    for face in faces {
        let left = pct(face.x, w);
        let top = pct(face.y, h);
        let width = pct(face.w, w).min(100.0 - left);
        let height = pct(face.h, h).min(100.0 - top);
        let (class, what) = if face.recognizable {
            ("face", "recognizable face")
        } else {
            ("face weak", "face, probably not recognizable")
        };
        let _ = write!(
            out,
            "<span class=\"{class}\" title=\"{what} (score {:.1})\" style=\"left:{left:.2}%;top:{top:.2}%;width:{width:.2}%;height:{height:.2}%\"></span>",
            face.score
        );
    }
}

fn write_card(out: &mut String, n: usize, card: &Card, report: &Report, thumbs: &mut ThumbWriter) {
    let image = card.image.map(|i| (i, &report.images[i]));
    let worst = card.worst().map(Severity::as_str).unwrap_or("");
    let _ = write!(
        out,
        "<article class=\"card {worst}\" id=\"c{n}\">\n<figure class=\"thumb\">"
    );
    match image {
        Some((i, img)) => thumbs.write(out, i, img, &format!("Thumbnail of {}", img.path)),
        None => out.push_str("<div class=\"noimg\">not an image file</div>"),
    }
    out.push_str("</figure>\n<div class=\"body\">");
    let _ = write!(
        out,
        "<h3>{}</h3>\n<dl class=\"facts\">",
        escape(card.image_name)
    );

    if let Some((_, img)) = image {
        // The uses on this page carry what the page shows next to the image.
        let uses: Vec<_> = img.uses.iter().filter(|u| u.page == card.page).collect();
        let lines: Vec<String> = uses.iter().map(|u| u.line.to_string()).collect();
        if !lines.is_empty() {
            fact(out, "Line", &lines.join(", "));
        }
        fact(
            out,
            "Alt text",
            &joined(uses.iter().map(|u| u.alt.as_deref()), "(none)"),
        );
        fact(
            out,
            "Credit found",
            &joined(
                uses.iter()
                    .map(|u| u.credit.as_deref().or(u.caption.as_deref())),
                "(none)",
            ),
        );
        fact(out, "Ledger entry", &ledger_text(img));
        let meta = metadata_text(img);
        if !meta.is_empty() {
            fact(out, "Embedded", &meta);
        }
        if let Some(faces) = &img.faces {
            let recognizable = faces.iter().filter(|f| f.recognizable).count();
            fact(
                out,
                "Faces",
                &format!("{} detected, {recognizable} recognizable", faces.len()),
            );
        }
        let mut file = Vec::new();
        if let Some(f) = &img.format {
            file.push(f.clone());
        }
        if let (Some(w), Some(h)) = (img.width, img.height) {
            file.push(format!("{w}×{h}"));
        }
        file.push(format!("{} bytes", img.bytes));
        fact(out, "File", &file.join(" · "));
    } else if let Some(line) = card.findings.iter().find_map(|f| f.line) {
        fact(out, "Line", &line.to_string());
    }
    out.push_str("</dl>\n<ul class=\"findings\">\n");
    for f in &card.findings {
        write_finding(out, f);
    }
    out.push_str("</ul></div></article>\n");
}

fn write_finding(out: &mut String, f: &Finding) {
    let sev = f.severity.as_str();
    let sup_attr = match &f.suppressed {
        Some(s) => format!(" data-sup=\"{}\"", suppression_kind(s)),
        None => String::new(),
    };
    let sup_class = if f.suppressed.is_some() {
        " suppressed"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<li class=\"finding {sev}{sup_class}\" data-sev=\"{sev}\" data-rule=\"{}\"{sup_attr}>\n<p><span class=\"badge {sev}\">{sev}</span> <code>{}</code>",
        escape(&f.rule),
        escape(&f.rule)
    );
    if let Some(line) = f.line {
        let _ = write!(out, " <small>line {line}</small>");
    }
    let _ = writeln!(out, " {}</p>", escape(&f.message));
    if let Some(s) = &f.suppressed {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Suppressed: {}</p>",
            escape(&suppression_text(s))
        );
    }
    if !f.evidence.is_empty() {
        out.push_str(
            "<details class=\"evidence\" open><summary>Evidence</summary><dl class=\"facts\">",
        );
        for (key, value) in &f.evidence {
            fact(out, key, &json_text(value));
        }
        out.push_str("</dl></details>\n");
    }
    if !f.fix.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"fix\"><strong>Fix:</strong> {}</div>",
            escape(&f.fix)
        );
    }
    if let Some(snippet) = f.snippet.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(
            out,
            "<div class=\"snippet\"><button type=\"button\" class=\"copy\">Copy</button><pre><code>{}</code></pre></div>",
            escape(snippet)
        );
    }
    out.push_str("</li>\n");
}

fn write_by_rule(out: &mut String, cards: &[Card], rules: &HashMap<&str, &RuleInfo>) {
    let mut by_rule: BTreeMap<&str, Vec<(usize, &Finding)>> = BTreeMap::new();
    for (n, card) in cards.iter().enumerate() {
        for f in &card.findings {
            by_rule.entry(&f.rule).or_default().push((n, f));
        }
    }
    out.push_str("<section id=\"by-rule\" aria-label=\"Findings by rule\">\n");
    for (rule, list) in by_rule {
        let summary = rules.get(rule).map(|r| r.summary.as_str()).unwrap_or("");
        let _ = write!(
            out,
            concat!(
                "<section class=\"rule\"><h2><code>{}</code> <small>{}</small></h2>\n",
                "<div class=\"table-wrap\"><table><thead><tr><th>Severity</th><th>Page</th><th>Image</th>",
                "<th>Message</th></tr></thead><tbody>\n"
            ),
            escape(rule),
            escape(summary)
        );
        for (n, f) in list {
            let sev = f.severity.as_str();
            let sup = match &f.suppressed {
                Some(s) => format!(" data-sup=\"{}\"", suppression_kind(s)),
                None => String::new(),
            };
            let page = match (&f.page, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                (None, _) => String::new(),
            };
            let _ = writeln!(
                out,
                "<tr data-sev=\"{sev}\" data-rule=\"{}\"{sup}><td><span class=\"badge {sev}\">{sev}</span></td><td><a href=\"#c{n}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                escape(rule),
                escape(&page),
                escape(&f.image),
                escape(&f.message)
            );
        }
        out.push_str("</tbody></table></div></section>\n");
    }
    out.push_str("</section>\n");
}

fn write_clean(out: &mut String, report: &Report, cards: &[Card], thumbs: &mut ThumbWriter) {
    let flagged: BTreeSet<usize> = cards.iter().filter_map(|c| c.image).collect();
    let clean: Vec<(usize, &ImageReport)> = report
        .images
        .iter()
        .enumerate()
        .filter(|(i, _)| !flagged.contains(i))
        .collect();
    if clean.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"clean\"><details><summary>Clean images ({})</summary><ul>",
        clean.len()
    );
    for (i, img) in clean {
        out.push_str("<li>");
        thumbs.write_clean(out, i, img);
        let pages: BTreeSet<&str> = img.uses.iter().map(|u| u.page.as_str()).collect();
        let _ = writeln!(
            out,
            "<span><code>{}</code> <small>{} · on {}</small></span></li>",
            escape(&img.path),
            escape(&ledger_text(img)),
            escape(&pages.into_iter().collect::<Vec<_>>().join(", "))
        );
    }
    out.push_str("</ul></details></section>\n");
}

fn fact(out: &mut String, label: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(value));
}

fn joined<'a>(values: impl Iterator<Item = Option<&'a str>>, none: &str) -> String {
    let set: BTreeSet<&str> = values.flatten().filter(|v| !v.trim().is_empty()).collect();
    if set.is_empty() {
        none.to_string()
    } else {
        set.into_iter().collect::<Vec<_>>().join(" / ")
    }
}

fn ledger_text(img: &ImageReport) -> String {
    let Some(asset) = &img.ledger else {
        return "no ledger entry".to_string();
    };
    match &img.matched_by {
        Some(MatchedBy::Sha256) => format!("{asset} (same bytes, sha256)"),
        Some(MatchedBy::Glob { pattern }) => format!("{asset} (file matches {pattern})"),
        Some(MatchedBy::Phash { distance }) => {
            format!("{asset} (looks the same, perceptual hash distance {distance})")
        }
        Some(MatchedBy::Derivative { original }) => {
            format!("{asset} (a resized or converted copy of {original})")
        }
        Some(MatchedBy::Sibling { image }) => {
            format!("{asset} (another size in the same srcset as {image})")
        }
        None => asset.clone(),
    }
}

fn metadata_text(img: &ImageReport) -> String {
    let m = &img.metadata;
    let mut parts = Vec::new();
    let mut push = |label: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{label}: {v}"));
        }
    };
    push("creator", &m.creator);
    push("copyright", &m.copyright);
    push("credit", &m.credit);
    push("licence", &m.license);
    if m.gps {
        parts.push("GPS position embedded".to_string());
    }
    parts.join("; ")
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn suppression_kind(s: &Suppression) -> &'static str {
    match s {
        Suppression::Config { .. } => "config",
        Suppression::Inline => "inline",
        Suppression::Baseline => "baseline",
    }
}

fn suppression_text(s: &Suppression) -> String {
    match s {
        Suppression::Config { reason } => format!("clearance.toml [[ignore]]: {reason}"),
        Suppression::Inline => "data-clearance-ignore on the element".to_string(),
        Suppression::Baseline => "recorded in the baseline".to_string(),
    }
}

fn count<'a>(findings: impl Iterator<Item = &'a Finding>) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in findings {
        bump(&mut c, f.severity);
    }
    c
}

fn bump(c: &mut SeverityCounts, s: Severity) {
    match s {
        Severity::Error => c.error += 1,
        Severity::Warning => c.warning += 1,
        Severity::Info => c.info += 1,
    }
}

fn counts_text(c: &SeverityCounts) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{} · {} · {} info",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        c.info
    )
}

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and other C0 controls are parse errors in HTML; drop them visibly.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn shrink_halves_each_side_and_refuses_garbage() {
        let img = image::RgbImage::from_fn(160, 120, |x, y| {
            image::Rgb([x as u8, y as u8, (x ^ y) as u8])
        });
        let mut jpeg = std::io::Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        let jpeg = jpeg.into_inner();
        let small = shrink(&jpeg, 0.5).expect("a smaller thumbnail");
        assert!(small.len() < jpeg.len());
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (80, 60));
        assert_eq!(shrink(b"not an image", 0.5), None);
    }

    #[test]
    fn mime_is_sniffed_from_bytes() {
        assert_eq!(sniff_mime(b"\x89PNG\r\n"), "image/png");
        assert_eq!(sniff_mime(b"\xff\xd8\xff"), "image/jpeg");
    }
}
