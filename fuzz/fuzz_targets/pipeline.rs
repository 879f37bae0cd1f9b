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
    // `show --format json` is handed the report while the model is alive, positions counted
    // through the log: the same report.
    // Human output is handed the marks of the findings too: those of the analysis's own.
    for with_marks in [false, true] {
        let mut streamed = Vec::new();
        let mut handed = Vec::new();
        let mut write = |_, reporter: &adinspect::report::Reporter<'_, '_>, found: &[_]| {
            streamed.push(Some(Box::new(reporter.build().into_owned())));
            handed = found.to_vec();
        };
        let analysis = adinspect::analyze::analyze_streaming(
            data,
            &adinspect::analyze::Options {
                keep_text: with_marks,
                ..Default::default()
            },
            Some(adinspect::analyze::ReportStream {
                with_marks,
                write: &mut write,
            }),
        );
        assert_eq!(streamed.len(), 1);
        assert_eq!(format!("{:?}", streamed[0]), format!("{:?}", kept.report));
        if with_marks {
            let marks = analysis.findings.iter().map(adinspect::finding::Mark::of);
            assert_eq!(handed, marks.collect::<Vec<_>>());
        }
    }
    adinspect::invariants::assert_sound(compacted);
});
