//! Bytes → text. Detects the encoding from the bytes (BOM, UTF-16/32 shapes) and the XML
//! declaration (a declared legacy encoding such as ISO-8859-1 or windows-1252 is honoured, as
//! XML parsers do, when the bytes are not UTF-8), decodes without ever substituting silently,
//! and builds the line index that every position in every output comes from.

use crate::compact::RunLog;
use crate::finding::{Finding, Span, Text};

/// The encoding the bytes were actually in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
    /// ISO-8859-1 as declared: each byte is the code point (not windows-1252, which the WHATWG
    /// labels map it to; XML parsers read 0x80–0x9F as C1 controls).
    Latin1,
    /// Another declared legacy encoding (windows-1252, ISO-8859-15, Shift_JIS…).
    Legacy(&'static encoding_rs::Encoding),
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf32Le => "UTF-32LE",
            Encoding::Utf32Be => "UTF-32BE",
            Encoding::Latin1 => "ISO-8859-1",
            Encoding::Legacy(legacy) => legacy.name(),
        }
    }

    fn family(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => "utf-8",
            Encoding::Utf16Le | Encoding::Utf16Be => "utf-16",
            Encoding::Utf32Le | Encoding::Utf32Be => "utf-32",
            Encoding::Latin1 | Encoding::Legacy(_) => "legacy",
        }
    }
}

/// Decoded text plus what went wrong on the way. Spans in `findings` index into `text`.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    /// NUL bytes or undecodable data dominate: not a text document at all.
    pub looks_binary: bool,
    pub findings: Vec<Finding>,
}

const REPLACEMENT: char = '\u{FFFD}';
/// Past this many invalid sequences the rest are summarised in one finding.
const MAX_DECODE_FINDINGS: usize = 20;

/// Takes the bytes by value: valid UTF-8 (the usual case) becomes the text without a copy.
pub fn decode(bytes: impl Into<Vec<u8>>) -> Decoded {
    let mut bytes: Vec<u8> = bytes.into();
    let (mut encoding, _) = detect(&bytes);
    let mut findings = Vec::new();
    let text = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            if encoding == Encoding::Utf8Bom {
                bytes.drain(..3);
            }
            match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(err) => {
                    let bytes = err.into_bytes();
                    // Not UTF-8: a declared legacy encoding is what an XML parser reads it as.
                    match (encoding, decode_declared_legacy(&bytes)) {
                        (Encoding::Utf8, Some((legacy, text))) => {
                            encoding = legacy;
                            text
                        }
                        _ => decode_utf8(&bytes, &mut findings),
                    }
                }
            }
        }
        Encoding::Latin1 | Encoding::Legacy(_) => unreachable!("detect() reads only the bytes"),
        Encoding::Utf16Le | Encoding::Utf16Be => decode_utf16(
            detect(&bytes).1,
            encoding == Encoding::Utf16Le,
            &mut findings,
        ),
        Encoding::Utf32Le | Encoding::Utf32Be => decode_utf32(
            detect(&bytes).1,
            encoding == Encoding::Utf32Le,
            &mut findings,
        ),
    };
    let looks_binary = looks_binary(&text);
    if !looks_binary {
        check_declaration(&text, encoding, &mut findings);
    }
    Decoded {
        text,
        encoding,
        looks_binary,
        findings,
    }
}

fn detect(bytes: &[u8]) -> (Encoding, &[u8]) {
    // UTF-32 first: its little-endian BOM starts with the UTF-16LE one.
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => (Encoding::Utf32Le, &bytes[4..]),
        [0, 0, 0xFE, 0xFF, ..] => (Encoding::Utf32Be, &bytes[4..]),
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8Bom, &bytes[3..]),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, &bytes[2..]),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, &bytes[2..]),
        [b'<', 0, 0, 0, ..] => (Encoding::Utf32Le, bytes),
        [0, 0, 0, b'<', ..] => (Encoding::Utf32Be, bytes),
        [b'<', 0, b'?', 0, ..] => (Encoding::Utf16Le, bytes),
        [0, b'<', 0, b'?', ..] => (Encoding::Utf16Be, bytes),
        _ => (Encoding::Utf8, bytes),
    }
}

/// The encoding named in the XML declaration of `bytes` when it is an ASCII-compatible legacy
/// encoding, and the text decoded with it; None when none is declared or the bytes are not
/// valid in it (they are then reported as invalid UTF-8).
fn decode_declared_legacy(bytes: &[u8]) -> Option<(Encoding, String)> {
    // The declaration is ASCII in every ASCII-compatible encoding: read it from the raw bytes.
    let head = &bytes[..bytes.len().min(256)];
    let end = head.iter().position(|&b| b == b'>')?;
    let declaration = std::str::from_utf8(&head[..=end]).ok()?;
    let (label, _) = declared_encoding(declaration)?;
    let normalized = label.trim().to_ascii_lowercase().replace('_', "-");
    if matches!(
        normalized.as_str(),
        "iso-8859-1" | "latin1" | "l1" | "iso-ir-100" | "cp819" | "ibm819" | "csisolatin1"
    ) {
        return Some((
            Encoding::Latin1,
            bytes.iter().map(|&b| char::from(b)).collect(),
        ));
    }
    let legacy = encoding_rs::Encoding::for_label(normalized.as_bytes())?;
    if !legacy.is_ascii_compatible() || legacy == encoding_rs::UTF_8 {
        return None;
    }
    let text = legacy.decode_without_bom_handling_and_without_replacement(bytes)?;
    Some((Encoding::Legacy(legacy), text.into_owned()))
}

/// Decodes UTF-8; every invalid sequence becomes U+FFFD *and* a finding at its position.
fn decode_utf8(mut bytes: &[u8], findings: &mut Vec<Finding>) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = 0usize;
    let mut first_overflow: Option<usize> = None;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(rest) => {
                text.push_str(rest);
                break;
            }
            Err(err) => {
                let valid = err.valid_up_to();
                // SAFETY-free: from_utf8 vouched for this prefix.
                text.push_str(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
                let bad_len = err.error_len().unwrap_or(bytes.len() - valid);
                let at = text.len();
                let shown: Vec<String> = bytes[valid..valid + bad_len]
                    .iter()
                    .map(|b| format!("0x{b:02X}"))
                    .collect();
                text.push(REPLACEMENT);
                invalid += 1;
                if invalid <= MAX_DECODE_FINDINGS {
                    let what = if err.error_len().is_none() {
                        "truncated UTF-8 sequence at the end of the input"
                    } else {
                        "invalid UTF-8"
                    };
                    findings.push(
                        Finding::new(
                            "invalid-utf8",
                            at..at + REPLACEMENT.len_utf8(),
                            format!("{what}: byte(s) {}", shown.join(" ")),
                        )
                        .with_help(
                            "save the document as UTF-8; Autodiscover documents must be UTF-8 \
                             encoded",
                        ),
                    );
                } else if first_overflow.is_none() {
                    first_overflow = Some(at);
                }
                bytes = &bytes[valid + bad_len..];
            }
        }
    }
    if let Some(at) = first_overflow {
        findings.push(Finding::new(
            "invalid-utf8",
            at..at + REPLACEMENT.len_utf8(),
            format!(
                "{} more invalid UTF-8 sequences from here on (not listed one by one)",
                invalid - MAX_DECODE_FINDINGS
            ),
        ));
    }
    text
}

fn decode_utf16(bytes: &[u8], little_endian: bool, findings: &mut Vec<Finding>) -> String {
    let units = bytes.chunks(2).map(|pair| match (pair, little_endian) {
        ([lo, hi], true) | ([hi, lo], false) => u16::from_le_bytes([*lo, *hi]),
        // An odd trailing byte cannot form a unit: make it an unpaired surrogate so it is reported.
        _ => 0xDC00,
    });
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = 0usize;
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => text.push(c),
            Err(err) => {
                let at = text.len();
                text.push(REPLACEMENT);
                invalid += 1;
                if invalid <= MAX_DECODE_FINDINGS {
                    findings.push(Finding::new(
                        "invalid-utf8",
                        at..at + REPLACEMENT.len_utf8(),
                        format!(
                            "invalid UTF-16: unpaired surrogate 0x{:04X}",
                            err.unpaired_surrogate()
                        ),
                    ));
                }
            }
        }
    }
    text
}

fn decode_utf32(bytes: &[u8], little_endian: bool, findings: &mut Vec<Finding>) -> String {
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut invalid = 0usize;
    for quad in bytes.chunks(4) {
        let value = match (quad, little_endian) {
            ([a, b, c, d], true) => Some(u32::from_le_bytes([*a, *b, *c, *d])),
            ([a, b, c, d], false) => Some(u32::from_be_bytes([*a, *b, *c, *d])),
            _ => None,
        };
        match value.and_then(char::from_u32) {
            Some(c) => text.push(c),
            None => {
                let at = text.len();
                text.push(REPLACEMENT);
                invalid += 1;
                if invalid <= MAX_DECODE_FINDINGS {
                    findings.push(Finding::new(
                        "invalid-utf8",
                        at..at + REPLACEMENT.len_utf8(),
                        "invalid UTF-32 code unit",
                    ));
                }
            }
        }
    }
    text
}

/// Binary data: NUL characters, or mostly replacement/control characters in the first KiB.
fn looks_binary(text: &str) -> bool {
    // Bytes are enough: multi-byte UTF-8 is never a control character, and a replacement
    // character (EF BF BD) counts as odd like the bytes it replaced.
    let head = &text.as_bytes()[..text.len().min(1024)];
    // The usual case, plain text: no byte below a space but tab and line breaks, no DEL, no
    // EF (which starts a replacement character), settled in one branch-free pass.
    if head.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r')) & (b != 0x7f) & (b != 0xEF)
    }) {
        return false;
    }
    let mut odd = 0usize;
    for (i, &b) in head.iter().enumerate() {
        if b == 0 {
            return true;
        }
        let control = (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f;
        if control || (b == 0xEF && head.get(i + 1..i + 3) == Some(&[0xBF, 0xBD])) {
            odd += 1;
        }
    }
    odd * 10 > head.len()
}

/// The `encoding` pseudo-attribute of the XML declaration, with its span in `text`.
pub fn declared_encoding(text: &str) -> Option<(&str, Span)> {
    if !text.starts_with("<?xml") {
        return None;
    }
    let decl = &text[..text.find("?>")?];
    let bytes = decl.as_bytes();
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = skip_space(decl.find("encoding")? + "encoding".len());
    if bytes.get(i) != Some(&b'=') {
        return None;
    }
    i = skip_space(i + 1);
    let quote = *bytes.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    let start = i + 1;
    let len = decl[start..].find(quote as char)?;
    Some((&text[start..start + len], start..start + len))
}

fn check_declaration(text: &str, encoding: Encoding, findings: &mut Vec<Finding>) {
    if encoding.family() == "legacy" {
        let (declared, span) = declared_encoding(text).unwrap_or(("", 0..0));
        findings.push(
            Finding::new(
                "not-utf8",
                span,
                format!(
                    "the document is encoded as {} (as its declaration says); Autodiscover \
                     requests and responses must be UTF-8, and clients that assume it misread \
                     every non-ASCII character",
                    encoding.label()
                ),
            )
            .with_help(format!(
                "convert the file to UTF-8 and change the declaration to encoding=\"utf-8\" \
                 (for example: iconv -f {declared} -t utf-8)"
            )),
        );
        return;
    }
    if encoding.family() != "utf-8" {
        findings.push(
            Finding::new(
                "not-utf8",
                0..text.chars().next().map_or(0, char::len_utf8),
                format!(
                    "the document is encoded as {}; Autodiscover requests and responses must be \
                     UTF-8",
                    encoding.label()
                ),
            )
            .with_help("re-encode the document as UTF-8 (without BOM)"),
        );
    }
    let Some((declared, span)) = declared_encoding(text) else {
        return;
    };
    let normalized = declared.to_ascii_lowercase().replace('_', "-");
    let matches = match encoding.family() {
        "utf-8" => normalized == "utf-8" || normalized == "utf8",
        "utf-16" => {
            normalized == "utf-16"
                || (normalized == "utf-16le" && encoding == Encoding::Utf16Le)
                || (normalized == "utf-16be" && encoding == Encoding::Utf16Be)
        }
        _ => normalized.starts_with("utf-32") || normalized == "ucs-4",
    };
    // ASCII-only content reads the same in every ASCII-compatible encoding.
    let harmless = encoding.family() == "utf-8" && text.is_ascii() && normalized != "utf-16";
    if !matches {
        let finding = Finding::new(
            "encoding-mismatch",
            span,
            format!(
                "the XML declaration says encoding \"{declared}\" but the bytes are {}",
                encoding.label()
            ),
        )
        .with_help(if encoding.family() == "utf-8" {
            "the bytes already are UTF-8: change the declaration to encoding=\"utf-8\"".into()
        } else {
            Text::from(format!(
                "convert the file to UTF-8 and change the declaration to encoding=\"utf-8\" \
                 (for example: iconv -f {} -t utf-8)",
                encoding.label()
            ))
        });
        if harmless {
            // Still wrong, but no character is misread: report under the milder not-utf8 rule.
            findings.push(Finding {
                rule: "not-utf8",
                message: format!(
                    "the XML declaration says encoding \"{declared}\"; Autodiscover documents \
                     must be UTF-8 (the content is plain ASCII, so nothing is misread)"
                )
                .into(),
                ..finding
            });
        } else {
            findings.push(finding);
        }
    }
}

/// Line starts computed once per input; turns byte offsets into 1-based line and character
/// columns without rescanning the text from the start.
#[derive(Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    ascii: bool,
    /// Characters before each CHECKPOINT-sized block, built on the first column asked for on a
    /// long non-ASCII line (short lines are counted directly: most documents never need it).
    checkpoints: std::sync::OnceLock<Vec<usize>>,
}

const CHECKPOINT: usize = 4096;

/// Characters in UTF-8 bytes: the bytes that do not continue a sequence (a loop the compiler
/// turns into vector instructions).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    fn checkpoints(&self, text: &str) -> &[usize] {
        self.checkpoints.get_or_init(|| {
            let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 2);
            let mut chars = 0usize;
            for block in text.as_bytes().chunks(CHECKPOINT) {
                checkpoints.push(chars);
                chars += count_chars(block);
            }
            // The end of a text whose length is a multiple of CHECKPOINT starts a block of its
            // own (found by fuzzing: without it that position counted no characters at all).
            checkpoints.push(chars);
            checkpoints
        })
    }

    /// Number of characters in `text[..offset]`, through the checkpoints.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHECKPOINT;
        let from = block * CHECKPOINT;
        self.checkpoints(text).get(block).copied().unwrap_or(0)
            + count_chars(&text.as_bytes()[from..offset])
    }

    /// The index of an input that `log` compacted into `compacted`, built without putting the
    /// input back together. Its positions are asked with [`LineIndex::position_compacted`].
    pub fn of_compacted(compacted: &str, log: &RunLog) -> LineIndex {
        LineIndex {
            line_starts: log.line_starts(compacted),
            // Only ASCII whitespace was taken out.
            ascii: compacted.is_ascii(),
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    /// The 1-based line of a byte offset (at most the text's length).
    fn line_of(&self, offset: usize) -> usize {
        thread_local! {
            /// The line (1-based) of the last position this thread asked for: findings and
            /// settings come mostly in document order, several on a line, so the next one is
            /// usually on it and needs no search. Per thread, as threads placing different
            /// parts of one document would otherwise keep taking it from each other; only a
            /// guess, checked against the index it is used with.
            static LAST_LINE: std::cell::Cell<usize> = const { std::cell::Cell::new(1) };
        }
        let starts = &self.line_starts;
        let hint = LAST_LINE.get();
        let on_hint = hint >= 1
            && starts.get(hint - 1).is_some_and(|&start| start <= offset)
            && starts.get(hint).is_none_or(|&next| next > offset);
        if on_hint {
            return hint;
        }
        let line = starts.partition_point(|&start| start <= offset);
        LAST_LINE.set(line);
        line
    }

    /// Characters in `text[from..to]`.
    fn chars_between(&self, text: &str, from: usize, to: usize) -> usize {
        if to - from <= 2 * CHECKPOINT {
            // Directly: a typical line is far shorter than a checkpoint block.
            count_chars(&text.as_bytes()[from..to])
        } else {
            self.chars_before(text, to) - self.chars_before(text, from)
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1];
        let column = if self.ascii {
            offset - start
        } else {
            self.chars_between(text, start, offset)
        };
        (line, column + 1)
    }

    /// [`LineIndex::position`] of an offset of the input (at most `input_len`) for an index
    /// built by [`LineIndex::of_compacted`]: the bytes taken out are ASCII whitespace, one
    /// character each, so a column is the bytes from the line start less the bytes of the
    /// compacted text in between that continue a character.
    pub fn position_compacted(
        &self,
        compacted: &str,
        log: &RunLog,
        input_len: usize,
        offset: usize,
    ) -> (usize, usize) {
        let offset = offset.min(input_len);
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1];
        let bytes = offset - start;
        let column = if self.ascii {
            bytes
        } else {
            let (from, to) = (log.compacted_offset(start), log.compacted_offset(offset));
            bytes - ((to - from) - self.chars_between(compacted, from, to))
        };
        (line, column + 1)
    }

    /// Byte offset of a 1-based (line, character column), clamped into the text.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let line_text = &text[start..];
        line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| start + i)
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |&next| next - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(decoded: &Decoded) -> Vec<&'static str> {
        decoded.findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn plain_utf8_has_no_findings() {
        let d = decode(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.findings.is_empty());
        assert_eq!(d.text, "<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>");
    }

    #[test]
    fn bom_is_stripped() {
        let d = decode(b"\xEF\xBB\xBF<a/>");
        assert_eq!(d.encoding, Encoding::Utf8Bom);
        assert_eq!(d.text, "<a/>");
        assert!(d.findings.is_empty());
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let body: Vec<u8> = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>é</a>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend(&body);
        for bytes in [&with_bom[..], &body[..]] {
            let d = decode(bytes);
            assert_eq!(d.encoding, Encoding::Utf16Le);
            assert!(d.text.ends_with("<a>é</a>"));
            assert_eq!(rules(&d), vec!["not-utf8"]);
        }
        let be: Vec<u8> = "<?xml version=\"1.0\"?><a/>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(be.as_slice()).encoding, Encoding::Utf16Be);
    }

    #[test]
    fn invalid_utf8_is_a_finding_at_its_position() {
        let d = decode(b"<a>\n  ok \xFF here</a>");
        assert_eq!(rules(&d), vec!["invalid-utf8"]);
        let index = LineIndex::new(&d.text);
        assert_eq!(index.position(&d.text, d.findings[0].span.start), (2, 6));
        assert!(d.findings[0].message.to_str().contains("0xFF"));
    }

    #[test]
    fn truncated_utf8_at_end() {
        let d = decode(b"<a>\xE2\x82");
        assert_eq!(rules(&d), vec!["invalid-utf8"]);
        assert!(d.findings[0].message.to_str().contains("truncated"));
    }

    #[test]
    fn many_invalid_bytes_are_summarised() {
        let mut bytes = b"<a>".to_vec();
        bytes.extend(std::iter::repeat_n(0xFFu8, 500));
        let d = decode(bytes.as_slice());
        assert_eq!(d.findings.len(), MAX_DECODE_FINDINGS + 1);
        assert!(d.looks_binary);
    }

    #[test]
    fn declaration_contradicting_bytes() {
        let d = decode("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>é</a>".as_bytes());
        assert_eq!(rules(&d), vec!["encoding-mismatch"]);
        let span = d.findings[0].span.clone();
        assert_eq!(&d.text[span], "iso-8859-1");
        let ascii = decode(b"<?xml version='1.0' encoding='us-ascii' ?><a/>");
        assert_eq!(rules(&ascii), vec!["not-utf8"]);
        let utf16_claim = decode(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>");
        assert_eq!(rules(&utf16_claim), vec!["encoding-mismatch"]);
        assert!(
            utf16_claim.findings[0]
                .help
                .as_ref()
                .map(|help| help.to_str())
                .as_deref()
                .unwrap()
                .contains("already are UTF-8")
        );
    }

    #[test]
    fn declared_latin1_is_read_as_latin1() {
        let d =
            decode(&b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Ren\xE9 \xA3\x85</a>"[..]);
        assert_eq!(d.encoding, Encoding::Latin1);
        assert_eq!(d.encoding.label(), "ISO-8859-1");
        assert!(d.text.ends_with("<a>René £\u{85}</a>"), "{}", d.text);
        assert_eq!(rules(&d), vec!["not-utf8"], "one warning, no invalid-utf8");
        let span = d.findings[0].span.clone();
        assert_eq!(&d.text[span], "ISO-8859-1");
        assert!(
            d.findings[0]
                .help
                .as_ref()
                .map(|help| help.to_str())
                .as_deref()
                .unwrap()
                .contains("iconv -f ISO-8859-1 -t utf-8")
        );
    }

    #[test]
    fn declared_windows_1252_and_others_are_decoded() {
        let d = decode(&b"<?xml version='1.0' encoding='windows-1252'?><a>\x80 M\xFCller</a>"[..]);
        assert_eq!(d.encoding.label(), "windows-1252");
        assert!(d.text.ends_with("<a>€ Müller</a>"), "{}", d.text);
        assert_eq!(rules(&d), vec!["not-utf8"]);
        let sjis =
            decode(&b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xfa\x96\x7b</a>"[..]);
        assert_eq!(sjis.encoding.label(), "Shift_JIS");
        assert!(sjis.text.ends_with("<a>日本</a>"), "{}", sjis.text);
    }

    #[test]
    fn a_legacy_declaration_over_utf8_bytes_is_a_mismatch() {
        // The bytes are valid UTF-8: a parser honouring the declaration would misread "é".
        let d = decode("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>é</a>".as_bytes());
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(rules(&d), vec!["encoding-mismatch"]);
        // Bytes invalid in the declared encoding, or an unknown label: reported as invalid UTF-8.
        let bad = decode(&b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x85\xff</a>"[..]);
        assert!(rules(&bad).contains(&"invalid-utf8"));
        let unknown = decode(&b"<?xml version=\"1.0\" encoding=\"klingon\"?><a>\xE9</a>"[..]);
        assert!(rules(&unknown).contains(&"invalid-utf8"));
    }

    #[test]
    fn nul_bytes_look_binary() {
        assert!(decode(b"\x00\x01\x02garbage\x00").looks_binary);
        assert!(!decode(b"<a/>").looks_binary);
    }

    #[test]
    fn utf32_is_decoded() {
        let bytes: Vec<u8> = "<a/>"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let d = decode(bytes.as_slice());
        assert_eq!(d.encoding, Encoding::Utf32Le);
        assert_eq!(d.text, "<a/>");
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\nçé<x>\n\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 3), (2, 1));
        let x = text.find("<x>").unwrap();
        assert_eq!(index.position(text, x), (2, 3));
        assert_eq!(index.offset(text, 2, 3), x);
        assert_eq!(index.position(text, text.len()), (4, 2));
        assert_eq!(index.line_text(text, 2), "çé<x>");
        assert_eq!(index.line_count(), 4);
    }

    #[test]
    fn position_at_the_end_of_a_checkpoint_sized_text() {
        let text = "é".repeat(CHECKPOINT / 2);
        assert_eq!(text.len(), CHECKPOINT);
        let index = LineIndex::new(&text);
        assert_eq!(index.position(&text, text.len()), (1, CHECKPOINT / 2 + 1));
    }

    /// The remembered line changes nothing: every offset, asked in order, backwards and
    /// scattered, gets the position counted from the start of the text.
    #[test]
    fn positions_in_any_order_match_a_count_from_the_start() {
        let text = "<a>\n\n  é<b/>\r\n\tz\n\n\nlast";
        let expected = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |at| at + 1);
            (line, text[line_start..offset].chars().count() + 1)
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        let index = LineIndex::new(text);
        let scattered = offsets.iter().map(|&o| offsets[(o * 7) % offsets.len()]);
        for offset in offsets
            .iter()
            .copied()
            .chain(offsets.iter().rev().copied())
            .chain(scattered)
        {
            assert_eq!(
                index.position(text, offset),
                expected(offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn positions_on_a_long_non_ascii_line() {
        let text = "é".repeat(10_000) + "<x>";
        let index = LineIndex::new(&text);
        assert_eq!(index.position(&text, text.len() - 3), (1, 10_001));
    }
}
