//! Whole flows against the test rig (crates/testenv): real control plane, real `tk` binary.
mod install;
mod support;
mod controller_runtime;
mod api_samples;
