//! `location-exposed`: coordinates embedded in a published image.

use super::{Context, Draft, Emitter, ImageCase};
use crate::model::ImageKey;

pub(super) fn check(_ctx: &Context, case: &ImageCase, out: &mut Emitter) {
    let meta = &case.evidence.metadata;
    if !meta.gps {
        return;
    }
    let mut draft = Draft::new(
        "location-exposed",
        match meta.gps_position {
            Some((lat, lon)) => {
                format!("GPS coordinates {lat:.5}, {lon:.5} are embedded in the image")
            }
            None => "GPS coordinates are embedded in the image".to_string(),
        },
    )
    .with("field", "gps");
    if let Some((lat, lon)) = meta.gps_position {
        draft = draft.with("gps_position", serde_json::json!([lat, lon]));
    }
    if let Some(source) = meta.sources.get("gps") {
        draft = draft.with("gps_source", source.clone());
    }
    if let ImageKey::Embedded(_) = case.key {
        // No file to strip: the picture lives in the page's HTML.
        out.emit_per_page(draft.fix(
            "The picture is embedded in the page (a `data:` URI): export it again without its location (most editors' 'remove location' or 'export for web'), embed that copy instead, and scan again.",
        ));
        return;
    }
    let file = case.key.file_name();
    out.emit_per_page(draft.snippet(format!(
        "exiftool -gps:all= -xmp:geotag= -overwrite_original \"{file}\""
    )));
}
