//! Ready-to-paste fixes: ledger stubs pre-filled from what the image tells.

use crate::model::{Asset, Evidence, ImageKey, ImageUse};

/// A TOML string literal (basic string, escaped).
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A stable asset id from the image's file name: `images/Team Photo-300x200.jpg` → `team-photo-300x200`.
pub fn asset_id_for(key: &ImageKey) -> String {
    if let ImageKey::Embedded(label) = key {
        // No file name: the start of its bytes' SHA-256.
        let sha = label.rsplit_once("sha256=").map_or("", |(_, sha)| sha);
        return format!("embedded-{}", &sha[..sha.len().min(12)]);
    }
    let name = key.file_name();
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "asset".to_string()
    } else {
        id
    }
}

/// An `[[asset]]` stub for an image the ledger does not cover.
pub fn asset_stub(key: &ImageKey, evidence: &Evidence, uses: &[ImageUse]) -> String {
    let meta = &evidence.metadata;
    let mut s = String::from("[[asset]]\n");
    s.push_str(&format!("id = {}\n", toml_str(&asset_id_for(key))));
    // An embedded image has no file: its `sha256` names it.
    if !matches!(key, ImageKey::Embedded { .. }) {
        s.push_str(&format!("files = [{}]\n", toml_str(&key.site_path())));
    }
    if let Some(sha) = &evidence.sha256 {
        s.push_str(&format!("sha256 = [{}]\n", toml_str(sha)));
    }
    if let Some(ph) = &evidence.phash {
        s.push_str(&format!("phash = [{}]\n", toml_str(ph)));
    }
    let title = meta
        .title
        .clone()
        .or_else(|| {
            uses.iter()
                .find_map(|u| u.caption.clone().or_else(|| u.alt.clone()))
        })
        .filter(|t| !t.is_empty());
    if let Some(t) = title {
        s.push_str(&format!("title = {}\n", toml_str(&t)));
    }
    let licensed = meta.license.is_some();
    match &meta.license {
        Some(license) => {
            s.push_str("source = \"licensed\"                  # or \"public-domain\"\n");
            s.push_str(&format!("license = {}\n", toml_str(license)));
        }
        None => s.push_str("source = \"own\"                       # own | permission | licensed | public-domain\n"),
    }
    if let Some(creator) = meta.creator.as_ref().or(meta.attribution_name.as_ref()) {
        s.push_str(&format!("author = {}\n", toml_str(creator)));
    }
    if let Some(url) = &meta.attribution_url {
        s.push_str(&format!("source_url = {}\n", toml_str(url)));
    }
    // Left commented: a stub pasted unread must not claim permissions or an
    // empty photo. Licensed works need no photographer at all.
    if !licensed {
        s.push_str("# photographer = \"<id>\"             # the [[photographer]] who made it (own / permission works)\n");
    }
    if meta.persons_shown.is_empty() {
        s.push_str("# people = []                         # after looking: ids of everyone recognizable, [] if nobody\n");
    } else {
        s.push_str(&format!(
            "# people = []                         # after looking: ids of {} (named in its metadata)\n",
            meta.persons_shown.join(", ")
        ));
    }
    s
}

/// A `[[photographer]]` stub for an asset that names none.
pub fn photographer_stub(asset: &Asset) -> String {
    format!(
        "[[photographer]]\nid = \"\"                # then set photographer = \"<id>\" on asset {}\nname = \"\"\nkind = \"staff\"          # staff | student | parent | contractor | external\npermission = \"granted\"\nscope = [\"web\", \"blog\"]\nsigned = 2026-01-01\ndocument = \"releases/...\"\n",
        toml_str(&asset.id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_is_valid_toml_and_prefilled() {
        let key = ImageKey::Local("images/Team Photo-300x200.jpg".into());
        let mut ev = Evidence {
            sha256: Some("ab".repeat(32)),
            ..Default::default()
        };
        ev.metadata.creator = Some("Jane \"JJ\" Smith".into());
        let stub = asset_stub(&key, &ev, &[]);
        let parsed: toml::Table = toml::from_str(&stub).unwrap();
        let asset = &parsed["asset"].as_array().unwrap()[0];
        assert_eq!(asset["id"].as_str(), Some("team-photo-300x200"));
        assert_eq!(asset["author"].as_str(), Some("Jane \"JJ\" Smith"));
        assert_eq!(
            asset["files"][0].as_str(),
            Some("images/Team Photo-300x200.jpg")
        );
    }

    #[test]
    fn an_embedded_image_is_stubbed_by_its_sha256_without_files() {
        let sha = "0123456789ab".repeat(5) + "cdef";
        let key = ImageKey::Embedded(format!("data:image/png;sha256={sha}"));
        let ev = Evidence {
            sha256: Some(sha.clone()),
            ..Default::default()
        };
        let parsed: toml::Table = toml::from_str(&asset_stub(&key, &ev, &[])).unwrap();
        let asset = &parsed["asset"].as_array().unwrap()[0];
        assert_eq!(asset["id"].as_str(), Some("embedded-0123456789ab"));
        assert_eq!(asset["sha256"][0].as_str(), Some(sha.as_str()));
        assert!(asset.get("files").is_none());
    }
}
