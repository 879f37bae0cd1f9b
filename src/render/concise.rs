//! `path:line:col: severity[rule] message`, one line per finding.

use std::io::{self, Write};

use super::escape::Shown;
use super::{FileResult, IO_ERROR, Unreadable};

pub fn write_file(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        f.message.with_str(|message| {
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                Shown(&file.path),
                f.line,
                f.column,
                f.severity,
                f.rule,
                Shown(message)
            )
        })?;
    }
    Ok(())
}

/// `path:1:1: error[io-error] message`: the input that could not be read, in the same shape.
pub fn write_unreadable(out: &mut dyn Write, unreadable: &Unreadable) -> io::Result<()> {
    writeln!(
        out,
        "{}:1:1: error[{IO_ERROR}] {}",
        Shown(&unreadable.path),
        Shown(&unreadable.message)
    )
}
