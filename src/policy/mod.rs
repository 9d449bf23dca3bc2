//! Policy.

pub mod tasl;
