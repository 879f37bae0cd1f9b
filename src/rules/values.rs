//! The text of value elements and the values of documented attributes.

use crate::finding::{Applicability, Edit, Finding, Text};
use crate::model::{attribute, decode_server_version};
use crate::schema::{self, ElementDef, EnumDef, KNOWN_ERROR_CODES, OWA_AUTH_METHODS, ValueKind};
use crate::xml::{XmlNode, literal_value_span, plain_text_span, tag_span, value_span};

use super::Context;
use super::structure::truncate;

/// The Type of the Protocol that holds `node`, if it is in one.
fn protocol_type<'a>(node: XmlNode<'a>) -> Option<&'a str> {
    let protocol = node
        .parent()
        .filter(|p| p.is_element() && p.tag_name().name() == "Protocol")?;
    if let Some(kind) = crate::model::attribute(protocol, "Type") {
        return Some(kind.value.trim());
    }
    crate::xml::child_element(protocol, "Type")
        .and_then(crate::xml::only_text)
        .map(str::trim)
}

/// Checks `text`, the text content of the value element `node`.
pub fn check_value(
    ctx: &mut Context<'_, '_>,
    def: &'static ElementDef,
    node: XmlNode<'_>,
    text: &str,
) {
    let value = text.trim_ascii();
    let name = def.name;
    // What the templates write the element's name from.
    let word = &def.name;
    if value.is_empty() {
        if def.may_be_empty {
            return;
        }
        if let Some(rule) = def.value.empty_rule() {
            ctx.push(
                Finding::new(rule, tag_span(node), format!("<{name}> is empty")).with_help(
                    format!("give it {} or remove the element", expectation(def.value)),
                ),
            );
        }
        return;
    }
    // Computed only when there is something to report.
    let span = || value_span(node);
    if value.len() != text.len() && whitespace_matters(def.value) {
        let finding = Finding::new(
            "value-whitespace",
            span(),
            Text::template(
                |f, name, _| {
                    write!(
                        f,
                        "the value of <{name}> has whitespace around it; not every client trims it"
                    )
                },
                word,
                "",
            ),
        )
        .with_help(Text::template(
            |f, name, value| write!(f, "write <{name}>{value}</{name}>"),
            word,
            value,
        ));
        ctx.push(with_trim_fix(finding, node, value));
    }
    // Only formatted when something is reported.
    let shown = || truncate(value, 60);
    let invalid = |rule: &'static str, what: String| Finding::new(rule, span(), what);
    match def.value {
        ValueKind::OnOff => {
            if !value.eq_ignore_ascii_case("on") && !value.eq_ignore_ascii_case("off") {
                let mut finding = Finding::new(
                    "invalid-on-off",
                    span(),
                    Text::template(
                        |f, name, value| {
                            write!(
                                f,
                                "<{name}> must be on or off, not {:?}; clients read anything \
                                 else as unset",
                                truncate(value.text(), 60)
                            )
                        },
                        word,
                        value,
                    ),
                );
                let is_any = |words: [&str; 4]| words.iter().any(|w| w.eq_ignore_ascii_case(value));
                let meant = if is_any(["yes", "true", "1", "enabled"]) {
                    Some("on")
                } else if is_any(["no", "false", "0", "disabled"]) {
                    Some("off")
                } else {
                    None
                };
                if let Some(meant) = meant {
                    finding = replace_value(
                        finding.with_help(Text::template(
                            |f, name, meant| write!(f, "write <{name}>{meant}</{name}>"),
                            word,
                            meant,
                        )),
                        node,
                        meant,
                    );
                }
                ctx.push(finding);
            }
        }
        ValueKind::TrueFalse => {
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                ctx.push(invalid(
                    "invalid-true-false",
                    format!("<{name}> must be true or false, not {:?}", shown()),
                ));
            }
        }
        ValueKind::Port => match value.parse::<u64>() {
            Ok(port) if (1..=65535).contains(&port) => {}
            // Exchange 2007/2010 (and servers imitating them) write 0 for "not set" in the
            // Exchange Protocols, whose clients take these ports from elsewhere (RPC, HTTP).
            Ok(0) if matches!(protocol_type(node), Some("EXCH" | "EXPR")) => {}
            // DirectoryPort or ReferralPort outside EXCH/EXPR: exchange-setting-outside-exchange
            // says what is wrong (the element does not belong there); its value is beside the
            // point. One defect, one finding.
            Ok(_) | Err(_)
                if matches!(name, "DirectoryPort" | "ReferralPort")
                    && !matches!(protocol_type(node), Some("EXCH" | "EXPR")) => {}
            Ok(port) => ctx.push(
                Finding::new(
                    "port-out-of-range",
                    span(),
                    Text::template_number(
                        |f, name, port| {
                            write!(f, "<{name}> is {port}, outside the TCP port range 1–65535")
                        },
                        word,
                        port,
                    ),
                )
                .with_help(if port == 0 {
                    "remove the element when there is no such port"
                } else {
                    "give a port number from 1 to 65535"
                }),
            ),
            Err(_) => ctx.push(invalid(
                "port-out-of-range",
                format!("<{name}> is {:?}, not a port number (1–65535)", shown()),
            )),
        },
        ValueKind::Ttl => {
            if value.parse::<u64>().is_err() {
                ctx.push(
                    invalid(
                        "invalid-ttl",
                        format!(
                            "<TTL> must be a whole number of hours (0 or more), not {:?}",
                            shown()
                        ),
                    )
                    .with_help("for example <TTL>1</TTL>; 0 means never rediscover"),
                );
            }
        }
        ValueKind::Url => {
            if !is_absolute_url(value) {
                ctx.push(
                    invalid(
                        "invalid-url",
                        format!("<{name}> is not an absolute URL: {:?}", shown()),
                    )
                    .with_help(
                        "write a full URL such as https://mail.example.com/EWS/Exchange.asmx",
                    ),
                );
            }
        }
        ValueKind::UrlFragment => {
            if is_absolute_url(value) {
                ctx.push(
                    invalid(
                        "absolute-ecp-fragment",
                        format!(
                            "<{name}> holds an absolute URL, but clients append it to <EcpUrl>"
                        ),
                    )
                    .with_help(
                        "give the part after the EcpUrl, e.g. ?rfr=olk&p=customize/voicemail.aspx",
                    ),
                );
            }
        }
        ValueKind::Email => {
            if !is_email(value) {
                ctx.push(invalid(
                    "invalid-email",
                    format!(
                        "<{name}> is not an e-mail address (local@domain): {:?}",
                        shown()
                    ),
                ));
            }
        }
        ValueKind::Guid => {
            if !is_guid(value) {
                ctx.push(
                    invalid(
                        "invalid-guid",
                        format!("<{name}> is not a GUID: {:?}", shown()),
                    )
                    .with_help("a GUID has 8-4-4-4-12 hexadecimal digits"),
                );
            }
        }
        ValueKind::Hex32 => {
            // Exchange always writes eight digits; clients read the bit fields of all 32 bits.
            if value.len() != 8 || decode_server_version(value).is_none() {
                ctx.push(
                    invalid(
                        "invalid-server-version",
                        format!(
                            "<{name}> must be 8 hexadecimal digits (32 bits), not {:?}",
                            shown()
                        ),
                    )
                    .with_help("for example 73C18880 (Exchange 2016)"),
                );
            }
        }
        ValueKind::LegacyDn => {
            if !value
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case("/o="))
            {
                ctx.push(invalid(
                    "invalid-legacy-dn",
                    format!(
                        "<{name}> does not look like a legacy Exchange DN (/o=…/ou=…/cn=…): {:?}",
                        shown()
                    ),
                ));
            }
        }
        ValueKind::Ipv4 => {
            if value.parse::<std::net::Ipv4Addr>().is_err() {
                ctx.push(invalid(
                    "invalid-ip-address",
                    format!("<{name}> is not an IPv4 address: {:?}", shown()),
                ));
            }
        }
        ValueKind::Ipv6 => {
            if value.parse::<std::net::Ipv6Addr>().is_err() {
                ctx.push(invalid(
                    "invalid-ip-address",
                    format!("<{name}> is not an IPv6 address: {:?}", shown()),
                ));
            }
        }
        ValueKind::ErrorCode => match value.parse::<u32>() {
            Err(_) => ctx.push(invalid(
                "invalid-error-code",
                format!("<{name}> must be a number, not {:?}", shown()),
            )),
            Ok(code) if !KNOWN_ERROR_CODES.iter().any(|(known, _)| *known == code) => {
                let list = KNOWN_ERROR_CODES
                    .iter()
                    .map(|(c, _)| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                ctx.push(invalid(
                    "unknown-error-code",
                    format!("error code {code} is not one of the documented codes ({list})"),
                ));
            }
            Ok(_) => {}
        },
        ValueKind::UnsignedInt => {
            if value.parse::<u32>().is_err() {
                ctx.push(invalid(
                    "invalid-error-code",
                    format!("<{name}> must be a number, not {:?}", shown()),
                ));
            }
        }
        ValueKind::Culture => {
            let parts: Vec<&str> = value.split(':').collect();
            let ok = parts.len() == 2
                && parts[0].len() == 2
                && parts[0].chars().all(|c| c.is_ascii_alphabetic())
                && schema::is_country(parts[1]);
            if !ok {
                let mut finding = invalid(
                    "invalid-culture",
                    format!(
                        "<Culture> should be language:country such as en:us, not {:?}",
                        shown()
                    ),
                );
                if parts.len() == 2 && !schema::is_country(parts[1]) {
                    finding = finding
                        .with_help(format!("{:?} is not an ISO 3166 country code", parts[1]));
                }
                ctx.push(finding);
            }
        }
        ValueKind::Enum(allowed) => check_enum(ctx, node, name, value, allowed, span),
        ValueKind::Container | ValueKind::Text | ValueKind::HostOrUrl | ValueKind::SchemaUri => {}
    }
}

/// Adds the safe fix that removes the whitespace around `value` (the element's trimmed text),
/// when the text is written literally.
pub(super) fn with_trim_fix(finding: Finding, node: XmlNode<'_>, value: &str) -> Finding {
    match plain_text_span(node) {
        Some(raw) => finding.with_fix(
            Applicability::Safe,
            "remove the whitespace around the value",
            vec![Edit::new(raw, value.to_string())],
        ),
        None => finding,
    }
}

/// Adds the safe fix that writes `content` in place of the element's value (when the value is
/// written literally).
fn replace_value(finding: Finding, node: XmlNode<'_>, content: &'static str) -> Finding {
    match literal_value_span(node) {
        Some(span) => finding.with_fix(
            Applicability::Safe,
            Text::template(|f, _, content| write!(f, "write {content}"), &"", content),
            vec![Edit::new(span, content)],
        ),
        None => finding,
    }
}

fn check_enum(
    ctx: &mut Context<'_, '_>,
    node: XmlNode<'_>,
    name: &str,
    value: &str,
    def: &EnumDef,
    span: impl Fn() -> std::ops::Range<usize>,
) {
    if def.values.iter().any(|v| schema::same_name(v, value)) {
        return;
    }
    if let Some(right) = def.values.iter().find(|v| v.eq_ignore_ascii_case(value)) {
        if !def.any_case {
            let finding = Finding::new(
                "non-canonical-case",
                span(),
                format!("<{name}> is {value:?}; the documented spelling is {right:?}"),
            )
            .with_help(format!("write <{name}>{right}</{name}>"));
            ctx.push(replace_value(finding, node, right));
        }
        return;
    }
    if def.rare.iter().any(|r| r.eq_ignore_ascii_case(value)) {
        ctx.push(Finding::new(
            def.rare_rule,
            span(),
            format!("<{name}> {value:?} is rare: few clients act on it"),
        ));
        return;
    }
    let list = def.values.join(", ");
    let mut finding = Finding::new(
        def.rule,
        span(),
        format!(
            "<{name}> is {:?}; expected one of {list}",
            truncate(value, 40)
        ),
    );
    if name == "Encryption" && value.eq_ignore_ascii_case("starttls") {
        // Outlook's word for STARTTLS is TLS: the intent is plain.
        finding = replace_value(
            finding.with_help(
                "write <Encryption>TLS</Encryption>: TLS is Outlook's word for STARTTLS",
            ),
            node,
            "TLS",
        );
    } else if let Some(suggestion) = schema::suggest(value, def.values.iter().copied()) {
        finding = finding.with_help(format!("did you mean {suggestion}?"));
    }
    ctx.push(finding);
}

pub fn check_attribute_values(ctx: &mut Context<'_, '_>, def: &ElementDef, node: XmlNode<'_>) {
    match def.name {
        "OWAUrl" => {
            let Some(attr) = attribute(node, "AuthenticationMethod") else {
                return;
            };
            for method in attr.value.split(',').map(str::trim) {
                if !OWA_AUTH_METHODS
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(method))
                {
                    ctx.push(Finding::new(
                        "invalid-owa-auth-method",
                        attr.value_span.clone(),
                        format!(
                            "AuthenticationMethod {method:?} is not one of {}",
                            OWA_AUTH_METHODS[..5].join(", ")
                        ),
                    ));
                }
            }
        }
        "Error" => {
            if let Some(time) = attribute(node, "Time")
                && !is_time_of_day(time.value)
            {
                ctx.push(
                    Finding::new(
                        "invalid-error-time",
                        time.value_span.clone(),
                        format!(
                            "Time={:?} is not a time of day hh:mm:ss[.fraction]",
                            time.value
                        ),
                    )
                    .with_help("for example Time=\"21:25:04.8897083\""),
                );
            }
            if let Some(id) = attribute(node, "Id")
                && id.value.parse::<u32>().is_err()
            {
                ctx.push(Finding::new(
                    "invalid-error-id",
                    id.value_span.clone(),
                    format!("Id={:?} is not an unsigned 32-bit number", id.value),
                ));
            }
        }
        _ => {}
    }
}

/// Whether surrounding whitespace can change how a client reads the value.
fn whitespace_matters(kind: ValueKind) -> bool {
    !matches!(
        kind,
        ValueKind::Text
            | ValueKind::Container
            | ValueKind::LegacyDn
            | ValueKind::HostOrUrl
            | ValueKind::Culture
    )
}

fn expectation(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::OnOff => "on or off",
        ValueKind::TrueFalse => "true or false",
        ValueKind::Port => "a port number",
        ValueKind::Ttl => "a number of hours",
        ValueKind::Url | ValueKind::UrlFragment | ValueKind::SchemaUri => "a URL",
        ValueKind::Email => "an e-mail address",
        ValueKind::Guid => "a GUID",
        ValueKind::Hex32 => "a hexadecimal version",
        ValueKind::Ipv4 | ValueKind::Ipv6 => "an IP address",
        ValueKind::ErrorCode | ValueKind::UnsignedInt => "a number",
        ValueKind::Enum(_) => "one of its documented values",
        _ => "a value",
    }
}

pub fn is_absolute_url(value: &str) -> bool {
    let bytes = value.as_bytes();
    // The first `:` must start `://` (a `:` cannot be in a scheme). Host names, which come
    // here too, have none: one vector search settles them.
    let Some(colon) = memchr::memchr(b':', bytes) else {
        return false;
    };
    let Some(rest) = bytes[colon..].strip_prefix(b"://") else {
        return false;
    };
    // A scheme: a letter, then letters, digits, `+`, `.`, `-`.
    let scheme = &bytes[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'));
    // A host (or some authority) before the path, query or fragment.
    let has_authority = rest
        .first()
        .is_some_and(|b| !matches!(b, b'/' | b'?' | b'#'));
    scheme_ok && has_authority && !holds_byte_not_in_url(bytes)
}

/// Eight table lookups at a time, without a branch per byte.
fn holds_byte_not_in_url(bytes: &[u8]) -> bool {
    let not_in_url = |found: bool, b: &u8| found | NOT_IN_URL[usize::from(*b)];
    let mut words = bytes.chunks_exact(8);
    words
        .by_ref()
        .any(|word| word.iter().fold(false, not_in_url))
        || words.remainder().iter().fold(false, not_in_url)
}

/// Bytes a URL never holds unescaped: a table, because every URL value is scanned with it.
static NOT_IN_URL: [bool; 256] = {
    let mut table = [false; 256];
    let forbidden = b" \t\n\r\x0c<>\"{}|\\^`";
    let mut i = 0;
    while i < forbidden.len() {
        table[forbidden[i] as usize] = true;
        i += 1;
    }
    table
};

pub fn is_https_url(value: &str) -> bool {
    is_absolute_url(value)
        && value
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// local@domain: one `@` (an unquoted local part cannot hold another), no whitespace, control
/// or special characters, and a domain of non-empty labels of letters, digits and hyphens.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    if local.is_empty()
        || local.contains('@')
        || domain.is_empty()
        || domain.split('.').any(str::is_empty)
    {
        return false;
    }
    // Bytes an address never holds unquoted (a `matches!`: one bit test, not ten compares).
    let special = |b: u8| {
        matches!(
            b,
            b'<' | b'>' | b'(' | b')' | b'[' | b']' | b',' | b';' | b':' | b'"' | 0..=0x1f | 0x7f
        )
    };
    // Byte by byte when ASCII (the usual case); by character otherwise, so that Unicode
    // whitespace and letters are judged as such.
    if value.is_ascii() {
        !value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b == 0x0b || special(b))
            && domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    } else {
        !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c.is_ascii() && special(c as u8))
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
    }
}

pub fn is_guid(value: &str) -> bool {
    let value = value
        .strip_prefix('{')
        .and_then(|v| v.strip_suffix('}'))
        .unwrap_or(value);
    let mut groups = value.split('-');
    [8, 4, 4, 4, 12].into_iter().all(|len| {
        groups
            .next()
            .is_some_and(|g| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
    }) && groups.next().is_none()
}

fn is_time_of_day(value: &str) -> bool {
    let (clock, fraction) = value.split_once('.').unwrap_or((value, "0"));
    let parts: Vec<&str> = clock.split(':').collect();
    let two_digits = |s: &str, max: u32| s.len() == 2 && s.parse::<u32>().is_ok_and(|n| n <= max);
    parts.len() == 3
        && two_digits(parts[0], 23)
        && two_digits(parts[1], 59)
        && two_digits(parts[2], 60)
        && !fraction.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_absolute_url(
            "https://mail.example.com/EWS/Exchange.asmx"
        ));
        assert!(is_absolute_url("http://x"));
        assert!(!is_absolute_url("https:/Internal.mail.Contoso.com/owa"));
        assert!(!is_absolute_url("mail.example.com"));
        assert!(!is_absolute_url("https://"));
        assert!(!is_absolute_url("https://a b/"));
        assert!(is_absolute_url("a+b.c-1://host?q#f"));
        assert!(is_absolute_url("https://hôte.example/chemin"));
        for not_absolute in [
            "",
            "1http://x",
            "ht tp://x",
            "http:x",
            "http:/",
            "http:///path",
            "http://?q",
            "http://#f",
            "http://x/a{b}",
            "http://x/\t",
            "http://x/0123456789abcdef\"",
        ] {
            assert!(!is_absolute_url(not_absolute), "{not_absolute:?}");
        }
        assert!(is_https_url("HTTPS://x/"));
        assert!(!is_https_url("http://x/"));
    }

    #[test]
    fn emails() {
        assert!(is_email("user@example.com"));
        assert!(is_email("0f3e52c1-ab54-4bdf-8e29-5d3b1ed4e1b5@contoso.com"));
        assert!(!is_email("user"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("user@"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("a\u{b}b@example.com")); // vertical tab: whitespace too
        assert!(!is_email("a;b@example.com"));
        for special in "<>()[],;:\"".chars() {
            assert!(!is_email(&format!("a{special}b@example.com")), "{special}");
            assert!(
                !is_email(&format!("ä{special}b@example.com")),
                "{special}, not ASCII"
            );
        }
        assert!(is_email("a.b+c@example.com"));
        assert!(!is_email("ab@exa_mple.com"));
        // Non-ASCII: judged by character.
        assert!(is_email("jörg@bücher.example"));
        assert!(!is_email("jörg\u{a0}x@bücher.example")); // no-break space
        assert!(!is_email("jörg@bücher.example;"));
        // One @, labels that are not empty, no control characters.
        assert!(!is_email("me@@example.com"));
        assert!(!is_email("a@b@c.com"));
        assert!(!is_email("me@example..com"));
        assert!(!is_email("a\u{1}b@c.d"));
        assert!(!is_email("ä\u{85}b@c.d"));
        assert!(is_email("a&b@example.com"));
    }

    #[test]
    fn guids_and_times() {
        assert!(is_guid("30c3a927-42aa-5de8-91e3-8e5b4655ed00"));
        assert!(!is_guid("30c3a927-42aa-5de8-91e3-8e5b4655ed001"));
        assert!(is_guid("{30C3A927-42AA-5DE8-91E3-8E5B4655ED00}"));
        assert!(!is_guid("30c3a927-42aa-5de8-91e3-8e5b4655ed00-0000"));
        assert!(!is_guid("30c3a927-42aa-5de8-91e3"));
        assert!(!is_guid("30c3a927-42aa-5de8-91e3-8e5b4655ed0g"));
        assert!(is_time_of_day("21:25:04.8897083"));
        assert!(is_time_of_day("10:01:02"));
        assert!(!is_time_of_day("14:03:270.123456"));
        assert!(!is_time_of_day("25:00:00"));
    }
}
