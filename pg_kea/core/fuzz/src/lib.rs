//! The fuzz targets' checks, shared with the regular tests that replay the corpus
//! (`pg_kea/core/tests/fuzz_corpus.rs` includes `turn.rs` by path).
pub mod turn;
