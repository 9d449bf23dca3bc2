//! The permission ledger.
