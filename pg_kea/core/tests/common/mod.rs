//! Helpers shared by the integration tests.

// Each test binary uses a part of the helpers; the examples use the rest.
#[allow(dead_code)]
pub mod calls;
#[allow(dead_code)]
pub mod venues;
