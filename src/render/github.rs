//! GitHub Actions workflow commands: one annotation per finding.

use std::io::{self, Write};

use super::{FileResult, IO_ERROR, Unreadable};
use crate::finding::Severity;

/// Message data: every control character but line breaks made visible first (the log viewer
/// is a terminal), then `%`, CR and LF escaped as GitHub requires.
pub fn escape_data(text: &str) -> String {
    let text = super::escape::terminal_keeping_line_breaks(text);
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values: additionally `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write_file(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let message = match &f.help {
            Some(help) => format!("{} (help: {help})", f.message).into(),
            None => f.message.to_str(),
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.path),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            escape_property(&format!("adinspect {}", f.rule)),
            escape_data(&message)
        )?;
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
    }
}
