//! The real binary on small sites built in temporary folders: exit codes,
//! unreadable images, escapes from the root, broken ledgers, suppressions.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use sha2::Digest;

fn clearance(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearance"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the clearance binary runs")
}

fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y as u8).wrapping_add(seed),
            seed,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const CLEAN_LEDGER: &str = r#"
[[photographer]]
id = "staff-jo"
name = "Jo Park"
kind = "staff"
permission = "granted"
scope = ["web", "blog"]

[[asset]]
id = "logo"
files = ["img/logo.jpg"]
photographer = "staff-jo"
people = []
source = "own"
"#;

/// A one-page site whose only image is cleared.
fn clean_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site/index.html",
        "<html><body>\n<img src=\"img/logo.jpg\" alt=\"Our logo\">\n</body></html>\n",
    );
    write(root, "site/img/logo.jpg", jpeg(64, 48, 3));
    write(root, "ledger.toml", CLEAN_LEDGER);
    write(
        root,
        "clearance.toml",
        "root = \"site\"\nledger = [\"ledger.toml\"]\n",
    );
    dir
}

/// `clearance scan --format json` as of the date every test here assumes.
fn scan_json(dir: &Path) -> Output {
    scan_json_with(dir, &[])
}

/// [`scan_json`] with more arguments.
fn scan_json_with(dir: &Path, more: &[&str]) -> Output {
    let mut args = vec!["scan", "--format", "json", "--as-of", "2026-11-15"];
    args.extend_from_slice(more);
    clearance(dir, &args)
}

/// `clearance ledger check` in `dir` exits 0 (its stderr shown if not).
fn assert_ledger_checks(dir: &Path) {
    let check = clearance(dir, &["ledger", "check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

fn json_report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The first finding about `image`; the test fails if there is none.
fn finding_for<'r>(report: &'r Value, image: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["image"] == image)
        .unwrap_or_else(|| panic!("no finding for {image}: {report:#}"))
}

fn rules_for(report: &Value, image: &str) -> Vec<String> {
    let mut rules: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["image"] == image)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules
}

#[test]
fn clean_site_exits_zero() {
    let dir = clean_site();
    let out = scan_json(dir.path());
    let report = json_report(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["summary"]["images"], 1);
    assert_eq!(report["summary"]["pages"], 1);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["images"][0]["ledger"], "logo");
    assert_eq!(report["images"][0]["uses"][0]["line"], 2);
    assert_eq!(report["images"][0]["uses"][0]["alt"], "Our logo");

    let text = clearance(dir.path(), &["scan", "--as-of", "2026-11-15"]);
    assert_eq!(text.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("clear: 1 pages, 1 images: 0 errors"),
        "{stdout}"
    );
}

#[test]
fn broken_ledger_line_exits_two_naming_file_and_line() {
    let dir = clean_site();
    let broken = CLEAN_LEDGER.replace("permission = \"granted\"", "permission = \"perhaps\"");
    write(dir.path(), "ledger.toml", broken);
    let out = clearance(dir.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ledger.toml:6:"), "{stderr}");
    assert!(stderr.contains("perhaps"), "{stderr}");

    let check = clearance(dir.path(), &["ledger", "check"]);
    assert_eq!(check.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&check.stderr).contains("ledger.toml:6:"));
}

#[test]
fn ledger_check_passes_a_good_ledger() {
    let dir = clean_site();
    let out = clearance(dir.path(), &["ledger", "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ledger ok: 0 people, 1 photographers, 1 assets"
    );
}

#[test]
fn missing_and_corrupt_images_are_findings_and_the_scan_goes_on() {
    let dir = clean_site();
    let mut corrupt = jpeg(64, 48, 9);
    corrupt.truncate(20);
    write(dir.path(), "site/img/corrupt.jpg", corrupt);
    write(
        dir.path(),
        "site/news.html",
        "<p>\n<img src=\"img/missing.png\" alt=\"\">\n<img src=\"/img/corrupt.jpg\" alt=\"\">\n<img src=\"img/logo.jpg\" alt=\"\">\n</p>",
    );
    let out = scan_json(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&out);
    assert_eq!(
        rules_for(&report, "img/missing.png"),
        vec!["unreadable-image"]
    );
    assert_eq!(
        rules_for(&report, "img/corrupt.jpg"),
        vec!["unreadable-image"]
    );
    assert_eq!(rules_for(&report, "img/logo.jpg"), Vec::<String>::new());
    assert_eq!(report["summary"]["images"], 3);
    let missing = finding_for(&report, "img/missing.png");
    assert_eq!(missing["page"], "news.html");
    assert_eq!(missing["line"], 2);
}

#[test]
fn reference_escaping_the_root_is_reported_not_read() {
    let dir = clean_site();
    // A real image just outside the root: it must never be read.
    write(dir.path(), "secret.jpg", jpeg(32, 32, 5));
    write(
        dir.path(),
        "site/blog/post.html",
        "<img src=\"../../secret.jpg\" alt=\"x\">",
    );
    let out = scan_json(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&out);
    let escape = finding_for(&report, "../../secret.jpg");
    assert_eq!(escape["rule"], "unreadable-image");
    assert!(
        escape["message"]
            .as_str()
            .unwrap()
            .contains("outside the site root")
    );
    // Not read: no image entry carries its bytes.
    assert!(
        report["images"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["path"].as_str().unwrap().contains("secret"))
    );
}

#[test]
fn fail_on_never_and_warning_change_the_exit_code() {
    let dir = clean_site();
    // An asset whose people were never checked, with people words in its alt text: a warning only.
    write(
        dir.path(),
        "ledger.toml",
        CLEAN_LEDGER.replace("people = []\n", ""),
    );
    write(
        dir.path(),
        "site/index.html",
        "<img src=\"img/logo.jpg\" alt=\"Students at the fair\">",
    );
    let scan = |fail_on: &str| {
        clearance(
            dir.path(),
            &["scan", "--fail-on", fail_on, "--as-of", "2026-11-15"],
        )
        .status
        .code()
    };
    assert_eq!(scan("error"), Some(0));
    assert_eq!(scan("warning"), Some(1));
    assert_eq!(scan("never"), Some(0));
}

#[test]
fn inline_ignore_and_baseline_suppress_but_keep_findings_visible() {
    let dir = clean_site();
    write(dir.path(), "site/a.jpg", jpeg(40, 40, 7));
    write(dir.path(), "site/b.jpg", jpeg(40, 40, 11));
    write(
        dir.path(),
        "site/page.html",
        "<img src=\"a.jpg\" data-clearance-ignore=\"unknown-provenance\" alt=\"\">\n<img src=\"b.jpg\" alt=\"\">",
    );
    let out = scan_json_with(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_report(&out);
    let a = finding_for(&report, "a.jpg");
    assert_eq!(a["suppressed"]["kind"], "inline");
    assert_eq!(report["summary"]["suppressed"], 1);

    let again = scan_json_with(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let report = json_report(&again);
    let b = finding_for(&report, "b.jpg");
    assert_eq!(b["suppressed"]["kind"], "baseline");
}

#[test]
fn init_writes_files_that_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = clearance(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0));
    assert_ledger_checks(dir.path());
    // Refuses to overwrite without --force.
    assert_eq!(clearance(dir.path(), &["init"]).status.code(), Some(2));
}

#[test]
fn explain_unknown_rule_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = clearance(dir.path(), &["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule"));
}

#[test]
fn suggested_stubs_paste_into_a_ledger_that_checks_and_still_asks_for_a_photographer() {
    let dir = clean_site();
    write(dir.path(), "site/new.jpg", jpeg(48, 48, 13));
    write(
        dir.path(),
        "site/page.html",
        "<img src=\"new.jpg\" alt=\"Students in the lab\">",
    );
    let out = clearance(dir.path(), &["ledger", "suggest", "site"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stubs = String::from_utf8(out.stdout).unwrap();
    assert!(stubs.contains("files = [\"new.jpg\"]"), "{stubs}");
    assert!(
        !stubs.contains("logo.jpg"),
        "covered images get no stub: {stubs}"
    );
    let ledger = format!("{CLEAN_LEDGER}\n{stubs}");
    write(dir.path(), "ledger.toml", ledger);
    assert_ledger_checks(dir.path());
    // Pasted unread, the stub claims nothing: the maker and the people are still open.
    let scan = scan_json(dir.path());
    let report = json_report(&scan);
    assert_eq!(
        rules_for(&report, "new.jpg"),
        vec!["people-unverified", "photographer-permission"]
    );
}

/// Images embedded as `data:` URIs (a pasted photo, an icon inlined into a
/// style) are published graphics: judged, stubbed by `ledger suggest` under
/// their SHA-256, cleared by that stub, and cached like files. A `data:` URI
/// whose bytes cannot be decoded is named among the failures, not skipped.
#[test]
fn embedded_data_uri_images_are_judged_stubbed_by_sha256_and_cached() {
    use base64::Engine as _;
    let dir = clean_site();
    let photo = jpeg(96, 64, 21);
    // The pasted photo is a file on the site too, shown on another page.
    write(dir.path(), "site/img/pasted.jpg", &photo);
    write(
        dir.path(),
        "site/gallery.html",
        "<html><body><img src=\"img/pasted.jpg\" alt=\"\"></body></html>\n",
    );
    let icon = "<svg xmlns='http://www.w3.org/2000/svg' width='16' height='16'><rect width='16' height='16'/></svg>";
    write(
        dir.path(),
        "site/post.html",
        format!(
            "<html><body>\n<img src=\"data:image/jpeg;base64,{}\" alt=\"Pasted\">\n<div style=\"background: url('data:image/svg+xml,{}')\"></div>\n<img src=\"data:image/png;base64,iVBOR\" alt=\"\">\n</body></html>\n",
            base64::engine::general_purpose::STANDARD.encode(&photo),
            icon.replace('<', "%3C")
                .replace('>', "%3E")
                .replace(' ', "%20")
                .replace('\'', "%27"),
        ),
    );
    let photo_label = format!("data:image/jpeg;sha256={:x}", sha2::Sha256::digest(&photo));
    let icon_label = format!(
        "data:image/svg+xml;sha256={:x}",
        sha2::Sha256::digest(icon.as_bytes())
    );

    let report = json_report(&scan_json(dir.path()));
    assert_eq!(rules_for(&report, &photo_label), vec!["unknown-provenance"]);
    assert_eq!(rules_for(&report, &icon_label), vec!["unknown-provenance"]);
    assert_eq!(finding_for(&report, &icon_label)["line"], 3);
    let failed = report["pages_failed"].to_string();
    assert!(
        failed.contains("post.html:4") && failed.contains("invalid base64"),
        "{failed}"
    );
    // The use shows the URI cut short, not kilobytes of base64.
    let image = image_at(&report, &photo_label);
    let reference = image["uses"][0]["reference"].as_str().unwrap();
    assert!(reference.starts_with("data:image/jpeg;base64,/9j/") && reference.len() < 80);

    let out = clearance(dir.path(), &["ledger", "suggest", "site"]);
    let stubs = String::from_utf8(out.stdout).unwrap();
    assert!(!stubs.contains("files = [\"data:"), "{stubs}");
    // One stub per picture: the file's sha256 covers its pasted copy.
    assert!(stubs.contains("files = [\"img/pasted.jpg\"]"), "{stubs}");
    assert!(
        stubs.contains(&format!(
            "# {photo_label} (used on: post.html): the same bytes as asset \"pasted\""
        )),
        "{stubs}"
    );
    assert_eq!(stubs.matches("id = \"embedded-").count(), 1, "{stubs}");
    let owned = stubs
        .replace("# photographer = \"<id>\"", "photographer = \"staff-jo\"")
        .replace("# people = []", "people = []");
    write(
        dir.path(),
        "ledger.toml",
        format!("{CLEAN_LEDGER}\n{owned}"),
    );
    assert_ledger_checks(dir.path());
    let cleared = scan_json(dir.path());
    assert_eq!(
        cleared.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cleared.stdout)
    );
    // Judged afresh from the evidence cache: the same answer.
    let again = scan_json_with(dir.path(), &["--no-replay"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        image_at(&json_report(&again), &photo_label)["sha256"],
        format!("{:x}", sha2::Sha256::digest(&photo))
    );
}

/// A placeholder embedded beside the real picture in one element (`src` a
/// `data:` URI, `srcset` the photo) is no copy of it: clearing either clears
/// nothing of the other.
#[test]
fn an_embedded_placeholder_and_the_photo_beside_it_lend_each_other_no_clearance() {
    use base64::Engine as _;
    let dir = clean_site();
    let placeholder = jpeg(8, 8, 5);
    write(dir.path(), "site/img/real.jpg", jpeg(64, 48, 9));
    write(
        dir.path(),
        "site/lazy.html",
        format!(
            "<html><body>\n<img src=\"data:image/jpeg;base64,{}\" srcset=\"img/real.jpg 2x\" alt=\"\">\n</body></html>\n",
            base64::engine::general_purpose::STANDARD.encode(&placeholder)
        ),
    );
    let label = format!(
        "data:image/jpeg;sha256={:x}",
        sha2::Sha256::digest(&placeholder)
    );
    let asset = |id: &str, tie: &str| {
        format!(
            "\n[[asset]]\nid = \"{id}\"\n{tie}\nphotographer = \"staff-jo\"\npeople = []\nsource = \"own\"\n"
        )
    };
    let placeholder_sha = format!("sha256 = [\"{:x}\"]", sha2::Sha256::digest(&placeholder));
    for (ledgered, other) in [
        (asset("spinner", &placeholder_sha), "img/real.jpg"),
        (asset("real", "files = [\"img/real.jpg\"]"), label.as_str()),
    ] {
        write(
            dir.path(),
            "ledger.toml",
            format!("{CLEAN_LEDGER}{ledgered}"),
        );
        let report = json_report(&scan_json_with(dir.path(), &["--no-cache"]));
        assert!(image_at(&report, other)["ledger"].is_null(), "{report:#}");
        assert_eq!(rules_for(&report, other), vec!["unknown-provenance"]);
    }
}

#[test]
fn inspect_reads_gps_and_exits_two_for_a_missing_file() {
    let dir = clean_site();
    let out = clearance(
        dir.path(),
        &["inspect", "--format", "json", "site/img/logo.jpg"],
    );
    assert_eq!(out.status.code(), Some(0));
    let images: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(images[0]["format"], "jpeg");
    assert_eq!(images[0]["width"], 64);
    assert_eq!(images[0]["metadata"]["gps"], false);
    assert_eq!(
        clearance(dir.path(), &["inspect", "nope.jpg"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_stock_licence_link_is_judged_by_its_expiry_not_called_unknown() {
    let dir = clean_site();
    write(dir.path(), "site/stock.jpg", jpeg(40, 40, 17));
    write(
        dir.path(),
        "site/page.html",
        "<img src=\"stock.jpg\" alt=\"Keyboard\">",
    );
    let ledger = format!(
        "{CLEAN_LEDGER}\n[[asset]]\nid = \"stock\"\nfiles = [\"stock.jpg\"]\npeople = []\nsource = \"licensed\"\n\
license = \"https://www.istockphoto.com/legal/license-agreement\"\nlicense_expires = 2026-03-01\n"
    );
    write(dir.path(), "ledger.toml", ledger);
    let out = clearance(
        dir.path(),
        &["scan", "--format", "json", "--as-of", "2026-05-15"],
    );
    let report = json_report(&out);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["image"] == "stock.jpg")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "license-terms");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-03-01")
    );
}

/// Copy the demo site (config, ledgers, pages, images) into a fresh folder.
fn demo_copy() -> tempfile::TempDir {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let dir = tempfile::tempdir().unwrap();
    let entries = walkdir::WalkDir::new(&demo)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".clearance-cache");
    for entry in entries.flatten() {
        let rel = entry.path().strip_prefix(&demo).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

fn packs(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(cache.join("packs"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// The report's entry for the image at `path`.
fn image_at<'r>(report: &'r serde_json::Value, path: &str) -> &'r serde_json::Value {
    report["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the report"))
}

/// A copy of the demo site scanned once, its cache folder, and that scan.
fn scanned_demo_copy() -> (tempfile::TempDir, std::path::PathBuf, Output) {
    let dir = demo_copy();
    let cache = dir.path().join(".clearance-cache");
    let cold = scan_json(dir.path());
    assert_eq!(cold.status.code(), Some(1), "the demo site has findings");
    (dir, cache, cold)
}

#[test]
fn the_evidence_cache_answers_a_rescan_alike_and_follows_changed_files() {
    let (dir, cache, cold) = scanned_demo_copy();
    let root = dir.path();
    assert_eq!(packs(&cache).len(), 1, "the cold scan stores one pack");

    // Unchanged: the same report, and nothing new to store.
    let warm = scan_json(root);
    assert_eq!(warm.status.code(), cold.status.code());
    assert_eq!(
        warm.stdout, cold.stdout,
        "a rescan from the cache reports the same"
    );
    assert_eq!(
        packs(&cache).len(),
        1,
        "a rescan of an unchanged site writes nothing"
    );

    // A changed image is read again: its new bytes show in the report.
    let report = json_report(&cold);
    let image = report["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["format"] == "jpeg" && i["error"].is_null())
        .expect("the demo site has readable JPEGs");
    let path = image["path"].as_str().unwrap();
    let replacement = jpeg(80, 60, 77);
    write(root, &format!("site/{path}"), &replacement);
    let changed = json_report(&scan_json(root));
    let now = image_at(&changed, path);
    let sha = sha2::Sha256::digest(&replacement)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(now["sha256"], sha.as_str());
    assert_ne!(now["sha256"], image["sha256"]);
    assert_eq!(now["width"], 80);
    assert_eq!(packs(&cache).len(), 2);

    // A changed page is parsed again: an image added to it shows as a new use.
    let page = now["uses"][0]["page"].as_str().unwrap().to_string();
    let page_file = root.join("site").join(&page);
    let mut html = std::fs::read_to_string(&page_file).unwrap();
    html.push_str(&format!(
        "<p><img src=\"/{path}\" alt=\"added later\"></p>\n"
    ));
    std::fs::write(&page_file, html).unwrap();
    let edited = json_report(&scan_json(root));
    let uses = image_at(&edited, path)["uses"].as_array().unwrap();
    assert!(
        uses.iter()
            .any(|u| u["page"] == page.as_str() && u["alt"] == "added later"),
        "the edited page's new use is reported: {uses:?}"
    );
    assert_eq!(uses.len(), now["uses"].as_array().unwrap().len() + 1);
}

#[test]
fn concurrent_scans_share_a_cache_without_harm() {
    let dir = demo_copy();
    let root = dir.path();
    let expected = scan_json(root);
    std::fs::remove_dir_all(root.join(".clearance-cache")).unwrap();
    // Two scans at once on an empty cache, then one from what they stored.
    // No replay: the one that ends first would otherwise answer the other.
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_clearance"))
            .current_dir(root)
            .args([
                "scan",
                "--format",
                "json",
                "--as-of",
                "2026-11-15",
                "--no-replay",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
        assert_eq!(out.status.code(), expected.status.code());
        assert_eq!(out.stdout, expected.stdout);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stored = packs(&root.join(".clearance-cache"));
    assert_eq!(stored.len(), 2, "each scan stores its own pack: {stored:?}");
    assert!(stored.iter().all(|p| p.extension().unwrap() == "pack"));
    assert_eq!(scan_json(root).stdout, expected.stdout);
}

/// The reports recorded for replay in `cache`.
fn recorded_reports(cache: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(cache.join("reports"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

const TAMPERED: &str = "a report that only a replay could print\n";

/// Replace the body of every recorded report, so a scan that prints
/// [`TAMPERED`] is one that replayed. Knows the layout of `src/replay.rs`: a
/// header line, the zlib-compressed body, then a mark, the body's length and
/// the CRC-32 of header and body.
fn tamper_with_recorded_reports(cache: &Path) {
    let reports = recorded_reports(cache);
    assert!(!reports.is_empty(), "a fresh scan records its report");
    for path in reports {
        let bytes = std::fs::read(&path).unwrap();
        let header_end = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut tampered = bytes[..header_end].to_vec();
        // Stored bodies are zlib-compressed.
        let mut body = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        body.write_all(TAMPERED.as_bytes()).unwrap();
        let body = body.finish().unwrap();
        tampered.extend_from_slice(&body);
        let crc = crc32fast::hash(&tampered);
        tampered.extend_from_slice(b"CLRPLAY\0");
        tampered.extend_from_slice(&(body.len() as u64).to_le_bytes());
        tampered.extend_from_slice(&crc.to_le_bytes());
        std::fs::write(&path, tampered).unwrap();
    }
}

fn replayed(out: &Output) -> bool {
    out.stdout == TAMPERED.as_bytes()
}

#[test]
fn a_job_that_writes_every_format_replays_each_of_them() {
    let (dir, cache, _) = scanned_demo_copy();
    let formats = ["text", "json", "sarif", "junit", "markdown", "html"];
    let scan = |format: &str| {
        clearance(
            dir.path(),
            &["scan", "--format", format, "--as-of", "2026-11-15"],
        )
    };
    for format in formats {
        assert!(!scan(format).stdout.is_empty(), "{format}: no report");
    }
    assert_eq!(recorded_reports(&cache).len(), formats.len());
    tamper_with_recorded_reports(&cache);
    for format in formats {
        assert!(replayed(&scan(format)), "{format} was judged again");
    }
}

#[test]
fn a_damaged_recorded_report_is_judged_afresh_and_recorded_again() {
    let (dir, cache, cold) = scanned_demo_copy();
    for path in recorded_reports(&cache) {
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&path, bytes).unwrap();
    }
    let again = scan_json(dir.path());
    assert_eq!(again.stdout, cold.stdout, "the fresh report, whole");
    assert_eq!(again.status.code(), Some(1));
    tamper_with_recorded_reports(&cache);
    assert!(
        replayed(&scan_json(dir.path())),
        "the fresh report was recorded in its place"
    );
}

#[test]
fn an_unchanged_rescan_replays_its_report_and_any_change_judges_afresh() {
    let (dir, cache, cold) = scanned_demo_copy();
    let root = dir.path();
    assert_eq!(recorded_reports(&cache).len(), 1);
    let warm = scan_json(root);
    assert_eq!(warm.stdout, cold.stdout, "a replay prints the same bytes");
    assert_eq!(warm.status.code(), Some(1), "and exits as the scan did");

    tamper_with_recorded_reports(&cache);
    let again = scan_json(root);
    assert!(
        replayed(&again),
        "nothing changed, so the report is replayed"
    );
    assert_eq!(again.status.code(), Some(1));

    // Each change below must be judged afresh, never replayed.
    let fresh = |out: Output, what: &str| {
        assert!(!replayed(&out), "replayed after {what}");
        assert!(!out.stdout.is_empty(), "{what}: no report");
        tamper_with_recorded_reports(&cache);
        out
    };
    let other_day = clearance(root, &["scan", "--format", "json", "--as-of", "2026-11-16"]);
    assert_eq!(json_report(&other_day)["as_of"], "2026-11-16");
    fresh(other_day, "another --as-of");
    fresh(
        clearance(
            root,
            &["scan", "--format", "sarif", "--as-of", "2026-11-15"],
        ),
        "another format",
    );
    let gate = scan_json_with(root, &["--fail-on", "never"]);
    assert_eq!(gate.status.code(), Some(0));
    fresh(gate, "another --fail-on");
    let profile = root.join("profile.toml");
    std::fs::write(
        &profile,
        "[[rule]]\nid = \"location-exposed\"\nseverity = \"warning\"\n",
    )
    .unwrap();
    let profile_arg = profile.to_str().unwrap();
    fresh(
        scan_json_with(root, &["--rules", profile_arg]),
        "another rules profile",
    );

    // Files: the ledger, the config, an image, a page.
    let edit = |rel: &str, edit: &dyn Fn(String) -> String| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    };
    edit("ledger.toml", &|t| t + "\n# reviewed\n");
    fresh(scan_json(root), "a ledger edit");
    edit("roster.csv", &|t| t + "\n");
    fresh(scan_json(root), "an edit of the CSV ledger");
    edit("clearance.toml", &|t| {
        t.replace(
            "consent-expiring = \"info\"",
            "consent-expiring = \"warning\"",
        )
    });
    fresh(scan_json(root), "a config change");
    let report = json_report(&cold);
    let image = report["images"][0]["path"].as_str().unwrap();
    let file = std::fs::File::options()
        .write(true)
        .open(root.join("site").join(image))
        .unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
    fresh(scan_json(root), "an image's new mtime");
    let page = report["images"][0]["uses"][0]["page"].as_str().unwrap();
    edit(&format!("site/{page}"), &|t| t + "\n");
    fresh(scan_json(root), "a page edit");

    // Unchanged again: replayed again, and said so on stderr.
    let again = scan_json(root);
    assert!(replayed(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("replayed"));
    let judged = scan_json_with(root, &["--no-replay"]);
    assert!(!replayed(&judged), "--no-replay judges afresh");
    json_report(&judged);
    // Without the cache, or asked for a baseline (made from findings, which a
    // replay does not keep), the scan judges.
    let uncached = scan_json_with(root, &["--no-cache"]);
    assert!(!replayed(&uncached));
    json_report(&uncached);
    let baseline = root.join("baseline.json");
    let with_baseline = scan_json_with(root, &["--write-baseline", baseline.to_str().unwrap()]);
    assert!(!replayed(&with_baseline));
    assert!(
        std::fs::read_to_string(&baseline)
            .unwrap()
            .contains("fingerprint")
    );
}

#[test]
fn a_scan_that_could_not_read_an_existing_image_is_not_recorded_for_replay() {
    // The failure may pass (a permission fixed, an I/O error) without the
    // image's size or mtime changing: its report must not be replayed.
    let dir = clean_site();
    let root = dir.path();
    write(
        root,
        "site/index.html",
        "<html><body>\n<img src=\"img/logo.jpg\" alt=\"Our logo\">\n<img src=\"img/odd.jpg\" alt=\"\">\n</body></html>\n",
    );
    // Exists (it has a size and mtime) but cannot be read as a file.
    std::fs::create_dir_all(root.join("site/img/odd.jpg")).unwrap();
    let out = scan_json(root);
    assert_eq!(
        finding_for(&json_report(&out), "img/odd.jpg")["rule"],
        "unreadable-image"
    );
    assert!(recorded_reports(&root.join(".clearance-cache")).is_empty());
    // A missing image is told unchanged by its absence: that report is recorded.
    std::fs::remove_dir(root.join("site/img/odd.jpg")).unwrap();
    let out = scan_json(root);
    assert_eq!(
        finding_for(&json_report(&out), "img/odd.jpg")["rule"],
        "unreadable-image"
    );
    assert_eq!(recorded_reports(&root.join(".clearance-cache")).len(), 1);
}
