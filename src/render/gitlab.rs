//! GitLab Code Quality report (the CodeClimate JSON subset GitLab reads): one issue per
//! finding, streamed as a JSON array.

use std::hash::Hasher;
use std::io::{self, Write};

use serde_json::json;

use super::json::{push_number, push_string};
use super::{FileResult, IO_ERROR, Unreadable};
use crate::finding::Severity;
use crate::schema::{FastHash, Fnv};

#[derive(Debug, Default)]
pub struct GitlabWriter {
    issues: usize,
}

/// GitLab matches issues across pipelines by fingerprint, so a fingerprint must not change when
/// lines move (an added comment would otherwise show every finding as fixed and new): it is
/// made of the path, the rule, the element's place in the document's structure and the message
/// (which quotes the offending value), never the line or column. Findings alike in all of that
/// are told apart by their order.
pub fn fingerprints(file: &FileResult) -> Vec<u64> {
    let mut seen: std::collections::HashMap<u64, usize, FastHash> = Default::default();
    file.analysis
        .findings
        .iter()
        .map(|f| {
            let mut hasher = Fnv::default();
            let mut add = |part: &str| {
                hasher.write(part.as_bytes());
                hasher.write(&[0]);
            };
            add(&file.path);
            add(f.rule);
            add(f.element_path.as_deref().map_or("", |path| path));
            f.message.with_str(&mut add);
            let base = hasher.finish();
            let count = seen.entry(base).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                hasher.write(&count.to_le_bytes());
                hasher.finish()
            }
        })
        .collect()
}

/// Sixteen lowercase hex digits (`{:016x}`).
fn push_hex(out: &mut Vec<u8>, value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        out.push(DIGITS[(value >> (shift * 4)) as usize & 0xf]);
    }
}

impl GitlabWriter {
    /// Each issue written directly, keys at every level in serde_json's (sorted) order: the
    /// bytes `json!` gave, without a value tree per finding.
    pub fn file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        let fingerprints = fingerprints(file);
        let path = serde_json::to_string(&file.path)?;
        let mut issue = Vec::with_capacity(384);
        let mut description = String::new();
        for (f, fingerprint) in file.analysis.findings.iter().zip(fingerprints) {
            issue.clear();
            issue.extend_from_slice(if self.issues == 0 { b"[\n" } else { b",\n" });
            self.issues += 1;
            // Rule names are [a-z0-9-]: nothing to escape.
            issue.extend_from_slice(b"{\"check_name\":\"");
            issue.extend_from_slice(f.rule.as_bytes());
            issue.extend_from_slice(b"\",\"description\":");
            f.message.with_str(|message| {
                description.clear();
                description.push_str(f.rule);
                description.push_str(": ");
                description.push_str(message);
            });
            push_string(&mut issue, &description);
            issue.extend_from_slice(b",\"fingerprint\":\"");
            push_hex(&mut issue, fingerprint);
            issue.extend_from_slice(b"\",\"location\":{\"path\":");
            issue.extend_from_slice(path.as_bytes());
            issue.extend_from_slice(b",\"positions\":{\"begin\":{\"column\":");
            push_number(&mut issue, f.column as usize);
            issue.extend_from_slice(b",\"line\":");
            push_number(&mut issue, f.line as usize);
            issue.extend_from_slice(b"},\"end\":{\"column\":");
            push_number(&mut issue, f.end_column as usize);
            issue.extend_from_slice(b",\"line\":");
            push_number(&mut issue, f.end_line as usize);
            issue.extend_from_slice(b"}}},\"severity\":\"");
            issue.extend_from_slice(match f.severity {
                Severity::Error => b"major",
                Severity::Warning => b"minor",
                Severity::Info => b"info",
            });
            issue.extend_from_slice(b"\"}");
            out.write_all(&issue)?;
        }
        Ok(())
    }

    /// An input that could not be read, as a blocker issue on its path.
    pub fn unreadable(&mut self, out: &mut dyn Write, unreadable: &Unreadable) -> io::Result<()> {
        let mut hasher = Fnv::default();
        for part in [unreadable.path.as_str(), IO_ERROR] {
            hasher.write(part.as_bytes());
            hasher.write(&[0]);
        }
        let issue = json!({
            "description": format!("{IO_ERROR}: cannot read {}: {}", unreadable.path, unreadable.message),
            "check_name": IO_ERROR,
            "fingerprint": format!("{:016x}", hasher.finish()),
            "severity": "blocker",
            "location": {"path": unreadable.path, "lines": {"begin": 1}},
        });
        out.write_all(if self.issues == 0 { b"[\n" } else { b",\n" })?;
        self.issues += 1;
        serde_json::to_writer(&mut *out, &issue).map_err(io::Error::from)
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(if self.issues == 0 { b"[]\n" } else { b"\n]\n" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_sixteen_hex_digits_as_format_writes_them() {
        for value in [0, 1, 0xf, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef] {
            let mut out = Vec::new();
            push_hex(&mut out, value);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{value:016x}"));
        }
    }
}
