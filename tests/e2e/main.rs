//! Whole flows against the test rig (crates/testenv): real control plane, real `tk` binary.
mod api_samples;
mod controller_runtime;
mod install;
mod support;
