//! clearance.toml
