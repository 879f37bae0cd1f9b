//! The terminal format: rustc-style findings with the source line and a caret, and the `show`
//! report. Colour is decided by the caller; without it the text is the same, only plain.

use std::collections::BTreeMap;
use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};

use super::{FileResult, Summary};
use crate::finding::{Located, Severity};
use crate::report::{AccountReport, DocumentReport, ErrorReport, ProtocolReport, Setting};

/// Wide lines (one-line documents) are shown as a window around the finding.
const MAX_SNIPPET: usize = 100;

#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity_style(severity: Severity) -> Style {
        match severity {
            Severity::Error => Style::new().red().bold(),
            Severity::Warning => Style::new().yellow().bold(),
            Severity::Info => Style::new().cyan().bold(),
        }
    }

    fn gutter(&self, text: &str) -> String {
        self.paint(text, Style::new().blue().bold())
    }

    fn dim(&self, text: &str) -> String {
        self.paint(text, Style::new().dimmed())
    }

    fn bold(&self, text: &str) -> String {
        self.paint(text, Style::new().bold())
    }
}

/// One finding, rustc style.
pub fn write_finding(
    out: &mut dyn Write,
    p: Painter,
    file: &FileResult,
    f: &Located,
) -> io::Result<()> {
    let style = Painter::severity_style(f.severity);
    writeln!(
        out,
        "{}{} {}",
        p.paint(&format!("{}[{}]", f.severity, f.rule), style),
        p.bold(":"),
        p.bold(&f.message)
    )?;
    let number = f.line.to_string();
    let pad = " ".repeat(number.len());
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.gutter("-->"),
        file.path,
        f.line,
        f.column
    )?;
    let analysis = &file.analysis;
    let line_text = analysis.index.line_text(&analysis.text, f.line);
    if !line_text.trim().is_empty() || f.column > 1 {
        let (shown, caret_at, caret_len) = snippet(line_text, f);
        writeln!(out, "{pad} {}", p.gutter("|"))?;
        writeln!(out, "{} {} {}", p.gutter(&number), p.gutter("|"), shown)?;
        writeln!(
            out,
            "{pad} {} {}{}",
            p.gutter("|"),
            " ".repeat(caret_at),
            p.paint(&"^".repeat(caret_len), style)
        )?;
    }
    if let Some(help) = &f.help {
        writeln!(
            out,
            "{pad} {} {}",
            p.gutter("="),
            p.bold(&format!("help: {help}"))
        )?;
    }
    writeln!(out)
}

/// The line as shown (tabs expanded, long lines windowed), the caret's column and width.
fn snippet(line: &str, f: &Located) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let start = f.column.saturating_sub(1).min(chars.len());
    let span_chars = if f.end_line == f.line {
        f.end_column.saturating_sub(f.column)
    } else {
        chars.len().saturating_sub(start)
    };
    let (from, to) = if chars.len() > MAX_SNIPPET {
        let from = start.saturating_sub(MAX_SNIPPET / 3);
        (from, (from + MAX_SNIPPET).min(chars.len()))
    } else {
        (0, chars.len())
    };
    let mut shown = String::new();
    let mut caret_at = 0;
    if from > 0 {
        shown.push('…');
    }
    for (i, c) in chars[from..to].iter().enumerate() {
        if from + i == start {
            caret_at = shown.chars().count();
        }
        if *c == '\t' {
            shown.push_str("    ");
        } else if c.is_control() {
            shown.push('␣');
        } else {
            shown.push(*c);
        }
    }
    if start >= to {
        caret_at = shown.chars().count();
    }
    if to < chars.len() {
        shown.push('…');
    }
    let visible = chars
        [start.min(chars.len())..(start + span_chars).min(to).max(start.min(chars.len()))]
        .iter()
        .map(|c| if *c == '\t' { 4 } else { 1 })
        .sum::<usize>();
    (shown, caret_at, visible.max(1))
}

pub fn write_check_file(out: &mut dyn Write, p: Painter, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        write_finding(out, p, file, f)?;
    }
    Ok(())
}

pub fn write_summary(out: &mut dyn Write, p: Painter, summary: &Summary) -> io::Result<()> {
    if summary.errors + summary.warnings + summary.infos == 0 {
        let files = if summary.files == 1 {
            "1 file".to_string()
        } else {
            format!("{} files", summary.files)
        };
        return writeln!(
            out,
            "{}",
            p.paint(
                &format!("no problems found in {files}"),
                Style::new().green().bold()
            )
        );
    }
    let style = if summary.errors > 0 {
        Painter::severity_style(Severity::Error)
    } else if summary.warnings > 0 {
        Painter::severity_style(Severity::Warning)
    } else {
        Painter::severity_style(Severity::Info)
    };
    writeln!(out, "{}", p.paint(&summary.sentence(), style))
}

// ── show ────────────────────────────────────────────────────────────────────────────────────

struct Show<'o, 'f> {
    out: &'o mut dyn Write,
    p: Painter,
    /// Worst finding per line, to mark the values they concern.
    marks: BTreeMap<usize, Vec<&'f Located>>,
}

const LABEL_WIDTH: usize = 18;

impl Show<'_, '_> {
    fn mark(&self, line: usize) -> String {
        let Some(found) = self.marks.get(&line) else {
            return String::new();
        };
        let mut text = String::new();
        for f in found {
            text.push_str("  ");
            text.push_str(&self.p.paint(
                &format!("← {}[{}]", f.severity, f.rule),
                Painter::severity_style(f.severity),
            ));
        }
        text
    }

    fn row(
        &mut self,
        indent: usize,
        label: &str,
        value: &str,
        line: Option<usize>,
    ) -> io::Result<()> {
        let mark = line.map(|l| self.mark(l)).unwrap_or_default();
        let label = format!("{label:<LABEL_WIDTH$}");
        writeln!(
            self.out,
            "{}{} {value}{mark}",
            " ".repeat(indent),
            self.p.dim(&label)
        )
    }

    fn setting(&mut self, indent: usize, setting: &Setting) -> io::Result<()> {
        let value = if setting.value.value.is_empty() {
            "(empty)"
        } else {
            &setting.value.value
        };
        self.row(indent, &setting.name, value, Some(setting.value.line))
    }

    fn report(&mut self, report: &DocumentReport) -> io::Result<()> {
        if let Some(what) = &report.looks_like {
            self.row(2, "Looks like", what, None)?;
        }
        if !report.request.is_empty() {
            writeln!(self.out, "  {}", self.p.bold("Request"))?;
            for s in &report.request {
                self.setting(4, s)?;
            }
        }
        if let Some(culture) = &report.culture {
            self.row(2, "Culture", &culture.value, Some(culture.line))?;
        }
        if !report.user.is_empty() {
            writeln!(self.out, "  {}", self.p.bold("User"))?;
            for s in &report.user {
                self.setting(4, s)?;
            }
        }
        for account in &report.accounts {
            self.account(account)?;
        }
        for server in &report.servers {
            let kind = server
                .settings
                .iter()
                .find(|s| s.name == "Type")
                .map_or("?", |s| s.value.value.as_str());
            writeln!(
                self.out,
                "  {} {} {}",
                self.p.bold("Server"),
                self.p.bold(kind),
                self.p.dim(&format!("(line {})", server.line))
            )?;
            for s in server.settings.iter().filter(|s| s.name != "Type") {
                self.setting(4, s)?;
            }
        }
        if let Some(redirect) = &report.redirect {
            self.row(2, "Redirect", &redirect.value, Some(redirect.line))?;
        }
        if let Some(error) = &report.error {
            self.error(2, error)?;
        }
        Ok(())
    }

    fn error(&mut self, indent: usize, error: &ErrorReport) -> io::Result<()> {
        let mut head = self.p.bold("Error").to_string();
        if let Some(code) = &error.code {
            head.push_str(&format!(" {}", self.p.bold(&code.value)));
        }
        if let Some(meaning) = error.code_meaning {
            head.push_str(&format!(": {meaning}"));
        }
        writeln!(
            self.out,
            "{}{head} {}",
            " ".repeat(indent),
            self.p.dim(&format!("(line {})", error.line))
        )?;
        if let Some(code) = &error.code {
            let mark = self.mark(code.line);
            if !mark.is_empty() {
                self.row(indent + 2, "ErrorCode", &code.value, Some(code.line))?;
            }
        }
        if let Some(time) = &error.time {
            self.row(indent + 2, "Time", time, Some(error.line))?;
        }
        if let Some(id) = &error.id {
            self.row(indent + 2, "Id", id, None)?;
        }
        for s in &error.settings {
            self.setting(indent + 2, s)?;
        }
        Ok(())
    }

    fn account(&mut self, account: &AccountReport) -> io::Result<()> {
        let mut head = vec![];
        if let Some(t) = &account.account_type {
            head.push(format!("AccountType {}", t.value));
        }
        if let Some(a) = &account.action {
            head.push(format!("Action {}", a.value));
        }
        writeln!(
            self.out,
            "  {} {} {}",
            self.p.bold("Account"),
            self.p.dim(&format!("(line {})", account.line)),
            head.join(", ")
        )?;
        for (label, value) in [
            ("AccountType", &account.account_type),
            ("Action", &account.action),
        ] {
            if let Some(v) = value
                && self.marks.contains_key(&v.line)
            {
                self.row(4, label, &v.value, Some(v.line))?;
            }
        }
        if let Some(url) = &account.redirect_url {
            self.row(4, "Redirect to URL", &url.value, Some(url.line))?;
        }
        if let Some(addr) = &account.redirect_addr {
            self.row(4, "Redirect to", &addr.value, Some(addr.line))?;
        }
        for s in &account.settings {
            self.setting(4, s)?;
        }
        if let Some(error) = &account.error {
            self.error(4, error)?;
        }
        for protocol in &account.protocols {
            self.protocol(protocol)?;
        }
        Ok(())
    }

    fn protocol(&mut self, protocol: &ProtocolReport) -> io::Result<()> {
        let kind = protocol.type_name.as_deref().unwrap_or("(no Type)");
        let endpoint = match (
            protocol.settings.iter().find(|s| s.name == "Server"),
            protocol.settings.iter().find(|s| s.name == "Port"),
        ) {
            (Some(server), Some(port)) => format!(" {}:{}", server.value.value, port.value.value),
            (Some(server), None) => format!(" {}", server.value.value),
            _ => String::new(),
        };
        writeln!(
            self.out,
            "    {} {}{} {}{}",
            self.p.bold("Protocol"),
            self.p.bold(kind),
            endpoint,
            self.p.dim(&format!("(line {})", protocol.line)),
            self.mark(protocol.line)
        )?;
        for s in &protocol.settings {
            if s.name != "Type" || self.marks.contains_key(&s.value.line) {
                self.setting(6, s)?;
            }
        }
        if let Some(version) = &protocol.server_version {
            self.row(6, "Exchange version", version, None)?;
        }
        for endpoint in &protocol.endpoints {
            writeln!(self.out, "      {}", self.p.bold(&endpoint.scope))?;
            for s in &endpoint.entries {
                self.setting(8, s)?;
            }
        }
        if let Some(security) = &protocol.security {
            self.row(
                6,
                "→ Security",
                &format!(
                    "{} {}",
                    security.description,
                    self.p.dim(&format!("(from {})", security.source))
                ),
                None,
            )?;
        }
        if let Some(smtp) = &protocol.smtp {
            let sentence = match smtp.uses_pop3 {
                Some(true) if smtp.pop3_line.is_some() => {
                    self.p.paint(&smtp.sentence, Style::new().green())
                }
                Some(true) | None => self.p.paint(&smtp.sentence, Style::new().red()),
                Some(false) => smtp.sentence.clone(),
            };
            self.row(6, "→ Credentials", &sentence, None)?;
        }
        if !protocol.defaults.is_empty() {
            let text = protocol
                .defaults
                .iter()
                .map(|(name, value)| format!("{name} {value}"))
                .collect::<Vec<_>>()
                .join(", ");
            self.row(6, "→ Defaults", &self.p.dim(&text), None)?;
        }
        Ok(())
    }
}

pub fn write_show_file(
    out: &mut dyn Write,
    p: Painter,
    file: &FileResult,
    quiet: bool,
) -> io::Result<()> {
    let analysis = &file.analysis;
    if !quiet {
        writeln!(
            out,
            "{} {}",
            p.paint(&file.path, Style::new().bold().underline()),
            p.dim(&format!(
                "— {} ({})",
                analysis.kind.describe(),
                analysis.kind.as_str()
            ))
        )?;
        let mut marks: BTreeMap<usize, Vec<&Located>> = BTreeMap::new();
        for f in analysis
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
        {
            marks.entry(f.line).or_default().push(f);
        }
        let mut show = Show {
            out: &mut *out,
            p,
            marks,
        };
        if let Some(report) = &analysis.report {
            show.report(report)?;
        }
        writeln!(out)?;
    }
    write_check_file(out, p, file)
}
