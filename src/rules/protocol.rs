//! Per-Protocol checks: settings that only mean something for some Types, transport security
//! against the port, credentials sent in clear text.

use crate::finding::Finding;
use crate::model::{Account, Protocol, SecuritySource, Slot, SmtpCredentials, TlsMode};
use crate::text::{Template, Text};
use crate::xml::{child_elements, local_name, tag_span};

use super::Context;
use super::values::is_absolute_url;

/// The template of "<Element> only applies to ONLY Protocols; in this TYPE Protocol clients
/// ignore it" for a fixed ONLY: the element is the template's word, the type found its value.
macro_rules! only_applies_to {
    ($only:literal) => {{
        let template: Template = |f, element, kind| {
            write!(
                f,
                concat!(
                    "<{}> only applies to ",
                    $only,
                    " Protocols; in this {} Protocol clients ignore it"
                ),
                element, kind
            )
        };
        template
    }};
}

const EXCHANGE_TYPES: &[&str] = &["EXCH", "EXPR"];
const ISP_TYPES: &[&str] = &["POP3", "SMTP", "IMAP"];
/// Ports whose protocol starts in clear text and upgrades with STARTTLS.
const STARTTLS_PORTS: &[u16] = &[25, 587, 143, 110, 119];
/// Ports that expect TLS from the first byte.
const IMPLICIT_TLS_PORTS: &[u16] = &[465, 993, 995, 563];

pub fn check(ctx: &mut Context<'_, '_>) {
    let model = ctx.model;
    for account in model.accounts() {
        ctx.for_each(&account.protocols, |ctx, protocol| {
            check_protocol(ctx, account, protocol);
            super::account::check_protocol(ctx, account, protocol);
            for endpoints in [protocol.internal(), protocol.external()]
                .into_iter()
                .flatten()
            {
                for nested in &endpoints.protocols {
                    check_nested(ctx, nested);
                }
            }
        });
    }
}

fn check_nested(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    for child in child_elements(protocol.node) {
        let name = local_name(child);
        if name != "Type" && name != "ASUrl" {
            ctx.push(
                Finding::new(
                    "nested-protocol-extra-element",
                    tag_span(child),
                    format!(
                        "a <Protocol> inside <Internal>/<External> holds only <Type> and <ASUrl>; \
                     <{name}> there is ignored"
                    ),
                )
                .with_help("put the setting in the outer <Protocol>"),
            );
        }
    }
}

fn check_protocol(ctx: &mut Context<'_, '_>, account: &Account<'_>, protocol: &Protocol<'_>) {
    if protocol.get(Slot::Type).is_none() && protocol.type_attribute().is_none() {
        ctx.push(
            Finding::new(
                "protocol-without-type",
                protocol.tag_span(),
                "<Protocol> has no <Type>: clients cannot tell which server it describes and skip it",
            )
            .with_help("add <Type>IMAP</Type>, <Type>SMTP</Type>, <Type>EXCH</Type>, …"),
        );
    }
    check_mapi_attributes(ctx, protocol);
    if let Some(port) = protocol.get(Slot::Port) {
        let server = protocol
            .get(Slot::Server)
            .map(|s| s.value())
            .unwrap_or_default();
        if is_absolute_url(server) {
            ctx.push(Finding::new(
                "port-ignored",
                port.tag_span(),
                "<Port> is ignored when <Server> holds a URL",
            ));
        }
    }
    // Type-dependent settings are judged only against a known Type.
    let Some(kind) = protocol.get(Slot::Type).map(|t| t.value()) else {
        check_mapi_children(ctx, protocol);
        return;
    };
    let known = [
        "EXCH", "EXPR", "EXHTTP", "WEB", "POP3", "SMTP", "IMAP", "DAV", "NNTP",
    ]
    .contains(&kind);
    check_mapi_children(ctx, protocol);
    if !known {
        return;
    }
    // The Protocol types a setting applies to are part of the sentence's template (a template
    // takes one word, the element, and one value, the type found): `only_applies_to!`.
    let misplaced = |slot: Slot, rule: &'static str, only: Template| {
        protocol.get(slot).map(|leaf| {
            Finding::new(
                rule,
                leaf.tag_span(),
                Text::template(only, slot.word(), kind),
            )
        })
    };
    if kind != "SMTP" {
        if let Some(f) = misplaced(
            Slot::UsePOPAuth,
            "use-pop-auth-outside-smtp",
            only_applies_to!("SMTP"),
        ) {
            ctx.push(f.with_help("move <UsePOPAuth> into the SMTP <Protocol>"));
        }
        if let Some(f) = misplaced(
            Slot::SMTPLast,
            "smtp-last-outside-smtp",
            only_applies_to!("SMTP"),
        ) {
            ctx.push(f);
        }
    }
    if kind != "EXCH"
        && let Some(f) = misplaced(
            Slot::ServerDN,
            "server-dn-outside-exch",
            only_applies_to!("EXCH"),
        )
    {
        ctx.push(f);
    }
    if !EXCHANGE_TYPES.contains(&kind) {
        for slot in [Slot::ServerVersion, Slot::DirectoryPort, Slot::ReferralPort] {
            if let Some(f) = misplaced(
                slot,
                "exchange-setting-outside-exchange",
                only_applies_to!("EXCH and EXPR"),
            ) {
                ctx.push(f);
            }
        }
    }
    // MS-OXDSCLI 2.2.4.1.1.2.6.4: AuthPackage is used with Type EXCH, EXPR or EXHTTP (the POX
    // reference page names only the first two; Exchange 2016/2019 write it in EXHTTP).
    if !EXCHANGE_TYPES.contains(&kind)
        && kind != "EXHTTP"
        && let Some(f) = misplaced(
            Slot::AuthPackage,
            "exchange-setting-outside-exchange",
            only_applies_to!("EXCH, EXPR and EXHTTP"),
        )
    {
        ctx.push(f);
    }
    if kind != "EXPR"
        && let Some(f) = misplaced(
            Slot::GroupingInformation,
            "grouping-information-outside-expr",
            only_applies_to!("EXPR"),
        )
    {
        ctx.push(f);
    }
    if !ISP_TYPES.contains(&kind)
        && let Some(f) = misplaced(
            Slot::Encryption,
            "encryption-outside-isp",
            only_applies_to!("IMAP, POP3 and SMTP"),
        )
    {
        ctx.push(f);
    }
    if ISP_TYPES.contains(&kind) || kind == "NNTP" {
        check_isp_server(ctx, protocol, kind);
        check_transport(ctx, account, protocol, kind);
        check_spa_default(ctx, protocol, kind);
    } else if let (Some(cpn), Some(ssl)) = (
        protocol.get(Slot::CertPrincipalName),
        protocol.get(Slot::SSL),
    ) && ssl.on_off() == Some(false)
    {
        // The Exchange Types say nothing of Encryption: SSL off alone means no TLS, so no
        // certificate to name (as for IMAP, POP3 and SMTP in check_transport).
        ctx.push(Finding::new(
            "cert-principal-without-ssl",
            cpn.tag_span(),
            format!("<CertPrincipalName> names the server certificate, but this {kind} Protocol has SSL off"),
        ));
    }
}

fn check_mapi_attributes(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    match (protocol.type_attribute(), protocol.version_attribute()) {
        (None, None) => {}
        (Some(t), _) if t.value != "mapiHttp" => ctx.push(
            Finding::new(
                "invalid-mapihttp-attribute",
                t.value_span.clone(),
                format!(
                    "Protocol Type={:?}: the only documented value of the attribute is mapiHttp",
                    t.value
                ),
            )
            .with_help("the protocol kind of other Protocols goes in a <Type> element"),
        ),
        (Some(t), None) => ctx.push(
            Finding::new(
                "invalid-mapihttp-attribute",
                t.span.clone(),
                "Protocol Type=\"mapiHttp\" without Version: clients need Version=\"1\"",
            )
            .with_help("write <Protocol Type=\"mapiHttp\" Version=\"1\">"),
        ),
        (None, Some(v)) => ctx.push(Finding::new(
            "invalid-mapihttp-attribute",
            v.span.clone(),
            "Protocol Version without Type=\"mapiHttp\"",
        )),
        (Some(_), Some(v)) => {
            if v.value.parse::<u32>().map_or(true, |n| n == 0) {
                ctx.push(Finding::new(
                    "invalid-mapihttp-attribute",
                    v.value_span.clone(),
                    format!(
                        "Protocol Version={:?}: expected a positive number (1)",
                        v.value
                    ),
                ));
            }
        }
    }
}

fn check_mapi_children(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    if protocol.is_mapi_http() {
        return;
    }
    for endpoint in [protocol.mail_store(), protocol.address_book()]
        .into_iter()
        .flatten()
    {
        ctx.push(Finding::new(
            "mapihttp-element-outside-mapihttp",
            tag_span(endpoint.node),
            format!(
                "<{}> only belongs in a <Protocol Type=\"mapiHttp\" Version=\"1\">; clients ignore it here",
                local_name(endpoint.node)
            ),
        ));
    }
}

fn check_isp_server(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>, kind: &str) {
    let Some(server) = protocol.get(Slot::Server) else {
        return;
    };
    let host = server.value();
    if host.is_empty() {
        return; // empty-setting already says so
    }
    // A URL has a colon; most host names have none, and one search settles both questions.
    let has_colon = host.contains(':');
    let problem = if has_colon && (is_absolute_url(host) || host.contains("://")) {
        Some(format!(
            "<Server> of a {kind} Protocol is a URL ({host:?}); clients expect a host name or IP address"
        ))
    } else if holds_non_host_character(host) {
        Some(format!("<Server> {host:?} is not a host name"))
    } else if !has_colon && !host.contains('.') && host != "localhost" {
        Some(format!(
            "<Server> {host:?} is not a fully qualified host name (no dot)"
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        ctx.push(
            Finding::new("invalid-server", server.value_span(), message)
                .with_help("write the server's DNS name, e.g. imap.example.com"),
        );
    }
}

/// Whitespace, or a character no host name holds (`/ @ < > "`). Byte by byte when ASCII (the
/// usual case); by character otherwise, so that Unicode whitespace counts.
fn holds_non_host_character(host: &str) -> bool {
    let special = |c: char| c.is_whitespace() || matches!(c, '/' | '@' | '<' | '>' | '"');
    if host.is_ascii() {
        host.bytes().any(|b| special(char::from(b)))
    } else {
        host.chars().any(special)
    }
}

/// SPA (NTLM) is on unless the Protocol says otherwise (POX reference, SPA): Outlook then
/// insists on NTLM, which IMAP, POP3 and SMTP servers almost never offer.
fn check_spa_default(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>, kind: &str) {
    if kind == "NNTP" || protocol.get(Slot::SPA).is_some() {
        return;
    }
    ctx.push(
        Finding::new(
            "spa-by-default",
            protocol.tag_span(),
            Text::template(
                |f, _, kind| {
                    write!(
                        f,
                        "this {kind} Protocol has no <SPA>, so clients take SPA as on and try \
                         only NTLM authentication, which mail servers rarely offer"
                    )
                },
                &"",
                kind,
            ),
        )
        .with_help("add <SPA>off</SPA> (on only if the server really offers NTLM)"),
    );
}

fn check_transport(
    ctx: &mut Context<'_, '_>,
    account: &Account<'_>,
    protocol: &Protocol<'_>,
    kind: &str,
) {
    // SSL and Encryption both present and disagreeing: Encryption wins in Outlook, older
    // clients read SSL.
    if let (Some(ssl), Some(encryption)) = (protocol.get(Slot::SSL), protocol.get(Slot::Encryption))
    {
        let ssl_on = ssl.on_off();
        let enc = encryption.value().to_ascii_lowercase();
        let conflict = matches!(
            (ssl_on, enc.as_str()),
            (Some(true), "none") | (Some(false), "ssl" | "tls" | "auto")
        );
        if conflict {
            ctx.push(
                Finding::new(
                    "ssl-encryption-conflict",
                    ssl.value_span(),
                    format!(
                        "<SSL>{}</SSL> contradicts <Encryption>{}</Encryption>; Outlook follows \
                         Encryption, clients that only know SSL do the opposite",
                        ssl.value(),
                        encryption.value()
                    ),
                )
                .with_help("make SSL agree (on for SSL/TLS/Auto, off for None) or drop it"),
            );
        }
    }
    let security = protocol.security();
    let port = protocol.port();
    if let (Some(security), Some(port)) = (security, port) {
        // Only computed when there is something to report: it reads the tree again.
        let at = || {
            match security.source {
                SecuritySource::Encryption => protocol.get(Slot::Encryption),
                SecuritySource::Ssl => protocol.get(Slot::SSL),
                SecuritySource::Default => protocol.get(Slot::Port),
            }
            .map_or_else(|| protocol.tag_span(), |l| l.value_span())
        };
        let what = match security.source {
            SecuritySource::Encryption => "Encryption SSL",
            SecuritySource::Ssl => "SSL on",
            SecuritySource::Default => "no SSL element (which means SSL on)",
        };
        if security.mode == TlsMode::Implicit && STARTTLS_PORTS.contains(&port) {
            ctx.push(
                Finding::new(
                    "tls-mode-port-mismatch",
                    at(),
                    format!(
                        "{what} asks for TLS from the first byte, but port {port} is a STARTTLS \
                         port: the handshake fails or the client falls back"
                    ),
                )
                .with_help(format!(
                    "for {kind} on port {port} write <Encryption>TLS</Encryption> (STARTTLS), or \
                     use port {}",
                    implicit_port(kind)
                )),
            );
        } else if security.mode == TlsMode::StartTls && IMPLICIT_TLS_PORTS.contains(&port) {
            ctx.push(
                Finding::new(
                    "tls-mode-port-mismatch",
                    at(),
                    format!(
                        "Encryption TLS means STARTTLS, but port {port} expects TLS from the first byte"
                    ),
                )
                .with_help("write <Encryption>SSL</Encryption> for this port"),
            );
        }
    }
    if let (Some(security), Some((true, auth_default))) = (security, protocol.auth_required()) {
        // Credentials reused from POP3 travel over this connection too.
        let reuses_pop = matches!(
            protocol.smtp_credentials(account),
            Some(SmtpCredentials::FromPop3(..))
        );
        if security.mode == TlsMode::Clear {
            let at = match security.source {
                SecuritySource::Encryption => protocol.get(Slot::Encryption),
                _ => protocol.get(Slot::SSL),
            }
            .map_or_else(|| protocol.tag_span(), |l| l.value_span());
            ctx.push(
                Finding::new(
                    "cleartext-credentials",
                    at,
                    format!(
                        "{kind} requires authentication{} but the connection is not encrypted: \
                         the password crosses the network in clear text{}",
                        if auth_default {
                            " (AuthRequired defaults to on)"
                        } else {
                            ""
                        },
                        if reuses_pop {
                            " (the POP3 password, via UsePOPAuth)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_help("use <Encryption>TLS</Encryption> or SSL on"),
            );
        }
    }
    if kind == "SMTP" && port == Some(25) && protocol.auth_required().is_some_and(|(on, _)| on) {
        let at = protocol
            .get(Slot::Port)
            .map_or_else(|| protocol.tag_span(), |p| p.value_span());
        ctx.push(
            Finding::new(
                "smtp-port-25",
                at,
                "SMTP with authentication on port 25: many networks block outbound port 25, so sending fails away from the office",
            )
            .with_help("use port 587 with <Encryption>TLS</Encryption>, or 465 with SSL on"),
        );
    }
    if let (Some(cpn), Some(security)) = (protocol.get(Slot::CertPrincipalName), security)
        && security.mode == TlsMode::Clear
    {
        ctx.push(Finding::new(
            "cert-principal-without-ssl",
            cpn.tag_span(),
            "<CertPrincipalName> names the server certificate, but this Protocol uses no TLS",
        ));
    }
}

fn implicit_port(kind: &str) -> &'static str {
    match kind {
        "IMAP" => "993",
        "POP3" => "995",
        "SMTP" => "465",
        _ => "563",
    }
}

#[cfg(test)]
mod tests {
    use super::holds_non_host_character;

    #[test]
    fn host_names_hold_no_whitespace_and_no_url_characters() {
        for bad in [
            "mail example.com",
            "mail.example.com\t",
            "a\u{b}b.example",
            "user@mail.example.com",
            "mail.example.com/owa",
            "<mail>",
            "\"mail\"",
            "hôte\u{a0}example.fr",
        ] {
            assert!(holds_non_host_character(bad), "{bad:?}");
        }
        for good in [
            "mail.example.com",
            "hôte.example.fr",
            "[::1]",
            "10.0.0.1:993",
        ] {
            assert!(!holds_non_host_character(good), "{good:?}");
        }
    }
}
