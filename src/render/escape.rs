//! Text that came from an input or a file name, made safe for a terminal. Every text format
//! (human, concise, `show`, GitHub annotations) and every message on stderr passes such text
//! through [`terminal`]: a document or a file name can then neither colour, move or clear the
//! screen, nor forge a line ("no problems found"), nor reorder what is shown with bidi controls.
//! Machine formats (JSON, SARIF, GitLab) escape by their own rules instead.

use std::borrow::Cow;
use std::fmt;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls, DEL, the bidi
/// embeddings, overrides, isolates and marks, and the Unicode line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as a visible escape: `\n`, `\r`, `\t`, or
/// `\u{1b}` (the character's code in hexadecimal). Borrowed when nothing needs escaping, which
/// is the usual case.
pub fn terminal(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// [`terminal`], but line breaks are kept as they are: for formats that encode them their own
/// way (GitHub workflow commands).
pub fn terminal_keeping_line_breaks(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && c != '\r' && is_unsafe(c))
}

fn escape_where(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    // ASCII without controls or DEL, the usual case, settles in one pass over the bytes,
    // eight at a time.
    let Some(first) = first_not_printable_ascii(text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let Some(unsafe_at) = text[first..].find(&escape).map(|i| first + i) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..unsafe_at]);
    for c in text[unsafe_at..].chars() {
        if escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is below `limit` (≤ 0x80). A byte below it borrows into its own
/// high bit; a borrow passed on to the next byte only happens after a byte that was below.
pub(crate) fn any_byte_below(word: u64, limit: u8) -> bool {
    word.wrapping_sub(u64::from(limit) * ONES) & !word & HIGHS != 0
}

/// Whether any byte of `word` equals `byte`.
pub(crate) fn any_byte_is(word: u64, byte: u8) -> bool {
    any_byte_below(word ^ (u64::from(byte) * ONES), 1)
}

/// The first byte that is not printable ASCII (a control, DEL, or part of a non-ASCII
/// character), checking eight bytes at a time.
fn first_not_printable_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if word & HIGHS != 0 || any_byte_below(word, 0x20) || any_byte_is(word, 0x7f) {
            break;
        }
        base += 8;
    }
    bytes[base..]
        .iter()
        .position(|&b| b < 0x20 || b == 0x7f || b >= 0x80)
        .map(|at| base + at)
}

fn push_escaped(out: &mut String, c: char) {
    use fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Displays its text through [`terminal`]: `format!("{}", Shown(path))`.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal(self.0))
    }
}

/// Whether text written for a terminal is free of unsafe characters, apart from line breaks and
/// the colour sequences (`ESC [ digits ; … m`) the painter writes itself. Used by the soundness
/// checks on every rendered output.
pub fn is_terminal_safe(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Only a complete SGR sequence: ESC [ (digits or ;)* m.
            if chars.next() != Some('[') {
                return false;
            }
            loop {
                match chars.next() {
                    Some('m') => break,
                    Some(d) if d.is_ascii_digit() || d == ';' => {}
                    _ => return false,
                }
            }
        } else if c != '\n' && is_unsafe(c) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time scan finds exactly the byte a byte-by-byte scan finds, for every byte
    /// value at every position around the eight-byte words.
    #[test]
    fn the_word_scan_matches_a_byte_scan() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b < 0x20 || b == 0x7f || b >= 0x80)
        };
        for byte in 0..=255u8 {
            for len in [1, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    assert_eq!(
                        first_not_printable_ascii(&bytes),
                        naive(&bytes),
                        "{byte:#x} at {at} of {len}"
                    );
                    bytes[len - 1] = 0x1f; // a later control does not hide an earlier one
                    assert_eq!(first_not_printable_ascii(&bytes), naive(&bytes));
                }
            }
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(terminal("mail.example.com"), Cow::Borrowed(_)));
        assert!(matches!(terminal("Chloé Müller 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_bidi_and_separators_are_escaped() {
        assert_eq!(terminal("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(
            terminal("line\nforged\r\tx\x07"),
            "line\\nforged\\r\\tx\\u{7}"
        );
        assert_eq!(terminal("é\u{202e}txt.exe"), "é\\u{202e}txt.exe");
        assert_eq!(
            terminal("\u{2066}\u{2069}\u{2028}\u{2029}"),
            "\\u{2066}\\u{2069}\\u{2028}\\u{2029}"
        );
        assert_eq!(terminal("\u{85}\u{9b}\u{7f}"), "\\u{85}\\u{9b}\\u{7f}");
        assert_eq!(
            terminal("\u{200e}\u{200f}\u{61c}"),
            "\\u{200e}\\u{200f}\\u{61c}"
        );
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let escaped = terminal(&c.to_string()).into_owned();
            assert!(
                escaped.chars().all(|e| !is_unsafe(e)),
                "{c:?} → {escaped:?}"
            );
        }
    }

    #[test]
    fn safety_check_allows_only_colour_sequences() {
        assert!(is_terminal_safe("\x1b[1;31merror\x1b[0m: fine\n"));
        assert!(!is_terminal_safe("\x1b]0;title\x07"));
        assert!(!is_terminal_safe("\x1b[2J"));
        assert!(!is_terminal_safe("a\rb"));
        assert!(!is_terminal_safe("a\u{202e}b"));
        assert!(is_terminal_safe(&terminal("a\u{202e}\x1b[2J\rb")));
    }
}
