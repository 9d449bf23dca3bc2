//! `clearance init`: commented starter files for a site.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const CONFIG: &str = include_str!("init/clearance.toml");
const LEDGER: &str = include_str!("init/ledger.toml");

/// Write `clearance.toml` and `ledger.toml` into `dir`; existing files are kept
/// unless `force`. Returns the files written.
pub fn write_starter_files(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let files = [("clearance.toml", CONFIG), ("ledger.toml", LEDGER)];
    for (name, _) in files {
        let path = dir.join(name);
        if path.exists() && !force {
            return Err(Error::Usage(format!(
                "{} exists; use --force to overwrite",
                path.display()
            )));
        }
    }
    let mut written = Vec::new();
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn starter_files_parse() {
        let config =
            crate::config::Config::parse(super::CONFIG, std::path::Path::new("clearance.toml"))
                .unwrap();
        assert_eq!(
            config.ledgers,
            vec![std::path::PathBuf::from("ledger.toml")]
        );
        crate::ledger::Ledger::from_sources(&[("ledger.toml", super::LEDGER)]).unwrap();
    }
}
