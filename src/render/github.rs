//! GitHub Actions workflow commands: one annotation per finding.

use std::io::{self, Write};

use super::json::push_number;
use super::{FileResult, IO_ERROR, Unreadable};
use crate::finding::Severity;

/// Message data: every control character but line breaks made visible first (the log viewer
/// is a terminal), then `%`, CR and LF escaped as GitHub requires.
pub fn escape_data(text: &str) -> String {
    escaped(text, false)
}

/// Property values: additionally `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escaped(text, true)
}

fn escaped(text: &str, property: bool) -> String {
    let mut out = Vec::with_capacity(text.len());
    push_escaped(&mut out, text, property);
    // Only ASCII escapes were put in place of whole characters.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `text` escaped as data (`property`: as a property value): copied a run at a
/// time, nothing allocated when it has no control character.
fn push_escaped(out: &mut Vec<u8>, text: &str, property: bool) {
    let visible = super::escape::terminal_keeping_line_breaks(text);
    let mut rest = visible.as_bytes();
    let special =
        |b: u8| matches!(b, b'%' | b'\r' | b'\n') || (property && matches!(b, b':' | b','));
    while let Some(at) = rest.iter().position(|&b| special(b)) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(match rest[at] {
            b'%' => b"%25",
            b'\r' => b"%0D",
            b'\n' => b"%0A",
            b':' => b"%3A",
            _ => b"%2C",
        });
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

pub fn write_file(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    let mut path = Vec::new();
    push_escaped(&mut path, &file.path, true);
    let mut line = Vec::with_capacity(256);
    for f in &file.analysis.findings {
        line.clear();
        line.extend_from_slice(match f.severity {
            Severity::Error => b"::error file=",
            Severity::Warning => b"::warning file=",
            Severity::Info => b"::notice file=",
        });
        line.extend_from_slice(&path);
        for (key, number) in [
            (&b",line="[..], f.line),
            (b",col=", f.column),
            (b",endLine=", f.end_line),
            (b",endColumn=", f.end_column),
        ] {
            line.extend_from_slice(key);
            push_number(&mut line, number as usize);
        }
        line.extend_from_slice(b",title=");
        push_escaped(&mut line, "adinspect ", true);
        push_escaped(&mut line, f.rule, true);
        line.extend_from_slice(b"::");
        f.message
            .with_str(|message| push_escaped(&mut line, message, false));
        if let Some(help) = &f.help {
            push_escaped(&mut line, " (help: ", false);
            help.with_str(|help| push_escaped(&mut line, help, false));
            line.push(b')');
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

/// An annotation for an input that could not be read.
pub fn write_unreadable(out: &mut dyn Write, unreadable: &Unreadable) -> io::Result<()> {
    writeln!(
        out,
        "::error file={},line=1,col=1,title={}::{}",
        escape_property(&unreadable.path),
        escape_property(&format!("adinspect {IO_ERROR}")),
        escape_data(&format!(
            "cannot read {}: {}",
            unreadable.path, unreadable.message
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("a\x1b[2J\u{202e}b"), "a\\u{1b}[2J\\u{202e}b");
        assert_eq!(escape_data("plain"), "plain");
        assert_eq!(escape_property("%%::,,\n"), "%25%25%3A%3A%2C%2C%0A");
        assert_eq!(escape_data("é:%\u{7f}"), "é:%25\\u{7f}");
    }

    /// Each annotation is what formatting it whole and escaping its parts gives (how it was
    /// written before it went straight into bytes), for a path and messages that need every
    /// escape.
    #[test]
    fn annotations_are_their_parts_escaped() {
        let document = include_bytes!("../../fixtures/rules/invalid-on-off/bad.xml");
        let analysis = crate::analyze::analyze(&document[..], &crate::analyze::Options::default());
        assert!(analysis.findings.iter().any(|f| f.help.is_some()));
        let file = FileResult {
            path: "dir,x:y\n%\u{1b}.xml".to_string(),
            raw_path: None,
            analysis,
        };
        let mut out = Vec::new();
        write_file(&mut out, &file).unwrap();
        let mut expected = String::new();
        for f in &file.analysis.findings {
            let message = match &f.help {
                Some(help) => format!("{} (help: {help})", f.message),
                None => f.message.to_string(),
            };
            expected.push_str(&format!(
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                },
                escape_property(&file.path),
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                escape_property(&format!("adinspect {}", f.rule)),
                escape_data(&message)
            ));
        }
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert!(expected.starts_with("::error file=dir%2Cx%3Ay%0A%25\\u{1b}.xml,line="));
    }
}
