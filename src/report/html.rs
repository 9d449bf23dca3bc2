//! html report.
