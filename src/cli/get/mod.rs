//! `tk get ...`: status tables in the flux CLI's layout.

pub mod sources;
