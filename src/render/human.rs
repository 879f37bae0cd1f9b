//! The terminal format: rustc-style findings with the source line and a caret, and the `show`
//! report. Colour is decided by the caller; without it the text is the same, only plain.

use std::io::{self, Write};
use std::ops::Range;

use owo_colors::{OwoColorize, Style};

use super::escape::{Shown, terminal};
use super::json::push_number;
use super::{FileResult, Summary};
use crate::finding::Applicability;
use crate::finding::{Located, Mark, Severity};
use crate::model::DocKind;
use crate::report::{
    AccountReport, DocumentReport, ErrorReport, ProtocolReport, Reporter, Setting, Value, shorten,
};

/// Wide lines (one-line documents) are shown as a window around the finding.
const MAX_SNIPPET: usize = 100;

#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

/// Text escaped for the terminal, in a style when colour is on: written straight into the
/// output (no string is built per piece of a finding).
pub struct Painted<'t> {
    text: std::borrow::Cow<'t, str>,
    style: Option<Style>,
}

impl std::fmt::Display for Painted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.style {
            Some(style) => self.text.style(style).fmt(f),
            None => f.write_str(&self.text),
        }
    }
}

impl Painted<'_> {
    /// Appends what `Display` writes, plain text without the formatting machinery (a finding
    /// is a dozen pieces, and a document may have hundreds of thousands of findings).
    fn push_to(&self, out: &mut Vec<u8>) {
        match self.style {
            Some(style) => {
                // Writing to memory cannot fail.
                let _ = write!(out, "{}", self.text.style(style));
            }
            None => out.extend_from_slice(self.text.as_bytes()),
        }
    }
}

impl Painter {
    /// `text` escaped for the terminal (it may come from the input), in `style` when colour is on.
    pub(crate) fn paint<'t>(&self, text: &'t str, style: Style) -> Painted<'t> {
        Painted {
            text: terminal(text),
            style: self.color.then_some(style),
        }
    }

    fn severity_style(severity: Severity) -> Style {
        match severity {
            Severity::Error => Style::new().red().bold(),
            Severity::Warning => Style::new().yellow().bold(),
            Severity::Info => Style::new().cyan().bold(),
        }
    }

    const GUTTER: Style = Style::new().blue().bold();

    fn gutter<'t>(&self, text: &'t str) -> Painted<'t> {
        self.paint(text, Self::GUTTER)
    }

    pub(crate) fn dim<'t>(&self, text: &'t str) -> Painted<'t> {
        self.paint(text, Style::new().dimmed())
    }

    pub(crate) fn bold<'t>(&self, text: &'t str) -> Painted<'t> {
        self.paint(text, Style::new().bold())
    }
}

/// How a span is underlined in a snippet.
struct Underline<'l> {
    marker: char,
    style: Style,
    label: Option<&'l str>,
}

/// A gap line, the source line `line` (1-based) numbered in a gutter `width` wide, and `span`
/// underlined below it.
fn write_snippet(
    out: &mut Vec<u8>,
    p: Painter,
    analysis: &crate::analyze::Analysis,
    width: usize,
    line: usize,
    span: &Range<usize>,
    under: Underline<'_>,
) {
    let line_text = analysis.index().line_text(&analysis.text, line);
    let offset = span.start.saturating_sub(analysis.index().line_start(line));
    let (shown, caret_at, caret_len) = snippet(line_text, offset, span.len());
    let pad = repeated(' ', width);
    let gap = |out: &mut Vec<u8>| {
        out.extend_from_slice(pad.as_bytes());
        out.push(b' ');
        p.gutter("|").push_to(out);
    };
    gap(out);
    out.push(b'\n');
    // The line number, right-aligned in the gutter.
    if p.color {
        p.gutter(&format!("{line:>width$}")).push_to(out);
    } else {
        out.extend_from_slice(repeated(' ', width.saturating_sub(digits(line))).as_bytes());
        push_number(out, line);
    }
    out.push(b' ');
    p.gutter("|").push_to(out);
    out.push(b' ');
    out.extend_from_slice(shown.as_bytes());
    out.push(b'\n');
    gap(out);
    out.push(b' ');
    out.extend_from_slice(repeated(' ', caret_at).as_bytes());
    p.paint(&repeated(under.marker, caret_len), under.style)
        .push_to(out);
    if let Some(label) = under.label {
        out.push(b' ');
        p.paint(label, under.style).push_to(out);
    }
    out.push(b'\n');
}

/// Decimal digits of `n`.
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// `c` (ASCII) `n` times, borrowed from a constant for the usual widths.
fn repeated(c: char, n: usize) -> std::borrow::Cow<'static, str> {
    const SPACES: &str = "                                                                                                                                ";
    const CARETS: &str = "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^";
    const DASHES: &str = "--------------------------------------------------------------------------------------------------------------------------------";
    let run = match c {
        ' ' => SPACES,
        '^' => CARETS,
        '-' => DASHES,
        _ => "",
    };
    match run.get(..n) {
        Some(borrowed) if !run.is_empty() => std::borrow::Cow::Borrowed(borrowed),
        _ => std::borrow::Cow::Owned(c.to_string().repeat(n)),
    }
}

/// One finding, rustc style: built in a buffer of its own and written at once (the pieces
/// would otherwise each go through the output's writer).
pub fn write_finding(
    out: &mut dyn Write,
    p: Painter,
    file: &FileResult,
    f: &Located,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(512);
    write_finding_into(&mut buffer, p, file, f)?;
    out.write_all(&buffer)
}

fn write_finding_into(
    out: &mut Vec<u8>,
    p: Painter,
    file: &FileResult,
    f: &Located,
) -> io::Result<()> {
    let style = Painter::severity_style(f.severity);
    // "error[rule]: message". Severity and rule names are plain ASCII: nothing to escape.
    if p.color {
        p.paint(&format!("{}[{}]", f.severity, f.rule), style)
            .push_to(out);
    } else {
        for part in [f.severity.as_str(), "[", f.rule, "]"] {
            out.extend_from_slice(part.as_bytes());
        }
    }
    p.bold(":").push_to(out);
    out.push(b' ');
    f.message.with_str(|message| p.bold(message).push_to(out));
    out.push(b'\n');
    // One gutter width for the finding's line and a related one.
    let width =
        digits(f.line as usize).max(f.related.as_ref().map_or(0, |r| digits(r.line as usize)));
    let pad = repeated(' ', width);
    out.extend_from_slice(pad.as_bytes());
    p.gutter("-->").push_to(out);
    out.push(b' ');
    out.extend_from_slice(terminal(&file.path).as_bytes());
    out.push(b':');
    push_number(out, f.line as usize);
    out.push(b':');
    push_number(out, f.column as usize);
    out.push(b'\n');
    let analysis = &file.analysis;
    let line_text = analysis.index().line_text(&analysis.text, f.line as usize);
    if !line_text.trim().is_empty() || f.column > 1 {
        let under = Underline {
            marker: '^',
            style,
            label: None,
        };
        write_snippet(out, p, analysis, width, f.line as usize, &f.span, under);
    }
    if let Some(related) = &f.related {
        // The secondary span, rustc style: its own line, underlined with `-` and labelled.
        let label = related.label.to_str();
        let under = Underline {
            marker: '-',
            style: Painter::GUTTER,
            label: Some(&label),
        };
        write_snippet(
            out,
            p,
            analysis,
            width,
            related.line as usize,
            &related.span,
            under,
        );
    }
    // "= help: …" and "= fix: … with …", each after the gutter's padding.
    let note = |out: &mut Vec<u8>| {
        out.extend_from_slice(pad.as_bytes());
        out.push(b' ');
        p.gutter("=").push_to(out);
        out.push(b' ');
    };
    if let Some(help) = &f.help {
        note(out);
        help.with_str(|help| {
            if p.color {
                p.bold(&format!("help: {help}")).push_to(out);
            } else {
                out.extend_from_slice(b"help: ");
                out.extend_from_slice(terminal(help).as_bytes());
            }
        });
        out.push(b'\n');
    }
    if let Some(fix) = &f.fix {
        let how = match fix.applicability {
            Applicability::Safe => "adinspect check --fix",
            Applicability::Unsafe => "adinspect check --fix --unsafe-fixes (a guess: review it)",
        };
        note(out);
        fix.message.with_str(|message| {
            p.dim(&format!("fix: {} with {how}", terminal(message)))
                .push_to(out)
        });
        out.push(b'\n');
    }
    out.push(b'\n');
    Ok(())
}

/// Columns a character takes in the snippet: tabs expand to 4, wide characters (CJK, most
/// emoji) take 2, combining marks 0, and what is replaced by `␣` 1.
fn display_width(c: char) -> usize {
    if c == '\t' {
        4
    } else if super::escape::is_unsafe(c) {
        1
    } else {
        unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
    }
}

/// The byte length of the longest prefix of `chars` that fits in `room` columns, and its width.
fn fit(chars: impl Iterator<Item = char>, room: usize) -> (usize, usize) {
    let (mut bytes, mut width) = (0, 0);
    for c in chars {
        let w = display_width(c);
        if width + w > room {
            break;
        }
        width += w;
        bytes += c.len_utf8();
    }
    (bytes, width)
}

/// The line as shown, the caret's column and its width (all in terminal columns). A line that
/// fits in [`MAX_SNIPPET`] columns is shown whole; a longer one is cut around the finding, each
/// cut marked with `…`. Only a window around the finding is looked at, so a one-line document
/// with many findings costs the same per finding as a short line.
fn snippet(line: &str, offset: usize, span_len: usize) -> (String, usize, usize) {
    let mut offset = offset.min(line.len());
    while !line.is_char_boundary(offset) {
        offset -= 1;
    }
    // Printable ASCII around the finding (nearly every Autodiscover line): a column is a byte,
    // so the window is arithmetic. The window reaches MAX_SNIPPET bytes either side, so a line
    // longer than that is also wider than that and is cut exactly as below.
    let window = &line.as_bytes()
        [offset.saturating_sub(MAX_SNIPPET)..(offset + MAX_SNIPPET).min(line.len())];
    if window.iter().all(|b| (0x20..0x7f).contains(b)) {
        let (start, end) = if line.len() <= MAX_SNIPPET {
            (0, line.len())
        } else {
            let tail = (line.len() - offset).min(MAX_SNIPPET - MAX_SNIPPET / 3 - 2);
            let lead = offset.min(MAX_SNIPPET - 2 - tail);
            (offset - lead, offset + tail)
        };
        let (cut_before, cut_after) = (start > 0, end < line.len());
        let mut shown = String::with_capacity(end - start + 6);
        if cut_before {
            shown.push('…');
        }
        shown.push_str(&line[start..end]);
        if cut_after {
            shown.push('…');
        }
        let caret_len = (offset + span_len).min(end).saturating_sub(offset);
        return (
            shown,
            usize::from(cut_before) + offset - start,
            caret_len.max(1),
        );
    }
    snippet_by_width(line, offset, span_len)
}

/// [`snippet`] for any line: widths counted character by character.
fn snippet_by_width(line: &str, offset: usize, span_len: usize) -> (String, usize, usize) {
    let (before, after) = line.split_at(offset);
    let (whole, _) = fit(line.chars(), MAX_SNIPPET);
    let (start, end) = if whole == line.len() {
        (0, line.len())
    } else {
        // At least a third of the window before the finding; more when the line ends sooner.
        let (tail, tail_width) = fit(after.chars(), MAX_SNIPPET - MAX_SNIPPET / 3 - 2);
        let (lead, _) = fit(before.chars().rev(), MAX_SNIPPET - 2 - tail_width);
        (offset - lead, offset + tail)
    };
    let (cut_before, cut_after) = (start > 0, end < line.len());
    let mut shown = String::new();
    if cut_before {
        shown.push('…');
    }
    for c in line[start..end].chars() {
        match c {
            '\t' => shown.push_str("    "),
            c if super::escape::is_unsafe(c) => shown.push('␣'),
            c => shown.push(c),
        }
    }
    if cut_after {
        shown.push('…');
    }
    let caret_at = usize::from(cut_before)
        + line[start..offset]
            .chars()
            .map(display_width)
            .sum::<usize>();
    let mut span_end = (offset + span_len).min(end);
    while !line.is_char_boundary(span_end) {
        span_end -= 1;
    }
    let caret_len = line[offset..span_end.max(offset)]
        .chars()
        .map(display_width)
        .sum::<usize>();
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
    /// The marks of the file's findings, sorted by span: a value is marked with the warnings
    /// and errors that start inside its element.
    marks: &'f [Mark],
}

/// At most this many marks after one value; more are counted.
const MAX_MARKS: usize = 3;

const LABEL_WIDTH: usize = 24;

impl Show<'_, '_> {
    /// Warnings and errors that start within `span` (binary search: no scan per value).
    fn marked(&self, span: &Range<usize>) -> impl Iterator<Item = &Mark> {
        let first = self.marks.partition_point(|m| m.span.0 < span.start);
        self.marks[first..]
            .iter()
            .take_while(move |m| m.span.0 < span.end.max(span.start + 1))
            .filter(|m| m.severity > Severity::Info)
    }

    fn mark(&self, span: &Range<usize>) -> String {
        let mut text = String::new();
        let mut count = 0;
        for f in self.marked(span) {
            count += 1;
            if count <= MAX_MARKS {
                text.push_str("  ");
                let mark = format!("← {}[{}]", f.severity, f.rule);
                let _ = std::fmt::Write::write_fmt(
                    &mut text,
                    format_args!(
                        "{}",
                        self.p.paint(&mark, Painter::severity_style(f.severity))
                    ),
                );
            }
        }
        if count > MAX_MARKS {
            text.push_str(&format!("  (+{} more)", count - MAX_MARKS));
        }
        text
    }

    /// A labelled row; `value` may come from the input (it is escaped). With `at`, the row
    /// ends with the line of the value and the marks of findings inside it.
    fn row(
        &mut self,
        indent: usize,
        label: &str,
        value: &str,
        at: Option<&Value>,
    ) -> io::Result<()> {
        self.row_painted(indent, label, &terminal(value), at)
    }

    /// A labelled row whose value is already painted (and so escaped) text.
    fn row_painted(
        &mut self,
        indent: usize,
        label: &str,
        painted: &str,
        at: Option<&Value>,
    ) -> io::Result<()> {
        let (line, mark) = match at {
            Some(at) => (
                format!(" {}", self.p.dim(&format!("(line {})", at.line))),
                self.mark(&at.span),
            ),
            None => (String::new(), String::new()),
        };
        let label = format!("{:<LABEL_WIDTH$}", terminal(label));
        writeln!(
            self.out,
            "{}{} {painted}{line}{mark}",
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
        match &setting.authentication_method {
            Some(method) => self.row(
                indent,
                &setting.name,
                &format!("{value} ({method})"),
                Some(&setting.value),
            ),
            None => self.row(indent, &setting.name, value, Some(&setting.value)),
        }
    }

    /// The report: `head` for everything but the Accounts, which come from `reporter` when
    /// there is one (each Protocol built as it is written), else from `head`.
    fn report(
        &mut self,
        report: &DocumentReport,
        reporter: Option<&Reporter<'_, '_>>,
    ) -> io::Result<()> {
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
            self.row(2, "Culture", &culture.value, Some(culture))?;
        }
        if !report.user.is_empty() {
            writeln!(self.out, "  {}", self.p.bold("User"))?;
            for s in &report.user {
                self.setting(4, s)?;
            }
        }
        match reporter {
            Some(reporter) => {
                let (p, marks) = (self.p, self.marks);
                for at in 0..reporter.account_count() {
                    self.account(&reporter.account(at))?;
                    reporter.render_protocols(
                        at,
                        |_, protocol, bytes| {
                            // Writing into memory cannot fail.
                            let _ = Show {
                                out: bytes,
                                p,
                                marks,
                            }
                            .protocol(protocol);
                        },
                        &mut |bytes| self.out.write_all(bytes),
                    )?;
                }
            }
            None => {
                for account in &report.accounts {
                    self.account(account)?;
                    for protocol in &account.protocols {
                        self.protocol(protocol)?;
                    }
                }
            }
        }
        for server in &report.servers {
            let kind = server
                .settings
                .iter()
                .find(|s| s.name == "Type")
                .map_or("?", |s| &*s.value.value);
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
            self.row(2, "Redirect", &redirect.value, Some(redirect))?;
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
            self.row(indent + 2, "ErrorCode", &code.value, Some(code))?;
        }
        for (label, value) in [("Time", &error.time), ("Id", &error.id)] {
            if let Some(value) = value {
                self.row(indent + 2, label, &value.value, Some(value))?;
            }
        }
        for s in &error.settings {
            self.setting(indent + 2, s)?;
        }
        Ok(())
    }

    /// An Account's line and settings; its Protocols follow.
    fn account(&mut self, account: &AccountReport<'_>) -> io::Result<()> {
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
                self.row(4, label, &v.value, Some(v))?;
            }
        }
        if let Some(url) = &account.redirect_url {
            self.row(4, "Redirect to URL", &url.value, Some(url))?;
        }
        if let Some(addr) = &account.redirect_addr {
            self.row(4, "Redirect to", &addr.value, Some(addr))?;
        }
        for s in &account.settings {
            self.setting(4, s)?;
        }
        if let Some(error) = &account.error {
            self.error(4, error)?;
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
            writeln!(self.out, "      {}", self.p.bold(endpoint.scope))?;
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
                Some(true) if smtp.pop3_line.is_some() => self
                    .p
                    .paint(&smtp.sentence, Style::new().green())
                    .to_string(),
                Some(true) | None => self.p.paint(&smtp.sentence, Style::new().red()).to_string(),
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
            self.row_painted(6, "→ Defaults", &self.p.dim(&text).to_string(), None)?;
        }
        Ok(())
    }
}

/// `show` for one file whose report was built whole (or, with `quiet`, not at all).
pub fn write_show_file(
    out: &mut dyn Write,
    p: Painter,
    file: &FileResult,
    quiet: bool,
) -> io::Result<()> {
    let analysis = &file.analysis;
    if !quiet {
        let empty = DocumentReport::default();
        let report = analysis.report.as_deref().unwrap_or(&empty);
        let marks: Vec<Mark> = analysis.findings.iter().map(Mark::of).collect();
        write_show(out, p, (&file.path, analysis.kind), report, None, &marks)?;
    }
    write_check_file(out, p, file)
}

/// `show` for one file up to its findings (which [`write_check_file`] then writes), the report
/// written Account by Account and Protocol by Protocol as `reporter` builds them; `marks` (of
/// the findings, sorted by span) mark the values they concern.
pub fn write_show_head(
    out: &mut dyn Write,
    p: Painter,
    path: &str,
    reporter: &Reporter<'_, '_>,
    marks: &[Mark],
) -> io::Result<()> {
    let head = reporter.head();
    let file = (path, reporter.kind());
    write_show(out, p, file, &head, Some(reporter), marks)
}

/// The file's title and its report, then a blank line.
fn write_show(
    out: &mut dyn Write,
    p: Painter,
    (path, kind): (&str, DocKind),
    report: &DocumentReport,
    reporter: Option<&Reporter<'_, '_>>,
    marks: &[Mark],
) -> io::Result<()> {
    writeln!(
        out,
        "{} {}",
        p.paint(path, Style::new().bold().underline()),
        p.dim(&format!("— {} ({})", kind.describe(), kind.as_str()))
    )?;
    let mut show = Show {
        out: &mut *out,
        p,
        marks,
    };
    show.report(report, reporter)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shown text under the caret, by columns (wide characters take two).
    fn under_caret(shown: &str, at: usize, len: usize) -> String {
        let mut column = 0;
        let mut picked = String::new();
        for c in shown.chars() {
            if column >= at && column < at + len {
                picked.push(c);
            }
            column += display_width(c);
        }
        picked
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_the_width_count() {
        let long = format!("{}<Port>99999</Port>{}", "a".repeat(150), "b".repeat(150));
        for line in [
            r#"  <Error Time="09:12:44.1234567" Id="9874563190">"#.to_string(),
            "x".repeat(100),
            "x".repeat(101),
            format!("{}<SSL>yes</SSL>", "x".repeat(300)),
            long,
        ] {
            for offset in (0..=line.len()).step_by(7) {
                for span_len in [0, 1, 5, 200] {
                    assert_eq!(
                        snippet(&line, offset, span_len),
                        snippet_by_width(&line, offset, span_len),
                        "{line:?} at {offset}+{span_len}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = r#"  <Error Time="09:12:44.1234567" Id="9874563190">"#;
        let offset = line.find("9874").unwrap();
        let (shown, at, len) = snippet(line, offset, 10);
        assert_eq!(shown, line);
        assert_eq!(under_caret(&shown, at, len), "9874563190");
    }

    #[test]
    fn a_long_line_is_cut_around_the_finding_with_marks() {
        let line = format!("{}<Port>99999</Port>{}", "a".repeat(150), "b".repeat(150));
        let offset = line.find("99999").unwrap();
        let (shown, at, len) = snippet(&line, offset, 5);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.chars().map(display_width).sum::<usize>() <= MAX_SNIPPET);
        assert_eq!(under_caret(&shown, at, len), "99999");
        assert!(
            at > MAX_SNIPPET / 4,
            "context kept before the finding: {at}"
        );
    }

    #[test]
    fn a_finding_near_the_end_of_a_long_line_keeps_more_before_it() {
        let line = format!("{}<SSL>yes</SSL>", "x".repeat(300));
        let offset = line.find("yes").unwrap();
        let (shown, at, len) = snippet(&line, offset, 3);
        assert!(shown.starts_with('…') && !shown.ends_with('…'), "{shown}");
        assert!(shown.ends_with("<SSL>yes</SSL>"));
        assert_eq!(under_caret(&shown, at, len), "yes");
        assert!(shown.chars().map(display_width).sum::<usize>() <= MAX_SNIPPET);
    }

    #[test]
    fn carets_line_up_under_wide_characters() {
        let line = "<DisplayName>山田太郎 🙂</DisplayName><Bad>x</Bad>";
        let offset = line.find("山").unwrap();
        let (shown, at, len) = snippet(line, offset, "山田太郎".len());
        assert_eq!(at, "<DisplayName>".len());
        assert_eq!(len, 8, "four wide characters take eight columns");
        assert_eq!(under_caret(&shown, at, len), "山田太郎");
        let offset = line.find("x<").unwrap();
        let (shown, at, len) = snippet(line, offset, 1);
        assert_eq!(under_caret(&shown, at, len), "x");
        // 13 + 8 + 1 + 2 (emoji) + 14 + 5 columns precede it.
        assert_eq!(at, 43);
    }

    #[test]
    fn tabs_and_control_characters_keep_carets_aligned() {
        let line = "\t<Port>\u{1b}x</Port>";
        let offset = line.find('x').unwrap();
        let (shown, at, len) = snippet(line, offset, 1);
        assert_eq!(shown, "    <Port>␣x</Port>");
        assert_eq!(under_caret(&shown, at, len), "x");
    }

    #[test]
    fn a_long_line_of_wide_characters_stays_within_the_window() {
        let line = "漢".repeat(500);
        let offset = "漢".len() * 250;
        let (shown, at, len) = snippet(&line, offset, "漢".len());
        assert!(shown.chars().map(display_width).sum::<usize>() <= MAX_SNIPPET);
        assert_eq!(len, 2);
        assert_eq!(under_caret(&shown, at, len), "漢");
    }
}
