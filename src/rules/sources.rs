//! Where each rule's fact comes from, shown by `explain` and in docs/rules.md. "POX reference"
//! is Microsoft's Autodiscover XML reference for Exchange (one page per element, named here by
//! the element); MS-OXDSCLI is the Autodiscover Publishing and Lookup Protocol, MS-OXDISCO the
//! Autodiscover HTTP Service Protocol, MS-ASCMD the ActiveSync command reference. "Client
//! behaviour" marks facts about what clients do that no specification states.

/// (rule, source), in catalogue order; a test checks that every rule has exactly one.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "invalid-utf8",
        "POX reference: requests and responses are UTF-8 encoded; XML 1.0 §4.3.3 (character encoding in entities)",
    ),
    (
        "not-utf8",
        "POX reference: requests and responses are UTF-8 encoded; XML 1.0 §4.3.3 (a declared encoding is read as declared)",
    ),
    (
        "encoding-mismatch",
        "XML 1.0 §4.3.3 and Appendix F (the declaration must name the encoding the bytes are in)",
    ),
    (
        "malformed-xml",
        "XML 1.0 §2.1 (well-formed documents) and §3 (element tags must match)",
    ),
    (
        "doctype-not-allowed",
        "POX reference: no DTD in any example or schema; OWASP XXE prevention (DTDs are the attack vector)",
    ),
    (
        "input-too-complex",
        "adinspect's own limits (no Autodiscover document comes near them); POX reference: at most two attributes per element",
    ),
    (
        "not-autodiscover",
        "POX reference: Autodiscover element is the root of every request and response; client behaviour (HTML login pages, Autodiscover v2 JSON)",
    ),
    (
        "missing-autodiscover-root",
        "POX reference: Autodiscover element (the root of requests and responses)",
    ),
    (
        "missing-namespace",
        "POX reference: Autodiscover, Request and Response elements (namespaces); Namespaces in XML 1.0 §6",
    ),
    (
        "wrong-namespace",
        "POX reference: request and response overview pages; MS-OXDSCLI request and response schemas",
    ),
    (
        "https-namespace",
        "Namespaces in XML 1.0 §2.3 (names compared as strings); MS-OXDSCLI and MS-ASCMD namespaces; Exchange's own responses",
    ),
    (
        "multiple-accounts",
        "POX reference: Response element (one Account); client behaviour (the first Account is read)",
    ),
    (
        "unused-suppression",
        "adinspect's suppression comments (a comment that silences nothing)",
    ),
    (
        "misplaced-element",
        "POX reference: the Parent elements table of every element page; MS-OXDSCLI schemas",
    ),
    (
        "unknown-element",
        "POX reference and MS-OXDSCLI element lists (the vocabulary of each document kind)",
    ),
    (
        "misspelt-element",
        "POX reference and MS-OXDSCLI element lists; XML 1.0 §2.3 (names are case-sensitive)",
    ),
    (
        "element-name-case",
        "XML 1.0 §2.3 (names are case-sensitive); POX reference element names",
    ),
    (
        "element-in-wrong-document",
        "POX reference: Outlook and ActiveSync (mobilesync) vocabularies; MS-ASCMD Autodiscover command",
    ),
    (
        "undocumented-element",
        "MS-OXDSCLI and Exchange's responses (elements the POX reference does not list)",
    ),
    (
        "duplicate-element",
        "POX reference: element pages (each setting occurs once); client behaviour (the first occurrence is read)",
    ),
    (
        "text-in-container",
        "POX reference: container elements have child elements, no text",
    ),
    (
        "children-in-value",
        "POX reference: leaf elements hold a text value",
    ),
    (
        "undocumented-attribute",
        "POX reference: Protocol (Type, Version), OWAUrl (AuthenticationMethod) and Error (Time, Id) attributes; every other page says Attributes: None",
    ),
    (
        "missing-element",
        "POX reference: Child elements tables (Request/Response in Autodiscover, Account or Error in Response, Action in Account, ErrorCode in Error); MS-ASCMD (Type and Url in Server)",
    ),
    (
        "empty-value",
        "POX reference: element pages (values are not empty)",
    ),
    (
        "empty-setting",
        "POX reference: Protocol child element pages; client behaviour (an empty setting replaces the user's)",
    ),
    (
        "value-whitespace",
        "POX reference: values compared exactly (Type, Action, on/off); client behaviour (no trimming)",
    ),
    (
        "invalid-on-off",
        "POX reference: SSL, SPA, AuthRequired, DomainRequired, UsePOPAuth, SMTPLast (values on and off)",
    ),
    (
        "invalid-true-false",
        "POX reference: MicrosoftOnline element (True/False); Exchange 2016/2019 responses (ConsumerMailbox)",
    ),
    (
        "port-out-of-range",
        "POX reference: Port, DirectoryPort, ReferralPort; RFC 793 (TCP ports 1–65535); Exchange 2007/2010 write 0 for not set",
    ),
    (
        "invalid-ttl",
        "POX reference: TTL element (whole hours; 0 means rediscover every time)",
    ),
    (
        "invalid-url",
        "POX reference: URL elements (ASUrl, EwsUrl, OABUrl, RedirectUrl…); RFC 3986",
    ),
    (
        "absolute-ecp-fragment",
        "POX reference: EcpUrl-* elements (fragments appended to EcpUrl)",
    ),
    (
        "invalid-email",
        "POX reference: EMailAddress, RedirectAddr, AutoDiscoverSMTPAddress; RFC 5321 (mailbox syntax)",
    ),
    (
        "invalid-guid",
        "POX reference: DeploymentId element (a GUID)",
    ),
    (
        "invalid-server-version",
        "POX reference: ServerVersion element (32-bit hexadecimal)",
    ),
    (
        "invalid-legacy-dn",
        "POX reference: LegacyDN, ServerDN (X.500 distinguished names)",
    ),
    (
        "invalid-ip-address",
        "POX reference: IPv4Start, IPv4End, IPv6Start and IPv6End elements of NetworkRequirements",
    ),
    (
        "invalid-error-code",
        "POX reference: ErrorCode element and handling Autodiscover error messages; MS-OXDSCLI error codes",
    ),
    (
        "unknown-error-code",
        "POX reference: handling Autodiscover error messages (500, 501, 600, 601, 602, 603)",
    ),
    (
        "invalid-culture",
        "POX reference: Culture element (language:country); ISO 639-1 and ISO 3166-1",
    ),
    (
        "unknown-protocol-type",
        "POX reference: Type element (EXCH, EXPR, EXHTTP, WEB, POP3, IMAP, SMTP…)",
    ),
    (
        "rare-protocol-type",
        "POX reference: Type element; client behaviour (types few clients read)",
    ),
    (
        "invalid-account-type",
        "POX reference: AccountType element (email)",
    ),
    (
        "invalid-action",
        "POX reference: Action element (settings, redirectAddr, redirectUrl)",
    ),
    (
        "invalid-auth-package",
        "POX reference: AuthPackage element (basic, kerb, kerbntlm, ntlm, certificate, negotiate, nego2); MS-OXDSCLI 2.2.4.1.1.2.6.4 (also anonymous)",
    ),
    (
        "undocumented-auth-package",
        "MS-OXDSCLI AuthPackage (Anonymous); POX reference AuthPackage page (adds nego2)",
    ),
    (
        "invalid-encryption",
        "POX reference: Encryption element (None, SSL, TLS, Auto)",
    ),
    (
        "non-canonical-case",
        "POX reference: enumerated values as documented; client behaviour (Outlook compares some values exactly)",
    ),
    (
        "invalid-owa-auth-method",
        "POX reference: OWAUrl AuthenticationMethod attribute values",
    ),
    (
        "invalid-error-time",
        "POX reference: Error element, Time attribute (hh:mm:ss.fraction)",
    ),
    (
        "invalid-error-id",
        "POX reference: Error element, Id attribute (unsigned 32-bit number)",
    ),
    (
        "protocol-without-type",
        "POX reference: Protocol and Type elements (Type is required, or the Type attribute for mapiHttp)",
    ),
    (
        "invalid-mapihttp-attribute",
        "POX reference: Protocol element attributes (Type=\"mapiHttp\", Version=\"1\")",
    ),
    (
        "mapihttp-element-outside-mapihttp",
        "POX reference: MailStore and AddressBook (children of the mapiHttp Protocol)",
    ),
    (
        "nested-protocol-extra-element",
        "POX reference: Internal and External elements (nested Protocol holds Type and ASUrl)",
    ),
    (
        "use-pop-auth-outside-smtp",
        "POX reference: UsePOPAuth element (applies to SMTP)",
    ),
    (
        "smtp-last-outside-smtp",
        "POX reference: SMTPLast element (applies to SMTP)",
    ),
    (
        "server-dn-outside-exch",
        "POX reference: ServerDN element (EXCH)",
    ),
    (
        "exchange-setting-outside-exchange",
        "POX reference: DirectoryPort, ReferralPort, ServerVersion…; MS-OXDSCLI 2.2.4.1.1.2.6.4 (AuthPackage in EXCH, EXPR, EXHTTP)",
    ),
    (
        "grouping-information-outside-expr",
        "POX reference: GroupingInformation element (EXPR)",
    ),
    (
        "encryption-outside-isp",
        "POX reference: Encryption element (IMAP, POP3, SMTP)",
    ),
    (
        "invalid-server",
        "POX reference: Server element (host name or address); RFC 1123 host names",
    ),
    (
        "port-ignored",
        "POX reference: Port element (IMAP, POP3, SMTP); client behaviour (EXCH/EXPR/WEB ports unused)",
    ),
    (
        "tls-mode-port-mismatch",
        "POX reference: SSL and Encryption elements; RFC 8314 (implicit TLS ports 993, 995, 465) and RFC 3207/RFC 2595 (STARTTLS ports)",
    ),
    (
        "ssl-encryption-conflict",
        "POX reference: Encryption element (overrides SSL)",
    ),
    (
        "cleartext-credentials",
        "POX reference: SSL, Encryption and AuthRequired elements; RFC 8314 (cleartext is deprecated)",
    ),
    (
        "smtp-port-25",
        "RFC 6409 (message submission on 587) and RFC 8314 (465); client behaviour (port 25 blocked by many networks)",
    ),
    (
        "spa-by-default",
        "POX reference: SPA element (absent means on); client behaviour (Outlook then insists on NTLM)",
    ),
    (
        "cert-principal-without-ssl",
        "POX reference: CertPrincipalName element (used with SSL)",
    ),
    (
        "use-pop-auth-without-pop3",
        "POX reference: UsePOPAuth element (the POP3 account's credentials)",
    ),
    (
        "settings-without-protocol",
        "POX reference: Action (settings) and Protocol elements",
    ),
    (
        "redirect-without-target",
        "POX reference: Action, RedirectAddr and RedirectUrl elements",
    ),
    (
        "redirect-target-mismatch",
        "POX reference: Action, RedirectAddr and RedirectUrl elements",
    ),
    (
        "redirect-with-protocols",
        "POX reference: Action element; MS-OXDISCO redirect handling",
    ),
    (
        "redirect-url-not-https",
        "MS-OXDISCO and Microsoft's Autodiscover endpoint list (redirects only to https); client behaviour",
    ),
    (
        "error-with-settings",
        "POX reference: Error element (an error response carries no settings)",
    ),
    (
        "error-code-contradicts-message",
        "POX reference: handling Autodiscover error messages (meaning of each code)",
    ),
    (
        "ecp-fragment-without-ecp-url",
        "POX reference: EcpUrl and EcpUrl-* elements",
    ),
    (
        "domain-required-without-domain",
        "POX reference: DomainRequired element (the user must type the domain)",
    ),
    (
        "invalid-ip-range",
        "POX reference: NetworkRequirements range elements (start and end pairs)",
    ),
    (
        "missing-acceptable-response-schema",
        "POX reference: AcceptableResponseSchema element; Exchange answers 600/601",
    ),
    (
        "wrong-acceptable-response-schema",
        "POX reference: AcceptableResponseSchema element; MS-ASCMD Autodiscover request",
    ),
    (
        "request-needs-one-address",
        "POX reference: Request element (EMailAddress or LegacyDN)",
    ),
    (
        "request-element-order",
        "MS-ASCMD Autodiscover request schema (a sequence)",
    ),
    (
        "mobilesync-url-not-https",
        "MS-ASCMD Autodiscover response (Url and Name of each Server)",
    ),
];

/// The source of a rule's fact.
pub fn source(rule: &str) -> &'static str {
    SOURCES
        .iter()
        .find(|(name, _)| *name == rule)
        .map_or("", |(_, source)| source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_one_source_in_catalogue_order() {
        let names: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
        let rules: Vec<&str> = super::super::RULES.iter().map(|r| r.name).collect();
        assert_eq!(names, rules);
        assert!(SOURCES.iter().all(|(_, source)| source.len() > 10));
    }
}
