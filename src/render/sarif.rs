//! SARIF 2.1.0: the rule catalogue as `tool.driver.rules`, one result per finding.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use super::json::{push_number, push_string};
use super::{FileResult, Unreadable};
use crate::finding::{Located, Severity};
use crate::rules::RULES;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes path bytes for a URI: unreserved characters and `/` stay, every other byte
/// (a non-UTF-8 one included) becomes `%XX`.
fn encode(out: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// The components of a path's bytes with `.` and empty ones dropped and `..` applied; `false`
/// when a `..` climbed above the start.
fn normalise(bytes: &[u8]) -> (Vec<&[u8]>, bool) {
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut inside = true;
    for part in bytes.split(|&b| b == b'/' || (cfg!(windows) && b == b'\\')) {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.pop().is_none() {
                    inside = false;
                }
            }
            part => parts.push(part),
        }
    }
    (parts, inside)
}

fn path_bytes<'p>(path: &'p str, raw: Option<&'p Path>) -> std::borrow::Cow<'p, [u8]> {
    #[cfg(unix)]
    if let Some(raw) = raw {
        use std::os::unix::ffi::OsStrExt;
        return std::borrow::Cow::Borrowed(raw.as_os_str().as_bytes());
    }
    let _ = raw;
    std::borrow::Cow::Borrowed(path.as_bytes())
}

/// A SARIF `artifactLocation` for a path as given: relative to `%SRCROOT%` (the working
/// directory, `base`) and normalised when it lies below it, an absolute `file://` URI otherwise.
pub fn location_in(base: Option<&Path>, path: &str, raw: Option<&Path>) -> Json {
    let bytes = path_bytes(path, raw);
    let absolute = bytes.first() == Some(&b'/');
    let base_bytes = base.map(|b| b.to_string_lossy().into_owned().into_bytes());
    let (base_parts, _) = normalise(base_bytes.as_deref().unwrap_or(b""));
    let (parts, inside) = normalise(&bytes);
    let relative: Option<Vec<&[u8]>> = if absolute {
        base.filter(|_| parts.starts_with(&base_parts))
            .map(|_| parts[base_parts.len()..].to_vec())
    } else if inside {
        Some(parts.clone())
    } else {
        None
    };
    let mut uri = String::new();
    match relative {
        Some(rest) => {
            encode(&mut uri, &rest.join(&b'/'));
            json!({"uri": uri, "uriBaseId": "%SRCROOT%"})
        }
        None => {
            // Outside the working directory: where it is, as an absolute URI.
            let joined: Vec<u8>;
            let whole = if absolute {
                parts
            } else {
                joined = [base_bytes.unwrap_or_default().as_slice(), b"/", &bytes].concat();
                normalise(&joined).0
            };
            uri.push_str("file:///");
            encode(&mut uri, &whole.join(&b'/'));
            json!({"uri": uri})
        }
    }
}

/// The `file://` URI of a directory, ending in `/` (SARIF's base URIs must).
fn directory_uri(dir: &Path) -> String {
    let bytes = dir.to_string_lossy().into_owned().into_bytes();
    let (parts, _) = normalise(&bytes);
    let mut uri = String::from("file:///");
    encode(&mut uri, &parts.join(&b'/'));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Streams a SARIF 2.1.0 log: the header with the rule catalogue, each result as its file
/// arrives, then the closing brackets. Nothing is held back.
#[derive(Debug, Default)]
pub struct SarifWriter {
    /// The working directory (`%SRCROOT%`): paths below it are written relative to it.
    base: Option<PathBuf>,
    started: bool,
    results: usize,
    /// Inputs that could not be read: the run's invocation says it did not succeed, and why.
    unreadable: Vec<Unreadable>,
}

/// `use-pop-auth-without-pop3` → `UsePopAuthWithoutPop3`: SARIF's name for people, distinct
/// from the stable id.
pub fn display_name(rule: &str) -> String {
    rule.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Where a rule is documented: its section of docs/rules.md in the repository.
pub fn help_uri(rule: &str) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{rule}",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    )
}

impl SarifWriter {
    /// A writer whose relative paths are relative to `base` (the working directory).
    pub fn new(base: Option<PathBuf>) -> SarifWriter {
        SarifWriter {
            base,
            ..SarifWriter::default()
        }
    }

    fn location(&self, path: &str, raw: Option<&Path>) -> Json {
        location_in(self.base.as_deref(), path, raw)
    }

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
                    "name": display_name(rule.name),
                    "helpUri": help_uri(rule.name),
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
        out.write_all(b"},")?;
        if let Some(base) = &self.base {
            out.write_all(b"\"originalUriBaseIds\":")?;
            serde_json::to_writer(
                &mut *out,
                &json!({"%SRCROOT%": {"uri": directory_uri(base)}}),
            )?;
            out.write_all(b",")?;
        }
        out.write_all(b"\"columnKind\":\"unicodeCodePoints\",\"results\":[\n")
    }

    /// The file's results, and its suppressed findings as results marked `inSource`.
    pub fn file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        self.start(out)?;
        let location = self.location(&file.path, file.raw_path.as_deref());
        let analysis = &file.analysis;
        let all = analysis
            .findings
            .iter()
            .map(|f| (f, false))
            .chain(analysis.suppressed.iter().map(|f| (f, true)));
        // The file's location is the same in every result: serialised once.
        let location = serde_json::to_string(&location)?;
        let mut result = Vec::with_capacity(512);
        for (f, suppressed) in all {
            result.clear();
            if self.results > 0 {
                result.extend_from_slice(b",\n");
            }
            self.results += 1;
            write_result(&mut result, &location, f, suppressed)?;
            out.write_all(&result)?;
        }
        Ok(())
    }

    /// Notes an input that could not be read: a notification, and an unsuccessful execution
    /// (a code-scanning service must not read the missing results as "everything fixed").
    pub fn unreadable(&mut self, unreadable: &Unreadable) {
        self.unreadable.push(unreadable.clone());
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.start(out)?;
        let notifications: Vec<Json> = self
            .unreadable
            .iter()
            .map(|u| {
                json!({
                    "level": "error",
                    "message": {"text": format!("cannot read {}: {}", u.path, u.message)},
                    "locations": [{"physicalLocation": {"artifactLocation": self.location(&u.path, None)}}],
                })
            })
            .collect();
        let invocation = json!({
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        });
        out.write_all(b"\n],\"invocations\":[")?;
        serde_json::to_writer(&mut *out, &invocation)?;
        out.write_all(b"]}]}\n")
    }
}

/// A region's keys in serde_json's (sorted) order.
fn write_region(out: &mut Vec<u8>, line: u32, column: u32, end_line: u32, end_column: u32) {
    out.extend_from_slice(b"{\"endColumn\":");
    push_number(out, end_column as usize);
    out.extend_from_slice(b",\"endLine\":");
    push_number(out, end_line as usize);
    out.extend_from_slice(b",\"startColumn\":");
    push_number(out, column as usize);
    out.extend_from_slice(b",\"startLine\":");
    push_number(out, line as usize);
    out.push(b'}');
}

/// One result written directly, keys at every level in the order serde_json gives a map
/// (sorted): the bytes `json!` built and serialised before, without a value tree per finding
/// (the snapshot and schema tests hold it to that). `location` is the serialised
/// artifactLocation.
fn write_result(
    out: &mut Vec<u8>,
    location: &str,
    f: &Located,
    suppressed: bool,
) -> io::Result<()> {
    out.push(b'{');
    if let Some(fix) = &f.fix {
        out.extend_from_slice(b"\"fixes\":[{\"artifactChanges\":[{\"artifactLocation\":");
        out.extend_from_slice(location.as_bytes());
        out.extend_from_slice(b",\"replacements\":[");
        for (i, e) in fix.edits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"deletedRegion\":");
            write_region(out, e.line, e.column, e.end_line, e.end_column);
            out.extend_from_slice(b",\"insertedContent\":{\"text\":");
            e.content.with_str(|content| push_string(out, content));
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"]}],\"description\":{\"text\":");
        push_string(
            out,
            &format!("{} ({})", fix.message, fix.applicability.as_str()),
        );
        out.extend_from_slice(b"}}],");
    }
    out.extend_from_slice(b"\"level\":\"");
    out.extend_from_slice(level(f.severity).as_bytes());
    out.extend_from_slice(b"\",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":");
    out.extend_from_slice(location.as_bytes());
    out.extend_from_slice(b",\"region\":");
    write_region(out, f.line, f.column, f.end_line, f.end_column);
    out.extend_from_slice(b"}}],\"message\":{\"text\":");
    match &f.help {
        Some(help) => push_string(out, &format!("{} (help: {help})", f.message)),
        None => f.message.with_str(|message| push_string(out, message)),
    }
    out.push(b'}');
    if let Some(related) = &f.related {
        out.extend_from_slice(b",\"relatedLocations\":[{\"id\":1,\"message\":{\"text\":");
        related.label.with_str(|label| push_string(out, label));
        out.extend_from_slice(b"},\"physicalLocation\":{\"artifactLocation\":");
        out.extend_from_slice(location.as_bytes());
        out.extend_from_slice(b",\"region\":");
        write_region(
            out,
            related.line,
            related.column,
            related.end_line,
            related.end_column,
        );
        out.extend_from_slice(b"}}]");
    }
    let index = crate::rules::index(f.rule).unwrap_or(0);
    // Rule names are [a-z0-9-]: nothing to escape.
    out.extend_from_slice(b",\"ruleId\":\"");
    out.extend_from_slice(f.rule.as_bytes());
    out.extend_from_slice(b"\",\"ruleIndex\":");
    push_number(out, index);
    if suppressed {
        out.extend_from_slice(b",\"suppressions\":[{\"kind\":\"inSource\"}]");
    }
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(base: &str, path: &str) -> String {
        let location = location_in(Some(Path::new(base)), path, None);
        let uri = location["uri"].as_str().unwrap().to_string();
        match location.get("uriBaseId") {
            Some(_) => uri,
            None => format!("(absolute) {uri}"),
        }
    }

    #[test]
    fn uris_below_the_working_directory_are_relative_and_normalised() {
        assert_eq!(uri("/work", "./a b/c%.xml"), "a%20b/c%25.xml");
        assert_eq!(uri("/work", ".//fixtures/x.xml"), "fixtures/x.xml");
        assert_eq!(uri("/work", "a/../b/./x.xml"), "b/x.xml");
        assert_eq!(uri("/work", "/work/sub/x.xml"), "sub/x.xml");
        assert_eq!(uri("/work", "é.xml"), "%C3%A9.xml");
    }

    #[test]
    fn uris_outside_it_are_absolute_file_uris() {
        assert_eq!(uri("/work", "/etc/x.xml"), "(absolute) file:///etc/x.xml");
        assert_eq!(
            uri("/work/repo", "../x.xml"),
            "(absolute) file:///work/x.xml"
        );
        assert_eq!(
            uri("/work", "/workshop/x.xml"),
            "(absolute) file:///workshop/x.xml"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_bytes_are_encoded_as_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let raw = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9.xml"));
        let location = location_in(Some(Path::new("/work")), "caf\u{fffd}.xml", Some(raw));
        assert_eq!(location["uri"], "caf%E9.xml");
    }

    #[test]
    fn rule_names_for_people() {
        assert_eq!(
            display_name("use-pop-auth-without-pop3"),
            "UsePopAuthWithoutPop3"
        );
        assert!(help_uri("invalid-on-off").ends_with("docs/rules.md#invalid-on-off"));
    }
}
