//! Schema-driven walk over every element: names, parents, namespaces, multiplicity, text vs
//! children, attributes. Values are handed to `values`.

use std::collections::HashSet;

use crate::finding::{Applicability, Edit, Finding};
use crate::model::{DocKind, Model};
use crate::schema::{
    self, ElementDef, ElementId, NS_MOBILE_REQUEST, NS_MOBILE_RESPONSE, NS_OUTLOOK, NS_REQUEST,
    NS_RESPONSE, Vocabulary,
};
use crate::xml::{self, XmlNode, child_element, element_text, local_name, tag_span};
use roxmltree::Descendants;

use super::{Context, values};

pub fn check(ctx: &mut Context<'_, '_>) {
    let (Some(root), Some(vocabulary)) = (ctx.model.root, ctx.model.vocabulary) else {
        return;
    };
    let namespaces = Namespaces::new(ctx.model);
    if let Some(namespaces) = &namespaces {
        namespaces.visit(ctx, root, None);
    }
    let mut walk = Walk {
        vocabulary,
        names_index: vocabulary.index(),
        namespaces: namespaces.as_ref(),
        // Room for a usual document's depth and names, made once rather than grown.
        open: Vec::with_capacity(16),
        names: Vec::with_capacity(64),
    };
    // One forward pass over the nodes in document order, which is how roxmltree stores them:
    // on a large tree this is several times faster than hopping from sibling to sibling, and
    // it needs no recursion (documents may nest a million deep). The containers around the
    // current node are kept in `open`; subtrees not worth entering are skipped in one step.
    let mut nodes = root.descendants();
    nodes.next();
    walk.element(ctx, root, local_name(root), &mut nodes);
    while let Some(node) = nodes.next() {
        let Some(parent) = node.parent() else {
            continue;
        };
        while walk.open.last().is_some_and(|c| c.node != parent) {
            walk.close(ctx);
        }
        let Some(container) = walk.open.last() else {
            break; // cannot happen: every node kept comes from an open container
        };
        if node.is_text() {
            check_text_in_container(ctx, container.def, node);
        } else if node.is_element() {
            walk.element(ctx, node, local_name(node), &mut nodes);
        }
    }
    while !walk.open.is_empty() {
        walk.close(ctx);
    }
}

/// A container whose children are being walked.
struct Open<'a> {
    node: XmlNode<'a>,
    def: &'static ElementDef,
    /// None for a definition that stands for other names (EcpUrl-* fragments).
    id: Option<ElementId>,
    name: &'a str,
    namespace: Option<&'a str>,
    /// The known elements among the children so far.
    seen: u128,
    /// Where this container's other child names (those without an id) start in `Walk::names`.
    names_from: usize,
    /// The child names as a set, once there are too many for a list (boxed: rare, and a
    /// document nested a million deep keeps a million of these open: 8 bytes, not 48).
    #[allow(clippy::box_collection)]
    many: Option<Box<HashSet<&'a str, schema::FastHash>>>,
}

struct Walk<'w, 'a> {
    vocabulary: Vocabulary,
    /// The vocabulary's names, fetched once (every element is looked up).
    names_index: &'static schema::NameIndex,
    namespaces: Option<&'w Namespaces<'a>>,
    open: Vec<Open<'a>>,
    /// Distinct child names without an id of the open containers, each container's after its
    /// parent's.
    names: Vec<&'a str>,
}

impl<'a> Walk<'_, 'a> {
    /// Past this many distinct child names a container's names go into a hash set.
    const FEW_NAMES: usize = 24;

    /// Checks one element's name, place, attributes and (for a value) its text, then opens
    /// it when it is a container, or skips its subtree: a value's children are reported once
    /// (children-in-value), an unknown element's would only repeat the finding.
    fn element(
        &mut self,
        ctx: &mut Context<'_, '_>,
        node: XmlNode<'a>,
        name: &'a str,
        nodes: &mut Descendants<'a, 'a>,
    ) {
        let parent = self
            .open
            .last()
            .map(|c| (c.node, c.namespace, c.name, c.def, c.id));
        let namespace = node.tag_name().namespace();
        if let (Some(namespaces), Some((parent, parent_namespace, ..))) = (self.namespaces, parent)
            && !namespaces.settled_by_parent(parent, parent_namespace, namespace)
        {
            namespaces.visit(ctx, node, Some((parent, parent_namespace)));
        }
        let (def, id) = match self.names_index.get(name) {
            Some((id, def)) => (Some(def), Some(id)),
            None => (check_name(ctx, self.vocabulary, node, name), None),
        };
        if let Some((_, _, _, parent_def, _)) = parent {
            // Unknown names count as repeatable: unknown-element already reports them.
            let new = match (id, def) {
                (Some(id), _) => self.insert_id(id),
                (None, Some(_)) => self.insert_name(name),
                (None, None) => true,
            };
            if !new && def.is_some_and(|d| !d.repeatable) {
                ctx.push(Finding::new(
                    "duplicate-element",
                    tag_span(node),
                    format!(
                        "<{name}> appears more than once in <{}>; clients read only one of them",
                        parent_def.name
                    ),
                ));
            }
        }
        let Some(def) = def else {
            skip_subtree(nodes, node);
            return;
        };
        if def.undocumented {
            ctx.push(Finding::new(
                "undocumented-element",
                tag_span(node),
                format!(
                    "<{}> is not in the POX reference; Exchange emits it, and other clients ignore it",
                    def.name
                ),
            ));
        }
        if let Some((_, _, parent_name, _, parent_id)) = parent {
            let placed = match (id, parent_id) {
                (Some(id), Some(parent_id)) => self.names_index.may_contain(parent_id, id),
                _ => def
                    .parents
                    .iter()
                    .any(|p| schema::same_name(p, parent_name)),
            };
            if !placed {
                report_misplaced(ctx, def, node, parent_name);
            }
        }
        if node.attributes().len() > 0 {
            check_attributes(ctx, def, node);
            values::check_attribute_values(ctx, def, node);
        }
        if def.is_container() && !def.opaque {
            self.open.push(Open {
                node,
                def,
                id,
                name,
                namespace,
                seen: 0,
                names_from: self.names.len(),
                many: None,
            });
            return;
        }
        if def.opaque {
            skip_subtree(nodes, node);
            return;
        }
        // The usual value, one text child, read in one look; anything else the long way.
        if let Some(text) = xml::only_text(node) {
            values::check_value(ctx, def, node, text);
            nodes.next(); // past the text
            return;
        }
        if let Some(first) = node.first_element_child() {
            self.children_in_value(ctx, def, first);
        } else {
            values::check_value(ctx, def, node, &element_text(node));
        }
        skip_subtree(nodes, node);
    }

    /// Records a known child of the innermost open container; whether it is new there.
    fn insert_id(&mut self, id: ElementId) -> bool {
        let Some(container) = self.open.last_mut() else {
            return true;
        };
        let new = container.seen & id.bit() == 0;
        container.seen |= id.bit();
        new
    }

    /// Records a child name without an id of the innermost open container; whether it is
    /// new there.
    fn insert_name(&mut self, name: &'a str) -> bool {
        let Some(container) = self.open.last_mut() else {
            return true;
        };
        if let Some(set) = &mut container.many {
            return set.insert(name);
        }
        let names = &self.names[container.names_from..];
        if names.iter().any(|n| schema::same_name(n, name)) {
            return false;
        }
        if names.len() < Self::FEW_NAMES {
            self.names.push(name);
        } else {
            let mut set: HashSet<&str, schema::FastHash> =
                self.names.drain(container.names_from..).collect();
            set.insert(name);
            container.many = Some(Box::new(set));
        }
        true
    }

    /// The innermost open container is complete: report the children it lacks.
    fn close(&mut self, ctx: &mut Context<'_, '_>) {
        let Some(container) = self.open.pop() else {
            return;
        };
        let names = &self.names[container.names_from..];
        for required in container.def.required {
            let present = match (self.names_index.get(required), &container.many) {
                (Some((id, _)), _) => container.seen & id.bit() != 0,
                (None, Some(set)) => set.contains(required),
                (None, None) => names.contains(required),
            };
            if !present {
                ctx.push(Finding::new(
                    "missing-element",
                    tag_span(container.node),
                    format!(
                        "<{}> has no <{required}>, which it must contain",
                        container.def.name
                    ),
                ));
            }
        }
        self.names.truncate(container.names_from);
    }

    fn children_in_value(&self, ctx: &mut Context<'_, '_>, def: &ElementDef, first: XmlNode<'_>) {
        let mut finding = Finding::new(
            "children-in-value",
            tag_span(first),
            format!(
                "<{}> holds a value, not elements; <{}> inside it is ignored",
                def.name,
                local_name(first)
            ),
        );
        if self.vocabulary != Vocabulary::Mobile
            && Vocabulary::Mobile.lookup(local_name(first)).is_some()
        {
            finding = finding.with_help(
                "this is the ActiveSync (mobilesync) response layout; an Outlook response \
                 describes servers with <Protocol> elements",
            );
        }
        ctx.push(finding);
    }
}

/// Moves `nodes` past everything below `node` (the nodes of a subtree are contiguous).
fn skip_subtree<'a>(nodes: &mut Descendants<'a, 'a>, node: XmlNode<'a>) {
    let below = node.descendants().len() - 1;
    if below > 0 {
        nodes.nth(below - 1);
    }
}

fn check_text_in_container(ctx: &mut Context<'_, '_>, def: &ElementDef, child: XmlNode<'_>) {
    let raw = child.text().unwrap_or_default();
    // XML whitespace is ASCII; most text here is indentation.
    if raw.bytes().all(|b| b.is_ascii_whitespace()) {
        return;
    }
    let range = child.range();
    let source = &ctx.text[range.clone()];
    let start = range.start + (source.len() - source.trim_start().len());
    ctx.push(Finding::new(
        "text-in-container",
        start..start + source.trim().len().max(1),
        format!(
            "text {:?} directly inside <{}>, which only holds elements",
            truncate(raw.trim(), 40),
            def.name
        ),
    ));
}

/// Where the element's start tag declares `uri` (quoted, written literally): the offset of
/// the URI. None when it is declared elsewhere or more than once.
fn declaration_of(node: XmlNode<'_>, uri: &str) -> Option<usize> {
    let input = node.document().input_text();
    let start = node.range().start;
    let tag = xml::start_tag_text(node);
    let mut found = None;
    for quote in ['"', '\''] {
        let quoted = format!("{quote}{uri}{quote}");
        for (at, _) in tag.match_indices(&quoted) {
            if found.is_some() {
                return None;
            }
            found = Some(start + at + 1);
        }
    }
    found.filter(|&at| input[at..].starts_with("https://"))
}

/// Adds the fix that renames the element in its start and end tags.
fn rename(finding: Finding, node: XmlNode<'_>, to: &str, applicability: Applicability) -> Finding {
    match xml::tag_name_spans(node) {
        Some(spans) => finding.with_fix(
            applicability,
            format!("rename it <{to}>"),
            spans
                .into_iter()
                .map(|span| Edit::new(span, to.to_string()))
                .collect(),
        ),
        None => finding,
    }
}

/// Reports unknown, misspelt and wrong-document names; returns the definition when known.
fn check_name(
    ctx: &mut Context<'_, '_>,
    vocabulary: Vocabulary,
    node: XmlNode<'_>,
    name: &str,
) -> Option<&'static ElementDef> {
    if let Some(def) = vocabulary.lookup(name) {
        return Some(def);
    }
    let names = vocabulary.elements().iter().map(|d| d.name);
    if let Some(right) = names.clone().find(|n| n.eq_ignore_ascii_case(name)) {
        let finding = Finding::new(
            "element-name-case",
            tag_span(node),
            format!("<{name}> is not recognised: element names are case-sensitive"),
        )
        .with_help(format!("write <{right}>"));
        ctx.push(rename(finding, node, right, Applicability::Safe));
        return None;
    }
    if let Some(other) = Vocabulary::ALL
        .into_iter()
        .find(|v| *v != vocabulary && v.lookup(name).is_some())
    {
        ctx.push(Finding::new(
            "element-in-wrong-document",
            tag_span(node),
            format!(
                "<{name}> belongs to {}, not to {}; a client reading this document ignores it",
                other.label(),
                vocabulary.label()
            ),
        ));
        return None;
    }
    // A near miss of a known name is a misspelling: the intended element is missing.
    let finding = match schema::suggest(name, names) {
        // A guess: offered as an unsafe fix only.
        Some(suggestion) => rename(
            Finding::new(
                "misspelt-element",
                tag_span(node),
                format!(
                    "<{name}> is not an element of {}: a misspelling of <{suggestion}>? Clients \
                     ignore it, so that setting is missing",
                    vocabulary.label()
                ),
            )
            .with_help(format!("write <{suggestion}>")),
            node,
            suggestion,
            Applicability::Unsafe,
        ),
        None => Finding::new(
            "unknown-element",
            tag_span(node),
            format!(
                "<{name}> is not an element of {}; clients ignore it",
                vocabulary.label()
            ),
        ),
    };
    ctx.push(finding);
    None
}

/// `def` is not where clients look for it: inside `parent_name`.
fn report_misplaced(
    ctx: &mut Context<'_, '_>,
    def: &ElementDef,
    node: XmlNode<'_>,
    parent_name: &str,
) {
    if def.parents.is_empty() {
        ctx.push(Finding::new(
            "misplaced-element",
            tag_span(node),
            format!(
                "<{}> must be the document root, not inside <{parent_name}>",
                def.name
            ),
        ));
        return;
    }
    let expected = def
        .parents
        .iter()
        .map(|p| format!("<{p}>"))
        .collect::<Vec<_>>()
        .join(" or ");
    ctx.push(
        Finding::new(
            "misplaced-element",
            tag_span(node),
            format!(
                "<{}> is inside <{parent_name}>, where clients do not look for it",
                def.name
            ),
        )
        .with_help(format!("move it into {expected}")),
    );
}

fn check_attributes(ctx: &mut Context<'_, '_>, def: &ElementDef, node: XmlNode<'_>) {
    for attribute in node.attributes() {
        // Namespaced attributes (xsi:…) belong to other vocabularies.
        if attribute.namespace().is_some() || def.attributes.contains(&attribute.name()) {
            continue;
        }
        let mut finding = Finding::new(
            "undocumented-attribute",
            attribute.range_qname(),
            format!(
                "<{}> has no attribute {:?} in the reference; clients ignore it",
                def.name,
                attribute.name()
            ),
        );
        if let Some(right) = schema::suggest(attribute.name(), def.attributes.iter().copied()) {
            finding = finding.with_help(format!("did you mean {right}?"));
        }
        ctx.push(finding);
    }
}

/// At most `max` characters of `text`, an ellipsis marking a cut (borrowed when nothing is).
pub fn truncate(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// Namespaces: the expected URI of every element follows from the document kind; report where
/// an element first departs from it, not again for each descendant that inherits it.
/// Namespaces: the expected URI of every element follows from the document kind; report where
/// an element first departs from it, not again for each descendant that inherits it. Visited
/// from the structure walk, so the tree is traversed once.
pub struct Namespaces<'a> {
    root: XmlNode<'a>,
    kind: DocKind,
    mobile: bool,
    error_at_response_level: bool,
}

impl<'a> Namespaces<'a> {
    pub fn new(model: &Model<'a>) -> Option<Namespaces<'a>> {
        let root = model.root?;
        if model.fragment || model.kind == DocKind::NotAutodiscover {
            return None;
        }
        Some(Namespaces {
            root,
            kind: model.kind,
            // Read from the tree, not from the model's contents: the walk runs on the outline.
            mobile: model.vocabulary == Some(Vocabulary::Mobile),
            error_at_response_level: child_element(root, "Response")
                .and_then(|response| child_element(response, "Error"))
                .is_some(),
        })
    }

    fn expected(&self, is_root: bool) -> &'static [&'static str] {
        match self.kind {
            DocKind::OutlookRequest => &[NS_REQUEST],
            DocKind::MobilesyncRequest => &[NS_MOBILE_REQUEST],
            _ if is_root => &[NS_RESPONSE],
            DocKind::MobilesyncResponse => &[NS_MOBILE_RESPONSE],
            DocKind::ErrorResponse if self.mobile => &[NS_MOBILE_RESPONSE],
            DocKind::ErrorResponse if self.error_at_response_level => &[NS_RESPONSE, NS_OUTLOOK],
            _ => &[NS_OUTLOOK],
        }
    }

    /// Whether an element in `namespace` needs no look: below the root's children every
    /// element expects what its parent expects, so one that inherits its parent's namespace
    /// can neither be wrong where the parent is right nor be the first wrong one. Checked
    /// before `visit` for every element, so kept small.
    #[inline]
    fn settled_by_parent(
        &self,
        parent: XmlNode<'_>,
        parent_namespace: Option<&str>,
        namespace: Option<&str>,
    ) -> bool {
        same_namespace(parent_namespace, namespace) && parent != self.root
    }

    /// `parent` is the element's parent element and its namespace (None for the root).
    pub fn visit(
        &self,
        ctx: &mut Context<'_, '_>,
        node: XmlNode<'_>,
        parent: Option<(XmlNode<'_>, Option<&str>)>,
    ) {
        // https:// forms count as their http:// namespace here; https-namespace reports them.
        let matches = |ns: Option<&str>, wanted: &[&str]| {
            ns.is_some_and(|u| {
                let https_rest = u.strip_prefix("https://");
                wanted.iter().any(|w| {
                    *w == u
                        || https_rest.is_some_and(|rest| w.strip_prefix("http://") == Some(rest))
                })
            })
        };
        let root = self.root;
        let actual = node.tag_name().namespace();
        let parent_actual = parent.and_then(|(_, namespace)| namespace);
        let parent = parent.map(|(node, _)| node);
        let inherited = parent.is_some() && same_namespace(parent_actual, actual);
        if parent.is_some_and(|p| self.settled_by_parent(p, parent_actual, actual)) {
            return;
        }
        let wanted = self.expected(parent.is_none());
        let ok = matches(actual, wanted);
        let parent_ok = parent.is_some_and(|p| matches(parent_actual, self.expected(p == root)));
        let name = local_name(node);
        if let Some(uri) = actual.filter(|u| u.starts_with("https://"))
            && !inherited
            && ok
        {
            let mut finding = Finding::new(
                "https-namespace",
                tag_span(node),
                format!("<{name}> is in the namespace {uri}: with https:// that is another namespace, in which clients that match by namespace find nothing"),
            )
            .with_help(format!("write xmlns=\"{}\"", schema::http_form_of(uri).unwrap_or_default()));
            if let Some(at) = declaration_of(node, uri) {
                finding = finding.with_fix(
                    Applicability::Safe,
                    "write the namespace with http://",
                    vec![Edit::new(at..at + "https".len(), "http")],
                );
            }
            ctx.push(finding);
        }
        if !ok && (parent.is_none() || parent_ok || !inherited) {
            let want = wanted[0];
            match actual {
                None => ctx.push(
                    Finding::new(
                        "missing-namespace",
                        tag_span(node),
                        format!("<{name}> has no namespace; clients match elements by namespace and name"),
                    )
                    .with_help(format!("add xmlns=\"{want}\"")),
                ),
                Some(uri) => ctx.push(
                    Finding::new(
                        "wrong-namespace",
                        tag_span(node),
                        format!(
                            "<{name}> is in the namespace {uri}, {}",
                            namespace_hint(uri, name, want)
                        ),
                    )
                    .with_help(format!("use xmlns=\"{want}\"")),
                ),
            }
        }
    }
}

/// Namespace URIs are shared by the elements that use them, so equal pointers settle most
/// comparisons without reading the URI.
fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b) || a == b,
        (a, b) => a == b,
    }
}

fn namespace_hint(actual: &str, name: &str, want: &str) -> String {
    let actual = schema::http_form_of(actual).unwrap_or_else(|| actual.to_string());
    if name == "Response" && actual == NS_RESPONSE && want == NS_OUTLOOK {
        "which Outlook reads as an error response: a settings or redirect <Response> must be in \
         …/outlook/responseschema/2006a"
            .to_string()
    } else if actual == NS_REQUEST || actual == NS_MOBILE_REQUEST {
        "a request namespace in a response".to_string()
    } else if want == NS_REQUEST || want == NS_MOBILE_REQUEST {
        "a response namespace in a request".to_string()
    } else {
        format!("but this element belongs in {want}")
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    /// The structure walk's findings on a Protocol holding `inside`, as (rule, message) pairs.
    fn walk(inside: &str) -> Vec<(&'static str, String)> {
        let text = format!(
            "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
             <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
             <Account><AccountType>email</AccountType><Action>settings</Action>\
             <Protocol><Type>EXCH</Type>{inside}</Protocol></Account></Response></Autodiscover>"
        );
        let doc = crate::xml::parse(&text).unwrap();
        let model = Model::build(&doc);
        super::super::check_tree(&model, &text)
            .into_iter()
            .map(|f| (f.rule, f.message.to_string()))
            .collect()
    }

    fn rules(findings: &[(&'static str, String)]) -> Vec<&'static str> {
        findings.iter().map(|(rule, _)| *rule).collect()
    }

    #[test]
    fn a_name_twice_is_a_duplicate_and_unknown_names_are_not() {
        assert_eq!(
            rules(&walk("<Server>a</Server><Server>b</Server>")),
            ["duplicate-element"]
        );
        assert_eq!(
            rules(&walk("<Frob>a</Frob><Frob>b</Frob>")),
            ["unknown-element", "unknown-element"]
        );
        // Undocumented EcpUrl-* fragments share one definition but are different names.
        assert_eq!(
            rules(&walk(
                "<EcpUrl>https://x/ecp/</EcpUrl><EcpUrl-connect>a</EcpUrl-connect><EcpUrl-x1>b</EcpUrl-x1>"
            )),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules(&walk(
                "<EcpUrl>https://x/ecp/</EcpUrl><EcpUrl-connect>a</EcpUrl-connect><EcpUrl-connect>b</EcpUrl-connect>"
            )),
            ["duplicate-element"]
        );
        // Past the names a short list holds, a set takes over and still finds duplicates.
        let many: String = (0..40)
            .map(|i| format!("<EcpUrl-n{i}>a</EcpUrl-n{i}>"))
            .collect();
        let found = walk(&format!(
            "<EcpUrl>https://x/ecp/</EcpUrl>{many}<EcpUrl-n3>b</EcpUrl-n3>"
        ));
        assert_eq!(rules(&found), ["duplicate-element"]);
    }

    #[test]
    fn places_and_required_children_are_checked_by_element() {
        let found = walk("<AccountType>email</AccountType><PublicFolderInformation/>");
        assert_eq!(
            rules(&found),
            ["misplaced-element", "misplaced-element", "missing-element"]
        );
        assert!(found[0].1.contains("<AccountType> is inside <Protocol>"));
        assert!(found[2].1.contains("has no <SmtpAddress>"));
        let found = walk("<Autodiscover/>");
        assert!(
            found[0].1.contains("must be the document root"),
            "{found:?}"
        );
    }
}
