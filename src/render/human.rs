//! The terminal format: rustc-style findings with the source line and a caret, and the `show`
//! report. Colour is decided by the caller; without it the text is the same, only plain.

use std::io::{self, Write};
use std::ops::Range;

use owo_colors::{OwoColorize, Style};

use super::escape::{Shown, terminal};
use super::{FileResult, Summary};
use crate::finding::{Located, Severity};
use crate::report::{AccountReport, DocumentReport, ErrorReport, ProtocolReport, Setting, shorten};

/// Wide lines (one-line documents) are shown as a window around the finding.
const MAX_SNIPPET: usize = 100;

#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    /// `text` escaped for the terminal (it may come from the input), in `style` when colour is on.
    fn paint(&self, text: &str, style: Style) -> String {
        let text = terminal(text);
        if self.color {
            text.style(style).to_string()
        } else {
            text.into_owned()
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
        Shown(&file.path),
        f.line,
        f.column
    )?;
    let analysis = &file.analysis;
    let line_text = analysis.index().line_text(&analysis.text, f.line);
    if !line_text.trim().is_empty() || f.column > 1 {
        let line_start = analysis.index().line_start(f.line);
        let offset = f.span.start.saturating_sub(line_start);
        let (shown, caret_at, caret_len) = snippet(line_text, offset, f.span.len());
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
/// Only a window around the finding is looked at, so a one-line document with many findings
/// costs the same per finding as a short line.
fn snippet(line: &str, offset: usize, span_len: usize) -> (String, usize, usize) {
    let mut offset = offset.min(line.len());
    while !line.is_char_boundary(offset) {
        offset -= 1;
    }
    let (before, after) = line.split_at(offset);
    let lead: Vec<char> = before.chars().rev().take(MAX_SNIPPET / 3 + 1).collect();
    let cut_before = lead.len() > MAX_SNIPPET / 3;
    let lead: Vec<char> = lead.into_iter().take(MAX_SNIPPET / 3).rev().collect();
    let room = MAX_SNIPPET - lead.len();
    let tail: Vec<char> = after.chars().take(room + 1).collect();
    let cut_after = tail.len() > room;
    let tail = &tail[..tail.len().min(room)];
    let width = |c: &char| if *c == '\t' { 4 } else { 1 };
    let mut shown = String::new();
    if cut_before {
        shown.push('…');
    }
    for c in lead.iter().chain(tail) {
        match c {
            '\t' => shown.push_str("    "),
            c if super::escape::is_unsafe(*c) => shown.push('␣'),
            c => shown.push(*c),
        }
    }
    if cut_after {
        shown.push('…');
    }
    let caret_at = usize::from(cut_before) + lead.iter().map(width).sum::<usize>();
    let mut caret_len = 0;
    let mut bytes = 0;
    for c in tail {
        if bytes >= span_len {
            break;
        }
        bytes += c.len_utf8();
        caret_len += width(c);
    }
    (shown, caret_at, caret_len.max(1))
}

pub fn write_check_file(out: &mut dyn Write, p: Painter, file: &FileResult) -> io::Result<()> {
    for f in &file.analysis.findings {
        write_finding(out, p, file, f)?;
    }
    Ok(())
}

pub fn write_summary(out: &mut dyn Write, p: Painter, summary: &Summary) -> io::Result<()> {
    if summary.errors + summary.warnings + summary.infos + summary.unreadable == 0 {
        let files = if summary.files == 1 {
            "1 file".to_string()
        } else {
            format!("{} files", summary.files)
        };
        return writeln!(
            out,
            "{}",
            p.paint(
                &format!("no problems found in {files}{}", summary.aside()),
                Style::new().green().bold()
            )
        );
    }
    let style = if summary.errors + summary.unreadable > 0 {
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
    /// The file's findings, sorted by start offset: a value is marked with the warnings and
    /// errors that start inside its element.
    findings: &'f [Located],
}

/// At most this many marks after one value; more are counted.
const MAX_MARKS: usize = 3;

const LABEL_WIDTH: usize = 24;

impl Show<'_, '_> {
    /// Warnings and errors that start within `span` (binary search: no scan per value).
    fn marked(&self, span: &Range<usize>) -> impl Iterator<Item = &Located> {
        let first = self.findings.partition_point(|f| f.span.start < span.start);
        self.findings[first..]
            .iter()
            .take_while(move |f| f.span.start < span.end.max(span.start + 1))
            .filter(|f| f.severity > Severity::Info)
    }

    fn mark(&self, span: &Range<usize>) -> String {
        let mut text = String::new();
        let mut count = 0;
        for f in self.marked(span) {
            count += 1;
            if count <= MAX_MARKS {
                text.push_str("  ");
                text.push_str(&self.p.paint(
                    &format!("← {}[{}]", f.severity, f.rule),
                    Painter::severity_style(f.severity),
                ));
            }
        }
        if count > MAX_MARKS {
            text.push_str(&format!("  (+{} more)", count - MAX_MARKS));
        }
        text
    }

    /// A labelled row; `value` may come from the input (it is escaped).
    fn row(
        &mut self,
        indent: usize,
        label: &str,
        value: &str,
        span: Option<&Range<usize>>,
    ) -> io::Result<()> {
        self.row_painted(indent, label, &terminal(value), span)
    }

    /// A labelled row whose value is already painted (and so escaped) text.
    fn row_painted(
        &mut self,
        indent: usize,
        label: &str,
        painted: &str,
        span: Option<&Range<usize>>,
    ) -> io::Result<()> {
        let mark = span.map(|s| self.mark(s)).unwrap_or_default();
        let label = format!("{:<LABEL_WIDTH$}", terminal(label));
        writeln!(
            self.out,
            "{}{} {painted}{mark}",
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
        self.row(indent, &setting.name, value, Some(&setting.value.span))
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
            self.row(2, "Culture", &culture.value, Some(&culture.span))?;
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
            self.row(2, "Redirect", &redirect.value, Some(&redirect.span))?;
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
        if let Some(code) = &error.code
            && self.marked(&code.span).next().is_some()
        {
            self.row(indent + 2, "ErrorCode", &code.value, Some(&code.span))?;
        }
        if let Some(time) = &error.time {
            self.row(indent + 2, "Time", time, Some(&error.tag))?;
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
            Shown(&head.join(", "))
        )?;
        for (label, value) in [
            ("AccountType", &account.account_type),
            ("Action", &account.action),
        ] {
            if let Some(v) = value
                && self.marked(&v.span).next().is_some()
            {
                self.row(4, label, &v.value, Some(&v.span))?;
            }
        }
        if let Some(url) = &account.redirect_url {
            self.row(4, "Redirect to URL", &url.value, Some(&url.span))?;
        }
        if let Some(addr) = &account.redirect_addr {
            self.row(4, "Redirect to", &addr.value, Some(&addr.span))?;
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
            (Some(server), Some(port)) => {
                format!(
                    " {}:{}",
                    shorten(&server.value.value),
                    shorten(&port.value.value)
                )
            }
            (Some(server), None) => format!(" {}", shorten(&server.value.value)),
            _ => String::new(),
        };
        writeln!(
            self.out,
            "    {} {}{} {}{}",
            self.p.bold("Protocol"),
            self.p.bold(kind),
            Shown(&endpoint),
            self.p.dim(&format!("(line {})", protocol.line)),
            self.mark(&protocol.tag)
        )?;
        for s in &protocol.settings {
            if s.name != "Type" || self.marked(&s.value.span).next().is_some() {
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
            self.row_painted(
                6,
                "→ Security",
                &format!(
                    "{}{}",
                    security.description,
                    self.p.dim(&format!(", from {}", security.source))
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
                Some(false) => terminal(&smtp.sentence).into_owned(),
            };
            self.row_painted(6, "→ Credentials", &sentence, None)?;
        }
        if !protocol.defaults.is_empty() {
            let text = protocol
                .defaults
                .iter()
                .map(|(name, value)| format!("{name} {value}"))
                .collect::<Vec<_>>()
                .join(", ");
            self.row_painted(6, "→ Defaults", &self.p.dim(&text), None)?;
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
        let mut show = Show {
            out: &mut *out,
            p,
            findings: &analysis.findings,
        };
        if let Some(report) = &analysis.report {
            show.report(report)?;
        }
        writeln!(out)?;
    }
    write_check_file(out, p, file)
}
