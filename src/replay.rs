//! Replayed reports: when nothing a scan's report depends on has changed since
//! a scan wrote it, that report is written again instead of judged anew.
//!
//! A CI gate rescans the same site again and again (a rerun job, a commit that
//! touched only code). With every image's evidence and every page's uses in the
//! evidence cache, what such a rescan still spent was judging ten thousand
//! findings and writing them out: about half of its time. A replay spends
//! neither. It is keyed by a digest of every input ([`Inputs`]), so it is used
//! only when a fresh judgement would write the same bytes.
//!
//! Reports live in `reports/` in the cache folder, one file per digest: a
//! header line (JSON: the counts the exit code comes from) and the report's
//! bytes, zlib-compressed (a JSON report shrinks tenfold, and a CI cache
//! uploads and downloads the folder on every run), then a footer: a mark, the
//! compressed length and a CRC-32 of all before it. Each is written to a
//! temporary file and renamed into place when whole, so two scans at once or a
//! scan killed mid-write leave no half report to replay.

use std::fs::{self, File};
use std::io::{self, Read as _, Seek as _, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::{Severity, SeverityCounts};

/// The stored file's layout; a change makes older files unreadable, never misread.
const LAYOUT: u32 = 3;

/// The last bytes of a stored report: this, then the compressed body's length
/// (u64, LE), then the CRC-32 of the header and body (u32, LE). A file cut
/// short (a crash before the OS wrote it all) has no such end; one damaged
/// later (a disk, a CI cache's download) fails the CRC. Either is not replayed,
/// so no wrong byte of it is ever written out.
const END: &[u8; 8] = b"CLRPLAY\0";
const END_LEN: u64 = 20;

/// Reports kept: enough for a CI job that writes every format of its site (six)
/// and a variant or two; with four, such a job replayed none of them, each
/// run's reports evicting the others. Each costs a tenth of the report (1.2 MB
/// for the 12 MB of JSON of 1,200 photos), and a CI cache uploads the folder,
/// so only the recent ones are worth keeping.
const KEEP: usize = 8;

/// A temporary file older than this is left by a killed scan, not being written.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// The folder inside the cache folder.
const DIR: &str = "reports";

/// A digest of everything a report depends on. Each field is named and
/// length-prefixed, so no two different lists of inputs hash alike.
pub struct Inputs(Sha256);

impl Inputs {
    /// A digest that starts with this executable's identity: a rebuilt binary
    /// may judge differently, so it replays nothing an older one wrote.
    /// `None` when the executable cannot be identified.
    pub fn new() -> Option<Inputs> {
        let exe = std::env::current_exe().ok()?;
        let meta = fs::metadata(exe).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()?;
        let mut identity = format!("{}:{}", meta.len(), modified.as_nanos());
        // Reproducible builds fix the mtime (Nix, SOURCE_DATE_EPOCH); writing
        // or replacing the file still changes its inode change time and
        // usually its inode, which no one sets by hand.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            identity.push_str(&format!(
                ":{}:{}:{}:{}",
                meta.dev(),
                meta.ino(),
                meta.ctime(),
                meta.ctime_nsec()
            ));
        }
        let mut inputs = Inputs(Sha256::new());
        inputs.field("layout", LAYOUT.to_string());
        inputs.field("version", env!("CARGO_PKG_VERSION"));
        inputs.field("executable", identity);
        Some(inputs)
    }

    pub fn field(&mut self, name: &str, value: impl AsRef<[u8]>) {
        let value = value.as_ref();
        for part in [name.as_bytes(), value] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }

    /// The digest, as the report's file name.
    pub fn finish(self) -> String {
        crate::evidence::hex(&self.0.finalize())
    }
}

/// What the header line records: the counts a replay's exit code comes from.
#[derive(Serialize, Deserialize)]
struct Header {
    layout: u32,
    counts: SeverityCounts,
}

/// The stored reports of one cache folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The reports kept in `cache_dir` (created when the first is recorded).
    pub fn new(cache_dir: &Path) -> Store {
        Store {
            dir: cache_dir.join(DIR),
        }
    }

    /// The report recorded under `digest`, if one is whole and readable.
    pub fn lookup(&self, digest: &str) -> Option<Replay> {
        let path = self.dir.join(digest);
        let mut file = File::open(&path).ok()?;
        // Read whole (a tenth of the report) so that it is checked before any
        // of it is written out.
        let mut stored = Vec::new();
        file.read_to_end(&mut stored).ok()?;
        let content_length = stored.len().checked_sub(END_LEN as usize)?;
        let (content, end) = stored.split_at(content_length);
        let (mark, rest) = end.split_at(END.len());
        let (length, crc) = rest.split_at(8);
        let body_length = u64::from_le_bytes(length.try_into().ok()?);
        let crc = u32::from_le_bytes(crc.try_into().ok()?);
        if mark != END || crc32fast::hash(content) != crc {
            return None;
        }
        let header_length = content.iter().position(|&b| b == b'\n')? + 1;
        let header: Header = serde_json::from_slice(&content[..header_length]).ok()?;
        if header.layout != LAYOUT
            || (header_length as u64).checked_add(body_length)? != content_length as u64
        {
            return None;
        }
        // Marked as used, so pruning keeps the reports a CI job keeps replaying.
        let _ = file.set_modified(SystemTime::now());
        stored.truncate(content_length);
        let mut body = io::Cursor::new(stored);
        body.set_position(header_length as u64);
        Some(Replay {
            body: flate2::bufread::ZlibDecoder::new(body),
            counts: header.counts,
            path,
        })
    }

    /// Start recording a report under `digest`; `None` when the folder cannot be
    /// written (the scan goes on, unrecorded).
    pub fn record(&self, digest: &str, counts: SeverityCounts) -> Option<Recorder> {
        fs::create_dir_all(&self.dir).ok()?;
        let temp = tempfile::Builder::new()
            .prefix(".report")
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .ok()?;
        let header = Header {
            layout: LAYOUT,
            counts,
        };
        let mut first = serde_json::to_vec(&header).ok()?;
        first.push(b'\n');
        // A thread writes the file: the report is written by one thread while
        // the other cores idle, and a 12 MB copy added a third to its time.
        let (chunks, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(16);
        let writer = std::thread::Builder::new()
            .name("report recorder".into())
            .spawn(move || -> io::Result<tempfile::NamedTempFile> {
                let mut file = Checksummed {
                    inner: temp,
                    crc: crc32fast::Hasher::new(),
                };
                file.write_all(&first)?;
                // The fastest level: 12 MB of JSON take about 20 ms of this
                // thread's time, beside the report's writers (about 6 ms more
                // of wall time on 2 cores).
                let mut body = flate2::write::ZlibEncoder::new(file, flate2::Compression::fast());
                for chunk in received {
                    body.write_all(&chunk)?;
                }
                let Checksummed {
                    inner: mut temp,
                    crc,
                } = body.finish()?;
                let body_length = temp.stream_position()? - first.len() as u64;
                temp.write_all(END)?;
                temp.write_all(&body_length.to_le_bytes())?;
                temp.write_all(&crc.finalize().to_le_bytes())?;
                Ok(temp)
            })
            .ok()?;
        Some(Recorder {
            chunks: Some(chunks),
            pending: Vec::with_capacity(CHUNK),
            writer: Some(writer),
            target: self.dir.join(digest),
            store: self.clone(),
        })
    }

    /// Keep the [`KEEP`] most recently used reports; remove abandoned temporary files.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut reports: Vec<(SystemTime, PathBuf)> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(modified) = entry.metadata().ok().and_then(|m| m.modified().ok()) else {
                continue;
            };
            let temporary = path.extension().is_some_and(|e| e == "tmp");
            if temporary {
                if now.duration_since(modified).unwrap_or_default() > ABANDONED_AFTER {
                    let _ = fs::remove_file(&path);
                }
            } else {
                reports.push((modified, path));
            }
        }
        reports.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        for (_, path) in reports.into_iter().skip(KEEP) {
            let _ = fs::remove_file(path);
        }
    }
}

/// Forwards what is written and keeps the CRC-32 of it.
struct Checksummed<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A recorded report, checked whole, ready to be written again.
pub struct Replay {
    body: flate2::bufread::ZlibDecoder<io::Cursor<Vec<u8>>>,
    counts: SeverityCounts,
    path: PathBuf,
}

impl Replay {
    /// Findings that count at or above `level`, as the recorded scan counted them.
    pub fn failing(&self, level: Severity) -> usize {
        let SeverityCounts {
            error,
            warning,
            info,
        } = self.counts;
        match level {
            Severity::Error => error,
            Severity::Warning => error + warning,
            Severity::Info => error + warning + info,
        }
    }

    /// Write the recorded report to `out`. Its CRC held, so its body
    /// decompresses; should it not (it is in memory: only a bad body fails),
    /// the stored report is removed, so the next scan judges afresh, and the
    /// error says so.
    pub fn write_to(mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut buffer = vec![0; 256 * 1024];
        loop {
            let n = match self.body.read(&mut buffer) {
                Ok(n) => n,
                Err(e) => {
                    let _ = fs::remove_file(&self.path);
                    return Err(io::Error::new(
                        e.kind(),
                        format!(
                            "the recorded report {} is damaged ({e}) and was removed: scan again",
                            self.path.display()
                        ),
                    ));
                }
            };
            if n == 0 {
                return Ok(());
            }
            out.write_all(&buffer[..n])?;
        }
    }
}

/// Bytes handed to the recording thread at a time: under glibc's mmap threshold
/// (128 KB), so chunks come from the heap and are reused, not mapped afresh.
const CHUNK: usize = 64 * 1024;

/// A report being recorded while it is written (see [`Recorder::tee`]).
pub struct Recorder {
    /// To the thread that writes the temporary file; `None` once recording stopped.
    chunks: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    pending: Vec<u8>,
    writer: Option<std::thread::JoinHandle<io::Result<tempfile::NamedTempFile>>>,
    target: PathBuf,
    store: Store,
}

impl Recorder {
    /// A writer that writes to `out` and records the same bytes. A failure to
    /// record only stops the recording; a failure of `out` is returned.
    pub fn tee<'a>(&'a mut self, out: &'a mut dyn Write) -> Tee<'a> {
        Tee {
            out,
            recorder: self,
        }
    }

    fn add(&mut self, bytes: &[u8]) {
        if self.chunks.is_none() {
            return;
        }
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= CHUNK {
            self.send();
        }
    }

    fn send(&mut self) {
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        let sent = self.chunks.as_ref().map(|c| c.send(chunk));
        if let Some(Err(_)) = sent {
            // The thread stopped on a write error: nothing more to record.
            self.chunks = None;
        }
    }

    /// The temporary file, once the thread has written all it was sent.
    fn finish(&mut self) -> Option<tempfile::NamedTempFile> {
        if !self.pending.is_empty() {
            self.send();
        }
        let recording = self.chunks.take().is_some();
        let written = self.writer.take()?.join().ok()?.ok()?;
        recording.then_some(written)
    }

    /// Keep the recording, once the whole report was written.
    pub fn commit(mut self) {
        if let Some(temp) = self.finish() {
            // Another scan that recorded the same digest wrote the same bytes.
            let _ = temp.persist(&self.target);
        }
        self.store.prune();
    }
}

impl Drop for Recorder {
    /// Not committed (the report could not be written): the temporary file goes.
    fn drop(&mut self) {
        self.pending.clear();
        self.chunks = None;
        drop(self.finish());
    }
}

/// See [`Recorder::tee`].
pub struct Tee<'a> {
    out: &'a mut dyn Write,
    recorder: &'a mut Recorder,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.recorder.add(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(error: usize, warning: usize, info: usize) -> SeverityCounts {
        SeverityCounts {
            error,
            warning,
            info,
        }
    }

    fn record(store: &Store, digest: &str, body: &[u8], counts: SeverityCounts) {
        let mut recorder = store.record(digest, counts).unwrap();
        let mut out = Vec::new();
        recorder.tee(&mut out).write_all(body).unwrap();
        assert_eq!(out, body, "the report still reaches its reader");
        recorder.commit();
    }

    fn replayed(store: &Store, digest: &str) -> Option<(Vec<u8>, usize, usize)> {
        let replay = store.lookup(digest)?;
        let (errors, warnings) = (
            replay.failing(Severity::Error),
            replay.failing(Severity::Warning),
        );
        let mut out = Vec::new();
        replay.write_to(&mut out).unwrap();
        Some((out, errors, warnings))
    }

    #[test]
    fn a_recorded_report_replays_with_its_counts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(store.lookup("abc").is_none());
        let body = b"{\n  \"report\": true\n}\nsecond line\n".repeat(10_000);
        record(&store, "abc", &body, counts(2, 3, 1));
        let (out, errors, warnings) = replayed(&store, "abc").unwrap();
        assert_eq!(out, body);
        assert_eq!((errors, warnings), (2, 5));
        assert!(
            store.lookup("abd").is_none(),
            "another digest has no report"
        );
    }

    #[test]
    fn an_uncommitted_recording_replays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let mut recorder = store.record("abc", counts(1, 0, 0)).unwrap();
        recorder
            .tee(&mut Vec::new())
            .write_all(b"half a rep")
            .unwrap();
        drop(recorder); // the report's writer failed: never committed
        assert!(store.lookup("abc").is_none());
        assert_eq!(
            fs::read_dir(dir.path().join(DIR)).unwrap().count(),
            0,
            "the temporary file went with it"
        );
    }

    #[test]
    fn a_damaged_header_or_another_layout_replays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        record(&store, "abc", b"report", counts(0, 0, 0));
        let path = dir.path().join(DIR).join("abc");
        fs::write(&path, b"not json\nreport").unwrap();
        assert!(store.lookup("abc").is_none());
        let other = format!(
            "{{\"layout\":{},\"counts\":{{\"error\":0,\"warning\":0,\"info\":0}}}}\nreport",
            LAYOUT + 1
        );
        fs::write(&path, other).unwrap();
        assert!(store.lookup("abc").is_none());
    }

    #[test]
    fn a_report_is_stored_compressed_and_a_damaged_one_is_not_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let body = b"{\n  \"rule\": \"unknown-provenance\",\n  \"line\": 12\n}\n".repeat(20_000);
        record(&store, "abc", &body, counts(1, 0, 0));
        let path = dir.path().join(DIR).join("abc");
        let stored = fs::read(&path).unwrap();
        assert!(
            stored.len() * 10 < body.len(),
            "{} bytes stored for {}",
            stored.len(),
            body.len()
        );
        // One byte of the compressed body, or of the header's counts, changed,
        // the length kept: the CRC tells, and nothing is replayed.
        let header_end = stored.iter().position(|&b| b == b'\n').unwrap();
        for at in [stored.len() / 2, header_end - 3] {
            let mut damaged = stored.clone();
            damaged[at] ^= 0x01;
            fs::write(&path, &damaged).unwrap();
            assert!(store.lookup("abc").is_none(), "damaged at byte {at}");
        }
        fs::write(&path, &stored).unwrap();
        assert_eq!(replayed(&store, "abc").unwrap().0, body);
    }

    #[test]
    fn a_report_cut_short_replays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        // Bytes that do not compress, so the stored file is as long as the cuts need.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let body: Vec<u8> = (0..100_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u8
            })
            .collect();
        record(&store, "abc", &body, counts(1, 0, 0));
        let path = dir.path().join(DIR).join("abc");
        let whole = fs::read(&path).unwrap();
        assert!(whole.len() > 50_000);
        // A crash may leave any prefix of the file, or its length with zeros.
        for cut in [1, 17, 5000] {
            fs::write(&path, &whole[..whole.len() - cut]).unwrap();
            assert!(store.lookup("abc").is_none(), "cut by {cut}");
        }
        let mut zeroed = whole.clone();
        let n = zeroed.len();
        zeroed[n - 100..].fill(0);
        fs::write(&path, zeroed).unwrap();
        assert!(store.lookup("abc").is_none());
        fs::write(&path, &whole).unwrap();
        assert!(store.lookup("abc").is_some());
    }

    #[test]
    fn only_the_most_recently_used_reports_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let old = SystemTime::now() - Duration::from_secs(1000);
        for i in 0..KEEP {
            record(&store, &format!("r{i}"), b"x", counts(0, 0, 0));
            let file = File::options()
                .write(true)
                .open(dir.path().join(DIR).join(format!("r{i}")))
                .unwrap();
            file.set_modified(old + Duration::from_secs(i as u64))
                .unwrap();
        }
        // r0 is the oldest; using it makes r1 the one to go.
        assert!(store.lookup("r0").is_some());
        record(&store, "new", b"x", counts(0, 0, 0));
        assert!(store.lookup("r1").is_none(), "the least recently used went");
        for kept in ["r0", "r2", "new"] {
            assert!(store.lookup(kept).is_some(), "{kept} kept");
        }
    }

    #[test]
    fn inputs_that_differ_anywhere_digest_differently() {
        let digest = |fields: &[(&str, &str)]| {
            let mut inputs = Inputs::new().unwrap();
            for (name, value) in fields {
                inputs.field(name, value);
            }
            inputs.finish()
        };
        let base = digest(&[("page", "a"), ("image", "b")]);
        assert_eq!(base, digest(&[("page", "a"), ("image", "b")]));
        assert_ne!(base, digest(&[("page", "a"), ("image", "c")]));
        // The same bytes split differently between fields are different inputs.
        assert_ne!(base, digest(&[("page", "ai"), ("mage", "b")]));
        assert_ne!(base, digest(&[("image", "b"), ("page", "a")]));
    }
}
