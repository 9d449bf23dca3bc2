//! The permission ledger.
pub mod index;
