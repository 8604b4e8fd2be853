//! Whole flows against the test rig (crates/testenv): real control plane, real `tk` binary.
mod api_samples;
mod controller_runtime;
mod install;
mod source_git;
mod sources_cli;
mod support;
