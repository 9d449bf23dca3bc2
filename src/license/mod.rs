//! Licences: Creative Commons URLs, SPDX ids and free text, read into one type
//! with the obligations each licence puts on a publisher.
//!
//! Everything a site is likely to write is accepted: deed and legal-code URLs of
//! every CC licence and version (ports, `deed.xx`, button images), SPDX ids, and
//! the names people type ("CC BY-SA 3.0 de", "Creative Commons Attribution 4.0
//! International", "Public Domain"). A string that names no licence, or names
//! something that does not exist (`CC BY 2.9`, `/by/4.0/de/`), parses to `None`
//! so the policy can report it instead of guessing.
//!
//! No crate reads CC licence names (the `spdx` crate knows SPDX expressions, not
//! URLs, deed names or the ports SPDX does not list), so the grammar is ours.

mod text;
mod url_form;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Name-matching helpers shared with the rules (case, accents and punctuation ignored).
pub use text::{fold, words};

/// What a licence asks of whoever publishes the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Obligations {
    pub attribution: bool,
    pub share_alike: bool,
    pub no_derivatives: bool,
    pub non_commercial: bool,
}

/// "credit the author, share alike", for rights cards and messages.
impl fmt::Display for Obligations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = [
            (self.attribution, "credit the author"),
            (self.share_alike, "share adaptations alike"),
            (self.no_derivatives, "no adaptations"),
            (self.non_commercial, "no commercial use"),
        ]
        .into_iter()
        .filter_map(|(on, text)| on.then_some(text))
        .collect();
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A Creative Commons licence version. Only versions CC published exist here,
/// so `CC BY 2.9` is not a licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    V1_0,
    V2_0,
    V2_1,
    V2_5,
    V3_0,
    V4_0,
}

impl Version {
    pub const ALL: [Version; 6] = [
        Version::V1_0,
        Version::V2_0,
        Version::V2_1,
        Version::V2_5,
        Version::V3_0,
        Version::V4_0,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0",
            Version::V2_0 => "2.0",
            Version::V2_1 => "2.1",
            Version::V2_5 => "2.5",
            Version::V3_0 => "3.0",
            Version::V4_0 => "4.0",
        }
    }

    pub fn parse(s: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The licence elements a CC licence is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Elements {
    /// Attribution (BY).
    pub by: bool,
    /// NonCommercial (NC).
    pub nc: bool,
    /// NoDerivatives (ND).
    pub nd: bool,
    /// ShareAlike (SA).
    pub sa: bool,
}

impl Elements {
    pub const BY: Elements = Elements::new(true, false, false, false);
    pub const BY_SA: Elements = Elements::new(true, false, false, true);
    pub const BY_ND: Elements = Elements::new(true, false, true, false);
    pub const BY_NC: Elements = Elements::new(true, true, false, false);
    pub const BY_NC_SA: Elements = Elements::new(true, true, false, true);
    pub const BY_NC_ND: Elements = Elements::new(true, true, true, false);
    /// The licences without attribution, retired after 2.0.
    pub const SA: Elements = Elements::new(false, false, false, true);
    pub const ND: Elements = Elements::new(false, false, true, false);
    pub const NC: Elements = Elements::new(false, true, false, false);
    pub const NC_SA: Elements = Elements::new(false, true, false, true);
    pub const NC_ND: Elements = Elements::new(false, true, true, false);

    pub const fn new(by: bool, nc: bool, nd: bool, sa: bool) -> Elements {
        Elements { by, nc, nd, sa }
    }

    /// ShareAlike and NoDerivatives exclude each other, and a licence needs one element.
    fn is_valid(self) -> bool {
        !(self.nd && self.sa) && (self.by || self.nc || self.nd || self.sa)
    }
}

/// What kind of legal tool a licence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A CC licence built from elements (BY, BY-SA, ..., and the retired SA, ND, NC, NC-SA, ND-NC).
    Cc(Elements),
    /// Retired Sampling 1.0: attribution; copying the whole work is not allowed.
    Sampling,
    /// Retired Sampling Plus 1.0.
    SamplingPlus,
    /// Retired NonCommercial Sampling Plus 1.0.
    NcSamplingPlus,
    /// Retired Developing Nations 2.0.
    DevelopingNations,
    /// CC0 1.0 Universal public domain dedication.
    Cc0,
    /// Public Domain Mark 1.0: a label, not a licence.
    PublicDomainMark,
    /// Retired Public Domain Dedication and Certification (`/licenses/publicdomain/`).
    PublicDomainCertification,
    /// A plain "public domain" statement without a CC tool.
    PublicDomain,
}

/// Why a licence string was not accepted: what `license-terms` reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenseError {
    #[error(
        "`{0}` is not a licence clearance recognises (expected a Creative Commons URL, an SPDX id such as CC-BY-4.0, or a name such as \"CC BY-SA 3.0\")"
    )]
    Unknown(String),
    #[error("`{text}` names licences that disagree ({}); keep only the one that applies", names(.licenses))]
    Ambiguous {
        text: String,
        licenses: Vec<License>,
    },
}

fn names(licenses: &[License]) -> String {
    licenses
        .iter()
        .map(License::short_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A recognised licence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct License {
    kind: Kind,
    version: Option<Version>,
    /// Lower-case port code (`de`, `scotland`, `igo`); `None` for unported/international.
    jurisdiction: Option<String>,
}

const CC: &str = "https://creativecommons.org/";

impl License {
    /// Build a licence, refusing combinations CC never published (ND with SA, a
    /// port of a 4.0 licence, BY-less licences after 2.0, CC0 2.0, ...).
    ///
    /// `version: None` is a licence named without its version ("CC BY-SA"):
    /// obligations are known, the deed is not.
    pub fn new(
        kind: Kind,
        version: Option<Version>,
        jurisdiction: Option<&str>,
    ) -> Option<License> {
        let jurisdiction = jurisdiction
            .map(|j| j.trim().to_ascii_lowercase())
            .filter(|j| !j.is_empty());
        if let Some(j) = &jurisdiction {
            if !url_form::is_port_code(j) {
                return None;
            }
        }
        let ported = jurisdiction.is_some();
        let (version, jurisdiction) = match kind {
            Kind::Cc(e) => {
                if !e.is_valid() {
                    return None;
                }
                if !e.by && matches!(version, Some(v) if v > Version::V2_0) {
                    return None;
                }
                if ported && !matches!(version, Some(v) if v < Version::V4_0) {
                    return None;
                }
                (version, jurisdiction)
            }
            Kind::Sampling | Kind::SamplingPlus | Kind::NcSamplingPlus => {
                if !matches!(version, None | Some(Version::V1_0)) || (ported && version.is_none()) {
                    return None;
                }
                (version, jurisdiction)
            }
            Kind::DevelopingNations => {
                if !matches!(version, None | Some(Version::V2_0)) || ported {
                    return None;
                }
                (version, None)
            }
            Kind::Cc0 | Kind::PublicDomainMark => {
                // Only 1.0 exists, so a bare "CC0" means 1.0.
                if !matches!(version, None | Some(Version::V1_0)) || ported {
                    return None;
                }
                (Some(Version::V1_0), None)
            }
            // Unversioned tools; the certification's `/1.0/us/` URL names the same tool.
            Kind::PublicDomainCertification | Kind::PublicDomain => (None, None),
        };
        Some(License {
            kind,
            version,
            jurisdiction,
        })
    }

    /// A CC licence from its elements, e.g. `License::cc(Elements::BY_SA, Version::V3_0, Some("de"))`.
    pub fn cc(elements: Elements, version: Version, jurisdiction: Option<&str>) -> Option<License> {
        License::new(Kind::Cc(elements), Some(version), jurisdiction)
    }

    /// Parse a licence URL, SPDX id or common free-text name.
    ///
    /// Accepts a string that names exactly one licence (repeats, such as a name
    /// followed by its URL, count once). `None` for anything else, so an unknown
    /// or ambiguous string can be reported.
    pub fn parse(text: &str) -> Option<License> {
        License::read(text).ok()
    }

    /// Like [`License::parse`], saying why a string was refused: it names no
    /// licence, or several that disagree ("CC BY 4.0, see …/by-nc/4.0/").
    pub fn read(text: &str) -> Result<License, LicenseError> {
        // Wikimedia's extmetadata `License` field uses `pd`; too short to look for inside text.
        if fold(text.trim()) == "pd" {
            return Ok(License {
                kind: Kind::PublicDomain,
                version: None,
                jurisdiction: None,
            });
        }
        let mut all = License::find_all(text);
        match all.len() {
            0 => Err(LicenseError::Unknown(text.to_string())),
            1 => Ok(all.remove(0)),
            _ => Err(LicenseError::Ambiguous {
                text: text.to_string(),
                licenses: all,
            }),
        }
    }

    /// The licence the first of `texts` to state one states: each text read
    /// whole as a licence, else searched for a licence inside it. How embedded
    /// metadata fields (licence URL, usage terms, web statement, copyright) are read.
    pub fn first_stated<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<License> {
        texts.into_iter().find_map(|text| {
            License::parse(text).or_else(|| License::find_all(text).into_iter().next())
        })
    }

    /// Every licence named or linked inside free text (an XMP rights statement, a
    /// caption), in order of first mention, each once. A name and a URL for the
    /// same licence count once, keeping the more specific ("CC BY-SA" + the
    /// `/by-sa/3.0/de/` URL gives CC BY-SA 3.0 DE).
    pub fn find_all(text: &str) -> Vec<License> {
        let (mut mentions, blanked) = url_form::split_urls(text);
        mentions.extend(text::scan_names(&blanked));
        mentions.sort_by_key(|(pos, _)| *pos);

        let mut found: Vec<License> = Vec::new();
        for (_, lic) in mentions {
            if found.iter().any(|f| f.refines(&lic)) {
                continue;
            }
            if let Some(slot) = found.iter_mut().find(|f| lic.refines(f)) {
                *slot = lic;
                continue;
            }
            found.push(lic);
        }
        found
    }

    /// Licences named by CC URLs written out in text, ignoring names: a URL a
    /// reader can follow stands in for a link.
    pub fn find_urls(text: &str) -> Vec<License> {
        url_form::split_urls(text)
            .0
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    /// True when the two say nothing contradictory about the tool: one refines the other.
    pub fn agrees_with(&self, other: &License) -> bool {
        self.refines(other) || other.refines(self)
    }

    /// When a link's visible text names a licence other than the one its `href`
    /// points to ("CC BY 4.0" linking to `/by-nc/4.0/`), says how. `None` when
    /// they agree, when the text names no licence, or when the URL is not a
    /// licence URL (a plain credit link contradicts nothing).
    pub fn contradiction(label: &str, url: &str) -> Option<String> {
        let linked = url_form::parse_url(url.trim())?;
        let named = License::find_all(label);
        if named.is_empty() || named.iter().any(|n| linked.refines(n)) {
            return None;
        }
        let names: Vec<String> = named.iter().map(License::short_name).collect();
        Some(format!(
            "the text says {} but the link goes to {} ({})",
            names.join(" / "),
            linked.short_name(),
            url.trim()
        ))
    }

    /// True when `self` says everything `other` says, and maybe more: same
    /// tool, and `other`'s version and port are either unstated or the same.
    /// A plain "public domain" is refined by CC0, the Mark and the certification.
    pub fn refines(&self, other: &License) -> bool {
        if other.kind == Kind::PublicDomain && self.is_public_domain() {
            return true;
        }
        self.kind == other.kind
            && (other.version.is_none() || self.version == other.version)
            && (other.jurisdiction.is_none() || self.jurisdiction == other.jurisdiction)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The port's lower-case code (`de`, `scotland`, `igo`), `None` when unported.
    pub fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// The SPDX id where SPDX has one, built the same way where it has not
    /// (`CC-BY-SA-3.0-DE`, `CC-BY-NC-ND-1.0`, `CC0-1.0`, `CC-PDDC`); `PDM-1.0` for
    /// the Public Domain Mark, `public-domain` for a plain statement, and
    /// `CC-BY-SA` for a licence named without its version.
    pub fn id(&self) -> String {
        let mut id = match self.kind {
            Kind::Cc(e) => {
                let mut s = String::from("CC");
                for (on, name) in [(e.by, "BY"), (e.nc, "NC"), (e.nd, "ND"), (e.sa, "SA")] {
                    if on {
                        s.push('-');
                        s.push_str(name);
                    }
                }
                s
            }
            Kind::Sampling => "CC-SAMPLING".into(),
            Kind::SamplingPlus => "CC-SAMPLING-PLUS".into(),
            Kind::NcSamplingPlus => "CC-NC-SAMPLING-PLUS".into(),
            Kind::DevelopingNations => "CC-DEVNATIONS".into(),
            Kind::Cc0 => "CC0".into(),
            Kind::PublicDomainMark => "PDM".into(),
            Kind::PublicDomainCertification => return "CC-PDDC".into(),
            Kind::PublicDomain => return "public-domain".into(),
        };
        if let Some(v) = self.version {
            id.push('-');
            id.push_str(v.as_str());
        }
        if let Some(j) = &self.jurisdiction {
            id.push('-');
            id.push_str(&j.to_ascii_uppercase());
        }
        id
    }

    /// The short name CC uses in attributions: `CC BY-SA 3.0 DE`, `CC0 1.0`,
    /// `Public Domain Mark 1.0`.
    pub fn short_name(&self) -> String {
        let mut name = match self.kind {
            Kind::Cc(_) => format!("CC {}", self.slug().to_ascii_uppercase()),
            Kind::Sampling => "CC Sampling".into(),
            Kind::SamplingPlus => "CC Sampling+".into(),
            Kind::NcSamplingPlus => "CC NC-Sampling+".into(),
            Kind::DevelopingNations => "CC Developing Nations".into(),
            Kind::Cc0 => "CC0".into(),
            Kind::PublicDomainMark => "Public Domain Mark".into(),
            Kind::PublicDomainCertification => "Public Domain Certification".into(),
            Kind::PublicDomain => "Public Domain".into(),
        };
        if let Some(v) = self.version {
            name.push(' ');
            name.push_str(v.as_str());
        }
        if let Some(j) = &self.jurisdiction {
            name.push(' ');
            name.push_str(&j.to_ascii_uppercase());
        }
        name
    }

    /// The URL path segment CC uses for this tool (`by-sa`, `by-nd-nc` for 1.0).
    fn slug(&self) -> String {
        match self.kind {
            Kind::Cc(e) => {
                let mut parts = Vec::with_capacity(3);
                if e.by {
                    parts.push("by");
                }
                // CC spelled NC+ND as `nd-nc` in 1.0 and in the BY-less licences.
                if e.nc && e.nd && (!e.by || self.version == Some(Version::V1_0)) {
                    parts.extend(["nd", "nc"]);
                } else {
                    if e.nc {
                        parts.push("nc");
                    }
                    if e.nd {
                        parts.push("nd");
                    }
                }
                if e.sa {
                    parts.push("sa");
                }
                parts.join("-")
            }
            Kind::Sampling => "sampling".into(),
            Kind::SamplingPlus => "sampling+".into(),
            Kind::NcSamplingPlus => "nc-sampling+".into(),
            Kind::DevelopingNations => "devnations".into(),
            Kind::Cc0 => "zero".into(),
            Kind::PublicDomainMark => "mark".into(),
            Kind::PublicDomainCertification => "publicdomain".into(),
            Kind::PublicDomain => String::new(),
        }
    }

    /// The canonical deed URL (`https://creativecommons.org/licenses/by-sa/3.0/de/`).
    /// `None` for a plain public-domain statement and for a licence named without its version.
    pub fn deed_url(&self) -> Option<String> {
        match self.kind {
            Kind::PublicDomain => None,
            Kind::PublicDomainCertification => Some(format!("{CC}licenses/publicdomain/")),
            Kind::Cc0 | Kind::PublicDomainMark => {
                Some(format!("{CC}publicdomain/{}/1.0/", self.slug()))
            }
            _ => {
                let v = self.version?;
                let mut url = format!("{CC}licenses/{}/{}/", self.slug(), v.as_str());
                if let Some(j) = &self.jurisdiction {
                    url.push_str(j);
                    url.push('/');
                }
                Some(url)
            }
        }
    }

    pub fn obligations(&self) -> Obligations {
        match self.kind {
            Kind::Cc(e) => Obligations {
                attribution: e.by,
                share_alike: e.sa,
                no_derivatives: e.nd,
                non_commercial: e.nc,
            },
            Kind::Sampling | Kind::SamplingPlus | Kind::DevelopingNations => Obligations {
                attribution: true,
                ..Obligations::default()
            },
            Kind::NcSamplingPlus => Obligations {
                attribution: true,
                non_commercial: true,
                ..Obligations::default()
            },
            Kind::Cc0
            | Kind::PublicDomainMark
            | Kind::PublicDomainCertification
            | Kind::PublicDomain => Obligations::default(),
        }
    }

    /// CC0, the Public Domain Mark, the old certification, or a plain statement.
    pub fn is_public_domain(&self) -> bool {
        matches!(
            self.kind,
            Kind::Cc0
                | Kind::PublicDomainMark
                | Kind::PublicDomainCertification
                | Kind::PublicDomain
        )
    }

    /// Whether a credit must name the work's title (when the licensor supplied one).
    /// CC 1.0–3.0 ask for it; 4.0 dropped it. A licence named without its version
    /// is treated as asking for it, since it may be an older one.
    pub fn requires_title(&self) -> bool {
        self.obligations().attribution && !matches!(self.version, Some(Version::V4_0))
    }

    /// CC no longer offers this tool (the BY-less licences, Sampling, Developing
    /// Nations, the PD certification). Works under it stay licensed, but the
    /// Sampling licences do not allow copying a whole work.
    pub fn is_retired(&self) -> bool {
        match self.kind {
            Kind::Cc(e) => !e.by,
            Kind::Sampling
            | Kind::SamplingPlus
            | Kind::NcSamplingPlus
            | Kind::DevelopingNations
            | Kind::PublicDomainCertification => true,
            Kind::Cc0 | Kind::PublicDomainMark | Kind::PublicDomain => false,
        }
    }
}

impl fmt::Display for License {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short_name())
    }
}

impl FromStr for License {
    type Err = LicenseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        License::read(s)
    }
}

/// Serialised as its id, so reports and ledgers carry `CC-BY-SA-4.0`.
impl Serialize for License {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id())
    }
}

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
