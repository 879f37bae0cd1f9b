//! The whole pipeline on arbitrary bytes: decoding → parsing → model → rules → report → every
//! output format. Fails on a panic or on any position outside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = adinspect::analyze::Options {
        report: true,
        ..Default::default()
    };
    adinspect::invariants::assert_sound(adinspect::analyze::analyze(data, &options));
});
