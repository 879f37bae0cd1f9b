//! JSON and JSON Lines. Findings: 1-based lines, columns in characters.

use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

use super::{FileResult, Summary};
use crate::finding::Located;
use crate::report::{AccountReport, DocumentReport, ErrorReport, ProtocolReport, Setting, Value};

pub const SCHEMA_VERSION: u32 = 1;

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
        "message": f.message,
    })
}

/// The JSON shape: the JSONL keys plus the help text.
fn finding(path: &str, f: &Located) -> Json {
    let mut value = finding_line(path, f);
    value["help"] = json!(f.help);
    value
}

pub fn write_jsonl(out: &mut dyn Write, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        serde_json::to_writer(&mut *out, &finding_line(&file.path, f))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

pub fn summary(summary: &Summary) -> Json {
    json!({
        "files": summary.files,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "infos": summary.infos,
    })
}

/// `check --format json`: one entry per file with its findings.
pub fn check_file(file: &FileResult) -> Json {
    json!({
        "path": file.path,
        "kind": file.analysis.kind.as_str(),
        "findings": file.analysis.findings.iter().map(|f| finding(&file.path, f)).collect::<Vec<_>>(),
    })
}

/// `show --format json`: the report of one file.
pub fn show_file(file: &FileResult) -> Json {
    let empty = DocumentReport::default();
    let report = file.analysis.report.as_ref().unwrap_or(&empty);
    let mut value = json!({
        "path": file.path,
        "kind": file.analysis.kind.as_str(),
        "encoding": file.analysis.encoding.label(),
        "looks_like": report.looks_like,
        "accounts": report.accounts.iter().map(account).collect::<Vec<_>>(),
        "findings": file.analysis.findings.iter().map(|f| finding(&file.path, f)).collect::<Vec<_>>(),
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

/// Writes a whole document with the files given and the summary.
pub fn write_document(
    out: &mut dyn Write,
    files: Vec<Json>,
    summary_value: &Summary,
) -> io::Result<()> {
    let document = json!({
        "version": SCHEMA_VERSION,
        "files": files,
        "summary": summary(summary_value),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
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
        let mut key = setting.name.clone();
        let mut n = 1;
        while map.contains_key(&key) {
            n += 1;
            key = format!("{}#{n}", setting.name);
        }
        map.insert(key, value_json(&setting.value));
    }
    Json::Object(map)
}

fn error_json(error: &ErrorReport) -> Json {
    json!({
        "line": error.line,
        "time": error.time,
        "id": error.id,
        "error_code": error.code.as_ref().map(|c| c.value.clone()),
        "meaning": error.code_meaning,
        "settings": settings(&error.settings),
    })
}

fn account(account: &AccountReport) -> Json {
    let mut value = json!({
        "line": account.line,
        "account_type": opt_value(&account.account_type),
        "action": opt_value(&account.action),
        "redirect_url": opt_value(&account.redirect_url),
        "redirect_addr": opt_value(&account.redirect_addr),
        "settings": settings(&account.settings),
        "protocols": account.protocols.iter().map(protocol).collect::<Vec<_>>(),
    });
    if let Some(error) = &account.error {
        value["error"] = error_json(error);
    }
    value
}

fn protocol(protocol: &ProtocolReport) -> Json {
    let defaults: Map<String, Json> = protocol
        .defaults
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect();
    json!({
        "line": protocol.line,
        "type": protocol.type_name,
        "settings": settings(&protocol.settings),
        "security": protocol.security.as_ref().map(|s| json!({"mode": s.description, "from": s.source})),
        "defaults": defaults,
        "server_version": protocol.server_version,
        "endpoints": protocol.endpoints.iter().map(|e| json!({
            "scope": e.scope,
            "settings": settings(&e.entries),
        })).collect::<Vec<_>>(),
        "smtp_uses_pop3_credentials": protocol.smtp.as_ref().and_then(|s| s.uses_pop3),
        "pop3_credentials_from_line": protocol.smtp.as_ref().and_then(|s| s.pop3_line),
        "smtp_credentials": protocol.smtp.as_ref().map(|s| s.sentence.clone()),
    })
}
