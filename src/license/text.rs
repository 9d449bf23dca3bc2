//! Licence names in free text: "CC BY-SA 3.0 de", "CC-BY-4.0",
//! "Creative Commons Attribution-ShareAlike 3.0 Unported", "Public Domain", ...
//!
//! The text is cut into folded words (case, accents and punctuation dropped,
//! version numbers kept whole), then a small grammar is matched at each word:
//!
//! ```text
//! [creative commons | cc] element+ [licence] [version [port]]
//! ```
//!
//! Short elements (`by`, `sa`, `nc`, `nd`) count after a `cc` prefix, or without
//! it as a run of two or more ("by-sa 3.0"); a name without the prefix needs a
//! version. So "Photo by Jane", "scaled by 2.0" or "Attribution: Jane" never
//! read as licences.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Elements, Kind, License, Version};

/// Lower-case, strip accents and fold the letters NFD cannot split, so
/// "Müller", "MULLER" and "Muller" compare equal.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Folded words of a text, split at anything that is not a letter or digit:
/// what a reader compares when matching names.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// One word of the text being scanned.
struct Token<'a> {
    /// Folded form, compared against the grammar.
    word: String,
    /// As written, to see whether an ambiguous port code was written in capitals.
    raw: &'a str,
    /// Byte offset in the text.
    start: usize,
}

/// Words keep `.` between digits (versions) and a trailing `+` (Sampling+).
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let is_word_char = |c: char| c.is_alphanumeric() || c == '.' || c == '+';
    for (i, c) in text.char_indices() {
        match (start, is_word_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                push_token(&mut out, text, s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_token(&mut out, text, s, text.len());
    }
    out
}

fn push_token<'a>(out: &mut Vec<Token<'a>>, text: &'a str, start: usize, end: usize) {
    // Sentence dots around a word are not part of it; a version's inner dot is.
    let raw = &text[start..end];
    let lead = raw.len() - raw.trim_start_matches('.').len();
    let raw = raw.trim_matches('.');
    if raw.is_empty() || raw == "+" {
        return;
    }
    out.push(Token {
        word: fold(raw),
        raw,
        start: start + lead,
    });
}

/// What one or more words mean in a licence name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Term {
    By,
    Nc,
    Nd,
    Sa,
    Sampling,
    SamplingPlus,
    DevNations,
}

/// Element names, longest first where one is a prefix of another. The `bool`
/// marks short forms, which need a `cc` / `creative commons` prefix or a partner.
/// English, German and French deed names.
const TERMS: &[(&[&str], Term, bool)] = &[
    (&["by"], Term::By, true),
    (&["sa"], Term::Sa, true),
    (&["nc"], Term::Nc, true),
    (&["nd"], Term::Nd, true),
    (&["attribution"], Term::By, false),
    (&["namensnennung"], Term::By, false),
    (&["paternite"], Term::By, false),
    (&["sharealike"], Term::Sa, false),
    (&["share", "alike"], Term::Sa, false),
    (
        &["weitergabe", "unter", "gleichen", "bedingungen"],
        Term::Sa,
        false,
    ),
    (
        &["partage", "dans", "les", "memes", "conditions"],
        Term::Sa,
        false,
    ),
    (
        &[
            "partage",
            "des",
            "conditions",
            "initiales",
            "a",
            "l",
            "identique",
        ],
        Term::Sa,
        false,
    ),
    (&["noncommercial"], Term::Nc, false),
    (&["non", "commercial"], Term::Nc, false),
    (&["nicht", "kommerziell"], Term::Nc, false),
    (&["nichtkommerziell"], Term::Nc, false),
    (&["pas", "d", "utilisation", "commerciale"], Term::Nc, false),
    (&["noderivs"], Term::Nd, false),
    (&["noderivatives"], Term::Nd, false),
    (&["no", "derivative", "works"], Term::Nd, false),
    (&["no", "derivatives"], Term::Nd, false),
    (&["no", "derivs"], Term::Nd, false),
    (&["keine", "bearbeitungen"], Term::Nd, false),
    (&["keine", "bearbeitung"], Term::Nd, false),
    (&["pas", "de", "modification"], Term::Nd, false),
    (&["sampling", "plus"], Term::SamplingPlus, false),
    (&["sampling+"], Term::SamplingPlus, false),
    (&["samplingplus"], Term::SamplingPlus, false),
    (&["sampling"], Term::Sampling, false),
    (&["devnations"], Term::DevNations, false),
    (&["developing", "nations"], Term::DevNations, false),
];

/// CC's ports per version, for reading a port code written after a version in
/// text ("CC BY-SA 3.0 de"). URLs accept any two letters; text does not,
/// because "CC BY 3.0 by Jane" must not read `by` as a port.
fn ports(version: Version) -> &'static [&'static str] {
    match version {
        Version::V1_0 => &["de", "fi", "il", "nl", "us"],
        Version::V2_0 => &[
            "at", "au", "be", "br", "ca", "cl", "de", "es", "fr", "hr", "it", "jp", "kr", "nl",
            "pl", "tw", "uk", "za",
        ],
        Version::V2_1 => &["au", "ca", "es", "jp"],
        Version::V2_5 => &[
            "ar", "au", "bg", "br", "ca", "ch", "cn", "co", "dk", "es", "hr", "hu", "il", "in",
            "it", "mk", "mt", "mx", "my", "nl", "pe", "pl", "pt", "scotland", "se", "si", "tw",
            "za",
        ],
        Version::V3_0 => &[
            "am", "at", "au", "az", "br", "ca", "ch", "cl", "cn", "cr", "cz", "de", "ec", "ee",
            "eg", "es", "fr", "ge", "gr", "gt", "hk", "hr", "ie", "igo", "it", "lu", "nl", "no",
            "nz", "ph", "pl", "pr", "pt", "ro", "rs", "sg", "th", "tw", "ug", "us", "ve", "vn",
            "za",
        ],
        Version::V4_0 => &[],
    }
}

/// Port codes that are also common words: read as ports only when written in capitals.
const WORDLIKE_PORTS: &[&str] = &["am", "at", "be", "in", "it", "my", "no", "us"];

/// Port names as deeds title them. An empty code is the unported licence.
const PORT_NAMES: &[(&[&str], &str)] = &[
    (&["unported"], ""),
    (&["generic"], ""),
    (&["international"], ""),
    (&["germany"], "de"),
    (&["deutschland"], "de"),
    (&["austria"], "at"),
    (&["osterreich"], "at"),
    (&["switzerland"], "ch"),
    (&["schweiz"], "ch"),
    (&["france"], "fr"),
    (&["netherlands"], "nl"),
    (&["nederland"], "nl"),
    (&["spain"], "es"),
    (&["espana"], "es"),
    (&["italy"], "it"),
    (&["italia"], "it"),
    (&["united", "states"], "us"),
    (&["england", "and", "wales"], "uk"),
    (&["england", "wales"], "uk"),
    (&["scotland"], "scotland"),
    (&["igo"], "igo"),
    (&["australia"], "au"),
    (&["canada"], "ca"),
    (&["japan"], "jp"),
    (&["poland"], "pl"),
    (&["polska"], "pl"),
    (&["brazil"], "br"),
    (&["brasil"], "br"),
];

struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
}

impl Cursor<'_, '_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.tokens.get(i).map(|t| t.word.as_str())
    }

    /// Length of `phrase` when it starts at `i`.
    fn phrase(&self, i: usize, phrase: &[&str]) -> Option<usize> {
        phrase
            .iter()
            .enumerate()
            .all(|(k, w)| self.word(i + k) == Some(w))
            .then_some(phrase.len())
    }

    /// A word shaped like a version ("2.9", "0.0") that is not a CC version:
    /// the name it follows is not a licence.
    fn is_bad_version(&self, i: usize) -> bool {
        self.word(i).is_some_and(|w| {
            let mut parts = w.split('.');
            let (a, b) = (parts.next(), parts.next());
            parts.next().is_none()
                && a.is_some_and(|a| !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()))
                && b.is_some_and(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()))
                && Version::parse(w).is_none()
        })
    }

    fn version(&self, i: usize) -> Option<Version> {
        self.word(i).and_then(Version::parse)
    }

    /// The port (or "unported") after a version, and how many words it takes.
    fn port(&self, i: usize, version: Version) -> Option<(Option<&'static str>, usize)> {
        for (phrase, code) in PORT_NAMES {
            if let Some(n) = self.phrase(i, phrase) {
                let code = (!code.is_empty()).then_some(*code);
                if code.is_some_and(|c| !ports(version).contains(&c)) {
                    return None;
                }
                return Some((code, n));
            }
        }
        let t = self.tokens.get(i)?;
        let code = ports(version).iter().find(|p| **p == t.word)?;
        let capitals = t.raw.bytes().all(|b| b.is_ascii_uppercase());
        if WORDLIKE_PORTS.contains(code) && !capitals {
            return None;
        }
        Some((Some(code), 1))
    }

    /// The licence element starting at `i`, and its length in words.
    /// The licence element starting at `i`, its length in words, and whether it is a short form.
    fn term(&self, i: usize) -> Option<(Term, usize, bool)> {
        TERMS
            .iter()
            .find_map(|(phrase, term, short)| self.phrase(i, phrase).map(|n| (*term, n, *short)))
    }

    /// A licence name starting at word `i`, and the index after it.
    fn licence_at(&self, i: usize) -> Option<(License, usize)> {
        if let Some(found) = self.public_domain_at(i) {
            return Some(found);
        }
        let (prefixed, mut j) = if self.word(i) == Some("cc") {
            (true, i + 1)
        } else if let Some(n) = self.phrase(i, &["creative", "commons"]) {
            (true, i + n)
        } else {
            (false, i)
        };
        let mut e = Elements::default();
        let (mut sampling, mut sampling_plus, mut devnations) = (false, false, false);
        let mut any = false;
        let (mut shorts, mut longs) = (0, 0);
        while let Some((term, n, short)) = self.term(j) {
            if short {
                shorts += 1;
            } else {
                longs += 1;
            }
            match term {
                Term::By => e.by = true,
                Term::Nc => e.nc = true,
                Term::Nd => e.nd = true,
                Term::Sa => e.sa = true,
                Term::Sampling => sampling = true,
                Term::SamplingPlus => sampling_plus = true,
                Term::DevNations => devnations = true,
            }
            any = true;
            j += n;
        }
        // Unprefixed short forms count only as a pair with a version ("by-sa 3.0"):
        // "by 2.0" is too likely to be ordinary words.
        if !any || (!prefixed && shorts > 0 && (shorts < 2 || longs > 0)) {
            return None;
        }
        if matches!(self.word(j), Some("license" | "licence" | "lizenz")) {
            j += 1;
        }
        if self.is_bad_version(j) {
            return None;
        }
        let version = self.version(j);
        let mut port = None;
        match version {
            Some(v) => {
                j += 1;
                if let Some((code, n)) = self.port(j, v) {
                    port = code;
                    j += n;
                }
            }
            // "Attribution" and "by-sa" alone are ordinary words; "CC BY" is a
            // licence named without its version.
            None if !prefixed => return None,
            None => {}
        }
        let kind = if devnations {
            Kind::DevelopingNations
        } else if sampling_plus && e.nc {
            Kind::NcSamplingPlus
        } else if sampling_plus {
            Kind::SamplingPlus
        } else if sampling {
            Kind::Sampling
        } else {
            Kind::Cc(e)
        };
        License::new(kind, version, port).map(|l| (l, j))
    }

    /// CC0, the Public Domain Mark, the certification and plain public-domain statements.
    fn public_domain_at(&self, i: usize) -> Option<(License, usize)> {
        let (kind, mut j) = if self.word(i) == Some("cc0") {
            (Kind::Cc0, i + 1)
        } else if let Some(n) = self
            .phrase(i, &["cc", "zero"])
            .or_else(|| self.phrase(i, &["cc", "0"]))
        {
            (Kind::Cc0, i + n)
        } else if let Some(n) = self.phrase(i, &["creative", "commons", "zero"]) {
            (Kind::Cc0, i + n)
        } else if let Some(n) = self.phrase(i, &["public", "domain", "mark"]) {
            (Kind::PublicDomainMark, i + n)
        } else if let Some(n) = self.phrase(i, &["cc", "pdm"]) {
            (Kind::PublicDomainMark, i + n)
        } else if self.word(i) == Some("pdm") && self.version(i + 1).is_some() {
            // Our own id `PDM-1.0`; a bare "pdm" is too short to mean the Mark.
            (Kind::PublicDomainMark, i + 1)
        } else if let Some(n) = self
            .phrase(i, &["cc", "pddc"])
            .or_else(|| self.phrase(i, &["public", "domain", "certification"]))
        {
            (Kind::PublicDomainCertification, i + n)
        } else if let Some(n) = self
            .phrase(i, &["public", "domain"])
            .or_else(|| self.phrase(i, &["domaine", "public"]))
            .or_else(|| self.phrase(i, &["gemeinfrei"]))
            .or_else(|| self.phrase(i, &["no", "known", "copyright", "restrictions"]))
        {
            (Kind::PublicDomain, i + n)
        } else {
            return None;
        };
        if self.is_bad_version(j) {
            return None;
        }
        let version = self.version(j);
        if version.is_some() {
            j += 1;
        }
        if kind == Kind::Cc0 {
            if self.word(j) == Some("universal") {
                j += 1;
            }
            // "CC0 1.0 Universal Public Domain Dedication" is one name.
            if let Some(n) = self.phrase(j, &["public", "domain", "dedication"]) {
                j += n;
            }
        }
        License::new(kind, version, None).map(|l| (l, j))
    }
}

/// Licence names in text (URLs already blanked out), with their byte positions.
pub(super) fn scan_names(text: &str) -> Vec<(usize, License)> {
    let tokens = tokens(text);
    let cursor = Cursor { tokens: &tokens };
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match cursor.licence_at(i) {
            Some((licence, next)) => {
                found.push((tokens[i].start, licence));
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    found
}
