//! `KEA_CORE_BUILD`: a fingerprint of this crate's source and manifest. A compiled menu stored
//! by one build (`compiled_form`) is loaded only by a build with the same fingerprint: any
//! change to the extraction code may change the compiled tables or their layout, and nobody
//! has to remember to bump a version for it.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let mut paths = vec![root.join("Cargo.toml")];
    files(&root.join("src"), &mut paths);
    // Sorted: read_dir's order is the file system's.
    paths.sort();
    let mut h = DefaultHasher::new();
    for p in &paths {
        h.write(p.strip_prefix(&root).unwrap().to_string_lossy().as_bytes());
        h.write(&std::fs::read(p).expect("read source"));
    }
    println!("cargo:rustc-env=KEA_CORE_BUILD={:016x}", h.finish());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
}
