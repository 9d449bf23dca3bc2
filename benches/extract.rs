//! How fast one large page is turned into image uses.
//!
//! Run: `cargo bench --bench extract`

use clearance::extract::extract;
use clearance::model::Page;
use clearance::source::SiteScope;

fn main() {
    divan::main();
}

/// A generated news page with `figures` captioned, credited images (src + srcset), inline
/// background images, a style block and a credits section naming every tenth image.
fn large_page(figures: usize) -> String {
    let mut html = String::from(
        "<!doctype html><html><head><title>News</title>\
         <meta property=\"og:image\" content=\"/images/cover.jpg\">\
         <link rel=\"icon\" href=\"/favicon.ico\">\
         <style>.hero{background:url(/images/hero.jpg)} p{color:#333}</style></head><body>\n",
    );
    for i in 0..figures {
        html.push_str(&format!(
            "<figure class=\"wp-block-image\">\n  <img src=\"../images/photo-{i}.jpg\" \
             srcset=\"../images/photo-{i}-300.jpg 300w, ../images/photo-{i}-600.jpg 600w\" \
             alt=\"Students in the library, photo {i}\" loading=\"lazy\">\n  \
             <figcaption>Robotics club, day {i}. Photo: <a href=\"https://example.org/p{i}\">Jane Doe</a>, \
             <a rel=\"license\" href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a></figcaption>\n\
             </figure>\n<p>Some article text about the event, with <em>emphasis</em> and a \
             <a href=\"/news/{i}.html\">link</a>.</p>\n<div class=\"banner\" style=\"background-image:url('/images/bg-{i}.png')\"></div>\n"
        ));
    }
    html.push_str("<section class=\"image-credits\"><h2>Image credits</h2><ul>\n");
    for i in (0..figures).step_by(10) {
        html.push_str(&format!(
            "<li>photo-{i}.jpg by Sam Roe, CC BY-SA 4.0</li>\n"
        ));
    }
    html.push_str("</ul></section></body></html>\n");
    html
}

fn page(figures: usize) -> Page {
    Page {
        path: "news/index.html".into(),
        url: url::Url::parse("https://school.example/news/index.html").unwrap(),
        html: large_page(figures),
    }
}

fn scope() -> SiteScope {
    SiteScope {
        base: url::Url::parse("https://school.example/").unwrap(),
        local: true,
    }
}

/// 2,000 figures: about 1 MB of HTML and 8,000 image uses.
#[divan::bench(args = [200, 2000])]
fn large_news_page(bencher: divan::Bencher, figures: usize) {
    let page = page(figures);
    let scope = scope();
    bencher
        .counter(divan::counter::BytesCount::new(page.html.len()))
        .bench(|| extract(divan::black_box(&page), &scope).uses.len());
}

/// Baseline: scraper's own parse of the same page, without positions or extraction.
#[divan::bench(args = [2000])]
fn scraper_parse_only(bencher: divan::Bencher, figures: usize) {
    let page = page(figures);
    bencher
        .counter(divan::counter::BytesCount::new(page.html.len()))
        .bench(|| {
            scraper::Html::parse_document(divan::black_box(&page.html))
                .tree
                .nodes()
                .count()
        });
}
