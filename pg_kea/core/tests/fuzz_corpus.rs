//! The fuzz target's corpus (`pg_kea/core/fuzz/corpus/turn/`), replayed as a regular test:
//! every input the fuzzer kept (and every crash it found, once fixed and added) runs through
//! the same `check` on every `cargo test`, without libFuzzer.

#[path = "../fuzz/src/turn.rs"]
mod turn;

#[test]
fn every_corpus_input_passes_the_turn_checks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/turn");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 50,
        "{} corpus inputs in {}: the corpus is missing",
        inputs.len(),
        dir.display()
    );
    for path in &inputs {
        let data = std::fs::read(path).expect("a corpus file");
        let result = std::panic::catch_unwind(|| turn::check(&data));
        assert!(result.is_ok(), "{} fails the turn checks", path.display());
    }
    eprintln!("{} corpus inputs replayed", inputs.len());
}
