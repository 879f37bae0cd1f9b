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

/// What a check reports: a rule, where (bytes of the decoded text) and why; once located
/// (`analyze`), also its severity and positions. One type for both, located in place: half a
/// million findings are not copied into a second vector to be given four numbers.
///
/// 128 bytes (checked in a test): a document where every Protocol is wrong raises hundreds
/// of thousands of findings, and while they are found the document's tree is alive too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    /// From the rule catalogue, set in one place when the finding is located (`Info` before).
    pub severity: Severity,
    /// 1-based positions of the span's start and end (columns in characters), filled in when
    /// the finding is located (zero before). 32 bits: inputs are smaller than 4 GiB.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub span: Span,
    pub message: Text,
    /// What to do instead: the expected value, element or a did-you-mean.
    pub help: Option<Text>,
    /// Where in the document's structure the finding is (`Autodiscover/Response/Account/
    /// Protocol[IMAP]/SSL`), when asked for (`Options::element_paths`): a place that does not
    /// move when lines do.
    pub element_path: Option<ElementPath>,
    /// A second place the finding concerns (boxed: most findings have none).
    pub related: Option<Box<Related>>,
    /// The edits that repair it, when its intent is plain (boxed: most findings have none).
    pub fix: Option<Box<Fix>>,
}

/// A finding's place in the document's structure: one pointer, so that the findings without
/// one (all but GitLab's) spend little on it, and shared by the findings in one element.
pub type ElementPath = std::sync::Arc<Box<str>>;

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
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
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
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Finding {
    pub fn new(rule: &'static str, span: Span, message: impl Into<Text>) -> Finding {
        Finding {
            rule,
            severity: Severity::Info,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
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

/// A located finding: its severity and positions are filled in.
pub type Located = Finding;

/// An [`Edit`] of a located finding: its positions are filled in.
pub type LocatedEdit = Edit;

/// The [`Fix`] of a located finding.
pub type LocatedFix = Fix;

/// The [`Related`] span of a located finding: its positions are filled in.
pub type RelatedLocated = Related;

#[cfg(test)]
mod tests {
    use super::*;

    /// Half a million findings are held while a document's tree is alive: each byte here is
    /// half a megabyte there.
    #[test]
    fn a_finding_is_small() {
        assert_eq!(std::mem::size_of::<Finding>(), 128);
    }
}
