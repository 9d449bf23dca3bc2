//! clearance: may every image on this site be published?
//!
//! The pipeline, one module per stage, each knowing only the stages before it:
//!
//! ```text
//! source ──pages──▶ extract ──uses──▶ (group by image) ──▶ evidence ──▶ ledger ──▶ policy ──▶ report
//! ```
//!
//! [`model`] holds the types that cross stages.

pub mod cache;
pub mod config;
pub mod error;
pub mod evidence;
pub mod extract;
pub mod ledger;
pub mod license;
pub mod model;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
