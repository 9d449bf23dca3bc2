//! A built site folder on disk (Jekyll `_site`, Hugo `public`, a static export).

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::{FetchError, ImageBytes, SiteScope, Source, SourceError, Validator};
use crate::config::Globs;
use crate::model::{ImageKey, Page, PageFailure};

/// Placeholder origin for local sites without `base_url`: `.invalid` can never
/// resolve, so nothing is ever fetched from it.
pub const PLACEHOLDER_BASE: &str = "https://site.invalid/";

pub struct LocalSite {
    root: PathBuf,
    exclude: Globs,
    scope: SiteScope,
}

impl LocalSite {
    pub fn new(
        root: &Path,
        base_url: Option<url::Url>,
        exclude: Globs,
    ) -> Result<LocalSite, SourceError> {
        let meta = std::fs::metadata(root).map_err(|e| SourceError::Root {
            path: root.display().to_string(),
            reason: e.to_string(),
        })?;
        if !meta.is_dir() {
            return Err(SourceError::Root {
                path: root.display().to_string(),
                reason: "not a folder".into(),
            });
        }
        let base = base_url
            .unwrap_or_else(|| url::Url::parse(PLACEHOLDER_BASE).expect("valid placeholder"));
        Ok(LocalSite {
            root: root.to_path_buf(),
            exclude,
            scope: SiteScope { base, local: true },
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn read_page(&self, file: &Path, path: String) -> Result<Page, PageFailure> {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                return Err(PageFailure {
                    page: path,
                    reason: e.to_string(),
                });
            }
        };
        // Pages are read as UTF-8; a stray invalid byte must not hide the page.
        let html = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        match self.scope.base.join(&encode_path(&path)) {
            Ok(url) => Ok(Page { path, url, html }),
            Err(e) => Err(PageFailure {
                page: path,
                reason: format!("no URL for page: {e}"),
            }),
        }
    }

    /// The file behind a site path, refusing anything that would leave the root.
    fn file_for(&self, site_path: &str) -> Result<PathBuf, FetchError> {
        let rel = Path::new(site_path.trim_start_matches('/'));
        if rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(FetchError::NotFetched(format!(
                "{site_path} resolves outside the site root; not read"
            )));
        }
        Ok(self.root.join(rel))
    }
}

fn site_path_of(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "html" | "htm" | "xhtml"))
}

impl Source for LocalSite {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn scope(&self) -> &SiteScope {
        &self.scope
    }

    fn pages(&self, sink: &mut dyn FnMut(Page)) -> Result<Vec<PageFailure>, SourceError> {
        let mut failures = Vec::new();
        let mut found = Vec::new();
        let walker = WalkDir::new(&self.root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                // Skip VCS folders and our own cache; they are never published.
                let name = e.file_name().to_string_lossy();
                !(e.depth() > 0
                    && e.file_type().is_dir()
                    && (name == ".git" || name == ".clearance-cache"))
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    failures.push(PageFailure {
                        page: e
                            .path()
                            .and_then(|p| site_path_of(&self.root, p))
                            .unwrap_or_else(|| self.root.display().to_string()),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_file() || !is_html(entry.path()) {
                continue;
            }
            let Some(path) = site_path_of(&self.root, entry.path()) else {
                continue;
            };
            if self.exclude.is_match(&path) {
                continue;
            }
            found.push((entry.into_path(), path));
        }
        // Read on the thread pool (a large site has thousands of pages), handed
        // on in walk order.
        let read: Vec<Result<Page, PageFailure>> = found
            .into_par_iter()
            .map(|(file, path)| self.read_page(&file, path))
            .collect();
        for page in read {
            match page {
                Ok(page) => sink(page),
                Err(failure) => failures.push(failure),
            }
        }
        Ok(failures)
    }

    fn read_image(&self, key: &ImageKey) -> Result<ImageBytes, FetchError> {
        let site_path = match key {
            ImageKey::Local(p) => p,
            ImageKey::Remote(url) => {
                return Err(FetchError::NotFetched(format!(
                    "{url} is hosted elsewhere; a local scan does not fetch it (crawl the live site to check it)"
                )));
            }
            ImageKey::Embedded(label) => return Err(super::embedded_elsewhere(label)),
        };
        let file = self.file_for(site_path)?;
        let bytes = std::fs::read(&file).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::NotFound(site_path.clone()),
            _ => FetchError::Io(format!("{site_path}: {e}")),
        })?;
        Ok(ImageBytes {
            bytes,
            sidecar: read_sidecar(&file),
        })
    }

    fn validator(&self, key: &ImageKey) -> Option<Validator> {
        let ImageKey::Local(site_path) = key else {
            return None;
        };
        let file = self.file_for(site_path).ok()?;
        let meta = std::fs::metadata(&file).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let mut validator = format!(
            "{}:{}:{}",
            meta.len(),
            mtime.as_secs(),
            mtime.subsec_nanos()
        );
        // Each sidecar by which one it is, size and mtime: an edit that keeps
        // its length still counts, and so does swapping the two names.
        for (which, sidecar) in sidecar_paths(&file).iter().enumerate() {
            if let Ok(meta) = std::fs::metadata(sidecar) {
                let nanos = meta
                    .modified()
                    .ok()
                    .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                validator.push_str(&format!(":{which}:{}:{nanos}", meta.len()));
            }
        }
        Some(validator)
    }
}

/// `photo.xmp` and `photo.jpg.xmp` are both common sidecar spellings.
fn sidecar_paths(file: &Path) -> [PathBuf; 2] {
    let mut appended = file.as_os_str().to_owned();
    appended.push(".xmp");
    [file.with_extension("xmp"), PathBuf::from(appended)]
}

fn read_sidecar(file: &Path) -> Option<Vec<u8>> {
    sidecar_paths(file)
        .iter()
        .find_map(|p| std::fs::read(p).ok())
}

fn encode_path(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    path.split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_pages_honours_exclude_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("drafts")).unwrap();
        std::fs::create_dir_all(root.join("news")).unwrap();
        std::fs::write(root.join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(root.join("news/a b.html"), "<p>a</p>").unwrap();
        std::fs::write(root.join("drafts/x.html"), "<p>x</p>").unwrap();
        std::fs::write(root.join("logo.png"), b"png").unwrap();
        std::fs::write(root.join("logo.xmp"), b"<x:xmpmeta/>").unwrap();
        let site = LocalSite::new(root, None, Globs::new(&["drafts/**".into()]).unwrap()).unwrap();
        let mut pages = Vec::new();
        let failures = site
            .pages(&mut |p| pages.push((p.path, p.url.to_string())))
            .unwrap();
        assert!(failures.is_empty());
        assert_eq!(
            pages,
            vec![
                (
                    "index.html".to_string(),
                    "https://site.invalid/index.html".to_string()
                ),
                (
                    "news/a b.html".to_string(),
                    "https://site.invalid/news/a%20b.html".to_string()
                ),
            ]
        );
        let img = site
            .read_image(&ImageKey::Local("logo.png".into()))
            .unwrap();
        assert_eq!(img.bytes, b"png");
        assert_eq!(img.sidecar.as_deref(), Some(&b"<x:xmpmeta/>"[..]));
        assert!(matches!(
            site.read_image(&ImageKey::Local("missing.png".into())),
            Err(FetchError::NotFound(_))
        ));
        assert!(matches!(
            site.read_image(&ImageKey::Local("../secret.png".into())),
            Err(FetchError::NotFetched(_))
        ));
        let validator = || site.validator(&ImageKey::Local("logo.png".into()));
        let before = validator().expect("a local image has a validator");
        // A sidecar edited to the same length still tells the image changed.
        let sidecar = std::fs::File::options()
            .write(true)
            .open(root.join("logo.xmp"))
            .unwrap();
        sidecar
            .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1))
            .unwrap();
        assert_ne!(validator().unwrap(), before);
    }

    #[test]
    fn missing_root_is_a_source_error() {
        assert!(LocalSite::new(Path::new("/no/such/site"), None, Globs::empty()).is_err());
    }
}
