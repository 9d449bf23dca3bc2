//! Licences and credit: `license-terms`, `attribution-missing`,
//! `attribution-incomplete`, licence conflicts with the ledger, and embedded
//! licences that clear an image without a ledger entry.

use super::tasl::{self, ExpectedCredit, Outcome};
use super::{Context, Draft, EXPIRY_WARNING_DAYS, Emitter, ImageCase, days_until};
use crate::license::License;
use crate::model::Severity;

/// The licence embedded in the image itself, if its metadata names one.
fn embedded_license(case: &ImageCase) -> Option<License> {
    let meta = &case.evidence.metadata;
    License::first_stated(
        [
            &meta.license,
            &meta.license_url,
            &meta.usage_terms,
            &meta.web_statement,
            &meta.copyright,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str),
    )
}

/// Returns true when the image is cleared by an embedded licence (so it needs no ledger entry).
pub(super) fn check(ctx: &Context, case: &ImageCase, out: &mut Emitter) -> bool {
    let asset = case.asset(ctx.ledger);
    let embedded = embedded_license(case);
    embedded_self_contradiction(case, out);
    // An expiry binds whatever the licence is, even one we cannot name (a stock
    // agency's terms) or a permission recorded as `source = "permission"`.
    expiry(ctx, case, out);

    let (license, cleared_by_metadata) = match asset {
        Some(asset) => {
            let Some(text) = asset.license.as_deref() else {
                // Own or permission works carry no licence to honour; a public-domain
                // asset without a licence string needs no credit either.
                return false;
            };
            match License::read(text) {
                Ok(license) => {
                    if let Some(embedded) = &embedded
                        && !embedded.agrees_with(&license)
                    {
                        out.emit_per_page(
                            Draft::new(
                                "metadata-conflict",
                                format!(
                                    "the image's own metadata says {} but the ledger says {}",
                                    embedded.short_name(),
                                    license.short_name()
                                ),
                            )
                            .with("field", "license")
                            .with("embedded", embedded.id())
                            .with("ledger_license", license.id()),
                        );
                    }
                    (license, false)
                }
                // A link to a stock agency's or publisher's own terms names a
                // licence as clearly as an SPDX `LicenseRef-`: nothing to parse,
                // no obligations we can check (its expiry still is, above).
                Err(_) if is_custom_terms_url(text) => return false,
                Err(e) => {
                    out.emit_per_page(
                        Draft::new("license-terms", format!("asset `{}`: {e}", asset.id))
                            .with("reason", "unknown licence")
                            .with("license", text.to_string())
                            .fix(format!(
                                "Write the licence as an SPDX id (CC-BY-4.0) or a licence URL in asset `{}` at {}, or replace the image.",
                                asset.id, asset.origin
                            )),
                    );
                    return false;
                }
            }
        }
        None => match embedded {
            // Only free licences clear an image on their own: an embedded
            // "All rights reserved" licence grants the site nothing.
            Some(l) if l.is_public_domain() || l.id().starts_with("CC") => (l, true),
            _ => return false,
        },
    };

    terms(ctx, case, &license, out);
    attribution(ctx, case, &license, out);
    cleared_by_metadata
}

/// Someone's own licence terms: an SPDX `LicenseRef-…`, or an http(s) URL that is
/// not a Creative Commons address.
fn is_custom_terms_url(text: &str) -> bool {
    // SPDX's own spelling for a licence it does not list.
    if text.trim().starts_with("LicenseRef-") {
        return true;
    }
    url::Url::parse(text.trim()).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && !u
                .host_str()
                .is_some_and(|h| h.ends_with("creativecommons.org"))
    })
}

/// A stock or licensed asset whose licence has ended or is about to.
fn expiry(ctx: &Context, case: &ImageCase, out: &mut Emitter) {
    let Some(asset) = case.asset(ctx.ledger) else {
        return;
    };
    let Some(expires) = asset.license_expires else {
        return;
    };
    let name = match asset.license.as_deref() {
        Some(text) => License::parse(text)
            .map(|l| l.short_name())
            .unwrap_or_else(|| text.to_string()),
        None => "usage".to_string(),
    };
    let days = days_until(ctx.as_of, expires);
    if days < 0 {
        out.emit_per_page(
            Draft::new(
                "license-terms",
                format!(
                    "the {name} licence for asset `{}` expired on {expires}",
                    asset.id
                ),
            )
            .with("reason", "licence expired")
            .with("expires", expires.to_string()),
        );
    } else if days <= EXPIRY_WARNING_DAYS {
        out.emit_per_page(
            Draft::new(
                "consent-expiring",
                format!(
                    "the licence for asset `{}` expires on {expires}, in {days} days",
                    asset.id
                ),
            )
            .with("reason", "licence expiring")
            .with("expires", expires.to_string()),
        );
    }
}

/// NC works on commercial pages; ND works served altered.
fn terms(ctx: &Context, case: &ImageCase, license: &License, out: &mut Emitter) {
    let obligations = license.obligations();
    if obligations.non_commercial {
        for u in case.first_use_per_page() {
            if let Some(pattern) = ctx.config.commercial.first_match(&u.page) {
                out.emit(
                    Some(u),
                    Draft::new(
                        "license-terms",
                        format!(
                            "{} forbids commercial use, and {} is a commercial page (matches `{pattern}`)",
                            license.short_name(),
                            u.page
                        ),
                    )
                    .with("reason", "non-commercial licence on a commercial page")
                    .with("license", license.id()),
                );
            }
        }
    }
    if obligations.no_derivatives
        && let Some(asset) = case.asset(ctx.ledger)
        && let (Some(ow), Some(oh), Some(w), Some(h)) = (
            asset.width,
            asset.height,
            case.evidence.width,
            case.evidence.height,
        )
        && (ow, oh) != (w, h)
    {
        // Aspect changes mean cropping, a derivative; a plain resize may be a
        // mere format shift, which is why this is a warning, not an error.
        let cropped = u64::from(ow) * u64::from(h) != u64::from(oh) * u64::from(w);
        out.emit_per_page(
            Draft::new(
                "license-terms",
                format!(
                    "{} forbids derivatives, and the served copy is {w}x{h} while the original is {ow}x{oh}{}",
                    license.short_name(),
                    if cropped { " (a different aspect ratio: cropped)" } else { "" }
                ),
            )
            .with("reason", "no-derivatives work altered")
            .with("served", format!("{w}x{h}"))
            .with("original", format!("{ow}x{oh}"))
            .fix("Publish the original, unaltered file (scaling it in the browser with width/height attributes is fine), or choose a work whose licence allows adaptation.")
            .at_most(Severity::Warning),
        );
    }
}

/// The credit shown on each page, judged against TASL.
fn attribution(ctx: &Context, case: &ImageCase, license: &License, out: &mut Emitter) {
    let asset = case.asset(ctx.ledger);
    let expected = ExpectedCredit::from_records(asset, &case.evidence.metadata, license);
    let snippet = tasl::figcaption_snippet(
        expected.title,
        expected.author,
        expected.source_url,
        license,
    );
    for first in case.first_use_per_page() {
        // Any use on the page that carries a complete credit is enough.
        let verdicts: Vec<_> = case
            .uses
            .iter()
            .filter(|u| u.page == first.page)
            .map(|u| tasl::judge(&u.attribution, &expected))
            .collect();
        let best = verdicts
            .iter()
            .min_by_key(|v| match v.outcome() {
                Outcome::NotRequired | Outcome::Complete => 0,
                Outcome::Incomplete(missing) => missing.len(),
                Outcome::Missing => usize::MAX,
            })
            .expect("a page listed has at least one use");
        match best.outcome() {
            Outcome::NotRequired | Outcome::Complete => {}
            Outcome::Missing => out.emit(
                Some(first),
                Draft::new(
                    "attribution-missing",
                    format!(
                        "{} requires credit, and {} shows none for this image",
                        license.short_name(),
                        first.page
                    ),
                )
                .with("license", license.id())
                .snippet(snippet.clone()),
            ),
            Outcome::Incomplete(_) => out.emit(
                Some(first),
                Draft::new(
                    "attribution-incomplete",
                    format!("the credit shown lacks {}", best.describe_missing()),
                )
                .with("license", license.id())
                .with("credit", first.attribution.text.clone().unwrap_or_default())
                .fix(format!(
                    "Complete the credit with {} (the snippet shows a complete TASL credit).",
                    best.describe_missing()
                ))
                .snippet(snippet.clone()),
            ),
        }
        for contradiction in best.contradictions.iter() {
            out.emit(
                Some(first),
                Draft::new(
                    "license-terms",
                    format!("the credit on the page contradicts itself: {contradiction}"),
                )
                .with("reason", "self-contradicting licence label")
                .at_most(Severity::Warning)
                .snippet(snippet.clone()),
            );
        }
    }
}

/// An image whose own licence statement names one licence and links another.
fn embedded_self_contradiction(case: &ImageCase, out: &mut Emitter) {
    let meta = &case.evidence.metadata;
    let Some(url) = &meta.license_url else { return };
    for label in [&meta.usage_terms, &meta.copyright].into_iter().flatten() {
        if let Some(why) = License::contradiction(label, url) {
            out.emit_per_page(
                Draft::new(
                    "license-terms",
                    format!("the image's embedded licence contradicts itself: {why}"),
                )
                .with("reason", "self-contradicting embedded licence")
                .with("license_url", url.clone()),
            );
            return;
        }
    }
}
