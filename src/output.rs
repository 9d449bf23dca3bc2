//! Output files written whole or not at all: a report or baseline replaces
//! the previous one only once every byte is written.

/// Write a file through `write`, atomically: the bytes go to a temporary file
/// beside `path`, which replaces `path` only once all are written. A reader (a
/// CI dashboard, a web server) never sees half a report, and a write that fails
/// midway (a full disk, a report that cannot be made) leaves the previous file whole.
///
/// A symlink is written through (its target is replaced, not the link), and a
/// path that is no regular file (`/dev/stdout`, a pipe) is written directly.
pub fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let target = match std::fs::symlink_metadata(path) {
        // `/dev/stdout` on a pipe resolves to no path: written directly below.
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).ok(),
        _ => Some(path.to_path_buf()),
    };
    let existing = target.as_deref().and_then(|t| std::fs::metadata(t).ok());
    let (Some(target), true) = (target, existing.as_ref().is_none_or(|m| m.is_file())) else {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        write(&mut out)?;
        return out.flush();
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".clearance-report").suffix(".tmp");
    // A temporary file is private (0600); a report is not: created as
    // `File::create` would (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir)?;
    if let Some(meta) = &existing {
        // Replacing a file keeps its mode, as writing into it did.
        temp.as_file().set_permissions(meta.permissions())?;
    }
    let mut out = std::io::BufWriter::new(temp);
    write(&mut out)?;
    out.flush()?;
    let temp = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_file(&path, |out| out.write_all(b"first")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");

        // Fails after writing part of a new report: the old one stays whole.
        let failed = write_file(&path, |out| {
            out.write_all(b"half of a sec")?;
            Err(std::io::Error::other("the report could not be made"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"], "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_report_has_the_mode_a_plain_write_would_give_it() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // New: as `File::create` makes it (0666 less the umask), not private.
        let plain = dir.path().join("plain.json");
        std::fs::File::create(&plain).unwrap();
        let report = dir.path().join("report.json");
        write_file(&report, |out| out.write_all(b"new")).unwrap();
        assert_eq!(mode(&report), mode(&plain));
        // Replaced: keeps the mode it had.
        std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&report, |out| out.write_all(b"again")).unwrap();
        assert_eq!(mode(&report), 0o640);
        assert_eq!(std::fs::read(&report).unwrap(), b"again");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("latest.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, |out| out.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }
}
