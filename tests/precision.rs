//! Right about real servers (issue 14): what Exchange itself writes raises nothing, and what
//! breaks account setup fails the run. Facts from MS-OXDSCLI are named where they are used.

mod common;

use common::*;

fn exchange_protocol(kind: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
         <Account><AccountType>email</AccountType><Action>settings</Action>\n\
         <Protocol><Type>{kind}</Type><Server>mail.example.org</Server><SSL>On</SSL>\n\
         <AuthPackage>Ntlm</AuthPackage><EwsUrl>https://mail.example.org/EWS/Exchange.asmx</EwsUrl></Protocol>\n\
         </Account></Response></Autodiscover>\n"
    )
}

/// MS-OXDSCLI 2.2.4.1.1.2.6.4: AuthPackage is used with EXCH, EXPR and EXHTTP; Exchange 2016 and
/// 2019 write it in EXHTTP Protocols.
#[test]
fn auth_package_in_exhttp_is_exchange_output_not_a_mistake() {
    for kind in ["EXCH", "EXPR", "EXHTTP"] {
        let output = run_with_stdin(
            &["check", "--format", "concise"],
            exchange_protocol(kind).as_bytes(),
        );
        assert_eq!(output.status.code(), Some(0), "{kind}: {}", stdout(&output));
        assert_eq!(stdout(&output), "", "{kind}");
    }
    let output = run_with_stdin(
        &["check", "--format", "concise"],
        exchange_protocol("WEB").as_bytes(),
    );
    assert!(
        stdout(&output).contains("warning[exchange-setting-outside-exchange] <AuthPackage> only applies to EXCH, EXPR and EXHTTP"),
        "{}",
        stdout(&output)
    );
}

/// Namespace names are compared character by character: an https:// namespace is another
/// namespace, account setup fails, and so does the CI run by default.
#[test]
fn an_https_namespace_fails_the_run() {
    let output = run(&[
        "check",
        "--format",
        "concise",
        "fixtures/rules/https-namespace/bad.xml",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("error[https-namespace]"),
        "{}",
        stdout(&output)
    );
}

fn with_protocol(kind: &str, settings: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
         <Account><AccountType>email</AccountType><Action>settings</Action>\n\
         <Protocol><Type>{kind}</Type><Server>mail.example.org</Server>{settings}\
         <SPA>off</SPA><SSL>on</SSL><AuthRequired>on</AuthRequired></Protocol>\n\
         </Account></Response></Autodiscover>\n"
    )
    .into_bytes()
}

fn rules_of(document: &[u8]) -> Vec<String> {
    let output = run_with_stdin(&["check", "--format", "jsonl"], document);
    stdout(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Exchange 2007/2010 write 0 for "not set" in EXCH Protocols; elsewhere 0 is no port, and a
/// DirectoryPort outside EXCH/EXPR is one defect (the element does not belong), one finding.
#[test]
fn port_zero_is_exchange_not_set_and_one_defect_gives_one_finding() {
    let exchange = "<Port>0</Port><DirectoryPort>0</DirectoryPort><ReferralPort>0</ReferralPort>";
    assert_eq!(
        rules_of(&with_protocol("EXCH", exchange)),
        Vec::<String>::new()
    );
    assert_eq!(
        rules_of(&with_protocol("EXPR", exchange)),
        Vec::<String>::new()
    );
    assert_eq!(
        rules_of(&with_protocol(
            "IMAP",
            "<Port>993</Port><DirectoryPort>0</DirectoryPort>"
        )),
        ["exchange-setting-outside-exchange"]
    );
    assert_eq!(
        rules_of(&with_protocol("IMAP", "<Port>0</Port>")),
        ["port-out-of-range"]
    );
    assert_eq!(
        rules_of(&with_protocol("EXCH", "<Port>70000</Port>")),
        ["port-out-of-range"]
    );
}

/// CertPrincipalName names the certificate of a TLS connection: with SSL off there is none, in
/// an EXPR Protocol as in an IMAP one.
#[test]
fn cert_principal_name_without_tls_in_exchange_protocols_too() {
    let exchange = |ssl: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
             <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
             <Account><AccountType>email</AccountType><Action>settings</Action>\n\
             <Protocol><Type>EXPR</Type><Server>mail.example.org</Server><SSL>{ssl}</SSL>\n\
             <CertPrincipalName>msstd:mail.example.org</CertPrincipalName></Protocol>\n\
             </Account></Response></Autodiscover>\n"
        )
        .into_bytes()
    };
    let rules = |doc: Vec<u8>| {
        let output = run_with_stdin(
            &["check", "--format", "concise", "--fail-level", "never"],
            &doc,
        );
        stdout(&output)
    };
    assert!(
        rules(exchange("Off")).contains("info[cert-principal-without-ssl]"),
        "{}",
        rules(exchange("Off"))
    );
    assert_eq!(rules(exchange("On")), "");
}

/// An Exchange 2016/2019 response (ConsumerMailbox in the Account, AuthPackage in EXHTTP): one
/// summary line, nothing else.
#[test]
fn exchange_2016_output_raises_nothing() {
    let response = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
        <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
        <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
        <Account><AccountType>email</AccountType><Action>settings</Action>\n\
        <MicrosoftOnline>False</MicrosoftOnline><ConsumerMailbox>False</ConsumerMailbox>\n\
        <Protocol><Type>EXHTTP</Type><Server>mail.example.org</Server><SSL>On</SSL>\n\
        <AuthPackage>Ntlm</AuthPackage><ServerExclusiveConnect>On</ServerExclusiveConnect></Protocol>\n\
        </Account></Response></Autodiscover>\n";
    let output = run_with_stdin(&["check", "-"], response.as_bytes());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "no problems found in 1 file\n");
    let bad = response.replace("<ConsumerMailbox>False", "<ConsumerMailbox>maybe");
    let output = run_with_stdin(&["check", "--format", "concise", "-"], bad.as_bytes());
    assert!(
        stdout(&output).contains("warning[invalid-true-false] <ConsumerMailbox>"),
        "{}",
        stdout(&output)
    );
}

/// One defect, one finding: an empty LoginName is empty, not also a login without a domain.
#[test]
fn an_empty_login_name_is_one_finding() {
    let doc = with_protocol(
        "IMAP",
        "<Port>993</Port><LoginName></LoginName><DomainRequired>on</DomainRequired>",
    );
    let output = run_with_stdin(&["check", "--format", "concise"], &doc);
    let text = stdout(&output);
    assert!(text.contains("warning[empty-setting]"), "{text}");
    assert!(!text.contains("domain-required-without-domain"), "{text}");
}

/// The same padding is judged the same way on a MobileSync Server's Url and Name (both hold the
/// URL the device connects to).
#[test]
fn padded_mobilesync_url_and_name_are_both_reported() {
    let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
        <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
        <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006\">\n\
        <Culture>en:us</Culture><User><DisplayName>Jane</DisplayName><EMailAddress>jane@example.org</EMailAddress></User>\n\
        <Action><Settings><Server><Type>MobileSync</Type>\n\
        <Url> https://eas.example.org/Microsoft-Server-ActiveSync </Url>\n\
        <Name> https://eas.example.org/Microsoft-Server-ActiveSync </Name>\n\
        </Server></Settings></Action></Response></Autodiscover>\n";
    let output = run_with_stdin(&["check", "--format", "concise"], doc.as_bytes());
    let text = stdout(&output);
    assert!(
        text.contains("value-whitespace] the value of <Url>"),
        "{text}"
    );
    assert!(
        text.contains("value-whitespace] the value of <Name>"),
        "{text}"
    );
}

/// A correctly declared ISO-8859-1 or windows-1252 document is read as declared (as libxml2 and
/// MSXML do): the right characters, one not-utf8 warning, no invalid-UTF-8 errors.
#[test]
fn declared_legacy_encodings_are_read_as_declared() {
    for (label, name_bytes, shown) in [
        ("ISO-8859-1", &b"Ren\xE9 M\xFCller"[..], "René Müller"),
        ("windows-1252", &b"Ren\xE9 \x80"[..], "René €"),
    ] {
        let mut document = format!(
            "<?xml version=\"1.0\" encoding=\"{label}\"?>\n\
             <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
             <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
             <User><DisplayName>"
        )
        .into_bytes();
        document.extend_from_slice(name_bytes);
        document.extend_from_slice(
            b"</DisplayName></User>\n<Account><AccountType>email</AccountType><Action>settings</Action>\n\
              <Protocol><Type>IMAP</Type><Server>imap.example.org</Server><Port>993</Port><SSL>on</SSL><SPA>off</SPA></Protocol>\n\
              </Account></Response></Autodiscover>\n",
        );
        let output = run_with_stdin(&["show", "--color", "never", "-"], &document);
        let text = stdout(&output);
        assert!(
            text.contains(&format!("DisplayName              {shown} (line 4)")),
            "{text}"
        );
        assert_eq!(output.status.code(), Some(0), "a warning only: {text}");
        let findings = rules_of(&document);
        assert_eq!(findings, vec!["not-utf8"], "{label}");
        let json = json(&run_with_stdin(
            &["show", "--format", "json", "-"],
            &document,
        ));
        assert_eq!(json["files"][0]["encoding"], label);
        assert_eq!(json["files"][0]["user"]["DisplayName"]["value"], shown);
        let help = json["files"][0]["findings"][0]["help"].as_str().unwrap();
        assert!(
            help.contains("encoding=\"utf-8\"") && help.contains("iconv"),
            "{help}"
        );
    }
}

/// A misspelt root is reported at both tags (the start tag as the related span in human output
/// and SARIF), and the message says which of the two names is misspelt.
#[test]
fn mismatched_tags_point_at_both_and_name_the_misspelt_one() {
    let document = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
        <AutoDiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
        <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
        </Response>\n\
        </Autodiscover>\n";
    let output = run_with_stdin(&["check", "--color", "never", "-"], document);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(
            "error[malformed-xml]: <AutoDiscover> (line 2) is closed by </Autodiscover>: the start tag is misspelt, the element is <Autodiscover>"
        ),
        "{text}"
    );
    assert!(text.contains(" --> -:5:1\n"), "{text}");
    assert!(
        text.contains("5 | </Autodiscover>\n  | ^^^^^^^^^^^^^^^\n"),
        "{text}"
    );
    assert!(
        text.contains("2 | <AutoDiscover xmlns=")
            && text.contains("  | ------------- <AutoDiscover> opened here\n"),
        "{text}"
    );
    let sarif = json(&run_with_stdin(
        &["check", "--format", "sarif", "-"],
        document,
    ));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    let related = &result["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 2);
    assert_eq!(related["physicalLocation"]["region"]["startColumn"], 1);
    assert_eq!(related["physicalLocation"]["region"]["endColumn"], 14);
    assert_eq!(related["message"]["text"], "<AutoDiscover> opened here");
}

/// `show` gives every value its line, and each Error attribute its own row with its own marks.
#[test]
fn show_gives_each_value_its_line_and_each_error_attribute_its_row() {
    let document = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
        <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
        <Response>\n\
        <Error Time=\"noon\" Id=\"12345678901\">\n\
        <ErrorCode>600</ErrorCode>\n\
        <Message>Invalid Request</Message>\n\
        <DebugData />\n\
        </Error>\n\
        </Response>\n\
        </Autodiscover>\n";
    let output = run_with_stdin(&["show", "--color", "never", "-"], document);
    let text = stdout(&output);
    let row = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in {text}"))
            .to_string()
    };
    let time = row("Time ");
    assert!(
        time.contains("noon (line 4)") && time.contains("invalid-error-time"),
        "{time}"
    );
    assert!(!time.contains("invalid-error-id"), "{time}");
    let id = row("Id ");
    assert!(
        id.contains("12345678901 (line 4)") && id.contains("invalid-error-id"),
        "{id}"
    );
    assert!(row("Message ").contains("Invalid Request (line 6)"));
}
