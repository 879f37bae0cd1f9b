//! The POX vocabulary as data: every element, where it may stand, what its text may be.
//! Facts come from the Exchange POX reference pages, MS-OXDSCLI and MS-ASCMD (see README).

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

pub const NS_REQUEST: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
pub const NS_RESPONSE: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
pub const NS_OUTLOOK: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
pub const NS_MOBILE_REQUEST: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006";
pub const NS_MOBILE_RESPONSE: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";

/// The `http://` form of a namespace written with `https://`, if it is one of ours.
pub fn http_form_of(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("https://")?;
    let http = format!("http://{rest}");
    is_known_namespace(&http).then_some(http)
}

pub fn is_known_namespace(uri: &str) -> bool {
    [
        NS_REQUEST,
        NS_RESPONSE,
        NS_OUTLOOK,
        NS_MOBILE_REQUEST,
        NS_MOBILE_RESPONSE,
    ]
    .contains(&uri)
}

/// FNV-1a: element names are short, so a simple hash beats SipHash here and needs no crate.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub type FastHash = BuildHasherDefault<Fnv>;

/// Element names → definitions: open addressing keyed by a name's length and two machine words
/// read from it. A lookup runs for every element of every document, so it does no byte-at-a-time
/// hashing and, for names of up to 16 bytes (all of the POX ones), no byte comparison either:
/// the words cover the whole name.
pub struct NameIndex {
    elements: &'static [ElementDef],
    slots: Box<[Option<(NameKey, ElementId)>]>,
    mask: usize,
    /// Per element (by id): its allowed parents' ids as a set of bits.
    parents: Box<[u128]>,
}

/// An element's position in its vocabulary: a bit in a `u128`, so that sets of elements (the
/// names seen in a container, the allowed parents) are single words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementId(u8);

impl ElementId {
    pub fn bit(self) -> u128 {
        1 << self.0
    }
}

impl NameIndex {
    fn new(elements: &'static [ElementDef]) -> NameIndex {
        assert!(elements.len() <= 128, "element ids are bits of a u128");
        let size = (elements.len() * 4).next_power_of_two();
        let mut index = NameIndex {
            elements,
            slots: vec![None; size].into_boxed_slice(),
            mask: size - 1,
            parents: Box::default(),
        };
        for (id, def) in elements.iter().enumerate() {
            let key = NameKey::of(def.name);
            let mut slot = key.hash() & index.mask;
            while index.slots[slot].is_some() {
                slot = (slot + 1) & index.mask;
            }
            index.slots[slot] = Some((key, ElementId(id as u8)));
        }
        index.parents = elements
            .iter()
            .map(|def| {
                def.parents
                    .iter()
                    .filter_map(|parent| index.get(parent))
                    .fold(0, |set, (id, _)| set | id.bit())
            })
            .collect();
        index
    }

    /// The element of exactly this name, with its id. Inlined: it runs for every element, and
    /// a call costs about what the lookup does.
    #[inline(always)]
    pub fn get(&self, name: &str) -> Option<(ElementId, &'static ElementDef)> {
        let key = NameKey::of(name);
        let mut slot = key.hash() & self.mask;
        loop {
            let (candidate, id) = self.slots[slot]?;
            let def = &self.elements[usize::from(id.0)];
            if candidate == key && (name.len() <= 16 || def.name == name) {
                return Some((id, def));
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Whether the element `child` belongs inside `parent`.
    #[inline]
    pub fn may_contain(&self, parent: ElementId, child: ElementId) -> bool {
        self.parents[usize::from(child.0)] & parent.bit() != 0
    }
}

/// String equality for short names without a call to `memcmp` (the checks compare element
/// names and enumerated values, almost all under 16 bytes, several times per element).
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && if a.len() <= 16 {
            NameKey::of(a) == NameKey::of(b)
        } else {
            a == b
        }
}

/// A name's length and two words that, up to 16 bytes, hold all of it (read overlapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameKey {
    len: usize,
    head: u64,
    tail: u64,
}

impl NameKey {
    #[inline]
    fn of(name: &str) -> NameKey {
        let bytes = name.as_bytes();
        let n = bytes.len();
        let u64_at = |i: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[i..i + 8]);
            u64::from_le_bytes(word)
        };
        let u32_at = |i: usize| {
            let mut word = [0u8; 4];
            word.copy_from_slice(&bytes[i..i + 4]);
            u64::from(u32::from_le_bytes(word))
        };
        let (head, tail) = match n {
            8.. => (u64_at(0), u64_at(n - 8)),
            4..8 => (u32_at(0), u32_at(n - 4)),
            1..4 => (
                u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16,
                0,
            ),
            0 => (0, 0),
        };
        NameKey { len: n, head, tail }
    }

    #[inline]
    fn hash(self) -> usize {
        let mixed = (self.head ^ self.tail.rotate_left(29) ^ (self.len as u64).rotate_right(8))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 32) as usize
    }
}

/// Which set of element names applies: documents of different kinds share names
/// (`Type`, `User`, `Action`) with different meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    OutlookRequest = 0,
    OutlookResponse = 1,
    Mobile = 2,
}

impl Vocabulary {
    pub fn label(self) -> &'static str {
        match self {
            Vocabulary::OutlookRequest => "an Outlook request",
            Vocabulary::OutlookResponse => "an Outlook response",
            Vocabulary::Mobile => "an ActiveSync (mobilesync) document",
        }
    }

    pub fn elements(self) -> &'static [ElementDef] {
        match self {
            Vocabulary::OutlookRequest => OUTLOOK_REQUEST,
            Vocabulary::OutlookResponse => OUTLOOK_RESPONSE,
            Vocabulary::Mobile => MOBILE,
        }
    }

    /// The names of this vocabulary (for a caller that looks up many).
    pub fn index(self) -> &'static NameIndex {
        static INDEX: OnceLock<[NameIndex; 3]> = OnceLock::new();
        let index = INDEX.get_or_init(|| Vocabulary::ALL.map(|v| NameIndex::new(v.elements())));
        &index[self as usize]
    }

    /// The element of this name, or the definition that stands for it (EcpUrl-* fragments).
    pub fn lookup(self, name: &str) -> Option<&'static ElementDef> {
        if let Some((_, def)) = self.index().get(name) {
            return Some(def);
        }
        // Exchange Online adds EcpUrl-* fragments beyond the documented twelve (EcpUrl-connect…).
        if self == Vocabulary::OutlookResponse && is_ecp_fragment(name) {
            return self.lookup("EcpUrl-um");
        }
        None
    }

    pub const ALL: [Vocabulary; 3] = [
        Vocabulary::OutlookRequest,
        Vocabulary::OutlookResponse,
        Vocabulary::Mobile,
    ];
}

/// A closed set of values, checked by its own rule.
#[derive(Debug)]
pub struct EnumDef {
    pub rule: &'static str,
    pub values: &'static [&'static str],
    /// Compare ignoring ASCII case (Exchange itself writes `Ntlm`, `None`).
    pub any_case: bool,
    /// Values seen in the wild or in rarer documents, reported at info level under `rare_rule`.
    pub rare: &'static [&'static str],
    pub rare_rule: &'static str,
}

/// What the text of an element must look like.
#[derive(Debug, Clone, Copy)]
pub enum ValueKind {
    /// Holds elements, no text.
    Container,
    /// Free text.
    Text,
    OnOff,
    TrueFalse,
    Port,
    Ttl,
    Url,
    /// A relative fragment appended to EcpUrl.
    UrlFragment,
    Email,
    Guid,
    Hex32,
    LegacyDn,
    /// A host name or IP address, or a URL, depending on the Protocol Type.
    HostOrUrl,
    Ipv4,
    Ipv6,
    /// The AcceptableResponseSchema URI (checked by the request rules).
    SchemaUri,
    ErrorCode,
    UnsignedInt,
    Culture,
    Enum(&'static EnumDef),
}

impl ValueKind {
    /// Whether an empty text is a defect and which rule says so.
    pub fn empty_rule(self) -> Option<&'static str> {
        match self {
            ValueKind::Container => None,
            ValueKind::Text | ValueKind::LegacyDn | ValueKind::HostOrUrl | ValueKind::Culture => {
                Some("empty-setting")
            }
            _ => Some("empty-value"),
        }
    }
}

#[derive(Debug)]
pub struct ElementDef {
    pub name: &'static str,
    /// Allowed parents; empty for the document root.
    pub parents: &'static [&'static str],
    pub value: ValueKind,
    /// May appear several times under one parent.
    pub repeatable: bool,
    /// Known from examples or other specifications, not from the POX reference (info).
    pub undocumented: bool,
    /// Documented attributes (namespace declarations aside).
    pub attributes: &'static [&'static str],
    /// Children that must be present.
    pub required: &'static [&'static str],
    /// An empty text is normal (DebugData, Message).
    pub may_be_empty: bool,
    /// Contents are not checked (vendor extensions we know too little about).
    pub opaque: bool,
}

impl ElementDef {
    pub fn is_container(&self) -> bool {
        matches!(self.value, ValueKind::Container)
    }
}

const fn el(name: &'static str, parents: &'static [&'static str], value: ValueKind) -> ElementDef {
    ElementDef {
        name,
        parents,
        value,
        repeatable: false,
        undocumented: false,
        attributes: &[],
        required: &[],
        may_be_empty: false,
        opaque: false,
    }
}

const fn repeatable(mut def: ElementDef) -> ElementDef {
    def.repeatable = true;
    def
}

const fn undocumented(mut def: ElementDef) -> ElementDef {
    def.undocumented = true;
    def
}

const fn attrs(mut def: ElementDef, attributes: &'static [&'static str]) -> ElementDef {
    def.attributes = attributes;
    def
}

const fn requires(mut def: ElementDef, required: &'static [&'static str]) -> ElementDef {
    def.required = required;
    def
}

const fn may_be_empty(mut def: ElementDef) -> ElementDef {
    def.may_be_empty = true;
    def
}

const fn opaque(mut def: ElementDef) -> ElementDef {
    def.opaque = true;
    def
}

use ValueKind::*;

pub static PROTOCOL_TYPES: EnumDef = EnumDef {
    rule: "unknown-protocol-type",
    values: &["EXCH", "EXPR", "EXHTTP", "WEB", "POP3", "SMTP", "IMAP"],
    any_case: false,
    rare: &["DAV", "NNTP"],
    rare_rule: "rare-protocol-type",
};
pub static ACCOUNT_TYPES: EnumDef = EnumDef {
    rule: "invalid-account-type",
    values: &["email"],
    any_case: false,
    rare: &[],
    rare_rule: "",
};
pub static ACTIONS: EnumDef = EnumDef {
    rule: "invalid-action",
    values: &["settings", "redirectAddr", "redirectUrl"],
    any_case: false,
    rare: &[],
    rare_rule: "",
};

/// AuthPackage values. The POX reference page lists basic, kerb, kerbntlm, ntlm, certificate,
/// negotiate and nego2; MS-OXDSCLI 2.2.4.1.1.2.6.4 lists the same but nego2, plus anonymous
/// (which Exchange Online writes as `Anonymous`: reported only by the opt-in rule).
pub static AUTH_PACKAGES: EnumDef = EnumDef {
    rule: "invalid-auth-package",
    values: &[
        "basic",
        "kerb",
        "kerbntlm",
        "ntlm",
        "certificate",
        "negotiate",
        "nego2",
    ],
    any_case: true,
    rare: &["anonymous"],
    rare_rule: "undocumented-auth-package",
};
pub static ENCRYPTIONS: EnumDef = EnumDef {
    rule: "invalid-encryption",
    values: &["None", "SSL", "TLS", "Auto"],
    any_case: true,
    rare: &[],
    rare_rule: "",
};
pub static MOBILE_SERVER_TYPES: EnumDef = EnumDef {
    rule: "unknown-protocol-type",
    values: &["MobileSync", "CertEnroll"],
    any_case: false,
    rare: &[],
    rare_rule: "",
};

/// The documented five, then the other methods Exchange itself writes (Exchange Online emits
/// `LiveIdFba, OAuth`).
pub const OWA_AUTH_METHODS: &[&str] = &[
    "WindowsIntegrated",
    "FBA",
    "NTLM",
    "Digest",
    "Basic",
    "LiveIdFba",
    "LiveIdBasic",
    "LiveIdNegotiate",
    "OAuth",
    "Adfs",
    "Kerberos",
    "Negotiate",
    "NegoEx",
    "Certificate",
    "WSSecurity",
];
pub const KNOWN_ERROR_CODES: &[(u32, &str)] = &[
    (500, "the e-mail address cannot be found"),
    (501, "the address is known but has no configuration"),
    (600, "invalid request"),
    (
        601,
        "the requested configuration type (AcceptableResponseSchema) is not available",
    ),
    (
        602,
        "the address is known but configuration errors prevent an answer",
    ),
    (603, "internal server error"),
];

/// ISO 3166-1 alpha-2 country codes, the second half of an ActiveSync Culture (`en:us`).
pub const COUNTRIES: &str = "ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl \
    bm bn bo bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk \
    dm do dz ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu \
    gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz \
    la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my \
    mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru \
    rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to \
    tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";

pub fn is_country(code: &str) -> bool {
    code.len() == 2
        && COUNTRIES
            .split_whitespace()
            .any(|c| c.eq_ignore_ascii_case(code))
}

const PROTOCOL: &[&str] = &["Protocol"];
/// The twelve fragments the POX reference documents.
#[cfg(test)]
const ECP_FRAGMENTS: [&str; 12] = [
    "EcpUrl-um",
    "EcpUrl-aggr",
    "EcpUrl-mt",
    "EcpUrl-ret",
    "EcpUrl-sms",
    "EcpUrl-publish",
    "EcpUrl-photo",
    "EcpUrl-tm",
    "EcpUrl-tmCreating",
    "EcpUrl-tmHiding",
    "EcpUrl-tmEditing",
    "EcpUrl-extinstall",
];

pub fn is_ecp_fragment(name: &str) -> bool {
    // The documented fragments (ECP_FRAGMENTS) have this form too; Exchange Online adds more.
    name.strip_prefix("EcpUrl-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_alphanumeric()))
}

// Sources, element by element (reconciled for issue 14): "POX" is the current POX reference
// (learn.microsoft.com …/web-service-reference/<name>-pox), "POX 2007" the Exchange 2007 edition
// of it (previous-versions …/exchange-server-2007), MS-OXDSCLI the protocol specification
// (section 2.2.4 and below), MS-ASCMD the ActiveSync Autodiscover command. Parents and value
// kinds are those of the pages' Parent elements and Text value sections unless a comment says
// otherwise.

// POX: Request, EMailAddress, LegacyDN, AcceptableResponseSchema; MS-OXDSCLI 2.2.4.1.
static OUTLOOK_REQUEST: &[ElementDef] = &[
    el("Autodiscover", &[], Container),
    requires(el("Request", &["Autodiscover"], Container), &[]),
    el("EMailAddress", &["Request"], Email),
    el("LegacyDN", &["Request"], LegacyDn),
    el("AcceptableResponseSchema", &["Request"], SchemaUri),
];

// POX: Response, User, Account, Protocol and their children; MS-OXDSCLI 2.2.4.1.1 (Response),
// 2.2.4.1.1.2 (Account), 2.2.4.1.1.2.6 (Protocol and its children).
static OUTLOOK_RESPONSE: &[ElementDef] = &[
    el("Autodiscover", &[], Container),
    el("Response", &["Autodiscover"], Container),
    el("User", &["Response"], Container),
    el("DisplayName", &["User"], Text),
    el("LegacyDN", &["User"], LegacyDn),
    el("DeploymentId", &["User"], Guid),
    el("AutoDiscoverSMTPAddress", &["User"], Email),
    // Several Accounts get their own rule (multiple-accounts), not duplicate-element.
    repeatable(el("Account", &["Response"], Container)),
    el("AccountType", &["Account"], Enum(&ACCOUNT_TYPES)),
    el("Action", &["Account"], Enum(&ACTIONS)),
    // POX MicrosoftOnline: True or False (any case in Exchange's output).
    el("MicrosoftOnline", &["Account"], TrueFalse),
    // Exchange 2016 and 2019 write <ConsumerMailbox>False</ConsumerMailbox> in the Account; it
    // is in neither the POX reference pages nor MS-OXDSCLI.
    undocumented(el("ConsumerMailbox", &["Account"], TrueFalse)),
    el("RedirectUrl", &["Account"], Url),
    el("RedirectAddr", &["Account"], Email),
    // POX Image and ServiceHome (Exchange Online branding).
    el("Image", &["Account"], Text),
    el("ServiceHome", &["Account"], Url),
    requires(
        el("PublicFolderInformation", &["Account"], Container),
        &["SmtpAddress"],
    ),
    el("SmtpAddress", &["PublicFolderInformation"], Email),
    // Exchange writes AlternativeMailbox (shared and archive mailboxes); no POX page, so its
    // children are not checked.
    opaque(repeatable(undocumented(el(
        "AlternativeMailbox",
        &["Account"],
        Container,
    )))),
    // POX Protocol: the Type and Version attributes (mapiHttp, Version 1); nested in Internal
    // and External with only Type and ASUrl (POX Internal, External).
    attrs(
        repeatable(el(
            "Protocol",
            &["Account", "Internal", "External"],
            Container,
        )),
        &["Type", "Version"],
    ),
    el("Type", PROTOCOL, Enum(&PROTOCOL_TYPES)),
    el("Internal", PROTOCOL, Container),
    el("External", PROTOCOL, Container),
    attrs(
        repeatable(el("OWAUrl", &["Internal", "External"], Url)),
        &["AuthenticationMethod"],
    ),
    el("TTL", PROTOCOL, Ttl),
    el("Server", PROTOCOL, HostOrUrl),
    el("ServerDN", PROTOCOL, LegacyDn),
    el("ServerVersion", PROTOCOL, Hex32),
    el("MdbDN", PROTOCOL, LegacyDn),
    el("PublicFolderServer", PROTOCOL, Text),
    // POX Port (IMAP, POP3, SMTP), DirectoryPort and ReferralPort (EXCH, EXPR; NSPI and the
    // referral service). Exchange 2007/2010 write 0 for "not set" in EXCH Protocols.
    el("Port", PROTOCOL, Port),
    el("DirectoryPort", PROTOCOL, Port),
    el("ReferralPort", PROTOCOL, Port),
    el("ASUrl", PROTOCOL, Url),
    el("EwsUrl", PROTOCOL, Url),
    el("EmwsUrl", PROTOCOL, Url),
    el("EwsPartnerUrl", PROTOCOL, Url),
    el("SharingUrl", PROTOCOL, Url),
    el("EcpUrl", PROTOCOL, Url),
    el("EcpUrl-um", PROTOCOL, UrlFragment),
    el("EcpUrl-aggr", PROTOCOL, UrlFragment),
    el("EcpUrl-mt", PROTOCOL, UrlFragment),
    el("EcpUrl-ret", PROTOCOL, UrlFragment),
    el("EcpUrl-sms", PROTOCOL, UrlFragment),
    el("EcpUrl-publish", PROTOCOL, UrlFragment),
    el("EcpUrl-photo", PROTOCOL, UrlFragment),
    el("EcpUrl-tm", PROTOCOL, UrlFragment),
    el("EcpUrl-tmCreating", PROTOCOL, UrlFragment),
    el("EcpUrl-tmHiding", PROTOCOL, UrlFragment),
    el("EcpUrl-tmEditing", PROTOCOL, UrlFragment),
    el("EcpUrl-extinstall", PROTOCOL, UrlFragment),
    el("OOFUrl", PROTOCOL, Url),
    el("OABUrl", PROTOCOL, Url),
    el("UMUrl", PROTOCOL, Url),
    el("LoginName", PROTOCOL, Text),
    el("DomainRequired", PROTOCOL, OnOff),
    el("DomainName", PROTOCOL, Text),
    el("SPA", PROTOCOL, OnOff),
    // POX AuthPackage; MS-OXDSCLI 2.2.4.1.1.2.6.4: used with EXCH, EXPR and EXHTTP.
    el("AuthPackage", PROTOCOL, Enum(&AUTH_PACKAGES)),
    el("CertPrincipalName", PROTOCOL, Text),
    el("SSL", PROTOCOL, OnOff),
    el("AuthRequired", PROTOCOL, OnOff),
    el("UsePOPAuth", PROTOCOL, OnOff),
    el("SMTPLast", PROTOCOL, OnOff),
    // POX Encryption: overrides SSL (IMAP, POP3, SMTP).
    el("Encryption", PROTOCOL, Enum(&ENCRYPTIONS)),
    // Exchange 2010 and later write ServerExclusiveConnect (on/off) in EXCH and EXPR; no POX page.
    undocumented(el("ServerExclusiveConnect", PROTOCOL, OnOff)),
    // POX 2007 AD: the FQDN of an LDAP server for directory information (dropped from the
    // current pages, still written by Exchange).
    el("AD", PROTOCOL, Text),
    el("NetworkRequirements", PROTOCOL, Container),
    el("IPv4Start", &["NetworkRequirements"], Ipv4),
    el("IPv4End", &["NetworkRequirements"], Ipv4),
    el("IPv6Start", &["NetworkRequirements"], Ipv6),
    el("IPv6End", &["NetworkRequirements"], Ipv6),
    el("AddressBook", PROTOCOL, Container),
    el("MailStore", PROTOCOL, Container),
    el("InternalUrl", &["AddressBook", "MailStore"], Url),
    el("ExternalUrl", &["AddressBook", "MailStore"], Url),
    // POX GroupingInformation (EXPR, Exchange 2013 and later).
    el("GroupingInformation", PROTOCOL, Text),
    attrs(
        requires(
            el("Error", &["Response", "Account"], Container),
            &["ErrorCode"],
        ),
        &["Time", "Id"],
    ),
    // POX Error, ErrorCode, Message, DebugData; Exchange writes <DebugData /> empty.
    el("ErrorCode", &["Error"], ErrorCode),
    may_be_empty(el("Message", &["Error"], Text)),
    may_be_empty(el("DebugData", &["Error"], Text)),
];

// MS-ASCMD 2.2.3 (Autodiscover command request and response elements: Culture, Action,
// Redirect, Settings, Server with Type, Url, Name, ServerData, Error with Status).
static MOBILE: &[ElementDef] = &[
    el("Autodiscover", &[], Container),
    el("Request", &["Autodiscover"], Container),
    el("EMailAddress", &["Request", "User"], Email),
    el("AcceptableResponseSchema", &["Request"], SchemaUri),
    el("Response", &["Autodiscover"], Container),
    el("Culture", &["Response"], Culture),
    el("User", &["Response"], Container),
    el("DisplayName", &["User"], Text),
    el("Action", &["Response"], Container),
    el("Redirect", &["Action"], Text),
    el("Settings", &["Action"], Container),
    requires(
        repeatable(el("Server", &["Settings"], Container)),
        &["Type", "Url"],
    ),
    el("Type", &["Server"], Enum(&MOBILE_SERVER_TYPES)),
    el("Url", &["Server"], Url),
    may_be_empty(el("Name", &["Server"], Text)),
    el("ServerData", &["Server"], Text),
    attrs(
        el("Error", &["Action", "Response"], Container),
        &["Time", "Id"],
    ),
    el("Status", &["Error"], UnsignedInt),
    el("ErrorCode", &["Error"], ErrorCode),
    may_be_empty(el("Message", &["Error"], Text)),
    may_be_empty(el("DebugData", &["Error"], Text)),
];

/// Every element name of every vocabulary (for did-you-mean).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    Vocabulary::ALL
        .into_iter()
        .flat_map(|v| v.elements().iter().map(|d| d.name))
}

/// Closest known name for a misspelling: same name in another case, or within two edits.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        if candidate.to_ascii_lowercase() == lower {
            return Some(candidate);
        }
        // Very short names are too close to too much to be a spelling slip of anything.
        if name.len() <= 2 {
            continue;
        }
        let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
        let limit = if name.len() <= 4 { 1 } else { 2 };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(current).min(row[j])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_found_by_its_exact_name_only() {
        for vocabulary in Vocabulary::ALL {
            for def in vocabulary.elements() {
                assert!(
                    std::ptr::eq(vocabulary.lookup(def.name).unwrap(), def),
                    "{}",
                    def.name
                );
                // One byte changed anywhere (the lookup reads words, not bytes).
                for i in 0..def.name.len() {
                    let mut bytes = def.name.as_bytes().to_vec();
                    bytes[i] ^= 0x20;
                    let changed = String::from_utf8(bytes).unwrap();
                    let found = vocabulary.lookup(&changed);
                    // EcpUrl-* names stand for the fragment definition (Exchange Online's extras).
                    assert!(
                        found.is_none_or(|d| d.name == changed || is_ecp_fragment(&changed)),
                        "{changed}"
                    );
                }
            }
        }
        let long = "AutoDiscoverSMTPAddressX".repeat(3);
        assert!(Vocabulary::OutlookResponse.lookup(&long).is_none());
        assert!(Vocabulary::OutlookResponse.lookup("").is_none());
    }

    #[test]
    fn ids_and_parent_sets_agree_with_the_definitions() {
        for vocabulary in Vocabulary::ALL {
            for child in vocabulary.elements() {
                let (child_id, found) = vocabulary.index().get(child.name).unwrap();
                assert!(std::ptr::eq(found, child));
                for parent in vocabulary.elements() {
                    let (parent_id, _) = vocabulary.index().get(parent.name).unwrap();
                    assert_eq!(
                        vocabulary.index().may_contain(parent_id, child_id),
                        child.parents.contains(&parent.name),
                        "{} in {}",
                        child.name,
                        parent.name
                    );
                }
            }
        }
        assert!(
            Vocabulary::OutlookResponse
                .index()
                .get("EcpUrl-connect")
                .is_none()
        );
        assert!(
            Vocabulary::OutlookResponse
                .lookup("EcpUrl-connect")
                .is_some()
        );
    }

    #[test]
    fn ecp_fragments_documented_and_new_are_recognised() {
        for name in ECP_FRAGMENTS
            .into_iter()
            .chain(["EcpUrl-connect", "EcpUrl-x1"])
        {
            assert!(is_ecp_fragment(name), "{name}");
        }
        for name in ["EcpUrl", "EcpUrl-", "EcpUrl-a/b", "ecpurl-um", "OOFUrl"] {
            assert!(!is_ecp_fragment(name), "{name}");
        }
    }

    #[test]
    fn every_parent_is_a_known_element() {
        for vocabulary in Vocabulary::ALL {
            for def in vocabulary.elements() {
                for parent in def.parents {
                    assert!(
                        vocabulary.lookup(parent).is_some(),
                        "{} has unknown parent {parent}",
                        def.name
                    );
                }
                for child in def.required {
                    assert!(vocabulary.lookup(child).is_some(), "{child}");
                }
            }
        }
    }

    #[test]
    fn names_are_unique_per_vocabulary() {
        for vocabulary in Vocabulary::ALL {
            let names: Vec<_> = vocabulary.elements().iter().map(|d| d.name).collect();
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(names.len(), sorted.len());
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("RedirectURL", all_names()), Some("RedirectUrl"));
        assert_eq!(suggest("UsePopAuth", all_names()), Some("UsePOPAuth"));
        assert_eq!(suggest("EmailAddress", all_names()), Some("EMailAddress"));
        assert_eq!(
            suggest("CertPrinicpalName", all_names()),
            Some("CertPrincipalName")
        );
        assert_eq!(suggest("Frobnicate", all_names()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn https_forms() {
        assert_eq!(
            http_form_of("https://schemas.microsoft.com/exchange/autodiscover/responseschema/2006")
                .as_deref(),
            Some(NS_RESPONSE)
        );
        assert_eq!(http_form_of("https://example.com/"), None);
    }
}
