//! The helm controller's parts: Helm 3 release storage (shared with the CLI).

pub mod storage;
