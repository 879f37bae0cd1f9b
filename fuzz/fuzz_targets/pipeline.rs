//! The whole pipeline on arbitrary bytes: decoding → parsing → model → rules → report → every
//! output format. Fails on a panic, on any position outside the input, or when taking the
//! indentation out before parsing (src/compact.rs) or leaving the input compacted changes any
//! finding or the report.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = |keep_indentation| adinspect::analyze::Options {
        report: true,
        keep_indentation,
        ..Default::default()
    };
    let compacted = adinspect::analyze::analyze(data, &options(false));
    let kept = adinspect::analyze::analyze(data, &options(true));
    assert_eq!(compacted.findings, kept.findings);
    // Formats that do not quote the input leave it compacted and count positions through the
    // log: the same places.
    let unquoted = adinspect::analyze::analyze(
        data,
        &adinspect::analyze::Options {
            keep_text: false,
            ..Default::default()
        },
    );
    assert_eq!(unquoted.findings, kept.findings);
    assert_eq!(format!("{:?}", compacted.report), format!("{:?}", kept.report));
    // `show` is handed the report while the model is alive, positions counted through the
    // log (human output with the marks of the findings): the same report.
    assert_eq!(
        adinspect::invariants::streamed_report(data, &Default::default()),
        format!("{:?}", kept.report)
    );
    adinspect::invariants::assert_sound(compacted);
});
