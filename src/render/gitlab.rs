//! GitLab Code Quality report (the CodeClimate JSON subset GitLab reads): one issue per
//! finding, streamed as a JSON array.

use std::hash::Hasher;
use std::io::{self, Write};

use serde_json::json;

use super::{FileResult, IO_ERROR, Unreadable};
use crate::finding::Severity;
use crate::schema::Fnv;

#[derive(Debug, Default)]
pub struct GitlabWriter {
    issues: usize,
}

impl GitlabWriter {
    pub fn file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        for f in &file.analysis.findings {
            // GitLab matches issues across pipelines by fingerprint: stable and unique per
            // finding.
            let mut hasher = Fnv::default();
            for part in [
                file.path.as_str(),
                f.rule,
                &f.line.to_string(),
                &f.column.to_string(),
                &f.message,
            ] {
                hasher.write(part.as_bytes());
                hasher.write(&[0]);
            }
            let issue = json!({
                "description": format!("{}: {}", f.rule, f.message),
                "check_name": f.rule,
                "fingerprint": format!("{:016x}", hasher.finish()),
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": {
                    "path": file.path,
                    "positions": {
                        "begin": {"line": f.line, "column": f.column},
                        "end": {"line": f.end_line, "column": f.end_column},
                    },
                },
            });
            out.write_all(if self.issues == 0 { b"[\n" } else { b",\n" })?;
            self.issues += 1;
            serde_json::to_writer(&mut *out, &issue)?;
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
