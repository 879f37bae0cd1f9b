//! roxmltree glue: safe parsing options, parse errors as findings, and spans of tags, texts and
//! attributes taken from the node ranges (never from `text_pos_at`, which rescans the input).

use std::borrow::Cow;

use crate::finding::{Finding, Span};
use crate::source::LineIndex;

pub type XmlNode<'a> = roxmltree::Node<'a, 'a>;
pub type XmlDocument<'a> = roxmltree::Document<'a>;

/// More attributes than this on one element are refused before parsing: roxmltree checks
/// duplicates pairwise, so the cost would grow with the square. POX elements carry at most two.
pub const MAX_ATTRIBUTES: usize = 100;

/// `text` with `&`, `<` and `>` written as entities, for element content.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The roots an Autodiscover document or a piece of one may have.
const AUTODISCOVER_ROOTS: [&str; 5] =
    ["Autodiscover", "Request", "Response", "Account", "Protocol"];

/// The name of the root element when it is plainly not Autodiscover's (an `<svg>`, a Maven
/// `<project>`): not one of the roots a document or a piece of one has, in any case, nor a near
/// miss of one. Looks only at the prolog (declaration, comments, processing instructions, a
/// DOCTYPE) and the first start tag; None when that cannot be told.
pub fn other_root(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        let rest = &text[i..];
        let skip_to = |end: &str| rest.find(end).map(|at| i + at + end.len());
        if rest.starts_with("\u{feff}") {
            i += "\u{feff}".len();
        } else if rest.starts_with("<?") {
            i = skip_to("?>")?;
        } else if rest.starts_with("<!--") {
            i = skip_to("-->")?;
        } else if rest.starts_with("<!") {
            // A DOCTYPE, perhaps with an internal subset in brackets.
            let close = match (rest.find('['), rest.find('>')) {
                (Some(open), Some(gt)) if open < gt => {
                    rest[open..].find("]>").map(|e| open + e + 2)
                }
                (_, Some(gt)) => Some(gt + 1),
                _ => None,
            }?;
            i += close;
        } else if let Some(tag) = rest.strip_prefix('<') {
            let end = tag
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(tag.len());
            let name = &tag[..end];
            let local = name.rsplit(':').next().unwrap_or(name);
            if local.is_empty() {
                return None;
            }
            let autodiscover = AUTODISCOVER_ROOTS.iter().any(|root| {
                root.eq_ignore_ascii_case(local)
                    || crate::schema::edit_distance(
                        &root.to_ascii_lowercase(),
                        &local.to_ascii_lowercase(),
                    ) <= 2
            });
            return (!autodiscover).then_some(name);
        } else {
            return None;
        }
    }
}

/// More namespaces than this in scope at one element are refused before parsing: the parser
/// copies the namespaces in scope into every element that declares one, so nesting many
/// declarations costs time growing with the square (or cube) of their number. Autodiscover
/// documents have one to three.
pub const MAX_NAMESPACES_IN_SCOPE: usize = 32;

/// The parser's copying of namespaces in scope, summed over the elements that declare one, is
/// held under this: a document redeclaring its namespaces on every element stays accepted, one
/// built to make the parser copy billions of entries does not.
pub const MAX_NAMESPACE_COPIES: usize = 2_000_000;

/// Parses with DTDs disallowed (no entity expansion, nothing fetched).
/// A document that does not parse gives its finding (boxed: a finding is large, a tree small).
pub fn parse(text: &str) -> Result<XmlDocument<'_>, Box<Finding>> {
    let look = first_look(text);
    if let Some((count, at)) = look
        .crowded_attributes
        .then(|| scan_crowded_tag(text.as_bytes(), MAX_ATTRIBUTES))
        .flatten()
    {
        return Err(Box::new(Finding::new(
            "input-too-complex",
            at..at + 1,
            format!(
                "an element with at least {count} attributes; adinspect analyses at most \
                 {MAX_ATTRIBUTES} per element (Autodiscover elements have at most two)"
            ),
        )));
    }
    if let Some(crowded) = (look.declarations > MAX_NAMESPACES_IN_SCOPE)
        .then(|| scan_namespaces(text))
        .flatten()
    {
        let message = match crowded {
            Crowded::InScope { count, .. } => format!(
                "an element with {count} namespace declarations in scope; adinspect analyses at \
                 most {MAX_NAMESPACES_IN_SCOPE} (Autodiscover documents use one to three)"
            ),
            Crowded::Copies { elements, .. } => format!(
                "namespaces redeclared on {elements} nested elements with many in scope: more \
                 namespace bookkeeping than adinspect analyses (Autodiscover documents declare \
                 their namespaces once)"
            ),
        };
        let at = crowded.at();
        return Err(Box::new(Finding::new(
            "input-too-complex",
            at..at + 1,
            message,
        )));
    }
    roxmltree::Document::parse_with_options(text, options()).map_err(|err| {
        // The line index is built here, on the error path only: most inputs never need one.
        let mut finding = error_finding(text, &LineIndex::new(text), &err);
        // A second root (two documents pasted together) reads better said plainly.
        if matches!(
            err,
            roxmltree::Error::UnknownToken(_) | roxmltree::Error::UnexpectedDeclaration(_)
        ) && roxmltree::Document::parse_with_options(&text[..finding.span.start], options())
            .is_ok()
        {
            finding.message = "content after the end of the root element: an input holds one \
                               document (two pasted together?)"
                .into();
        }
        Box::new(finding)
    })
}

fn options<'a>() -> roxmltree::ParsingOptions<'a> {
    roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    }
}

/// What one pass over the `=` of a text tells before parsing.
struct FirstLook {
    /// Some tag may have more than [`MAX_ATTRIBUTES`] attributes.
    crowded_attributes: bool,
    /// `xmlns` in the text (counted up to one past the in-scope limit): an upper bound of the
    /// namespace declarations, so the limit cannot be passed when this is within it.
    declarations: usize,
}

/// One pass over the `=` of the text (ordinary documents have a few dozen): whether more than
/// [`MAX_ATTRIBUTES`] of them follow one another with no `<` between (each gap searched once,
/// backwards); and a count of `xmlns` in the text, stopped past the in-scope limit.
fn first_look(text: &str) -> FirstLook {
    static XMLNS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"xmlns"));
    let bytes = text.as_bytes();
    FirstLook {
        crowded_attributes: long_run_of_equals(bytes, MAX_ATTRIBUTES),
        declarations: XMLNS
            .find_iter(bytes)
            .take(MAX_NAMESPACES_IN_SCOPE + 1)
            .count(),
    }
}

/// Whether more than `limit` `=` follow one another with no `<` between them. Each gap between
/// two `=` is searched once, backwards: one pass over the `=` and a short look behind each.
fn long_run_of_equals(bytes: &[u8], limit: usize) -> bool {
    let (mut run, mut previous) = (0, 0);
    for at in memchr::memchr_iter(b'=', bytes) {
        if memchr::memrchr(b'<', &bytes[previous..at]).is_some() {
            run = 0;
        }
        run += 1;
        previous = at;
        if run > limit {
            return true;
        }
    }
    false
}

/// The first start tag with more than `limit` attributes: (count, offset of its `<`). A single
/// linear pass (memchr jumps) that skips comments, CDATA, processing instructions and quoted
/// values.
pub fn crowded_tag(text: &str, limit: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    // Quick exit: a crowded tag needs more than `limit` `=` with no `<` between them, which
    // ordinary documents never have.
    if !long_run_of_equals(bytes, limit) {
        return None;
    }
    scan_crowded_tag(bytes, limit)
}

/// [`crowded_tag`] without the quick look first.
fn scan_crowded_tag(bytes: &[u8], limit: usize) -> Option<(usize, usize)> {
    let mut found = None;
    scan_tags(bytes, |tag| match tag {
        Tag::Start(start) if start.attributes > limit => {
            found = Some((start.attributes, start.at));
            false
        }
        _ => true,
    });
    found
}

/// Just past the first `needle` at or after `from`, or the end of `bytes`.
fn after(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    memchr::memmem::find(&bytes[from.min(bytes.len())..], needle)
        .map_or(bytes.len(), |p| from + p + needle.len())
}

/// Where markup that is no element tag ends, for the pre-parse scans: a comment, CDATA section,
/// processing instruction or DOCTYPE starting at `start` (a `<`), past its closing delimiter
/// (or the end of the text). None for a start or end tag.
fn skip_non_tag(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..];
    if rest.starts_with(b"<!--") {
        Some(after(bytes, start + 4, b"-->"))
    } else if rest.starts_with(b"<![CDATA[") {
        Some(after(bytes, start + 9, b"]]>"))
    } else if rest.starts_with(b"<?") {
        Some(after(bytes, start + 2, b"?>"))
    } else if rest.starts_with(b"<!") {
        Some(after(bytes, start + 2, b">"))
    } else {
        None
    }
}

/// Why [`crowded_namespaces`] refused an input, and where (the offset of the element's `<`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crowded {
    InScope { count: usize, at: usize },
    Copies { elements: usize, at: usize },
}

impl Crowded {
    pub fn at(self) -> usize {
        match self {
            Crowded::InScope { at, .. } | Crowded::Copies { at, .. } => at,
        }
    }
}

/// The first element where the namespace declarations in scope pass
/// [`MAX_NAMESPACES_IN_SCOPE`], or where the parser's copying of them passes
/// [`MAX_NAMESPACE_COPIES`]. One linear pass over the tags (comments, CDATA, processing
/// instructions and quoted values skipped), only when the text holds more `xmlns` than could
/// ever be a problem.
pub fn crowded_namespaces(text: &str) -> Option<Crowded> {
    if first_look(text).declarations <= MAX_NAMESPACES_IN_SCOPE {
        return None; // never more in scope than in the whole text; copies stay tiny
    }
    scan_namespaces(text)
}

/// [`crowded_namespaces`] without the quick look first.
fn scan_namespaces(text: &str) -> Option<Crowded> {
    // Declarations made by each open element, innermost last.
    let mut open: Vec<u32> = Vec::new();
    let (mut in_scope, mut copies, mut declaring) = (0usize, 0usize, 0usize);
    let mut crowded = None;
    scan_tags(text.as_bytes(), |tag| {
        let start = match tag {
            Tag::End(_) => {
                if let Some(declared) = open.pop() {
                    in_scope -= declared as usize;
                }
                return true;
            }
            Tag::Start(start) => start,
        };
        if start.declarations > 0 {
            // The parser copies what the parent has in scope into this element.
            copies += in_scope;
            declaring += 1;
        }
        in_scope += start.declarations;
        if in_scope > MAX_NAMESPACES_IN_SCOPE {
            crowded = Some(Crowded::InScope {
                count: in_scope,
                at: start.at,
            });
        } else if copies > MAX_NAMESPACE_COPIES {
            crowded = Some(Crowded::Copies {
                elements: declaring,
                at: start.at,
            });
        } else if start.self_closing {
            in_scope -= start.declarations;
        } else {
            open.push(start.declarations as u32);
        }
        crowded.is_none()
    });
    crowded
}

/// A start tag as the pre-parse scans see it.
struct StartTag {
    /// The offset of its `<`.
    at: usize,
    /// Attributes with a value (`name=…`).
    attributes: usize,
    /// Of those, namespace declarations (`xmlns`, `xmlns:p`).
    declarations: usize,
    self_closing: bool,
}

enum Tag {
    Start(StartTag),
    /// The offset of its `</`.
    End(usize),
}

/// Every start and end tag of the text in order, for the pre-parse scans (one linear pass:
/// comments, CDATA, processing instructions, DOCTYPEs and quoted values are skipped). `visit`
/// returns false to stop.
fn scan_tags(bytes: &[u8], mut visit: impl FnMut(Tag) -> bool) {
    let space = |b: u8| b.is_ascii_whitespace();
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + found;
        if let Some(end) = skip_non_tag(bytes, start) {
            i = end;
        } else if bytes[start..].starts_with(b"</") {
            i = after(bytes, start + 2, b">");
            if !visit(Tag::End(start)) {
                return;
            }
        } else {
            // Its name, then attributes up to `>` or `/>`.
            let mut j = start + 1;
            while j < bytes.len() && !space(bytes[j]) && !matches!(bytes[j], b'>' | b'/' | b'<') {
                j += 1;
            }
            let mut tag = StartTag {
                at: start,
                attributes: 0,
                declarations: 0,
                self_closing: false,
            };
            while j < bytes.len() {
                match bytes[j] {
                    b if space(b) => j += 1,
                    b'>' => {
                        j += 1;
                        break;
                    }
                    b'/' if bytes.get(j + 1) == Some(&b'>') => {
                        j += 2;
                        tag.self_closing = true;
                        break;
                    }
                    b'<' => break, // not well-formed; the parser will say so
                    _ => {
                        let name_start = j;
                        while j < bytes.len()
                            && !space(bytes[j])
                            && !matches!(bytes[j], b'=' | b'>' | b'/' | b'<')
                        {
                            j += 1;
                        }
                        let name = &bytes[name_start..j];
                        while j < bytes.len() && space(bytes[j]) {
                            j += 1;
                        }
                        if bytes.get(j) == Some(&b'=') {
                            tag.attributes += 1;
                            if name == b"xmlns" || name.starts_with(b"xmlns:") {
                                tag.declarations += 1;
                            }
                            j += 1;
                            while j < bytes.len() && space(bytes[j]) {
                                j += 1;
                            }
                            if let Some(&quote) = bytes.get(j).filter(|q| matches!(q, b'"' | b'\''))
                            {
                                j = memchr::memchr(quote, &bytes[j + 1..])
                                    .map_or(bytes.len(), |k| j + 1 + k + 1);
                            }
                        }
                        if j == name_start {
                            j += 1; // a stray character: step over it
                        }
                    }
                }
            }
            i = j;
            if !visit(Tag::Start(tag)) {
                return;
            }
        }
        if i >= bytes.len() {
            return;
        }
    }
}

fn error_finding(text: &str, index: &LineIndex, err: &roxmltree::Error) -> Finding {
    use roxmltree::Error as E;
    let at = |pos: roxmltree::TextPos| {
        let start = index.offset(text, pos.row as usize, pos.col as usize);
        start..next_char_end(text, start)
    };
    let end = text.len()..text.len();
    match err {
        E::DtdDetected => {
            let start = find_ascii_case_insensitive(text, "<!DOCTYPE").unwrap_or(0);
            Finding::new(
                "doctype-not-allowed",
                start..start + "<!DOCTYPE".len().min(text.len() - start),
                "a DOCTYPE declaration: Autodiscover documents never carry a DTD, and DTD \
                 entities are how billion-laughs and external-entity attacks work",
            )
            .with_help("remove the <!DOCTYPE …> declaration; it was not expanded or fetched")
        }
        E::NoRootNode => Finding::new(
            "malformed-xml",
            end,
            "no root element: the input holds no XML element at all",
        ),
        E::UnclosedRootNode | E::UnexpectedEndOfStream => Finding::new(
            "malformed-xml",
            end,
            "the document ends before its root element is closed (truncated input?)",
        ),
        E::UnexpectedDeclaration(pos) => {
            let span = at(*pos);
            let finding = Finding::new(
                "malformed-xml",
                span.clone(),
                "the XML declaration <?xml …?> is not at the very start of the input",
            )
            .with_help("remove what comes before <?xml (blank lines, spaces, a BOM written twice)");
            // Only blank space before the first declaration: removing it changes nothing else.
            let before = &text[..span.start];
            if !before.is_empty()
                && before
                    .trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n'])
                    .is_empty()
                && text[span.start..].starts_with("<?xml")
            {
                finding.with_fix(
                    crate::finding::Applicability::Safe,
                    "remove what precedes the XML declaration",
                    vec![crate::finding::Edit::new(0..span.start, String::new())],
                )
            } else {
                finding
            }
        }
        E::NodesLimitReached | E::AttributesLimitReached | E::NamespacesLimitReached => {
            Finding::new(
                "malformed-xml",
                0..0,
                format!("the document is too large to analyse: {err}"),
            )
        }
        E::UnexpectedCloseTag(expected, actual, pos) => {
            let close = at(*pos).start;
            mismatched_tags(text, index, expected, actual, close)
        }
        other => {
            let message = strip_position(&other.to_string());
            let mut finding = Finding::new("malformed-xml", at(other.pos()), message);
            if let E::InvalidChar2(..) | E::InvalidChar(..) = other
                && text.contains("xmlns=h")
            {
                finding = finding.with_help("attribute values must be quoted: xmlns=\"…\"");
            }
            finding
        }
    }
}

/// An end tag that does not match the open element: both tags are pointed at (the start tag as
/// the related span), and when one name is a known element and the other a near miss of it, the
/// message says which of the two is misspelt.
fn mismatched_tags(
    text: &str,
    index: &LineIndex,
    expected: &str,
    actual: &str,
    close: usize,
) -> Finding {
    let close_end =
        memchr::memchr(b'>', &text.as_bytes()[close..]).map_or(text.len(), |i| close + i + 1);
    // The start tag being closed: the innermost one still open where the end tag stands.
    let mut open: Vec<usize> = Vec::new();
    scan_tags(text.as_bytes(), |tag| match tag {
        Tag::Start(start) if start.at < close => {
            if !start.self_closing {
                open.push(start.at);
            }
            true
        }
        Tag::End(at) if at < close => {
            open.pop();
            true
        }
        _ => false,
    });
    let opened = open
        .last()
        .map(|&at| at..(at + 1 + expected.len()).min(text.len()))
        .filter(|span| text.get(span.start + 1..span.end) == Some(expected));
    let line = opened
        .as_ref()
        .map(|span| format!(" (line {})", index.position(text, span.start).0))
        .unwrap_or_default();
    let local = |name: &'_ str| -> String { name.rsplit(':').next().unwrap_or(name).to_string() };
    let known = |name: &str| crate::schema::all_names().any(|k| k == local(name));
    let near = |misspelt: &str, right: &str| {
        crate::schema::suggest(&local(misspelt), [local(right).as_str()]).is_some()
    };
    let (message, help) = match (known(expected), known(actual)) {
        (false, true) if near(expected, actual) => (
            format!(
                "<{expected}>{line} is closed by </{actual}>: the start tag is misspelt, the \
                 element is <{actual}>"
            ),
            format!("write <{actual}> in the start tag too (names are case-sensitive)"),
        ),
        (true, false) if near(actual, expected) => (
            format!(
                "</{actual}> closes <{expected}>{line}: the end tag is misspelt, the element is \
                 <{expected}>"
            ),
            format!("write </{expected}> (names are case-sensitive)"),
        ),
        _ => (
            format!("</{actual}> does not close the open element <{expected}>{line}"),
            format!("close <{expected}> with </{expected}> before </{actual}>"),
        ),
    };
    let finding = Finding::new("malformed-xml", close..close_end, message).with_help(help);
    match opened {
        Some(span) => finding.with_related(span, format!("<{expected}> opened here")),
        None => finding,
    }
}

/// roxmltree's messages end in " at L:C"; the position is shown separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at ") {
        Some(i)
            if message[i + 4..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':') =>
        {
            message[..i].to_string()
        }
        _ => message.to_string(),
    }
}

fn next_char_end(text: &str, start: usize) -> usize {
    text[start.min(text.len())..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8())
}

pub fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// The span of `<Name` in an element's start tag: where a caret belongs.
pub fn tag_span(node: XmlNode<'_>) -> Span {
    let start = node.range().start;
    let input = node.document().input_text();
    let name_len = input[start + 1..]
        .bytes()
        .take_while(|b| !b.is_ascii_whitespace() && *b != b'>' && *b != b'/')
        .count();
    start..start + 1 + name_len
}

/// The text of an element whose only child is a text: the usual value, read in one look.
pub fn only_text<'a>(node: XmlNode<'a>) -> Option<&'a str> {
    match (node.first_child(), node.last_child()) {
        (Some(only), Some(last)) if only == last && only.is_text() => only.text(),
        _ => None,
    }
}

/// The text of a value element, or None when it holds elements (it is then no value).
pub fn value_text<'a>(node: XmlNode<'a>) -> Option<Cow<'a, str>> {
    if let Some(text) = only_text(node) {
        return Some(Cow::Borrowed(text));
    }
    node.first_element_child()
        .is_none()
        .then(|| element_text(node))
}

/// The element's text content (all its direct text children, which comments may split).
pub fn element_text<'a>(node: XmlNode<'a>) -> Cow<'a, str> {
    // The usual case, one text child, without iterating.
    match (node.first_child(), node.last_child()) {
        (None, _) => return Cow::Borrowed(""),
        (Some(first), Some(last)) if first == last => {
            return Cow::Borrowed(if first.is_text() {
                first.text().unwrap_or_default()
            } else {
                ""
            });
        }
        _ => {}
    }
    let mut texts = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text());
    let Some(first) = texts.next() else {
        return Cow::Borrowed("");
    };
    match texts.next() {
        None => Cow::Borrowed(first),
        Some(second) => {
            let mut joined = format!("{first}{second}");
            texts.for_each(|t| joined.push_str(t));
            Cow::Owned(joined)
        }
    }
}

/// The span of the element's text in the source without surrounding whitespace; the start tag
/// when the element has no text.
pub fn value_span(node: XmlNode<'_>) -> Span {
    let input = node.document().input_text();
    let mut texts = node.children().filter(|c| c.is_text());
    let (Some(first), last) = (texts.next(), texts.next_back()) else {
        return tag_span(node);
    };
    let start = first.range().start;
    let end = last.map_or(first.range().end, |l| l.range().end);
    let raw = &input[start..end];
    let trimmed_start = raw.len() - raw.trim_start().len();
    let trimmed_len = raw.trim().len();
    if trimmed_len == 0 {
        return tag_span(node);
    }
    start + trimmed_start..start + trimmed_start + trimmed_len
}

/// The span of an element's text exactly as written, when it is one plain text child (no
/// entity, CDATA section, comment or child element): only then can an edit replace the value
/// without touching anything else.
pub fn plain_text_span(node: XmlNode<'_>) -> Option<Span> {
    let mut children = node.children();
    let (text, None) = (children.next()?, children.next()) else {
        return None;
    };
    let range = text.range();
    (text.is_text() && node.document().input_text().get(range.clone()) == text.text())
        .then_some(range)
}

/// [`value_span`] when the value is written literally (see [`plain_text_span`]).
pub fn literal_value_span(node: XmlNode<'_>) -> Option<Span> {
    plain_text_span(node)?;
    Some(value_span(node))
}

/// The spans of the names in an element's start and end tags (one span for `<a/>`), for
/// renaming it; None when the tags are not written plainly.
pub fn tag_name_spans(node: XmlNode<'_>) -> Option<Vec<Span>> {
    let input = node.document().input_text();
    let range = node.range();
    let tag = &input[range.clone()];
    let qualified = tag
        .get(1..)?
        .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .next()?;
    let name = local_name(node);
    if !qualified.ends_with(name) {
        return None;
    }
    let start = range.start + 1 + qualified.len() - name.len();
    let mut spans = Vec::with_capacity(2);
    spans.push(start..start + name.len());
    if !tag.ends_with("/>") {
        let close = format!("</{qualified}>");
        if !tag.ends_with(&close) {
            return None;
        }
        let end_name = range.end - 1 - name.len();
        spans.push(end_name..end_name + name.len());
    }
    Some(spans)
}

/// The start tag of an element as written (attributes included).
pub fn start_tag_text<'a>(node: XmlNode<'a>) -> &'a str {
    let input = node.document().input_text();
    let range = node.range();
    let end = node.first_child().map_or(range.end, |c| c.range().start);
    &input[range.start..end]
}

/// Element children only.
pub fn child_elements<'a>(node: XmlNode<'a>) -> impl Iterator<Item = XmlNode<'a>> {
    node.children().filter(|c| c.is_element())
}

/// The first child element named `name`.
pub fn child_element<'a>(node: XmlNode<'a>, name: &str) -> Option<XmlNode<'a>> {
    child_elements(node).find(|c| local_name(*c) == name)
}

pub fn local_name<'a>(node: XmlNode<'a>) -> &'a str {
    node.tag_name().name()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> (Finding, (usize, usize)) {
        let finding = parse(text).unwrap_err();
        let position = LineIndex::new(text).position(text, finding.span.start);
        (*finding, position)
    }

    #[test]
    fn namespaces_in_scope_are_limited_before_parsing() {
        // 33 nested elements declaring one prefix each: refused at the 33rd.
        let depth = MAX_NAMESPACES_IN_SCOPE + 1;
        let mut nested = String::new();
        for i in 0..depth {
            nested.push_str(&format!("<a xmlns:p{i}=\"urn:{i}\">"));
        }
        nested.push_str(&"</a>".repeat(depth));
        let refused = crowded_namespaces(&nested).unwrap();
        assert!(matches!(refused, Crowded::InScope { count, .. } if count == depth));
        assert_eq!(&nested[refused.at()..refused.at() + 3], "<a ");
        assert_eq!(parse(&nested).unwrap_err().rule, "input-too-complex");
        // The same declarations on siblings never pile up in scope.
        let siblings = format!(
            "<r>{}</r>",
            (0..100)
                .map(|i| format!("<a xmlns:p=\"urn:{i}\" xmlns=\"urn:d\"/><b xmlns:q='x'></b>"))
                .collect::<String>()
        );
        assert_eq!(crowded_namespaces(&siblings), None);
        assert!(parse(&siblings).is_ok());
        // Declarations inside comments, CDATA and attribute values are not declarations.
        let quoted = format!(
            "<r a=\"{}\"><!--{}--><![CDATA[{}]]></r>",
            "xmlns:x ".repeat(50),
            "<a xmlns:p='1'>".repeat(50),
            "<a xmlns:p='1'>".repeat(50)
        );
        assert_eq!(crowded_namespaces(&quoted), None);
    }

    #[test]
    fn namespace_copies_are_limited_before_parsing() {
        // 31 prefixes in scope, then many children each redeclaring one: the parser would copy
        // 31 entries per child.
        let head: String = (0..31)
            .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
            .collect();
        let children = "<c xmlns:q=\"urn:q\"/>".repeat(MAX_NAMESPACE_COPIES / 31 + 10);
        let text = format!("<r{head}>{children}</r>");
        assert!(matches!(
            crowded_namespaces(&text),
            Some(Crowded::Copies { .. })
        ));
        // Redeclaring the default namespace on every element of a large document is fine.
        let redeclared = format!(
            "<r xmlns=\"urn:a\">{}</r>",
            "<c xmlns=\"urn:a\"><d xmlns=\"urn:a\"/></c>".repeat(100_000)
        );
        assert_eq!(crowded_namespaces(&redeclared), None);
    }

    #[test]
    fn other_roots_are_told_from_autodiscover_ones() {
        for (text, expected) in [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", Some("svg")),
            (
                "<?xml version=\"1.0\"?>\n<!-- maven -->\n<project><modelVersion/></project>",
                Some("project"),
            ),
            (
                "\u{feff}<?xml version='1.0'?><Project Sdk=\"x\"/>",
                Some("Project"),
            ),
            ("<!DOCTYPE html [<!ENTITY a \"<b>\">]><html/>", Some("html")),
            ("<svg:svg xmlns:svg=\"s\"/>", Some("svg:svg")),
            ("<Autodiscover xmlns=\"x\"/>", None),
            ("<AutoDiscover>", None),
            ("<Autodiscovr>", None),
            ("<a:Autodiscover xmlns:a=\"x\">", None),
            ("<Protocol><Type>IMAP</Type></Protocol>", None),
            ("<response/>", None),
            ("  not xml", None),
            ("", None),
            ("<?xml unterminated", None),
        ] {
            assert_eq!(other_root(text), expected, "{text:?}");
        }
    }

    #[test]
    fn value_text_is_the_text_of_elements_without_element_children() {
        for (text, expected) in [
            ("<a/>", Some("")),
            ("<a>x</a>", Some("x")),
            ("<a> x </a>", Some(" x ")),
            ("<a><!--c--></a>", Some("")),
            ("<a>x<!--c-->y</a>", Some("xy")),
            ("<a><b/></a>", None),
            ("<a>x<b/></a>", None),
            ("<a><!--c--><b/></a>", None),
        ] {
            let doc = parse(text).unwrap();
            let value = value_text(doc.root_element());
            assert_eq!(value.as_deref(), expected, "{text}");
            if let Some(value) = value {
                assert_eq!(value, element_text(doc.root_element()), "{text}");
            }
        }
    }

    #[test]
    fn mismatched_tag_is_located() {
        let text = "<Autodiscover>\n  <Request>\n    <EMailAddress>a@b.c</Request>\n";
        let (finding, position) = parse_error(text);
        assert_eq!(finding.rule, "malformed-xml");
        assert_eq!(position, (3, 24));
        assert_eq!(&text[finding.span.clone()], "</Request>");
        assert_eq!(
            finding.message,
            "</Request> does not close the open element <EMailAddress> (line 3)"
        );
        assert!(finding.help.unwrap().to_str().contains("</EMailAddress>"));
        let related = finding.related.unwrap();
        assert_eq!(&text[related.span], "<EMailAddress");
    }

    #[test]
    fn a_misspelt_tag_is_named() {
        let text =
            "<?xml version=\"1.0\"?>\n<AutoDiscover xmlns=\"x\">\n  <Response/>\n</Autodiscover>\n";
        let (finding, _) = parse_error(text);
        assert!(
            finding.message.to_str().contains(
                "<AutoDiscover> (line 2) is closed by </Autodiscover>: the start tag is misspelt"
            ),
            "{}",
            finding.message
        );
        assert_eq!(&text[finding.related.unwrap().span], "<AutoDiscover");
        let text = "<Autodiscover><Response><Account><Protocol><Type>IMAP</Typ></Protocol>";
        let (finding, _) = parse_error(text);
        assert!(
            finding
                .message
                .to_str()
                .contains("the end tag is misspelt, the element is <Type>"),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.help.as_ref().map(|help| help.to_str()).as_deref(),
            Some("write </Type> (names are case-sensitive)")
        );
        // Unrelated names: no guess about spelling.
        let (finding, _) =
            parse_error("<Autodiscover><Request><EMailAddress>a</Reqest></Request></Autodiscover>");
        assert!(
            finding
                .message
                .to_str()
                .starts_with("</Reqest> does not close the open element <EMailAddress>"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn doctype_is_placed_on_its_own_line() {
        let (finding, position) =
            parse_error("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>");
        assert_eq!(finding.rule, "doctype-not-allowed");
        assert_eq!(position, (2, 1));
    }

    #[test]
    fn crowded_tags_are_found_in_one_pass() {
        let many: String = (0..150).map(|i| format!(" a{i}=\"=\"")).collect();
        let text = format!("<!-- a=b c=d --><r x='1'><e{many}/></r>");
        assert_eq!(
            crowded_tag(&text, MAX_ATTRIBUTES),
            Some((150, text.find("<e").unwrap()))
        );
        assert_eq!(
            crowded_tag("<r a='1' b=\"2\"><![CDATA[ = = = ]]></r>", 1),
            Some((2, 0))
        );
        assert_eq!(crowded_tag("<r a='1'/>", 1), None);
        assert_eq!(parse(&text).unwrap_err().rule, "input-too-complex");
    }

    #[test]
    fn many_equals_signs_outside_one_tag_are_not_crowded() {
        // Many `=` in total but never more than two between `<`: the quick exit.
        let text: String = (0..500).map(|i| format!("<a x='{i}'>k=v</a>")).collect();
        assert_eq!(crowded_tag(&format!("<r>{text}</r>"), 2), None);
        // A run of `=` in text (no `<` between) goes to the full scan, which finds no tag.
        let equals = "=".repeat(300);
        assert_eq!(crowded_tag(&format!("<r a='1'>{equals}</r>"), 2), None);
        // The tag at the end of a long document is still found.
        let crowded: String = (0..5).map(|i| format!(" b{i}='1'")).collect();
        let doc = format!("<r>{text}<c{crowded}/></r>");
        assert_eq!(crowded_tag(&doc, 4), Some((5, doc.find("<c").unwrap())));
    }

    #[test]
    fn concatenated_documents_are_named() {
        let (finding, position) = parse_error("<a/>\n<b/>");
        assert_eq!(position, (2, 1));
        assert!(
            finding.message.to_str().contains("two pasted together"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn truncated_document_points_at_the_end() {
        let text = "<a>\n<b>";
        let (finding, position) = parse_error(text);
        assert_eq!(finding.rule, "malformed-xml");
        assert_eq!(position, (2, 4));
    }

    #[test]
    fn spans_of_tags_and_values() {
        let text = "<a>\n  <Port>  587 </Port><Empty/><Split>x<!--c-->y</Split></a>";
        let doc = roxmltree::Document::parse(text).unwrap();
        let port = doc.descendants().find(|n| n.has_tag_name("Port")).unwrap();
        assert_eq!(&text[tag_span(port)], "<Port");
        assert_eq!(&text[value_span(port)], "587");
        assert_eq!(element_text(port), "  587 ");
        let empty = doc.descendants().find(|n| n.has_tag_name("Empty")).unwrap();
        assert_eq!(&text[value_span(empty)], "<Empty");
        let split = doc.descendants().find(|n| n.has_tag_name("Split")).unwrap();
        assert_eq!(element_text(split), "xy");
    }
}
