//! The real binary on the demo district site in `testdata/demo/`: every image's
//! exact findings, as listed in `testdata/demo/EXPECTED.md` (and its machine
//! copy `expected.json`, written by the same generator).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const AS_OF: &str = "2026-11-15";

fn demo_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo"))
}

fn scan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearance"))
        .current_dir(demo_dir())
        .args(["scan", "--as-of", AS_OF])
        .args(args)
        .output()
        .expect("the clearance binary runs")
}

fn scan_json() -> (Value, Option<i32>) {
    let out = scan(&["--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code())
}

fn expected() -> Value {
    let text = std::fs::read_to_string(demo_dir().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn count(rows: &[Row], row: &Row) -> usize {
    rows.iter().filter(|r| *r == row).count()
}

/// (image, page, rule, severity, suppression kind) — what a user checks per finding.
type Row = (String, String, String, String, String);

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

#[test]
fn every_image_has_exactly_the_expected_findings() {
    let (report, code) = scan_json();
    let expected = expected();
    assert_eq!(report["as_of"], expected["as_of"]);

    // Each expectation is one finding: compare as multisets, so a duplicate
    // finding (two reasons under one rule) is caught too.
    let want: Vec<Row> = expected["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["rule"].is_null())
        .map(|e| {
            (
                str_of(&e["image"]),
                str_of(&e["page"]),
                str_of(&e["rule"]),
                str_of(&e["severity"]),
                str_of(&e["suppressed"]),
            )
        })
        .collect();
    let got: Vec<Row> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                str_of(&f["image"]),
                str_of(&f["page"]),
                str_of(&f["rule"]),
                str_of(&f["severity"]),
                str_of(&f["suppressed"]["kind"]),
            )
        })
        .collect();
    let (mut want, mut got) = (want, got);
    want.sort();
    got.sort();
    let missing: Vec<&Row> = want
        .iter()
        .filter(|r| count(&want, r) > count(&got, r))
        .collect();
    let unexpected: Vec<&Row> = got
        .iter()
        .filter(|r| count(&got, r) > count(&want, r))
        .collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "findings differ from testdata/demo/EXPECTED.md\n  missing: {missing:#?}\n  unexpected: {unexpected:#?}"
    );
    for severity in ["error", "warning", "info"] {
        let counted = want
            .iter()
            .filter(|r| r.3 == severity && r.4.is_empty())
            .count();
        assert_eq!(
            report["summary"]["findings"][severity], counted,
            "{severity} count"
        );
    }
    assert_eq!(code, expected["exit_code"].as_i64().map(|c| c as i32));
}

#[test]
fn findings_point_at_the_line_of_the_reference() {
    let (report, _) = scan_json();
    for e in expected()["expectations"].as_array().unwrap() {
        if e["rule"].is_null() {
            continue;
        }
        let f =
            report["findings"].as_array().unwrap().iter().find(|f| {
                f["image"] == e["image"] && f["page"] == e["page"] && f["rule"] == e["rule"]
            });
        if let Some(f) = f {
            assert_eq!(
                f["line"], e["line"],
                "line of {} on {}",
                e["image"], e["page"]
            );
        }
    }
}

#[test]
fn clean_images_are_reported_as_images_without_findings() {
    let (report, _) = scan_json();
    let images: BTreeSet<String> = report["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| str_of(&i["path"]))
        .collect();
    for e in expected()["expectations"].as_array().unwrap() {
        let image = str_of(&e["image"]);
        if image.starts_with("../") {
            continue; // outside the root: never read, so not an image entry
        }
        assert!(
            images.contains(&image),
            "{image} is missing from the report's images"
        );
    }
    for gone in expected()["not_reported"].as_array().unwrap() {
        let gone = str_of(gone);
        assert!(
            !images.contains(&gone),
            "{gone} is excluded and must not appear"
        );
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["page"] != gone.as_str()),
            "excluded page {gone} was scanned"
        );
    }
    assert_eq!(
        report["summary"]["pages"],
        expected()["pages"].as_array().unwrap().len()
    );
}

#[test]
fn spot_checks_a_user_would_make() {
    let (report, _) = scan_json();
    let finding = |image: &str, rule: &str| -> Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["image"] == image && f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} finding for {image}"))
            .clone()
    };
    // A minor whose consent was signed by themselves.
    let f = finding("images/robotics/driver-station.jpg", "subject-consent");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["evidence"]["person"], "p-leo-m");
    assert!(f["message"].as_str().unwrap().contains("guardian"));
    // Out-of-scope consent on the blog.
    let f = finding("images/blog/coding-club.jpg", "subject-consent");
    assert!(f["message"].as_str().unwrap().contains("`blog`"), "{f}");
    // An unknown image gets a ledger stub that parses as TOML.
    let f = finding("images/lab/lab-overview.jpg", "unknown-provenance");
    let stub: toml::Table = toml::from_str(f["snippet"].as_str().unwrap()).unwrap();
    assert_eq!(
        stub["asset"][0]["files"][0].as_str(),
        Some("images/lab/lab-overview.jpg")
    );
}

#[test]
fn text_report_ends_with_the_summary_line() {
    let out = scan(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    assert!(last.starts_with("not cleared: 7 pages,"), "{last}");
    assert!(last.contains("(as of 2026-11-15)"), "{last}");
}

#[test]
fn clean_site_exits_zero_and_broken_ledger_names_its_line() {
    let testdata = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"));
    let out = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .current_dir(testdata.join("clean-site"))
        .args(["scan", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .current_dir(testdata.join("broken-ledger"))
        .args(["ledger", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ledger.toml:6:"), "{stderr}");
}

/// SARIF for a CI gate: valid against the OASIS 2.1.0 schema, one result per
/// finding, each at the page file and line of the image's reference.
#[test]
fn sarif_is_valid_and_points_at_the_reference_line_in_each_page() {
    let out = scan(&["--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/schemas/sarif-schema-2.1.0.json"
    ));
    match std::fs::read_to_string(schema_path) {
        Ok(text) => {
            let schema: Value = serde_json::from_str(&text).unwrap();
            let mut schemas = boon::Schemas::new();
            let mut compiler = boon::Compiler::new();
            compiler.add_resource("sarif.json", schema).unwrap();
            let index = compiler.compile("sarif.json", &mut schemas).unwrap();
            if let Err(e) = schemas.validate(&sarif, index) {
                panic!("SARIF does not validate: {e:#}");
            }
        }
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("{} is missing", schema_path.display())
        }
        Err(_) => println!("SKIP schema validation: {} absent", schema_path.display()),
    }
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let (report, _) = scan_json();
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    let mut checked = 0;
    for e in expected()["expectations"].as_array().unwrap() {
        if e["rule"].is_null() {
            continue;
        }
        let uri = format!("site/{}", str_of(&e["page"]));
        let result = results
            .iter()
            .find(|r| {
                r["ruleId"] == e["rule"]
                    && r["properties"]["image"] == e["image"]
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        == uri.as_str()
            })
            .unwrap_or_else(|| panic!("no SARIF result for {e}"));
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(location["region"]["startLine"], e["line"], "{e}");
        // The column points at the start of the referencing tag in that line.
        let page = std::fs::read_to_string(demo_dir().join(&uri)).unwrap();
        let line = page
            .lines()
            .nth(e["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let column = location["region"]["startColumn"].as_u64().unwrap() as usize;
        assert_eq!(
            line.chars().nth(column - 1),
            Some('<'),
            "{uri}:{} col {column}: {line}",
            e["line"]
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} results checked");
}
