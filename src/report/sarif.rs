//! sarif report.
