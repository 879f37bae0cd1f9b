//! GitHub Actions workflow commands: one annotation per finding.

use std::io::{self, Write};

use super::FileResult;
use crate::finding::Severity;

/// Message data: `%`, CR and LF are escaped.
pub fn escape_data(text: &str) -> String {
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
            Some(help) => format!("{} (help: {help})", f.message),
            None => f.message.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
