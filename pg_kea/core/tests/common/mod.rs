//! Helpers shared by the integration tests.

// Each test binary uses a part of the helpers; the example uses the rest.
#[allow(dead_code)]
pub mod venues;
