//! What `tk install` applies, rendered from options.

pub mod labels;
