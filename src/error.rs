//! Errors that stop a run (exit 2). Problems with single images or pages are findings, not errors.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{0}")]
    Ledger(String),
    #[error("{path}: {message}")]
    Rules { path: String, message: String },
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// The temporary file that holds image evidence during a scan failed.
    #[error("temporary file for image evidence: {0}")]
    Spill(#[source] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
