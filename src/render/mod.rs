//! Output formats. Every renderer gets the same results in the same order; none of them decides
//! anything about the verdict.

pub mod concise;
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
    pub analysis: Analysis,
}

/// Counts over every file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
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
        format!("{} in {}", parts.join(", "), plural(self.files, "file"))
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
