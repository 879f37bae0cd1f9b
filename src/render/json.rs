//! JSON and JSON Lines. Findings: 1-based lines, columns in characters.

use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

use super::{FileResult, IO_ERROR, Summary, Unreadable};
use crate::finding::Located;
use crate::model::DocKind;
use crate::report::{DocumentReport, ErrorReport, ProtocolReport, Reporter, Setting, Value};
use crate::source::Encoding;

/// The version of the `--format json` documents (docs/output.schema.json). 2: `show` reports
/// typed `effective` settings per Protocol instead of sentences.
pub const SCHEMA_VERSION: u32 = 2;

/// The version of `rules --format json` (`{"version":1,"rules":[…]}`).
pub const RULES_VERSION: u32 = 1;

/// The JSONL shape: exactly these keys.
pub fn finding_line(path: &str, f: &Located) -> Json {
    json!({
        "path": path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "severity": f.severity.as_str(),
        "rule": f.rule,
        "message": f.message.to_str(),
        "fix": fix_json(f),
    })
}

/// The finding's fix as edits (positions like the finding's; `content` replaces the range), or
/// null.
pub fn fix_json(f: &Located) -> Json {
    let Some(fix) = &f.fix else {
        return Json::Null;
    };
    json!({
        "applicability": fix.applicability.as_str(),
        "message": fix.message.to_str(),
        "edits": fix.edits.iter().map(|e| json!({
            "line": e.line,
            "column": e.column,
            "end_line": e.end_line,
            "end_column": e.end_column,
            "content": e.content.to_str(),
        })).collect::<Vec<_>>(),
    })
}

/// The JSON shape: the JSONL keys plus the help text (the reference the direct writer is
/// tested against).
#[cfg(test)]
fn finding(path: &str, f: &Located) -> Json {
    let mut value = finding_line(path, f);
    value["help"] = json!(f.help.as_ref().map(|help| help.to_str()));
    value
}

pub fn write_jsonl(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    // The path is escaped once per file; each line is built in one buffer and written once.
    let path = serde_json::to_string(&file.path)?;
    let mut line = Vec::with_capacity(256);
    for f in &file.analysis.findings {
        line.clear();
        write_finding_object(&mut line, &path, f, false)?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

/// One finding as a JSON object, written directly: the bytes of `serde_json::to_writer` on
/// `finding_line(…)` (JSONL) or `finding(…)` (JSON, with `help`), keys in the same sorted
/// order, without building a map per finding. `path` is already a JSON string.
fn write_finding_object(
    line: &mut Vec<u8>,
    path: &str,
    f: &Located,
    with_help: bool,
) -> io::Result<()> {
    line.extend_from_slice(b"{\"column\":");
    push_number(line, f.column as usize);
    line.extend_from_slice(b",\"end_column\":");
    push_number(line, f.end_column as usize);
    line.extend_from_slice(b",\"end_line\":");
    push_number(line, f.end_line as usize);
    line.extend_from_slice(b",\"fix\":");
    match &f.fix {
        // Keys in serde_json's (sorted) order, as fix_json would give them.
        Some(fix) => {
            line.extend_from_slice(b"{\"applicability\":\"");
            line.extend_from_slice(fix.applicability.as_str().as_bytes());
            line.extend_from_slice(b"\",\"edits\":[");
            for (i, e) in fix.edits.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(b"{\"column\":");
                push_number(line, e.column as usize);
                line.extend_from_slice(b",\"content\":");
                e.content.with_str(|content| push_string(line, content));
                line.extend_from_slice(b",\"end_column\":");
                push_number(line, e.end_column as usize);
                line.extend_from_slice(b",\"end_line\":");
                push_number(line, e.end_line as usize);
                line.extend_from_slice(b",\"line\":");
                push_number(line, e.line as usize);
                line.push(b'}');
            }
            line.extend_from_slice(b"],\"message\":");
            fix.message.with_str(|message| push_string(line, message));
            line.push(b'}');
        }
        None => line.extend_from_slice(b"null"),
    }
    if with_help {
        line.extend_from_slice(b",\"help\":");
        match &f.help {
            Some(help) => help.with_str(|help| push_string(line, help)),
            None => line.extend_from_slice(b"null"),
        }
    }
    line.extend_from_slice(b",\"line\":");
    push_number(line, f.line as usize);
    line.extend_from_slice(b",\"message\":");
    f.message.with_str(|message| push_string(line, message));
    line.extend_from_slice(b",\"path\":");
    line.extend_from_slice(path.as_bytes());
    line.extend_from_slice(b",\"rule\":\"");
    // Rule names are [a-z0-9-]: nothing to escape.
    line.extend_from_slice(f.rule.as_bytes());
    line.extend_from_slice(b"\",\"severity\":\"");
    line.extend_from_slice(f.severity.as_str().as_bytes());
    line.extend_from_slice(b"\"}");
    Ok(())
}

/// `text` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\\` and the
/// control characters below 0x20 (`\b \f \n \r \t` short, the others as `\u00xx`), nothing
/// else. Text with nothing to escape (the usual case) is checked eight bytes at a time and
/// copied at once; otherwise it is looked at byte by byte only in the words that hold
/// something to escape (a message quoting a value has two quotes in a hundred bytes), and the
/// runs between escapes are copied whole.
pub(crate) fn push_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if !needs_escape(bytes) {
        // The usual case (names, values, most messages): copied at once.
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 8).min(bytes.len());
        if let Ok(word) = <[u8; 8]>::try_from(&bytes[at..end])
            && !word_needs_escape(u64::from_le_bytes(word))
        {
            at = end;
            continue;
        }
        for (offset, &byte) in bytes[at..end].iter().enumerate() {
            let short = ESCAPES[usize::from(byte)];
            if short == 0 {
                continue;
            }
            out.extend_from_slice(&bytes[run..at + offset]);
            out.push(b'\\');
            out.push(short);
            if short == b'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 15)],
                ]);
            }
            run = at + offset + 1;
        }
        at = end;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// For each byte, the letter after the backslash of its escape, or 0 when it is written as is.
static ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any byte is `"`, `\\` or a control character below 0x20 (what JSON escapes),
/// checked eight bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if word_needs_escape(word) {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Whether any of eight bytes is `"`, `\\` or a control character below 0x20 (what JSON
/// escapes).
fn word_needs_escape(word: u64) -> bool {
    use super::escape::{any_byte_below, any_byte_is};
    any_byte_below(word, 0x20) || any_byte_is(word, b'"') || any_byte_is(word, b'\\')
}

/// A non-negative number in decimal, as serde_json and `Display` write it.
pub(crate) fn push_number(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// An input that could not be read, in the JSONL shape (rule `io-error`, at 1:1).
pub fn write_unreadable_line(out: &mut dyn Write, unreadable: &Unreadable) -> io::Result<()> {
    let line = json!({
        "path": unreadable.path,
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 1,
        "severity": "error",
        "rule": IO_ERROR,
        "message": unreadable.message,
        "fix": null,
    });
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

pub fn summary(summary: &Summary) -> Json {
    json!({
        "files": summary.files,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "infos": summary.infos,
        "unreadable": summary.unreadable,
        "skipped": summary.skipped,
    })
}

/// Streams one JSON document: `{"version":1,"files":[` one file per line `],"summary":{…}}`.
/// Nothing is held back, so a file with hundreds of thousands of findings costs no more
/// memory than its own analysis.
#[derive(Debug, Default)]
pub struct DocumentWriter {
    files: usize,
    /// Inputs that could not be read: listed after the files (few, so held back).
    unreadable: Vec<Unreadable>,
}

impl DocumentWriter {
    /// What goes before a file's object: the document's opening, or a comma.
    pub fn separator(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.files == 0 {
            writeln!(out, "{{\"version\":{SCHEMA_VERSION},\"files\":[")?;
        } else {
            out.write_all(b",\n")?;
        }
        self.files += 1;
        Ok(())
    }

    /// `check --format json`: the file with its findings.
    pub fn check_file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        self.separator(out)?;
        let head = json!({"path": file.path, "kind": file.analysis.kind.as_str()});
        write_with_findings(out, &head, file)
    }

    /// `show --format json` for a file whose report was not streamed (`-q`: none was asked
    /// for): an empty report with the file's findings.
    pub fn show_file(&mut self, out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
        let analysis = &file.analysis;
        self.separator(out)?;
        write_show_head(out, &file.path, analysis.kind, analysis.encoding, None)?;
        show_findings(out, file)
    }

    /// Notes an input that could not be read (written by `finish`, under `unreadable`).
    pub fn unreadable(&mut self, unreadable: &Unreadable) {
        self.unreadable.push(unreadable.clone());
    }

    pub fn finish(&mut self, out: &mut dyn Write, totals: &Summary) -> io::Result<()> {
        if self.files == 0 {
            write!(out, "{{\"version\":{SCHEMA_VERSION},\"files\":[")?;
        } else {
            out.write_all(b"\n")?;
        }
        out.write_all(b"],\"unreadable\":")?;
        let unreadable: Vec<Json> = self
            .unreadable
            .iter()
            .map(|u| json!({"path": u.path, "message": u.message}))
            .collect();
        serde_json::to_writer(&mut *out, &unreadable)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, &summary(totals))?;
        out.write_all(b"}\n")
    }
}

/// Writes `head` (an object) with a `findings` array appended, finding by finding.
fn write_with_findings(out: &mut dyn Write, head: &Json, file: &FileResult) -> io::Result<()> {
    let text = serde_json::to_string(head)?;
    out.write_all(&text.as_bytes()[..text.len() - 1])?;
    if text.len() > 2 {
        out.write_all(b",")?;
    }
    write_findings_and_close(out, file)
}

/// `"findings":[…]}`: the findings key and the end of the file's object.
fn write_findings_and_close(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    out.write_all(b"\"findings\":[")?;
    let path = serde_json::to_string(&file.path)?;
    let mut object = Vec::with_capacity(320);
    for (i, f) in file.analysis.findings.iter().enumerate() {
        object.clear();
        if i > 0 {
            object.push(b',');
        }
        write_finding_object(&mut object, &path, f, true)?;
        out.write_all(&object)?;
    }
    out.write_all(b"]}")
}

/// `show --format json`: the findings that end a file's object, after [`write_show_head`].
pub fn show_findings(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    write_findings_and_close(out, file)
}

/// `show --format json` for one file up to its findings, streamed: Account by Account and
/// Protocol by Protocol as the report is built, so that neither the report nor a value tree of
/// it is ever whole (a response with hundreds of thousands of Protocols costs the memory of
/// one). The keys come in the order serde_json gives a map (sorted); `findings` follows them.
pub fn write_show_head(
    out: &mut dyn Write,
    path: &str,
    kind: DocKind,
    encoding: Encoding,
    reporter: Option<&Reporter<'_, '_>>,
) -> io::Result<()> {
    out.write_all(b"{\"accounts\":[")?;
    let mut head = DocumentReport::default();
    if let Some(reporter) = reporter {
        for at in 0..reporter.account_count() {
            if at > 0 {
                out.write_all(b",")?;
            }
            write_account(out, reporter, at)?;
        }
        head = reporter.head();
    }
    out.write_all(b"],")?;
    // The other keys all sort after "accounts" (and there always are some); `findings`
    // follows them.
    let rest = serde_json::to_string(&show_file(path, kind, encoding, &head))?;
    out.write_all(&rest.as_bytes()[1..rest.len() - 1])?;
    out.write_all(b",")
}

/// Account `at` with its Protocols written as they are built (see
/// [`Reporter::render_protocols`]).
fn write_account(out: &mut dyn Write, reporter: &Reporter<'_, '_>, at: usize) -> io::Result<()> {
    let account = reporter.account(at);
    // Keys before "protocols" (sorted): account_type, action, error, line.
    let mut head = json!({
        "line": account.line,
        "account_type": opt_value(&account.account_type),
        "action": opt_value(&account.action),
    });
    if let Some(error) = &account.error {
        head["error"] = error_json(error);
    }
    let head = serde_json::to_string(&head)?;
    out.write_all(&head.as_bytes()[..head.len() - 1])?;
    out.write_all(b",\"protocols\":[")?;
    reporter.render_protocols(
        at,
        |i, protocol, bytes| {
            if i > 0 {
                bytes.push(b',');
            }
            // Writing into memory cannot fail.
            let _ = write_protocol(bytes, protocol);
        },
        &mut |bytes| out.write_all(bytes),
    )?;
    out.write_all(b"],")?;
    // Keys after it: redirect_addr, redirect_url, settings.
    let tail = serde_json::to_string(&json!({
        "redirect_url": opt_value(&account.redirect_url),
        "redirect_addr": opt_value(&account.redirect_addr),
        "settings": settings(&account.settings),
    }))?;
    out.write_all(&tail.as_bytes()[1..])
}

/// `show --format json`: the report of one file without its Accounts (written apart) and
/// findings (appended by the writer).
fn show_file(path: &str, kind: DocKind, encoding: Encoding, report: &DocumentReport) -> Json {
    let mut value = json!({
        "path": path,
        "kind": kind.as_str(),
        "encoding": encoding.label(),
        "looks_like": report.looks_like,
    });
    if !report.request.is_empty() {
        value["request"] = settings(&report.request);
    }
    if !report.user.is_empty() {
        value["user"] = settings(&report.user);
    }
    if let Some(error) = &report.error {
        value["error"] = error_json(error);
    }
    if report.culture.is_some() || !report.servers.is_empty() || report.redirect.is_some() {
        value["mobilesync"] = json!({
            "culture": report.culture.as_ref().map(value_json),
            "redirect": report.redirect.as_ref().map(value_json),
            "servers": report.servers.iter().map(|s| json!({
                "line": s.line,
                "settings": settings(&s.settings),
            })).collect::<Vec<_>>(),
        });
    }
    value
}

fn value_json(value: &Value) -> Json {
    json!({"value": value.value, "line": value.line, "column": value.column})
}

fn opt_value(value: &Option<Value>) -> Json {
    value.as_ref().map_or(Json::Null, |v| json!(v.value))
}

/// {NAME: {value, line, column}}; a repeated name keeps its first occurrence (as clients do)
/// and the others go in a list under "NAME#2", "NAME#3"…
fn settings(list: &[Setting]) -> Json {
    let mut map = Map::new();
    for setting in list {
        let mut key = setting.name.to_string();
        let mut n = 1;
        while map.contains_key(&key) {
            n += 1;
            key = format!("{}#{n}", setting.name);
        }
        let mut value = value_json(&setting.value);
        if let Some(method) = &setting.authentication_method {
            value["authentication_method"] = json!(method);
        }
        map.insert(key, value);
    }
    Json::Object(map)
}

fn error_json(error: &ErrorReport) -> Json {
    json!({
        "line": error.line,
        "time": error.time.as_ref().map(|t| t.value.clone()),
        "id": error.id.as_ref().map(|i| i.value.clone()),
        "error_code": error.code.as_ref().map(|c| c.value.clone()),
        "meaning": error.code_meaning,
        "settings": settings(&error.settings),
    })
}

/// A string as JSON, into `out`.
fn put_str(out: &mut Vec<u8>, value: &str) -> io::Result<()> {
    push_string(out, value);
    Ok(())
}

/// An optional string as JSON (null for None).
fn put_opt_str(out: &mut Vec<u8>, value: Option<&str>) -> io::Result<()> {
    match value {
        Some(value) => put_str(out, value),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// An optional boolean as JSON (null for None).
fn put_opt_bool(out: &mut Vec<u8>, value: Option<bool>) {
    out.extend_from_slice(match value {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
}

/// An optional number as JSON (null for None).
fn put_opt_number(out: &mut Vec<u8>, value: Option<usize>) {
    match value {
        Some(value) => push_number(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// [`settings`] written directly: names sorted as serde_json sorts a map's keys, a repeated
/// name under NAME#2, NAME#3…, each value's keys in sorted order.
fn write_settings(out: &mut Vec<u8>, list: &[Setting]) -> io::Result<()> {
    let mut named: Vec<(std::borrow::Cow<'_, str>, &Setting)> = Vec::with_capacity(list.len());
    // How many settings of the same name came before: a look back over the few settings of a
    // Protocol, a map only for a long list (where looking back would grow with its square).
    let mut seen: Option<std::collections::HashMap<&str, usize>> =
        (list.len() > 16).then(std::collections::HashMap::new);
    for (at, setting) in list.iter().enumerate() {
        let count = match &mut seen {
            Some(seen) => {
                let count = seen.entry(&*setting.name).or_default();
                *count += 1;
                *count
            }
            None => 1 + list[..at].iter().filter(|s| s.name == setting.name).count(),
        };
        let key = if count == 1 {
            std::borrow::Cow::Borrowed(&*setting.name)
        } else {
            std::borrow::Cow::Owned(format!("{}#{count}", setting.name))
        };
        named.push((key, setting));
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    out.push(b'{');
    for (i, (key, setting)) in named.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        put_str(out, key)?;
        out.push(b':');
        out.push(b'{');
        if let Some(method) = &setting.authentication_method {
            out.extend_from_slice(b"\"authentication_method\":");
            put_str(out, method)?;
            out.push(b',');
        }
        let v = &setting.value;
        out.extend_from_slice(b"\"column\":");
        push_number(out, v.column);
        out.extend_from_slice(b",\"line\":");
        push_number(out, v.line);
        out.extend_from_slice(b",\"value\":");
        push_string(out, &v.value);
        out.push(b'}');
    }
    out.push(b'}');
    Ok(())
}

/// One Protocol written directly, keys at every level in serde_json's (sorted) order: the bytes
/// of `protocol()` serialised, without a value tree per Protocol.
fn write_protocol(out: &mut Vec<u8>, protocol: &ProtocolReport) -> io::Result<()> {
    let e = &protocol.effective;
    out.extend_from_slice(b"{\"effective\":{\"auth_required\":");
    put_opt_bool(out, e.auth_required);
    out.extend_from_slice(b",\"cert_principal_name\":");
    put_opt_str(out, e.cert_principal_name.as_deref())?;
    out.extend_from_slice(b",\"domain_name\":");
    put_opt_str(out, e.domain_name.as_deref())?;
    out.extend_from_slice(b",\"domain_required\":");
    put_opt_bool(out, e.domain_required);
    out.extend_from_slice(b",\"login\":");
    put_opt_str(out, e.login.as_deref())?;
    out.extend_from_slice(b",\"port\":");
    put_opt_number(out, e.port.map(usize::from));
    out.extend_from_slice(b",\"security\":");
    match e.security {
        Some((mode, from)) => {
            // Both are fixed words that need no escaping.
            out.extend_from_slice(b"{\"from\":\"");
            out.extend_from_slice(from.as_bytes());
            out.extend_from_slice(b"\",\"mode\":\"");
            out.extend_from_slice(mode.as_str().as_bytes());
            out.extend_from_slice(b"\"}");
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"server\":");
    put_opt_str(out, e.server.as_deref())?;
    out.extend_from_slice(b",\"smtp_credentials\":");
    match &protocol.smtp {
        Some(smtp) => {
            out.extend_from_slice(b"{\"pop3_line\":");
            put_opt_number(out, smtp.pop3_line);
            out.extend_from_slice(b",\"pop3_server\":");
            put_opt_str(out, smtp.pop3_server.as_deref())?;
            out.extend_from_slice(b",\"reuses_pop3\":");
            put_opt_bool(out, smtp.uses_pop3);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"smtp_last\":");
    put_opt_bool(out, e.smtp_last);
    out.extend_from_slice(b",\"spa\":");
    put_opt_bool(out, e.spa);
    out.extend_from_slice(b",\"ttl_hours\":");
    put_opt_number(out, e.ttl_hours.map(|hours| hours as usize));
    out.extend_from_slice(b"},\"endpoints\":[");
    for (i, endpoint) in protocol.endpoints.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"scope\":");
        put_str(out, endpoint.scope)?;
        out.extend_from_slice(b",\"settings\":");
        write_settings(out, &endpoint.entries)?;
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"line\":");
    push_number(out, protocol.line);
    out.extend_from_slice(b",\"server_version\":");
    match protocol.server_version_parts {
        Some((major, minor, build)) => {
            write!(
                out,
                "{{\"build\":{build},\"major\":{major},\"minor\":{minor},\"product\":"
            )?;
            put_str(out, crate::model::exchange_product(major, minor))?;
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"settings\":");
    write_settings(out, &protocol.settings)?;
    out.extend_from_slice(b",\"type\":");
    put_opt_str(out, protocol.type_name.as_deref())?;
    out.push(b'}');
    Ok(())
}

/// The reference `write_protocol` is tested against.
#[cfg(test)]
fn protocol(protocol: &ProtocolReport) -> Json {
    json!({
        "line": protocol.line,
        "type": protocol.type_name,
        "settings": settings(&protocol.settings),
        "effective": effective(protocol),
        "server_version": protocol.server_version_parts.map(|(major, minor, build)| json!({
            "product": crate::model::exchange_product(major, minor),
            "major": major,
            "minor": minor,
            "build": build,
        })),
        "endpoints": protocol.endpoints.iter().map(|e| json!({
            "scope": e.scope,
            "settings": settings(&e.entries),
        })).collect::<Vec<_>>(),
    })
}

/// The Protocol's settings as typed values with documented defaults applied.
#[cfg(test)]
fn effective(protocol: &ProtocolReport) -> Json {
    let e = &protocol.effective;
    json!({
        "server": e.server,
        "port": e.port,
        "security": e.security.map(|(mode, from)| json!({"mode": mode.as_str(), "from": from})),
        "auth_required": e.auth_required,
        "spa": e.spa,
        "login": e.login,
        "domain_required": e.domain_required,
        "domain_name": e.domain_name,
        "ttl_hours": e.ttl_hours,
        "smtp_last": e.smtp_last,
        "cert_principal_name": e.cert_principal_name,
        "smtp_credentials": protocol.smtp.as_ref().map(|s| json!({
            "reuses_pop3": s.uses_pop3,
            "pop3_line": s.pop3_line,
            "pop3_server": s.pop3_server,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Options, analyze, analyze_streaming};

    /// A file's `show` object up to its findings as one value tree, from the report built
    /// whole (on the input put back together): what streaming must write.
    fn built_show_head(path: &str, analysis: &crate::analyze::Analysis) -> String {
        let empty = DocumentReport::default();
        let report = analysis.report.as_deref().unwrap_or(&empty);
        let mut value = show_file(path, analysis.kind, analysis.encoding, report);
        value["accounts"] = report
            .accounts
            .iter()
            .map(|account| {
                let mut value = json!({
                    "line": account.line,
                    "account_type": opt_value(&account.account_type),
                    "action": opt_value(&account.action),
                    "protocols": account.protocols.iter().map(protocol).collect::<Vec<_>>(),
                    "redirect_url": opt_value(&account.redirect_url),
                    "redirect_addr": opt_value(&account.redirect_addr),
                    "settings": settings(&account.settings),
                });
                if let Some(error) = &account.error {
                    value["error"] = error_json(error);
                }
                value
            })
            .collect();
        serde_json::to_string(&value).unwrap()
    }

    /// `show --format json` streamed while the model is alive (positions counted through the
    /// compaction log, nothing put back together) writes what the report built whole on the
    /// input gives: on every fixture and test document, and on each rewritten with CRLF line
    /// ends, tabs and non-ASCII text (where counting columns through the log matters).
    #[test]
    fn streamed_show_is_the_built_report() {
        let mut documents = Vec::new();
        let root = env!("CARGO_MANIFEST_DIR");
        for dir in ["fixtures/documents", "tests/data"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    documents.push(std::fs::read(path).unwrap());
                }
            }
        }
        for entry in std::fs::read_dir(format!("{root}/fixtures/rules")).unwrap() {
            for name in ["bad.xml", "ok.xml"] {
                if let Ok(bytes) = std::fs::read(entry.as_ref().unwrap().path().join(name)) {
                    documents.push(bytes);
                }
            }
        }
        let variants: Vec<Vec<u8>> = documents
            .iter()
            .filter_map(|d| std::str::from_utf8(d).ok())
            .flat_map(|text| {
                [
                    text.replace("\r\n", "\n").replace('\n', "\r\n"),
                    text.replace("  ", "\t"),
                    text.replace(">mail.", ">mäil.")
                        .replace("<Server>", "<Server>é "),
                ]
            })
            .map(String::into_bytes)
            .collect();
        documents.extend(variants);
        let built_options = Options {
            report: true,
            ..Options::default()
        };
        let streamed_options = Options {
            keep_text: false,
            ..Options::default()
        };
        let mut protocols = 0;
        for document in &documents {
            let built = analyze(document.clone(), &built_options);
            let mut streamed = Vec::new();
            let mut calls = 0;
            let mut write = |encoding, reporter: &Reporter<'_, '_>, marks: &[_]| {
                calls += 1;
                assert!(marks.is_empty(), "none asked for");
                write_show_head(
                    &mut streamed,
                    "p",
                    reporter.kind(),
                    encoding,
                    Some(reporter),
                )
                .unwrap();
            };
            let stream = crate::analyze::ReportStream {
                with_marks: false,
                write: &mut write,
            };
            let analysis = analyze_streaming(document.clone(), &streamed_options, Some(stream));
            assert_eq!(calls, 1, "the report is handed over once");
            assert!(analysis.report.is_none());
            assert_eq!(analysis.kind, built.kind);
            let streamed = String::from_utf8(streamed).unwrap();
            let streamed = format!("{}}}", streamed.strip_suffix(',').unwrap());
            assert_eq!(streamed, built_show_head("p", &built));
            protocols += built.report.as_ref().map_or(0, |r| {
                r.accounts.iter().map(|a| a.protocols.len()).sum::<usize>()
            });
        }
        assert!(documents.len() > 100 && protocols > 100, "{protocols}");
    }

    /// Strings and numbers written directly are serde_json's bytes: every ASCII byte at every
    /// position of a word (the eight-byte check), non-ASCII text, lengths around eight.
    #[test]
    fn direct_strings_and_numbers_are_serde_json_s() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain text".into(),
            "Jörg 山田 — ✓".into(),
            "\u{7f}\u{80}\u{9f}\u{a0}\u{ff}".into(),
            "ends with a quote\"".into(),
        ];
        for byte in 0u8..0x80 {
            for at in 0..17 {
                let mut text = "x".repeat(17);
                text.replace_range(at..at + 1, &(byte as char).to_string());
                samples.push(text);
            }
        }
        for text in &samples {
            let mut direct = Vec::new();
            push_string(&mut direct, text);
            assert_eq!(direct, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
        for n in [0usize, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut direct = Vec::new();
            push_number(&mut direct, n);
            assert_eq!(direct, n.to_string().into_bytes());
        }
    }

    /// The direct JSONL writer gives exactly serde_json's bytes, on findings with escapes,
    /// non-ASCII text, fixes and several lines.
    #[test]
    fn direct_jsonl_lines_are_serde_json_s() {
        let document = "<?xml version=\"1.0\"?>\n<Autodiscover xmlns=\"https://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n<User><DisplayName>J\u{f6}rg \u{5c71}\u{7530} \"q\" \\</DisplayName></User>\n<Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>imap</Type><Server>a\"b</Server><Port>0</Port><SSL> yes </SSL><UsePopAuth>x\ty</UsePopAuth></Protocol></Account></Response></Autodiscover>";
        let analysis = analyze(document.as_bytes().to_vec(), &Options::default());
        assert!(analysis.findings.len() >= 5);
        assert!(analysis.findings.iter().any(|f| f.fix.is_some()));
        let file = FileResult {
            path: "dir/\"odd\" n\u{e4}me\\\u{1}.xml".to_string(),
            raw_path: None,
            analysis,
        };
        let mut direct = Vec::new();
        write_jsonl(&mut direct, &file).unwrap();
        let mut reference = Vec::new();
        for f in &file.analysis.findings {
            serde_json::to_writer(&mut reference, &finding_line(&file.path, f)).unwrap();
            reference.push(b'\n');
        }
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(reference).unwrap()
        );
        // The JSON format's objects (with help) likewise.
        let path = serde_json::to_string(&file.path).unwrap();
        for f in &file.analysis.findings {
            let mut direct = Vec::new();
            write_finding_object(&mut direct, &path, f, true).unwrap();
            let reference = serde_json::to_string(&finding(&file.path, f)).unwrap();
            assert_eq!(String::from_utf8(direct).unwrap(), reference);
        }
    }

    /// Protocols written directly are byte for byte what the value tree gave, on the bundled
    /// documents (Exchange endpoints, OWAUrl methods, SMTP credentials, ServerVersion) and on
    /// repeated and invalid settings.
    #[test]
    fn direct_protocols_are_serde_json_s() {
        let repeated = "<?xml version=\"1.0\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>SMTP</Type><Server>a\\\"b</Server><Server>c</Server><Server>d</Server><Port>x</Port><SSL>yes</SSL><UsePOPAuth>on</UsePOPAuth><TTL>-1</TTL></Protocol></Account></Response></Autodiscover>";
        // More than 16 settings: repeats are counted with a map there, by looking back below.
        let many = repeated.replace(
            "<Server>c</Server>",
            &"<Server>c</Server><LoginName>x</LoginName>".repeat(10),
        );
        let mut documents: Vec<Vec<u8>> = vec![repeated.as_bytes().to_vec(), many.into_bytes()];
        for entry in
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents")).unwrap()
        {
            documents.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
        let options = Options {
            report: true,
            ..Options::default()
        };
        let mut seen = 0;
        for document in documents {
            let analysis = analyze(document, &options);
            let Some(report) = analysis.report.as_deref() else {
                continue;
            };
            for account in &report.accounts {
                for p in &account.protocols {
                    let mut direct = Vec::new();
                    write_protocol(&mut direct, p).unwrap();
                    assert_eq!(
                        String::from_utf8(direct).unwrap(),
                        serde_json::to_string(&protocol(p)).unwrap()
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 8, "{seen} protocols compared");
    }
}
