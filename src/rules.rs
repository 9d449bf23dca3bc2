//! Rules as data: ids, default severities and the texts users read, from
//! `rules/default.toml` (embedded) or a profile given with `--rules`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{RuleInfo, Severity};

/// The built-in profile, compiled into the binary.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

/// Every rule id the code implements, in report order.
pub const RULE_IDS: [&str; 12] = [
    "unknown-provenance",
    "photographer-permission",
    "subject-consent",
    "subject-opt-out",
    "people-unverified",
    "attribution-missing",
    "attribution-incomplete",
    "license-terms",
    "metadata-conflict",
    "location-exposed",
    "consent-expiring",
    "unreadable-image",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    #[serde(default)]
    rule: Vec<RawRule>,
    people: Option<RawPeople>,
    /// Face-detection settings, read by the evidence stage.
    faces: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    severity: Option<Severity>,
    summary: Option<String>,
    rationale: Option<String>,
    policy: Option<String>,
    fix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeople {
    words: Vec<String>,
}

/// The rules in force.
#[derive(Debug, Clone)]
pub struct Rules {
    rules: BTreeMap<String, RuleInfo>,
    /// Lower-case words in alt text or captions that mean people are shown.
    pub people_words: Vec<String>,
    /// The `[faces]` table, if the profile has one.
    pub faces: Option<toml::Table>,
}

impl Rules {
    /// The built-in profile.
    pub fn builtin() -> Rules {
        Rules::parse_profile(DEFAULT_RULES, "rules/default.toml", None)
            .expect("the embedded rules/default.toml is valid (tested)")
    }

    /// The built-in profile with `path`'s rules laid over it.
    pub fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Rules::parse_profile(&text, &path.display().to_string(), Some(Rules::builtin()))
    }

    fn parse_profile(text: &str, name: &str, base: Option<Rules>) -> Result<Rules> {
        let err = |message: String| Error::Rules {
            path: name.to_string(),
            message,
        };
        let raw: RawProfile =
            toml::from_str(text).map_err(|e| err(crate::config::toml_error(text, &e)))?;
        let mut rules = base.unwrap_or(Rules {
            rules: BTreeMap::new(),
            people_words: Vec::new(),
            faces: None,
        });
        for r in raw.rule {
            if !RULE_IDS.contains(&r.id.as_str()) {
                return Err(err(format!(
                    "unknown rule id `{}` (known: {})",
                    r.id,
                    RULE_IDS.join(", ")
                )));
            }
            let entry = rules.rules.entry(r.id.clone()).or_insert_with(|| RuleInfo {
                id: r.id.clone(),
                severity: Severity::Error,
                summary: String::new(),
                rationale: String::new(),
                policy: String::new(),
                fix: "".into(),
            });
            if let Some(s) = r.severity {
                entry.severity = s;
            }
            for (slot, value) in [
                (&mut entry.summary, r.summary),
                (&mut entry.rationale, r.rationale),
                (&mut entry.policy, r.policy),
            ] {
                if let Some(v) = value {
                    *slot = v;
                }
            }
            if let Some(fix) = r.fix {
                entry.fix = fix.into();
            }
        }
        if let Some(missing) = RULE_IDS.iter().find(|id| !rules.rules.contains_key(**id)) {
            return Err(err(format!("rule `{missing}` is not defined")));
        }
        if let Some(people) = raw.people {
            rules.people_words = people.words.iter().map(|w| w.to_lowercase()).collect();
        }
        if raw.faces.is_some() {
            rules.faces = raw.faces;
        }
        Ok(rules)
    }

    pub fn get(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.get(id)
    }

    /// All rules in the stable order of [`RULE_IDS`].
    pub fn all(&self) -> Vec<RuleInfo> {
        RULE_IDS
            .iter()
            .filter_map(|id| self.rules.get(*id).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_defines_every_rule_with_texts() {
        let rules = Rules::builtin();
        let all = rules.all();
        assert_eq!(all.len(), RULE_IDS.len());
        for r in &all {
            assert!(
                !r.summary.is_empty() && !r.fix.is_empty() && !r.policy.is_empty(),
                "{}",
                r.id
            );
        }
        assert_eq!(
            rules.get("people-unverified").unwrap().severity,
            Severity::Warning
        );
        assert_eq!(
            rules.get("consent-expiring").unwrap().severity,
            Severity::Info
        );
        assert!(rules.people_words.iter().any(|w| w == "students"));
    }

    #[test]
    fn profile_overrides_and_rejects_unknown_ids() {
        let base = Rules::builtin();
        let r = Rules::parse_profile(
            "[[rule]]\nid = \"location-exposed\"\nseverity = \"warning\"\n",
            "p.toml",
            Some(base.clone()),
        )
        .unwrap();
        assert_eq!(
            r.get("location-exposed").unwrap().severity,
            Severity::Warning
        );
        assert_eq!(
            r.get("location-exposed").unwrap().fix,
            base.get("location-exposed").unwrap().fix
        );
        let e =
            Rules::parse_profile("[[rule]]\nid = \"no-such\"\n", "p.toml", Some(base)).unwrap_err();
        assert!(e.to_string().contains("unknown rule id `no-such`"));
    }
}
