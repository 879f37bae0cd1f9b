//! `check --fix` and `--diff`: the edits of fixable findings applied to a document, byte for
//! byte. Only the bytes of the edited spans change: the text is decoded, edited and encoded back
//! in the document's own encoding (BOM included), and a document whose bytes would not survive
//! that unchanged is left alone. Fixes are applied in passes until none is left (an edit that
//! overlaps another waits for the next pass), and the result is checked again: a document the
//! fixes would make worse is not fixed at all.

use std::collections::HashMap;

use crate::analyze::{self, Analysis, Options};
use crate::finding::{Applicability, Located};
use crate::source::{self, Encoding};

/// Passes before giving up on convergence (each pass applies every non-overlapping fix; real
/// documents need one or two).
const MAX_PASSES: usize = 8;

/// What `--fix` makes of one document.
#[derive(Debug)]
pub enum Outcome {
    /// No finding has a fix that may be applied.
    Nothing,
    /// Boxed: much larger than the other outcomes.
    Fixed(Box<Fixed>),
    /// Fixes exist but were not applied; the reason, for people.
    Refused(String),
}

#[derive(Debug)]
pub struct Fixed {
    /// The document before and after, decoded (for `--diff`).
    pub before: String,
    pub after: String,
    /// The fixed document in its own encoding.
    pub bytes: Vec<u8>,
    /// How many fixes were applied.
    pub applied: usize,
    /// The fixed document's analysis: what is left.
    pub analysis: Analysis,
}

/// Whether `finding` has a fix that this run may apply.
pub fn applicable(finding: &Located, unsafe_fixes: bool) -> bool {
    finding.fix.as_ref().is_some_and(|fix| {
        !fix.edits.is_empty() && (unsafe_fixes || fix.applicability == Applicability::Safe)
    })
}

/// Applies every applicable fix that does not overlap one applied before it (in document
/// order); returns the new text and how many fixes were applied.
pub fn apply(text: &str, findings: &[Located], unsafe_fixes: bool) -> (String, usize) {
    let mut fixes: Vec<_> = findings
        .iter()
        .filter(|f| applicable(f, unsafe_fixes))
        .filter_map(|f| f.fix.as_deref())
        .collect();
    fixes.sort_by_key(|fix| fix.edits[0].span.start);
    let mut taken: Vec<(std::ops::Range<usize>, std::borrow::Cow<'_, str>)> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let clashes = fix.edits.iter().any(|edit| {
            edit.span.end > text.len()
                || !text.is_char_boundary(edit.span.start)
                || !text.is_char_boundary(edit.span.end)
                || taken.iter().any(|(span, _)| {
                    // Overlapping, or two edits at the same point (their order would be a guess).
                    (edit.span.start < span.end && span.start < edit.span.end)
                        || edit.span.start == span.start
                })
        });
        if clashes {
            continue;
        }
        taken.extend(
            fix.edits
                .iter()
                .map(|e| (e.span.clone(), e.content.to_str())),
        );
        applied += 1;
    }
    taken.sort_by_key(|(span, _)| span.start);
    let mut fixed = String::with_capacity(text.len());
    let mut at = 0;
    for (span, content) in taken {
        fixed.push_str(&text[at..span.start]);
        fixed.push_str(&content);
        at = span.end;
    }
    fixed.push_str(&text[at..]);
    (fixed, applied)
}

/// `text` in `encoding`, with the byte order mark `original` starts with (if any). None when a
/// character cannot be written in that encoding.
pub fn encode(text: &str, encoding: Encoding, original: &[u8]) -> Option<Vec<u8>> {
    let bom = |mark: &[u8]| {
        if original.starts_with(mark) {
            mark.to_vec()
        } else {
            Vec::new()
        }
    };
    Some(match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let little = encoding == Encoding::Utf16Le;
            let mut bytes = bom(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
            for unit in text.encode_utf16() {
                bytes.extend(if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            bytes
        }
        Encoding::Utf32Le | Encoding::Utf32Be => {
            let little = encoding == Encoding::Utf32Le;
            let mut bytes = bom(if little {
                &[0xFF, 0xFE, 0, 0]
            } else {
                &[0, 0, 0xFE, 0xFF]
            });
            for c in text.chars() {
                let unit = u32::from(c);
                bytes.extend(if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            bytes
        }
        Encoding::Latin1 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()?,
        Encoding::Legacy(legacy) => {
            let (bytes, _, unmappable) = legacy.encode(text);
            if unmappable {
                return None;
            }
            bytes.into_owned()
        }
    })
}

/// Fixes one document whose first analysis is `first`.
pub fn fix(original: &[u8], first: &Analysis, options: &Options, unsafe_fixes: bool) -> Outcome {
    if !first.findings.iter().any(|f| applicable(f, unsafe_fixes)) {
        return Outcome::Nothing;
    }
    let decoded = source::decode(original.to_vec());
    // The findings' spans are in the analysed text; it must be the decoded input, and the input
    // must come back byte for byte when encoded again.
    if decoded.text != first.text
        || encode(&decoded.text, decoded.encoding, original).as_deref() != Some(original)
    {
        return Outcome::Refused(
            "its bytes cannot be written back unchanged (invalid or mixed encoding)".to_string(),
        );
    }
    let before = decoded.text;
    let mut text = before.clone();
    let mut bytes = original.to_vec();
    let mut analysis: Option<Analysis> = None;
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        // The findings of the last pass (the first analysis's before any).
        let findings = analysis.as_ref().map_or(&first.findings, |a| &a.findings);
        let (fixed, count) = apply(&text, findings, unsafe_fixes);
        if count == 0 {
            break;
        }
        let Some(encoded) = encode(&fixed, decoded.encoding, original) else {
            return Outcome::Refused(format!(
                "a fixed value cannot be written in its encoding ({})",
                decoded.encoding.label()
            ));
        };
        let again = analyze::analyze(encoded.clone(), options);
        applied += count;
        text = fixed;
        bytes = encoded;
        let clean = again.findings.is_empty();
        analysis = Some(again);
        if clean {
            break;
        }
    }
    let Some(analysis) = analysis else {
        return Outcome::Nothing;
    };
    if let Some(rule) = made_worse(&first.findings, &analysis.findings) {
        return Outcome::Refused(format!(
            "the fixes would add a finding ({rule}); left as it was"
        ));
    }
    Outcome::Fixed(Box::new(Fixed {
        before,
        after: text,
        bytes,
        applied,
        analysis,
    }))
}

/// A rule that fires more often after the fixes than before and says the fixes did harm, if
/// any: a rule about the markup or the structure (input, document and structure families), or
/// one whose own defect a fix repairs (a fix would have made the defect it is for). A setting
/// check that could not run on the invalid value and runs on the fixed one (SSL yes → on, then
/// tls-mode-port-mismatch on port 143) is no harm: clients read the old value as the default,
/// so the problem was there all along, and it is reported after the fix.
///
/// When the input was not well-formed, its other findings were hidden behind the parse error:
/// then only a new or remaining parse error counts.
fn made_worse(before: &[Located], after: &[Located]) -> Option<&'static str> {
    let unparsed = |findings: &[Located]| findings.iter().any(|f| f.rule == "malformed-xml");
    if unparsed(before) {
        return unparsed(after).then_some("malformed-xml");
    }
    let mut counts: HashMap<&str, isize> = HashMap::new();
    for f in before {
        *counts.entry(f.rule).or_default() += 1;
    }
    for f in after {
        let count = counts.entry(f.rule).or_default();
        *count -= 1;
        if *count < 0 && harmful(f.rule) {
            return Some(f.rule);
        }
    }
    None
}

fn harmful(rule: &str) -> bool {
    crate::rules::fixability(rule).is_some()
        || crate::rules::lookup(rule)
            .is_none_or(|r| matches!(r.family, "input" | "document" | "structure"))
}

/// A unified diff of a fix (`--- PATH` / `+++ PATH`, applies with `patch -p0`).
pub fn unified_diff(path: &str, fixed: &Fixed) -> String {
    similar::TextDiff::from_lines(&fixed.before, &fixed.after)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn options() -> Options {
        Options::default()
    }

    fn fixed(input: &[u8]) -> Fixed {
        let first = analyze::analyze(input.to_vec(), &options());
        match fix(input, &first, &options(), false) {
            Outcome::Fixed(fixed) => *fixed,
            other => panic!("not fixed: {other:?}"),
        }
    }

    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\r\n<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\r\n<Account><AccountType>email</AccountType><Action>settings</Action>\r\n";
    const TAIL: &str = "</Account></Response></Autodiscover>\r\n";

    fn document(protocol: &str) -> String {
        format!("{HEAD}<!-- kept -->\r\n\t<Protocol>{protocol}</Protocol>\r\n{TAIL}")
    }

    #[test]
    fn only_the_fixed_bytes_change_and_crlf_stays() {
        let input = document(
            "<Type>imap</Type><Server>imap.example.org</Server><Port>993</Port><SSL>yes</SSL><SPA>off</SPA>",
        );
        let result = fixed(input.as_bytes());
        assert_eq!(
            String::from_utf8(result.bytes).unwrap(),
            document(
                "<Type>IMAP</Type><Server>imap.example.org</Server><Port>993</Port><SSL>on</SSL><SPA>off</SPA>"
            )
        );
        assert_eq!(result.applied, 2);
        assert!(result.analysis.findings.is_empty());
    }

    #[test]
    fn overlapping_fixes_converge_over_passes() {
        // Whitespace and a synonym in one value: both fixes touch the same bytes.
        let input = document(
            "<Type>IMAP</Type><Server>imap.example.org</Server><Port>993</Port><SSL> true </SSL><SPA>off</SPA>",
        );
        let result = fixed(input.as_bytes());
        assert!(String::from_utf8_lossy(&result.bytes).contains("<SSL>on</SSL>"));
        assert_eq!(result.applied, 2);
    }

    #[test]
    fn a_bom_and_utf16_are_kept() {
        let text = document(
            "<Type>IMAP</Type><Server>imap.example.org</Server><Port>993</Port><SSL>1</SSL><SPA>off</SPA>",
        )
        .replace("utf-8", "utf-16");
        let mut input = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            input.extend(unit.to_le_bytes());
        }
        let result = fixed(&input);
        assert!(result.bytes.starts_with(&[0xFF, 0xFE]));
        let units: Vec<u16> = result.bytes[2..]
            .chunks(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        assert_eq!(
            String::from_utf16(&units).unwrap(),
            text.replace("<SSL>1</SSL>", "<SSL>on</SSL>")
        );
        let bom = [
            &[0xEF, 0xBB, 0xBF][..],
            document("<Type>pop3</Type><Server>a.example</Server><Port>995</Port><SPA>off</SPA>")
                .as_bytes(),
        ]
        .concat();
        assert!(fixed(&bom).bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    }

    #[test]
    fn unsafe_fixes_wait_for_the_flag_and_accepted_values_are_never_rewritten() {
        let input = document(
            "<Type>IMAP</Type><Server>imap.example.org</Server><Port>993</Port><SSL>On</SSL><SPA>Off</SPA><LoginNme>kim</LoginNme>",
        );
        let first = analyze::analyze(input.as_bytes().to_vec(), &options());
        assert!(matches!(
            fix(input.as_bytes(), &first, &options(), false),
            Outcome::Nothing
        ));
        let Outcome::Fixed(result) = fix(input.as_bytes(), &first, &options(), true) else {
            panic!("the unsafe fix applies with the flag");
        };
        let text = String::from_utf8(result.bytes).unwrap();
        assert!(
            text.contains("<LoginName>kim</LoginName>")
                && text.contains("<SSL>On</SSL><SPA>Off</SPA>")
        );
    }

    #[test]
    fn invalid_bytes_are_refused() {
        let mut input =
            document("<Type>imap</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA>")
                .into_bytes();
        input.extend_from_slice(b"<!-- \xFF -->");
        let first = analyze::analyze(input.clone(), &options());
        assert!(matches!(
            fix(&input, &first, &options(), false),
            Outcome::Refused(_)
        ));
    }

    #[test]
    fn blank_lines_before_the_declaration_are_removed() {
        let input = format!(
            "\r\n\r\n{}",
            document("<Type>IMAP</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA>")
        );
        let result = fixed(input.as_bytes());
        assert_eq!(String::from_utf8(result.bytes).unwrap(), input[4..]);
        // The parse error hid the other findings; once it is fixed they are fixed too.
        let input = format!(
            "\n{}",
            document("<Type>imap</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA>")
        );
        let result = fixed(input.as_bytes());
        assert_eq!(result.applied, 2);
        assert!(
            String::from_utf8(result.bytes)
                .unwrap()
                .contains("<Type>IMAP</Type>")
        );
    }

    #[test]
    fn fixes_that_add_findings_are_refused() {
        let before = analyze::analyze(
            document("<Type>imap</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA>")
                .into_bytes(),
            &options(),
        );
        let after = analyze::analyze(document("<Type>IMAP</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA><SSL>x</SSL>").into_bytes(), &options());
        assert_eq!(
            made_worse(&before.findings, &after.findings),
            Some("invalid-on-off")
        );
        assert_eq!(made_worse(&before.findings, &before.findings[..0]), None);
    }

    #[test]
    fn structural_harm_is_refused() {
        let before = analyze::analyze(
            document("<Type>imap</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA>")
                .into_bytes(),
            &options(),
        );
        let misplaced = analyze::analyze(
            document("<Type>IMAP</Type><Server>a.example</Server><Port>993</Port><SPA>off</SPA><Culture>en:us</Culture>")
                .into_bytes(),
            &options(),
        );
        assert!(made_worse(&before.findings, &misplaced.findings).is_some());
    }

    #[test]
    fn a_setting_check_that_runs_once_the_value_is_valid_is_no_harm() {
        // SSL yes is read as the default (on); fixed to on, port 143 is reported as it should.
        let input = document(
            "<Type>IMAP</Type><Server>a.example</Server><Port>143</Port><SSL>yes</SSL><SPA>off</SPA>",
        );
        let result = fixed(input.as_bytes());
        let rules: Vec<_> = result.analysis.findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["tls-mode-port-mismatch"]);
    }
}
