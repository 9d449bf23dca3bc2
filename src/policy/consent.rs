//! The people in a photograph: `subject-consent`, `subject-opt-out`,
//! `people-unverified` and `consent-expiring` for consents.

use super::{
    Context, Draft, EXPIRY_WARNING_DAYS, Emitter, ImageCase, days_until, find_word, names_person,
    scope_gaps,
};
use crate::model::{Consent, Person, SignedBy};

pub(super) fn check(ctx: &Context, case: &ImageCase, out: &mut Emitter) {
    let asset = case.asset(ctx.ledger);
    let people: Vec<&Person> = asset
        .and_then(|a| a.people.as_ref())
        .map(|ids| ids.iter().filter_map(|id| ctx.ledger.person(id)).collect())
        .unwrap_or_default();

    for person in &people {
        check_person(ctx, case, person, out);
    }
    named_opt_outs(ctx, case, &people, out);
    unverified(ctx, case, out);
}

fn check_person(ctx: &Context, case: &ImageCase, person: &Person, out: &mut Emitter) {
    let base = |rule: &'static str, message: String, reason: &str| {
        Draft::new(rule, message)
            .with("person", person.id.clone())
            .with("reason", reason.to_string())
            .with("record", person.origin.to_string())
    };
    match person.consent {
        Consent::OptOut | Consent::Denied => {
            let said = if person.consent == Consent::OptOut {
                "opted out"
            } else {
                "denied consent"
            };
            out.emit_per_page(base(
                "subject-opt-out",
                format!(
                    "{} ({}) {said} but is shown in this image",
                    person.name, person.id
                ),
                said,
            ));
            return;
        }
        Consent::Unknown => {
            out.emit_per_page(base(
                "subject-consent",
                format!(
                    "{} ({}) is shown but their consent is unknown",
                    person.name, person.id
                ),
                "unknown",
            ));
            return;
        }
        Consent::Granted => {}
    }
    if person.minor && person.signed_by != Some(SignedBy::Guardian) {
        out.emit_per_page(base(
            "subject-consent",
            format!(
                "{} ({}) is a minor and their consent is not signed by a guardian",
                person.name, person.id
            ),
            "minor without guardian",
        ));
        return;
    }
    if let Some(expires) = person.expires {
        let days = days_until(ctx.as_of, expires);
        if days < 0 {
            out.emit_per_page(
                base(
                    "subject-consent",
                    format!(
                        "{} ({})'s consent expired on {expires}",
                        person.name, person.id
                    ),
                    "expired",
                )
                .with("expires", expires.to_string()),
            );
            return;
        }
        if days <= EXPIRY_WARNING_DAYS {
            out.emit_per_page(
                Draft::new(
                    "consent-expiring",
                    format!(
                        "{} ({})'s consent expires on {expires}, in {days} days",
                        person.name, person.id
                    ),
                )
                .with("person", person.id.clone())
                .with("expires", expires.to_string()),
            );
        }
    }
    for (u, needed, missing) in scope_gaps(ctx, case, &person.scope) {
        out.emit(
            Some(u),
            base(
                "subject-consent",
                format!(
                    "{} ({})'s consent does not cover scope {} needed on {}",
                    person.name, person.id, missing, u.page
                ),
                "out of scope",
            )
            .with("needed_scope", serde_json::json!(needed)),
        );
    }
}

/// An opted-out person named in the image's alt text, caption, title or file
/// name, even when no asset lists them.
fn named_opt_outs(ctx: &Context, case: &ImageCase, listed: &[&Person], out: &mut Emitter) {
    let file_name = case.key.file_name();
    for person in ctx.ledger.opted_out() {
        if listed.iter().any(|p| p.id == person.id) {
            continue; // already reported as shown
        }
        let mut reported_pages = std::collections::HashSet::new();
        for u in case.uses {
            let places = [
                ("alt text", u.alt.as_deref()),
                ("caption", u.caption.as_deref()),
                ("title", u.title.as_deref()),
                ("credit", u.attribution.text.as_deref()),
                ("file name", Some(file_name.as_str())),
            ];
            let Some((place, _)) = places
                .iter()
                .find(|(_, text)| text.is_some_and(|t| names_person(t, &person.name)))
            else {
                continue;
            };
            if !reported_pages.insert(u.page.clone()) {
                continue;
            }
            out.emit(
                Some(u),
                Draft::new(
                    "subject-opt-out",
                    format!(
                        "{} ({}) opted out but is named in the image's {place}",
                        person.name, person.id
                    ),
                )
                .with("person", person.id.clone())
                .with("reason", format!("named in {place}"))
                .with("record", person.origin.to_string()),
            );
        }
    }
}

/// Evidence of people with no record of who they are.
fn unverified(ctx: &Context, case: &ImageCase, out: &mut Emitter) {
    let asset = case.asset(ctx.ledger);
    let recorded = asset.and_then(|a| a.people.as_ref());
    let meta = &case.evidence.metadata;
    let recognizable_faces = case
        .evidence
        .faces
        .as_ref()
        .map(|f| f.iter().filter(|f| f.recognizable).count())
        .unwrap_or(0);

    // Image-wide evidence: embedded persons and detected faces.
    let mut image_evidence = Vec::new();
    match recorded {
        None => {
            if !meta.persons_shown.is_empty() {
                image_evidence.push(format!(
                    "its metadata names {}",
                    meta.persons_shown.join(", ")
                ));
            }
            if recognizable_faces > 0 {
                image_evidence.push(format!(
                    "{recognizable_faces} recognizable face(s) were detected"
                ));
            }
            if meta.model_release.is_some() && image_evidence.is_empty() {
                image_evidence.push("its metadata carries a model release status".to_string());
            }
        }
        Some(ids) => {
            if meta.persons_shown.len() > ids.len() {
                image_evidence.push(format!(
                    "its metadata names {} person(s) ({}) but the ledger records {}",
                    meta.persons_shown.len(),
                    meta.persons_shown.join(", "),
                    ids.len()
                ));
            }
            if recognizable_faces > ids.len() {
                image_evidence.push(format!(
                    "{recognizable_faces} recognizable face(s) were detected but the ledger records {}",
                    ids.len()
                ));
            }
        }
    }

    for u in case.first_use_per_page() {
        let mut reasons = image_evidence.clone();
        if recorded.is_none() {
            let uses_on_page = case.uses.iter().filter(|x| x.page == u.page);
            for x in uses_on_page {
                for (place, text) in [
                    ("alt text", &x.alt),
                    ("caption", &x.caption),
                    ("title", &x.title),
                ] {
                    if let Some(word) = text
                        .as_deref()
                        .and_then(|t| find_word(t, &ctx.rules.people_words))
                    {
                        let reason = format!("its {place} says \"{word}\"");
                        if !reasons.contains(&reason) {
                            reasons.push(reason);
                        }
                    }
                }
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let subject = match asset {
            Some(a) => format!("asset `{}` does not record who is shown", a.id),
            None => "no ledger entry records who is shown".to_string(),
        };
        let mut draft = Draft::new(
            "people-unverified",
            format!("{subject}, but {}", reasons.join("; ")),
        )
        .with("reason", reasons.join("; "));
        if recognizable_faces > 0 {
            draft = draft.with("faces", recognizable_faces);
        }
        if !meta.persons_shown.is_empty() {
            draft = draft.with("persons_shown", serde_json::json!(meta.persons_shown));
        }
        out.emit(Some(u), draft);
    }
}
