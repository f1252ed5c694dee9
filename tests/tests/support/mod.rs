//! Helpers shared by the fault and fuzz tests (each test file includes what it uses).

pub mod cluster;
