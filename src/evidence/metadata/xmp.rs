//! XMP packets and RDF (JPEG APP1, PNG iTXt, WebP, GIF, TIFF 700, HEIF, SVG `<metadata>`, sidecars).
//!
//! RDF/XML allows one statement several spellings (attribute shorthand, child
//! element, `rdf:resource`, `rdf:parseType="Resource"`, nested typed nodes such as
//! `cc:Work`/`cc:Agent`), so properties are first read into a small value tree,
//! then mapped to fields.

use roxmltree::{Document, Node, ParsingOptions};

use super::collect::{Collector, Field, ListField, rank};
use super::vocab;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XML: &str = "http://www.w3.org/XML/1998/namespace";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const XMP_RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";
const CC: &str = "http://creativecommons.org/ns#";
/// The namespace CC used before 2008; still in thousands of clip-art SVGs.
const CC_LEGACY: &str = "http://web.resource.org/cc/";
const PLUS: &str = "http://ns.useplus.org/ldf/xmp/1.0/";
const IPTC_EXT: &str = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
const TIFF: &str = "http://ns.adobe.com/tiff/1.0/";
const EXIF: &str = "http://ns.adobe.com/exif/1.0/";
const PDF: &str = "http://ns.adobe.com/pdf/1.3/";

/// A property value as RDF spells it.
#[derive(Debug)]
enum Value<'a> {
    Text(&'a str),
    /// `rdf:Alt` with `xml:lang` per item.
    Alt(Vec<(&'a str, &'a str)>),
    /// `rdf:Seq` / `rdf:Bag`.
    List(Vec<Value<'a>>),
    /// A structure (`rdf:parseType="Resource"`, a nested description or typed node).
    Struct(Vec<Prop<'a>>),
}

#[derive(Debug)]
struct Prop<'a> {
    ns: &'a str,
    name: &'a str,
    value: Value<'a>,
}

/// Read one XMP packet or RDF document. `origin` prefixes the recorded sources
/// (`XMP`, `XMP sidecar`, `SVG`).
pub fn read(bytes: &[u8], c: &mut Collector, origin: &str) {
    let text = decode(bytes);
    let text = text
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\0', ' ', '\n', '\r', '\t']);
    let options = || ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(text, options()) {
        Ok(doc) => doc,
        Err(first_err) => {
            let fragment = repaired_fragment(text);
            match fragment
                .as_deref()
                .map(|t| Document::parse_with_options(t, options()))
            {
                Some(Ok(doc)) => {
                    read_document(&doc, c, origin);
                    return;
                }
                _ => {
                    c.warn(format!("{origin}: malformed XML ({first_err})"));
                    return;
                }
            }
        }
    };
    read_document(&doc, c, origin);
}

/// Retry material for a document that did not parse: writers pad packets with
/// junk, and SVG editors leave prefixes (`c2pa:`) undeclared outside the RDF.
/// Take just the `rdf:RDF` element and declare on it every namespace the
/// document declares anywhere.
pub fn repaired_fragment(text: &str) -> Option<String> {
    let fragment = rdf_fragment(text)?;
    let tag_end = fragment.find('>')?;
    let start_tag = &fragment[..tag_end];
    let already: Vec<&str> = namespace_declarations(start_tag).map(|(p, _)| p).collect();
    let mut declarations = String::new();
    let mut added: Vec<&str> = Vec::new();
    for (prefix, uri) in namespace_declarations(text) {
        if !already.contains(&prefix) && !added.contains(&prefix) {
            added.push(prefix);
            declarations.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
        }
    }
    let name_end = start_tag
        .find(|c: char| c.is_whitespace())
        .unwrap_or(start_tag.len());
    Some(format!(
        "{}{}{}",
        &fragment[..name_end],
        declarations,
        &fragment[name_end..]
    ))
}

/// `xmlns:prefix = "uri"` declarations in raw XML text, spaces around `=` allowed.
fn namespace_declarations(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.match_indices("xmlns:").filter_map(move |(at, _)| {
        let rest = &text[at + 6..];
        let eq = rest.find('=')?;
        let prefix = rest[..eq].trim();
        let valid = !prefix.is_empty()
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let close = after[1..].find(quote)?;
        let uri = &after[1..1 + close];
        (valid && !uri.contains('<')).then_some((prefix, uri))
    })
}

/// Read the RDF inside an already parsed document (SVG).
pub fn read_document(doc: &Document<'_>, c: &mut Collector, origin: &str) {
    for rdf in doc.descendants().filter(|n| {
        n.is_element() && n.tag_name().namespace() == Some(RDF) && n.tag_name().name() == "RDF"
    }) {
        for node in rdf.children().filter(Node::is_element) {
            let props = node_props(node, 0);
            apply(&props, c, origin);
        }
    }
}

fn decode(bytes: &[u8]) -> String {
    // UTF-16 packets exist (the XMP spec allows them, and the BOM may sit inside
    // `begin="…"` rather than first); all else is UTF-8.
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((true, 2)),
        [0xFE, 0xFF, ..] => Some((false, 2)),
        [0, b, ..] if *b != 0 => Some((false, 0)),
        [b, 0, ..] if *b != 0 => Some((true, 0)),
        _ => None,
    };
    if let Some((le, skip)) = utf16 {
        let units = bytes[skip..].chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        return char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `<x:xmpmeta>…</x:xmpmeta>` or `<rdf:RDF>…</rdf:RDF>` part of a packet.
fn rdf_fragment(text: &str) -> Option<&str> {
    for (open, close) in [("<x:xmpmeta", "</x:xmpmeta>"), ("<rdf:RDF", "</rdf:RDF>")] {
        if let (Some(start), Some(end)) = (text.find(open), text.rfind(close))
            && end > start
        {
            return Some(&text[start..end + close.len()]);
        }
    }
    None
}

/// Nesting depth bound: RDF from hostile files must not recurse without end.
const MAX_DEPTH: usize = 16;

fn is_rdf(node: Node<'_, '_>, name: &str) -> bool {
    node.tag_name().namespace() == Some(RDF) && node.tag_name().name() == name
}

/// Properties of a node: attributes outside rdf/xml, then child elements.
fn node_props<'a>(node: Node<'a, '_>, depth: usize) -> Vec<Prop<'a>> {
    let mut props = Vec::new();
    for attr in node.attributes() {
        let Some(ns) = attr.namespace() else { continue };
        if ns == RDF || ns == XML {
            continue;
        }
        props.push(Prop {
            ns,
            name: attr.name(),
            value: Value::Text(attr.value()),
        });
    }
    if depth >= MAX_DEPTH {
        return props;
    }
    for child in node.children().filter(Node::is_element) {
        let Some(ns) = child.tag_name().namespace() else {
            continue;
        };
        props.push(Prop {
            ns,
            name: child.tag_name().name(),
            value: value_of(child, depth + 1),
        });
    }
    props
}

fn value_of<'a>(elem: Node<'a, '_>, depth: usize) -> Value<'a> {
    if let Some(res) = elem.attribute((RDF, "resource")) {
        return Value::Text(res);
    }
    if elem.attribute((RDF, "parseType")) == Some("Resource") {
        return Value::Struct(node_props(elem, depth));
    }
    if let Some(child) = elem.children().find(Node::is_element) {
        if depth >= MAX_DEPTH {
            return Value::Struct(Vec::new());
        }
        if is_rdf(child, "Alt") {
            let items = child
                .children()
                .filter(|n| n.is_element() && is_rdf(*n, "li"))
                .map(|li| {
                    (
                        li.attribute((XML, "lang")).unwrap_or(""),
                        li.text().unwrap_or(""),
                    )
                })
                .collect();
            return Value::Alt(items);
        }
        if is_rdf(child, "Seq") || is_rdf(child, "Bag") {
            let items = child
                .children()
                .filter(|n| n.is_element() && is_rdf(*n, "li"))
                .map(|li| value_of(li, depth + 1))
                .collect();
            return Value::List(items);
        }
        // rdf:Description or a typed node (cc:Agent): a structure.
        return Value::Struct(node_props(child, depth + 1));
    }
    let shorthand: Vec<Prop<'a>> = node_props(elem, depth)
        .into_iter()
        .filter(|p| matches!(p.value, Value::Text(_)))
        .collect();
    if !shorthand.is_empty() {
        return Value::Struct(shorthand);
    }
    Value::Text(elem.text().unwrap_or(""))
}

/// Structure fields that name a person or organisation, in preference order.
const NAME_FIELDS: [&str; 6] = [
    "title",
    "PersonName",
    "LicensorName",
    "CopyrightOwnerName",
    "ImageCreatorName",
    "name",
];

/// The readable texts a value holds: the default language of an `rdf:Alt`,
/// every item of a list, the name inside a structure.
fn texts(v: &Value<'_>) -> Vec<String> {
    match v {
        Value::Text(t) => vec![t.trim().to_string()],
        Value::Alt(items) => items
            .iter()
            .find(|(lang, _)| lang.eq_ignore_ascii_case("x-default"))
            .or_else(|| items.first())
            .map(|(_, t)| vec![t.trim().to_string()])
            .unwrap_or_default(),
        Value::List(items) => items.iter().flat_map(texts).collect(),
        Value::Struct(props) => NAME_FIELDS
            .iter()
            .find_map(|want| props.iter().find(|p| p.name == *want))
            .map(|p| texts(&p.value))
            .unwrap_or_default(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

fn joined(v: &Value<'_>) -> String {
    texts(v).join(", ")
}

/// Texts of one named field inside structures (PLUS `Licensor` → `LicensorName`).
fn struct_field(v: &Value<'_>, field: &str) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().flat_map(|i| struct_field(i, field)).collect(),
        Value::Struct(props) => props
            .iter()
            .filter(|p| p.name == field)
            .flat_map(|p| texts(&p.value))
            .collect(),
        _ => Vec::new(),
    }
}

fn apply(props: &[Prop<'_>], c: &mut Collector, origin: &str) {
    for p in props {
        let src = |prefix: &str| format!("{origin}-{prefix}:{}", p.name);
        let v = &p.value;
        match (p.ns, p.name) {
            (DC, "creator") => c.offer(Field::Creator, &joined(v), &src("dc"), rank::XMP),
            // In CC RDF `dc:rights` holds a `cc:Agent`: the rights holder, not a notice.
            (DC, "rights") if matches!(v, Value::Struct(_)) => {
                c.offer(Field::CopyrightOwner, &joined(v), &src("dc"), rank::XMP)
            }
            (DC, "rights") => c.offer(Field::Copyright, &joined(v), &src("dc"), rank::XMP),
            (DC, "description") => c.offer(Field::Description, &joined(v), &src("dc"), rank::XMP),
            (DC, "title") => c.offer(Field::Title, &joined(v), &src("dc"), rank::XMP),
            (XMP_RIGHTS, "UsageTerms") => {
                c.offer(Field::UsageTerms, &joined(v), &src("xmpRights"), rank::XMP)
            }
            (XMP_RIGHTS, "WebStatement") => c.offer(
                Field::WebStatement,
                &joined(v),
                &src("xmpRights"),
                rank::XMP,
            ),
            // "Legal owners of the resource": PLUS CopyrightOwner says it more precisely.
            (XMP_RIGHTS, "Owner") => c.offer(
                Field::CopyrightOwner,
                &joined(v),
                &src("xmpRights"),
                rank::FALLBACK,
            ),
            (XMP_RIGHTS, "Marked") => match joined(v).to_ascii_lowercase().as_str() {
                "true" | "1" => c.offer_marked(true, &src("xmpRights"), rank::XMP),
                "false" | "0" => c.offer_marked(false, &src("xmpRights"), rank::XMP),
                "" => {}
                other => c.warn(format!(
                    "{origin}: xmpRights:Marked is `{other}`, not True/False"
                )),
            },
            (CC, "license") => c.offer(Field::LicenseUrl, &joined(v), &src("cc"), rank::XMP),
            (CC, "attributionName") => {
                c.offer(Field::AttributionName, &joined(v), &src("cc"), rank::XMP)
            }
            (CC, "attributionURL") => {
                c.offer(Field::AttributionUrl, &joined(v), &src("cc"), rank::XMP)
            }
            (CC_LEGACY, "license") => {
                c.offer(Field::LicenseUrl, &joined(v), &src("cc-legacy"), rank::XMP)
            }
            (PLUS, "Licensor") => {
                let names = struct_field(v, "LicensorName").join(", ");
                c.offer(
                    Field::Licensor,
                    &names,
                    &format!("{origin}-plus:LicensorName"),
                    rank::XMP,
                );
            }
            (PLUS, "CopyrightOwner") => {
                let names = struct_field(v, "CopyrightOwnerName").join(", ");
                c.offer(
                    Field::CopyrightOwner,
                    &names,
                    &format!("{origin}-plus:CopyrightOwnerName"),
                    rank::XMP,
                );
            }
            (PLUS, "ImageCreator") => {
                let names = struct_field(v, "ImageCreatorName").join(", ");
                c.offer(
                    Field::Creator,
                    &names,
                    &format!("{origin}-plus:ImageCreatorName"),
                    rank::FALLBACK,
                );
            }
            (PLUS, "ModelReleaseStatus") => c.offer(
                Field::ModelRelease,
                &vocab::model_release_name(&joined(v)),
                &src("plus"),
                rank::XMP,
            ),
            (PLUS, "PropertyReleaseStatus") => c.offer(
                Field::PropertyRelease,
                &vocab::property_release_name(&joined(v)),
                &src("plus"),
                rank::XMP,
            ),
            (PLUS, "MinorModelAgeDisclosure") => c.offer(
                Field::MinorModelAge,
                &vocab::minor_model_age_name(&joined(v)),
                &src("plus"),
                rank::XMP,
            ),
            (PLUS | IPTC_EXT, "ModelReleaseID") => {
                c.extend(ListField::ModelReleaseIds, &texts(v), &src("plus"))
            }
            (PLUS | IPTC_EXT, "PropertyReleaseID") => {
                c.extend(ListField::PropertyReleaseIds, &texts(v), &src("plus"))
            }
            (IPTC_EXT, "PersonInImage") => {
                c.extend(ListField::PersonsShown, &texts(v), &src("iptcExt"))
            }
            (IPTC_EXT, "PersonInImageWDetails") => c.extend(
                ListField::PersonsShown,
                &struct_field(v, "PersonName"),
                &format!("{origin}-iptcExt:PersonInImageName"),
            ),
            (IPTC_EXT, "ModelAge") => {
                let ages = texts(v);
                if !ages.is_empty() {
                    c.offer(
                        Field::MinorModelAge,
                        &format!("Model age {}", ages.join(", ")),
                        &src("iptcExt"),
                        rank::FALLBACK,
                    );
                }
            }
            (IPTC_EXT, "DigitalSourceType") => c.offer(
                Field::DigitalSourceType,
                &joined(v),
                &src("iptcExt"),
                rank::XMP,
            ),
            (PHOTOSHOP, "Credit") => {
                c.offer(Field::Credit, &joined(v), &src("photoshop"), rank::XMP)
            }
            (PHOTOSHOP, "Source") => {
                c.offer(Field::Source, &joined(v), &src("photoshop"), rank::XMP)
            }
            (PHOTOSHOP, "DateCreated") => c.offer(
                Field::DateTaken,
                &joined(v),
                &src("photoshop"),
                rank::FALLBACK,
            ),
            (TIFF, "Artist") => c.offer(Field::Creator, &joined(v), &src("tiff"), rank::EXIF),
            (TIFF, "Copyright") => c.offer(Field::Copyright, &joined(v), &src("tiff"), rank::EXIF),
            (TIFF, "ImageDescription") => {
                c.offer(Field::Description, &joined(v), &src("tiff"), rank::EXIF)
            }
            (TIFF, "Make") => c.offer(Field::CameraMake, &joined(v), &src("tiff"), rank::XMP),
            (TIFF, "Model") => c.offer(Field::CameraModel, &joined(v), &src("tiff"), rank::XMP),
            (EXIF, "DateTimeOriginal") => {
                c.offer(Field::DateTaken, &joined(v), &src("exif"), rank::XMP)
            }
            (EXIF, "Artist") => c.offer(Field::Creator, &joined(v), &src("exif"), rank::EXIF),
            (EXIF, "Copyright") => c.offer(Field::Copyright, &joined(v), &src("exif"), rank::EXIF),
            (EXIF, "GPSLatitude") => {
                let lon = props
                    .iter()
                    .find(|q| q.ns == EXIF && q.name == "GPSLongitude")
                    .map(|q| joined(&q.value));
                if let Some(lon) = lon {
                    let position = xmp_coordinate(&joined(v)).zip(xmp_coordinate(&lon));
                    c.offer_gps(position, &format!("{origin}-exif:GPS"), rank::XMP);
                }
            }
            (PDF, "Author") => c.offer(Field::Creator, &joined(v), &src("pdf"), rank::FALLBACK),
            _ => {}
        }
    }
}

/// XMP GPS coordinates: `DDD,MM.mmk` or `DDD,MM,SSk` with k in N/S/E/W.
fn xmp_coordinate(s: &str) -> Option<f64> {
    let s = s.trim();
    let hemisphere = s.chars().last()?.to_ascii_uppercase();
    let body = if hemisphere.is_ascii_alphabetic() {
        &s[..s.len() - 1]
    } else {
        s
    };
    let mut parts = body.split(',').map(|p| p.trim().parse::<f64>());
    let deg = parts.next()?.ok()?;
    let min = parts.next().transpose().ok()?.unwrap_or(0.0);
    let sec = parts.next().transpose().ok()?.unwrap_or(0.0);
    let value = deg + min / 60.0 + sec / 3600.0;
    Some(if matches!(hemisphere, 'S' | 'W') {
        -value
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(xml: &str) -> crate::model::Metadata {
        let mut c = Collector::default();
        read(xml.as_bytes(), &mut c, "XMP");
        c.finish()
    }

    const PACKET: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
    xmlns:cc="http://creativecommons.org/ns#"
    xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmpRights:Marked="True"
    photoshop:Credit="Foto: Schule am See"
    plus:PropertyReleaseStatus="http://ns.useplus.org/ldf/vocab/PR-NAP"
    Iptc4xmpExt:DigitalSourceType="https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    exif:GPSLatitude="52,30.5N" exif:GPSLongitude="13,24,36W">
   <dc:creator><rdf:Seq><rdf:li>Anna Beispiel</rdf:li><rdf:li>Ben Muster</rdf:li></rdf:Seq></dc:creator>
   <dc:rights><rdf:Alt><rdf:li xml:lang="de">© Schule</rdf:li><rdf:li xml:lang="x-default">© School</rdf:li></rdf:Alt></dc:rights>
   <xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">Only for the school website</rdf:li></rdf:Alt></xmpRights:UsageTerms>
   <xmpRights:WebStatement>https://example.org/rights</xmpRights:WebStatement>
   <xmpRights:Owner><rdf:Bag><rdf:li>Owner from xmpRights</rdf:li></rdf:Bag></xmpRights:Owner>
   <cc:license rdf:resource="https://creativecommons.org/licenses/by-sa/4.0/"/>
   <cc:attributionName>Anna B.</cc:attributionName>
   <plus:ModelReleaseStatus>http://ns.useplus.org/ldf/vocab/MR-LMR</plus:ModelReleaseStatus>
   <plus:ModelReleaseID><rdf:Bag><rdf:li>MR-2024-01</rdf:li><rdf:li>MR-2024-02</rdf:li></rdf:Bag></plus:ModelReleaseID>
   <plus:MinorModelAgeDisclosure rdf:resource="http://ns.useplus.org/ldf/vocab/AG-U14"/>
   <plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:LicensorName>Bildagentur</plus:LicensorName></rdf:li></rdf:Seq></plus:Licensor>
   <plus:CopyrightOwner><rdf:Seq><rdf:li><rdf:Description plus:CopyrightOwnerName="Stadt Beispiel"/></rdf:li></rdf:Seq></plus:CopyrightOwner>
   <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Carla</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
   <Iptc4xmpExt:PersonInImageWDetails><rdf:Bag><rdf:li rdf:parseType="Resource">
     <Iptc4xmpExt:PersonName><rdf:Alt><rdf:li xml:lang="x-default">Dana</rdf:li></rdf:Alt></Iptc4xmpExt:PersonName>
   </rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImageWDetails>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">   </rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#;

    #[test]
    fn every_rights_field_is_read_from_xmp() {
        let m = read_str(PACKET);
        assert_eq!(m.creator.as_deref(), Some("Anna Beispiel, Ben Muster"));
        assert_eq!(m.copyright.as_deref(), Some("© School"));
        assert_eq!(m.credit.as_deref(), Some("Foto: Schule am See"));
        assert_eq!(
            m.usage_terms.as_deref(),
            Some("Only for the school website")
        );
        assert_eq!(
            m.web_statement.as_deref(),
            Some("https://example.org/rights")
        );
        assert_eq!(m.marked, Some(true));
        assert_eq!(
            m.license_url.as_deref(),
            Some("https://creativecommons.org/licenses/by-sa/4.0/")
        );
        assert_eq!(m.attribution_name.as_deref(), Some("Anna B."));
        assert_eq!(
            m.model_release.as_deref(),
            Some("Limited or Incomplete Model Releases")
        );
        assert_eq!(m.model_release_ids, ["MR-2024-01", "MR-2024-02"]);
        assert_eq!(m.property_release.as_deref(), Some("Not Applicable"));
        assert_eq!(m.minor_model_age.as_deref(), Some("Age 14 or Under"));
        assert_eq!(m.licensor.as_deref(), Some("Bildagentur"));
        assert_eq!(m.copyright_owner.as_deref(), Some("Stadt Beispiel"));
        assert_eq!(m.persons_shown, ["Carla", "Dana"]);
        assert!(m.ai_generated);
        assert!(m.gps);
        let (lat, lon) = m.gps_position.unwrap();
        assert!((lat - 52.508333).abs() < 1e-5 && (lon + 13.41).abs() < 1e-5);
        // Whitespace-only is absent, never an empty string.
        assert_eq!(m.sources["persons_shown"], "XMP-iptcExt:PersonInImage");
        assert_eq!(m.description, None);
        assert_eq!(m.sources["creator"], "XMP-dc:creator");
    }

    #[test]
    fn legacy_cc_work_in_svg_rdf() {
        let m = read_str(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                xmlns:cc="http://web.resource.org/cc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <cc:Work rdf:about="">
                <dc:title>Apple</dc:title>
                <dc:creator><cc:Agent><dc:title>denco</dc:title></cc:Agent></dc:creator>
                <cc:license rdf:resource="http://web.resource.org/cc/PublicDomain"/>
              </cc:Work>
            </rdf:RDF>"#,
        );
        assert_eq!(m.creator.as_deref(), Some("denco"));
        assert_eq!(m.title.as_deref(), Some("Apple"));
        assert_eq!(
            m.license_url.as_deref(),
            Some("http://web.resource.org/cc/PublicDomain")
        );
    }

    #[test]
    fn malformed_xmp_is_a_warning() {
        let m = read_str("<x:xmpmeta><rdf:RDF><unclosed>");
        assert!(m.creator.is_none());
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut xml = String::from(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description>"#,
        );
        for _ in 0..200 {
            xml.push_str("<dc:creator><rdf:Description>");
        }
        for _ in 0..200 {
            xml.push_str("</rdf:Description></dc:creator>");
        }
        xml.push_str("</rdf:Description></rdf:RDF>");
        let m = read_str(&xml);
        assert!(m.creator.is_none());
    }
}

#[cfg(test)]
mod mojibake_tests {
    use super::*;

    #[test]
    fn double_encoded_xmp_text_is_repaired() {
        let xml = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description dc:creator="JÃ¼rgen MÃ¼ller"/></rdf:RDF>"#;
        let mut c = Collector::default();
        read(xml.as_bytes(), &mut c, "XMP");
        assert_eq!(c.finish().creator.as_deref(), Some("Jürgen Müller"));
    }
}
