//! The SARIF, JUnit, Markdown and HTML reports, rendered from one Report built in
//! code, checked the way their consumers read them: SARIF against the OASIS schema,
//! JUnit by an XML parser, Markdown by its table rows, HTML in headless Chromium.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use clearance::model::{
    Face, Finding, ImageReport, MatchedBy, Metadata, PageFailure, RefKind, Report, RuleInfo,
    Severity, Summary, Suppression, Tool, UseReport,
};
use clearance::report::{html, junit, markdown, sarif};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------

/// A small JPEG with a gradient, so the thumbnail is visibly a picture in the screenshot.
fn thumbnail(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 107, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y * 2) as u8,
            200u8.wrapping_sub(seed.wrapping_mul(30)),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&img)
        .expect("encode thumbnail");
    out.into_inner()
}

fn use_on(page: &str, line: u32, alt: &str, credit: Option<&str>) -> UseReport {
    UseReport {
        page: page.into(),
        line,
        column: 5,
        kind: RefKind::ImgSrc,
        reference: String::new(),
        alt: Some(alt.into()),
        title: None,
        caption: None,
        credit: credit.map(Into::into),
    }
}

fn image(path: &str, uses: Vec<UseReport>, seed: u8) -> ImageReport {
    ImageReport {
        url: Some(format!("https://www.example-district.org/{path}")),
        path: path.into(),
        sha256: Some(format!("{seed:064x}")),
        phash: None,
        format: Some("jpeg".into()),
        width: Some(1200),
        height: Some(800),
        bytes: 250_000,
        metadata: Metadata::default(),
        faces: None,
        ledger: None,
        matched_by: None,
        error: None,
        uses,
        thumbnail: Some(thumbnail(seed)),
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rule: &str,
    severity: Severity,
    image: &str,
    page: Option<&str>,
    line: Option<u32>,
    message: &str,
    fix: &str,
) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        image: image.into(),
        page: page.map(Into::into),
        line,
        column: line.map(|_| 5),
        message: message.into(),
        evidence: Default::default(),
        fix: fix.into(),
        snippet: None,
        fingerprint: format!("fp-{rule}-{image}-{}", page.unwrap_or("")),
        suppressed: None,
    }
}

fn rule(id: &str, severity: Severity, summary: &str) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        severity,
        summary: summary.into(),
        rationale: format!("Why {id} matters."),
        policy:
            "Students and staff must have permission to use the graphics displayed on web pages."
                .into(),
        fix: format!("How to fix {id}.").into(),
    }
}

/// Five images on four pages (one photo flagged on two): errors, a warning, an info, a suppressed finding,
/// an image with faces, a clean image, a reference that is no image, a failed page,
/// and text that would break each format if it were not escaped.
fn sample_report() -> Report {
    let mut team = image(
        "images/robotics/team.jpg",
        vec![
            use_on(
                "news/robotics.html",
                42,
                "Robotics team with Ava R. at the final",
                None,
            ),
            use_on("index.html", 50, "Robotics team", None),
        ],
        1,
    );
    team.faces = Some(vec![
        Face {
            x: 300,
            y: 200,
            w: 150,
            h: 150,
            score: 9.1,
            recognizable: true,
        },
        Face {
            x: 800,
            y: 260,
            w: 60,
            h: 60,
            score: 2.0,
            recognizable: false,
        },
    ]);
    team.ledger = Some("robotics-2025-01".into());
    team.matched_by = Some(MatchedBy::Glob {
        pattern: "images/robotics/*.jpg".into(),
    });
    team.metadata.creator = Some("District Communications Office".into());

    let map = image(
        "images/map_of_<campus>.jpg",
        vec![use_on("about.html", 10, "Campus map", None)],
        2,
    );
    let stock = image(
        "images/stock/library.jpg",
        vec![use_on(
            "index.html",
            20,
            "Library",
            Some("Photo: J. Smith, CC BY 4.0"),
        )],
        3,
    );
    let old = image(
        "images/2019/fair.jpg",
        vec![use_on("news/2019/fair.html", 7, "Science fair", None)],
        4,
    );
    let logo = image(
        "images/logo.png",
        vec![
            use_on("index.html", 3, "District logo", None),
            use_on("about.html", 3, "District logo", None),
        ],
        5,
    );

    let mut consent = finding(
        "subject-consent",
        Severity::Error,
        "images/robotics/team.jpg",
        Some("news/robotics.html"),
        Some(42),
        "Ava R. (p-ava-r) is shown but her guardian's consent expired on 2026-06-30",
        "Renew the consent form for p-ava-r, or remove the photo from news/robotics.html",
    );
    consent.evidence.insert("ledger", json!("robotics-2025-01"));
    consent.evidence.insert("person", json!("p-ava-r"));
    let people = finding(
        "people-unverified",
        Severity::Warning,
        "images/robotics/team.jpg",
        Some("news/robotics.html"),
        Some(42),
        "2 faces detected; the ledger lists 1 person",
        "Record everyone shown in the asset's people list",
    );
    let mut provenance = finding(
        "unknown-provenance",
        Severity::Error,
        "images/map_of_<campus>.jpg",
        Some("about.html"),
        Some(10),
        "No ledger entry and no embedded rights metadata | pipes & <tags> must survive",
        "Add a ledger entry for images/map_of_<campus>.jpg | say who made it",
    );
    provenance.snippet = Some("[[asset]]\nid = \"campus-map\"\nfiles = [\"images/map_of_<campus>.jpg\"]\nsource = \"own\"".into());
    let expiring = finding(
        "consent-expiring",
        Severity::Info,
        "images/stock/library.jpg",
        Some("index.html"),
        Some(20),
        "The stock licence expires on 2026-12-15",
        "Renew the licence or replace the image before 2026-12-15",
    );
    let mut incomplete = finding(
        "attribution-incomplete",
        Severity::Warning,
        "images/stock/library.jpg",
        Some("index.html"),
        Some(20),
        "The credit names the author but not the licence link",
        "Link \"CC BY 4.0\" to https://creativecommons.org/licenses/by/4.0/",
    );
    incomplete.suppressed = Some(Suppression::Inline);
    let mut archived = finding(
        "attribution-missing",
        Severity::Error,
        "images/2019/fair.jpg",
        Some("news/2019/fair.html"),
        Some(7),
        "CC BY-SA 4.0 requires credit and the page shows none",
        "Add a figcaption with title, author, source and licence link",
    );
    archived.suppressed = Some(Suppression::Config {
        reason: "legacy archive, replaced by 2027".into(),
    });
    let mut baselined = finding(
        "location-exposed",
        Severity::Error,
        "images/2019/fair.jpg",
        Some("news/2019/fair.html"),
        Some(7),
        "GPS coordinates are embedded",
        "Strip GPS metadata before publishing",
    );
    baselined.suppressed = Some(Suppression::Baseline);
    // A reference that never became an image: no ImageReport, no thumbnail.
    let outside = finding(
        "unreadable-image",
        Severity::Error,
        "../../etc/passwd",
        Some("index.html"),
        Some(30),
        "The reference resolves outside the site root and was not read",
        "Point the src at a file inside the site",
    );

    // The same photo flagged on a second page: its thumbnail is embedded once.
    let mut consent_home = consent.clone();
    consent_home.page = Some("index.html".into());
    consent_home.line = Some(50);
    consent_home.fingerprint = "fp-subject-consent-home".into();

    let findings = vec![
        consent,
        people,
        provenance,
        expiring,
        incomplete,
        archived,
        baselined,
        outside,
        consent_home,
    ];
    let rules = vec![
        rule(
            "unknown-provenance",
            Severity::Error,
            "No ledger entry or embedded rights metadata clears the image",
        ),
        rule(
            "subject-consent",
            Severity::Error,
            "A recognizable person lacks valid consent",
        ),
        rule(
            "people-unverified",
            Severity::Warning,
            "People may be shown but the ledger has not recorded who",
        ),
        rule(
            "attribution-missing",
            Severity::Error,
            "The licence requires credit and the page shows none",
        ),
        rule(
            "attribution-incomplete",
            Severity::Warning,
            "A credit lacks the author, licence name or link",
        ),
        rule(
            "location-exposed",
            Severity::Error,
            "GPS coordinates are embedded in a published image",
        ),
        rule(
            "consent-expiring",
            Severity::Info,
            "A consent or licence expires within 30 days",
        ),
        // `unreadable-image` deliberately missing: the SARIF rules array must still cover it.
    ];
    Report {
        version: 1,
        tool: Tool::default(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        targets: vec!["_site".into()],
        root: Some("./_site".into()),
        summary: Summary {
            pages: 5,
            images: 5,
            findings: clearance::model::SeverityCounts {
                error: 4,
                warning: 1,
                info: 1,
            },
            suppressed: 3,
        },
        images: vec![team, map, stock, old, logo],
        findings,
        pages_failed: vec![PageFailure {
            page: "broken.html".into(),
            reason: "not valid UTF-8 at byte 812".into(),
        }],
        rules,
    }
}

fn artifacts_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp; artifacts sit beside it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

// ---------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------

fn sarif_schema() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("CLEARANCE_SHARED")
            .map(|d| PathBuf::from(d).join("schemas/sarif-schema-2.1.0.json")),
        Some(manifest.join("../shared/schemas/sarif-schema-2.1.0.json")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let Some(schema_path) = sarif_schema() else {
        assert!(
            !on_ci(),
            "the SARIF 2.1.0 schema (shared/schemas/sarif-schema-2.1.0.json) is missing on CI"
        );
        println!("SKIPPED: shared/schemas/sarif-schema-2.1.0.json not found beside the repository");
        return;
    };
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let id = schema["$id"].as_str().unwrap().to_string();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&id, schema).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(&id, &mut schemas).unwrap();

    let report = sample_report();
    let log: Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    if let Err(e) = schemas.validate(&log, index) {
        panic!("SARIF does not validate against the 2.1.0 schema:\n{e:#}");
    }

    // The validator does reject a broken log (so the check above means something).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(
        schemas.validate(&broken, index).is_err(),
        "schema validation accepts anything"
    );

    // The empty report is valid too.
    let mut empty = report.clone();
    empty.findings.clear();
    empty.pages_failed.clear();
    let log_empty: Value = serde_json::from_str(&sarif::render(&empty)).unwrap();
    schemas.validate(&log_empty, index).unwrap();
}

#[test]
fn sarif_results_point_at_the_image_in_the_page_file() {
    let report = sample_report();
    let log: Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "clearance");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    let consent_rule = rules.iter().find(|r| r["id"] == "subject-consent").unwrap();
    assert_eq!(
        consent_rule["shortDescription"]["text"],
        "A recognizable person lacks valid consent"
    );
    assert_eq!(
        consent_rule["fullDescription"]["text"],
        "Why subject-consent matters."
    );
    assert_eq!(consent_rule["help"]["text"], "How to fix subject-consent.");
    assert_eq!(consent_rule["defaultConfiguration"]["level"], "error");
    let expiring_rule = rules
        .iter()
        .find(|r| r["id"] == "consent-expiring")
        .unwrap();
    assert_eq!(expiring_rule["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        report.findings.len(),
        "one result per finding"
    );
    for (result, f) in results.iter().zip(&report.findings) {
        assert_eq!(result["ruleId"], f.rule.as_str());
        let idx = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"],
            f.rule.as_str(),
            "ruleIndex points at the rule"
        );
        assert_eq!(
            result["partialFingerprints"][sarif::FINGERPRINT_KEY],
            f.fingerprint.as_str()
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], f.line.unwrap());
        assert_eq!(region["startColumn"], 5);
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains(&f.message)
        );
    }

    let consent = &results[0];
    assert_eq!(consent["level"], "error");
    let artifact = &consent["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        artifact["uri"], "_site/news/robotics.html",
        "page path relative to the repository"
    );
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[3]["level"], "note");
    assert!(results[0].get("suppressions").is_none());

    // Suppressions: inline → inSource; config and baseline → external.
    let kinds: Vec<&str> = results[4..7]
        .iter()
        .map(|r| r["suppressions"][0]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["inSource", "external", "external"]);
    assert!(
        results[5]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("legacy archive")
    );

    // The unreadable page is reported, not dropped.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("broken.html")
    );
}

#[test]
fn sarif_for_a_crawl_uses_page_urls() {
    let mut report = sample_report();
    report.root = None;
    report.targets = vec!["https://www.example-district.org/".into()];
    let log: Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        artifact["uri"],
        "https://www.example-district.org/news/robotics.html"
    );
    assert!(artifact.get("uriBaseId").is_none());
    // JUnit names the same URL as the test case's file.
    assert!(
        junit::render(&report)
            .contains(r#"file="https://www.example-district.org/news/robotics.html""#)
    );
}

// ---------------------------------------------------------------------------
// JUnit
// ---------------------------------------------------------------------------

fn attr(node: roxmltree::Node, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .parse()
        .unwrap()
}

#[test]
fn junit_parses_and_its_counts_match() {
    let report = sample_report();
    let xml = junit::render(&report);
    let doc = roxmltree::Document::parse(&xml)
        .unwrap_or_else(|e| panic!("JUnit XML does not parse: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");

    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let mut tests = 0;
    let mut failed_cases = 0;
    let mut failure_elements = 0;
    for suite in &suites {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failing = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(
            attr(*suite, "tests"),
            cases.len(),
            "tests attribute of {:?}",
            suite.attribute("name")
        );
        assert_eq!(attr(*suite, "failures"), failing);
        let errors = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("error")))
            .count();
        assert_eq!(attr(*suite, "errors"), errors);
        tests += cases.len();
        failed_cases += failing;
        failure_elements += cases
            .iter()
            .flat_map(|c| c.children())
            .filter(|n| n.has_tag_name("failure"))
            .count();
    }
    assert_eq!(attr(root, "tests"), tests);
    assert_eq!(attr(root, "failures"), failed_cases);
    assert_eq!(attr(root, "errors"), 1, "the unreadable page");

    // One testcase per image use (7 uses) + the outside-root reference + the failed page.
    assert_eq!(tests, 7 + 1 + 1);
    // One <failure> per unsuppressed error finding.
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.suppressed.is_none())
        .count();
    assert_eq!(failure_elements, errors);

    let robotics = suites
        .iter()
        .find(|s| s.attribute("name") == Some("news/robotics.html"))
        .unwrap();
    let case = robotics
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(case.attribute("file"), Some("_site/news/robotics.html"));
    assert_eq!(case.attribute("line"), Some("42"));
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("subject-consent"));
    assert!(failure.text().unwrap().contains("Renew the consent form"));
    let out = case
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(
        out.text().unwrap().contains("people-unverified"),
        "warnings go to system-out"
    );

    // Escaped text comes back intact through the parser.
    let about = suites
        .iter()
        .find(|s| s.attribute("name") == Some("about.html"))
        .unwrap();
    let text: String = about.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("pipes & <tags> must survive"));

    // Suppressed errors are not failures.
    let fair = suites
        .iter()
        .find(|s| s.attribute("name") == Some("news/2019/fair.html"))
        .unwrap();
    assert_eq!(attr(*fair, "failures"), 0);
}

#[test]
fn junit_gate_follows_fail_on() {
    let report = sample_report();
    let count_failures = |xml: &str| {
        let doc = roxmltree::Document::parse(xml).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count()
    };
    // 4 unsuppressed errors + 1 warning at --fail-on warning; none at --fail-on never.
    assert_eq!(
        count_failures(&junit::render_gated(&report, Some(Severity::Warning))),
        5
    );
    assert_eq!(count_failures(&junit::render_gated(&report, None)), 0);
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

/// Splits a table row into cells, honouring `\|` escapes.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The rows of the findings tables (5 cells, not the header or separator).
fn finding_rows(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .filter(|l| l.starts_with("| "))
        .map(cells)
        .filter(|c| c.len() == 5 && c[0] != "Page")
        .collect()
}

#[test]
fn markdown_table_rows_match_findings() {
    let report = sample_report();
    let md = markdown::render(&report);
    assert!(
        md.contains("**4 errors**, 1 warning, 1 info in 5 pages and 5 images"),
        "{md}"
    );
    assert!(md.contains("3 findings suppressed"));
    assert!(md.contains("broken.html"), "failed pages are listed");

    let rows = finding_rows(&md);
    assert_eq!(
        rows.len(),
        report.findings.len(),
        "one row per finding:\n{md}"
    );
    for f in &report.findings {
        let rule = markdown_escaped(&f.rule);
        assert!(
            rows.iter()
                .any(|r| r[2] == rule && r[1] == markdown_escaped(&f.image)),
            "no row for {} on {}",
            f.rule,
            f.image
        );
    }
    // Pipes in text are escaped, so the row still has five cells.
    let map_row = rows.iter().find(|r| r[2] == "unknown-provenance").unwrap();
    assert!(map_row[4].contains(r"\| say who made it"));
    assert!(map_row[1].contains("&lt;campus&gt;"));
    // The worst come first.
    assert_eq!(rows[0][3], "error");
}

fn markdown_escaped(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '_' | '[' | ']' | '*' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[test]
fn markdown_long_reports_collapse_per_page() {
    let mut report = sample_report();
    let template = report.findings[1].clone();
    for i in 0..40 {
        let mut f = template.clone();
        f.page = Some(format!("news/page-{}.html", i % 8));
        f.line = Some(i + 1);
        report.findings.push(f);
    }
    let md = markdown::render(&report);
    let active_pages: std::collections::BTreeSet<_> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| f.page.clone())
        .collect();
    // One <details> per page with findings, plus one for the suppressed findings.
    assert_eq!(md.matches("<details>").count(), active_pages.len() + 1);
    assert_eq!(md.matches("</details>").count(), active_pages.len() + 1);
    assert_eq!(finding_rows(&md).len(), report.findings.len());
}

#[test]
fn markdown_for_a_pr_comment_fits_and_counts_what_it_left_out() {
    let report = big_report(600, 1, false);
    let full = markdown::render(&report);
    assert!(
        full.len() > markdown::PR_COMMENT_LIMIT,
        "fixture must be long"
    );
    assert_eq!(finding_rows(&full).len(), report.findings.len());

    let short = markdown::render_limited(&report, markdown::PR_COMMENT_LIMIT);
    assert!(
        short.len() <= markdown::PR_COMMENT_LIMIT,
        "{} bytes",
        short.len()
    );
    let shown = finding_rows(&short).len();
    assert!(shown > 50, "only {shown} rows fit");
    let omitted = report.findings.len() - shown;
    assert!(
        short.contains(&format!("**{omitted} findings not shown here**")),
        "the left-out count is stated"
    );
    // Every <details> opened is closed, so the comment renders.
    assert_eq!(
        short.matches("<details>").count(),
        short.matches("</details>").count()
    );
}

#[test]
fn markdown_says_when_all_is_clear() {
    let mut report = sample_report();
    report.findings.clear();
    let md = markdown::render(&report);
    assert!(md.contains("No findings"));
    assert!(finding_rows(&md).is_empty());
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

#[test]
fn html_is_self_contained_and_escaped() {
    let report = sample_report();
    let page = html::render(&report);
    assert!(page.starts_with("<!doctype html>"));
    // No network: nothing loaded from elsewhere, and the CSP forbids it anyway.
    for forbidden in [
        "<link",
        "src=\"http",
        "src='http",
        "url(http",
        "@import",
        "<iframe",
    ] {
        assert!(
            !page.contains(forbidden),
            "report loads something from outside: {forbidden}"
        );
    }
    assert!(page.contains("default-src 'none'; img-src data:"));
    // Text from the site is escaped, never markup.
    assert!(!page.contains("<campus>"));
    assert!(page.contains("map_of_&lt;campus&gt;.jpg"));
    // Every flagged image with a thumbnail embeds it once as a data URI.
    for flagged in [
        "images/robotics/team.jpg",
        "images/map_of_&lt;campus&gt;.jpg",
        "images/stock/library.jpg",
    ] {
        let thumb = format!("alt=\"Thumbnail of {flagged}\" src=\"data:image/jpeg;base64,");
        assert!(page.contains(&thumb), "no thumbnail for {flagged}");
    }
    // Faces are drawn as boxes in % of the original: 300/1200 = 25%, 200/800 = 25%.
    assert!(page.contains("left:25.00%;top:25.00%;width:12.50%;height:18.75%"));
    // Drawn on both cards of the photo flagged on two pages.
    assert_eq!(page.matches("class=\"face").count(), 4);
    // ... whose thumbnail bytes are embedded only once.
    assert_eq!(page.matches("data-thumb-of=\"t0\"").count(), 1);
    // The clean image is listed, collapsed.
    let clean = page.find("Clean images (1)").expect("clean images section");
    assert!(page[clean..].contains("images/logo.png"));
    assert!(page.contains("No ledger entry") || page.contains("no ledger entry"));
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

struct Run {
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs headless Chromium on a file with the flags CI uses; kills it after 90 s.
fn run_chromium(browser: &Path, extra: &[&str], url: &str) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes on threads so a chatty browser cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out_pipe, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err_pipe, &mut s).ok();
        s
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    Run {
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        elapsed,
    }
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path.canonicalize().unwrap())
        .unwrap()
        .to_string()
}

fn require_chromium() -> Option<PathBuf> {
    match chromium() {
        Some(c) => Some(c),
        None => {
            assert!(
                !on_ci(),
                "chromium is not installed (apt-get install -y chromium); CI must run the HTML report test"
            );
            println!(
                "SKIPPED: chromium not found on PATH; install it with `apt-get install -y chromium`"
            );
            None
        }
    }
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = require_chromium() else {
        return;
    };
    let report = sample_report();
    let dir = artifacts_dir();
    let path = dir.join("report.html");
    std::fs::write(&path, html::render(&report)).unwrap();
    let url = file_url(&path);

    let run = run_chromium(&browser, &["--dump-dom"], &url);
    let dom = scraper::Html::parse_document(&run.stdout);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();

    // The script ran to its end and caught no error.
    let html_el = dom.select(&sel("html")).next().expect("a DOM was dumped");
    assert_eq!(
        html_el.value().attr("data-js"),
        Some("ready"),
        "report script did not finish; stderr:\n{}",
        run.stderr
    );
    let errors = dom.select(&sel("#js-errors")).next().unwrap();
    assert!(
        errors.value().attr("hidden").is_some(),
        "script errors: {}",
        errors.text().collect::<String>()
    );
    for line in run.stderr.lines() {
        let l = line.to_ascii_lowercase();
        assert!(
            !(l.contains("uncaught")
                || (l.contains("console") && l.contains("error"))
                || l.contains("content security policy")),
            "browser console error: {line}"
        );
    }

    // Every flagged image appears in a card with its thumbnail and every fix text.
    for f in &report.findings {
        let page_sel = format!(
            "#by-page section.page[data-page=\"{}\"] article.card",
            f.page.as_deref().unwrap()
        );
        let cards: Vec<_> = dom.select(&sel(&page_sel)).collect();
        let card = cards
            .iter()
            .find(|c| {
                c.select(&sel("h3"))
                    .next()
                    .map(|h| h.text().collect::<String>())
                    == Some(f.image.clone())
                    && c.select(&sel(".finding code"))
                        .any(|code| code.text().collect::<String>() == f.rule)
            })
            .unwrap_or_else(|| panic!("no card for {} / {}", f.image, f.rule));
        let fixes: String = card.select(&sel(".fix")).flat_map(|e| e.text()).collect();
        assert!(
            fixes.contains(&*f.fix),
            "fix text missing for {} on {}",
            f.rule,
            f.image
        );
        if report.images.iter().any(|i| i.path == f.image) {
            let img = card
                .select(&sel("img.thumb-img"))
                .next()
                .expect("thumbnail img");
            assert!(
                img.value()
                    .attr("src")
                    .unwrap_or("")
                    .starts_with("data:image/jpeg;base64,")
            );
        }
    }
    // The snippet is shown with a copy button.
    let snippet = dom.select(&sel(".snippet")).next().unwrap();
    assert!(snippet.select(&sel("button.copy")).next().is_some());
    assert!(
        snippet
            .text()
            .collect::<String>()
            .contains("id = \"campus-map\"")
    );
    // Suppressed findings are hidden by the default filter, the rest shown.
    let hidden = dom.select(&sel("li.finding[hidden]")).count();
    assert_eq!(
        hidden,
        report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .count()
    );
    // The face boxes survived into the rendered DOM.
    assert_eq!(dom.select(&sel(".tb .face")).count(), 4);

    // Screenshots for people to look at: desktop and phone width.
    let shot = dir.join("report.png");
    let arg = format!("--screenshot={}", shot.display());
    run_chromium(
        &browser,
        &[&arg, "--window-size=1280,2200", "--hide-scrollbars"],
        &url,
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot at {}",
        shot.display()
    );
    let phone = dir.join("report-phone.png");
    let arg = format!("--screenshot={}", phone.display());
    run_chromium(
        &browser,
        &[&arg, "--window-size=390,2400", "--hide-scrollbars"],
        &url,
    );
    // Printable: the print stylesheet yields a PDF (kept beside the screenshots).
    let pdf = dir.join("report.pdf");
    let arg = format!("--print-to-pdf={}", pdf.display());
    run_chromium(&browser, &[&arg, "--no-pdf-header-footer"], &url);
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    assert!(bytes.starts_with(b"%PDF"), "no PDF at {}", pdf.display());
    println!(
        "artifacts: {} {} {}",
        shot.display(),
        phone.display(),
        pdf.display()
    );
}

// ---------------------------------------------------------------------------
// Measurement (not a timed test): `cargo test --release --test reports -- --ignored --nocapture`
// ---------------------------------------------------------------------------

/// A 2,000-image site: each image on one of 400 pages, a quarter of them flagged
/// (`flagged_every` = 4) or all of them (1).
fn big_report(count: usize, flagged_every: usize, thumbnails: bool) -> Report {
    let base = sample_report();
    let mut images = Vec::with_capacity(count);
    let mut findings = Vec::new();
    for i in 0..count {
        let page = format!("news/{}/page-{}.html", 2000 + i % 7, i / 5);
        let path = format!("images/gallery/{:04}/photo-{i}.jpg", i / 50);
        let mut img = image(
            &path,
            vec![use_on(
                &page,
                20 + (i % 5) as u32 * 8,
                "Students at the spring concert",
                None,
            )],
            (i % 251) as u8,
        );
        img.thumbnail = thumbnails.then(|| thumbnail_sized(i));
        if i % 9 == 0 {
            img.faces = Some(vec![Face {
                x: 100,
                y: 80,
                w: 120,
                h: 120,
                score: 6.0,
                recognizable: true,
            }]);
        }
        if i % flagged_every == 0 {
            let mut f = base.findings[0].clone();
            f.image = path.clone();
            f.page = Some(page.clone());
            f.line = Some(img.uses[0].line);
            f.fingerprint = format!("fp-{i}");
            findings.push(f);
            if i % 3 == 0 {
                let mut w = base.findings[1].clone();
                w.image = path.clone();
                w.page = Some(page.clone());
                w.fingerprint = format!("fpw-{i}");
                findings.push(w);
            }
        }
        images.push(img);
    }
    Report {
        images,
        findings,
        pages_failed: vec![],
        summary: Summary {
            pages: 400,
            images: 2000,
            ..Default::default()
        },
        ..base
    }
}

/// A thumbnail of realistic size: 160×120 noise-and-gradient at quality 60, which
/// encodes to about 5–7 KB like a photo does.
fn thumbnail_sized(seed: usize) -> Vec<u8> {
    let mut state = seed as u32 ^ 0x9E37_79B9;
    let img = image::RgbImage::from_fn(160, 120, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x3f) as u8;
        image::Rgb([
            (x as u8).wrapping_add(noise),
            (y as u8 * 2).wrapping_add(noise / 2),
            (seed as u8).wrapping_add(noise),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

#[test]
fn html_thumbnails_past_the_budget_are_shrunk_not_dropped() {
    // 600 flagged photos at ~6 KB: more than the budget, so each is re-encoded smaller.
    let report = big_report(600, 1, true);
    let raw: usize = report
        .images
        .iter()
        .filter_map(|i| i.thumbnail.as_ref())
        .map(Vec::len)
        .sum();
    assert!(
        raw > html::THUMBNAIL_BUDGET,
        "fixture must exceed the budget"
    );
    let page = html::render(&report);
    assert_eq!(
        page.matches("src=\"data:image/jpeg;base64,").count(),
        600,
        "every flagged image keeps a thumbnail"
    );
    let embedded: usize = page
        .split("src=\"data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| rest.find('"').unwrap() * 3 / 4)
        .sum();
    assert!(
        embedded < html::THUMBNAIL_BUDGET * 5 / 4,
        "embedded {embedded} bytes of thumbnails, budget {}",
        html::THUMBNAIL_BUDGET
    );
}

#[test]
#[ignore = "measurement for BENCHMARKS.md, run with --ignored --nocapture"]
fn measure_html_report_of_2000_images() {
    let dir = artifacts_dir();
    let browser = chromium();
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!doctype html><title>blank</title>").unwrap();
    for (label, every) in [("a quarter flagged", 4usize), ("all flagged", 1)] {
        let report = big_report(2000, every, true);
        let thumbs: usize = report
            .images
            .iter()
            .filter_map(|i| i.thumbnail.as_ref())
            .map(Vec::len)
            .sum();
        let start = Instant::now();
        let page = html::render(&report);
        let render_time = start.elapsed();
        let path = dir.join(format!("report-2000-every{every}.html"));
        std::fs::write(&path, &page).unwrap();
        let embedded = page.matches("src=\"data:image/").count();
        println!(
            "2000 images, {label}: {} findings, mean thumbnail {} B, {embedded} thumbnails embedded, HTML {} bytes ({:.2} MB), rendered in {:.1} ms",
            report.findings.len(),
            thumbs / report.images.len(),
            page.len(),
            page.len() as f64 / 1e6,
            render_time.as_secs_f64() * 1e3
        );
        if let Some(browser) = &browser {
            let base = run_chromium(browser, &["--dump-dom"], &file_url(&blank)).elapsed;
            let run = run_chromium(browser, &["--dump-dom"], &file_url(&path));
            assert!(run.stdout.contains("data-js=\"ready\""));
            let dom = scraper::Html::parse_document(&run.stdout);
            let root = dom.root_element();
            println!(
                "  chromium --headless --dump-dom: {:.2} s wall (blank page {:.2} s); in page: script ready at {} ms, load event at {} ms",
                run.elapsed.as_secs_f64(),
                base.as_secs_f64(),
                root.value().attr("data-ready-ms").unwrap_or("?"),
                root.value().attr("data-load-ms").unwrap_or("?"),
            );
        }
    }
}
