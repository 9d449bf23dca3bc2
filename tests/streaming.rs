//! A scan writes its report as it goes (JSON image by image, each image's
//! evidence read back from a temporary file): the bytes must be exactly those
//! of the whole report rendered in memory, in every format.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;
use clearance::config::Config;
use clearance::report::{self, Format, RenderOptions};
use clearance::rules::Rules;
use clearance::{FacesMode, ScanOptions};

fn demo_options(format: Format) -> ScanOptions {
    let config = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/demo/clearance.toml"
    ));
    ScanOptions {
        targets: Vec::new(),
        config: Config::load(config).expect("the demo config loads"),
        extra_ledgers: Vec::new(),
        rules: Rules::builtin(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
        baseline: HashSet::new(),
        progress: false,
        thumbnails: format.wants_thumbnails(),
        faces: FacesMode::Off,
        max_pages: None,
        max_depth: None,
        cache: None,
        all_phashes: false,
    }
}

#[test]
fn every_format_writes_the_same_bytes_as_the_report_in_memory() {
    let render_options = RenderOptions {
        color: false,
        fail_on: Some(clearance::model::Severity::Error),
    };
    for format in [
        Format::Json,
        Format::Text,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Html,
    ] {
        let options = demo_options(format);
        let whole = clearance::scan(&options).expect("the demo scans");
        assert!(
            whole.images.len() > 30 && whole.findings.len() > 20,
            "the demo has images and findings to stream"
        );
        let expected = report::render(&whole, format, render_options);

        let scanned = clearance::judge(&options).expect("the demo scans");
        assert_eq!(scanned.findings(), whole.findings.as_slice());
        assert_eq!(scanned.summary(), &whole.summary);
        assert_eq!(
            scanned.failing(clearance::model::Severity::Warning),
            whole.failing(clearance::model::Severity::Warning)
        );
        let mut written = Vec::new();
        scanned
            .write_report(format, render_options, &mut written)
            .expect("writing to memory cannot fail");
        assert!(
            String::from_utf8(written).unwrap() == expected,
            "{format:?}: the written report differs from the one rendered in memory"
        );
    }
}

#[test]
fn a_failing_writer_is_an_error_not_a_partial_success() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let options = demo_options(Format::Json);
    let scanned = clearance::judge(&options).expect("the demo scans");
    let err = scanned
        .write_report(
            Format::Json,
            RenderOptions {
                color: false,
                fail_on: None,
            },
            &mut Full,
        )
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
}
