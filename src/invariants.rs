//! Checks that an analysis is internally sound: used by the property tests and the fuzz target
//! (it panics with a description when something is off, which is what both want).

use crate::analyze::{Analysis, Options, ReportStream, analyze_streaming};
use crate::finding::Mark;
use crate::render::{self, FileResult, human::Painter};

/// Output bytes allowed per input byte, in every format (plus [`OUTPUT_ALLOWANCE`]): the
/// output grows linearly with the input, whatever its shape.
pub const MAX_OUTPUT_PER_INPUT_BYTE: usize = 64;

/// Output allowed whatever the input's size: a one-line input still gets a finding with its
/// message, help and snippet.
pub const OUTPUT_ALLOWANCE: usize = 16 * 1024;

/// A format that writes one line per finding.
type LineFormat = fn(&mut dyn std::io::Write, &FileResult) -> std::io::Result<()>;

/// Counts what is written.
#[derive(Default)]
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every position lies inside the input, ends do not come before starts, every renderer
/// accepts the result, text formats let nothing from the input reach a terminal raw, and no
/// format writes more than [`MAX_OUTPUT_PER_INPUT_BYTE`] bytes per input byte.
pub fn assert_sound(analysis: Analysis) {
    let lines = analysis.index().line_count();
    // (line, width in characters) of the last line measured: findings come sorted, so one
    // long line is counted once, not once per finding.
    let mut measured = (0, 0);
    for f in &analysis.findings {
        let (line, column, end_line, end_column) = (
            f.line as usize,
            f.column as usize,
            f.end_line as usize,
            f.end_column as usize,
        );
        assert!(
            f.span.start <= f.span.end && f.span.end <= analysis.text.len(),
            "{f:?}"
        );
        assert!(analysis.text.is_char_boundary(f.span.start), "{f:?}");
        assert!(line >= 1 && line <= lines, "{f:?} (of {lines} lines)");
        assert!(end_line >= line && end_line <= lines, "{f:?}");
        if measured.0 != line {
            // The raw line: carriage returns included (line_text drops trailing ones for
            // display, and a finding may sit after them, at the end of the input).
            let start = analysis.index().line_start(line);
            let end = if line < lines {
                analysis.index().line_start(line + 1) - 1
            } else {
                analysis.text.len()
            };
            measured = (line, analysis.text[start..end].chars().count());
        }
        let width = measured.1;
        // The column after the last character is a valid place (end of line, end of input).
        assert!(
            column >= 1 && column <= width + 1,
            "{f:?} (line has {width} chars)"
        );
        assert!(end_line > line || end_column >= column, "{f:?}");
        assert!(!f.message.to_str().is_empty());
    }
    let file = FileResult {
        path: "fuzz.xml".to_string(),
        raw_path: None,
        analysis,
    };
    // Every format is written once; each check below reads what was written.
    let limit = file.analysis.len * MAX_OUTPUT_PER_INPUT_BYTE + OUTPUT_ALLOWANCE;
    let within_limit = |format: &str, bytes: usize| {
        assert!(
            bytes <= limit,
            "{format}: {bytes} bytes of output for {} bytes of input",
            file.analysis.len
        );
    };
    // Text formats: nothing from the input reaches the terminal raw (only line breaks and the
    // painter's own colour sequences), and a concise or GitHub line is exactly one finding.
    for color in [false, true] {
        let p = Painter { color };
        let mut check = Vec::new();
        render::human::write_check_file(&mut check, p, &file).unwrap();
        assert_terminal_safe(&check, "human");
        within_limit("human check", check.len());
        let mut show = Vec::new();
        render::human::write_show_file(&mut show, p, &file, false).unwrap();
        assert_terminal_safe(&show, "show");
        within_limit("human show", show.len());
    }
    for (format, write) in [
        ("concise", render::concise::write_file as LineFormat),
        ("github", render::github::write_file),
    ] {
        let mut lines = Vec::new();
        write(&mut lines, &file).unwrap();
        assert_terminal_safe(&lines, format);
        within_limit(format, lines.len());
        assert_eq!(
            lines.iter().filter(|&&b| b == b'\n').count(),
            file.analysis.findings.len(),
            "{format}: one line per finding"
        );
    }
    let mut count = Count::default();
    render::json::write_jsonl(&mut count, &file).unwrap();
    within_limit("jsonl", count.0);
    let mut count = Count::default();
    render::json::DocumentWriter::default()
        .show_file(&mut count, &file)
        .unwrap();
    within_limit("show json", count.0);
    let mut count = Count::default();
    render::json::DocumentWriter::default()
        .check_file(&mut count, &file)
        .unwrap();
    within_limit("check json", count.0);
    // SARIF without the rule catalogue every log starts with.
    let mut empty = Count::default();
    render::sarif::SarifWriter::default()
        .finish(&mut empty)
        .unwrap();
    let mut count = Count::default();
    let mut sarif = render::sarif::SarifWriter::default();
    sarif.file(&mut count, &file).unwrap();
    sarif.finish(&mut count).unwrap();
    within_limit("sarif", count.0 - empty.0);
    let mut count = Count::default();
    let mut gitlab = render::gitlab::GitlabWriter::default();
    gitlab.file(&mut count, &file).unwrap();
    gitlab.finish(&mut count).unwrap();
    within_limit("gitlab", count.0);
}

fn assert_terminal_safe(output: &[u8], format: &str) {
    let text = String::from_utf8_lossy(output);
    assert!(
        render::escape::is_terminal_safe(&text),
        "{format} output lets a control character through: {text:?}"
    );
}

/// What `show` does with `bytes` (analysed with `options`): the report handed over once while
/// the model is alive, its positions counted through the compaction log, as the Debug of an
/// `Analysis::report`. Handed over both ways, it must be the same: alone (`--format json`, the
/// input not kept) and with the marks of the findings (human output), which must be those of
/// the findings the analysis reports, in their order. Compare the result with the report built
/// whole.
pub fn streamed_report(bytes: &[u8], options: &Options) -> String {
    let mut reports = Vec::new();
    for (with_marks, keep_text) in [(false, false), (true, true)] {
        let mut streamed = Vec::new();
        let mut handed = Vec::new();
        let mut write = |_, reporter: &crate::report::Reporter<'_, '_>, marks: &[Mark]| {
            streamed.push(Some(Box::new(reporter.build().into_owned())));
            handed = marks.to_vec();
        };
        let stream = ReportStream {
            with_marks,
            write: &mut write,
        };
        let options = Options {
            keep_text,
            ..*options
        };
        let analysis = analyze_streaming(bytes, &options, Some(stream));
        assert!(analysis.report.is_none());
        assert!(keep_text || analysis.text.is_empty(), "text kept");
        assert_eq!(streamed.len(), 1, "the report is handed over once");
        if with_marks {
            let expected: Vec<Mark> = analysis.findings.iter().map(Mark::of).collect();
            assert_eq!(handed, expected);
        } else {
            assert!(handed.is_empty());
        }
        reports.push(format!("{:?}", streamed[0]));
    }
    assert_eq!(reports[0], reports[1]);
    reports.swap_remove(0)
}
