//! The Flux v2 GA custom resource types, with Flux's field names, defaults and status.

pub mod duration;
