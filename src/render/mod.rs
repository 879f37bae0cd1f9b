//! Output formats. Every renderer gets the same results in the same order; none of them decides
//! anything about the verdict.

pub mod concise;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use crate::analyze::Analysis;
use crate::finding::{Located, Severity};

/// One analysed input, under the name users gave it.
#[derive(Debug)]
pub struct FileResult {
    pub path: String,
    /// The path as the system has it, when it is not UTF-8 (`path` then shows it with U+FFFD):
    /// formats that encode bytes (SARIF's URIs) use this.
    pub raw_path: Option<std::path::PathBuf>,
    pub analysis: Analysis,
}

/// An input that could not be read (missing, unreadable, over `--max-size`, a directory that
/// cannot be listed): every format reports it, and the run exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: String,
    pub message: String,
}

/// The pseudo-rule under which formats that carry findings only report an unreadable input (as
/// ruff does), at line 1, column 1.
pub const IO_ERROR: &str = "io-error";

/// Counts over every file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Paths that could not be read.
    pub unreadable: usize,
    /// XML files of another kind found by walking, not judged.
    pub skipped: usize,
}

impl Summary {
    pub fn add(&mut self, findings: &[Located]) {
        self.files += 1;
        for finding in findings {
            match finding.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    /// "2 errors, 1 warning, 3 infos in 4 files"
    pub fn sentence(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = vec![
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
        ];
        if self.infos > 0 {
            parts.push(plural(self.infos, "info"));
        }
        format!(
            "{} in {}{}",
            parts.join(", "),
            plural(self.files, "file"),
            self.aside()
        )
    }

    /// "; 1 path could not be read; 3 other XML files skipped", or nothing.
    pub fn aside(&self) -> String {
        let mut text = String::new();
        match self.unreadable {
            0 => {}
            1 => text.push_str("; 1 path could not be read"),
            n => text.push_str(&format!("; {n} paths could not be read")),
        }
        match self.skipped {
            0 => {}
            1 => text.push_str("; 1 other XML file skipped"),
            n => text.push_str(&format!("; {n} other XML files skipped")),
        }
        text
    }
}

/// Output format of `check` (`show` accepts human and json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style: the source line with a caret under the problem
    Human,
    /// one line per finding: path:line:col: severity[rule] message
    Concise,
    /// one JSON document with files, findings and a summary
    Json,
    /// one JSON object per finding and line
    Jsonl,
    /// SARIF 2.1.0 for code-scanning services
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// GitLab Code Quality report (JSON)
    Gitlab,
}
