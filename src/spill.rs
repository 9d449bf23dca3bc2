//! Per-image evidence parked in a temporary file between the pipeline's passes.
//!
//! A scan passes over every image several times (ledger matching, copy matching,
//! faces, judging, the report), so each image's evidence must outlive the pass
//! that read it. Held in memory, it made peak memory grow with the number of
//! images (issue 7); parked here, memory keeps only a [`Slot`] per image.
//! Once matching is done, judging and the report park the images' records
//! here too ([`EvidenceSpill::put_value`]).
//!
//! The file is anonymous (`tempfile::tempfile`): the OS removes it when the
//! scan ends, also when the scan is killed. Entries are JSON, the encoding the
//! evidence cache already trusts to round-trip (`serde_json` with `float_roundtrip`).

use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use crate::model::Evidence;

/// Where one image's evidence lies in the spill file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    offset: u64,
    len: u64,
}

/// What the spill writes to: a temporary file, or memory when none can be made.
trait Backing: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> Backing for T {}

/// An append-only store of [`Evidence`], shared by the worker threads.
pub struct EvidenceSpill {
    /// The backing store and its length; one lock keeps seek + read/write together.
    inner: Mutex<(Box<dyn Backing>, u64)>,
}

impl EvidenceSpill {
    /// A spill in the system's temporary folder. Where no temporary file can be
    /// made (a read-only system), it says so and keeps the entries in memory:
    /// the scan still works, only its memory grows again with the site.
    pub fn new() -> Self {
        match tempfile::tempfile() {
            Ok(file) => Self::with(Box::new(file)),
            Err(e) => {
                eprintln!(
                    "clearance: warning: no temporary file for image evidence ({e}); keeping it in memory"
                );
                Self::in_memory()
            }
        }
    }

    /// A spill whose file is made in `dir` (anonymous there too).
    pub fn new_in(dir: &Path) -> io::Result<Self> {
        Ok(Self::with(Box::new(tempfile::tempfile_in(dir)?)))
    }

    /// A spill kept in memory, for callers that hold few images (`inspect`).
    pub fn in_memory() -> Self {
        Self::with(Box::new(Cursor::new(Vec::new())))
    }

    fn with(backing: Box<dyn Backing>) -> Self {
        EvidenceSpill {
            inner: Mutex::new((backing, 0)),
        }
    }

    /// Store `evidence`; the returned slot reads it back.
    pub fn put(&self, evidence: &Evidence) -> io::Result<Slot> {
        self.put_value(evidence)
    }

    /// The evidence stored at `slot`.
    pub fn get(&self, slot: Slot) -> io::Result<Evidence> {
        self.get_value(slot)
    }

    /// Store any value; [`EvidenceSpill::get_value`] of the same type reads it back.
    pub fn put_value<T: serde::Serialize + ?Sized>(&self, value: &T) -> io::Result<Slot> {
        self.put_bytes(&serde_json::to_vec(value)?)
    }

    /// The value stored at `slot`.
    pub fn get_value<T: serde::de::DeserializeOwned>(&self, slot: Slot) -> io::Result<T> {
        Ok(serde_json::from_slice(&self.get_bytes(slot)?)?)
    }

    /// Store bytes as they are (an embedded image's `data:` URI).
    pub fn put_bytes(&self, bytes: &[u8]) -> io::Result<Slot> {
        let mut guard = self.lock();
        let (backing, end) = &mut *guard;
        let offset = *end;
        backing.seek(SeekFrom::Start(offset))?;
        backing.write_all(bytes)?;
        *end += bytes.len() as u64;
        Ok(Slot {
            offset,
            len: bytes.len() as u64,
        })
    }

    /// The bytes stored at `slot`.
    pub fn get_bytes(&self, slot: Slot) -> io::Result<Vec<u8>> {
        let len = usize::try_from(slot.len)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "spill entry too large"))?;
        let mut bytes = vec![0; len];
        let mut guard = self.lock();
        let (backing, _) = &mut *guard;
        backing.seek(SeekFrom::Start(slot.offset))?;
        backing.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Box<dyn Backing>, u64)> {
        // A worker that panicked mid-write left at most an unreferenced tail.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for EvidenceSpill {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metadata;

    fn sample(n: u32) -> Evidence {
        Evidence {
            format: Some("jpeg".into()),
            width: Some(1600 + n),
            height: Some(1067),
            bytes: 270_000,
            sha256: Some(format!("{n:064x}")),
            metadata: Metadata {
                creator: Some(format!("Photographer {n}")),
                gps: true,
                // Floats must come back bit-exact: reports print them.
                gps_position: Some((47.376_887_123_456_79, 8.541_694_000_000_001)),
                sources: [("creator".to_string(), "EXIF:Artist".to_string())].into(),
                ..Metadata::default()
            },
            ..Evidence::default()
        }
    }

    #[test]
    fn evidence_comes_back_exactly_from_any_slot() {
        let spill = EvidenceSpill::new();
        let slots: Vec<Slot> = (0..50).map(|n| spill.put(&sample(n)).unwrap()).collect();
        for (n, slot) in slots.iter().enumerate().rev() {
            assert_eq!(spill.get(*slot).unwrap(), sample(n as u32));
        }
    }

    #[test]
    fn parallel_writers_do_not_mix_entries() {
        use rayon::prelude::*;
        let spill = EvidenceSpill::in_memory();
        let slots: Vec<(u32, Slot)> = (0..200)
            .into_par_iter()
            .map(|n| (n, spill.put(&sample(n)).unwrap()))
            .collect();
        for (n, slot) in slots {
            assert_eq!(spill.get(slot).unwrap(), sample(n));
        }
    }

    #[test]
    fn the_spill_file_never_shows_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        {
            let spill = EvidenceSpill::new_in(dir.path()).unwrap();
            let slot = spill.put(&sample(1)).unwrap();
            assert_eq!(spill.get(slot).unwrap(), sample(1));
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn values_of_other_types_share_the_file_with_evidence() {
        let spill = EvidenceSpill::in_memory();
        let evidence = spill.put(&sample(3)).unwrap();
        let record = spill
            .put_value(&("images/a.jpg", evidence, Some(7u32)))
            .unwrap();
        let (path, slot, n): (String, Slot, Option<u32>) = spill.get_value(record).unwrap();
        assert_eq!((path.as_str(), n), ("images/a.jpg", Some(7)));
        assert_eq!(spill.get(slot).unwrap(), sample(3));
    }
}
