//! Licences and credit: `license-terms`, `attribution-missing`,
//! `attribution-incomplete`, licence conflicts, and embedded licences that clear an image.

use super::{Context, Emitter, ImageCase};

/// Returns true when an embedded licence clears the image without a ledger entry.
pub(super) fn check(_ctx: &Context, _case: &ImageCase, _out: &mut Emitter) -> bool {
    false
}
