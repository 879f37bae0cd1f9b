//! Documents built from a recipe, so that the fuzzer reaches the shapes byte-level mutation
//! never grows to: deep nesting, namespace declarations piling up in scope, many attributes,
//! thousands of repeated Protocols, long values, comments and CDATA between them. Each pair of
//! recipe bytes is one step; a small recipe can build a document of megabytes. The checks are
//! the pipeline target's: no panic, every position inside the input, every format sound and
//! linear in size, and the same outcome with and without the indentation taken out.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "Autodiscover",
    "Response",
    "Account",
    "AccountType",
    "Action",
    "Protocol",
    "Type",
    "Server",
    "Port",
    "SSL",
    "Encryption",
    "UsePOPAuth",
    "LoginName",
    "SPA",
    "AuthRequired",
    "Internal",
    "External",
    "OWAUrl",
    "Error",
    "ErrorCode",
    "Request",
    "EMailAddress",
    "AcceptableResponseSchema",
    "RedirectAddr",
    "Culture",
    "User",
    "DisplayName",
    "x",
    "p:Protocol",
];

const VALUES: &[&str] = &[
    "IMAP",
    "POP3",
    "SMTP",
    "EXCH",
    "EXPR",
    "WEB",
    "mapiHttp",
    "email",
    "settings",
    "redirectAddr",
    "on",
    "off",
    "On",
    "yes",
    "993",
    "0",
    "65536",
    "TLS",
    "STARTTLS",
    "mail.example.com",
    "https://mail.example.com/EWS/Exchange.asmx",
    "user@example.com",
    "",
    " on ",
    "Chloé Müller",
    "\u{202e}x",
    "&amp;&#10;",
    "600",
];

const NAMESPACES: &[&str] = &[
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006",
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a",
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006",
    "https://schemas.microsoft.com/exchange/autodiscover/responseschema/2006",
    "urn:x",
];

/// Documents are capped here so that each run stays fast.
const MAX_DOCUMENT: usize = 1 << 20;

fn build(recipe: &[u8]) -> Vec<u8> {
    let mut out = String::new();
    let mut open: Vec<&str> = Vec::new();
    // Where the element most recently closed starts: what a repeat step copies.
    let mut last_closed: Option<usize> = None;
    let mut prefixes = 0usize;
    for step in recipe.chunks(2) {
        let (op, arg) = (step[0], *step.get(1).unwrap_or(&0) as usize);
        if out.len() > MAX_DOCUMENT {
            break;
        }
        match op % 10 {
            0 => {
                let name = NAMES[arg % NAMES.len()];
                out.push('<');
                out.push_str(name);
                out.push('>');
                open.push(name);
            }
            1 => {
                let name = NAMES[arg % NAMES.len()];
                let ns = NAMESPACES[(arg / NAMES.len()) % NAMESPACES.len()];
                out.push_str(&format!("<{name} xmlns=\"{ns}\">"));
                open.push(name);
            }
            2 => {
                // A fresh prefix declared on a new element: they pile up while nested.
                let name = NAMES[arg % NAMES.len()];
                prefixes += 1;
                out.push_str(&format!("<{name} xmlns:n{prefixes}=\"urn:{prefixes}\">"));
                open.push(name);
            }
            3 => out.push_str(VALUES[arg % VALUES.len()]),
            4 => {
                if let Some(name) = open.pop() {
                    let start = out.rfind(&format!("<{name}")).unwrap_or(0);
                    out.push_str("</");
                    out.push_str(name);
                    out.push('>');
                    last_closed = Some(start);
                }
            }
            5 => {
                let name = NAMES[arg % NAMES.len()];
                let value = VALUES[(arg / 3) % VALUES.len()];
                out.push_str(&format!("<{name}>{value}</{name}>"));
            }
            6 => {
                // Repeat the element closed last, up to thousands of times.
                if let Some(start) = last_closed {
                    let piece = out[start..].to_string();
                    let times = (arg + 1) * 16;
                    for _ in 0..times {
                        if out.len() + piece.len() > MAX_DOCUMENT {
                            break;
                        }
                        out.push_str(&piece);
                    }
                }
            }
            7 => match arg % 6 {
                0 => out.push_str("<!-- adinspect: ignore invalid-on-off -->"),
                1 => out.push_str("<![CDATA[<x>]]>"),
                2 => out.push_str("<?pi data?>"),
                3 => out.push_str("\n    "),
                4 => out.push_str("\r\n\t"),
                _ => out.push_str(&"y".repeat(arg * 97)),
            },
            8 => {
                // Attributes, many of them when asked.
                let name = NAMES[arg % NAMES.len()];
                out.push('<');
                out.push_str(name);
                for i in 0..(arg % 7) * (arg % 31) {
                    out.push_str(&format!(" a{i}=\"{i}\""));
                }
                out.push('>');
                open.push(name);
            }
            _ => {
                // The document ends here, cut or closed.
                if arg % 2 == 0 {
                    return out.into_bytes();
                }
                break;
            }
        }
    }
    while let Some(name) = open.pop() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    out.into_bytes()
}

fuzz_target!(|recipe: &[u8]| {
    let data = build(recipe);
    let options = |keep_indentation| adinspect::analyze::Options {
        report: true,
        keep_indentation,
        ..Default::default()
    };
    let compacted = adinspect::analyze::analyze(data.as_slice(), &options(false));
    let kept = adinspect::analyze::analyze(data.as_slice(), &options(true));
    assert_eq!(compacted.findings, kept.findings);
    assert_eq!(format!("{:?}", compacted.report), format!("{:?}", kept.report));
    adinspect::invariants::assert_sound(compacted);
});
