//! markdown report.
