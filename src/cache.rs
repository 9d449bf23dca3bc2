//! The evidence cache: an unchanged image is not read again, and an unchanged
//! page is not parsed again (any serialisable value can be kept, by key).
//!
//! The store is a folder of packs, `<dir>/packs/*.pack`. A scan that learns
//! something new appends each entry to its own, uniquely named temporary file
//! as images are read, and when it ends writes an index and renames the file
//! into place as one more pack. So:
//!
//! - a scan killed mid-write leaves only a `*.tmp` file (swept by a later open
//!   once it is an hour old), never a half-written pack;
//! - two scans at once each write their own pack, and readers never lock; for a
//!   key in several packs, the newest pack's entry counts;
//! - a scan costs a handful of file operations however many images it reads.
//!   The first format, one file per entry, spent more system time creating files
//!   than reading the images (0.9 s of 1.2 s for 1,200 photos, BENCHMARKS.md).
//!
//! Once a scan would leave more than [`MAX_PACKS`] packs, it merges them into
//! one instead, keeping the entries it used and those some scan used within
//! [`RETAIN_UNUSED`] (each index entry carries its last use); entries of files
//! that changed (their key changed with them) or of images no longer published
//! fall away. The merged pack's name sorts right after the newest pack it
//! replaces, so packs other scans committed meanwhile still override it.
//!
//! Why not an embedded database (redb, sled): those need a writer lock, so two
//! concurrent scans (a CI job and a person) would block or fail, and they add a
//! dependency to compile; this needs only `std`, `serde_json` and `sha2`.
//!
//! A pack is `MAGIC | format version | version tag`, then records, then an index
//! of `(key hash, offset, length, last used)` and a trailer locating and
//! checksumming it.
//! A record is `key, JSON evidence, thumbnail` with their lengths and a checksum.
//! A pack of another format version, or with a broken index, is ignored; a
//! record that is truncated, corrupted or for another key (a hash collision) is
//! a miss. Neither is ever an error: the image is simply read again. The version
//! tag covers the crate version, because a newer clearance may read more
//! evidence from the same bytes.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::model::Evidence;

/// The default cache directory, beside the config.
pub const DEFAULT_DIR: &str = ".clearance-cache";

/// Bump when the layout or the meaning of a cached field changes.
// 2: perceptual hashes use JPEG luma (BT.601) and DC-only decoding.
// 3: packs instead of one file per entry; previews carry a confirmation hash;
//    hashes resample a luma plane (no longer through `image`'s RGBA resize).
// 4: an unreadable JPEG header's error is zune-jpeg's own message (it was
//    wrapped in `image`'s "Format error decoding Jpeg: …").
// 5: perceptual hashes are of the picture as shown (EXIF orientation applied).
const FORMAT_VERSION: u32 = 5;
const MAGIC: &[u8; 8] = b"CLRPACK\0";
const END_MAGIC: &[u8; 8] = b"CLRPEND\0";
/// magic, format version, version tag.
const PACK_HEADER_LEN: u64 = 8 + 4 + 4;
/// key, JSON and thumbnail lengths, checksum.
const RECORD_HEADER_LEN: usize = 4 + 4 + 4 + 8;
/// key hash, offset, length, last used (Unix seconds).
const INDEX_ENTRY_LEN: usize = 8 + 8 + 4 + 8;
/// index offset, entry count, index checksum, end magic.
const TRAILER_LEN: usize = 8 + 4 + 8 + 8;
/// More packs than this are merged into one by the scan that would add another.
pub const MAX_PACKS: usize = 8;
/// When packs are merged, an entry the merging scan did not use survives this long.
pub const RETAIN_UNUSED: Duration = Duration::from_secs(30 * 24 * 3600);
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
    #[error("cannot write cache pack {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot serialise evidence for the cache: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// An evidence cache in one directory, as one scan sees it: the packs present
/// when it was opened, and the entries this scan adds. Share it across threads
/// as `&Cache`; what was added becomes a pack on [`Cache::commit`] or drop.
#[derive(Debug)]
pub struct Cache {
    packs_dir: PathBuf,
    /// `FORMAT_VERSION` and the crate version, hashed: what a pack must carry to count.
    version: [u8; 4],
    packs: Vec<OpenPack>,
    /// Key hash → where its newest entry is, among `packs`.
    index: HashMap<u64, Location>,
    /// The pack this scan is writing, created at the first `put`.
    writer: Mutex<Option<PackWriter>>,
    /// Keys this scan looked up or stored: kept when packs are merged.
    used: Mutex<HashSet<u64>>,
}

#[derive(Debug)]
struct OpenPack {
    path: PathBuf,
    file: File,
}

#[derive(Debug, Clone, Copy)]
struct Location {
    pack: usize,
    record: Record,
}

/// Where a record lies in its pack, and when a scan last used it (Unix seconds):
/// what a merge keeps entries by, since merging rewrites every pack.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Record {
    offset: u64,
    len: u32,
    last_used: u64,
}

#[derive(Debug)]
struct PackWriter {
    temp: PathBuf,
    file: File,
    len: u64,
    /// Key hash → its latest record in this pack.
    index: HashMap<u64, Record>,
}

/// A cached entry: the evidence, and the thumbnail when one was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub evidence: Evidence,
    pub thumbnail: Option<Vec<u8>>,
}

static NAME_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// Open (creating if needed) the cache in `dir`. Marks the directory with a
    /// `CACHEDIR.TAG` (backup tools skip it) and a `.gitignore` (never committed).
    pub fn open(dir: impl AsRef<Path>) -> Result<Cache, CacheError> {
        let dir = dir.as_ref();
        let packs_dir = dir.join("packs");
        let dir_err = |source| CacheError::Dir {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(&packs_dir).map_err(dir_err)?;
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
        // The first format's one-file-per-entry tree is never read again.
        let legacy = dir.join("entries");
        if legacy.is_dir() {
            let _ = fs::remove_dir_all(legacy);
        }
        let version = version_tag(env!("CARGO_PKG_VERSION"));
        let mut names: Vec<PathBuf> = fs::read_dir(&packs_dir)
            .map_err(dir_err)?
            .flatten()
            .map(|e| e.path())
            .collect();
        sweep_stale_temps(&names);
        names.retain(|p| p.extension().is_some_and(|e| e == "pack"));
        // Names begin with the creation time: sorted, a later pack overrides.
        names.sort();
        let mut packs = Vec::new();
        let mut index = HashMap::new();
        for path in names {
            // A pack merged away by a concurrent scan, or unreadable: a miss.
            let Some((pack, entries)) = read_pack_index(&path, &version) else {
                // Another clearance version's, or broken: nothing this version can
                // use. Left an hour, in case a scan of that version is running.
                if is_older_than(&path, STALE_TEMP) {
                    let _ = fs::remove_file(&path);
                }
                continue;
            };
            let n = packs.len();
            for (hash, record) in entries {
                index.insert(hash, Location { pack: n, record });
            }
            packs.push(pack);
        }
        Ok(Cache {
            packs_dir,
            version,
            packs,
            index,
            writer: Mutex::new(None),
            used: Mutex::new(HashSet::new()),
        })
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
        let record = self.get_record(key)?;
        let (json, thumbnail) = decode(key, &record)?;
        Some(Entry {
            evidence: serde_json::from_slice(json).ok()?,
            thumbnail: thumbnail.map(<[u8]>::to_vec),
        })
    }

    /// Any other value stored with [`Cache::put_value`] under `key` (a page's
    /// image uses, for one): what is cached need not be evidence.
    pub fn get_value<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let record = self.get_record(key)?;
        let (json, _) = decode(key, &record)?;
        serde_json::from_slice(json).ok()
    }

    /// The newest record stored under `key`'s hash, not yet checked.
    fn get_record(&self, key: &str) -> Option<Vec<u8>> {
        let hash = key_hash(key);
        lock(&self.used).insert(hash);
        // What this scan stored last is newer than any pack.
        if let Some(writer) = lock(&self.writer).as_ref()
            && let Some(at) = writer.index.get(&hash)
        {
            return read_record(&writer.file, at.offset, at.len);
        }
        let at = self.index.get(&hash)?;
        read_record(&self.packs[at.pack].file, at.record.offset, at.record.len)
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
        self.put_record(key, encode(key, &serde_json::to_vec(evidence)?, thumbnail))
    }

    /// Store any serialisable `value` under `key`; read it with [`Cache::get_value`].
    /// Keys share one namespace with evidence: give each kind of value its own prefix.
    pub fn put_value<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), CacheError> {
        self.put_record(key, encode(key, &serde_json::to_vec(value)?, None))
    }

    fn put_record(&self, key: &str, record: Vec<u8>) -> Result<(), CacheError> {
        let hash = key_hash(key);
        lock(&self.used).insert(hash);
        let mut writer = lock(&self.writer);
        if writer.is_none() {
            *writer = Some(self.start_pack()?);
        }
        let writer = writer.as_mut().expect("just started");
        writer.append(hash, &record, unix_seconds(SystemTime::now()))
    }

    /// Turn what this scan stored into a pack others can read (merging packs
    /// when there are too many). Dropping the cache does the same, ignoring errors.
    pub fn commit(&mut self) -> Result<(), CacheError> {
        self.commit_at(SystemTime::now())
    }

    /// [`Cache::commit`] as if at `now`: how old unused entries are when merging.
    fn commit_at(&mut self, now: SystemTime) -> Result<(), CacheError> {
        let writer = lock(&self.writer).take();
        if self.packs.len() + usize::from(writer.is_some()) > MAX_PACKS {
            match (self.merge(writer.as_ref(), now), writer) {
                (Ok(()), Some(writer)) => {
                    writer.discard();
                    Ok(())
                }
                // Not merged: this scan's entries still become a pack of their own.
                (Err(_), Some(writer)) => writer.finish(&self.final_name()),
                (result, None) => result,
            }
        } else if let Some(writer) = writer {
            writer.finish(&self.final_name())
        } else {
            Ok(())
        }
    }

    /// Write every live entry (of the packs and of `writer`) worth keeping into
    /// one new pack, and remove the packs it replaces. Kept: what this scan used,
    /// and what a scan used less than [`RETAIN_UNUSED`] before `now`.
    fn merge(&mut self, writer: Option<&PackWriter>, now: SystemTime) -> Result<(), CacheError> {
        let mut merged = self.start_pack()?;
        let used = std::mem::take(&mut *lock(&self.used));
        let now = unix_seconds(now);
        let oldest_kept = now.saturating_sub(RETAIN_UNUSED.as_secs());
        let mut copy = |file: &File, hash: u64, at: Record| {
            let last_used = if used.contains(&hash) {
                now
            } else {
                at.last_used
            };
            if last_used < oldest_kept {
                return Ok(());
            }
            match read_record(file, at.offset, at.len) {
                Some(record) => merged.append(hash, &record, last_used),
                None => Ok(()), // unreadable: dropped
            }
        };
        let mut copied = Ok(());
        for (&hash, at) in &self.index {
            let superseded = writer.is_some_and(|w| w.index.contains_key(&hash));
            if copied.is_ok() && !superseded {
                copied = copy(&self.packs[at.pack].file, hash, at.record);
            }
        }
        for (&hash, &at) in writer.iter().flat_map(|w| &w.index) {
            if copied.is_ok() {
                copied = copy(&writer.expect("has an index").file, hash, at);
            }
        }
        if let Err(e) = copied {
            merged.discard();
            return Err(e);
        }
        merged.finish(&self.merged_name())?;
        for OpenPack { path, file } in self.packs.drain(..) {
            drop(file); // Windows removes no open file
            let _ = fs::remove_file(path);
        }
        self.index.clear();
        Ok(())
    }

    fn start_pack(&self) -> Result<PackWriter, CacheError> {
        let temp = self.packs_dir.join(format!("{}.tmp", unique_stem()));
        let write_err = |source| CacheError::Write {
            path: temp.clone(),
            source,
        };
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(write_err)?;
        let mut header = Vec::with_capacity(PACK_HEADER_LEN as usize);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&self.version);
        write_at(&file, &header, 0).map_err(write_err)?;
        Ok(PackWriter {
            temp,
            file,
            len: PACK_HEADER_LEN,
            index: HashMap::new(),
        })
    }

    /// A merged pack's name sorts right after the newest pack it replaces:
    /// packs other scans committed while this one ran (newer, and not merged)
    /// still override it, as they did before the merge.
    fn merged_name(&self) -> PathBuf {
        let newest = self
            .packs
            .last()
            .and_then(|p| p.path.file_stem())
            .and_then(|stem| stem.to_str());
        let Some(newest) = newest else {
            return self.final_name();
        };
        // Merged again: the suffix is replaced, not added to.
        let base = newest.split('+').next().unwrap_or(newest);
        self.packs_dir.join(format!(
            "{base}+{}-{}.pack",
            std::process::id(),
            NAME_COUNTER.fetch_add(1, Ordering::Relaxed)
        ))
    }

    fn final_name(&self) -> PathBuf {
        self.packs_dir.join(format!("{}.pack", unique_stem()))
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // A cache that cannot be written only costs speed on the next run.
        let _ = self.commit();
    }
}

/// A name no other scan picks, that sorts by creation time.
fn unique_stem() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:024}-{}-{}",
        std::process::id(),
        NAME_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl PackWriter {
    /// Add a record; a later record for the same key hash replaces the earlier.
    fn append(&mut self, hash: u64, record: &[u8], last_used: u64) -> Result<(), CacheError> {
        write_at(&self.file, record, self.len).map_err(|source| CacheError::Write {
            path: self.temp.clone(),
            source,
        })?;
        let at = Record {
            offset: self.len,
            len: len32(record.len()),
            last_used,
        };
        self.index.insert(hash, at);
        self.len += record.len() as u64;
        Ok(())
    }

    /// Write the index and trailer and rename the pack into place as `name`.
    fn finish(self, name: &Path) -> Result<(), CacheError> {
        let mut table = Vec::with_capacity(self.index.len() * INDEX_ENTRY_LEN + TRAILER_LEN);
        for (&hash, at) in &self.index {
            table.extend_from_slice(&hash.to_le_bytes());
            table.extend_from_slice(&at.offset.to_le_bytes());
            table.extend_from_slice(&at.len.to_le_bytes());
            table.extend_from_slice(&at.last_used.to_le_bytes());
        }
        let sum = checksum(&table);
        table.extend_from_slice(&self.len.to_le_bytes());
        table.extend_from_slice(&len32(self.index.len()).to_le_bytes());
        table.extend_from_slice(&sum);
        table.extend_from_slice(END_MAGIC);
        let written = write_at(&self.file, &table, self.len);
        let PackWriter { temp, file, .. } = self;
        drop(file); // Windows renames no open file
        let renamed = written.and_then(|()| fs::rename(&temp, name));
        if renamed.is_err() {
            let _ = fs::remove_file(&temp);
        }
        renamed.map_err(|source| CacheError::Write {
            path: name.to_path_buf(),
            source,
        })
    }

    /// Remove the unfinished pack (its records went elsewhere).
    fn discard(self) {
        let PackWriter { temp, file, .. } = self;
        drop(file);
        let _ = fs::remove_file(temp);
    }
}

/// Open a pack and read its index: `None` if it is of another version or broken.
fn read_pack_index(path: &Path, version: &[u8; 4]) -> Option<(OpenPack, Vec<(u64, Record)>)> {
    let file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let size = meta.len();
    let mut header = [0u8; PACK_HEADER_LEN as usize];
    read_at(&file, &mut header, 0).ok()?;
    if &header[..8] != MAGIC
        || header[8..12] != FORMAT_VERSION.to_le_bytes()
        || header[12..16] != *version
        || size < PACK_HEADER_LEN + TRAILER_LEN as u64
    {
        return None;
    }
    let mut trailer = [0u8; TRAILER_LEN];
    read_at(&file, &mut trailer, size - TRAILER_LEN as u64).ok()?;
    if &trailer[20..28] != END_MAGIC {
        return None;
    }
    let index_at = u64::from_le_bytes(trailer[..8].try_into().ok()?);
    let count = u32::from_le_bytes(trailer[8..12].try_into().ok()?) as u64;
    let table_len = count.checked_mul(INDEX_ENTRY_LEN as u64)?;
    let end = index_at
        .checked_add(table_len)?
        .checked_add(TRAILER_LEN as u64)?;
    if index_at < PACK_HEADER_LEN || end != size {
        return None;
    }
    let mut table = vec![0u8; usize::try_from(table_len).ok()?];
    read_at(&file, &mut table, index_at).ok()?;
    if checksum(&table) != trailer[12..20] {
        return None;
    }
    let entries = table
        .chunks_exact(INDEX_ENTRY_LEN)
        .map(|e| {
            let hash = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
            let offset = u64::from_le_bytes(e[8..16].try_into().expect("8 bytes"));
            let len = u32::from_le_bytes(e[16..20].try_into().expect("4 bytes"));
            let last_used = u64::from_le_bytes(e[20..28].try_into().expect("8 bytes"));
            let record = Record {
                offset,
                len,
                last_used,
            };
            (hash, record)
        })
        // A record must lie between the header and the index.
        .filter(|(_, at)| {
            at.offset >= PACK_HEADER_LEN && at.offset.saturating_add(u64::from(at.len)) <= index_at
        })
        .collect();
    let pack = OpenPack {
        path: path.to_path_buf(),
        file,
    };
    Some((pack, entries))
}

fn read_record(file: &File, offset: u64, len: u32) -> Option<Vec<u8>> {
    let mut record = vec![0u8; len as usize];
    read_at(file, &mut record, offset).ok()?;
    Some(record)
}

// Positional reads and writes: scans read one pack from many threads, and a
// pack being written is read back by the scan writing it.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match file.seek_read(&mut buf[done..], offset + done as u64)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => done += n,
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match file.seek_write(&buf[done..], offset + done as u64)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => done += n,
        }
    }
    Ok(())
}

fn encode(key: &str, json: &[u8], thumbnail: Option<&[u8]>) -> Vec<u8> {
    let thumb = thumbnail.unwrap_or(&[]);
    let mut bytes = Vec::with_capacity(RECORD_HEADER_LEN + key.len() + json.len() + thumb.len());
    bytes.extend_from_slice(&len32(key.len()).to_le_bytes());
    bytes.extend_from_slice(&len32(json.len()).to_le_bytes());
    // u32::MAX marks "no thumbnail", distinct from an empty one.
    let thumb_len = thumbnail.map_or(u32::MAX, |t| len32(t.len()));
    bytes.extend_from_slice(&thumb_len.to_le_bytes());
    bytes.extend_from_slice(&[0u8; 8]); // checksum, filled below
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(json);
    bytes.extend_from_slice(thumb);
    let sum = checksum(&bytes[RECORD_HEADER_LEN..]);
    bytes[RECORD_HEADER_LEN - 8..RECORD_HEADER_LEN].copy_from_slice(&sum);
    bytes
}

/// A record's JSON and thumbnail, if it is whole and stored under `key`.
fn decode<'r>(key: &str, bytes: &'r [u8]) -> Option<(&'r [u8], Option<&'r [u8]>)> {
    if bytes.len() < RECORD_HEADER_LEN {
        return None;
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let (key_len, json_len, thumb_len) = (word(0) as usize, word(4) as usize, word(8));
    let body = &bytes[RECORD_HEADER_LEN..];
    let thumb_bytes = if thumb_len == u32::MAX {
        0
    } else {
        thumb_len as usize
    };
    if body.len() != key_len.checked_add(json_len)?.checked_add(thumb_bytes)?
        || checksum(body) != bytes[RECORD_HEADER_LEN - 8..RECORD_HEADER_LEN]
    {
        return None;
    }
    let (stored_key, rest) = body.split_at(key_len);
    if stored_key != key.as_bytes() {
        return None;
    }
    let (json, thumb) = rest.split_at(json_len);
    Some((json, (thumb_len != u32::MAX).then_some(thumb)))
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn key_hash(key: &str) -> u64 {
    u64::from_le_bytes(
        Sha256::digest(key.as_bytes())[..8]
            .try_into()
            .expect("8 bytes"),
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock left only a cache behind: use it anyway.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

/// Remove temporary packs left by scans that died mid-write.
fn sweep_stale_temps(paths: &[PathBuf]) {
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
    {
        if is_older_than(path, STALE_TEMP) {
            let _ = fs::remove_file(path);
        }
    }
}

fn is_older_than(path: &Path, age: Duration) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| SystemTime::now().duration_since(t).is_ok_and(|a| a > age))
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
            phash_tried: true,
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

    fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = fs::read_dir(dir.join("packs"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect();
        found.sort();
        found
    }

    /// A cache folder where one finished scan stored `k` (Jane's evidence).
    fn cache_holding_k() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        scan_storing(dir.path(), "k");
        dir
    }

    /// One finished scan that stored `key` (Jane's evidence), and nothing else.
    fn scan_storing(dir: &Path, key: &str) {
        Cache::open(dir)
            .unwrap()
            .put(key, &evidence("Jane"))
            .unwrap();
    }

    fn backdate(path: &Path, age: Duration) {
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - age)
            .unwrap();
    }

    #[test]
    fn evidence_and_thumbnail_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let key = Cache::local_key(
            Path::new("images/a.jpg"),
            123_456,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        );
        {
            let cache = Cache::open(dir.path()).unwrap();
            assert_eq!(cache.get(&key), None);
            cache
                .put_entry(&key, &evidence("Jane"), Some(b"\xFF\xD8thumb"))
                .unwrap();
            // The scan that stored it reads it back before committing.
            let entry = cache.get_entry(&key).unwrap();
            assert_eq!(entry.evidence, evidence("Jane"));
            assert_eq!(entry.thumbnail.as_deref(), Some(&b"\xFF\xD8thumb"[..]));
        }
        // A later scan sees the same entry; its own put replaces it.
        let mut again = Cache::open(dir.path()).unwrap();
        assert_eq!(again.get(&key), Some(evidence("Jane")));
        again.put(&key, &evidence("Joe")).unwrap();
        again.commit().unwrap();
        assert_eq!(
            Cache::open(dir.path()).unwrap().get_entry(&key).unwrap(),
            Entry {
                evidence: evidence("Joe"),
                thumbnail: None
            }
        );
        assert!(dir.path().join("CACHEDIR.TAG").is_file());
        assert_eq!(files(dir.path(), "pack").len(), 2);
        assert!(files(dir.path(), "tmp").is_empty());
    }

    #[test]
    fn other_values_round_trip_and_are_no_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let uses = vec!["a.jpg".to_string(), "b.png".to_string()];
        {
            let cache = Cache::open(dir.path()).unwrap();
            cache.put_value("page\0x", &uses).unwrap();
            assert_eq!(
                cache.get_value::<Vec<String>>("page\0x"),
                Some(uses.clone())
            );
        }
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get_value::<Vec<String>>("page\0x"), Some(uses));
        // Read as another type, or as evidence, a value is a miss, not an error.
        assert_eq!(cache.get_value::<u32>("page\0x"), None);
        assert_eq!(cache.get("page\0x"), None);
        assert_eq!(cache.get_value::<Vec<String>>("page\0y"), None);
    }

    #[test]
    fn a_scan_that_stores_nothing_writes_no_pack() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k"), None);
        drop(cache);
        assert!(files(dir.path(), "pack").is_empty());
        assert!(files(dir.path(), "tmp").is_empty());
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
        let dir = cache_holding_k();
        let pack = files(dir.path(), "pack").pop().unwrap();
        assert!(read_pack_index(&pack, &version_tag(env!("CARGO_PKG_VERSION"))).is_some());
        assert!(read_pack_index(&pack, &version_tag("99.0.0")).is_none());
        // The format version is in the header too.
        let mut bytes = fs::read(&pack).unwrap();
        bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        fs::write(&pack, bytes).unwrap();
        assert_eq!(Cache::open(dir.path()).unwrap().get("k"), None);
    }

    #[test]
    fn another_versions_packs_are_removed_once_an_hour_old() {
        let dir = cache_holding_k();
        let pack = files(dir.path(), "pack").pop().unwrap();
        let mut bytes = fs::read(&pack).unwrap();
        bytes[12..16].copy_from_slice(&version_tag("0.0.1"));
        let (old, fresh) = (
            pack.with_file_name("0-old.pack"),
            pack.with_file_name("0-fresh.pack"),
        );
        fs::write(&old, &bytes).unwrap();
        fs::write(&fresh, &bytes).unwrap();
        backdate(&old, Duration::from_secs(2 * 3600));
        let cache = Cache::open(dir.path()).unwrap();
        assert!(!old.exists(), "an old pack of another version is removed");
        assert!(fresh.exists(), "a recent one may belong to a running scan");
        assert_eq!(
            cache.get("k"),
            Some(evidence("Jane")),
            "this version's pack stays"
        );
    }

    #[test]
    fn a_trailer_pointing_anywhere_is_a_miss_not_a_panic() {
        let dir = cache_holding_k();
        let pack = files(dir.path(), "pack").pop().unwrap();
        let good = fs::read(&pack).unwrap();
        let at = good.len() - TRAILER_LEN;
        // u64::MAX - 30: the index fits, the trailer after it overflows.
        for index_at in [u64::MAX, u64::MAX - 30, 0, good.len() as u64] {
            let mut bad = good.clone();
            bad[at..at + 8].copy_from_slice(&index_at.to_le_bytes());
            fs::write(&pack, &bad).unwrap();
            assert_eq!(Cache::open(dir.path()).unwrap().get("k"), None);
        }
        let mut bad = good.clone();
        bad[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes()); // entry count
        fs::write(&pack, &bad).unwrap();
        assert_eq!(Cache::open(dir.path()).unwrap().get("k"), None);
    }

    #[test]
    fn corrupt_truncated_and_foreign_records_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        {
            let cache = Cache::open(dir.path()).unwrap();
            cache
                .put_entry("k", &evidence("Jane"), Some(b"thumb"))
                .unwrap();
            cache.put("j", &evidence("Joe")).unwrap();
        }
        let pack = files(dir.path(), "pack").pop().unwrap();
        let good = fs::read(&pack).unwrap();
        let thumb_at = good.windows(5).position(|w| w == b"thumb").unwrap();

        // A bit flip in one record spoils that record only.
        let mut flipped = good.clone();
        flipped[thumb_at] ^= 0x01;
        fs::write(&pack, &flipped).unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k"), None);
        assert_eq!(cache.get("j"), Some(evidence("Joe")));
        drop(cache);
        // A truncated pack or garbage loses its index: every key misses.
        for bad in [
            good[..good.len() - 3].to_vec(),
            b"garbage".to_vec(),
            Vec::new(),
        ] {
            fs::write(&pack, &bad).unwrap();
            let cache = Cache::open(dir.path()).unwrap();
            assert_eq!(cache.get("k"), None);
            assert_eq!(cache.get("j"), None);
        }
        // A record found under another key's hash (a collision) is not returned.
        fs::write(&pack, &good).unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let at = cache.index[&key_hash("k")];
        cache.index.insert(key_hash("other"), at);
        assert_eq!(cache.get("other"), None);
        assert_eq!(cache.get("k"), Some(evidence("Jane")));
    }

    #[test]
    fn concurrent_scans_each_leave_a_complete_pack() {
        let dir = tempfile::tempdir().unwrap();
        // Two "scans" (separate Cache handles) storing the same keys at once.
        let writers: Vec<_> = ["Jane", "Joe"]
            .into_iter()
            .map(|who| {
                let path = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let mut c = Cache::open(&path).unwrap();
                    for i in 0..200 {
                        c.put(&format!("k{}", i % 20), &evidence(who)).unwrap();
                    }
                    c.commit().unwrap();
                })
            })
            .collect();
        writers.into_iter().for_each(|w| w.join().unwrap());
        let cache = Cache::open(dir.path()).unwrap();
        for i in 0..20 {
            let e = cache.get(&format!("k{i}")).unwrap();
            assert!(e == evidence("Jane") || e == evidence("Joe"));
        }
        assert_eq!(files(dir.path(), "pack").len(), 2);
        assert!(files(dir.path(), "tmp").is_empty());
    }

    #[test]
    fn many_scans_are_merged_keeping_what_is_used_and_recent() {
        let dir = tempfile::tempdir().unwrap();
        let scan_storing = |key: &str| scan_storing(dir.path(), key);
        for scan in 0..MAX_PACKS {
            scan_storing(&format!("k{scan}"));
        }
        assert_eq!(files(dir.path(), "pack").len(), MAX_PACKS);
        // The next scan that stores something merges; everything is recent: kept.
        scan_storing("new");
        assert_eq!(files(dir.path(), "pack").len(), 1);
        let cache = Cache::open(dir.path()).unwrap();
        for key in (0..MAX_PACKS)
            .map(|i| format!("k{i}"))
            .chain(["new".into()])
        {
            assert_eq!(cache.get(&key), Some(evidence("Jane")), "{key}");
        }
        drop(cache);
        for scan in 1..MAX_PACKS {
            scan_storing(&format!("m{scan}"));
        }
        assert_eq!(files(dir.path(), "pack").len(), MAX_PACKS);
        // Months later, a merge keeps what that scan used or stored, and drops
        // the rest however recently its pack was rewritten.
        let mut later = Cache::open(dir.path()).unwrap();
        assert_eq!(later.get("k1"), Some(evidence("Jane")));
        later.put("later", &evidence("Joe")).unwrap();
        later
            .commit_at(SystemTime::now() + RETAIN_UNUSED + Duration::from_secs(86_400))
            .unwrap();
        drop(later);
        assert_eq!(files(dir.path(), "pack").len(), 1);
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k1"), Some(evidence("Jane")));
        assert_eq!(cache.get("later"), Some(evidence("Joe")));
        for key in ["k0", "k2", "new", "m1", "m7"] {
            assert_eq!(cache.get(key), None, "{key}: unused for months, dropped");
        }
    }

    #[test]
    fn a_merge_hides_no_pack_committed_while_it_ran() {
        let dir = tempfile::tempdir().unwrap();
        let scan_storing = |key: &str| scan_storing(dir.path(), key);
        for scan in 0..MAX_PACKS - 1 {
            scan_storing(&format!("k{scan}"));
        }
        let other = Cache::open(dir.path()).unwrap();
        scan_storing("last");
        let mut merging = Cache::open(dir.path()).unwrap();
        // Meanwhile another scan stores a newer entry for k0 and ends first
        // (its pack makes eight, no merge).
        other.put("k0", &evidence("Joe")).unwrap();
        drop(other);
        assert_eq!(files(dir.path(), "pack").len(), MAX_PACKS + 1);
        merging.put("new", &evidence("Jane")).unwrap();
        merging.commit().unwrap();
        drop(merging);
        assert_eq!(files(dir.path(), "pack").len(), 2, "eight merged, one not");
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(
            cache.get("k0"),
            Some(evidence("Joe")),
            "the newer entry wins"
        );
        for key in ["k1", "last", "new"] {
            assert_eq!(cache.get(key), Some(evidence("Jane")), "{key}");
        }
    }

    #[test]
    fn a_killed_scan_leaves_no_pack_and_its_stale_temp_is_swept() {
        let dir = cache_holding_k();
        // A scan killed mid-write: its temporary pack was never renamed.
        let killed = Cache::open(dir.path()).unwrap();
        killed.put("k", &evidence("Joe")).unwrap();
        killed.put("j", &evidence("Joe")).unwrap();
        std::mem::forget(killed);
        let temps = files(dir.path(), "tmp");
        assert_eq!(temps.len(), 1);
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k"), Some(evidence("Jane")));
        assert_eq!(cache.get("j"), None);
        assert!(temps[0].exists(), "a fresh temp may belong to a live scan");
        drop(cache);

        backdate(&temps[0], Duration::from_secs(2 * 3600));
        let _ = Cache::open(dir.path()).unwrap();
        assert!(!temps[0].exists());
    }

    #[test]
    fn the_first_formats_entries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = dir.path().join("entries/ab");
        fs::create_dir_all(&legacy).unwrap();
        fs::write(legacy.join("cdef"), b"CLRCACHE...").unwrap();
        let _ = Cache::open(dir.path()).unwrap();
        assert!(!dir.path().join("entries").exists());
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
