//! Shared helpers for the root test suite (fixture discovery, corpus paths).
