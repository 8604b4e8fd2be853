//! Whole flows against the test rig (crates/testenv): real control plane, real `tk` binary.
mod api_samples;
mod controller_runtime;
mod install;
mod kustomizations_cli;
mod kustomize_build_cli;
mod kustomize_controller;
mod kustomize_support;
mod source_git;
mod source_refs;
mod source_security;
mod source_seed;
mod source_support;
mod sources_cli;
mod ssa;
mod support;
mod tree_events_cli;
