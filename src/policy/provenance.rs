//! Who made the image and on what terms: `unknown-provenance`,
//! `photographer-permission` and `metadata-conflict`.

use super::{
    Context, Draft, EXPIRY_WARNING_DAYS, Emitter, ImageCase, days_until, fixes, name_tokens,
    scope_gaps,
};
use crate::model::{AssetSource, Permission};

pub(super) fn check(ctx: &Context, case: &ImageCase, cleared_by_license: bool, out: &mut Emitter) {
    let Some(asset) = case.asset(ctx.ledger) else {
        if !cleared_by_license {
            let meta = &case.evidence.metadata;
            let mut draft = Draft::new(
                "unknown-provenance",
                format!(
                    "{} has no ledger entry and no embedded licence that clears it",
                    case.key.display()
                ),
            )
            .snippet(fixes::asset_stub(case.key, case.evidence, case.uses));
            for (field, value) in [
                ("creator", &meta.creator),
                ("copyright", &meta.copyright),
                ("credit", &meta.credit),
            ] {
                if let Some(v) = value {
                    draft = draft.with(field, v.clone());
                }
            }
            out.emit_per_page(draft);
        }
        return;
    };

    conflict(ctx, case, out);

    // Licensed and public-domain works are cleared by their licence, not by a
    // photographer's permission (the licensing rules judge them).
    if matches!(
        asset.source,
        Some(AssetSource::Licensed | AssetSource::PublicDomain)
    ) {
        return;
    }
    let Some(photographer_id) = &asset.photographer else {
        out.emit_per_page(
            Draft::new(
                "photographer-permission",
                format!(
                    "asset `{}` names no photographer, so nobody's permission is on record",
                    asset.id
                ),
            )
            .with("reason", "no photographer")
            .snippet(fixes::photographer_stub(asset)),
        );
        return;
    };
    let Some(photographer) = ctx.ledger.photographer(photographer_id) else {
        return; // the ledger check already refused a dangling id
    };
    let base = |message: String, reason: &str| {
        Draft::new("photographer-permission", message)
            .with("photographer", photographer.id.clone())
            .with("reason", reason.to_string())
    };
    match photographer.permission {
        Permission::Denied => {
            out.emit_per_page(base(
                format!(
                    "{} denied permission to publish their work",
                    photographer.name
                ),
                "denied",
            ));
            return;
        }
        Permission::Unknown => {
            out.emit_per_page(base(
                format!(
                    "permission from {} is not on record (permission = \"unknown\")",
                    photographer.name
                ),
                "unknown",
            ));
            return;
        }
        Permission::Granted => {}
    }
    if let Some(expires) = photographer.expires {
        let days = days_until(ctx.as_of, expires);
        if days < 0 {
            out.emit_per_page(
                base(
                    format!("{}'s permission expired on {expires}", photographer.name),
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
                        "{}'s permission expires on {expires}, in {days} days",
                        photographer.name
                    ),
                )
                .with("photographer", photographer.id.clone())
                .with("expires", expires.to_string()),
            );
        }
    }
    for (u, needed, missing) in scope_gaps(ctx, case, &photographer.scope) {
        out.emit(
            Some(u),
            base(
                format!(
                    "{}'s permission does not cover scope {} needed on {}",
                    photographer.name, missing, u.page
                ),
                "out of scope",
            )
            .with("needed_scope", serde_json::json!(needed)),
        );
    }
}

/// Embedded creator/copyright naming a party the ledger does not.
fn conflict(ctx: &Context, case: &ImageCase, out: &mut Emitter) {
    let Some(asset) = case.asset(ctx.ledger) else {
        return;
    };
    let meta = &case.evidence.metadata;
    let mut recorded: Vec<String> = Vec::new();
    if let Some(p) = asset
        .photographer
        .as_deref()
        .and_then(|id| ctx.ledger.photographer(id))
    {
        recorded.push(p.name.clone());
        recorded.push(p.id.clone());
    }
    recorded.extend(asset.author.clone());
    let known: Vec<String> = recorded
        .iter()
        .chain(&ctx.config.district_names)
        .cloned()
        .collect();
    for field in [
        "creator",
        "copyright",
        "credit",
        "copyright_owner",
        "licensor",
    ] {
        let value = match field {
            "creator" => &meta.creator,
            "copyright" => &meta.copyright,
            "credit" => &meta.credit,
            "copyright_owner" => &meta.copyright_owner,
            _ => &meta.licensor,
        };
        let Some(value) = value else { continue };
        if names_known_party(value, &known) || is_bare_notice(value) {
            continue;
        }
        let quoted = |names: &[String]| {
            names
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let mut said = if recorded.is_empty() {
            format!("asset `{}` records no photographer or author", asset.id)
        } else {
            format!("asset `{}` records {}", asset.id, quoted(&recorded))
        };
        if !ctx.config.district_names.is_empty() {
            said.push_str(&format!(
                " and district_names are {}",
                quoted(&ctx.config.district_names)
            ));
        }
        let recorded = said;
        out.emit_per_page(
            Draft::new(
                "metadata-conflict",
                format!("embedded {field} \"{value}\" names someone else: {recorded}"),
            )
            .with("field", field)
            .with("embedded", value.clone())
            .with(
                "source",
                meta.sources.get(field).cloned().unwrap_or_default(),
            ),
        );
        // One conflicting party is enough to send the user to check the image.
        return;
    }
}

/// True when `value` mentions one of the known names (all its words, in any order).
fn names_known_party(value: &str, known: &[String]) -> bool {
    let tokens = name_tokens(value);
    known.iter().any(|k| {
        let name = name_tokens(k);
        !name.is_empty() && name.iter().all(|t| tokens.contains(t))
    })
}

/// "All rights reserved" and the like name nobody: nothing to contradict.
fn is_bare_notice(value: &str) -> bool {
    let ignored = [
        "copyright",
        "c",
        "all",
        "rights",
        "reserved",
        "by",
        "photo",
        "photograph",
        "image",
    ];
    name_tokens(value)
        .iter()
        .all(|t| ignored.contains(&t.as_str()) || t.chars().all(|c| c.is_ascii_digit()))
}
