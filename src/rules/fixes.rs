//! Which rules can repair what they report (`check --fix`), and how. A rule listed here attaches
//! edits to its findings when the defect's intent is plain; `Partial` ones only in the cases
//! named (the others need a person).

use crate::finding::Applicability;

pub struct Fixability {
    pub applicability: Applicability,
    /// Whether only some of the rule's findings carry a fix.
    pub partial: bool,
    /// What the fix does.
    pub what: &'static str,
}

const fn fix(applicability: Applicability, partial: bool, what: &'static str) -> Fixability {
    Fixability {
        applicability,
        partial,
        what,
    }
}

use Applicability::{Safe, Unsafe};

pub const FIXABLE: &[(&str, Fixability)] = &[
    (
        "malformed-xml",
        fix(
            Safe,
            true,
            "removes blank space before the XML declaration; other markup errors need a person",
        ),
    ),
    (
        "https-namespace",
        fix(
            Safe,
            false,
            "writes the namespace (or AcceptableResponseSchema) with http://",
        ),
    ),
    (
        "element-name-case",
        fix(
            Safe,
            false,
            "renames the element in its documented case, in both tags",
        ),
    ),
    (
        "misspelt-element",
        fix(
            Unsafe,
            false,
            "renames the element to the known name it is closest to (a guess: review it)",
        ),
    ),
    (
        "value-whitespace",
        fix(Safe, false, "removes the whitespace around the value"),
    ),
    (
        "invalid-on-off",
        fix(
            Safe,
            true,
            "writes on for yes, true, 1 or enabled and off for no, false, 0 or disabled; other values need a person",
        ),
    ),
    (
        "non-canonical-case",
        fix(Safe, false, "writes the value in its documented spelling"),
    ),
    (
        "invalid-encryption",
        fix(
            Safe,
            true,
            "writes TLS (Outlook's word for STARTTLS) for STARTTLS; other values need a person",
        ),
    ),
];

pub fn fixability(rule: &str) -> Option<&'static Fixability> {
    FIXABLE
        .iter()
        .find(|(name, _)| *name == rule)
        .map(|(_, f)| f)
}
