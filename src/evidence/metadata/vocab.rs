//! Controlled vocabularies: PLUS release and age codes, IPTC digital source types.

/// The code at the end of a vocabulary URI (`http://ns.useplus.org/ldf/vocab/MR-NAP` → `MR-NAP`).
fn code(value: &str) -> &str {
    let v = value.trim().trim_end_matches('/');
    v.rsplit(['/', '#']).next().unwrap_or(v)
}

/// A PLUS model-release status as its name (`MR-UMR` → `Unlimited Model Releases`);
/// unknown codes are kept as written.
pub fn model_release_name(value: &str) -> String {
    match code(value).to_ascii_uppercase().as_str() {
        "MR-NON" => "None".into(),
        "MR-NAP" => "Not Applicable".into(),
        "MR-UMR" => "Unlimited Model Releases".into(),
        "MR-LMR" => "Limited or Incomplete Model Releases".into(),
        _ => value.trim().to_string(),
    }
}

/// A PLUS property-release status as its name. PLUS documents `PR-UPR`/`PR-LPR`,
/// but writers copy the model-release spelling (`PR-UMR`/`PR-LMR`); both mean the same.
pub fn property_release_name(value: &str) -> String {
    match code(value).to_ascii_uppercase().as_str() {
        "PR-NON" => "None".into(),
        "PR-NAP" => "Not Applicable".into(),
        "PR-UPR" | "PR-UMR" => "Unlimited Property Releases".into(),
        "PR-LPR" | "PR-LMR" => "Limited or Incomplete Property Releases".into(),
        _ => value.trim().to_string(),
    }
}

/// A PLUS minor-model-age disclosure as its name (`AG-U14` → `Age 14 or Under`).
pub fn minor_model_age_name(value: &str) -> String {
    let c = code(value).to_ascii_uppercase();
    match c.as_str() {
        "AG-UNK" => "Age Unknown".into(),
        "AG-A25" => "Age 25 or Over".into(),
        "AG-U14" => "Age 14 or Under".into(),
        _ => match c.strip_prefix("AG-A").and_then(|n| n.parse::<u8>().ok()) {
            Some(age @ 15..=24) => format!("Age {age}"),
            _ => value.trim().to_string(),
        },
    }
}

/// True for IPTC digital source types that mean the image was made by an
/// algorithm (generative AI or other synthetic media), in http or https form.
pub fn is_ai_source_type(value: &str) -> bool {
    matches!(
        code(value),
        "trainedAlgorithmicMedia"
            | "compositeWithTrainedAlgorithmicMedia"
            | "algorithmicMedia"
            | "compositeSynthetic"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_codes_read_as_names() {
        assert_eq!(
            model_release_name("http://ns.useplus.org/ldf/vocab/MR-NAP"),
            "Not Applicable"
        );
        assert_eq!(
            property_release_name("http://ns.useplus.org/ldf/vocab/PR-UMR"),
            "Unlimited Property Releases"
        );
        assert_eq!(
            property_release_name("PR-UPR"),
            "Unlimited Property Releases"
        );
        assert_eq!(minor_model_age_name("AG-A17"), "Age 17");
        assert_eq!(minor_model_age_name("AG-U14"), "Age 14 or Under");
        assert_eq!(model_release_name("signed by parent"), "signed by parent");
    }

    #[test]
    fn ai_source_types_are_flagged_in_both_url_forms() {
        assert!(is_ai_source_type(
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        ));
        assert!(is_ai_source_type(
            "https://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
        ));
        assert!(!is_ai_source_type(
            "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
        ));
    }
}
