//! Fuzzes `build_at` on a small tree written from the input: an overlay kustomization, a
//! resource file, a patch file, and a base with its own kustomization and resource file.
//! The input is split at NUL bytes into those five files, in that order (missing parts are
//! empty files), so seeds are readable text. A build may fail; it must never panic, hang or
//! blow up memory (libFuzzer's -timeout and -rss_limit_mb catch the last two).

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 5] = [
    "overlay/kustomization.yaml",
    "overlay/res.yaml",
    "overlay/patch.yaml",
    "base/kustomization.yaml",
    "base/res.yaml",
];

/// One temporary root for the whole run; each input rewrites its files.
fn root_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("kustomize-fuzz-")
            .tempdir()
            .expect("temporary directory")
            .keep();
        for sub in ["overlay", "base"] {
            std::fs::create_dir_all(dir.join(sub)).expect("create directory");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = root_dir();
    let mut parts = data.split(|b| *b == 0);
    for file in FILES {
        std::fs::write(dir.join(file), parts.next().unwrap_or_default()).expect("write file");
    }
    let root = kustomize::Root::new(dir).expect("open root");
    for options in [
        kustomize::BuildOptions::default(),
        kustomize::BuildOptions {
            reorder: kustomize::Reorder::None,
            load_restrictor: kustomize::LoadRestrictor::None,
            ..Default::default()
        },
    ] {
        if let Ok(resources) = kustomize::build_at(&root, Path::new("overlay"), &options) {
            let _ = kustomize::to_yaml(&resources);
        }
    }
});
