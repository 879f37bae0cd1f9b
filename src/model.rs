//! The typed view of one input, read by both `show` and the rules: Autodiscover → Request |
//! Response → User, Account → Protocol → settings, each value with its span. Names are matched
//! exactly and namespaces are not required here, so a document with a broken namespace is still
//! described; the rules say what is wrong with it.

use std::borrow::Cow;

use crate::finding::Span;
use crate::parallel::{self, Threads};
use crate::schema::{Vocabulary, is_ecp_fragment};
use crate::xml::{self, XmlDocument, XmlNode, child_element, child_elements, local_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    OutlookRequest,
    MobilesyncRequest,
    OutlookResponse,
    MobilesyncResponse,
    ErrorResponse,
    NotAutodiscover,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::OutlookRequest => "outlook-request",
            DocKind::MobilesyncRequest => "mobilesync-request",
            DocKind::OutlookResponse => "outlook-response",
            DocKind::MobilesyncResponse => "mobilesync-response",
            DocKind::ErrorResponse => "error-response",
            DocKind::NotAutodiscover => "not-autodiscover",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DocKind::OutlookRequest => "Outlook Autodiscover request",
            DocKind::MobilesyncRequest => "ActiveSync (mobilesync) Autodiscover request",
            DocKind::OutlookResponse => "Outlook Autodiscover response",
            DocKind::MobilesyncResponse => "ActiveSync (mobilesync) Autodiscover response",
            DocKind::ErrorResponse => "Autodiscover error response",
            DocKind::NotAutodiscover => "not an Autodiscover document",
        }
    }
}

/// An element with a text value. Its text is copied out of the tree once, when the model is
/// built: the rules read it dozens of times per Protocol, and going back to the tree each time
/// costs a cache miss on a large document. 40 bytes: the model holds one per setting.
#[derive(Debug, Clone)]
pub struct Leaf<'a> {
    pub node: XmlNode<'a>,
    text: LeafText<'a>,
}

/// The text of a value: borrowed from the document, or, for a value split by comments, joined.
/// The joined form is boxed twice so that the whole fits the 16 bytes of a borrowed `&str`
/// (a `Cow` takes 24).
#[derive(Debug, Clone)]
enum LeafText<'a> {
    Borrowed(&'a str),
    Joined(Box<Box<str>>),
}

impl<'a> Leaf<'a> {
    fn with_text(node: XmlNode<'a>, text: Cow<'a, str>) -> Leaf<'a> {
        let text = match text {
            Cow::Borrowed(text) => LeafText::Borrowed(text),
            Cow::Owned(text) => LeafText::Joined(Box::new(text.into_boxed_str())),
        };
        Leaf { node, text }
    }

    /// The element as a value, unless it holds elements: then it has no value to trust
    /// (`children-in-value` says so), as a setting holding elements is not a setting.
    pub fn value_of(node: XmlNode<'a>) -> Option<Leaf<'a>> {
        xml::value_text(node).map(|text| Leaf::with_text(node, text))
    }

    pub fn name(&self) -> &'a str {
        local_name(self.node)
    }

    /// The text as written, whitespace included.
    pub fn text(&self) -> &str {
        match &self.text {
            LeafText::Borrowed(text) => text,
            LeafText::Joined(text) => text,
        }
    }

    /// The value without surrounding whitespace (XML whitespace is ASCII).
    pub fn value(&self) -> &str {
        self.text().trim_ascii()
    }

    pub fn tag_span(&self) -> Span {
        xml::tag_span(self.node)
    }

    pub fn value_span(&self) -> Span {
        xml::value_span(self.node)
    }

    /// `on`/`off` in any case; None for anything else.
    pub fn on_off(&self) -> Option<bool> {
        let value = self.value();
        if value.eq_ignore_ascii_case("on") {
            Some(true)
        } else if value.eq_ignore_ascii_case("off") {
            Some(false)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub span: Span,
    pub value_span: Span,
}

pub fn attribute<'a>(node: XmlNode<'a>, name: &str) -> Option<Attr<'a>> {
    node.attributes()
        .find(|a| a.namespace().is_none() && a.name() == name)
        .map(|a| Attr {
            name: a.name(),
            value: a.value(),
            span: a.range(),
            value_span: a.range_value(),
        })
}

/// The value-bearing children of a container, in document order.
fn leaves<'a>(node: XmlNode<'a>) -> Vec<Leaf<'a>> {
    child_elements(node).filter_map(Leaf::value_of).collect()
}

fn find_leaf<'l, 'a>(leaves: &'l [Leaf<'a>], name: &str) -> Option<&'l Leaf<'a>> {
    leaves.iter().find(|l| l.name() == name)
}

#[derive(Debug)]
pub struct Request<'a> {
    pub node: XmlNode<'a>,
    pub leaves: Vec<Leaf<'a>>,
}

impl<'a> Request<'a> {
    pub fn leaf(&self, name: &str) -> Option<&Leaf<'a>> {
        find_leaf(&self.leaves, name)
    }
}

#[derive(Debug)]
pub struct ErrorInfo<'a> {
    pub node: XmlNode<'a>,
    pub time: Option<Attr<'a>>,
    pub id: Option<Attr<'a>>,
    pub leaves: Vec<Leaf<'a>>,
}

impl<'a> ErrorInfo<'a> {
    fn new(node: XmlNode<'a>) -> ErrorInfo<'a> {
        ErrorInfo {
            node,
            time: attribute(node, "Time"),
            id: attribute(node, "Id"),
            leaves: leaves(node),
        }
    }

    pub fn leaf(&self, name: &str) -> Option<&Leaf<'a>> {
        find_leaf(&self.leaves, name)
    }
}

#[derive(Debug)]
pub struct OwaUrl<'a> {
    pub leaf: Leaf<'a>,
    pub authentication_method: Option<Attr<'a>>,
}

/// Internal or External: OWA URLs and nested Protocols (Type + ASUrl).
#[derive(Debug)]
pub struct Endpoints<'a> {
    pub node: XmlNode<'a>,
    pub owa_urls: Vec<OwaUrl<'a>>,
    pub protocols: Vec<Protocol<'a>>,
}

impl<'a> Endpoints<'a> {
    fn new(node: XmlNode<'a>) -> Endpoints<'a> {
        let mut scratch = Vec::new();
        Endpoints {
            node,
            owa_urls: child_elements(node)
                .filter(|c| local_name(*c) == "OWAUrl")
                .filter_map(|c| {
                    Some(OwaUrl {
                        leaf: Leaf::value_of(c)?,
                        authentication_method: attribute(c, "AuthenticationMethod"),
                    })
                })
                .collect(),
            protocols: child_elements(node)
                .filter(|c| local_name(*c) == "Protocol")
                .map(|c| Protocol::new(c, true, &mut scratch))
                .collect(),
        }
    }
}

/// MailStore or AddressBook of a `<Protocol Type="mapiHttp">`.
#[derive(Debug)]
pub struct MapiEndpoint<'a> {
    pub node: XmlNode<'a>,
    pub leaves: Vec<Leaf<'a>>,
}

#[derive(Debug)]
pub struct Protocol<'a> {
    pub node: XmlNode<'a>,
    /// Nested inside Internal/External.
    pub nested: bool,
    /// Every value child in document order, Type included.
    pub settings: Vec<Leaf<'a>>,
    /// Position + 1 in `settings` of the first element of each frequently read name (0: none):
    /// the rules and the report look these up dozens of times per Protocol.
    slots: [u8; SLOT_NAMES.len()],
    /// Attributes and nested parts, which most Protocols lack: boxed to keep Protocols small.
    extras: Option<Box<ProtocolExtras<'a>>>,
}

/// The settings the rules and the report read most, found once per Protocol when it is built.
/// Variants are spelt as the elements.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Type,
    Server,
    Port,
    SSL,
    Encryption,
    AuthRequired,
    UsePOPAuth,
    SMTPLast,
    LoginName,
    DomainRequired,
    DomainName,
    SPA,
    TTL,
    ServerDN,
    ServerVersion,
    DirectoryPort,
    ReferralPort,
    AuthPackage,
    GroupingInformation,
    CertPrincipalName,
    EcpUrl,
    ASUrl,
}

impl Slot {
    pub fn name(self) -> &'static str {
        SLOT_NAMES[self as usize]
    }

    /// The name, where it is kept (a template's word).
    pub fn word(self) -> crate::text::Word {
        &SLOT_NAMES[self as usize]
    }
}

static SLOT_NAMES: [&str; 22] = [
    "Type",
    "Server",
    "Port",
    "SSL",
    "Encryption",
    "AuthRequired",
    "UsePOPAuth",
    "SMTPLast",
    "LoginName",
    "DomainRequired",
    "DomainName",
    "SPA",
    "TTL",
    "ServerDN",
    "ServerVersion",
    "DirectoryPort",
    "ReferralPort",
    "AuthPackage",
    "GroupingInformation",
    "CertPrincipalName",
    "EcpUrl",
    "ASUrl",
];

/// A `match` compiles to a dispatch on length and bytes: cheaper than scanning SLOT_NAMES,
/// and this runs for every setting lookup. The test below keeps the two in step.
fn slot_of(name: &str) -> Option<Slot> {
    match name {
        "Type" => Some(Slot::Type),
        "Server" => Some(Slot::Server),
        "Port" => Some(Slot::Port),
        "SSL" => Some(Slot::SSL),
        "Encryption" => Some(Slot::Encryption),
        "AuthRequired" => Some(Slot::AuthRequired),
        "UsePOPAuth" => Some(Slot::UsePOPAuth),
        "SMTPLast" => Some(Slot::SMTPLast),
        "LoginName" => Some(Slot::LoginName),
        "DomainRequired" => Some(Slot::DomainRequired),
        "DomainName" => Some(Slot::DomainName),
        "SPA" => Some(Slot::SPA),
        "TTL" => Some(Slot::TTL),
        "ServerDN" => Some(Slot::ServerDN),
        "ServerVersion" => Some(Slot::ServerVersion),
        "DirectoryPort" => Some(Slot::DirectoryPort),
        "ReferralPort" => Some(Slot::ReferralPort),
        "AuthPackage" => Some(Slot::AuthPackage),
        "GroupingInformation" => Some(Slot::GroupingInformation),
        "CertPrincipalName" => Some(Slot::CertPrincipalName),
        "EcpUrl" => Some(Slot::EcpUrl),
        "ASUrl" => Some(Slot::ASUrl),
        _ => None,
    }
}

/// The parts most Protocols lack, each boxed on its own: an EXPR Protocol with only an
/// EcpUrl-* fragment, or a WEB one with only External, should not carry room for all of them
/// (a response may hold a hundred thousand of each).
#[derive(Debug, Default)]
struct ProtocolExtras<'a> {
    /// Index in `settings` of the first EcpUrl-* fragment.
    first_ecp_fragment: Option<usize>,
    /// The `Type` and `Version` attributes (`<Protocol Type="mapiHttp" Version="1">`).
    attributes: Option<Box<[Option<Attr<'a>>; 2]>>,
    internal: Option<Box<Endpoints<'a>>>,
    external: Option<Box<Endpoints<'a>>>,
    mapi: Option<Box<MapiParts<'a>>>,
}

/// MailStore, AddressBook and NetworkRequirements of a `<Protocol Type="mapiHttp">`.
#[derive(Debug, Default)]
struct MapiParts<'a> {
    mail_store: Option<MapiEndpoint<'a>>,
    address_book: Option<MapiEndpoint<'a>>,
    network_requirements: Option<MapiEndpoint<'a>>,
}

impl<'a> Protocol<'a> {
    /// One pass over the children: values become settings, known containers their parts.
    /// `scratch` is reused from one Protocol to the next: the settings are gathered there and
    /// copied out at their exact size, one allocation per Protocol.
    fn new(node: XmlNode<'a>, nested: bool, scratch: &mut Vec<Leaf<'a>>) -> Protocol<'a> {
        let settings = scratch;
        settings.clear();
        let mut extras = ProtocolExtras::default();
        if node.attributes().len() > 0 {
            let found = [attribute(node, "Type"), attribute(node, "Version")];
            if found.iter().any(Option::is_some) {
                extras.attributes = Some(Box::new(found));
            }
        }
        let mut mapi = MapiParts::default();
        let mut slots = [0u8; SLOT_NAMES.len()];
        let mut first_ecp_fragment = None;
        for child in child_elements(node) {
            let name = local_name(child);
            if let Some(text) = xml::value_text(child) {
                let index = settings.len();
                if let (Some(slot), Ok(position)) = (slot_of(name), u8::try_from(index + 1))
                    && slots[slot as usize] == 0
                {
                    slots[slot as usize] = position;
                }
                if first_ecp_fragment.is_none() && is_ecp_fragment(name) {
                    first_ecp_fragment = Some(index);
                }
                settings.push(Leaf::with_text(child, text));
                continue;
            }
            let endpoint = || {
                Some(MapiEndpoint {
                    node: child,
                    leaves: leaves(child),
                })
            };
            match name {
                // Only an outer Protocol has endpoints: a nested one holds Type and ASUrl. Not
                // following them inside a nested Protocol also bounds the recursion, which a
                // document nesting Protocol/Internal a million deep would otherwise overflow.
                "Internal" if !nested && extras.internal.is_none() => {
                    extras.internal = Some(Box::new(Endpoints::new(child)));
                }
                "External" if !nested && extras.external.is_none() => {
                    extras.external = Some(Box::new(Endpoints::new(child)));
                }
                "MailStore" if mapi.mail_store.is_none() => mapi.mail_store = endpoint(),
                "AddressBook" if mapi.address_book.is_none() => mapi.address_book = endpoint(),
                "NetworkRequirements" if mapi.network_requirements.is_none() => {
                    mapi.network_requirements = endpoint();
                }
                _ => {}
            }
        }
        let mut exact = Vec::with_capacity(settings.len());
        exact.append(settings); // moves them out; the buffer keeps its room for the next one
        let settings = exact;
        extras.first_ecp_fragment = first_ecp_fragment;
        if mapi.mail_store.is_some()
            || mapi.address_book.is_some()
            || mapi.network_requirements.is_some()
        {
            extras.mapi = Some(Box::new(mapi));
        }
        let any = extras.attributes.is_some()
            || extras.first_ecp_fragment.is_some()
            || extras.internal.is_some()
            || extras.external.is_some()
            || extras.mapi.is_some();
        Protocol {
            node,
            nested,
            settings,
            slots,
            extras: any.then(|| Box::new(extras)),
        }
    }

    fn extras(&self) -> Option<&ProtocolExtras<'a>> {
        self.extras.as_deref()
    }

    /// The first EcpUrl-* fragment setting (found while the model is built, so the rules do
    /// not read every setting's name again).
    pub fn first_ecp_fragment(&self) -> Option<&Leaf<'a>> {
        self.extras()?.first_ecp_fragment.map(|i| &self.settings[i])
    }

    /// The `Type` attribute (`<Protocol Type="mapiHttp">`).
    pub fn type_attribute(&self) -> Option<&Attr<'a>> {
        self.extras()?.attributes.as_ref()?[0].as_ref()
    }

    pub fn version_attribute(&self) -> Option<&Attr<'a>> {
        self.extras()?.attributes.as_ref()?[1].as_ref()
    }

    pub fn internal(&self) -> Option<&Endpoints<'a>> {
        self.extras()?.internal.as_deref()
    }

    pub fn external(&self) -> Option<&Endpoints<'a>> {
        self.extras()?.external.as_deref()
    }

    fn mapi(&self) -> Option<&MapiParts<'a>> {
        self.extras()?.mapi.as_deref()
    }

    pub fn mail_store(&self) -> Option<&MapiEndpoint<'a>> {
        self.mapi()?.mail_store.as_ref()
    }

    pub fn address_book(&self) -> Option<&MapiEndpoint<'a>> {
        self.mapi()?.address_book.as_ref()
    }

    pub fn network_requirements(&self) -> Option<&MapiEndpoint<'a>> {
        self.mapi()?.network_requirements.as_ref()
    }

    /// The first value child named `name`.
    pub fn setting(&self, name: &str) -> Option<&Leaf<'a>> {
        match slot_of(name) {
            Some(slot) => self.get(slot),
            None => find_leaf(&self.settings, name),
        }
    }

    /// The first value child of a frequently read name, without comparing names.
    pub fn get(&self, slot: Slot) -> Option<&Leaf<'a>> {
        // A Protocol with more than 254 settings (real ones have a dozen or two) may have a
        // slot past what `slots` holds: scan. Still linear: each setting is read a bounded
        // number of times.
        if self.settings.len() >= usize::from(u8::MAX) {
            return find_leaf(&self.settings, slot.name());
        }
        let position = usize::from(self.slots[slot as usize]);
        position.checked_sub(1).map(|i| &self.settings[i])
    }

    /// The Type child's value, else the Type attribute (`mapiHttp`).
    pub fn type_name(&self) -> Option<&str> {
        match self.get(Slot::Type) {
            Some(leaf) => Some(leaf.value()),
            None => self.type_attribute().map(|a| a.value),
        }
    }

    pub fn is_type(&self, name: &str) -> bool {
        self.get(Slot::Type).is_some_and(|t| t.value() == name)
    }

    pub fn is_mapi_http(&self) -> bool {
        self.type_attribute().is_some_and(|a| a.value == "mapiHttp")
    }

    pub fn port(&self) -> Option<u16> {
        self.get(Slot::Port)?.value().parse().ok()
    }

    pub fn tag_span(&self) -> Span {
        xml::tag_span(self.node)
    }
}

#[derive(Debug)]
pub struct Account<'a> {
    /// The Account element; for a bare `<Protocol>` fragment, that Protocol.
    pub node: XmlNode<'a>,
    pub leaves: Vec<Leaf<'a>>,
    pub protocols: Vec<Protocol<'a>>,
    pub error: Option<ErrorInfo<'a>>,
    /// Index of the first POP3 Protocol, found once (every SMTP Protocol asks for it).
    first_pop3: Option<usize>,
}

impl<'a> Account<'a> {
    /// One pass over the children: an Account may hold hundreds of thousands of Protocols,
    /// and every extra pass walks them all again.
    fn new(node: XmlNode<'a>, threads: Threads) -> Account<'a> {
        // The Account's nodes are contiguous; each thread scans a stretch of them forward
        // (no jumping from sibling to sibling, which stalls on a large tree) and builds the
        // Protocols that start there. Other children are few and handled afterwards, in order.
        let nodes_below = node.descendants().len();
        let ranges = parallel::ranges(nodes_below, threads);
        let parts = parallel::map_each(&ranges, |range| {
            // Room for a usual Account, made once rather than grown from nothing.
            let (mut protocols, mut others) = (Vec::with_capacity(8), Vec::with_capacity(8));
            let mut scratch = Vec::with_capacity(32);
            let mut take = |child: XmlNode<'a>| {
                if local_name(child) == "Protocol" {
                    protocols.push(Protocol::new(child, false, &mut scratch));
                } else {
                    others.push(child);
                }
            };
            if ranges.len() == 1 && nodes_below < 4096 {
                // A small Account on one thread: from child to child, not through every node.
                child_elements(node).for_each(&mut take);
            } else {
                let mut nodes = node.descendants();
                if range.start > 0 {
                    nodes.nth(range.start - 1);
                }
                nodes
                    .take(range.len())
                    .filter(|child| child.is_element() && child.parent() == Some(node))
                    .for_each(&mut take);
            }
            (protocols, others)
        });
        let (protocols, others): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
        let (mut leaves, mut error) = (Vec::new(), None);
        for child in others.into_iter().flatten() {
            match local_name(child) {
                "Error" if error.is_none() => error = Some(ErrorInfo::new(child)),
                _ => leaves.extend(Leaf::value_of(child)),
            }
        }
        let protocols = join(protocols);
        Account {
            node,
            leaves,
            first_pop3: protocols.iter().position(|p| p.is_type("POP3")),
            protocols,
            error,
        }
    }

    fn from_protocol_fragment(node: XmlNode<'a>) -> Account<'a> {
        let protocol = Protocol::new(node, false, &mut Vec::new());
        Account {
            node,
            leaves: Vec::new(),
            first_pop3: protocol.is_type("POP3").then_some(0),
            protocols: vec![protocol],
            error: None,
        }
    }

    pub fn leaf(&self, name: &str) -> Option<&Leaf<'a>> {
        find_leaf(&self.leaves, name)
    }

    pub fn action(&self) -> Option<&str> {
        self.leaf("Action").map(Leaf::value)
    }

    /// The first POP3 Protocol of this Account: where UsePOPAuth takes its credentials from.
    pub fn pop3_protocol(&self) -> Option<&Protocol<'a>> {
        self.first_pop3.map(|i| &self.protocols[i])
    }
}

#[derive(Debug)]
pub struct Response<'a> {
    pub node: XmlNode<'a>,
    pub user: Vec<Leaf<'a>>,
    pub accounts: Vec<Account<'a>>,
    pub error: Option<ErrorInfo<'a>>,
}

#[derive(Debug)]
pub struct MobileServer<'a> {
    pub node: XmlNode<'a>,
    pub leaves: Vec<Leaf<'a>>,
}

impl<'a> MobileServer<'a> {
    pub fn leaf(&self, name: &str) -> Option<&Leaf<'a>> {
        find_leaf(&self.leaves, name)
    }
}

#[derive(Debug)]
pub struct MobileResponse<'a> {
    pub node: XmlNode<'a>,
    pub culture: Option<Leaf<'a>>,
    pub user: Vec<Leaf<'a>>,
    pub redirect: Option<Leaf<'a>>,
    pub servers: Vec<MobileServer<'a>>,
    pub error: Option<ErrorInfo<'a>>,
}

/// One input, classified and described.
#[derive(Debug)]
pub struct Model<'a> {
    pub kind: DocKind,
    /// For `not-autodiscover`: what the input looks like instead.
    pub looks_like: Option<String>,
    pub vocabulary: Option<Vocabulary>,
    pub root: Option<XmlNode<'a>>,
    /// The root is a piece of a document (Request, Response, Account or Protocol).
    pub fragment: bool,
    pub request: Option<Request<'a>>,
    pub response: Option<Response<'a>>,
    pub mobile: Option<MobileResponse<'a>>,
}

impl<'a> Model<'a> {
    fn empty(kind: DocKind, looks_like: Option<String>) -> Model<'a> {
        Model {
            kind,
            vocabulary: vocabulary_of(kind),
            looks_like,
            root: None,
            fragment: false,
            request: None,
            response: None,
            mobile: None,
        }
    }

    pub fn accounts(&self) -> &[Account<'a>] {
        self.response.as_ref().map_or(&[], |r| &r.accounts)
    }

    /// The model of a well-formed document.
    pub fn build(doc: &'a XmlDocument<'a>) -> Model<'a> {
        Model::build_with(doc, Threads::ONE)
    }

    /// The model of a well-formed document, the Protocols of a large Account built on up to
    /// `threads` threads.
    pub fn build_with(doc: &'a XmlDocument<'a>, threads: Threads) -> Model<'a> {
        Model::build_parts(doc, threads, true)
    }

    /// Kind, root, vocabulary and fragment, without reading the Accounts and Protocols: all
    /// the structure walk needs, so it can run while the rest is built.
    pub fn outline(doc: &'a XmlDocument<'a>) -> Model<'a> {
        Model::build_parts(doc, Threads::ONE, false)
    }

    fn build_parts(doc: &'a XmlDocument<'a>, threads: Threads, contents: bool) -> Model<'a> {
        let root = doc.root_element();
        let name = local_name(root);
        let (kind, fragment, looks_like) = classify_root(root);
        let mut model = Model::empty(kind, looks_like);
        model.fragment = fragment;
        model.root = Some(root);
        if kind == DocKind::NotAutodiscover {
            return model;
        }
        let (request_node, response_node) = if fragment {
            match name {
                "Request" => (Some(root), None),
                "Response" => (None, Some(root)),
                _ => (None, None),
            }
        } else {
            (
                child_element(root, "Request"),
                child_element(root, "Response"),
            )
        };
        if !contents {
            if kind == DocKind::ErrorResponse && is_mobile(response_node) {
                model.vocabulary = Some(Vocabulary::Mobile);
            }
            return model;
        }
        match kind {
            DocKind::OutlookRequest | DocKind::MobilesyncRequest => {
                model.request = request_node.map(|node| Request {
                    node,
                    leaves: leaves(node),
                });
            }
            DocKind::MobilesyncResponse => model.mobile = response_node.map(build_mobile),
            DocKind::ErrorResponse if is_mobile(response_node) => {
                model.vocabulary = Some(Vocabulary::Mobile);
                model.mobile = response_node.map(build_mobile);
            }
            _ => {
                if let Some(node) = response_node {
                    model.response = Some(build_response(node, threads));
                } else if fragment {
                    let account = match name {
                        "Account" => Account::new(root, threads),
                        _ => Account::from_protocol_fragment(root),
                    };
                    model.response = Some(Response {
                        node: root,
                        user: Vec::new(),
                        accounts: vec![account],
                        error: None,
                    });
                }
            }
        }
        model
    }

    /// The model of an input that could not be parsed: only its kind, guessed from the text.
    pub fn sniff(text: &str, binary: bool) -> Model<'a> {
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if binary {
            return Model::empty(DocKind::NotAutodiscover, Some("binary data".into()));
        }
        if trimmed.is_empty() {
            return Model::empty(
                DocKind::NotAutodiscover,
                Some(if text.is_empty() {
                    "empty input".into()
                } else {
                    "only whitespace".into()
                }),
            );
        }
        let head = &trimmed[..floor_char_boundary(trimmed, 4096)];
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let v2 = head.contains("\"Protocol\"") && head.contains("\"Url\"");
            return Model::empty(
                DocKind::NotAutodiscover,
                Some(if v2 {
                    "an Autodiscover v2 JSON answer; this tool reads the POX (XML) service".into()
                } else {
                    "JSON, not XML".into()
                }),
            );
        }
        if xml::find_ascii_case_insensitive(head, "<html").is_some()
            || xml::find_ascii_case_insensitive(head, "<!doctype html").is_some()
        {
            return Model::empty(
                DocKind::NotAutodiscover,
                Some(
                    "an HTML page (a login, error or default page served instead of the XML)"
                        .into(),
                ),
            );
        }
        if !trimmed.starts_with('<') {
            let start: String = trimmed.chars().take(20).collect();
            return Model::empty(
                DocKind::NotAutodiscover,
                Some(format!("not XML: it starts with {start:?}")),
            );
        }
        let has = |needle| xml::find_ascii_case_insensitive(text, needle).is_some();
        let kind = if !has("<Autodiscover") && !has("<Request") && !has("<Response") {
            if has("<Protocol") || has("<Account") {
                DocKind::OutlookResponse
            } else {
                return Model::empty(
                    DocKind::NotAutodiscover,
                    Some("XML without an Autodiscover element".into()),
                );
            }
        } else if has("mobilesync/requestschema") {
            DocKind::MobilesyncRequest
        } else if has("requestschema") || (has("<Request") && !has("<Response")) {
            DocKind::OutlookRequest
        } else if has("<Error") && !has("<Protocol") {
            DocKind::ErrorResponse
        } else if has("mobilesync/responseschema") {
            DocKind::MobilesyncResponse
        } else {
            DocKind::OutlookResponse
        };
        Model::empty(kind, None)
    }
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

fn vocabulary_of(kind: DocKind) -> Option<Vocabulary> {
    match kind {
        DocKind::OutlookRequest => Some(Vocabulary::OutlookRequest),
        DocKind::MobilesyncRequest | DocKind::MobilesyncResponse => Some(Vocabulary::Mobile),
        DocKind::OutlookResponse | DocKind::ErrorResponse => Some(Vocabulary::OutlookResponse),
        DocKind::NotAutodiscover => None,
    }
}

fn mentions_mobilesync(uri: Option<&str>) -> bool {
    uri.is_some_and(|u| u.contains("/mobilesync/"))
}

fn is_mobile(response: Option<XmlNode<'_>>) -> bool {
    response.is_some_and(|r| mentions_mobilesync(r.tag_name().namespace()))
}

/// Kind, whether the root is a fragment, and (for non-Autodiscover) what it is instead.
fn classify_root(root: XmlNode<'_>) -> (DocKind, bool, Option<String>) {
    let name = local_name(root);
    let namespace = root.tag_name().namespace();
    let is_request_ns = |ns: Option<&str>| ns.is_some_and(|u| u.contains("/requestschema/"));
    let request_kind = |node: XmlNode<'_>| {
        let ars_mobile = child_element(node, "AcceptableResponseSchema")
            .is_some_and(|a| xml::element_text(a).contains("/mobilesync/"));
        // The namespace decides; without one, LegacyDN (Outlook only) and then the schema asked for.
        let decided_by_namespace = namespace.is_some_and(|u| u.contains("/outlook/"));
        if mentions_mobilesync(namespace)
            || (!decided_by_namespace && child_element(node, "LegacyDN").is_none() && ars_mobile)
        {
            DocKind::MobilesyncRequest
        } else {
            DocKind::OutlookRequest
        }
    };
    let response_kind = |response: XmlNode<'_>| {
        let mobile = is_mobile(Some(response));
        let has_error = child_element(response, "Error").is_some()
            || child_element(response, "Action")
                .is_some_and(|a| child_element(a, "Error").is_some());
        let accounts: Vec<_> = child_elements(response)
            .filter(|c| local_name(*c) == "Account")
            .collect();
        let error_accounts = !accounts.is_empty()
            && accounts
                .iter()
                // Action first: it comes early, while a settings Account has no Error to find.
                .all(|a| {
                    child_element(*a, "Action").is_none() && child_element(*a, "Error").is_some()
                });
        let settings = child_element(response, "Action")
            .is_some_and(|a| child_element(a, "Settings").is_some());
        if (has_error && accounts.is_empty() && !settings) || error_accounts {
            DocKind::ErrorResponse
        } else if mobile {
            DocKind::MobilesyncResponse
        } else {
            DocKind::OutlookResponse
        }
    };
    if name.eq_ignore_ascii_case("Autodiscover") {
        let kind = if let Some(request) = child_element(root, "Request") {
            request_kind(request)
        } else if let Some(response) = child_element(root, "Response") {
            response_kind(response)
        } else if is_request_ns(namespace) {
            if mentions_mobilesync(namespace) {
                DocKind::MobilesyncRequest
            } else {
                DocKind::OutlookRequest
            }
        } else {
            DocKind::OutlookResponse
        };
        return (kind, false, None);
    }
    match name {
        "Request" => return (request_kind(root), true, None),
        "Response" => return (response_kind(root), true, None),
        "Account" | "Protocol" => return (DocKind::OutlookResponse, true, None),
        _ => {}
    }
    let looks_like = if name.eq_ignore_ascii_case("html") {
        "an HTML page (a login, error or default page served instead of the XML)".to_string()
    } else if name == "Envelope" && namespace.is_some_and(|ns| ns.contains("soap")) {
        "a SOAP envelope: the SOAP Autodiscover service, not the POX one".to_string()
    } else if name == "clientConfig" {
        "a Thunderbird autoconfig (config-v1.1.xml) document, not Autodiscover".to_string()
    } else {
        match namespace {
            Some(ns) => format!("an XML document whose root is <{name}> in namespace {ns}"),
            None => format!("an XML document whose root is <{name}>"),
        }
    };
    (DocKind::NotAutodiscover, false, Some(looks_like))
}

/// Concatenates the parts `map_each` returns. The first grows in place to hold the rest (a
/// large buffer is moved by the kernel, not copied), so the peak is the whole plus the later
/// parts, not twice the whole.
fn join<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut parts = parts.into_iter();
    let mut joined = parts.next().unwrap_or_default();
    joined.reserve_exact(total - joined.len());
    for part in parts {
        joined.extend(part);
    }
    joined
}

fn build_response<'a>(node: XmlNode<'a>, threads: Threads) -> Response<'a> {
    Response {
        node,
        user: child_element(node, "User").map(leaves).unwrap_or_default(),
        accounts: child_elements(node)
            .filter(|c| local_name(*c) == "Account")
            .map(|account| Account::new(account, threads))
            .collect(),
        error: child_element(node, "Error").map(ErrorInfo::new),
    }
}

fn build_mobile<'a>(node: XmlNode<'a>) -> MobileResponse<'a> {
    let action = child_element(node, "Action");
    MobileResponse {
        node,
        culture: child_element(node, "Culture").and_then(Leaf::value_of),
        user: child_element(node, "User").map(leaves).unwrap_or_default(),
        redirect: action
            .and_then(|a| child_element(a, "Redirect"))
            .and_then(Leaf::value_of),
        servers: action
            .and_then(|a| child_element(a, "Settings"))
            .map(|settings| {
                child_elements(settings)
                    .filter(|c| local_name(*c) == "Server")
                    .map(|s| MobileServer {
                        node: s,
                        leaves: leaves(s),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        error: action
            .and_then(|a| child_element(a, "Error"))
            .or_else(|| child_element(node, "Error"))
            .map(ErrorInfo::new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::schema;

    #[test]
    fn leaves_and_protocols_stay_small() {
        // One per setting: 2.2 million of them in the 100 MB benchmark document; and 350,000
        // Protocols, a third of them with extras.
        assert_eq!(std::mem::size_of::<Leaf<'_>>(), 40);
        assert_eq!(std::mem::size_of::<Protocol<'_>>(), 80);
        assert_eq!(std::mem::size_of::<ProtocolExtras<'_>>(), 48);
    }

    #[test]
    fn a_value_holding_elements_is_not_read_as_a_value() {
        // Its text would be pieces around the elements (children-in-value reports it).
        let text = "<Protocol><Type>WEB</Type><External><OWAUrl>https://a/<X/> b</OWAUrl>\
                    <OWAUrl>https://b/</OWAUrl></External></Protocol>";
        let doc = roxmltree::Document::parse(text).unwrap();
        let model = Model::build(&doc);
        let external = model.accounts()[0].protocols[0].external().unwrap();
        let urls: Vec<&str> = external.owa_urls.iter().map(|u| u.leaf.value()).collect();
        assert_eq!(urls, ["https://b/"]);
    }

    #[test]
    fn slots_past_what_they_hold_are_found_by_scanning() {
        let mut text = String::from("<Protocol><Type>IMAP</Type>");
        for i in 0..300 {
            text.push_str(&format!("<X{i}>v</X{i}>"));
        }
        text.push_str("<Port>993</Port><Port>1</Port></Protocol>");
        let doc = roxmltree::Document::parse(&text).unwrap();
        let model = Model::build(&doc);
        let protocol = &model.accounts()[0].protocols[0];
        assert_eq!(protocol.settings.len(), 303);
        assert_eq!(protocol.port(), Some(993));
        assert_eq!(protocol.type_name(), Some("IMAP"));
        assert!(protocol.get(Slot::Server).is_none());
    }

    #[test]
    fn slots_match_their_names() {
        for (i, name) in SLOT_NAMES.iter().enumerate() {
            assert_eq!(slot_of(name).map(|s| s as usize), Some(i), "{name}");
            assert_eq!(slot_of(name).map(Slot::name), Some(*name));
        }
        assert_eq!(slot_of("Unknown"), None);
    }

    #[test]
    fn server_versions_decode() {
        assert_eq!(decode_server_version("738180DA"), Some((14, 1, 218)));
        assert_eq!(decode_server_version("72008287"), Some((8, 0, 647)));
        assert_eq!(decode_server_version("73C08204"), Some((15, 0, 516)));
        assert_eq!(decode_server_version("XYZ"), None);
        assert_eq!(exchange_product(15, 20), "Exchange Online");
    }

    fn kind_of(text: &str) -> DocKind {
        match roxmltree::Document::parse(text) {
            Ok(doc) => Model::build(&doc).kind,
            Err(_) => Model::sniff(text, false).kind,
        }
    }

    const RESP: &str = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    const OUT: &str =
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    #[test]
    fn classifies_every_kind() {
        let request = format!(
            "<Autodiscover xmlns=\"{}\"><Request><EMailAddress>a@b.c</EMailAddress>\
             <AcceptableResponseSchema>{OUT}</AcceptableResponseSchema></Request></Autodiscover>",
            schema::NS_REQUEST
        );
        assert_eq!(kind_of(&request), DocKind::OutlookRequest);
        let mobile_request = request.replace("outlook/requestschema", "mobilesync/requestschema");
        assert_eq!(kind_of(&mobile_request), DocKind::MobilesyncRequest);
        let settings = format!(
            "<Autodiscover xmlns=\"{RESP}\"><Response xmlns=\"{OUT}\"><Account><Action>settings\
             </Action><Protocol><Type>IMAP</Type></Protocol></Account></Response></Autodiscover>"
        );
        assert_eq!(kind_of(&settings), DocKind::OutlookResponse);
        let error = format!(
            "<Autodiscover xmlns=\"{RESP}\"><Response><Error><ErrorCode>600</ErrorCode></Error>\
             </Response></Autodiscover>"
        );
        assert_eq!(kind_of(&error), DocKind::ErrorResponse);
        let mobile = format!(
            "<Autodiscover xmlns=\"{RESP}\"><Response xmlns=\"{}\"><Action><Settings><Server>\
             <Type>MobileSync</Type></Server></Settings></Action></Response></Autodiscover>",
            schema::NS_MOBILE_RESPONSE
        );
        assert_eq!(kind_of(&mobile), DocKind::MobilesyncResponse);
        assert_eq!(kind_of("<foo/>"), DocKind::NotAutodiscover);
        assert_eq!(kind_of(""), DocKind::NotAutodiscover);
        assert_eq!(
            kind_of("{\"Protocol\":\"x\",\"Url\":\"y\"}"),
            DocKind::NotAutodiscover
        );
        assert_eq!(
            kind_of("<!DOCTYPE html><html><body>"),
            DocKind::NotAutodiscover
        );
        assert_eq!(
            kind_of("<Autodiscover><Request><EMailAddress>a</Request>"),
            DocKind::OutlookRequest
        );
    }

    #[test]
    fn not_autodiscover_says_what_it_is() {
        let doc = roxmltree::Document::parse("<html><body/></html>").unwrap();
        assert!(Model::build(&doc).looks_like.unwrap().contains("HTML"));
        assert_eq!(
            Model::sniff("XXX", false).looks_like.as_deref(),
            Some("not XML: it starts with \"XXX\"")
        );
        assert_eq!(
            Model::sniff("  \n", false).looks_like.as_deref(),
            Some("only whitespace")
        );
    }

    #[test]
    fn protocols_and_settings() {
        let text = format!(
            "<Autodiscover xmlns=\"{RESP}\"><Response xmlns=\"{OUT}\"><Account>\
             <AccountType>email</AccountType><Action>settings</Action>\
             <Protocol><Type>POP3</Type><Server>pop.example.com</Server><Port>995</Port></Protocol>\
             <Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore><InternalUrl>https://x/\
             </InternalUrl></MailStore></Protocol>\
             <Protocol><Type>WEB</Type><Internal><OWAUrl AuthenticationMethod=\"Basic\">https://o/\
             </OWAUrl><Protocol><Type>EXCH</Type><ASUrl>https://a/</ASUrl></Protocol></Internal>\
             </Protocol></Account></Response></Autodiscover>"
        );
        let doc = roxmltree::Document::parse(&text).unwrap();
        let model = Model::build(&doc);
        let account = &model.accounts()[0];
        assert_eq!(account.action(), Some("settings"));
        assert_eq!(account.protocols.len(), 3);
        let pop = &account.protocols[0];
        assert_eq!(pop.type_name(), Some("POP3"));
        assert_eq!(pop.port(), Some(995));
        assert_eq!(account.pop3_protocol().unwrap().port(), Some(995));
        let mapi = &account.protocols[1];
        assert!(mapi.is_mapi_http());
        assert_eq!(mapi.type_name(), Some("mapiHttp"));
        assert_eq!(mapi.mail_store().unwrap().leaves[0].value(), "https://x/");
        let web = &account.protocols[2];
        let internal = web.internal().unwrap();
        assert_eq!(
            internal.owa_urls[0]
                .authentication_method
                .as_ref()
                .unwrap()
                .value,
            "Basic"
        );
        assert!(internal.protocols[0].nested);
        assert_eq!(internal.protocols[0].type_name(), Some("EXCH"));
    }

    #[test]
    fn protocol_fragment_becomes_an_account() {
        let doc =
            roxmltree::Document::parse("<Protocol><Type>SMTP</Type><SSL>yes</SSL></Protocol>")
                .unwrap();
        let model = Model::build(&doc);
        assert!(model.fragment);
        assert_eq!(model.kind, DocKind::OutlookResponse);
        assert_eq!(
            model.accounts()[0].protocols[0]
                .get(Slot::SSL)
                .unwrap()
                .value(),
            "yes"
        );
    }
}

/// How a Protocol's connection is protected, as a client will read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (SSL on, Encryption SSL).
    Implicit,
    /// Plain connection upgraded with STARTTLS (Encryption TLS).
    StartTls,
    /// The client negotiates (Encryption Auto).
    Auto,
    /// No encryption (SSL off, Encryption None).
    Clear,
}

impl TlsMode {
    pub fn describe(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit TLS (encrypted from the first byte)",
            TlsMode::StartTls => "STARTTLS",
            TlsMode::Auto => "negotiated by the client (Auto)",
            TlsMode::Clear => "none: clear text",
        }
    }
}

/// Where the effective security comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecuritySource {
    /// The Encryption element (it overrides SSL).
    Encryption,
    /// The SSL element.
    Ssl,
    /// Neither is present: the documented default, SSL on.
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Security {
    pub mode: TlsMode,
    pub source: SecuritySource,
}

/// Whether an SMTP Protocol logs in with the POP3 account's credentials.
#[derive(Debug, Clone, Copy)]
pub enum SmtpCredentials<'p, 'a> {
    /// No UsePOPAuth: SMTP has credentials of its own.
    OwnByDefault,
    /// UsePOPAuth off.
    Own(&'p Leaf<'a>),
    /// UsePOPAuth on; the POP3 Protocol that supplies them, if the Account has one.
    FromPop3(&'p Leaf<'a>, Option<&'p Protocol<'a>>),
    /// UsePOPAuth has a value that is neither on nor off.
    Unclear(&'p Leaf<'a>),
}

impl<'a> Protocol<'a> {
    /// Effective transport security; None when the values present are invalid.
    pub fn security(&self) -> Option<Security> {
        if let Some(encryption) = self.get(Slot::Encryption) {
            let value = encryption.value();
            let is = |word: &str| value.eq_ignore_ascii_case(word);
            let mode = if is("ssl") {
                TlsMode::Implicit
            } else if is("tls") {
                TlsMode::StartTls
            } else if is("auto") {
                TlsMode::Auto
            } else if is("none") {
                TlsMode::Clear
            } else {
                return None;
            };
            return Some(Security {
                mode,
                source: SecuritySource::Encryption,
            });
        }
        match self.get(Slot::SSL) {
            Some(ssl) => ssl.on_off().map(|on| Security {
                mode: if on {
                    TlsMode::Implicit
                } else {
                    TlsMode::Clear
                },
                source: SecuritySource::Ssl,
            }),
            None => Some(Security {
                mode: TlsMode::Implicit,
                source: SecuritySource::Default,
            }),
        }
    }

    /// AuthRequired, with its documented default (on). None when the value is invalid.
    pub fn auth_required(&self) -> Option<(bool, bool)> {
        match self.get(Slot::AuthRequired) {
            Some(leaf) => leaf.on_off().map(|on| (on, false)),
            None => Some((true, true)),
        }
    }

    /// For SMTP Protocols: where their credentials come from.
    pub fn smtp_credentials<'p>(
        &'p self,
        account: &'p Account<'a>,
    ) -> Option<SmtpCredentials<'p, 'a>> {
        if !self.is_type("SMTP") {
            return None;
        }
        Some(match self.get(Slot::UsePOPAuth) {
            None => SmtpCredentials::OwnByDefault,
            Some(leaf) => match leaf.on_off() {
                Some(true) => SmtpCredentials::FromPop3(leaf, account.pop3_protocol()),
                Some(false) => SmtpCredentials::Own(leaf),
                None => SmtpCredentials::Unclear(leaf),
            },
        })
    }
}

/// Decodes ServerVersion (hex, 32 bits): major in bits 4–9, minor 10–15, build 17–31
/// (counted from the most significant bit).
pub fn decode_server_version(hex: &str) -> Option<(u32, u32, u32)> {
    if hex.is_empty() || hex.len() > 8 {
        return None;
    }
    let value = u32::from_str_radix(hex, 16).ok()?;
    Some(((value >> 22) & 0x3F, (value >> 16) & 0x3F, value & 0x7FFF))
}

/// The product name of an Exchange version.
pub fn exchange_product(major: u32, minor: u32) -> &'static str {
    match (major, minor) {
        (8, _) => "Exchange 2007",
        (14, _) => "Exchange 2010",
        (15, 0) => "Exchange 2013",
        (15, 1) => "Exchange 2016",
        (15, 2) => "Exchange 2019",
        (15, m) if m >= 20 => "Exchange Online",
        _ => "unknown Exchange version",
    }
}
