//! The evidence cache: an unchanged image is not read again.
//!
//! One file per key under `<dir>/entries/`, named by the SHA-256 of the key and
//! fanned out over 256 subdirectories. Each file is written to a unique temporary
//! name in the same directory and renamed into place, so:
//!
//! - a scan killed mid-write leaves at most a stray `*.tmp` (swept on the next
//!   open once it is an hour old), never a half-written entry;
//! - two scans writing the same key at once each rename a complete file; the
//!   last rename wins and both wrote the same facts;
//! - readers never lock anything.
//!
//! Why not an embedded database (redb, sled): a whole store file is one point of
//! failure and needs a writer lock, so two concurrent scans would block or fail;
//! it also adds a dependency to compile, while this needs only `std`, `serde_json`
//! and `sha2`, which the crate already has. Files are cheap at the scale of a
//! site (one small file per distinct image).
//!
//! An entry is `MAGIC | format version | key | JSON evidence | thumbnail`, with
//! lengths and a checksum. An entry of another format version, for another key
//! (a hash collision), truncated or corrupted, is a miss, never an error: the
//! image is simply read again and the entry rewritten. The version covers both
//! this layout and the crate version, because a newer clearance may read more
//! evidence from the same bytes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::model::Evidence;

/// The default cache directory, beside the config.
pub const DEFAULT_DIR: &str = ".clearance-cache";

/// Bump when the entry layout or the meaning of a cached field changes.
// 2: perceptual hashes use JPEG luma (BT.601) and DC-only decoding.
const FORMAT_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"CLRCACHE";
/// magic, format version, version tag, key, JSON and thumbnail lengths, checksum.
const HEADER_LEN: usize = 8 + 4 + 4 + 4 + 4 + 4 + 8;
/// Temporary files older than this belong to a scan that died.
const STALE_TEMP: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot use cache directory {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write cache entry {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot serialise evidence for the cache: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// An evidence cache in one directory. Cheap to share across threads (`&Cache`).
#[derive(Debug)]
pub struct Cache {
    entries: PathBuf,
    /// `FORMAT_VERSION` and the crate version, hashed: what an entry must carry to count.
    version: [u8; 4],
}

/// A cached entry: the evidence, and the thumbnail when one was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub evidence: Evidence,
    pub thumbnail: Option<Vec<u8>>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// Open (creating if needed) the cache in `dir`. Marks the directory with a
    /// `CACHEDIR.TAG` (backup tools skip it) and a `.gitignore` (never committed).
    pub fn open(dir: impl AsRef<Path>) -> Result<Cache, CacheError> {
        let dir = dir.as_ref();
        let entries = dir.join("entries");
        let dir_err = |source| CacheError::Dir {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(&entries).map_err(dir_err)?;
        write_if_missing(
            &dir.join("CACHEDIR.TAG"),
            b"Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache made by clearance; it may be deleted at any time.\n",
        )
        .map_err(dir_err)?;
        write_if_missing(
            &dir.join(".gitignore"),
            b"# Made by clearance: the evidence cache is local.\n*\n",
        )
        .map_err(dir_err)?;
        let cache = Cache {
            entries,
            version: version_tag(env!("CARGO_PKG_VERSION")),
        };
        cache.sweep_stale_temps();
        Ok(cache)
    }

    /// The key for a local file: its path, size and modification time. Any
    /// change to the file changes the key.
    pub fn local_key(path: &Path, size: u64, modified: Option<SystemTime>) -> String {
        let mtime = modified
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or_else(
                || "?".to_string(),
                |d| format!("{}.{:09}", d.as_secs(), d.subsec_nanos()),
            );
        format!("file\0{}\0{size}\0{mtime}", path.display())
    }

    /// The key for a fetched image: its URL with the validators the server sent.
    /// Without either validator a response cannot be told unchanged: `None`.
    pub fn remote_key(
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Option<String> {
        if etag.is_none() && last_modified.is_none() {
            return None;
        }
        Some(format!(
            "url\0{url}\0{}\0{}",
            etag.unwrap_or(""),
            last_modified.unwrap_or("")
        ))
    }

    /// The cached evidence for `key`, if a valid entry exists.
    pub fn get(&self, key: &str) -> Option<Evidence> {
        self.get_entry(key).map(|e| e.evidence)
    }

    /// The cached evidence and thumbnail for `key`, if a valid entry exists.
    pub fn get_entry(&self, key: &str) -> Option<Entry> {
        let bytes = fs::read(self.path_for(key)).ok()?;
        self.decode(key, &bytes)
    }

    /// Store the evidence for `key` (replacing any entry).
    pub fn put(&self, key: &str, evidence: &Evidence) -> Result<(), CacheError> {
        self.put_entry(key, evidence, None)
    }

    /// Store the evidence and a thumbnail for `key` (replacing any entry).
    pub fn put_entry(
        &self,
        key: &str,
        evidence: &Evidence,
        thumbnail: Option<&[u8]>,
    ) -> Result<(), CacheError> {
        let json = serde_json::to_vec(evidence)?;
        let thumb = thumbnail.unwrap_or(&[]);
        let mut bytes = Vec::with_capacity(HEADER_LEN + key.len() + json.len() + thumb.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&self.version);
        bytes.extend_from_slice(&len32(key.len()).to_le_bytes());
        bytes.extend_from_slice(&len32(json.len()).to_le_bytes());
        // u32::MAX marks "no thumbnail", distinct from an empty one.
        let thumb_len = if thumbnail.is_some() {
            len32(thumb.len())
        } else {
            u32::MAX
        };
        bytes.extend_from_slice(&thumb_len.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 8]); // checksum, filled below
        bytes.extend_from_slice(key.as_bytes());
        bytes.extend_from_slice(&json);
        bytes.extend_from_slice(thumb);
        let sum = checksum(&bytes[HEADER_LEN..]);
        bytes[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&sum);

        let path = self.path_for(key);
        let write_err = |source| CacheError::Write {
            path: path.clone(),
            source,
        };
        let parent = path.parent().expect("entries have a fan-out directory");
        fs::create_dir_all(parent).map_err(write_err)?;
        let temp = parent.join(format!(
            "{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = fs::File::create(&temp).and_then(|mut f| f.write_all(&bytes));
        if let Err(e) = written.and_then(|()| fs::rename(&temp, &path)) {
            let _ = fs::remove_file(&temp);
            return Err(write_err(e));
        }
        Ok(())
    }

    fn path_for(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.entries.join(&hex[..2]).join(&hex[2..])
    }

    fn decode(&self, key: &str, bytes: &[u8]) -> Option<Entry> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return None;
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        if word(8) != FORMAT_VERSION || bytes[12..16] != self.version {
            return None;
        }
        let (key_len, json_len, thumb_len) = (word(16) as usize, word(20) as usize, word(24));
        let body = &bytes[HEADER_LEN..];
        let thumb_bytes = if thumb_len == u32::MAX {
            0
        } else {
            thumb_len as usize
        };
        if body.len() != key_len.checked_add(json_len)?.checked_add(thumb_bytes)?
            || checksum(body) != bytes[HEADER_LEN - 8..HEADER_LEN]
        {
            return None;
        }
        let (stored_key, rest) = body.split_at(key_len);
        if stored_key != key.as_bytes() {
            return None;
        }
        let (json, thumb) = rest.split_at(json_len);
        let evidence = serde_json::from_slice(json).ok()?;
        Some(Entry {
            evidence,
            thumbnail: (thumb_len != u32::MAX).then(|| thumb.to_vec()),
        })
    }

    /// Remove temporary files left by scans that died mid-write.
    fn sweep_stale_temps(&self) {
        let Ok(fanouts) = fs::read_dir(&self.entries) else {
            return;
        };
        let now = SystemTime::now();
        for fanout in fanouts.flatten() {
            let Ok(files) = fs::read_dir(fanout.path()) else {
                continue;
            };
            for file in files.flatten() {
                let path = file.path();
                let stale = path.extension().is_some_and(|e| e == "tmp")
                    && file
                        .metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMP));
                if stale {
                    let _ = fs::remove_file(path);
                }
            }
        }
    }
}

fn len32(n: usize) -> u32 {
    // Evidence JSON and thumbnails are kilobytes; 4 GiB would be a bug upstream.
    u32::try_from(n).expect("cache entry part under 4 GiB")
}

fn checksum(body: &[u8]) -> [u8; 8] {
    Sha256::digest(body)[..8].try_into().expect("8 bytes")
}

fn version_tag(crate_version: &str) -> [u8; 4] {
    Sha256::digest(format!("{FORMAT_VERSION}/{crate_version}").as_bytes())[..4]
        .try_into()
        .expect("4 bytes")
}

fn write_if_missing(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => f.write_all(contents),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metadata;

    fn evidence(creator: &str) -> Evidence {
        Evidence {
            format: Some("jpeg".into()),
            width: Some(1200),
            height: Some(800),
            bytes: 123_456,
            sha256: Some("ab".repeat(32)),
            phash: Some("0123456789abcdef".into()),
            preview_phash: Some("fedcba9876543210".into()),
            metadata: Metadata {
                creator: Some(creator.into()),
                gps: true,
                gps_position: Some((48.1, 11.5)),
                ..Metadata::default()
            },
            faces: None,
            error: None,
        }
    }

    fn only_entry(dir: &Path) -> PathBuf {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("entries"))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files.pop().unwrap()
    }

    #[test]
    fn evidence_and_thumbnail_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let key = Cache::local_key(
            Path::new("images/a.jpg"),
            123_456,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        );
        assert_eq!(cache.get(&key), None);
        cache
            .put_entry(&key, &evidence("Jane"), Some(b"\xFF\xD8thumb"))
            .unwrap();
        let entry = cache.get_entry(&key).unwrap();
        assert_eq!(entry.evidence, evidence("Jane"));
        assert_eq!(entry.thumbnail.as_deref(), Some(&b"\xFF\xD8thumb"[..]));
        // Reopening (a later scan) sees the same entry; a new put replaces it.
        let again = Cache::open(dir.path()).unwrap();
        assert_eq!(again.get(&key), Some(evidence("Jane")));
        again.put(&key, &evidence("Joe")).unwrap();
        assert_eq!(
            cache.get_entry(&key).unwrap(),
            Entry {
                evidence: evidence("Joe"),
                thumbnail: None
            }
        );
        assert!(dir.path().join("CACHEDIR.TAG").is_file());
    }

    #[test]
    fn a_changed_file_has_a_different_key() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let a = Cache::local_key(Path::new("a.jpg"), 10, Some(t));
        assert_ne!(a, Cache::local_key(Path::new("a.jpg"), 11, Some(t)));
        assert_ne!(
            a,
            Cache::local_key(Path::new("a.jpg"), 10, Some(t + Duration::from_nanos(1)))
        );
        assert_ne!(a, Cache::local_key(Path::new("b.jpg"), 10, Some(t)));
        assert_eq!(Cache::remote_key("https://x/a.jpg", None, None), None);
        assert_ne!(
            Cache::remote_key("https://x/a.jpg", Some("\"v1\""), None),
            Cache::remote_key("https://x/a.jpg", Some("\"v2\""), None)
        );
    }

    #[test]
    fn another_version_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put("k", &evidence("Jane")).unwrap();
        let newer = Cache {
            entries: cache.entries.clone(),
            version: version_tag("99.0.0"),
        };
        assert_eq!(newer.get("k"), None);
        // The newer version rewrites the entry; the old one then misses in turn.
        newer.put("k", &evidence("Jane")).unwrap();
        assert_eq!(newer.get("k"), Some(evidence("Jane")));
        assert_eq!(cache.get("k"), None);
    }

    #[test]
    fn corrupt_truncated_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache
            .put_entry("k", &evidence("Jane"), Some(b"thumb"))
            .unwrap();
        let path = only_entry(dir.path());
        let good = fs::read(&path).unwrap();

        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01; // a bit flip in the thumbnail
        for bad in [
            flipped,
            good[..good.len() - 3].to_vec(),
            b"garbage".to_vec(),
            Vec::new(),
        ] {
            fs::write(&path, &bad).unwrap();
            assert_eq!(cache.get("k"), None);
        }
        // A valid entry stored under this key's file name for a different key
        // (as a hash collision would) is not returned for this key.
        fs::write(&path, &good).unwrap();
        let foreign = cache.path_for("other");
        fs::create_dir_all(foreign.parent().unwrap()).unwrap();
        fs::copy(&path, &foreign).unwrap();
        assert_eq!(cache.get("other"), None);
        assert_eq!(cache.get("k"), Some(evidence("Jane")));
    }

    #[test]
    fn concurrent_writers_leave_one_complete_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        // Two "scans" (separate Cache handles) writing the same keys at once,
        // while a reader checks it never sees a partial entry.
        let writers: Vec<_> = ["Jane", "Joe"]
            .into_iter()
            .map(|who| {
                let path = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let c = Cache::open(&path).unwrap();
                    for i in 0..200 {
                        c.put(&format!("k{}", i % 20), &evidence(who)).unwrap();
                    }
                })
            })
            .collect();
        for _ in 0..200 {
            for i in 0..20 {
                if let Some(e) = cache.get(&format!("k{i}")) {
                    assert!(e == evidence("Jane") || e == evidence("Joe"));
                }
            }
        }
        writers.into_iter().for_each(|w| w.join().unwrap());
        for i in 0..20 {
            assert!(cache.get(&format!("k{i}")).is_some());
        }
        let temps = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "tmp"))
            .count();
        assert_eq!(temps, 0);
    }

    #[test]
    fn stale_temp_from_a_killed_scan_is_swept_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.put("k", &evidence("Jane")).unwrap();
        let fanout = only_entry(dir.path()).parent().unwrap().to_path_buf();
        let stale = fanout.join("dead.1.0.tmp");
        let fresh = fanout.join("live.2.0.tmp");
        fs::write(&stale, b"half").unwrap();
        fs::write(&fresh, b"half").unwrap();
        let old = SystemTime::now() - Duration::from_secs(2 * 3600);
        fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let _ = Cache::open(dir.path()).unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists());
        assert_eq!(cache.get("k"), Some(evidence("Jane")));
    }

    #[test]
    fn unusable_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        fs::write(&file, b"x").unwrap();
        let err = Cache::open(&file).unwrap_err();
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
