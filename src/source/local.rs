//! A built site folder on disk.
