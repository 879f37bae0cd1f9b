//! Findings: what a rule reports, before and after positions are resolved.

use std::fmt;
use std::ops::Range;

/// How bad a finding is. The order matters: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range in the decoded text of one input.
pub type Span = Range<usize>;

pub use crate::text::Text;

/// What a check reports: a rule, where (bytes of the decoded text) and why.
/// Severity is not here on purpose: it comes from the rule catalogue, applied in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub span: Span,
    pub message: Text,
    /// What to do instead: the expected value, element or a did-you-mean.
    pub help: Option<Text>,
    /// Where in the document's structure the finding is (`Autodiscover/Response/Account/
    /// Protocol[IMAP]/SSL`), when asked for (`Options::element_paths`): a place that does not
    /// move when lines do.
    pub element_path: Option<Box<str>>,
    /// A second place the finding concerns (boxed: most findings have none).
    pub related: Option<Box<Related>>,
    /// The edits that repair it, when its intent is plain (boxed: most findings have none).
    pub fix: Option<Box<Fix>>,
}

/// Whether a fix may be applied without asking: `Safe` when no client could read the fixed
/// document differently from what the author meant, `Unsafe` when it guesses (a misspelling)
/// or changes meaning; applied only with `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` (decoded text) with `content`. The positions of the span are
/// filled in when the finding is located (zero before), in place: locating a finding moves
/// nothing it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: Text,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Edit {
    pub fn new(span: Span, content: impl Into<Text>) -> Edit {
        Edit {
            span,
            content: content.into(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, for people ("write on").
    pub message: Text,
    /// Non-overlapping, in document order.
    pub edits: Vec<Edit>,
}

/// A secondary span with what it is, such as the start tag that a wrong end tag should close.
/// Its positions are filled in when the finding is located (zero before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: Text,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Finding {
    pub fn new(rule: &'static str, span: Span, message: impl Into<Text>) -> Finding {
        Finding {
            rule,
            span,
            message: message.into(),
            help: None,
            element_path: None,
            related: None,
            fix: None,
        }
    }

    pub fn with_fix(
        mut self,
        applicability: Applicability,
        message: impl Into<Text>,
        edits: Vec<Edit>,
    ) -> Finding {
        self.fix = Some(Box::new(Fix {
            applicability,
            message: message.into(),
            edits,
        }));
        self
    }

    pub fn with_related(mut self, span: Span, label: impl Into<Text>) -> Finding {
        self.related = Some(Box::new(Related {
            span,
            label: label.into(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        }));
        self
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Finding {
        self.help = Some(help.into());
        self
    }
}

/// What human `show` marks a value with: a reported finding's rule, severity and span (in the
/// input), without positions or words. Cheap enough to make while a document's tree is alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub rule: &'static str,
    pub severity: Severity,
    pub span: (usize, usize),
}

impl Mark {
    pub fn of(finding: &Located) -> Mark {
        Mark {
            rule: finding.rule,
            severity: finding.severity,
            span: (finding.span.start, finding.span.end),
        }
    }
}

/// A finding with its severity and 1-based line/column positions (columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub rule: &'static str,
    pub severity: Severity,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub span: Span,
    pub message: Text,
    pub help: Option<Text>,
    pub element_path: Option<Box<str>>,
    pub related: Option<Box<RelatedLocated>>,
    pub fix: Option<Box<LocatedFix>>,
}

/// An [`Edit`] of a located finding: its positions are filled in.
pub type LocatedEdit = Edit;

/// The [`Fix`] of a located finding.
pub type LocatedFix = Fix;

/// The [`Related`] span of a located finding: its positions are filled in.
pub type RelatedLocated = Related;
