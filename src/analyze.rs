//! One input from bytes to located findings (and, for `show`, the report): decode, parse,
//! classify, check, then apply the rule selection and severities in this one place.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::compact::{self, RunLog};
use crate::finding::{ElementPath, Finding, Located, Mark, Severity, Span};
use crate::model::{DocKind, Model};
use crate::parallel::{self, Threads};
use crate::report::{self, DocumentReport, Reporter};
use crate::rules::{self, Selection};
use crate::source::{self, Encoding, LineIndex};
use crate::suppress::{self, Suppression};
use crate::xml;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Build the `show` report (costs a little; `check` does not need it).
    pub report: bool,
    pub selection: Selection,
    /// Findings below this severity are dropped.
    pub min_severity: Severity,
    /// An input whose root element is plainly another kind of XML (svg, a Maven pom) is not
    /// judged: the analysis has `other_root` set and nothing else. For files found by walking.
    pub skip_other_xml: bool,
    /// Threads one large input may use (`None`: one per core, asked only when an input is
    /// large enough to split).
    pub threads: Option<usize>,
    /// Parse the input as written, indentation between elements included (see `compact`):
    /// same outcome, more time and memory. For comparisons.
    pub keep_indentation: bool,
    /// Give each finding its place in the document's structure (`Finding::element_path`),
    /// for formats that identify findings across edits (GitLab's fingerprints).
    pub element_paths: bool,
    /// Keep the input with the analysis (`Analysis::text`), for formats that quote it and for
    /// `--fix`. Without it a compacted input is never put back together: positions are
    /// counted through the log of what was taken out, and the text is dropped once they are.
    pub keep_text: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            report: false,
            selection: Selection::default(),
            min_severity: Severity::Info,
            skip_other_xml: false,
            threads: None,
            keep_indentation: false,
            element_paths: false,
            keep_text: true,
        }
    }
}

/// Everything known about one input after analysis. Owns its text so that renderers can quote
/// source lines.
#[derive(Debug)]
pub struct Analysis {
    pub kind: DocKind,
    pub encoding: Encoding,
    /// The decoded input, kept when something refers to it (findings to place or quote, a
    /// report); empty otherwise: a clean input is not put back together (see `compact`) or
    /// held until it is printed. `len` is its length either way.
    pub text: String,
    pub len: usize,
    /// Built on first use: an input without findings never needs line numbers.
    index: OnceLock<LineIndex>,
    pub findings: Vec<Located>,
    /// Boxed: `check` never builds one, and an `Analysis` is moved several times on its way
    /// to the output (a report inline would make every move copy 400 bytes more).
    pub report: Option<Box<DocumentReport<'static>>>,
    /// Set when `Options::skip_other_xml` skipped the input: its root element's name.
    pub other_root: Option<String>,
    /// Findings silenced by a suppression comment in the document (SARIF reports them as
    /// suppressed; the other formats leave them out).
    pub suppressed: Vec<Located>,
}

impl Analysis {
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// What was learnt from a parsed document; spans are the input's.
struct Checked {
    kind: DocKind,
    findings: Vec<Finding>,
    suppressions: Vec<Suppression>,
    /// For `show`: the report, with the input and its line index, put back together for it.
    report: Option<(DocumentReport<'static>, String, LineIndex)>,
}

/// Where `show` sends its report while the document's model is alive: a report written as it
/// is built never exists whole.
pub struct ReportStream<'s> {
    /// Hand over the marks of the findings that will be reported (human output marks values
    /// with them), sorted by span; without, the slice is empty.
    pub with_marks: bool,
    /// Called once, with the input's encoding.
    pub write: &'s mut dyn FnMut(Encoding, &Reporter<'_, '_>, &[Mark]),
}

/// The largest input analysed (4 GiB less 2 bytes): positions are 32-bit (`Finding::line`),
/// and the column after the last character of a one-line input must fit too.
pub const MAX_INPUT_BYTES: usize = u32::MAX as usize - 1;

/// Analyses one input. Pass a `Vec<u8>` to spare a copy of large inputs.
pub fn analyze(bytes: impl Into<Vec<u8>>, options: &Options) -> Analysis {
    analyze_streaming(bytes, options, None)
}

/// [`analyze`], with the report (when `stream` is given) handed to `stream` once, piece by
/// piece, instead of built into `Analysis::report` (`Options::report` is then not looked at).
pub fn analyze_streaming(
    bytes: impl Into<Vec<u8>>,
    options: &Options,
    mut stream: Option<ReportStream<'_>>,
) -> Analysis {
    let bytes = bytes.into();
    if bytes.len() > MAX_INPUT_BYTES {
        return too_large(bytes.len(), options);
    }
    let decoded = source::decode(bytes);
    let mut text = decoded.text;
    let len = text.len();
    if len > MAX_INPUT_BYTES {
        // Decoded from UTF-16 or a legacy encoding into more bytes than it had.
        return too_large(len, options);
    }
    if options.skip_other_xml
        && !decoded.looks_binary
        && let Some(root) = xml::other_root(&text)
    {
        return Analysis {
            kind: DocKind::NotAutodiscover,
            encoding: decoded.encoding,
            text: String::new(),
            len,
            index: OnceLock::new(),
            findings: Vec::new(),
            report: None,
            other_root: Some(root.to_string()),
            suppressed: Vec::new(),
        };
    }
    let mut index = OnceLock::new();
    // The compacted text's line index (built when something is placed through the log).
    let compacted_index = OnceLock::new();
    // The log of a text left compacted (not put back: nothing quotes it).
    let mut still_compacted: Option<RunLog> = None;
    let mut raw: Vec<Finding> = decoded.findings;
    let mut report = None;
    let mut suppressions: Vec<Suppression>;
    let kind = if decoded.looks_binary {
        let kind;
        (kind, suppressions, report) = without_tree(
            &text,
            (true, None),
            &mut raw,
            &index,
            (options, decoded.encoding, stream.as_mut()),
        );
        kind
    } else {
        // The tree is built from the text without the indentation between elements (a third
        // of the nodes, which no check reads); what is found is placed in the input through
        // the log of what was taken out.
        let log = if options.keep_indentation {
            None
        } else {
            compact::compact_in_place(&mut text)
        };
        let parsed = xml::parse(&text).map(|doc| {
            let placer = Placer::new(&text, log.as_ref(), len, [&index, &compacted_index]);
            let stream = stream.as_mut().map(|s| (decoded.encoding, s, &raw[..]));
            check_document(&doc, &text, log.as_ref(), options, &placer, stream)
        });
        // The input is put back for an error (to parse it again), or for findings that the
        // rule selection keeps when the input is to be quoted (a report brings its own).
        let needs_input = match &parsed {
            Err(_) => true,
            Ok(checked) => {
                options.keep_text
                    && checked.report.is_none()
                    && (!checked.suppressions.is_empty()
                        || raw
                            .iter()
                            .chain(&checked.findings)
                            .any(|f| selected(f, options).is_some()))
            }
        };
        if let Some(log) = log.as_ref().filter(|_| needs_input) {
            text = log.restore(text);
        }
        let parsed = match (parsed, &log) {
            // Not parsed as compacted: parse the input itself, so an error reads exactly as it
            // would have (the content is the same, so this is the error path only).
            (Err(_), Some(_)) => xml::parse(&text).map(|doc| {
                let placer = Placer::Input {
                    text: &text,
                    index: &index,
                };
                let stream = stream.as_mut().map(|s| (decoded.encoding, s, &raw[..]));
                check_document(&doc, &text, None, options, &placer, stream)
            }),
            (parsed, _) => parsed,
        };
        match parsed {
            Ok(checked) => {
                if raw.is_empty() {
                    raw = checked.findings; // the usual case: no decoding findings to add to
                } else {
                    raw.extend(checked.findings);
                }
                suppressions = checked.suppressions;
                if let Some((built, original, lines)) = checked.report {
                    report = Some(Box::new(built));
                    text = original;
                    let _ = index.set(lines);
                } else if !needs_input {
                    still_compacted = log;
                }
                checked.kind
            }
            Err(parse_error) => {
                let kind;
                (kind, suppressions, report) = without_tree(
                    &text,
                    (false, Some(*parse_error)),
                    &mut raw,
                    &index,
                    (options, decoded.encoding, stream.as_mut()),
                );
                kind
            }
        }
    };
    let placer = Placer::new(
        &text,
        still_compacted.as_ref(),
        len,
        [&index, &compacted_index],
    );
    let mut findings = locate(raw, options, &placer);
    let mut suppressed = Vec::new();
    if !suppressions.is_empty() {
        suppressed = suppress::apply(&mut suppressions, &mut findings);
        let unused = suppress::unused(&suppressions, &options.selection);
        if !unused.is_empty() {
            findings.extend(locate(unused, options, &placer));
            sort(&mut findings);
        }
    }
    let quoted = options.keep_text && (report.is_some() || !findings.is_empty());
    if !quoted || still_compacted.is_some() {
        // Nothing will quote it (or it is compacted, not the input): not held until printed.
        text = String::new();
        let _ = index.take();
    }
    Analysis {
        kind,
        encoding: decoded.encoding,
        text,
        len,
        index,
        findings,
        report,
        other_root: None,
        suppressed,
    }
}

/// An input of `len` bytes (as read, or once decoded), too large to analyse: one finding
/// says so.
fn too_large(len: usize, options: &Options) -> Analysis {
    let finding = Finding::new(
        "malformed-xml",
        0..0,
        format!(
            "the document is too large to analyse: {len} bytes, where at most \
             {MAX_INPUT_BYTES} (4 GiB less 2) can be"
        ),
    );
    let (index, compacted_index) = (OnceLock::new(), OnceLock::new());
    let placer = Placer::new("", None, 0, [&index, &compacted_index]);
    Analysis {
        kind: DocKind::NotAutodiscover,
        encoding: Encoding::Utf8,
        text: String::new(),
        len,
        index: OnceLock::new(),
        findings: locate(vec![finding], options, &placer),
        report: None,
        other_root: None,
        suppressed: Vec::new(),
    }
}

/// The marks of the findings that will be reported, of `raw` (its parts in order) found in an
/// input of `len` bytes: what `locate` and the suppressions keep (`suppress::apply`,
/// `suppress::unused`), without placing anything; sorted as the findings are (ties of span and
/// rule write the same mark).
fn marks(raw: Raw<'_>, len: usize, suppressions: &[Suppression], options: &Options) -> Vec<Mark> {
    let mark = |finding: &Finding| {
        let rule = selected(finding, options)?;
        let start = finding.span.start.min(len);
        Some(Mark {
            rule: rule.name,
            severity: rule.severity,
            span: (start, finding.span.end.clamp(start, len)),
        })
    };
    let mut marks: Vec<Mark> = raw
        .iter()
        .flat_map(|part| part.iter())
        .filter_map(mark)
        .collect();
    if !suppressions.is_empty() {
        // A copy: which names are used is decided again when the findings are placed.
        let mut suppressions = suppressions.to_vec();
        marks.retain(|m| !suppress::silences(&mut suppressions, m.span.0, m.rule));
        let unused = suppress::unused(&suppressions, &options.selection);
        marks.extend(unused.iter().filter_map(mark));
    }
    marks.sort_by_key(|m| (m.span, m.rule));
    marks
}

/// A stream of the report with what it is handed: the options, the input's encoding.
type StreamWith<'s, 'w> = (&'s Options, Encoding, Option<&'s mut ReportStream<'w>>);

/// Raw findings in parts: the decoding findings, then the document's.
type Raw<'f> = [&'f [Finding]; 2];

/// Hands the report to `stream`, with the marks of `raw` when it wants them.
fn hand_over(
    stream: &mut ReportStream<'_>,
    encoding: Encoding,
    reporter: &Reporter<'_, '_>,
    (raw, len, suppressions, options): (Raw<'_>, usize, &[Suppression], &Options),
) {
    let marks = match stream.with_marks {
        true => marks(raw, len, suppressions, options),
        false => Vec::new(),
    };
    (stream.write)(encoding, reporter, &marks);
}

/// An input that has no tree (`looks_binary`, or not well-formed: its `parse_error`): what
/// can be told from its text is checked and added to `raw`; its suppressions, and its report
/// (no spans to map), streamed when asked to be, else built when the options ask for it.
fn without_tree(
    text: &str,
    (looks_binary, parse_error): (bool, Option<Finding>),
    raw: &mut Vec<Finding>,
    index: &OnceLock<LineIndex>,
    (options, encoding, stream): StreamWith<'_, '_>,
) -> (
    DocKind,
    Vec<Suppression>,
    Option<Box<DocumentReport<'static>>>,
) {
    let model = Model::sniff(text, looks_binary);
    if looks_binary {
        raw.retain(|f| f.rule != "invalid-utf8"); // one finding for binary input, not hundreds
    }
    if let Some(error) = parse_error
        && model.kind != DocKind::NotAutodiscover
    {
        raw.push(error);
    }
    raw.extend(rules::check(&model, text));
    let suppressions = suppress::collect_unparsed(text);
    let report = unparsed_report(
        &model,
        text,
        index,
        (options, encoding, stream),
        raw,
        &suppressions,
    );
    (model.kind, suppressions, report)
}

/// The report of an input that has no tree: no spans to map. Streamed when asked to be, else
/// built when the options ask for it.
fn unparsed_report(
    model: &Model<'_>,
    text: &str,
    index: &OnceLock<LineIndex>,
    (options, encoding, stream): StreamWith<'_, '_>,
    raw: &[Finding],
    suppressions: &[Suppression],
) -> Option<Box<DocumentReport<'static>>> {
    let place_at = |offset| {
        index
            .get_or_init(|| LineIndex::new(text))
            .position(text, offset)
    };
    let identity = RunLog::identity();
    let reporter = Reporter::new(model, &place_at, &identity);
    let Some(stream) = stream else {
        return options
            .report
            .then(|| Box::new(reporter.build().into_owned()));
    };
    hand_over(
        stream,
        encoding,
        &reporter,
        ([raw, &[]], text.len(), suppressions, options),
    );
    None
}

/// Builds the model of a parsed document and runs the checks. `text` is what was parsed; `log`
/// says what was taken out of the input to get it (None: it is the input).
fn check_document(
    doc: &xml::XmlDocument<'_>,
    text: &str,
    log: Option<&RunLog>,
    options: &Options,
    placer: &Placer<'_>,
    stream: Option<(Encoding, &mut ReportStream<'_>, &[Finding])>,
) -> Checked {
    let threads = threads_for(text, options);
    let mut found = Vec::new();
    let model = if threads.is_one() {
        let model = Model::build(doc);
        found = rules::check(&model, text);
        model
    } else {
        // A large input: the structure walk needs only the outline, so it runs on its own
        // thread while the model is built and its contents checked.
        let outline = Model::outline(doc);
        std::thread::scope(|scope| {
            let tree = scope.spawn(|| rules::check_tree(&outline, text));
            let model = Model::build_with(doc, threads);
            found = rules::check_contents(&model, text, threads);
            match tree.join() {
                Ok(mut in_tree) => {
                    // The walk's findings first, as on one thread (ties in the sort keep
                    // this order), put together in the larger part's vector: the smaller is
                    // copied, and no third vector is faulted in.
                    if in_tree.len() >= found.len() {
                        in_tree.append(&mut found);
                        found = in_tree;
                    } else {
                        found.splice(0..0, in_tree);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
            model
        })
    };
    if options.element_paths {
        attach_element_paths(doc, &mut found);
    }
    let identity = RunLog::identity();
    let log = log.unwrap_or(&identity);
    for finding in &mut found {
        finding.span = log.span(finding.span.clone());
        if let Some(related) = &mut finding.related {
            related.span = log.span(related.span.clone());
        }
        if let Some(fix) = &mut finding.fix {
            for edit in &mut fix.edits {
                edit.span = log.span(edit.span.clone());
            }
        }
    }
    let suppressions = suppress::collect(doc, text, log);
    let streamed = stream.is_some();
    if let Some((encoding, stream, decoded)) = stream {
        // Placed through the log: the input is not put back together for a streamed report
        // (positions are the same either way).
        let place_at = |offset| placer.position(offset);
        let reporter = Reporter::new(&model, &place_at, log).sharing(threads);
        // The decoding findings come first, as when the findings are placed.
        let raw = [decoded, &found[..]];
        hand_over(
            stream,
            encoding,
            &reporter,
            (raw, placer.len(), &suppressions, options),
        );
    }
    let report = (options.report && !streamed).then(|| {
        let original = log.restore(text.to_string());
        let lines = LineIndex::new(&original);
        (
            report::build(&model, &original, &lines, log),
            original,
            lines,
        )
    });
    Checked {
        kind: model.kind,
        suppressions,
        findings: found,
        report,
    }
}

/// Sets each finding's `element_path`: the innermost element around its start, named by the
/// path from the root (`Protocol[IMAP]` for a Protocol with a Type, `Name#2` for the second
/// sibling of that name). One sweep over the elements in document order.
fn attach_element_paths(doc: &xml::XmlDocument<'_>, found: &mut [Finding]) {
    if found.is_empty() {
        return;
    }
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| found[i].span.start);
    // Open elements, outermost first: (end, name as shown, same-named children seen so far).
    struct Open<'d> {
        end: usize,
        name: Cow<'d, str>,
        children: Vec<(Cow<'d, str>, usize)>,
    }
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut next = 0;
    // The path of the open elements, built once for all the findings in one element: the
    // count of elements opened or closed when it was built.
    let mut changes = 0usize;
    let mut last: Option<(usize, ElementPath)> = None;
    let mut assign =
        |open: &mut Vec<Open<'_>>, changes: &mut usize, until: usize, found: &mut [Finding]| {
            while next < order.len() && found[order[next]].span.start < until {
                let at = found[order[next]].span.start;
                while open.last().is_some_and(|o| o.end <= at) {
                    open.pop();
                    *changes += 1;
                }
                let path = match &last {
                    Some((built, path)) if *built == *changes => path.clone(),
                    _ => {
                        let names: Vec<&str> = open.iter().map(|o| &*o.name).collect();
                        let path = ElementPath::new(names.join("/").into_boxed_str());
                        last = Some((*changes, path.clone()));
                        path
                    }
                };
                found[order[next]].element_path = Some(path);
                next += 1;
            }
        };
    for element in doc.root().descendants().filter(|n| n.is_element()) {
        let range = element.range();
        assign(&mut open, &mut changes, range.start, found);
        while open.last().is_some_and(|o| o.end <= range.start) {
            open.pop();
            changes += 1;
        }
        let local = element.tag_name().name();
        let mut name = match (
            local,
            xml::child_element(element, "Type").and_then(xml::only_text),
        ) {
            ("Protocol", Some(kind)) => Cow::Owned(format!("Protocol[{}]", kind.trim())),
            _ => Cow::Borrowed(local),
        };
        if let Some(parent) = open.last_mut() {
            let seen = match parent.children.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    parent.children.push((name.clone(), 1));
                    1
                }
            };
            if seen > 1 {
                name = Cow::Owned(format!("{name}#{seen}"));
            }
        }
        open.push(Open {
            end: range.end,
            name,
            children: Vec::new(),
        });
        changes += 1;
    }
    assign(&mut open, &mut changes, usize::MAX, found);
}

/// Small inputs stay on the calling thread (and never ask for the core count, which reads
/// cgroup files: scripts call adinspect once per small file).
fn threads_for(text: &str, options: &Options) -> Threads {
    if text.len() < parallel::MIN_PARALLEL_BYTES {
        return Threads::ONE;
    }
    Threads::new(options.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    }))
}

/// The catalogue entry of a finding that the rule selection and the minimum severity keep.
fn selected(finding: &Finding, options: &Options) -> Option<&'static rules::Rule> {
    let at = rules::index(finding.rule)?;
    let rule = &rules::RULES[at];
    (options.selection.enabled_at(at) && rule.severity >= options.min_severity).then_some(rule)
}

/// Where findings are placed: in the input, or in the compacted text through its log (the
/// input not put back together). Line indexes are built on the first position asked for.
enum Placer<'a> {
    Input {
        text: &'a str,
        index: &'a OnceLock<LineIndex>,
    },
    Compacted {
        text: &'a str,
        log: &'a RunLog,
        /// The input's length.
        len: usize,
        index: &'a OnceLock<LineIndex>,
    },
}

impl<'a> Placer<'a> {
    /// Places in `text`: the input (no `log`), or the compacted text of an input of `len`
    /// bytes. `indexes`: the input's line index, the compacted text's.
    fn new(
        text: &'a str,
        log: Option<&'a RunLog>,
        len: usize,
        [input_index, compacted_index]: [&'a OnceLock<LineIndex>; 2],
    ) -> Placer<'a> {
        match log {
            Some(log) => Placer::Compacted {
                text,
                log,
                len,
                index: compacted_index,
            },
            None => Placer::Input {
                text,
                index: input_index,
            },
        }
    }

    fn len(&self) -> usize {
        match self {
            Placer::Input { text, .. } => text.len(),
            Placer::Compacted { len, .. } => *len,
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        match self {
            Placer::Input { text, index } => index
                .get_or_init(|| LineIndex::new(text))
                .position(text, offset),
            Placer::Compacted {
                text,
                log,
                len,
                index,
            } => index
                .get_or_init(|| LineIndex::of_compacted(text, log))
                .position_compacted(text, log, *len, offset),
        }
    }
}

/// Applies the selection and the catalogue severities, resolves positions, sorts by position:
/// in place, the findings dropped by the selection left out.
fn locate(mut found: Vec<Finding>, options: &Options, placer: &Placer<'_>) -> Vec<Located> {
    let len = placer.len();
    // A span clamped into the input, and its positions (32 bits: `analyze` takes no input of
    // 4 GiB or more).
    let place = |span: &mut Span| {
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        *span = start..end;
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let (line, column) = placer.position(start);
        let (end_line, end_column) = placer.position(end);
        (
            narrow(line),
            narrow(column),
            narrow(end_line),
            narrow(end_column),
        )
    };
    found.retain_mut(|finding| {
        let Some(rule) = selected(finding, options) else {
            return false;
        };
        finding.rule = rule.name;
        finding.severity = rule.severity;
        (
            finding.line,
            finding.column,
            finding.end_line,
            finding.end_column,
        ) = place(&mut finding.span);
        if let Some(related) = &mut finding.related {
            (
                related.line,
                related.column,
                related.end_line,
                related.end_column,
            ) = place(&mut related.span);
        }
        for edit in finding.fix.iter_mut().flat_map(|fix| &mut fix.edits) {
            (edit.line, edit.column, edit.end_line, edit.end_column) = place(&mut edit.span);
        }
        true
    });
    sort(&mut found);
    found
}

/// A total order (the message settles ties), so the order in which checks ran, on one thread
/// or several, never shows in the output: by span, then rule name, then message, ties kept in
/// the order found (a stable sort's result).
fn sort(located: &mut [Located]) {
    // Sorted as keys (span, where found): a merge sort, which takes the runs already in order
    // (findings arrive as a few ordered sequences) as they are. Findings with the same span
    // (few) are then ordered by rule and message, ties kept in the order found.
    let mut keys: Vec<(usize, usize, usize)> = located
        .iter()
        .enumerate()
        .map(|(i, f)| (f.span.start, f.span.end, i))
        .collect();
    keys.sort();
    for tied in keys.chunk_by_mut(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if tied.len() > 1 {
            tied.sort_by(|a, b| {
                let (a, b) = (&located[a.2], &located[b.2]);
                (a.rule, &a.message).cmp(&(b.rule, &b.message))
            });
        }
    }
    // A finding is large: it is put in place by following the permutation's cycles, one swap
    // per finding moved. Position i must receive the finding now at order[i]; a placed
    // position gets order[i] = i.
    let mut order: Vec<usize> = keys.into_iter().map(|key| key.2).collect();
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != current {
            let next = order[current];
            order[current] = current;
            if next == start {
                break;
            }
            located.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod sort_tests {
    use super::*;

    /// An input of 4 GiB or more is not analysed (its positions would not fit in 32 bits):
    /// one finding says so, at its start, and the rule selection still applies to it.
    #[test]
    fn an_input_too_large_gets_one_finding() {
        let len = MAX_INPUT_BYTES + 1;
        let analysis = too_large(len, &Options::default());
        assert_eq!(analysis.len, len);
        let [finding] = &analysis.findings[..] else {
            panic!("{:?}", analysis.findings);
        };
        assert_eq!(finding.rule, "malformed-xml");
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!((finding.line, finding.column), (1, 1));
        assert_eq!(finding.span, 0..0);
        assert!(finding.message.to_str().contains(&format!("{len} bytes")));
        let mut options = Options::default();
        options
            .selection
            .ignore(&["malformed-xml".to_string()])
            .unwrap();
        assert!(too_large(len, &options).findings.is_empty());
    }

    fn finding(start: usize, end: usize, rule: &'static str, message: &str, tag: u32) -> Located {
        Located {
            line: tag, // tells apart findings that compare equal
            ..Finding::new(rule, start..end, message.to_string())
        }
    }

    /// The index sort with cycle placement gives exactly what a stable sort of the findings
    /// gives, ties included.
    #[test]
    fn findings_are_sorted_stably_by_position_rule_and_message() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        };
        for size in [0, 1, 2, 3, 10, 100, 1000] {
            // Rule names in and out of alphabetical order, so that ties are settled by name.
            let rules = [
                "invalid-on-off",
                "b-rule",
                "a-rule",
                "element-name-case",
                "spa-by-default",
            ];
            let messages = ["m1", "m2"];
            let findings: Vec<Located> = (0..size)
                .map(|tag| {
                    let start = next(20);
                    finding(
                        start,
                        start + next(3),
                        rules[next(rules.len())],
                        messages[next(2)],
                        tag,
                    )
                })
                .collect();
            let mut expected = findings.clone();
            expected.sort_by(|a, b| {
                (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
                    b.span.start,
                    b.span.end,
                    b.rule,
                    &b.message,
                ))
            });
            let mut sorted = findings;
            sort(&mut sorted);
            assert_eq!(sorted, expected, "size {size}");
        }
    }
}
