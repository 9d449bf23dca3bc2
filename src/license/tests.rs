use super::*;

/// (URL slug, id elements, attribution, share-alike, no-derivatives, non-commercial)
const CC_SLUGS: &[(&str, &str, [bool; 4])] = &[
    ("by", "BY", [true, false, false, false]),
    ("by-sa", "BY-SA", [true, true, false, false]),
    ("by-nd", "BY-ND", [true, false, true, false]),
    ("by-nc", "BY-NC", [true, false, false, true]),
    ("by-nc-sa", "BY-NC-SA", [true, true, false, true]),
    ("by-nc-nd", "BY-NC-ND", [true, false, true, true]),
    ("sa", "SA", [false, true, false, false]),
    ("nd", "ND", [false, false, true, false]),
    ("nc", "NC", [false, false, false, true]),
    ("nc-sa", "NC-SA", [false, true, false, true]),
    ("nd-nc", "NC-ND", [false, false, true, true]),
];

/// The versions CC published each slug in (1.0 spells BY-NC-ND `by-nd-nc`).
fn published(slug: &str, version: &str) -> Option<String> {
    let by = slug.starts_with("by");
    match (version, slug) {
        ("1.0", "by-nc-nd") => Some("by-nd-nc".into()),
        ("1.0" | "2.0", _) => Some(slug.into()),
        (_, _) if by => Some(slug.into()),
        _ => None,
    }
}

fn obligations_of(l: &License) -> [bool; 4] {
    let o = l.obligations();
    [
        o.attribution,
        o.share_alike,
        o.no_derivatives,
        o.non_commercial,
    ]
}

#[test]
fn every_cc_licence_and_version_parses_with_its_obligations() {
    let mut checked = 0;
    for (slug, id_elements, obligations) in CC_SLUGS {
        for version in ["1.0", "2.0", "2.1", "2.5", "3.0", "4.0"] {
            let Some(url_slug) = published(slug, version) else {
                let url = format!("https://creativecommons.org/licenses/{slug}/{version}/");
                assert_eq!(License::parse(&url), None, "{url} was never published");
                continue;
            };
            let deed = format!("https://creativecommons.org/licenses/{url_slug}/{version}/");
            let l = License::parse(&deed).unwrap_or_else(|| panic!("{deed} not parsed"));
            let id = format!("CC-{id_elements}-{version}");
            assert_eq!(l.id(), id, "{deed}");
            assert_eq!(
                l.short_name(),
                format!("CC {} {version}", url_slug.to_uppercase())
            );
            assert_eq!(l.deed_url().as_deref(), Some(deed.as_str()));
            assert_eq!(l.version().map(Version::as_str), Some(version));
            assert_eq!(l.jurisdiction(), None);
            assert_eq!(obligations_of(&l), *obligations, "{deed}");
            assert_eq!(
                l.requires_title(),
                obligations[0] && version != "4.0",
                "{deed}"
            );
            assert!(!l.is_public_domain());
            assert_eq!(l.is_retired(), !obligations[0], "{deed}");

            // Every spelling of the same licence reads the same.
            let bare = deed.trim_start_matches("https://");
            for form in [
                format!("http://{bare}"),
                format!("https://www.{bare}"),
                format!("//{bare}"),
                bare.trim_end_matches('/').to_string(),
                format!("{deed}deed.de"),
                format!("{deed}deed.pt_BR"),
                format!("{deed}legalcode"),
                format!("{deed}legalcode.de"),
                format!("{deed}rdf"),
                format!("{deed}?ref=chooser-v1"),
                deed.to_uppercase(),
                format!("https://i.creativecommons.org/l/{url_slug}/{version}/88x31.png"),
                format!("https://licensebuttons.net/l/{url_slug}/{version}/80x15.png"),
                id.clone(),
                id.to_lowercase(),
                l.short_name(),
            ] {
                assert_eq!(License::parse(&form).as_ref(), Some(&l), "{form}");
            }
            checked += 1;
        }
    }
    // 6 BY licences × 6 versions + 5 BY-less × 2 versions.
    assert_eq!(checked, 46);
}

#[test]
fn ported_licences_keep_their_jurisdiction() {
    let cases = [
        (
            "https://creativecommons.org/licenses/by-sa/3.0/de/",
            "CC-BY-SA-3.0-DE",
            "CC BY-SA 3.0 DE",
        ),
        (
            "http://creativecommons.org/licenses/by/3.0/us/",
            "CC-BY-3.0-US",
            "CC BY 3.0 US",
        ),
        (
            "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en",
            "CC-BY-SA-3.0-DE",
            "CC BY-SA 3.0 DE",
        ),
        (
            "https://creativecommons.org/licenses/by/2.5/scotland/",
            "CC-BY-2.5-SCOTLAND",
            "CC BY 2.5 SCOTLAND",
        ),
        (
            "https://creativecommons.org/licenses/by-nc-nd/3.0/igo/",
            "CC-BY-NC-ND-3.0-IGO",
            "CC BY-NC-ND 3.0 IGO",
        ),
        (
            "https://creativecommons.org/licenses/by-nc-sa/2.0/uk/",
            "CC-BY-NC-SA-2.0-UK",
            "CC BY-NC-SA 2.0 UK",
        ),
        (
            "https://creativecommons.org/licenses/by-sa/2.1/jp/",
            "CC-BY-SA-2.1-JP",
            "CC BY-SA 2.1 JP",
        ),
        (
            "https://creativecommons.org/licenses/nd-nc/2.0/jp/",
            "CC-NC-ND-2.0-JP",
            "CC ND-NC 2.0 JP",
        ),
        (
            "https://creativecommons.org/licenses/sampling+/1.0/de/",
            "CC-SAMPLING-PLUS-1.0-DE",
            "CC Sampling+ 1.0 DE",
        ),
    ];
    for (url, id, name) in cases {
        let l = License::parse(url).unwrap_or_else(|| panic!("{url}"));
        assert_eq!(l.id(), id);
        assert_eq!(l.short_name(), name);
        assert_eq!(License::parse(id).as_ref(), Some(&l), "{id}");
        assert_eq!(License::parse(name).as_ref(), Some(&l), "{name}");
        let deed = l.deed_url().unwrap();
        assert_eq!(License::parse(&deed).as_ref(), Some(&l), "{deed}");
    }
    let de = License::parse("https://creativecommons.org/licenses/by-sa/3.0/de/").unwrap();
    assert_eq!(de.jurisdiction(), Some("de"));
    assert_eq!(
        de.deed_url().unwrap(),
        "https://creativecommons.org/licenses/by-sa/3.0/de/"
    );
}

#[test]
fn public_domain_and_retired_tools() {
    /// (input, id, short name, deed, public domain, attribution, non-commercial, retired)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        bool,
        bool,
        bool,
        bool,
    );
    let cases: &[Row] = &[
        (
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "CC0-1.0",
            "CC0 1.0",
            Some("https://creativecommons.org/publicdomain/zero/1.0/"),
            true,
            false,
            false,
            false,
        ),
        (
            "http://creativecommons.org/publicdomain/zero/1.0/legalcode",
            "CC0-1.0",
            "CC0 1.0",
            Some("https://creativecommons.org/publicdomain/zero/1.0/"),
            true,
            false,
            false,
            false,
        ),
        (
            "http://i.creativecommons.org/p/zero/1.0/88x31.png",
            "CC0-1.0",
            "CC0 1.0",
            Some("https://creativecommons.org/publicdomain/zero/1.0/"),
            true,
            false,
            false,
            false,
        ),
        (
            "https://creativecommons.org/publicdomain/mark/1.0/",
            "PDM-1.0",
            "Public Domain Mark 1.0",
            Some("https://creativecommons.org/publicdomain/mark/1.0/"),
            true,
            false,
            false,
            false,
        ),
        (
            "http://creativecommons.org/licenses/publicdomain/",
            "CC-PDDC",
            "Public Domain Certification",
            Some("https://creativecommons.org/licenses/publicdomain/"),
            true,
            false,
            false,
            true,
        ),
        (
            "http://i.creativecommons.org/l/publicdomain/88x31.png",
            "CC-PDDC",
            "Public Domain Certification",
            Some("https://creativecommons.org/licenses/publicdomain/"),
            true,
            false,
            false,
            true,
        ),
        (
            "https://creativecommons.org/publicdomain/certification/1.0/us/",
            "CC-PDDC",
            "Public Domain Certification",
            Some("https://creativecommons.org/licenses/publicdomain/"),
            true,
            false,
            false,
            true,
        ),
        (
            "Public Domain",
            "public-domain",
            "Public Domain",
            None,
            true,
            false,
            false,
            false,
        ),
        (
            "https://creativecommons.org/licenses/sampling/1.0/",
            "CC-SAMPLING-1.0",
            "CC Sampling 1.0",
            Some("https://creativecommons.org/licenses/sampling/1.0/"),
            false,
            true,
            false,
            true,
        ),
        (
            "https://creativecommons.org/licenses/sampling+/1.0/",
            "CC-SAMPLING-PLUS-1.0",
            "CC Sampling+ 1.0",
            Some("https://creativecommons.org/licenses/sampling+/1.0/"),
            false,
            true,
            false,
            true,
        ),
        (
            "https://creativecommons.org/licenses/nc-sampling%2B/1.0/",
            "CC-NC-SAMPLING-PLUS-1.0",
            "CC NC-Sampling+ 1.0",
            Some("https://creativecommons.org/licenses/nc-sampling+/1.0/"),
            false,
            true,
            true,
            true,
        ),
        (
            "https://creativecommons.org/licenses/devnations/2.0/",
            "CC-DEVNATIONS-2.0",
            "CC Developing Nations 2.0",
            Some("https://creativecommons.org/licenses/devnations/2.0/"),
            false,
            true,
            false,
            true,
        ),
    ];
    for &(input, id, name, deed, pd, attribution, nc, retired) in cases {
        let l = License::parse(input).unwrap_or_else(|| panic!("{input}"));
        assert_eq!(l.id(), id, "{input}");
        assert_eq!(l.short_name(), name, "{input}");
        assert_eq!(l.deed_url().as_deref(), deed, "{input}");
        assert_eq!(l.is_public_domain(), pd, "{input}");
        assert_eq!(l.obligations().attribution, attribution, "{input}");
        assert_eq!(l.obligations().non_commercial, nc, "{input}");
        assert!(!l.obligations().share_alike && !l.obligations().no_derivatives);
        assert_eq!(l.is_retired(), retired, "{input}");
        assert!(!l.requires_title() || attribution);
        // The id and the name read back as the same tool.
        assert_eq!(License::parse(id).as_ref(), Some(&l), "{id}");
        assert_eq!(License::parse(name).as_ref(), Some(&l), "{name}");
    }
}

#[test]
fn spdx_ids_read_as_their_licence() {
    let cases = [
        ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
        (
            "CC-BY-SA-4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        (
            "CC-BY-NC-ND-4.0",
            "https://creativecommons.org/licenses/by-nc-nd/4.0/",
        ),
        (
            "CC-BY-NC-SA-2.0-FR",
            "https://creativecommons.org/licenses/by-nc-sa/2.0/fr/",
        ),
        (
            "CC-BY-3.0-DE",
            "https://creativecommons.org/licenses/by/3.0/de/",
        ),
        (
            "CC-BY-SA-3.0-AT",
            "https://creativecommons.org/licenses/by-sa/3.0/at/",
        ),
        (
            "CC-BY-3.0-IGO",
            "https://creativecommons.org/licenses/by/3.0/igo/",
        ),
        (
            "CC-BY-2.5-AU",
            "https://creativecommons.org/licenses/by/2.5/au/",
        ),
        (
            "CC-BY-SA-2.0-UK",
            "https://creativecommons.org/licenses/by-sa/2.0/uk/",
        ),
        (
            "CC-BY-NC-ND-1.0",
            "https://creativecommons.org/licenses/by-nd-nc/1.0/",
        ),
        (
            "CC0-1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "CC-PDDC",
            "https://creativecommons.org/licenses/publicdomain/",
        ),
        (
            "PDM-1.0",
            "https://creativecommons.org/publicdomain/mark/1.0/",
        ),
        (
            "CC-PDM-1.0",
            "https://creativecommons.org/publicdomain/mark/1.0/",
        ),
    ];
    for (spdx, deed) in cases {
        let l = License::parse(spdx).unwrap_or_else(|| panic!("{spdx}"));
        assert_eq!(l.deed_url().as_deref(), Some(deed), "{spdx}");
        if spdx != "CC-PDM-1.0" {
            assert_eq!(l.id(), spdx);
        }
    }
}

#[test]
fn names_people_write_are_recognised() {
    let cases = [
        ("CC BY-SA 3.0", "CC-BY-SA-3.0"),
        ("CC-BY 4.0", "CC-BY-4.0"),
        ("cc by 4.0", "CC-BY-4.0"),
        ("CC BY SA 4.0", "CC-BY-SA-4.0"),
        (
            "Creative Commons Attribution 4.0 International",
            "CC-BY-4.0",
        ),
        (
            "Creative Commons Attribution 4.0 International License",
            "CC-BY-4.0",
        ),
        ("Attribution-ShareAlike 3.0 Unported", "CC-BY-SA-3.0"),
        (
            "Creative Commons Attribution-Share Alike 4.0",
            "CC-BY-SA-4.0",
        ),
        (
            "Creative Commons Attribution-Share Alike 3.0 de",
            "CC-BY-SA-3.0-DE",
        ),
        ("CC BY-SA 3.0 de", "CC-BY-SA-3.0-DE"),
        ("cc-by-sa-3.0-de", "CC-BY-SA-3.0-DE"),
        (
            "Creative Commons Attribution-NonCommercial-NoDerivs 2.0 Generic",
            "CC-BY-NC-ND-2.0",
        ),
        (
            "Attribution-NonCommercial-NoDerivatives 4.0 International",
            "CC-BY-NC-ND-4.0",
        ),
        (
            "Attribution-NonCommercial 3.0 United States",
            "CC-BY-NC-3.0-US",
        ),
        (
            "Creative Commons Attribution-NoDerivs 3.0 Germany",
            "CC-BY-ND-3.0-DE",
        ),
        ("CC BY 2.5 Scotland", "CC-BY-2.5-SCOTLAND"),
        ("CC BY-NC-SA 3.0 IGO", "CC-BY-NC-SA-3.0-IGO"),
        ("CC BY 3.0 AT", "CC-BY-3.0-AT"),
        (
            "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 3.0 Deutschland",
            "CC-BY-SA-3.0-DE",
        ),
        ("Namensnennung 4.0 International (CC BY 4.0)", "CC-BY-4.0"),
        (
            "Paternité - Pas d'Utilisation Commerciale 2.0 France",
            "CC-BY-NC-2.0-FR",
        ),
        ("CC0", "CC0-1.0"),
        ("cc0", "CC0-1.0"),
        ("CC0 1.0 Universal", "CC0-1.0"),
        (
            "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
            "CC0-1.0",
        ),
        ("CC Zero", "CC0-1.0"),
        ("Creative Commons Zero", "CC0-1.0"),
        ("Public Domain Mark 1.0", "PDM-1.0"),
        ("Public domain", "public-domain"),
        ("PUBLIC DOMAIN", "public-domain"),
        ("Public Domain (CC0)", "CC0-1.0"),
        ("pd", "public-domain"),
        ("No known copyright restrictions", "public-domain"),
        ("Gemeinfrei", "public-domain"),
        ("CC BY-SA", "CC-BY-SA"),
        ("Lizenz: by-sa 3.0", "CC-BY-SA-3.0"),
        ("BY-NC-ND 4.0", "CC-BY-NC-ND-4.0"),
        ("Creative Commons Attribution-ShareAlike", "CC-BY-SA"),
        ("CC Sampling Plus 1.0", "CC-SAMPLING-PLUS-1.0"),
        (
            "CC BY-SA 4.0 https://creativecommons.org/licenses/by-sa/4.0/",
            "CC-BY-SA-4.0",
        ),
        (
            "CC BY-SA https://creativecommons.org/licenses/by-sa/3.0/de/",
            "CC-BY-SA-3.0-DE",
        ),
    ];
    for (text, id) in cases {
        assert_eq!(
            License::parse(text).map(|l| l.id()).as_deref(),
            Some(id),
            "{text:?}"
        );
    }
    let bare = License::parse("CC BY-SA").unwrap();
    assert_eq!(bare.version(), None);
    assert_eq!(bare.deed_url(), None, "no deed for an unversioned name");
    assert!(
        bare.requires_title(),
        "an unversioned name may be an older licence"
    );
    assert!(bare.obligations().share_alike);
}

#[test]
fn unknown_or_ambiguous_strings_are_none() {
    for text in [
        "",
        "   ",
        "All rights reserved",
        "© 2024 Jane Smith",
        "Photo by Jane Smith",
        "Attribution: Jane Smith",
        "Attribution 2019",
        "scaled by 2.0",
        "by 4.0",
        "by-sa",
        "Copyright Jane, used with permission",
        "GPL-2.0",
        "CC BY 2.9",
        "CC BY 0.0",
        "creativecommons.com/cc-by-2.9",
        "Creative Commons",
        "https://creativecommons.org/licenses/by/4.0/de/",
        "https://creativecommons.org/licenses/by/5.0/",
        "https://creativecommons.org/licenses/sa/3.0/",
        "https://creativecommons.org/licenses/by-nd-sa/2.0/",
        "https://creativecommons.org/licenses/by-by/2.0/",
        "https://creativecommons.org/licenses/by/",
        "https://creativecommons.org/publicdomain/zero/2.0/",
        "https://creativecommons.org/ns#",
        "http://web.resource.org/cc/Attribution",
        "http://web.resource.org/cc/Work",
        "http://creativecommons.org/licenses/GPL/2.0/",
        "https://example.org/licenses/by/4.0/",
        "https://www.flickr.com/commons/usage/",
        "CC BY-SA 3.0 or CC BY 4.0",
    ] {
        assert_eq!(License::parse(text), None, "{text:?}");
        assert!(text.parse::<License>().is_err());
    }
    let err = "All rights reserved".parse::<License>().unwrap_err();
    assert_eq!(err, LicenseError::Unknown("All rights reserved".into()));
    assert!(err.to_string().contains("All rights reserved"));
    let text = "CC BY 4.0, see https://creativecommons.org/licenses/by-nc/4.0/";
    let err = License::read(text).unwrap_err();
    assert!(matches!(&err, LicenseError::Ambiguous { licenses, .. } if licenses.len() == 2));
    assert!(err.to_string().contains("CC BY 4.0, CC BY-NC 4.0"), "{err}");
}

#[test]
fn find_all_reads_licences_inside_prose() {
    let xmp = "This work is licensed under the Creative Commons Attribution-ShareAlike 4.0 \
               International License. To view a copy of this license, visit \
               http://creativecommons.org/licenses/by-sa/4.0/.";
    let ids: Vec<String> = License::find_all(xmp).iter().map(License::id).collect();
    assert_eq!(ids, ["CC-BY-SA-4.0"]);

    let mixed = "Dual-licensed: CC BY-SA 3.0 and GFDL. Logo: https://creativecommons.org/publicdomain/zero/1.0/deed.de";
    let ids: Vec<String> = License::find_all(mixed).iter().map(License::id).collect();
    assert_eq!(ids, ["CC-BY-SA-3.0", "CC0-1.0"]);

    let credit = "Photo: Jane Smith / CC BY 4.0";
    let ids: Vec<String> = License::find_all(credit).iter().map(License::id).collect();
    assert_eq!(ids, ["CC-BY-4.0"]);

    // Port codes that are English words only count in capitals.
    let ids: Vec<String> = License::find_all("CC BY 3.0 at the fair")
        .iter()
        .map(License::id)
        .collect();
    assert_eq!(ids, ["CC-BY-3.0"]);
    // Words inside a non-licence CC URL are not read as names.
    assert!(License::find_all("xmlns:cc=\"http://creativecommons.org/ns#by-sa\"").is_empty());
    assert!(License::find_all("photo by Jane, attribution welcome").is_empty());
}

#[test]
fn contradicting_labels_are_flagged() {
    let cases = [
        (
            "CC BY 4.0",
            "https://creativecommons.org/licenses/by-nc/4.0/",
            true,
        ),
        (
            "CC BY 3.0",
            "https://creativecommons.org/licenses/by/4.0/",
            true,
        ),
        ("CC0", "https://creativecommons.org/licenses/by/4.0/", true),
        (
            "Creative Commons Attribution-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-nd/4.0/",
            true,
        ),
        (
            "CC BY 4.0",
            "https://creativecommons.org/licenses/by/4.0/?ref=chooser-v1",
            false,
        ),
        (
            "CC BY-SA",
            "https://creativecommons.org/licenses/by-sa/3.0/de/",
            false,
        ),
        (
            "CC BY-SA 3.0",
            "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en",
            false,
        ),
        (
            "Public Domain",
            "https://creativecommons.org/publicdomain/mark/1.0/",
            false,
        ),
        (
            "Jane Smith",
            "https://creativecommons.org/licenses/by/4.0/",
            false,
        ),
        ("", "https://creativecommons.org/licenses/by/4.0/", false),
        ("CC BY 4.0", "https://www.flickr.com/photos/jane/123", false),
    ];
    for (label, url, contradicts) in cases {
        let c = License::contradiction(label, url);
        assert_eq!(c.is_some(), contradicts, "{label:?} → {url}: {c:?}");
    }
    let msg = License::contradiction(
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    )
    .unwrap();
    assert!(
        msg.contains("CC BY 4.0") && msg.contains("CC BY-NC 4.0"),
        "{msg}"
    );
}

#[test]
fn constructor_refuses_licences_cc_never_published() {
    assert!(License::cc(Elements::new(true, false, true, true), Version::V4_0, None).is_none());
    assert!(License::cc(Elements::default(), Version::V4_0, None).is_none());
    assert!(License::cc(Elements::BY, Version::V4_0, Some("de")).is_none());
    assert!(License::cc(Elements::SA, Version::V3_0, None).is_none());
    assert!(License::cc(Elements::BY, Version::V3_0, Some("germany")).is_none());
    assert!(License::new(Kind::Cc0, Some(Version::V2_0), None).is_none());
    let cc0 = License::new(Kind::Cc0, None, None).unwrap();
    assert_eq!(cc0.version(), Some(Version::V1_0), "bare CC0 is 1.0");
    let de = License::cc(Elements::BY_SA, Version::V3_0, Some("DE")).unwrap();
    assert_eq!(de.id(), "CC-BY-SA-3.0-DE");
}

#[test]
fn obligations_read_as_plain_words() {
    assert_eq!(
        License::parse("CC BY-NC-SA 4.0")
            .unwrap()
            .obligations()
            .to_string(),
        "credit the author, share adaptations alike, no commercial use"
    );
    assert_eq!(
        License::parse("CC0").unwrap().obligations().to_string(),
        "none"
    );
}

#[test]
fn serde_uses_the_id() {
    let l = License::parse("CC BY-SA 3.0 de").unwrap();
    assert_eq!(serde_json::to_string(&l).unwrap(), "\"CC-BY-SA-3.0-DE\"");
    let back: License =
        serde_json::from_str("\"https://creativecommons.org/licenses/by-sa/3.0/de/\"").unwrap();
    assert_eq!(back, l);
    assert!(serde_json::from_str::<License>("\"All rights reserved\"").is_err());
    assert_eq!(l.to_string(), "CC BY-SA 3.0 DE");
}

#[test]
fn hostile_text_neither_panics_nor_hangs() {
    let start = std::time::Instant::now();
    let inputs = [
        "cc by ".repeat(100_000),
        "creativecommons.org".repeat(50_000),
        format!("{}/licenses/by/4.0/", "a.".repeat(200_000)),
        format!(
            "https://creativecommons.org/licenses/by/4.0/{}",
            "é".repeat(1000)
        ),
        "1.0.0.0.0.0 2.9 . .. ... + ++".repeat(10_000),
        "\u{0301}\u{0301}ß🙂 creativecommons.org🙂/licenses/by/4.0/".repeat(1000),
    ];
    for text in &inputs {
        let t = std::time::Instant::now();
        let _ = License::find_all(text);
        eprintln!("{} bytes: {:?}", text.len(), t.elapsed());
        let _ = License::parse(text);
        let _ = License::contradiction(text, text);
    }
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

fn corpus(path: &str) -> Option<std::path::PathBuf> {
    crate::test_corpus(path)
}

/// Openverse's table of every CC licence slug per version and port.
#[test]
fn corpus_openverse_licence_table_all_parse() {
    let Some(path) = corpus("attribution-data/openverse-attribution-tables/all_licenses.json")
    else {
        println!(
            "SKIP: corpus attribution-data/openverse-attribution-tables/all_licenses.json absent"
        );
        return;
    };
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut n = 0;
    for (version, ports) in table.as_object().unwrap() {
        for (port, slugs) in ports.as_object().unwrap() {
            for slug in slugs.as_array().unwrap() {
                let slug = slug.as_str().unwrap();
                let url = match slug {
                    "cc0" => format!("https://creativecommons.org/publicdomain/zero/{version}/"),
                    "pdm" => format!("https://creativecommons.org/publicdomain/mark/{version}/"),
                    "certification" => {
                        format!(
                            "https://creativecommons.org/publicdomain/certification/{version}/{port}/"
                        )
                    }
                    _ if port.is_empty() => {
                        format!("https://creativecommons.org/licenses/{slug}/{version}/")
                    }
                    _ => format!("https://creativecommons.org/licenses/{slug}/{version}/{port}/"),
                };
                let l = License::parse(&url).unwrap_or_else(|| panic!("{url} not recognised"));
                if !matches!(slug, "cc0" | "pdm" | "certification") {
                    assert_eq!(
                        l.deed_url().as_deref(),
                        Some(url.as_str()),
                        "canonical deed of {url}"
                    );
                    assert_eq!(l.version().map(Version::as_str), Some(version.as_str()));
                    assert_eq!(l.jurisdiction().unwrap_or(""), port);
                    // The id and the short name read back to the same licence.
                    assert_eq!(License::parse(&l.id()).as_ref(), Some(&l), "{}", l.id());
                    assert_eq!(
                        License::parse(&l.short_name()).as_ref(),
                        Some(&l),
                        "{}",
                        l.short_name()
                    );
                }
                n += 1;
            }
        }
    }
    println!("{n} licence URLs from Openverse's table parsed");
    assert!(n > 500, "table unexpectedly small: {n}");
}

/// Wikimedia Commons extmetadata: the short name, URL, id and usage terms of one
/// file must all read as the same licence.
#[test]
fn corpus_wikimedia_extmetadata_fields_agree() {
    let Some(dir) = corpus("attribution-data/openverse-catalog-provider-fixtures/wikimedia") else {
        println!(
            "SKIP: corpus attribution-data/openverse-catalog-provider-fixtures/wikimedia absent"
        );
        return;
    };
    fn walk(v: &serde_json::Value, out: &mut Vec<serde_json::Map<String, serde_json::Value>>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Object(em)) = m.get("extmetadata") {
                    out.push(em.clone());
                }
                m.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut metas = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            walk(&v, &mut metas);
        }
    }
    let field = |m: &serde_json::Map<String, serde_json::Value>, k: &str| {
        m.get(k)
            .and_then(|f| f.get("value"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut compared = 0;
    for m in &metas {
        let values: Vec<String> = ["LicenseShortName", "LicenseUrl", "License", "UsageTerms"]
            .iter()
            .filter_map(|k| field(m, k))
            .filter(|v| !v.contains("flickr.com") && v != "No restrictions")
            .collect();
        let parsed: Vec<License> = values
            .iter()
            .map(|v| License::parse(v).unwrap_or_else(|| panic!("{v:?} not recognised")))
            .collect();
        for (l, v) in parsed.iter().zip(&values) {
            assert!(
                parsed.iter().all(|o| o.refines(l) || l.refines(o)),
                "{v:?} disagrees with {values:?}"
            );
        }
        compared += usize::from(!parsed.is_empty());
    }
    println!("{compared} Wikimedia extmetadata licence records agree");
    assert!(compared > 50, "too few records: {compared}");
}

/// exiftool's reading of every rights field in the corpus images: only the
/// statements that really name a licence may yield one.
#[test]
fn corpus_oracle_rights_fields_invent_no_licence() {
    let Some(dir) = corpus("oracle") else {
        println!("SKIP: corpus oracle absent");
        return;
    };
    fn walk(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, k, out)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, key, out)),
            serde_json::Value::String(s) => {
                let k = key.to_ascii_lowercase();
                if ["rights", "copyright", "licen", "usageterms", "webstatement"]
                    .iter()
                    .any(|w| k.contains(w))
                {
                    out.push((key.to_string(), s.clone()));
                }
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") && !name.ends_with(".raw.json") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                walk(&v, "", &mut fields);
            }
        }
    }
    let mut recognised = std::collections::BTreeMap::new();
    for (key, value) in &fields {
        let ids: Vec<String> = License::find_all(value).iter().map(License::id).collect();
        if !ids.is_empty() {
            recognised.insert(value.clone(), (key.clone(), ids));
        }
    }
    println!(
        "{} rights fields read, {} name a licence:",
        fields.len(),
        recognised.len()
    );
    for (value, (key, ids)) in &recognised {
        println!("  {key}: {value:?} -> {ids:?}");
    }
    assert!(
        fields.len() > 100,
        "too few rights fields: {}",
        fields.len()
    );
    for (value, (_, ids)) in &recognised {
        let v = value.to_lowercase();
        let says_so = v.contains("public domain")
            || v.contains("publicdomain")
            || v.contains("creativecommons.org")
            || v.contains("creative commons")
            || v.contains("cc ")
            || v.contains("cc-");
        assert!(says_so, "{value:?} read as {ids:?}");
    }
}

/// MediaWiki's XMP test carries a bogus `cc:license` (`creativecommons.com/cc-by-2.9`)
/// and the `cc:` namespace URL: neither is a licence.
#[test]
fn corpus_mediawiki_bogus_xmp_licence_is_not_read() {
    let Some(path) = corpus("attribution-data/mediawiki-xmp-fixture/7.xmp") else {
        println!("SKIP: corpus attribution-data/mediawiki-xmp-fixture/7.xmp absent");
        return;
    };
    let xmp = std::fs::read_to_string(path).unwrap();
    assert!(xmp.contains("cc-by-2.9"), "fixture changed");
    assert_eq!(License::find_all(&xmp), vec![]);
    assert_eq!(License::parse("http://creativecommons.com/cc-by-2.9"), None);
}

#[test]
fn first_stated_takes_the_first_field_that_names_a_licence() {
    let found = License::first_stated([
        "© 2024 Jane Smith",
        "Free to use under CC BY-SA 3.0 with credit",
        "https://creativecommons.org/licenses/by/4.0/",
    ]);
    assert_eq!(found.map(|l| l.id()), Some("CC-BY-SA-3.0".to_string()));
    assert_eq!(License::first_stated(["All rights reserved", ""]), None);
}
