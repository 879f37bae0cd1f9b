//! SARIF 2.1.0: the rule catalogue as `tool.driver.rules`, one result per finding.

use std::io::{self, Write};

use serde_json::{Value as Json, json};

use super::FileResult;
use crate::finding::Severity;
use crate::rules::RULES;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path: forward slashes, reserved bytes percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Streams a SARIF 2.1.0 log: the header with the rule catalogue, each result as its file
/// arrives, then the closing brackets. Nothing is held back.
#[derive(Debug, Default)]
pub struct SarifWriter {
    started: bool,
    results: usize,
}

impl SarifWriter {
    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let rules: Vec<Json> = RULES
            .iter()
            .map(|rule| {
                json!({
                    "id": rule.name,
                    "name": rule.name,
                    "shortDescription": {"text": rule.summary},
                    "fullDescription": {"text": rule.explanation},
                    "help": {"text": format!(
                        "{}\n\nRun `adinspect explain {}` for a bad and a fixed example.",
                        rule.explanation, rule.name
                    )},
                    "defaultConfiguration": {"level": level(rule.severity)},
                    "properties": {"family": rule.family},
                })
            })
            .collect();
        let driver = json!({
            "name": "adinspect",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        });
        out.write_all(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\
              \"runs\":[{\"tool\":{\"driver\":",
        )?;
        serde_json::to_writer(&mut *out, &driver)?;
        out.write_all(b"},\"columnKind\":\"unicodeCodePoints\",\"results\":[\n")
    }

    pub fn file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        self.start(out)?;
        let uri = uri(&file.path);
        for f in &file.analysis.findings {
            let index = RULES.iter().position(|r| r.name == f.rule).unwrap_or(0);
            let message = match &f.help {
                Some(help) => format!("{} (help: {help})", f.message),
                None => f.message.clone(),
            };
            let result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        }
                    }
                }],
            });
            if self.results > 0 {
                out.write_all(b",\n")?;
            }
            self.results += 1;
            serde_json::to_writer(&mut *out, &result)?;
        }
        Ok(())
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        out.write_all(b"\n]}]}\n")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(super::uri("./a b/c%.xml"), "a%20b/c%25.xml");
        assert_eq!(super::uri("dir\\x.xml"), "dir/x.xml");
    }
}
