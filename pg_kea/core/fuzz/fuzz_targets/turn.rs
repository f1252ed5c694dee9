//! Arbitrary dialog states, events and speech through `dialog::step` (see src/turn.rs for
//! what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kea_core_fuzz::turn::check(data);
});
