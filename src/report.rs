//! What `show` presents, as owned data: each Account's and Protocol's settings with positions,
//! effective security with documented defaults, decoded ServerVersion, and the UsePOPAuth
//! resolution. Built from the same model the rules read.

use std::borrow::Cow;
use std::io;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use crate::compact::RunLog;
use crate::model::{
    Account, Attr, DocKind, ErrorInfo, Leaf, Model, Protocol, SecuritySource, Slot,
    SmtpCredentials, TlsMode, decode_server_version, exchange_product,
};
use crate::parallel::{self, Threads};
use crate::schema::KNOWN_ERROR_CODES;
use crate::source::LineIndex;
use crate::xml::{XmlNode, tag_span};

/// A value with the position of its element's start tag. Values and names are borrowed from
/// the document while it is alive (a report written as it is built copies nothing); a report
/// kept after it owns them (`into_owned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<'r> {
    pub value: Cow<'r, str>,
    pub line: usize,
    pub column: usize,
    /// The whole element in the decoded text (findings inside it concern this value).
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<'r> {
    pub name: Cow<'r, str>,
    pub value: Value<'r>,
    /// OWAUrl's AuthenticationMethod attribute.
    pub authentication_method: Option<Cow<'r, str>>,
}

#[derive(Debug, Clone)]
pub struct SecurityReport {
    pub description: &'static str,
    /// "Encryption", "SSL" or "default (SSL on)".
    pub source: &'static str,
}

#[derive(Debug, Clone)]
pub struct SmtpCredentialsReport {
    /// None when UsePOPAuth has an invalid value.
    pub uses_pop3: Option<bool>,
    pub pop3_line: Option<usize>,
    /// The POP3 Protocol's Server, whole (the sentence shortens it).
    pub pop3_server: Option<String>,
    pub sentence: String,
}

/// Transport security as data: what `show --format json` calls `effective.security.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    None,
    StartTls,
    ImplicitTls,
    Auto,
    /// SSL or Encryption has a value clients do not understand.
    Unknown,
}

impl SecurityMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityMode::None => "none",
            SecurityMode::StartTls => "starttls",
            SecurityMode::ImplicitTls => "implicit-tls",
            SecurityMode::Auto => "auto",
            SecurityMode::Unknown => "unknown",
        }
    }
}

/// A Protocol's settings as a client applies them: typed, documented defaults filled in
/// (for the Types that connect to a server), None where a value is absent without a default
/// or is not one clients understand.
#[derive(Debug, Clone, Default)]
pub struct Effective<'r> {
    pub server: Option<Cow<'r, str>>,
    pub port: Option<u16>,
    /// The mode and where it came from: "Encryption", "SSL" or "default".
    pub security: Option<(SecurityMode, &'static str)>,
    pub auth_required: Option<bool>,
    pub spa: Option<bool>,
    /// LoginName; None when absent (clients then log in with the e-mail address).
    pub login: Option<Cow<'r, str>>,
    pub domain_required: Option<bool>,
    pub domain_name: Option<Cow<'r, str>>,
    pub ttl_hours: Option<u32>,
    /// SMTP only.
    pub smtp_last: Option<bool>,
    pub cert_principal_name: Option<Cow<'r, str>>,
}

#[derive(Debug, Clone)]
pub struct EndpointReport<'r> {
    /// Internal, External, MailStore, AddressBook, NetworkRequirements.
    pub scope: &'static str,
    pub entries: Vec<Setting<'r>>,
}

#[derive(Debug, Clone)]
pub struct ProtocolReport<'r> {
    pub line: usize,
    /// The `<Protocol` tag: findings about the Protocol as a whole start here.
    pub tag: Range<usize>,
    pub type_name: Option<Cow<'r, str>>,
    pub settings: Vec<Setting<'r>>,
    pub security: Option<SecurityReport>,
    /// Documented defaults of absent settings: (name, value); only CertPrincipalName's value is
    /// made (every Protocol has some, so the others are not copied).
    pub defaults: Vec<(&'static str, Cow<'static, str>)>,
    pub smtp: Option<SmtpCredentialsReport>,
    pub effective: Effective<'r>,
    pub server_version: Option<String>,
    /// ServerVersion decoded: (major, minor, build).
    pub server_version_parts: Option<(u32, u32, u32)>,
    pub endpoints: Vec<EndpointReport<'r>>,
}

#[derive(Debug, Clone)]
pub struct ErrorReport<'r> {
    pub line: usize,
    /// The `<Error` start tag (where Time and Id findings point).
    pub tag: Range<usize>,
    /// The Time and Id attributes; their spans are those of the attribute values.
    pub time: Option<Value<'r>>,
    pub id: Option<Value<'r>>,
    pub code: Option<Value<'r>>,
    pub code_meaning: Option<&'static str>,
    pub settings: Vec<Setting<'r>>,
}

#[derive(Debug, Clone)]
pub struct AccountReport<'r> {
    pub line: usize,
    pub account_type: Option<Value<'r>>,
    pub action: Option<Value<'r>>,
    pub redirect_url: Option<Value<'r>>,
    pub redirect_addr: Option<Value<'r>>,
    /// Other value children (MicrosoftOnline, Image, ServiceHome…).
    pub settings: Vec<Setting<'r>>,
    pub protocols: Vec<ProtocolReport<'r>>,
    pub error: Option<ErrorReport<'r>>,
}

#[derive(Debug, Clone)]
pub struct MobileServerReport<'r> {
    pub line: usize,
    pub settings: Vec<Setting<'r>>,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentReport<'r> {
    pub kind: Option<DocKind>,
    pub looks_like: Option<String>,
    pub request: Vec<Setting<'r>>,
    pub user: Vec<Setting<'r>>,
    pub culture: Option<Value<'r>>,
    pub accounts: Vec<AccountReport<'r>>,
    pub servers: Vec<MobileServerReport<'r>>,
    pub redirect: Option<Value<'r>>,
    pub error: Option<ErrorReport<'r>>,
}

/// A text the report keeps after the document is gone.
fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

fn owned_all(settings: Vec<Setting<'_>>) -> Vec<Setting<'static>> {
    settings.into_iter().map(Setting::into_owned).collect()
}

impl Value<'_> {
    pub fn into_owned(self) -> Value<'static> {
        Value {
            value: owned(self.value),
            line: self.line,
            column: self.column,
            span: self.span,
        }
    }
}

impl Setting<'_> {
    pub fn into_owned(self) -> Setting<'static> {
        Setting {
            name: owned(self.name),
            value: self.value.into_owned(),
            authentication_method: self.authentication_method.map(owned),
        }
    }
}

impl ProtocolReport<'_> {
    pub fn into_owned(self) -> ProtocolReport<'static> {
        let e = self.effective;
        ProtocolReport {
            line: self.line,
            tag: self.tag,
            type_name: self.type_name.map(owned),
            settings: owned_all(self.settings),
            security: self.security,
            defaults: self.defaults,
            smtp: self.smtp,
            effective: Effective {
                server: e.server.map(owned),
                port: e.port,
                security: e.security,
                auth_required: e.auth_required,
                spa: e.spa,
                login: e.login.map(owned),
                domain_required: e.domain_required,
                domain_name: e.domain_name.map(owned),
                ttl_hours: e.ttl_hours,
                smtp_last: e.smtp_last,
                cert_principal_name: e.cert_principal_name.map(owned),
            },
            server_version: self.server_version,
            server_version_parts: self.server_version_parts,
            endpoints: (self.endpoints.into_iter())
                .map(|e| EndpointReport {
                    scope: e.scope,
                    entries: owned_all(e.entries),
                })
                .collect(),
        }
    }
}

impl ErrorReport<'_> {
    pub fn into_owned(self) -> ErrorReport<'static> {
        ErrorReport {
            line: self.line,
            tag: self.tag,
            time: self.time.map(Value::into_owned),
            id: self.id.map(Value::into_owned),
            code: self.code.map(Value::into_owned),
            code_meaning: self.code_meaning,
            settings: owned_all(self.settings),
        }
    }
}

impl AccountReport<'_> {
    pub fn into_owned(self) -> AccountReport<'static> {
        AccountReport {
            line: self.line,
            account_type: self.account_type.map(Value::into_owned),
            action: self.action.map(Value::into_owned),
            redirect_url: self.redirect_url.map(Value::into_owned),
            redirect_addr: self.redirect_addr.map(Value::into_owned),
            settings: owned_all(self.settings),
            protocols: (self.protocols.into_iter())
                .map(ProtocolReport::into_owned)
                .collect(),
            error: self.error.map(ErrorReport::into_owned),
        }
    }
}

impl DocumentReport<'_> {
    /// The report, owning every text: kept after the document is gone.
    pub fn into_owned(self) -> DocumentReport<'static> {
        DocumentReport {
            kind: self.kind,
            looks_like: self.looks_like,
            request: owned_all(self.request),
            user: owned_all(self.user),
            culture: self.culture.map(Value::into_owned),
            accounts: (self.accounts.into_iter())
                .map(AccountReport::into_owned)
                .collect(),
            servers: (self.servers.into_iter())
                .map(|s| MobileServerReport {
                    line: s.line,
                    settings: owned_all(s.settings),
                })
                .collect(),
            redirect: self.redirect.map(Value::into_owned),
            error: self.error.map(ErrorReport::into_owned),
        }
    }
}

struct Builder<'t> {
    /// Line and column of an offset in the input (asked from several threads at once when a
    /// large input's Protocols are shared among them).
    place: &'t Place<'t>,
    /// Maps the tree's spans to the input's (the tree may be of a compacted copy).
    offsets: &'t RunLog,
}

impl Builder<'_> {
    fn position(&self, node: XmlNode<'_>) -> (usize, usize) {
        (self.place)(self.offsets.start(tag_span(node).start))
    }

    /// A span of the tree, as a span of the input.
    fn span(&self, span: Range<usize>) -> Range<usize> {
        self.offsets.span(span)
    }

    fn value<'l>(&self, leaf: &'l Leaf<'_>) -> Value<'l> {
        let (line, column) = self.position(leaf.node);
        Value {
            value: Cow::Borrowed(leaf.value()),
            line,
            column,
            span: self.span(leaf.node.range()),
        }
    }

    /// An attribute's value, positioned at the attribute.
    fn attribute<'l>(&self, attr: &'l Attr<'_>) -> Value<'l> {
        let (line, column) = (self.place)(self.offsets.start(attr.span.start));
        Value {
            value: Cow::Borrowed(attr.value),
            line,
            column,
            span: self.span(attr.value_span.clone()),
        }
    }

    fn setting<'l>(&self, leaf: &'l Leaf<'_>) -> Setting<'l> {
        Setting {
            name: Cow::Borrowed(leaf.name()),
            value: self.value(leaf),
            authentication_method: None,
        }
    }

    fn settings<'l, 'a: 'l>(
        &self,
        leaves: impl IntoIterator<Item = &'l Leaf<'a>>,
    ) -> Vec<Setting<'l>> {
        leaves.into_iter().map(|l| self.setting(l)).collect()
    }

    fn error<'l>(&self, error: &'l ErrorInfo<'_>) -> ErrorReport<'l> {
        let code = error.leaf("ErrorCode").map(|l| self.value(l));
        let code_meaning = code.as_ref().and_then(|c| {
            let number: u32 = c.value.parse().ok()?;
            KNOWN_ERROR_CODES
                .iter()
                .find(|(k, _)| *k == number)
                .map(|(_, m)| *m)
        });
        ErrorReport {
            line: self.position(error.node).0,
            tag: {
                let node = error.node;
                let start = node.range().start;
                // The whole start tag, attributes included.
                let end = node
                    .first_child()
                    .map_or(node.range().end, |c| c.range().start);
                self.span(start..end)
            },
            time: error.time.as_ref().map(|a| self.attribute(a)),
            id: error.id.as_ref().map(|a| self.attribute(a)),
            code,
            code_meaning,
            settings: self.settings(error.leaves.iter().filter(|l| l.name() != "ErrorCode")),
        }
    }

    fn account<'l>(&self, account: &'l Account<'_>) -> AccountReport<'l> {
        let value = |name| account.leaf(name).map(|l| self.value(l));
        const SHOWN_APART: [&str; 4] = ["AccountType", "Action", "RedirectUrl", "RedirectAddr"];
        AccountReport {
            line: self.position(account.node).0,
            account_type: value("AccountType"),
            action: value("Action"),
            redirect_url: value("RedirectUrl"),
            redirect_addr: value("RedirectAddr"),
            settings: self.settings(
                account
                    .leaves
                    .iter()
                    .filter(|l| !SHOWN_APART.contains(&l.name())),
            ),
            // Built one by one by `Reporter::protocols`.
            protocols: Vec::new(),
            error: account.error.as_ref().map(|e| self.error(e)),
        }
    }

    fn protocol<'l>(
        &self,
        account: &'l Account<'_>,
        protocol: &'l Protocol<'_>,
    ) -> ProtocolReport<'l> {
        let line = self.position(protocol.node).0;
        let type_name = protocol.type_name().map(Cow::Borrowed);
        let has_server = matches!(
            protocol.get(Slot::Type).map(Leaf::value),
            Some("IMAP" | "POP3" | "SMTP" | "NNTP" | "EXCH" | "EXPR")
        );
        let security = has_server.then(|| match protocol.security() {
            Some(s) => SecurityReport {
                description: s.mode.describe(),
                source: match s.source {
                    SecuritySource::Encryption => "Encryption",
                    SecuritySource::Ssl => "SSL",
                    SecuritySource::Default => "default (SSL on)",
                },
            },
            None => SecurityReport {
                description: "unclear: the value is not one clients understand",
                source: if protocol.get(Slot::Encryption).is_some() {
                    "Encryption"
                } else {
                    "SSL"
                },
            },
        });
        let mut defaults = Vec::new();
        if has_server {
            let absent = |name| protocol.setting(name).is_none();
            if absent("SSL") && absent("Encryption") {
                defaults.push(("SSL", "on".into()));
            }
            if absent("AuthRequired") {
                defaults.push(("AuthRequired", "on".into()));
            }
            if absent("SPA") {
                defaults.push(("SPA", "on".into()));
            }
            if absent("TTL") {
                defaults.push(("TTL", "1 (hour)".into()));
            }
            if protocol.is_type("SMTP") && absent("SMTPLast") {
                defaults.push(("SMTPLast", "off".into()));
            }
            let ssl_on = protocol
                .security()
                .is_some_and(|s| s.mode != crate::model::TlsMode::Clear);
            if let (true, true, Some(server)) = (
                ssl_on,
                absent("CertPrincipalName"),
                protocol.get(Slot::Server),
            ) {
                defaults.push((
                    "CertPrincipalName",
                    format!("msstd:{}", shorten(server.value())).into(),
                ));
            }
            if absent("DomainName") {
                defaults.push((
                    "DomainName",
                    "absent: the login is the e-mail address".into(),
                ));
            }
        }
        let smtp = protocol.smtp_credentials(account).map(|c| self.smtp(c));
        let effective = effective(protocol, has_server);
        let server_version_parts = protocol
            .get(Slot::ServerVersion)
            .and_then(|v| decode_server_version(v.value()));
        let server_version = server_version_parts.map(|(major, minor, build)| {
            format!(
                "{} ({major}.{minor}.{build})",
                exchange_product(major, minor)
            )
        });
        let mut endpoints = Vec::new();
        for (scope, found) in [
            ("Internal", protocol.internal()),
            ("External", protocol.external()),
        ] {
            let Some(found) = found else { continue };
            let mut entries = Vec::new();
            for owa in &found.owa_urls {
                let mut setting = self.setting(&owa.leaf);
                setting.authentication_method = owa
                    .authentication_method
                    .as_ref()
                    .map(|m| Cow::Borrowed(m.value));
                entries.push(setting);
            }
            for nested in &found.protocols {
                let url = nested
                    .get(Slot::ASUrl)
                    .map_or(Cow::Borrowed(""), |u| Cow::Borrowed(u.value()));
                let (line, column) = self.position(nested.node);
                entries.push(Setting {
                    name: Cow::Owned(format!("{} ASUrl", nested.type_name().unwrap_or("?"))),
                    value: Value {
                        value: url,
                        line,
                        column,
                        span: self.span(nested.node.range()),
                    },
                    authentication_method: None,
                });
            }
            endpoints.push(EndpointReport { scope, entries });
        }
        for (scope, found) in [
            ("MailStore", protocol.mail_store()),
            ("AddressBook", protocol.address_book()),
            ("NetworkRequirements", protocol.network_requirements()),
        ] {
            if let Some(found) = found {
                endpoints.push(EndpointReport {
                    scope,
                    entries: self.settings(&found.leaves),
                });
            }
        }
        ProtocolReport {
            line,
            tag: self.span(protocol.tag_span()),
            type_name,
            settings: self.settings(&protocol.settings),
            security,
            defaults,
            smtp,
            effective,
            server_version,
            server_version_parts,
            endpoints,
        }
    }

    fn smtp(&self, credentials: SmtpCredentials<'_, '_>) -> SmtpCredentialsReport {
        let line_of = |leaf: &Leaf<'_>| self.position(leaf.node).0;
        match credentials {
            SmtpCredentials::OwnByDefault => SmtpCredentialsReport {
                uses_pop3: Some(false),
                pop3_line: None,
                pop3_server: None,
                sentence: "logs in with its own credentials (no UsePOPAuth)".to_string(),
            },
            SmtpCredentials::Own(leaf) => SmtpCredentialsReport {
                uses_pop3: Some(false),
                pop3_line: None,
                pop3_server: None,
                sentence: format!(
                    "logs in with its own credentials (UsePOPAuth off, line {})",
                    line_of(leaf)
                ),
            },
            SmtpCredentials::FromPop3(leaf, Some(pop3)) => {
                let pop_line = self.position(pop3.node).0;
                // Quoted shortened: every SMTP Protocol repeats it (output stays linear).
                let server = pop3
                    .get(Slot::Server)
                    .map_or("(no server)".into(), |s| shorten(s.value()));
                let port = pop3
                    .get(Slot::Port)
                    .map(|p| format!(":{}", shorten(p.value())))
                    .unwrap_or_default();
                SmtpCredentialsReport {
                    uses_pop3: Some(true),
                    pop3_line: Some(pop_line),
                    // Whole up to the longest DNS name; a longer (invalid) one is shortened, as
                    // every SMTP Protocol repeats it.
                    pop3_server: pop3.get(Slot::Server).map(|s| {
                        let server = s.value();
                        if server.len() <= MAX_HOST_NAME {
                            server.to_string()
                        } else {
                            shorten(server).into_owned()
                        }
                    }),
                    sentence: format!(
                        "reuses the POP3 account's credentials (UsePOPAuth on, line {}): those of POP3 {server}{port} (line {pop_line})",
                        line_of(leaf)
                    ),
                }
            }
            SmtpCredentials::FromPop3(leaf, None) => SmtpCredentialsReport {
                uses_pop3: Some(true),
                pop3_line: None,
                pop3_server: None,
                sentence: format!(
                    "UsePOPAuth is on (line {}), but this Account has no POP3 Protocol to take the credentials from",
                    line_of(leaf)
                ),
            },
            SmtpCredentials::Unclear(leaf) => SmtpCredentialsReport {
                uses_pop3: None,
                pop3_line: None,
                pop3_server: None,
                sentence: format!(
                    "unclear: UsePOPAuth is {:?} (line {}), neither on nor off",
                    shorten(leaf.value()),
                    line_of(leaf)
                ),
            },
        }
    }
}

/// The typed settings of a Protocol; `with_defaults` for the Types that connect to a server
/// (their defaults are documented: SSL, AuthRequired and SPA on, TTL 1 hour, SMTPLast off,
/// CertPrincipalName msstd:SERVER when encrypted).
fn effective<'l>(protocol: &'l Protocol<'_>, with_defaults: bool) -> Effective<'l> {
    let text = |slot| {
        protocol
            .get(slot)
            .map(|l: &'l Leaf<'_>| Cow::Borrowed(l.value()))
    };
    // An on/off setting: its value, else the default (when defaults apply and it is absent).
    let switch = |slot, default: bool| match protocol.get(slot) {
        Some(leaf) => leaf.on_off(),
        None => with_defaults.then_some(default),
    };
    let written_security =
        protocol.get(Slot::Encryption).is_some() || protocol.get(Slot::SSL).is_some();
    let security = if with_defaults || written_security {
        Some(match protocol.security() {
            Some(s) => (
                match s.mode {
                    TlsMode::Implicit => SecurityMode::ImplicitTls,
                    TlsMode::StartTls => SecurityMode::StartTls,
                    TlsMode::Auto => SecurityMode::Auto,
                    TlsMode::Clear => SecurityMode::None,
                },
                match s.source {
                    SecuritySource::Encryption => "Encryption",
                    SecuritySource::Ssl => "SSL",
                    SecuritySource::Default => "default",
                },
            ),
            None => (
                SecurityMode::Unknown,
                if protocol.get(Slot::Encryption).is_some() {
                    "Encryption"
                } else {
                    "SSL"
                },
            ),
        })
    } else {
        None
    };
    let encrypted = security
        .is_some_and(|(mode, _)| !matches!(mode, SecurityMode::None | SecurityMode::Unknown));
    let cert_principal_name = text(Slot::CertPrincipalName).or_else(|| {
        let server = protocol.get(Slot::Server)?;
        (with_defaults && encrypted).then(|| Cow::Owned(format!("msstd:{}", server.value())))
    });
    let ttl_hours = match protocol.get(Slot::TTL) {
        Some(leaf) => leaf.value().parse().ok(),
        None => with_defaults.then_some(1),
    };
    let is_smtp = protocol.is_type("SMTP");
    Effective {
        server: text(Slot::Server),
        port: protocol.port(),
        security,
        auth_required: switch(Slot::AuthRequired, true),
        spa: switch(Slot::SPA, true),
        login: text(Slot::LoginName),
        // No default is documented (nor for Port): absent stays unknown.
        domain_required: protocol.get(Slot::DomainRequired).and_then(Leaf::on_off),
        domain_name: text(Slot::DomainName),
        ttl_hours,
        smtp_last: if is_smtp {
            switch(Slot::SMTPLast, false)
        } else {
            None
        },
        cert_principal_name,
    }
}

/// The longest DNS name (RFC 1035: 255 octets on the wire, 253 characters written).
const MAX_HOST_NAME: usize = 253;

/// Values longer than this are shortened where the report repeats them (a value is shown whole
/// once, in its own row): output then stays a small multiple of the input, whatever the input.
pub const MAX_QUOTED: usize = 80;

/// `value`, or its first characters, `…` and its length when it is longer than [`MAX_QUOTED`].
pub fn shorten(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(MAX_QUOTED) {
        None => Cow::Borrowed(value),
        Some((cut, _)) => {
            let keep = value[..cut]
                .char_indices()
                .nth(MAX_QUOTED - 20)
                .map_or(cut, |(i, _)| i);
            Cow::Owned(format!(
                "{}… ({} characters)",
                &value[..keep],
                value.chars().count()
            ))
        }
    }
}

/// The report of a model that is alive, built piece by piece: `show --format json` writes each
/// Protocol as it is built, so a response with a million Protocols never holds more than one.
pub struct Reporter<'r, 'a> {
    model: &'r Model<'a>,
    builder: Builder<'r>,
    /// Threads that may build and render a large input's Protocols (`render_protocols`).
    threads: Threads,
}

/// Gives the line and column of an offset in the input.
pub type Place<'p> = dyn Fn(usize) -> (usize, usize) + Sync + 'p;

/// Protocols each thread builds and renders in one round of `render_protocols`: enough to
/// pay for starting a thread, few enough that a round's bytes stay small (about a megabyte
/// in all on two threads).
const PROTOCOLS_PER_THREAD: usize = parallel::MIN_ITEMS_PER_THREAD;

impl<'r, 'a> Reporter<'r, 'a> {
    /// `place` gives the line and column of an offset in the input; `offsets` maps the tree's
    /// spans to the input's.
    pub fn new(
        model: &'r Model<'a>,
        place: &'r Place<'r>,
        offsets: &'r RunLog,
    ) -> Reporter<'r, 'a> {
        Reporter {
            model,
            builder: Builder { place, offsets },
            threads: Threads::ONE,
        }
    }

    /// The reporter with up to `threads` threads to build and render Protocols with.
    pub fn sharing(self, threads: Threads) -> Reporter<'r, 'a> {
        Reporter { threads, ..self }
    }

    pub fn kind(&self) -> DocKind {
        self.model.kind
    }

    fn accounts(&self) -> &'r [Account<'a>] {
        self.model
            .response
            .as_ref()
            .map_or(&[], |response| &response.accounts)
    }

    pub fn account_count(&self) -> usize {
        self.accounts().len()
    }

    /// Account `at` without its Protocols (see [`Reporter::protocols`]).
    pub fn account(&self, at: usize) -> AccountReport<'r> {
        self.builder.account(&self.accounts()[at])
    }

    /// The Protocols of Account `at`, each built when it is asked for.
    pub fn protocols(&self, at: usize) -> impl Iterator<Item = ProtocolReport<'r>> + '_ {
        let account = &self.accounts()[at];
        account
            .protocols
            .iter()
            .map(move |protocol| self.builder.protocol(account, protocol))
    }

    /// The Protocols of Account `at`, each built and put into bytes by `render` (with its
    /// place among them), handed to `write` in order. With several threads (a large input),
    /// rounds of Protocols are built and rendered side by side, each thread a contiguous
    /// run of them: what is held is one round's bytes, never the whole report.
    pub fn render_protocols(
        &self,
        at: usize,
        render: impl Fn(usize, &ProtocolReport<'r>, &mut Vec<u8>) + Sync,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let account = &self.accounts()[at];
        let protocols = &account.protocols;
        if self.threads.is_one() {
            let mut bytes = Vec::new();
            for (i, protocol) in protocols.iter().enumerate() {
                bytes.clear();
                render(i, &self.builder.protocol(account, protocol), &mut bytes);
                write(&bytes)?;
            }
            return Ok(());
        }
        // One buffer per thread, kept from round to round (each round's bytes are about the
        // size of the last: no growing, no page faults after the first).
        let buffers: Vec<Mutex<Vec<u8>>> = (0..self.threads.count())
            .map(|_| Mutex::new(Vec::new()))
            .collect();
        let round = PROTOCOLS_PER_THREAD * self.threads.count();
        for start in (0..protocols.len()).step_by(round) {
            let end = (start + round).min(protocols.len());
            let runs: Vec<(Range<usize>, &Mutex<Vec<u8>>)> =
                parallel::ranges(end - start, self.threads)
                    .into_iter()
                    .zip(&buffers)
                    .map(|(run, buffer)| (start + run.start..start + run.end, buffer))
                    .collect();
            parallel::map_each(&runs, |(run, buffer)| {
                let mut bytes = buffer.lock().unwrap_or_else(PoisonError::into_inner);
                bytes.clear();
                for i in run.clone() {
                    render(
                        i,
                        &self.builder.protocol(account, &protocols[i]),
                        &mut bytes,
                    );
                }
            });
            for (_, buffer) in &runs {
                write(&buffer.lock().unwrap_or_else(PoisonError::into_inner))?;
            }
        }
        Ok(())
    }

    /// Everything but the Accounts.
    pub fn head(&self) -> DocumentReport<'r> {
        let (model, builder) = (self.model, &self.builder);
        let mut report = DocumentReport {
            kind: Some(model.kind),
            looks_like: model.looks_like.clone(),
            ..DocumentReport::default()
        };
        if let Some(request) = &model.request {
            report.request = builder.settings(&request.leaves);
        }
        if let Some(response) = &model.response {
            report.user = builder.settings(&response.user);
            report.error = response.error.as_ref().map(|e| builder.error(e));
        }
        if let Some(mobile) = &model.mobile {
            report.culture = mobile.culture.as_ref().map(|c| builder.value(c));
            report.user = builder.settings(&mobile.user);
            report.redirect = mobile.redirect.as_ref().map(|r| builder.value(r));
            report.servers = mobile
                .servers
                .iter()
                .map(|s| MobileServerReport {
                    line: builder.position(s.node).0,
                    settings: builder.settings(&s.leaves),
                })
                .collect();
            report.error = mobile.error.as_ref().map(|e| builder.error(e));
        }
        report
    }

    /// The whole report.
    pub fn build(&self) -> DocumentReport<'r> {
        let mut report = self.head();
        report.accounts = (0..self.account_count())
            .map(|at| {
                let mut account = self.account(at);
                account.protocols = self.protocols(at).collect();
                account
            })
            .collect();
        report
    }
}

/// The whole report of `model`, positions counted in `text` (the input), owning its texts.
pub fn build(
    model: &Model<'_>,
    text: &str,
    index: &LineIndex,
    offsets: &RunLog,
) -> DocumentReport<'static> {
    let place = |offset| index.position(text, offset);
    Reporter::new(model, &place, offsets).build().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Options, ReportStream, analyze_streaming};

    /// A report handed out while the document is alive borrows its names and values from it
    /// (writing a large response's report copies no text); one kept after it owns them.
    #[test]
    fn streamed_reports_borrow_and_kept_ones_own() {
        let document = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/documents/isp-pop3-smtp-usepopauth.xml"
        ))
        .unwrap();
        let mut settings = 0;
        let mut write = |_, reporter: &Reporter<'_, '_>, _: &[_]| {
            for at in 0..reporter.account_count() {
                for protocol in reporter.protocols(at) {
                    for setting in &protocol.settings {
                        assert!(matches!(setting.name, Cow::Borrowed(_)));
                        assert!(matches!(setting.value.value, Cow::Borrowed(_)));
                        settings += 1;
                    }
                    assert!(matches!(protocol.effective.server, Some(Cow::Borrowed(_))));
                }
            }
            let kept = reporter.build().into_owned();
            let protocol = &kept.accounts[0].protocols[0];
            assert!(matches!(protocol.settings[0].value.value, Cow::Owned(_)));
        };
        let stream = ReportStream {
            with_marks: false,
            write: &mut write,
        };
        analyze_streaming(document, &Options::default(), Some(stream));
        assert!(settings >= 15, "{settings} settings");
    }

    /// Protocols built and rendered on several threads come out in order, each exactly as
    /// on one thread, with the place each is given: over several rounds, the last one short.
    #[test]
    fn protocols_rendered_side_by_side_come_out_as_on_one_thread() {
        let count = 3 * PROTOCOLS_PER_THREAD * 2 + 123;
        let mut text = String::from(
            "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
             <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
             <Account><AccountType>email</AccountType><Action>settings</Action>\n",
        );
        for i in 0..count {
            let kind = ["IMAP", "POP3", "SMTP"][i % 3];
            text.push_str(&format!(
                "<Protocol><Type>{kind}</Type>\n  <Server>mäil-{i}.example</Server><Port>{}</Port>\
                 <SSL>on</SSL></Protocol>\n",
                i % 65536
            ));
        }
        text.push_str("</Account></Response></Autodiscover>\n");
        let doc = crate::xml::parse(&text).unwrap();
        let model = Model::build(&doc);
        let index = LineIndex::new(&text);
        let place = |offset| index.position(&text, offset);
        let identity = RunLog::identity();
        let render = |i: usize, protocol: &ProtocolReport<'_>, bytes: &mut Vec<u8>| {
            bytes.extend_from_slice(format!("{i} {protocol:?}\n").as_bytes());
        };
        let rendered = |threads| {
            let reporter = Reporter::new(&model, &place, &identity).sharing(Threads::new(threads));
            let (mut out, mut writes) = (Vec::new(), 0);
            reporter
                .render_protocols(0, render, &mut |bytes| {
                    writes += 1;
                    out.extend_from_slice(bytes);
                    Ok(())
                })
                .unwrap();
            (out, writes)
        };
        let reporter = Reporter::new(&model, &place, &identity);
        let mut expected = Vec::new();
        for (i, protocol) in reporter.protocols(0).enumerate() {
            render(i, &protocol, &mut expected);
        }
        let (one, writes) = rendered(1);
        assert_eq!(writes, count);
        assert!(one == expected);
        for threads in [2, 3, 5] {
            let (shared, writes) = rendered(threads);
            assert!(shared == expected, "{threads} threads");
            assert!(writes < count / 1000, "{threads} threads: {writes} writes");
        }
        // A failed write stops the rendering and is handed back.
        let reporter = Reporter::new(&model, &place, &identity).sharing(Threads::new(2));
        let failed = reporter.render_protocols(0, render, &mut |_| Err(io::Error::other("full")));
        assert_eq!(failed.unwrap_err().to_string(), "full");
    }
}
