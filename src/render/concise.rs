//! `path:line:col: severity[rule] message`, one line per finding.

use std::io::{self, Write};

use super::FileResult;

pub fn write_file(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            file.path, f.line, f.column, f.severity, f.rule, f.message
        )?;
    }
    Ok(())
}
