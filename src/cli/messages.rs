//! Messages on stderr: errors, warnings and `--verbose` notes. Every message passes through the
//! terminal escaping (paths and file contents cannot forge lines or send escape sequences), and a
//! message that cannot be written never stops the run: it is remembered, and the run then exits
//! 2 (it could not tell the user everything).

use std::fmt;
use std::io::Write;

use crate::render::escape::terminal;

pub(super) struct Messages<'e> {
    stderr: &'e mut dyn Write,
    failed: bool,
}

impl<'e> Messages<'e> {
    pub(super) fn new(stderr: &'e mut dyn Write) -> Messages<'e> {
        Messages {
            stderr,
            failed: false,
        }
    }

    /// `adinspect: TEXT`: something the tool could not do.
    pub(super) fn error(&mut self, text: impl fmt::Display) {
        self.line("", text);
    }

    /// `adinspect: warning: TEXT`: worth knowing, but the run goes on unchanged.
    pub(super) fn warning(&mut self, text: impl fmt::Display) {
        self.line("warning: ", text);
    }

    /// `adinspect: TEXT`, for `--verbose`.
    pub(super) fn note(&mut self, text: impl fmt::Display) {
        self.line("", text);
    }

    /// Lines written as they are: only for fixed text of the tool's own (usage hints).
    pub(super) fn fixed(&mut self, text: &'static str) {
        if self.stderr.write_all(text.as_bytes()).is_err() {
            self.failed = true;
        }
    }

    fn line(&mut self, prefix: &str, text: impl fmt::Display) {
        let text = text.to_string();
        if writeln!(self.stderr, "adinspect: {prefix}{}", terminal(&text)).is_err() {
            self.failed = true;
        }
    }

    /// Whether a message could not be written (stderr closed or full).
    pub(super) fn failed(&self) -> bool {
        self.failed
    }
}
