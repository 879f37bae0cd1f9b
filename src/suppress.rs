//! Suppressions written in the document, as comments:
//!
//! - `<!-- adinspect: ignore RULE[, RULE…] -->` silences those rules on the next element (the
//!   next sibling of the comment) and everything inside it;
//! - `<!-- adinspect: ignore-file RULE[, RULE…] -->`, anywhere, silences them in the whole file.
//!
//! A rule may be named by its name or its family. A suppression that silences nothing is
//! itself reported (`unused-suppression`), as is a name that is no rule: suppressions that
//! outlive their reason would hide the next real problem.

use crate::compact::RunLog;
use crate::finding::{Finding, Located, Span};
use crate::rules::{self, FAMILIES, RULES, Selection};
use crate::xml::XmlDocument;

const MARKER: &str = "adinspect:";

/// The search for [`MARKER`], set up once (every input is searched).
fn has_marker(text: &str) -> bool {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARKER.as_bytes()));
    FINDER.find(text.as_bytes()).is_some()
}

/// One rule or family named in a suppression, and where it is written (in the input).
#[derive(Debug, Clone)]
struct Named {
    name: String,
    span: Span,
    used: bool,
}

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// `ignore-file`: everywhere; otherwise within `range`.
    file_wide: bool,
    /// The element it applies to, in the input (empty when there is none).
    range: Span,
    /// The comment, in the input.
    comment: Span,
    names: Vec<Named>,
}

/// Every suppression comment of a parsed document. `log` maps the parsed text's offsets back
/// to the input's. Costs one search of the text when there is none (the usual case).
pub fn collect(doc: &XmlDocument<'_>, text: &str, log: &RunLog) -> Vec<Suppression> {
    if !has_marker(text) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for node in doc.descendants().filter(|n| n.is_comment()) {
        let Some(body) = node.text() else { continue };
        let range = node.range();
        // The comment's text starts after `<!--`; offsets inside a comment are the same in the
        // input (nothing is ever taken out of a comment).
        let body_start = log.start(range.start) + 4;
        let Some((file_wide, names)) = parse(body, body_start) else {
            continue;
        };
        let target = if file_wide {
            0..0
        } else {
            node.next_siblings()
                .skip(1)
                .find(|n| n.is_element())
                .map_or(0..0, |element| log.span(element.range()))
        };
        found.push(Suppression {
            file_wide,
            range: target,
            comment: log.span(range),
            names,
        });
    }
    found
}

/// The `ignore-file` suppressions of a text that could not be parsed (no tree to say what the
/// next element is): found by looking for comments in the text.
pub fn collect_unparsed(text: &str) -> Vec<Suppression> {
    if !has_marker(text) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("<!--").map(|i| at + i) {
        let body_start = open + 4;
        let Some(close) = text[body_start..].find("-->").map(|i| body_start + i) else {
            break;
        };
        if let Some((true, names)) = parse(&text[body_start..close], body_start) {
            found.push(Suppression {
                file_wide: true,
                range: 0..0,
                comment: open..close + 3,
                names,
            });
        }
        at = close + 3;
    }
    found
}

/// `adinspect: ignore a, b` → (false, [a, b]); `adinspect: ignore-file a` → (true, [a]).
/// `start` is where `body` starts in the input. None when the comment is no suppression.
fn parse(body: &str, start: usize) -> Option<(bool, Vec<Named>)> {
    let trimmed = body.trim_start();
    let rest = trimmed.strip_prefix(MARKER)?;
    let offset = start + (body.len() - trimmed.len()) + MARKER.len();
    let directive = rest.trim_start();
    let mut offset = offset + (rest.len() - directive.len());
    let (file_wide, list) = if let Some(list) = directive.strip_prefix("ignore-file") {
        offset += "ignore-file".len();
        (true, list)
    } else if let Some(list) = directive.strip_prefix("ignore") {
        offset += "ignore".len();
        (false, list)
    } else {
        return None;
    };
    if !list.is_empty() && !list.starts_with(|c: char| c.is_whitespace()) {
        return None; // `ignored`, `ignore-all`: not this directive
    }
    let mut names = Vec::new();
    let mut position = 0;
    for piece in list.split(|c: char| c == ',' || c.is_whitespace()) {
        if !piece.is_empty() {
            let at = offset + position;
            names.push(Named {
                name: piece.to_string(),
                span: at..at + piece.len(),
                used: false,
            });
        }
        position += piece.len() + 1;
    }
    Some((file_wide, names))
}

fn covers(named: &str, rule: &'static str) -> bool {
    named == rule || named == "all" || rules::lookup(rule).is_some_and(|r| r.family == named)
}

/// Moves the findings that a suppression covers from `findings` to the result (in order), and
/// marks the names that covered something.
pub fn apply(suppressions: &mut [Suppression], findings: &mut Vec<Located>) -> Vec<Located> {
    if suppressions.is_empty() {
        return Vec::new();
    }
    let mut suppressed = Vec::new();
    findings.retain(|finding| {
        let hit = silences(suppressions, finding.span.start, finding.rule);
        if hit {
            suppressed.push(finding.clone());
        }
        !hit
    });
    suppressed
}

/// Whether a suppression silences a finding of `rule` starting at `start`; marks the names that
/// do as used.
pub fn silences(suppressions: &mut [Suppression], start: usize, rule: &'static str) -> bool {
    let mut hit = false;
    for suppression in suppressions.iter_mut() {
        let applies = suppression.file_wide
            || (suppression.range.start <= start && start < suppression.range.end);
        if !applies {
            continue;
        }
        for named in &mut suppression.names {
            if covers(&named.name, rule) {
                named.used = true;
                hit = true;
            }
        }
    }
    hit
}

/// `unused-suppression` findings: a name that is no rule or family, a suppression with no
/// names or nothing after it, and a name of a rule that is on but silenced nothing. A name of
/// a rule that is off is left alone: another configuration may turn it on.
pub fn unused(suppressions: &[Suppression], selection: &Selection) -> Vec<Finding> {
    let mut found = Vec::new();
    for suppression in suppressions {
        if suppression.names.is_empty() {
            found.push(
                Finding::new(
                    "unused-suppression",
                    suppression.comment.clone(),
                    "a suppression that names no rule silences nothing",
                )
                .with_help("name the rules to silence: <!-- adinspect: ignore invalid-on-off -->"),
            );
            continue;
        }
        if !suppression.file_wide && suppression.range.is_empty() {
            found.push(
                Finding::new(
                    "unused-suppression",
                    suppression.comment.clone(),
                    "`adinspect: ignore` applies to the next element, and none follows this comment",
                )
                .with_help("put the comment just before the element, or use ignore-file"),
            );
            continue;
        }
        for named in suppression.names.iter().filter(|n| !n.used) {
            let name = named.name.as_str();
            if let Err(unknown) = rules::validate_selector(name) {
                let mut finding = Finding::new(
                    "unused-suppression",
                    named.span.clone(),
                    format!("`{name}` is no rule or family, so this suppression silences nothing"),
                );
                if let Some(suggestion) = unknown.suggestion {
                    finding = finding.with_help(format!("did you mean `{suggestion}`?"));
                }
                found.push(finding);
                continue;
            }
            let on = RULES
                .iter()
                .enumerate()
                .any(|(i, rule)| selection.enabled_at(i) && covers(name, rule.name));
            if !on {
                continue;
            }
            let place = if suppression.file_wide {
                "in this file"
            } else {
                "on the next element"
            };
            let what = if FAMILIES.contains(&name) || name == "all" {
                format!("no rule of `{name}` fires {place}")
            } else {
                format!("`{name}` does not fire {place}")
            };
            found.push(
                Finding::new(
                    "unused-suppression",
                    named.span.clone(),
                    format!("unused suppression: {what}"),
                )
                .with_help("remove it, so that it cannot hide a future problem"),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_and_their_names() {
        let (wide, names) = parse(" adinspect: ignore a, b  c ", 100).unwrap();
        assert!(!wide);
        let listed: Vec<_> = names
            .iter()
            .map(|n| (n.name.as_str(), n.span.clone()))
            .collect();
        let body = " adinspect: ignore a, b  c ";
        for (name, span) in &listed {
            assert_eq!(&body[span.start - 100..span.end - 100], *name);
        }
        assert_eq!(listed.len(), 3);
        let (wide, names) = parse("adinspect:ignore-file x", 0).unwrap();
        assert!(wide);
        assert_eq!(names[0].name, "x");
        assert!(parse(" adinspect: ignored x", 0).is_none());
        assert!(parse(" a comment about adinspect: ignore x", 0).is_none());
        assert!(parse(" adinspect: ignore", 0).unwrap().1.is_empty());
    }
}
