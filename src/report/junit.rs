//! junit report.
