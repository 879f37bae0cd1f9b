//! Checks that an analysis is internally sound: used by the property tests and the fuzz target
//! (it panics with a description when something is off, which is what both want).

use crate::analyze::Analysis;
use crate::render::{self, FileResult, human::Painter};

/// Output bytes allowed per input byte, in every format (plus [`OUTPUT_ALLOWANCE`]): the
/// output grows linearly with the input, whatever its shape.
pub const MAX_OUTPUT_PER_INPUT_BYTE: usize = 64;

/// Output allowed whatever the input's size: a one-line input still gets a finding with its
/// message, help and snippet.
pub const OUTPUT_ALLOWANCE: usize = 16 * 1024;

/// Writes one format's output of the file under test.
type WriteFormat<'f> = dyn Fn(&mut Count) + 'f;

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
        assert!(
            f.span.start <= f.span.end && f.span.end <= analysis.text.len(),
            "{f:?}"
        );
        assert!(analysis.text.is_char_boundary(f.span.start), "{f:?}");
        assert!(f.line >= 1 && f.line <= lines, "{f:?} (of {lines} lines)");
        assert!(f.end_line >= f.line && f.end_line <= lines, "{f:?}");
        if measured.0 != f.line {
            // The raw line: carriage returns included (line_text drops trailing ones for
            // display, and a finding may sit after them, at the end of the input).
            let start = analysis.index().line_start(f.line);
            let end = if f.line < lines {
                analysis.index().line_start(f.line + 1) - 1
            } else {
                analysis.text.len()
            };
            measured = (f.line, analysis.text[start..end].chars().count());
        }
        let width = measured.1;
        // The column after the last character is a valid place (end of line, end of input).
        assert!(
            f.column >= 1 && f.column <= width + 1,
            "{f:?} (line has {width} chars)"
        );
        assert!(f.end_line > f.line || f.end_column >= f.column, "{f:?}");
        assert!(!f.message.is_empty());
    }
    let file = FileResult {
        path: "fuzz.xml".to_string(),
        raw_path: None,
        analysis,
    };
    let mut sink = std::io::sink();
    // Text formats: nothing from the input reaches the terminal raw (only line breaks and the
    // painter's own colour sequences), and a concise or GitHub line is exactly one finding.
    for color in [false, true] {
        let p = Painter { color };
        let mut text = Vec::new();
        render::human::write_check_file(&mut text, p, &file).unwrap();
        render::human::write_show_file(&mut text, p, &file, false).unwrap();
        assert_terminal_safe(&text, "human");
    }
    let mut concise = Vec::new();
    render::concise::write_file(&mut concise, &file).unwrap();
    assert_terminal_safe(&concise, "concise");
    assert_eq!(
        concise.iter().filter(|&&b| b == b'\n').count(),
        file.analysis.findings.len(),
        "one concise line per finding"
    );
    let mut github = Vec::new();
    render::github::write_file(&mut github, &file).unwrap();
    assert_terminal_safe(&github, "github");
    assert_eq!(
        github.iter().filter(|&&b| b == b'\n').count(),
        file.analysis.findings.len(),
        "one annotation line per finding"
    );
    render::json::write_jsonl(&mut sink, &file).unwrap();
    let limit = file.analysis.len * MAX_OUTPUT_PER_INPUT_BYTE + OUTPUT_ALLOWANCE;
    let sizes: [(&str, &WriteFormat); 7] = [
        ("human check", &|out| {
            render::human::write_check_file(out, Painter { color: true }, &file).unwrap()
        }),
        ("human show", &|out| {
            render::human::write_show_file(out, Painter { color: true }, &file, false).unwrap()
        }),
        ("concise", &|out| {
            render::concise::write_file(out, &file).unwrap()
        }),
        ("jsonl", &|out| {
            render::json::write_jsonl(out, &file).unwrap()
        }),
        ("show json", &|out| {
            render::json::DocumentWriter::default()
                .show_file(out, &file)
                .unwrap()
        }),
        ("sarif", &|out| {
            // Without the rule catalogue every log starts with.
            let mut empty = Count::default();
            render::sarif::SarifWriter::default()
                .finish(&mut empty)
                .unwrap();
            let mut sarif = render::sarif::SarifWriter::default();
            sarif.file(out, &file).unwrap();
            sarif.finish(out).unwrap();
            out.0 -= empty.0;
        }),
        ("gitlab", &|out| {
            render::gitlab::GitlabWriter::default()
                .file(out, &file)
                .unwrap()
        }),
    ];
    for (format, write) in sizes {
        let mut count = Count::default();
        write(&mut count);
        assert!(
            count.0 <= limit,
            "{format}: {} bytes of output for {} bytes of input",
            count.0,
            file.analysis.len
        );
    }
    let mut json = render::json::DocumentWriter::default();
    json.show_file(&mut sink, &file).unwrap();
    json.check_file(&mut sink, &file).unwrap();
    let mut sarif = render::sarif::SarifWriter::default();
    sarif.file(&mut sink, &file).unwrap();
    sarif.finish(&mut sink).unwrap();
    let mut gitlab = render::gitlab::GitlabWriter::default();
    gitlab.file(&mut sink, &file).unwrap();
    gitlab.finish(&mut sink).unwrap();
}

fn assert_terminal_safe(output: &[u8], format: &str) {
    let text = String::from_utf8_lossy(output);
    assert!(
        render::escape::is_terminal_safe(&text),
        "{format} output lets a control character through: {text:?}"
    );
}
