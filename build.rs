//! Links the `tk` binary as a fixed-address (non-PIE) executable on Linux, as Go links
//! Flux's and Helm's binaries. A 36 MiB PIE spends a third of `tk`'s start-up applying
//! ~75 000 relative relocations and copying the pages they touch; every short CLI run
//! (`tk helm template`, `tk get`) pays that. The libraries, heap and stack stay randomised.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=tk=-no-pie");
    }
}
