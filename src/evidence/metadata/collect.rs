//! Gathers candidate values from every block a file carries and picks one per field.
//!
//! Files often say the same thing in EXIF, XMP and IPTC (and sometimes disagree).
//! Each reader offers values with a rank; the lowest rank wins, the first offer
//! wins a tie. XMP ranks first because it is Unicode and what editors update;
//! EXIF next; IPTC IIM (legacy, often Latin-1) last.

use std::collections::BTreeMap;

use crate::model::Metadata;

/// Rank of a value by the block it came from. Lower wins.
pub mod rank {
    pub const XMP: u8 = 10;
    pub const EXIF: u8 = 20;
    pub const IPTC: u8 = 30;
    /// Secondary spellings (XPAuthor, PLUS image creator, PNG text, Photoshop URL).
    pub const FALLBACK: u8 = 40;
}

/// The text fields of [`Metadata`] a reader can offer a value for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Creator,
    Copyright,
    Credit,
    Source,
    UsageTerms,
    WebStatement,
    LicenseUrl,
    AttributionName,
    AttributionUrl,
    Licensor,
    CopyrightOwner,
    ModelRelease,
    PropertyRelease,
    MinorModelAge,
    DigitalSourceType,
    Description,
    Title,
    CameraMake,
    CameraModel,
    DateTaken,
}

impl Field {
    /// The `Metadata` field name, as used in `Metadata::sources`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Creator => "creator",
            Field::Copyright => "copyright",
            Field::Credit => "credit",
            Field::Source => "source",
            Field::UsageTerms => "usage_terms",
            Field::WebStatement => "web_statement",
            Field::LicenseUrl => "license_url",
            Field::AttributionName => "attribution_name",
            Field::AttributionUrl => "attribution_url",
            Field::Licensor => "licensor",
            Field::CopyrightOwner => "copyright_owner",
            Field::ModelRelease => "model_release",
            Field::PropertyRelease => "property_release",
            Field::MinorModelAge => "minor_model_age",
            Field::DigitalSourceType => "digital_source_type",
            Field::Description => "description",
            Field::Title => "title",
            Field::CameraMake => "camera_make",
            Field::CameraModel => "camera_model",
            Field::DateTaken => "date_taken",
        }
    }
}

/// The list fields of [`Metadata`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListField {
    ModelReleaseIds,
    PropertyReleaseIds,
    PersonsShown,
}

impl ListField {
    fn name(self) -> &'static str {
        match self {
            ListField::ModelReleaseIds => "model_release_ids",
            ListField::PropertyReleaseIds => "property_release_ids",
            ListField::PersonsShown => "persons_shown",
        }
    }
}

#[derive(Debug)]
struct Candidate {
    rank: u8,
    value: String,
    source: String,
}

/// A GPS offer: rank, position when readable, source.
type GpsCandidate = (u8, Option<(f64, f64)>, String);

#[derive(Debug, Default)]
pub struct Collector {
    texts: BTreeMap<Field, Candidate>,
    lists: BTreeMap<ListField, (Vec<String>, String)>,
    marked: Option<(u8, bool, String)>,
    gps: Option<GpsCandidate>,
    pub warnings: Vec<String>,
}

impl Collector {
    /// Offer a value; blank values are ignored (empty is absent), and UTF-8 that
    /// was double-encoded on the way (in any block) is repaired.
    pub fn offer(&mut self, field: Field, value: &str, source: &str, rank: u8) {
        let Some(value) = super::text::clean(&super::text::repair_mojibake(value)) else {
            return;
        };
        match self.texts.get(&field) {
            Some(existing) if existing.rank <= rank => {}
            _ => {
                self.texts.insert(
                    field,
                    Candidate {
                        rank,
                        value,
                        source: source.to_string(),
                    },
                );
            }
        }
    }

    /// Add list items; items from every source are kept, duplicates dropped.
    pub fn extend(&mut self, field: ListField, items: &[String], source: &str) {
        let entry = self
            .lists
            .entry(field)
            .or_insert_with(|| (Vec::new(), source.to_string()));
        for item in items {
            if let Some(item) = super::text::clean(&super::text::repair_mojibake(item))
                && !entry.0.contains(&item)
            {
                entry.0.push(item);
            }
        }
    }

    pub fn offer_marked(&mut self, marked: bool, source: &str, rank: u8) {
        if self.marked.as_ref().is_none_or(|m| m.0 > rank) {
            self.marked = Some((rank, marked, source.to_string()));
        }
    }

    /// GPS coordinates are present; `position` when they could be read as numbers.
    pub fn offer_gps(&mut self, position: Option<(f64, f64)>, source: &str, rank: u8) {
        let position = position.filter(|(lat, lon)| {
            lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0
        });
        let better = match &self.gps {
            None => true,
            // A readable position beats an unreadable one, then rank decides.
            Some((r, p, _)) => {
                (p.is_none() && position.is_some()) || (*r > rank && position.is_some())
            }
        };
        if better {
            self.gps = Some((rank, position, source.to_string()));
        }
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }

    /// Without `cc:license`, take a licence URL written inside the rights texts
    /// (`usage terms: https://creativecommons.org/licenses/by/4.0/`), as written.
    fn license_url_from_text(&mut self) {
        if self.texts.contains_key(&Field::LicenseUrl) {
            return;
        }
        for field in [Field::UsageTerms, Field::WebStatement, Field::Copyright] {
            let Some(candidate) = self.texts.get(&field) else {
                continue;
            };
            if let Some(url) = find_license_url(&candidate.value) {
                let source = format!("{} (URL in {})", candidate.source, field.name());
                self.offer(Field::LicenseUrl, &url, &source, rank::FALLBACK);
                return;
            }
        }
    }

    /// Build the [`Metadata`], recording where every field came from.
    pub fn finish(mut self) -> Metadata {
        self.license_url_from_text();
        let mut m = Metadata::default();
        for (field, c) in self.texts {
            m.sources.insert(field.name().to_string(), c.source);
            let slot = match field {
                Field::Creator => &mut m.creator,
                Field::Copyright => &mut m.copyright,
                Field::Credit => &mut m.credit,
                Field::Source => &mut m.source,
                Field::UsageTerms => &mut m.usage_terms,
                Field::WebStatement => &mut m.web_statement,
                Field::LicenseUrl => &mut m.license_url,
                Field::AttributionName => &mut m.attribution_name,
                Field::AttributionUrl => &mut m.attribution_url,
                Field::Licensor => &mut m.licensor,
                Field::CopyrightOwner => &mut m.copyright_owner,
                Field::ModelRelease => &mut m.model_release,
                Field::PropertyRelease => &mut m.property_release,
                Field::MinorModelAge => &mut m.minor_model_age,
                Field::DigitalSourceType => &mut m.digital_source_type,
                Field::Description => &mut m.description,
                Field::Title => &mut m.title,
                Field::CameraMake => &mut m.camera_make,
                Field::CameraModel => &mut m.camera_model,
                Field::DateTaken => &mut m.date_taken,
            };
            *slot = Some(c.value);
        }
        for (field, (items, source)) in self.lists {
            if items.is_empty() {
                continue;
            }
            m.sources.insert(field.name().to_string(), source);
            match field {
                ListField::ModelReleaseIds => m.model_release_ids = items,
                ListField::PropertyReleaseIds => m.property_release_ids = items,
                ListField::PersonsShown => m.persons_shown = items,
            }
        }
        if let Some((_, marked, source)) = self.marked {
            m.marked = Some(marked);
            m.sources.insert("marked".into(), source);
        }
        if let Some((_, position, source)) = self.gps {
            m.gps = true;
            m.gps_position = position;
            m.sources.insert("gps".into(), source);
        }
        m.ai_generated = m
            .digital_source_type
            .as_deref()
            .is_some_and(super::vocab::is_ai_source_type);
        m.warnings = self.warnings;
        m
    }
}

/// Hosts whose URLs name a licence rather than a web page about the image.
const LICENSE_URL_MARKERS: [&str; 4] = [
    "creativecommons.org/licenses/",
    "creativecommons.org/publicdomain/",
    "web.resource.org/cc/",
    "gnu.org/licenses/",
];

/// The first licence URL in free text, exactly as written (scheme optional).
pub fn find_license_url(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let (at, _) = LICENSE_URL_MARKERS
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (at, m)))
        .min()?;
    // Walk back over the scheme and host (`https://www.`).
    let start = lower[..at]
        .rfind(|c: char| c.is_whitespace() || "\"'<>()[],;".contains(c))
        .map_or(0, |i| i + 1);
    let end = text[at..]
        .find(|c: char| c.is_whitespace() || "\"'<>()[],;".contains(c))
        .map_or(text.len(), |i| at + i);
    let url = text[start..end].trim_end_matches(['.', ':']);
    (!url.is_empty()).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_url_found_in_rights_text() {
        assert_eq!(
            find_license_url(
                "Licensed CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/de/deed.de)."
            ),
            Some("https://creativecommons.org/licenses/by-sa/3.0/de/deed.de".into())
        );
        assert_eq!(
            find_license_url("see creativecommons.org/publicdomain/zero/1.0."),
            Some("creativecommons.org/publicdomain/zero/1.0".into())
        );
        assert_eq!(find_license_url("https://example.org/rights"), None);
    }

    #[test]
    fn license_url_prefers_cc_license_then_usage_terms() {
        let mut c = Collector::default();
        c.offer(
            Field::Copyright,
            "(c) Anna, https://creativecommons.org/licenses/by/2.0/",
            "EXIF:Copyright",
            rank::EXIF,
        );
        c.offer(
            Field::UsageTerms,
            "CC BY 4.0 https://creativecommons.org/licenses/by/4.0/",
            "XMP-xmpRights:UsageTerms",
            rank::XMP,
        );
        let m = c.finish();
        assert_eq!(
            m.license_url.as_deref(),
            Some("https://creativecommons.org/licenses/by/4.0/")
        );
        assert_eq!(
            m.sources["license_url"],
            "XMP-xmpRights:UsageTerms (URL in usage_terms)"
        );

        let mut c = Collector::default();
        c.offer(
            Field::LicenseUrl,
            "https://creativecommons.org/licenses/by-nd/4.0/",
            "XMP-cc:license",
            rank::XMP,
        );
        c.offer(
            Field::UsageTerms,
            "https://creativecommons.org/licenses/by/4.0/",
            "XMP-xmpRights:UsageTerms",
            rank::XMP,
        );
        assert_eq!(
            c.finish().license_url.as_deref(),
            Some("https://creativecommons.org/licenses/by-nd/4.0/")
        );
    }

    #[test]
    fn blank_values_are_absent_and_first_of_equal_rank_wins() {
        let mut c = Collector::default();
        c.offer(Field::Creator, "  ", "EXIF:Artist", rank::EXIF);
        c.offer(Field::Credit, "First", "a", rank::XMP);
        c.offer(Field::Credit, "Second", "b", rank::XMP);
        let m = c.finish();
        assert_eq!(m.creator, None);
        assert_eq!(m.credit.as_deref(), Some("First"));
    }
}
