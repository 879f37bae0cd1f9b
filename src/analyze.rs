//! One input from bytes to located findings (and, for `show`, the report): decode, parse,
//! classify, check, then apply the rule selection and severities in this one place.

use std::sync::OnceLock;

use crate::compact::{self, OffsetMap};
use crate::finding::{Finding, Located};
use crate::model::{DocKind, Model};
use crate::parallel::{self, Threads};
use crate::report::{self, DocumentReport};
use crate::rules::{self, Selection};
use crate::source::{self, Encoding, LineIndex};
use crate::xml;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Build the `show` report (costs a little; `check` does not need it).
    pub report: bool,
    pub selection: Selection,
    /// Threads one large input may use (`None`: one per core, asked only when an input is
    /// large enough to split).
    pub threads: Option<usize>,
}

/// Everything known about one input after analysis. Owns its text so that renderers can quote
/// source lines.
#[derive(Debug)]
pub struct Analysis {
    pub kind: DocKind,
    pub encoding: Encoding,
    pub text: String,
    /// Built on first use: an input without findings never needs line numbers.
    index: OnceLock<LineIndex>,
    pub findings: Vec<Located>,
    pub report: Option<DocumentReport>,
}

impl Analysis {
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// Analyses one input. Pass a `Vec<u8>` to spare a copy of large inputs.
pub fn analyze(bytes: impl Into<Vec<u8>>, options: &Options) -> Analysis {
    let decoded = source::decode(bytes);
    let text = decoded.text;
    let index = OnceLock::new();
    let index_of = || index.get_or_init(|| LineIndex::new(&text));
    let mut raw: Vec<Finding> = decoded.findings;
    let (kind, report) = if decoded.looks_binary {
        let model = Model::sniff(&text, true);
        raw.retain(|f| f.rule != "invalid-utf8"); // one finding for binary input, not hundreds
        raw.extend(rules::check(&model, &text));
        (
            model.kind,
            options
                .report
                .then(|| report::build(&model, &text, index_of(), &OffsetMap::identity())),
        )
    } else {
        // The tree is built from a copy without the indentation between elements (a third
        // of the nodes, which no check reads); what is found there is placed in the input
        // through an offset map.
        let compacted = compact::compact(&text);
        let parsed = match compacted.as_deref().map(xml::parse) {
            Some(Ok(doc)) => Ok((doc, true)),
            // Not parsed as compacted: parse the input itself, so an error reads exactly as
            // it would have (the copy has the same content, so this is the error path only).
            _ => xml::parse(&text).map(|doc| (doc, false)),
        };
        match parsed {
            Ok((doc, is_compacted)) => {
                let parsed_text = match &compacted {
                    Some(copy) if is_compacted => copy.as_str(),
                    _ => text.as_str(),
                };
                let threads = threads_for(&text, options);
                let mut found = Vec::new();
                let model = if threads.is_one() {
                    let model = Model::build(&doc);
                    found = rules::check(&model, parsed_text);
                    model
                } else {
                    // A large input: the structure walk needs only the outline, so it runs on
                    // its own thread while the model is built and its contents checked.
                    let outline = Model::outline(&doc);
                    std::thread::scope(|scope| {
                        let tree = scope.spawn(|| rules::check_tree(&outline, parsed_text));
                        let model = Model::build_with(&doc, threads);
                        found.extend(rules::check_contents(&model, parsed_text, threads));
                        match tree.join() {
                            Ok(in_tree) => found.extend(in_tree),
                            Err(panic) => std::panic::resume_unwind(panic),
                        }
                        model
                    })
                };
                let offsets = if is_compacted && (!found.is_empty() || options.report) {
                    OffsetMap::new(&text)
                } else {
                    OffsetMap::identity()
                };
                raw.extend(found.into_iter().map(|mut finding| {
                    finding.span = offsets.span(finding.span);
                    finding
                }));
                (
                    model.kind,
                    options
                        .report
                        .then(|| report::build(&model, &text, index_of(), &offsets)),
                )
            }
            Err(parse_error) => {
                let model = Model::sniff(&text, false);
                if model.kind != DocKind::NotAutodiscover {
                    raw.push(parse_error);
                }
                raw.extend(rules::check(&model, &text));
                (
                    model.kind,
                    options
                        .report
                        .then(|| report::build(&model, &text, index_of(), &OffsetMap::identity())),
                )
            }
        }
    };
    let findings = locate(raw, &options.selection, &text, index_of);
    Analysis {
        kind,
        encoding: decoded.encoding,
        text,
        index,
        findings,
        report,
    }
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

/// Applies the selection and the catalogue severities, resolves positions, sorts by position.
fn locate<'i>(
    raw: Vec<Finding>,
    selection: &Selection,
    text: &str,
    index: impl Fn() -> &'i LineIndex,
) -> Vec<Located> {
    let mut located: Vec<Located> = raw
        .into_iter()
        .filter_map(|finding| {
            let rule = rules::lookup(finding.rule)?;
            if !selection.enabled(rule) {
                return None;
            }
            let start = finding.span.start.min(text.len());
            let end = finding.span.end.clamp(start, text.len());
            let index = index();
            let (line, column) = index.position(text, start);
            let (end_line, end_column) = index.position(text, end);
            Some(Located {
                rule: rule.name,
                severity: rule.severity,
                line,
                column,
                end_line,
                end_column,
                span: start..end,
                message: finding.message,
                help: finding.help,
            })
        })
        .collect();
    // A total order (the message settles ties), so the order in which checks ran, on one
    // thread or several, never shows in the output.
    located.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    located
}
