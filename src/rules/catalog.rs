//! Every rule: stable name, family, default severity, summary and explanation. Each rule's bad
//! and fixed examples are its fixtures (`fixtures/rules/<name>/bad.xml` and `ok.xml`), embedded
//! here so that `explain` shows the very documents the tests check.

use crate::finding::Severity;

#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub family: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    /// A document on which the rule fires.
    pub bad: &'static [u8],
    /// The same document fixed: a near miss on which the rule must stay silent.
    pub good: &'static [u8],
    /// Off unless selected by name (or `all`): what it reports is correct and needs no action,
    /// so it is only for readers who want to know.
    pub opt_in: bool,
}

pub const FAMILIES: &[&str] = &[
    "input",
    "document",
    "structure",
    "value",
    "protocol",
    "account",
    "request",
];

pub fn lookup(name: &str) -> Option<&'static Rule> {
    index(name).map(|i| &RULES[i])
}

/// The rule's position in [`RULES`]: a hash table over the names, built once (this runs once
/// per finding, and a dense input has hundreds of thousands).
pub fn index(name: &str) -> Option<usize> {
    const SLOTS: usize = 256;
    const EMPTY: u8 = u8::MAX;
    static TABLE: std::sync::OnceLock<[u8; SLOTS]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        assert!(RULES.len() < SLOTS / 2, "the rule table needs more slots");
        let mut table = [EMPTY; SLOTS];
        for (at, rule) in RULES.iter().enumerate() {
            let mut slot = name_hash(rule.name) % SLOTS;
            while table[slot] != EMPTY {
                slot = (slot + 1) % SLOTS;
            }
            table[slot] = at as u8;
        }
        table
    });
    let mut slot = name_hash(name) % SLOTS;
    loop {
        let at = table[slot];
        if at == EMPTY {
            return None;
        }
        if RULES[usize::from(at)].name == name {
            return Some(usize::from(at));
        }
        slot = (slot + 1) % SLOTS;
    }
}

/// A fast hash of a short name, eight bytes at a time (multiply-rotate, as FxHash does).
fn name_hash(name: &str) -> usize {
    let mut hash = name.len() as u64;
    for chunk in name.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    (hash >> 32) as usize
}

macro_rules! rule {
    (opt_in $name:literal, $family:literal, $severity:ident, $summary:literal, $explanation:literal) => {
        Rule {
            opt_in: true,
            ..rule!($name, $family, $severity, $summary, $explanation)
        }
    };
    ($name:literal, $family:literal, $severity:ident, $summary:literal, $explanation:literal) => {
        Rule {
            opt_in: false,
            name: $name,
            family: $family,
            severity: Severity::$severity,
            summary: $summary,
            explanation: $explanation,
            bad: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/rules/",
                $name,
                "/bad.xml"
            )),
            good: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/rules/",
                $name,
                "/ok.xml"
            )),
        }
    };
}

pub static RULES: &[Rule] = &[
    // ── input ──────────────────────────────────────────────────────────────────────────────
    rule!(
        "invalid-utf8",
        "input",
        Error,
        "bytes that are not valid UTF-8 (or UTF-16/32)",
        "The input contains byte sequences that do not decode. Autodiscover documents must be UTF-8. \
         A client either rejects the whole document or silently reads a different character, so a \
         server name or login can change without anyone noticing. adinspect never replaces such \
         bytes silently: each one is reported at its line and column."
    ),
    rule!(
        "not-utf8",
        "input",
        Warning,
        "the document is not UTF-8 (UTF-16, UTF-32, or a declared legacy encoding)",
        "The POX reference states that Autodiscover requests and responses must be UTF-8 encoded. \
         A UTF-16 document, or one whose XML declaration names another encoding, works only with \
         clients whose parser happens to detect it. A document in a legacy encoding that its \
         declaration names correctly (`encoding=\"ISO-8859-1\"`, `windows-1252`, `Shift_JIS`…) is \
         read in that encoding, as XML parsers such as MSXML and libxml2 do, so `show` prints the \
         right characters and this is the only finding; a client that assumes UTF-8 still \
         misreads it. Convert the file (`iconv -f ISO-8859-1 -t utf-8`) and declare `utf-8`."
    ),
    rule!(
        "encoding-mismatch",
        "input",
        Error,
        "the XML declaration names an encoding the bytes are not in",
        "The `encoding` in `<?xml … ?>` contradicts the bytes, for example `encoding=\"iso-8859-1\"` on a \
         UTF-8 file with accented letters. A parser that trusts the declaration misreads every \
         non-ASCII character (display names, passwords in login names)."
    ),
    rule!(
        "malformed-xml",
        "input",
        Error,
        "the document is not well-formed XML",
        "A mismatched or missing end tag, an unquoted attribute, text before the XML declaration or \
         a truncated body. Every client rejects a document that is not well-formed, usually with a \
         generic 'cannot find settings' error."
    ),
    rule!(
        "doctype-not-allowed",
        "input",
        Error,
        "the document carries a DOCTYPE (DTD)",
        "Autodiscover never uses a DTD. DTDs carry entity definitions, the vehicle of \
         billion-laughs and external-entity (XXE) attacks, so adinspect refuses them without \
         expanding or fetching anything, as careful clients do."
    ),
    rule!(
        "input-too-complex",
        "input",
        Error,
        "an element with more attributes or namespaces than adinspect analyses",
        "Autodiscover elements carry at most two attributes and documents declare one to three \
         namespaces. An element with more than 100 attributes, or more than 32 namespace \
         declarations in scope, is refused before parsing (and so is a document that redeclares \
         namespaces on so many nested elements that the parser's bookkeeping would explode): \
         checking attributes for duplicates and copying the namespaces in scope cost time that \
         grows with the square of their number, and a hostile input could otherwise stall a CI job."
    ),
    // ── document ───────────────────────────────────────────────────────────────────────────
    rule!(
        "not-autodiscover",
        "document",
        Error,
        "the input is not an Autodiscover document",
        "The input is empty, HTML (a login or error page served instead of the XML), JSON \
         (Autodiscover v2), binary, or XML with another root. The message says which. This is what \
         a client receives when a web server or proxy answers in place of the Autodiscover service."
    ),
    rule!(
        "missing-autodiscover-root",
        "document",
        Error,
        "the root is a piece of a document (Request, Response, Account, Protocol)",
        "The document starts below `<Autodiscover>`, for example with a bare `<Protocol>` pasted from \
         a larger answer, or with `<Request>` alone. Clients look for `<Autodiscover>` first and \
         reject the rest. adinspect still checks the fragment's contents."
    ),
    rule!(
        "missing-namespace",
        "document",
        Error,
        "an element has no namespace",
        "Clients match Autodiscover elements by namespace and name. Without `xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/…\"` \
         strict parsers (Outlook's among them) find no `Autodiscover` element at all."
    ),
    rule!(
        "wrong-namespace",
        "document",
        Error,
        "an element is in the wrong namespace",
        "A request root must be in …/outlook/requestschema/2006, a response root in \
         …/responseschema/2006, and a settings or redirect `<Response>` in \
         …/outlook/responseschema/2006a. A settings Response left in the root namespace reads as an \
         error response; a request namespace in a response (or the reverse) reads as nothing."
    ),
    rule!(
        "https-namespace",
        "document",
        Error,
        "a namespace URI written with https://",
        "Namespace URIs are names compared character by character (Namespaces in XML, section 2.3), \
         not addresses. The Autodiscover namespaces of MS-OXDSCLI and MS-ASCMD, and what Exchange \
         writes, start with http://; the https:// forms come from a 2020 bulk edit of Microsoft's \
         documentation. A client that reads the response with a namespace-aware parser (Outlook, \
         exchangelib) finds none of its elements under the https:// name and account setup fails; a \
         server that compares AcceptableResponseSchema exactly answers a request with error 601. \
         Some lenient readers accept both, which is why the mistake survives."
    ),
    rule!(
        "multiple-accounts",
        "document",
        Error,
        "a Response with more than one Account",
        "A Response holds a single `<Account>`. Clients read the first one and ignore the rest, so \
         Protocols placed in a second Account are lost. Put all Protocols in one Account."
    ),
    rule!(
        "unused-suppression",
        "document",
        Warning,
        "an `adinspect: ignore` comment that silences nothing",
        "A comment `<!-- adinspect: ignore RULE -->` silences RULE on the next element, and \
         `<!-- adinspect: ignore-file RULE -->` in the whole document. When the rule no longer fires \
         there (the problem was fixed, or the element moved), the comment is only waiting to hide the \
         next real problem, so it is reported; so is a name that is no rule or family. Remove the \
         comment or correct the name."
    ),
    // ── structure ──────────────────────────────────────────────────────────────────────────
    rule!(
        "misplaced-element",
        "structure",
        Error,
        "an element under the wrong parent",
        "Every POX element has documented parents: `UsePOPAuth` inside `Protocol`, \
         `AcceptableResponseSchema` inside `Request`, `Protocol` inside `Account`. Clients look for an \
         element only where it belongs, so a misplaced one is silently ignored. The help line names \
         the parent it belongs in."
    ),
    rule!(
        "unknown-element",
        "structure",
        Warning,
        "an element that the schema does not know",
        "The element is not part of the vocabulary of this kind of document, nor close to a name \
         that is (that would be misspelt-element). Clients ignore it: a vendor extension at best, \
         a leftover at worst."
    ),
    rule!(
        "misspelt-element",
        "structure",
        Error,
        "an unknown element whose name is a near miss of a known one",
        "`<AcountType>`, `<LoginNmae>` or `<UsePOPAuht>` are not elements clients know, so they \
         ignore them and the setting that was meant is missing. The help line names the element \
         that was probably meant (at most two letters away)."
    ),
    rule!(
        "element-name-case",
        "structure",
        Error,
        "a known element name written in the wrong case",
        "XML names are case-sensitive: `RedirectURL`, `UsePopAuth` or `EmailAddress` are different \
         elements from `RedirectUrl`, `UsePOPAuth` and `EMailAddress`, and clients ignore them."
    ),
    rule!(
        "element-in-wrong-document",
        "structure",
        Error,
        "an element of another kind of document",
        "A request element in a response, a response element in a request, or an ActiveSync \
         (mobilesync) element in an Outlook document. Clients of this kind of document do not read it."
    ),
    rule!(
        opt_in "undocumented-element",
        "structure",
        Info,
        "an element Exchange emits that the POX reference does not document",
        "`ServerExclusiveConnect`, `ConsumerMailbox` and `AlternativeMailbox` appear in real Exchange \
         output but have no reference page (`AD` has one, in the Exchange 2007 edition of the \
         reference). They are correct; this note only says that other clients may ignore them."
    ),
    rule!(
        "duplicate-element",
        "structure",
        Warning,
        "a single-valued element repeated under one parent",
        "Only `Protocol`, `OWAUrl` and a few ActiveSync elements may repeat. Two `<Port>` or two \
         `<SSL>` in one Protocol leave the choice to the client: some take the first, some the last."
    ),
    rule!(
        "text-in-container",
        "structure",
        Warning,
        "text directly inside an element that holds elements",
        "Containers such as `Account`, `Protocol` or `Request` hold only elements. Stray text there is \
         usually a template placeholder or a value whose element tags went missing."
    ),
    rule!(
        "children-in-value",
        "structure",
        Error,
        "elements inside an element that holds a value",
        "Value elements such as `Action`, `Server` or `Port` hold text. Elements inside them are \
         ignored; often this is the ActiveSync layout (`Action/Settings/Server`) pasted into an \
         Outlook response."
    ),
    rule!(
        "undocumented-attribute",
        "structure",
        Warning,
        "an attribute the reference does not document",
        "Only `Protocol@Type`, `Protocol@Version`, `OWAUrl@AuthenticationMethod`, `Error@Time` and \
         `Error@Id` are documented (namespace declarations aside). Clients ignore other attributes, \
         so a setting written as an attribute has no effect."
    ),
    rule!(
        "missing-element",
        "structure",
        Error,
        "a required child element is missing",
        "An `Autodiscover` without `Request`/`Response`, a `Response` without `Account` or `Error`, an \
         `Account` without `Action`, a `PublicFolderInformation` without `SmtpAddress`, an `Error` \
         without `ErrorCode` or an ActiveSync `Server` without `Type` or `Url`: the client cannot \
         act on the document."
    ),
    // ── value ──────────────────────────────────────────────────────────────────────────────
    rule!(
        "empty-value",
        "value",
        Error,
        "an element that needs a value is empty",
        "On/off switches, ports, URLs, e-mail addresses, enumerations and error codes need a value. \
         An empty one is read as unset at best and makes strict clients reject the document."
    ),
    rule!(
        "empty-setting",
        "value",
        Warning,
        "a free-text setting is empty",
        "An empty `LoginName`, `Server` or `DomainName` is not the same as an absent one: clients \
         use the empty string, for example logging in with an empty user name. Remove the element \
         or give it a value."
    ),
    rule!(
        "value-whitespace",
        "value",
        Warning,
        "whitespace around a value that clients compare exactly",
        "Spaces or line breaks around a URL, port, on/off switch or namespace URI are kept by XML \
         parsers. Clients that do not trim read `\" https://…\"` as an invalid URL."
    ),
    rule!(
        "invalid-on-off",
        "value",
        Error,
        "an on/off setting with another value",
        "`SSL`, `SPA`, `AuthRequired`, `DomainRequired`, `UsePOPAuth`, `SMTPLast` and \
         `ServerExclusiveConnect` accept `on` or `off` (any case: Exchange writes `On`/`Off`). \
         `yes`, `true`, `1` or an empty value are read as unset, so the client falls back to the \
         default, which for SSL and AuthRequired is on."
    ),
    rule!(
        "invalid-true-false",
        "value",
        Warning,
        "MicrosoftOnline or ConsumerMailbox is neither true nor false",
        "`MicrosoftOnline` says whether the mailbox is hosted in Exchange Online, and Exchange 2016 and \
         2019 add `ConsumerMailbox`; both accept `true` or `false` in any case (Exchange writes \
         `False`)."
    ),
    rule!(
        "port-out-of-range",
        "value",
        Error,
        "a port that is not a number from 1 to 65535",
        "`Port`, `DirectoryPort` and `ReferralPort` are TCP ports. Port 0, a negative or too large \
         number, or text makes the client fail to connect or fall back to a guess. In the Exchange \
         Protocols (EXCH, EXPR) a 0 is how Exchange 2007 and 2010 write \"not set\" (those clients \
         take their ports from RPC or the URLs), so it is not reported there; a DirectoryPort or \
         ReferralPort outside them is reported once, as exchange-setting-outside-exchange."
    ),
    rule!(
        "invalid-ttl",
        "value",
        Error,
        "TTL is not a whole number of hours",
        "`TTL` tells the client after how many hours to run Autodiscover again (0: never). Anything \
         but a non-negative integer is ignored and the default of 1 hour applies."
    ),
    rule!(
        "invalid-url",
        "value",
        Error,
        "a URL element that does not hold an absolute URL",
        "`EwsUrl`, `ASUrl`, `OWAUrl`, `RedirectUrl`, `InternalUrl` and the other URL elements need a \
         full URL with scheme and host. A relative path or a typo such as `https:/host` makes the \
         client fail to reach the service."
    ),
    rule!(
        "absolute-ecp-fragment",
        "value",
        Warning,
        "an EcpUrl-* fragment holds an absolute URL",
        "`EcpUrl-um`, `EcpUrl-mt` and the other fragments are appended to `EcpUrl`. An absolute URL \
         there produces a broken address such as `https://a/ecp/https://b/…`."
    ),
    rule!(
        "invalid-email",
        "value",
        Warning,
        "an e-mail address element without local@domain",
        "`EMailAddress`, `RedirectAddr`, `AutoDiscoverSMTPAddress` and `SmtpAddress` hold SMTP \
         addresses. Without an `@domain` a server cannot find the mailbox and a client cannot follow \
         the redirect."
    ),
    rule!(
        "invalid-guid",
        "value",
        Warning,
        "DeploymentId is not a GUID",
        "`DeploymentId` identifies the Exchange forest as a GUID (8-4-4-4-12 hexadecimal digits). \
         Clients that cache settings per forest cannot use a malformed one."
    ),
    rule!(
        "invalid-server-version",
        "value",
        Error,
        "ServerVersion is not a 32-bit hexadecimal number",
        "`ServerVersion` encodes the Exchange build in exactly 8 hexadecimal digits (major, minor and build \
         in fixed bit fields). Outlook picks features by it; `show` decodes it."
    ),
    rule!(
        "invalid-legacy-dn",
        "value",
        Info,
        "a legacy DN that does not start with /o=",
        "`LegacyDN`, `ServerDN` and `MdbDN` are legacy Exchange distinguished names such as \
         `/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn=user`."
    ),
    rule!(
        "invalid-ip-address",
        "value",
        Error,
        "an IPv4/IPv6 bound that is not an address",
        "`IPv4Start`/`IPv4End` must be IPv4 addresses and `IPv6Start`/`IPv6End` IPv6 addresses; \
         otherwise the client cannot tell whether it meets the network requirement."
    ),
    rule!(
        "invalid-error-code",
        "value",
        Error,
        "an error code or status that is not a number",
        "`ErrorCode` (and ActiveSync's `Status`) are numbers; clients decide what to do next by them."
    ),
    rule!(
        "unknown-error-code",
        "value",
        Warning,
        "an error code outside 500, 501, 600–603",
        "MS-OXDSCLI defines 500 (address not found), 501 (no configuration), 600 (invalid request), \
         601 (schema not available), 602 (configuration error) and 603 (internal error). Clients map \
         other codes to a generic failure."
    ),
    rule!(
        "invalid-culture",
        "value",
        Warning,
        "an ActiveSync Culture that is not language:country",
        "ActiveSync responses give the culture as a language code, a colon and an ISO 3166 country \
         code, such as `en:us`. A device that cannot parse it falls back to its own default, so \
         localized server messages may not match."
    ),
    rule!(
        "unknown-protocol-type",
        "value",
        Error,
        "a Protocol Type no client knows",
        "`Type` says what a Protocol describes: EXCH, EXPR, EXHTTP, WEB for Exchange, POP3, SMTP and \
         IMAP for Internet mail (MobileSync and CertEnroll in ActiveSync). Clients skip a Protocol \
         whose Type they do not know, so `POP` instead of `POP3` loses the whole server."
    ),
    rule!(
        "rare-protocol-type",
        "value",
        Info,
        "a documented but rarely supported Protocol Type (DAV, NNTP)",
        "The Outlook ISP schema mentions DAV and NNTP as Protocol Types; few clients act on them, \
         so the Protocol is usually ignored."
    ),
    rule!(
        "invalid-account-type",
        "value",
        Error,
        "AccountType is not email",
        "The only documented AccountType is `email`; EXPR and WEB Protocols require it, and \
         clients reject other account types."
    ),
    rule!(
        "invalid-action",
        "value",
        Error,
        "Action is not settings, redirectAddr or redirectUrl",
        "`Action` tells the client what the Account is: settings, or a redirect to another address or \
         URL. Any other value makes the Account unusable."
    ),
    rule!(
        "invalid-auth-package",
        "value",
        Error,
        "AuthPackage is not a documented package",
        "`AuthPackage` is one of basic, kerb, kerbntlm, ntlm, certificate, negotiate or nego2 (any \
         case: Exchange writes `Ntlm`). An unknown package leaves the client unable to authenticate."
    ),
    rule!(
        opt_in "undocumented-auth-package",
        "value",
        Info,
        "AuthPackage Anonymous",
        "Exchange Online emits `Anonymous`. MS-OXDSCLI (2.2.4.1.1.2.6.4) documents it (the client \
         authenticates anonymously over SSL); the POX reference page, which clients are often built \
         from, does not list it. It is correct output; this opt-in note only says that a client \
         built from the POX page may not know it."
    ),
    rule!(
        "invalid-encryption",
        "value",
        Error,
        "Encryption is not None, SSL, TLS or Auto",
        "`Encryption` (MS-OXDSCLI) overrides SSL for IMAP, POP3 and SMTP: SSL means TLS from the first \
         byte, TLS means STARTTLS, Auto lets the client choose. `STARTTLS` or `yes` are not values \
         Outlook knows; it then connects unencrypted or fails."
    ),
    rule!(
        "non-canonical-case",
        "value",
        Warning,
        "a value in a case other than the documented one",
        "Action values are camelCase (`redirectAddr`), Types upper case (`IMAP`). Clients that compare \
         exactly miss a differently cased value."
    ),
    rule!(
        "invalid-owa-auth-method",
        "value",
        Warning,
        "an OWAUrl AuthenticationMethod outside the documented list",
        "`AuthenticationMethod` is a comma-separated list of WindowsIntegrated, FBA, NTLM, Digest and \
         Basic (any case)."
    ),
    rule!(
        "invalid-error-time",
        "value",
        Warning,
        "Error Time is not hh:mm:ss[.fraction]",
        "Exchange writes the time of the error as `21:25:04.8897083`. A malformed time (often from \
         concatenating seconds and microseconds) breaks clients that parse it as xs:time."
    ),
    rule!(
        "invalid-error-id",
        "value",
        Warning,
        "Error Id is not an unsigned 32-bit number",
        "Exchange writes a hash of the server name as a decimal 32-bit number. Larger or non-numeric \
         ids fail validation against MS-ASCMD's schema."
    ),
    // ── protocol ───────────────────────────────────────────────────────────────────────────
    rule!(
        "protocol-without-type",
        "protocol",
        Warning,
        "a Protocol without Type",
        "Every setting of a Protocol is interpreted by its Type. Without one, clients cannot tell an \
         IMAP server from an SMTP server and skip the Protocol."
    ),
    rule!(
        "invalid-mapihttp-attribute",
        "protocol",
        Error,
        "Protocol Type/Version attributes other than mapiHttp/1",
        "The attribute form `<Protocol Type=\"mapiHttp\" Version=\"1\">` announces MAPI over HTTP. Other \
         attribute values, or one attribute without the other, are not understood. The kind of an \
         ordinary Protocol goes in a `<Type>` element."
    ),
    rule!(
        "mapihttp-element-outside-mapihttp",
        "protocol",
        Error,
        "MailStore/AddressBook outside a mapiHttp Protocol",
        "`MailStore` and `AddressBook` describe MAPI/HTTP endpoints and are read only inside \
         `<Protocol Type=\"mapiHttp\" Version=\"1\">`."
    ),
    rule!(
        "nested-protocol-extra-element",
        "protocol",
        Error,
        "a Protocol inside Internal/External with more than Type and ASUrl",
        "A Protocol nested in `Internal` or `External` holds only `Type` and `ASUrl`. Other settings \
         there are ignored; they belong in the outer Protocol."
    ),
    rule!(
        "use-pop-auth-outside-smtp",
        "protocol",
        Warning,
        "UsePOPAuth in a Protocol that is not SMTP",
        "UsePOPAuth tells an SMTP server to accept the POP3 account's credentials. It only takes \
         effect in the SMTP Protocol; elsewhere it is ignored and SMTP keeps asking for its own login."
    ),
    rule!(
        "smtp-last-outside-smtp",
        "protocol",
        Info,
        "SMTPLast in a Protocol that is not SMTP",
        "SMTPLast (download mail before sending, POP-before-SMTP) only means something for SMTP; \
         elsewhere it is ignored."
    ),
    rule!(
        "server-dn-outside-exch",
        "protocol",
        Warning,
        "ServerDN in a Protocol that is not EXCH",
        "ServerDN, the legacy DN of the mailbox server, is only used with Type EXCH (RPC); in other \
         Protocols clients ignore it."
    ),
    rule!(
        "exchange-setting-outside-exchange",
        "protocol",
        Warning,
        "ServerVersion, DirectoryPort, ReferralPort or AuthPackage outside the Exchange Types",
        "ServerVersion, DirectoryPort and ReferralPort are documented only for the Exchange Types \
         EXCH and EXPR, and AuthPackage for EXCH, EXPR and EXHTTP (MS-OXDSCLI 2.2.4.1.1.2.6.4; the \
         POX reference page omits EXHTTP, which Exchange 2016 and 2019 write it in); in an IMAP, \
         POP3, SMTP or WEB Protocol clients ignore them."
    ),
    rule!(
        "grouping-information-outside-expr",
        "protocol",
        Warning,
        "GroupingInformation outside EXPR",
        "GroupingInformation (the server group used for Outlook Anywhere) only applies to Protocols \
         whose Type is EXPR; elsewhere clients ignore it."
    ),
    rule!(
        "encryption-outside-isp",
        "protocol",
        Warning,
        "Encryption outside IMAP, POP3 and SMTP",
        "Encryption is defined for IMAP, POP3 and SMTP Protocols; Exchange Types use SSL, and \
         clients ignore Encryption there."
    ),
    rule!(
        "invalid-server",
        "protocol",
        Warning,
        "an IMAP/POP3/SMTP Server that is not a host name",
        "For Internet mail Types, `Server` is a host name or IP address. A URL, a value with spaces or \
         a name without a dot (a typo such as `examplede`) cannot be resolved."
    ),
    rule!(
        "port-ignored",
        "protocol",
        Info,
        "Port next to a Server that is a URL",
        "When `Server` holds a URL, `Port` is not used: the URL decides. A port that differs from \
         the URL's is a sign of a configuration mistake."
    ),
    rule!(
        "tls-mode-port-mismatch",
        "protocol",
        Warning,
        "implicit TLS on a STARTTLS port, or STARTTLS on an implicit-TLS port",
        "SSL on (or Encryption SSL) makes the client start TLS immediately; ports 25, 587, 143 and 110 \
         expect a plain greeting followed by STARTTLS, so the handshake fails or the client falls back \
         to trying combinations. Encryption TLS on 465/993/995 fails the other way round. The SSL \
         default is on, so a STARTTLS port without SSL or Encryption is reported too."
    ),
    rule!(
        "ssl-encryption-conflict",
        "protocol",
        Warning,
        "SSL and Encryption disagree",
        "Encryption overrides SSL in Outlook, but clients that only know SSL follow it. `<SSL>off</SSL>` \
         with `<Encryption>TLS</Encryption>` gives STARTTLS in one client and clear text in another."
    ),
    rule!(
        "cleartext-credentials",
        "protocol",
        Warning,
        "authentication required over an unencrypted connection",
        "With SSL off or Encryption None while AuthRequired is on (its default), the password \
         crosses the network in clear text. With UsePOPAuth on, that is the POP3 password."
    ),
    rule!(
        "smtp-port-25",
        "protocol",
        Warning,
        "authenticated SMTP submission on port 25",
        "Port 25 is for server-to-server relay. Many networks block outbound port 25 for end users, \
         so a client configured to send there works at the office and fails at home. Mail \
         submission uses 587 (STARTTLS) or 465 (TLS)."
    ),
    rule!(
        "spa-by-default",
        "protocol",
        Warning,
        "an IMAP, POP3 or SMTP Protocol without SPA (clients then take it as on)",
        "The POX reference gives `SPA` (Secure Password Authentication, that is NTLM) the default \
         on. A Protocol that leaves it out makes Outlook insist on NTLM, which hosted IMAP, POP3 and \
         SMTP servers almost never offer: the login fails and the user is asked for the password \
         again and again. Write `<SPA>off</SPA>` unless the server really offers NTLM. (The other \
         defaults are harmless or reported elsewhere: AuthRequired on is what mail servers want, \
         SSL on against a STARTTLS port is tls-mode-port-mismatch, a TTL of one hour is fine.)"
    ),
    rule!(
        "cert-principal-without-ssl",
        "protocol",
        Info,
        "CertPrincipalName on a Protocol without TLS",
        "CertPrincipalName names the certificate the client expects; without TLS there is no certificate."
    ),
    // ── account ────────────────────────────────────────────────────────────────────────────
    rule!(
        "use-pop-auth-without-pop3",
        "account",
        Error,
        "UsePOPAuth on, but the Account has no POP3 Protocol",
        "`<UsePOPAuth>on</UsePOPAuth>` tells the client to log in to SMTP with the POP3 account's \
         credentials. In an IMAP-only Account there are none: the client sends no or wrong \
         credentials and sending fails. Write off (SMTP uses its own LoginName) or add the POP3 Protocol."
    ),
    rule!(
        "settings-without-protocol",
        "account",
        Error,
        "Action settings with no Protocol",
        "A settings Account carries its configuration in Protocol elements; without any, the client \
         has nothing to configure."
    ),
    rule!(
        "redirect-without-target",
        "account",
        Error,
        "a redirect Action without its target",
        "`redirectAddr` needs a `RedirectAddr` and `redirectUrl` a `RedirectUrl`. Without it the \
         client has nowhere to go and gives up."
    ),
    rule!(
        "redirect-target-mismatch",
        "account",
        Warning,
        "a redirect target that does not match the Action",
        "A `RedirectUrl` with Action redirectAddr (or the reverse, or either with Action settings) is \
         ignored; the client follows only the target that matches the Action."
    ),
    rule!(
        "redirect-with-protocols",
        "account",
        Warning,
        "a redirect Account that also carries Protocols",
        "With a redirect Action the client follows the redirect and ignores the Protocols."
    ),
    rule!(
        "redirect-url-not-https",
        "account",
        Error,
        "RedirectUrl is not https",
        "Clients follow an Autodiscover redirect only to an https URL whose certificate validates; an \
         http RedirectUrl is refused."
    ),
    rule!(
        "error-with-settings",
        "account",
        Warning,
        "an Error next to settings",
        "An Account (or Response) that carries an Error should carry nothing else; with both, clients \
         cannot tell whether the request succeeded."
    ),
    rule!(
        "error-code-contradicts-message",
        "account",
        Warning,
        "an ErrorCode whose Message describes another error",
        "Clients act on the code, not the text: 500 tells them the address does not exist, so a \
         server failure reported as 500 (\"Database Error\") makes them give up on a valid mailbox. \
         Server-side failures are 603."
    ),
    rule!(
        "ecp-fragment-without-ecp-url",
        "account",
        Warning,
        "EcpUrl-* without EcpUrl",
        "EcpUrl-* fragments are appended to EcpUrl; without EcpUrl in the same Protocol they cannot be resolved."
    ),
    rule!(
        "domain-required-without-domain",
        "account",
        Info,
        "DomainRequired on but LoginName has no domain",
        "With DomainRequired on the authentication needs the user's domain; when LoginName is absent \
         or has no domain part, the user has to type it."
    ),
    rule!(
        "invalid-ip-range",
        "account",
        Warning,
        "an IP range whose start is after its end, or a bound without its pair",
        "NetworkRequirements give address ranges as Start/End pairs. A reversed range or a lone \
         bound matches no client address."
    ),
    // ── request ────────────────────────────────────────────────────────────────────────────
    rule!(
        "missing-acceptable-response-schema",
        "request",
        Error,
        "a Request without AcceptableResponseSchema",
        "Servers choose the response schema from AcceptableResponseSchema; without it Exchange answers \
         with error 600 or 601."
    ),
    rule!(
        "wrong-acceptable-response-schema",
        "request",
        Error,
        "AcceptableResponseSchema names the wrong schema",
        "An Outlook request asks for …/outlook/responseschema/2006a, an ActiveSync request for \
         …/mobilesync/responseschema/2006. Asking for the other family (or a made-up URI) gets error 601."
    ),
    rule!(
        "request-needs-one-address",
        "request",
        Error,
        "a Request with both or neither of EMailAddress and LegacyDN",
        "A request names the mailbox by EMailAddress or, for Outlook, by LegacyDN: exactly one of them."
    ),
    rule!(
        "request-element-order",
        "request",
        Warning,
        "an ActiveSync request with AcceptableResponseSchema before EMailAddress",
        "MS-ASCMD defines the ActiveSync request as a sequence: EMailAddress, then \
         AcceptableResponseSchema. Servers that validate against that schema reject the other order."
    ),
    rule!(
        "mobilesync-url-not-https",
        "request",
        Error,
        "an ActiveSync Url/Name that is not an https URL",
        "ActiveSync devices connect to the Url (and, for MobileSync, the Name) of each Server over \
         https; a placeholder such as `TODO` or an http URL leaves the device without a server."
    ),
];

/// docs/rules.md, generated from the catalogue (a test keeps the committed file in step).
pub fn markdown() -> String {
    let mut out = String::from(
        "# adinspect rules\n\n<!-- Generated from src/rules/catalog.rs by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n\
         Select or ignore rules by name or family: `--select value,structure --ignore empty-setting`. \
         Opt-in rules report what is correct and needs no action; they run only when named \
         (`--extend-select undocumented-element`) or with `--select all`.\n\n\
         Rules marked *fix* repair what they report with `adinspect check --fix` (*unsafe*: only \
         with `--unsafe-fixes`).\n\n\
         | rule | family | severity | fix | summary |\n|---|---|---|---|---|\n",
    );
    let opt_in = |rule: &Rule| if rule.opt_in { ", opt-in" } else { "" };
    for rule in RULES {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {}{} | {} | {} |\n",
            rule.name,
            rule.name,
            rule.family,
            rule.severity,
            opt_in(rule),
            super::fixability(rule.name).map_or("", |f| f.applicability.as_str()),
            rule.summary.replace('|', "\\|")
        ));
    }
    for rule in RULES {
        out.push_str(&format!(
            "\n## {}\n\n*{}, {}{}.* {}\n\n{}\n\nSource: {}.\n",
            rule.name,
            rule.family,
            rule.severity,
            opt_in(rule),
            rule.summary,
            rule.explanation,
            super::source(rule.name)
        ));
        if let Some(fix) = super::fixability(rule.name) {
            out.push_str(&format!(
                "\nFix ({}): {}.\n",
                fix.applicability.as_str(),
                fix.what
            ));
        }
        for (title, bytes) in [("Fires on", rule.bad), ("Fixed", rule.good)] {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    out.push_str(&format!("\n{title}:\n\n```xml\n{}\n```\n", text.trim_end()))
                }
                Err(_) => out.push_str(&format!(
                    "\n{title}: `fixtures/rules/{}/` ({} bytes that are not UTF-8).\n",
                    rule.name,
                    bytes.len()
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn every_rule_is_found_at_its_position_and_nothing_else_is() {
        for (at, rule) in RULES.iter().enumerate() {
            assert_eq!(index(rule.name), Some(at), "{}", rule.name);
            // The same name in another allocation: found by content, not by address.
            let copy = String::from(rule.name);
            assert_eq!(index(copy.as_str()), Some(at));
        }
        for name in ["", "x", "port-zer", "port-zero-", "PORT-ZERO", "io-error "] {
            assert_eq!(index(name), None, "{name:?}");
        }
    }
}
