//! Generate a large synthetic school site for the whole-run benchmark.
//!
//! ```text
//! cargo run --release --example gen-site -- OUT [--pages 1200] [--images 5000] [--width 1600] [--height 1067]
//! ```
//!
//! Writes `OUT/site/` (HTML pages under `news/`, photo JPEGs under `images/`),
//! `OUT/clearance.toml` and `OUT/ledger.toml` (half the photos ledgered). Every
//! JPEG is a distinct photo-like picture carrying EXIF (Artist, Copyright,
//! ImageDescription, DateTimeOriginal; GPS on every tenth) and XMP (dc:creator,
//! dc:rights, xmpRights:WebStatement, cc:license; PersonInImage on every
//! fifth), the fields a rights check reads, and — as camera files do — a
//! 160-px EXIF preview (IFD1 thumbnail); `--no-exif-preview` leaves it out, as
//! editors' web exports do. Deterministic: the same arguments give the same bytes.

#[path = "synthetic_photo.rs"]
mod synthetic_photo;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

struct Options {
    out: PathBuf,
    pages: usize,
    images: usize,
    width: u32,
    height: u32,
    exif_preview: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        out: PathBuf::new(),
        pages: 1200,
        images: 5000,
        width: 1600,
        height: 1067,
        exif_preview: true,
    };
    let mut out = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name}: `{v}` is not a number"))
        };
        match arg.as_str() {
            "--pages" => options.pages = value("--pages")?.max(1),
            "--images" => options.images = value("--images")?.max(1),
            "--width" => options.width = value("--width")? as u32,
            "--height" => options.height = value("--height")? as u32,
            "--no-exif-preview" => options.exif_preview = false,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path => out = Some(PathBuf::from(path)),
        }
    }
    options.out =
        out.ok_or("usage: gen-site OUT [--pages N] [--images N] [--width PX] [--height PX] [--no-exif-preview]")?;
    Ok(options)
}

fn main() {
    let options = parse_args().unwrap_or_else(|e| {
        eprintln!("gen-site: {e}");
        std::process::exit(2);
    });
    if let Err(e) = generate(&options) {
        eprintln!("gen-site: {e}");
        std::process::exit(1);
    }
}

fn image_path(i: usize) -> String {
    format!("images/{}/photo-{i:05}.jpg", 2019 + i % 7)
}

fn generate(o: &Options) -> std::io::Result<()> {
    let site = o.out.join("site");
    for year in 2019..2026 {
        std::fs::create_dir_all(site.join(format!("images/{year}")))?;
    }
    std::fs::create_dir_all(site.join("news"))?;

    let started = std::time::Instant::now();
    (0..o.images)
        .into_par_iter()
        .try_for_each(|i| -> std::io::Result<()> {
            let path = site.join(image_path(i));
            if path.exists() {
                return Ok(()); // resumable: an interrupted run continues
            }
            let bytes = photo_jpeg(i, o.width, o.height, o.exif_preview);
            let temp = path.with_extension("jpg.tmp");
            std::fs::write(&temp, bytes)?;
            std::fs::rename(&temp, &path)
        })?;
    eprintln!("gen-site: {} images in {:.1?}", o.images, started.elapsed());

    write_pages(&site, o)?;
    write_config(&o.out, o.images)?;
    Ok(())
}

/// Photo `i` as a JPEG with EXIF and XMP segments after SOI.
fn photo_jpeg(i: usize, width: u32, height: u32, exif_preview: bool) -> Vec<u8> {
    let image = synthetic_photo::photo(i as u64 + 1, width, height);
    let encoded = jpeg(&image, 85);
    let preview = exif_preview.then(|| {
        let long = width.max(height).max(1);
        let (w, h) = ((width * 160).div_ceil(long), (height * 160).div_ceil(long));
        jpeg(&image::imageops::thumbnail(&image, w, h), 75)
    });
    let mut out = Vec::with_capacity(encoded.len() + 4096);
    out.extend_from_slice(&encoded[..2]); // SOI
    app1(&mut out, &exif(i, preview.as_deref()));
    app1(&mut out, &xmp(i));
    out.extend_from_slice(&encoded[2..]);
    out
}

fn jpeg(image: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut encoded = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, quality)
        .encode_image(image)
        .expect("encoding to memory cannot fail");
    encoded
}

fn app1(out: &mut Vec<u8>, payload: &[u8]) {
    let len = u16::try_from(payload.len() + 2).expect("APP1 payload under 64 KiB");
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
}

const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;

/// One IFD entry: tag, type, count, value bytes (little-endian).
type Entry = (u16, u16, u32, Vec<u8>);

fn ascii(tag: u16, s: &str) -> Entry {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    (tag, ASCII, v.len() as u32, v)
}

fn rationals(tag: u16, values: &[(u32, u32)]) -> Entry {
    let v = values
        .iter()
        .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
        .collect();
    (tag, RATIONAL, values.len() as u32, v)
}

/// Serialise an IFD that starts at TIFF offset `start`: entries, the offset of
/// the next IFD (0: none), then the values that do not fit in four bytes.
fn ifd(entries: &[Entry], start: u32, next: u32) -> Vec<u8> {
    let table_len = 2 + 12 * entries.len() as u32 + 4;
    let mut table = Vec::new();
    let mut data = Vec::new();
    table.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        table.extend_from_slice(&tag.to_le_bytes());
        table.extend_from_slice(&kind.to_le_bytes());
        table.extend_from_slice(&count.to_le_bytes());
        if value.len() <= 4 {
            let mut inline = value.clone();
            inline.resize(4, 0);
            table.extend_from_slice(&inline);
        } else {
            let offset = start + table_len + data.len() as u32;
            table.extend_from_slice(&offset.to_le_bytes());
            data.extend_from_slice(value);
            if data.len() % 2 == 1 {
                data.push(0); // TIFF values start on word boundaries
            }
        }
    }
    table.extend_from_slice(&next.to_le_bytes());
    table.extend_from_slice(&data);
    table
}

/// The EXIF payload: IFD0, the Exif IFD, GPS on every tenth photo, and IFD1
/// with the JPEG `preview` when given.
fn exif(i: usize, preview: Option<&[u8]>) -> Vec<u8> {
    let artist = photographer(i);
    let with_gps = i % 10 == 0;
    let ifd0 = |exif_at: u32, gps_at: u32| {
        let mut entries = vec![
            ascii(0x010E, &format!("Event photo {i}")),
            ascii(0x013B, artist),
            ascii(0x8298, &format!("(c) 2024 {artist}")),
            (0x8769, LONG, 1, exif_at.to_le_bytes().to_vec()),
        ];
        if with_gps {
            entries.push((0x8825, LONG, 1, gps_at.to_le_bytes().to_vec()));
        }
        entries
    };
    let exif_entries = vec![ascii(
        0x9003,
        &format!("2024:05:{:02} 10:{:02}:00", 1 + i % 28, i % 60),
    )];
    let gps_entries = vec![
        (0x0000, BYTE, 4, vec![2, 3, 0, 0]),
        ascii(0x0001, "N"),
        rationals(0x0002, &[(47, 1), ((i % 60) as u32, 1), (1234, 100)]),
        ascii(0x0003, "W"),
        rationals(0x0004, &[(122, 1), (19, 1), (5678, 100)]),
    ];
    // Sizes do not depend on the pointer values, so lay out once to measure.
    let ifd0_len = ifd(&ifd0(0, 0), 8, 0).len() as u32;
    let exif_at = 8 + ifd0_len;
    let exif_ifd = ifd(&exif_entries, exif_at, 0);
    let gps_at = exif_at + exif_ifd.len() as u32;
    let gps_ifd = if with_gps {
        ifd(&gps_entries, gps_at, 0)
    } else {
        Vec::new()
    };
    let ifd1_at = gps_at + gps_ifd.len() as u32;
    let ifd1 = |data_at: u32, len: usize| {
        vec![
            (0x0103, SHORT, 1, 6u16.to_le_bytes().to_vec()), // Compression: JPEG
            (0x0201, LONG, 1, data_at.to_le_bytes().to_vec()),
            (0x0202, LONG, 1, (len as u32).to_le_bytes().to_vec()),
        ]
    };
    let ifd1_len = ifd(&ifd1(0, 0), ifd1_at, 0).len() as u32;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let next = if preview.is_some() { ifd1_at } else { 0 };
    tiff.extend_from_slice(&ifd(&ifd0(exif_at, gps_at), 8, next));
    tiff.extend_from_slice(&exif_ifd);
    tiff.extend_from_slice(&gps_ifd);
    if let Some(preview) = preview {
        let data_at = ifd1_at + ifd1_len;
        tiff.extend_from_slice(&ifd(&ifd1(data_at, preview.len()), ifd1_at, 0));
        tiff.extend_from_slice(preview);
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    payload
}

fn photographer(i: usize) -> &'static str {
    [
        "District Communications Office",
        "Jane Smith",
        "Student Photo Club",
        "Pat Lee",
    ][i % 4]
}

fn xmp(i: usize) -> Vec<u8> {
    let persons = if i % 5 == 0 {
        format!(
            "<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Student {}</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>",
            i % 97
        )
    } else {
        String::new()
    };
    let packet = format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmlns:cc="http://creativecommons.org/ns#" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) 2024 {creator}</rdf:li></rdf:Alt></dc:rights>
<xmpRights:Marked>True</xmpRights:Marked>
<xmpRights:WebStatement>https://www.example-district.org/rights</xmpRights:WebStatement>
<cc:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/>
{persons}
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#,
        creator = photographer(i),
    );
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(packet.as_bytes());
    payload
}

/// Pages use images round-robin, so every image appears on at least one page
/// when `pages * 6 >= images`, and popular ones on several.
fn write_pages(site: &Path, o: &Options) -> std::io::Result<()> {
    let per_page = o.images.div_ceil(o.pages).max(6);
    let mut index =
        String::from("<!doctype html><html><head><title>News</title></head><body><ul>\n");
    for p in 0..o.pages {
        let mut html = format!(
            "<!doctype html><html><head><title>News {p}</title></head><body><main><h1>Story {p}</h1>\n"
        );
        for k in 0..per_page {
            let i = (p * per_page + k) % o.images;
            let _ = writeln!(
                html,
                "<figure><img src=\"../{}\" alt=\"Students at event {i}\" width=\"800\"><figcaption>Event {i}. Photo: {}</figcaption></figure>",
                image_path(i),
                photographer(i)
            );
        }
        html.push_str("</main></body></html>\n");
        std::fs::write(site.join(format!("news/story-{p:05}.html")), html)?;
        let _ = writeln!(
            index,
            "<li><a href=\"news/story-{p:05}.html\">Story {p}</a></li>"
        );
    }
    index.push_str("</ul></body></html>\n");
    std::fs::write(site.join("index.html"), index)
}

/// Half the photos are ledgered (even ones), by file path.
fn write_config(out: &Path, images: usize) -> std::io::Result<()> {
    std::fs::write(
        out.join("clearance.toml"),
        "# Generated by gen-site for the whole-run benchmark.\nroot = \"site\"\nledger = [\"ledger.toml\"]\n",
    )?;
    let mut ledger = String::from(
        "[[photographer]]\nid = \"comms-office\"\nname = \"District Communications Office\"\nkind = \"staff\"\npermission = \"granted\"\nscope = [\"web\"]\nsigned = 2024-08-15\n\n",
    );
    for i in (0..images).step_by(2) {
        let _ = writeln!(
            ledger,
            "[[asset]]\nid = \"photo-{i:05}\"\nfiles = [\"{}\"]\nphotographer = \"comms-office\"\npeople = []\nsource = \"own\"\n",
            image_path(i)
        );
    }
    std::fs::write(out.join("ledger.toml"), ledger)
}
