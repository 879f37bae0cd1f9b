//! Hostile and broken inputs: each gets a clear finding or error, never a panic, a hang or a
//! memory blow-up, and the positions reported stay inside the input. Plus a property test that
//! mutates valid fixtures (delete, duplicate, swap, change values, truncate).

use adinspect::analyze::{Analysis, Options, analyze};
use adinspect::invariants::assert_sound;

fn run(bytes: impl Into<Vec<u8>>) -> Analysis {
    analyze(
        bytes,
        &Options {
            report: true,
            ..Options::default()
        },
    )
}

fn rules(analysis: &Analysis) -> Vec<&'static str> {
    analysis.findings.iter().map(|f| f.rule).collect()
}

/// Analyses, checks the invariants, and returns the rules that fired and the kind.
fn sound(bytes: impl Into<Vec<u8>>) -> (Vec<&'static str>, &'static str) {
    let analysis = run(bytes);
    let found = (rules(&analysis), analysis.kind.as_str());
    assert_sound(analysis);
    found
}

const RESPONSE: &[u8] = include_bytes!("../fixtures/documents/isp-pop3-smtp-usepopauth.xml");

#[test]
fn empty_whitespace_binary_and_nul() {
    assert_eq!(
        sound(b"".as_slice()),
        (vec!["not-autodiscover"], "not-autodiscover")
    );
    assert_eq!(sound(b"  \n\t \r\n".as_slice()).0, vec!["not-autodiscover"]);
    let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    assert_eq!(sound(binary).0, vec!["not-autodiscover"]);
    assert_eq!(
        sound(b"<Autodiscover>\0</Autodiscover>".as_slice()).0,
        vec!["not-autodiscover"]
    );
}

#[test]
fn invalid_utf8_in_the_middle() {
    let mut bytes = RESPONSE.to_vec();
    let at = bytes.len() / 2;
    bytes.splice(at..at, [0xC3, 0x28, 0xFF]);
    let (found, kind) = sound(bytes);
    assert!(found.contains(&"invalid-utf8"), "{found:?}");
    assert_ne!(kind, "not-autodiscover");
}

#[test]
fn utf16_utf32_and_contradicting_declarations() {
    let text = std::str::from_utf8(RESPONSE)
        .unwrap()
        .replace("utf-8", "utf-16");
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut le_bom = vec![0xFF, 0xFE];
    le_bom.extend(&le);
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [le, le_bom, be] {
        let (found, kind) = sound(bytes);
        assert_eq!(found, vec!["not-utf8"]);
        assert_eq!(kind, "outlook-response");
    }
    let utf32: Vec<u8> = std::str::from_utf8(RESPONSE)
        .unwrap()
        .replace("utf-8", "utf-32")
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    assert_eq!(sound(utf32), (vec!["not-utf8"], "outlook-response"));
    let latin = std::str::from_utf8(RESPONSE)
        .unwrap()
        .replace("utf-8", "iso-8859-1")
        .replace("kim.lee@", "jöns@");
    assert!(sound(latin).0.contains(&"encoding-mismatch"));
}

#[test]
fn dtds_are_refused_never_expanded_or_fetched() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
                  <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n\
                  <Autodiscover>&lol3;</Autodiscover>";
    let analysis = run(laughs);
    assert_eq!(rules(&analysis), vec!["doctype-not-allowed"]);
    assert_eq!(analysis.findings[0].line, 2);
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n\
               <Autodiscover>&x;</Autodiscover>";
    let analysis = run(xxe);
    assert_eq!(rules(&analysis), vec!["doctype-not-allowed"]);
    assert!(
        !analysis
            .findings
            .iter()
            .any(|f| f.message.to_str().contains("root:"))
    );
    assert_sound(analysis);
}

#[test]
fn nesting_a_million_deep() {
    let depth = 1_000_000;
    let deep = format!(
        "<Autodiscover>{}{}</Autodiscover>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let (found, _) = sound(deep);
    assert!(found.contains(&"unknown-element"));
    let unclosed = "<Autodiscover>".to_string() + &"<a>".repeat(depth);
    assert!(sound(unclosed).0.contains(&"malformed-xml"));
}

#[test]
fn known_containers_nested_half_a_million_deep() {
    // Protocol > Internal > Protocol > …: every level is a known container, so nothing is
    // skipped. This used to overflow the stack while building the model.
    let depth = 500_000;
    let deep = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
         <Account><Action>settings</Action>{}{}</Account></Response></Autodiscover>",
        "<Protocol><Internal>".repeat(depth),
        "</Internal></Protocol>".repeat(depth)
    );
    let (found, kind) = sound(deep);
    assert_eq!(kind, "outlook-response");
    assert!(
        found.contains(&"nested-protocol-extra-element"),
        "{found:?}"
    );
}

#[test]
fn a_50_mb_text_node() {
    let big = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
         <Account><Action>settings</Action><Protocol><Type>IMAP</Type><Server>{}</Server>\
         </Protocol></Account></Response></Autodiscover>",
        "x".repeat(50_000_000)
    );
    let (found, kind) = sound(big);
    assert_eq!(kind, "outlook-response");
    assert!(found.contains(&"invalid-server"), "{found:?}");
}

#[test]
fn hundreds_of_thousands_of_attributes() {
    let attributes: String = (0..300_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let doc = format!(
        "<Autodiscover><Response><Account><Protocol{attributes}/></Account></Response></Autodiscover>"
    );
    assert_eq!(sound(doc).0, vec!["input-too-complex"]);
}

#[test]
fn hundreds_of_thousands_of_findings_on_one_line() {
    let protocol =
        "<Protocol><Type>IMAP</Type><Port>0</Port><SPA>off</SPA><SSL>yes</SSL></Protocol>";
    let doc = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
         <Account><AccountType>email</AccountType><Action>settings</Action>{}</Account></Response></Autodiscover>",
        protocol.repeat(100_000)
    );
    let analysis = run(doc);
    assert_eq!(analysis.findings.len(), 200_000);
    assert!(analysis.findings.iter().all(|f| f.line == 1));
    assert_sound(analysis);
}

/// Namespace declarations piled up in scope made the parser's cost cubic (170 s for the first
/// file, 76 s for the second): both are refused before parsing, with a finding at the element.
#[test]
fn namespaces_piled_up_in_scope_are_refused_before_parsing() {
    let nested: String = (0..8_000)
        .map(|i| format!("<e xmlns:p{i}=\"urn:x:{i}\">"))
        .collect::<String>()
        + &"</e>".repeat(8_000);
    let analysis = run(format!("<Autodiscover>{nested}</Autodiscover>"));
    assert_eq!(rules(&analysis), vec!["input-too-complex"]);
    // At the element that brings the 33rd declaration into scope.
    let at = analysis.findings[0].span.start;
    assert!(analysis.text[at..].starts_with("<e xmlns:p32="), "{at}");
    assert_sound(analysis);

    let mut wide = String::new();
    for level in 0..100 {
        wide.push_str("<e");
        for p in 0..100 {
            wide.push_str(&format!(" xmlns:l{level}p{p}=\"u\""));
        }
        wide.push('>');
    }
    wide.push_str(&"<c/>".repeat(1_000));
    wide.push_str(&"</e>".repeat(100));
    let (found, _) = sound(format!("<Autodiscover>{wide}</Autodiscover>"));
    assert_eq!(found, vec!["input-too-complex"]);
}

/// Output stays linear in the input: `show` once repeated a 100,000-character POP3 Server in
/// each of 10,000 SMTP Protocols' credentials (1 GB of output for 750 KB). `assert_sound` holds
/// every format to a fixed number of bytes per input byte.
#[test]
fn output_stays_linear_in_the_input() {
    let server = "s".repeat(100_000);
    let smtp = "<Protocol><Type>SMTP</Type><UsePOPAuth>on</UsePOPAuth></Protocol>".repeat(10_000);
    let doc = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
         <Account><AccountType>email</AccountType><Action>settings</Action>\
         <Protocol><Type>POP3</Type><Server>{server}</Server></Protocol>{smtp}</Account></Response></Autodiscover>"
    );
    assert_sound(run(doc));
    // A long value that several findings quote.
    let long = "x".repeat(200_000);
    let doc = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
         <Account><AccountType>{long}</AccountType><Action>{long}</Action>\
         <Protocol><Type>{long}</Type><Server>{long}</Server><Port>{long}</Port><SSL>{long}</SSL>\
         <Encryption>{long}</Encryption><UsePOPAuth>{long}</UsePOPAuth></Protocol></Account></Response></Autodiscover>"
    );
    assert_sound(run(doc));
}

#[test]
fn concatenated_truncated_html_and_json() {
    let twice = [RESPONSE, RESPONSE].concat();
    let analysis = run(twice);
    assert!(
        analysis.findings.iter().any(
            |f| f.rule == "malformed-xml" && f.message.to_str().contains("two pasted together")
        ),
        "{:?}",
        rules(&analysis)
    );
    assert_sound(analysis);
    for cut in (0..RESPONSE.len()).step_by(7) {
        let (found, _) = sound(&RESPONSE[..cut]);
        assert!(
            !found.is_empty(),
            "a document cut at byte {cut} raised nothing"
        );
    }
    assert_eq!(
        sound(b"<html><body>Sign in</body></html>".as_slice()),
        (vec!["not-autodiscover"], "not-autodiscover")
    );
    assert_eq!(
        sound(b"{\"Protocol\":\"AutodiscoverV1\",\"Url\":\"https://x/\"}".as_slice()).0,
        vec!["not-autodiscover"]
    );
}

/// xorshift: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.next() % n }
    }
}

const ODD_VALUES: &[&[u8]] = &[
    b"",
    b"yes",
    b"0",
    b"65536",
    b"-1",
    b"on",
    b"OFF",
    b"https:/x",
    b"&amp;",
    b"\xFF",
    b"\xC3",
    b"POP",
    b"redirectAddr",
    b"]]>",
    b"<",
    b"\"",
    b"\t\n",
    "é".as_bytes(),
    b"\0",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(3) {
        let len = bytes.len();
        let a = rng.below(len + 1);
        let b = (a + rng.below(64)).min(len);
        match rng.below(5) {
            0 => {
                bytes.drain(a..b);
            }
            1 => {
                let copy = bytes[a..b].to_vec();
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, copy);
            }
            2 => {
                let c = rng.below(len + 1);
                let d = (c + rng.below(64)).min(len);
                if b <= c {
                    let (first, second) = (bytes[a..b].to_vec(), bytes[c..d].to_vec());
                    bytes.splice(c..d, first);
                    bytes.splice(a..b, second);
                }
            }
            3 => {
                // Replace the text of some element with an odd value.
                if let Some(gt) = bytes[a..].iter().position(|&x| x == b'>') {
                    let start = a + gt + 1;
                    if let Some(lt) = bytes[start..].iter().position(|&x| x == b'<') {
                        let value = ODD_VALUES[rng.below(ODD_VALUES.len())];
                        bytes.splice(start..start + lt, value.iter().copied());
                    }
                }
            }
            _ => bytes.truncate(a),
        }
    }
    bytes
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut fixtures: Vec<Vec<u8>> = Vec::new();
    for dir in ["fixtures/documents", "fixtures/rules"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut stack = vec![root];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    fixtures.push(std::fs::read(&path).unwrap());
                }
            }
        }
    }
    assert!(fixtures.len() > 100);
    fixtures
}

#[test]
fn mutated_fixtures_never_break_the_invariants() {
    let fixtures = fixtures();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..3_000 {
        let source = &fixtures[round % fixtures.len()];
        let mutated = mutate(&mut rng, source);
        let analysis = run(mutated.clone());
        let result = std::panic::catch_unwind(|| assert_sound(analysis));
        assert!(
            result.is_ok(),
            "round {round}: input {:?}",
            String::from_utf8_lossy(&mutated)
        );
    }
}

/// The indentation taken out before parsing (src/compact.rs) changes nothing a user sees: the
/// same findings at the same places and the same report, on every fixture and on mutations of
/// them (broken markup, comments, CDATA, odd values next to the runs taken out). Nor does
/// leaving the input compacted for formats that do not quote it (positions counted through
/// the log instead of the input put back together).
#[test]
fn taking_out_indentation_changes_nothing() {
    let analyse = same_either_way_options;
    let fixtures = fixtures();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut compared = 0;
    for round in 0..fixtures.len() + 3_000 {
        let source = &fixtures[round % fixtures.len()];
        let input = if round < fixtures.len() {
            source.clone()
        } else {
            mutate(&mut rng, source)
        };
        let (kept, compacted) = (analyse(&input, true), analyse(&input, false));
        let shown = String::from_utf8_lossy(&input);
        assert_eq!(
            kept.findings, compacted.findings,
            "round {round}: {shown:?}"
        );
        assert_eq!(
            format!("{:?}", kept.report),
            format!("{:?}", compacted.report),
            "round {round}: {shown:?}"
        );
        assert_eq!(kept.text, compacted.text, "round {round}");
        let unquoted = unquoted(&input);
        assert_eq!(kept.findings, unquoted.findings, "round {round}: {shown:?}");
        assert_eq!(
            format!("{:?}", kept.report),
            streamed_report(&input),
            "round {round}: {shown:?}"
        );
        assert!(unquoted.text.is_empty(), "round {round}: text kept");
        compared += usize::from(!kept.findings.is_empty());
    }
    assert!(compared > 1_000, "{compared} inputs with findings");
}

/// Inputs the fuzzer once found a problem with (tests/data/fuzz/), kept as regressions: sound,
/// and the same with and without the indentation taken out.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let (kept, compacted) = (
            same_either_way_options(&bytes, true),
            same_either_way_options(&bytes, false),
        );
        assert_eq!(kept.findings, compacted.findings, "{}", path.display());
        assert_eq!(
            kept.findings,
            unquoted(&bytes).findings,
            "{}",
            path.display()
        );
        assert_eq!(
            format!("{:?}", kept.report),
            format!("{:?}", compacted.report),
            "{}",
            path.display()
        );
        assert_eq!(
            format!("{:?}", kept.report),
            streamed_report(&bytes),
            "{}",
            path.display()
        );
        let result = std::panic::catch_unwind(|| assert_sound(run(bytes)));
        assert!(result.is_ok(), "{}", path.display());
    }
}

fn same_either_way_options(bytes: &[u8], keep_indentation: bool) -> Analysis {
    analyze(
        bytes,
        &Options {
            report: true,
            keep_indentation,
            selection: adinspect::rules::Selection::new(&["all".to_string()], &[]).unwrap(),
            ..Options::default()
        },
    )
}

/// What `show` does: see `invariants::streamed_report`.
fn streamed_report(bytes: &[u8]) -> String {
    adinspect::invariants::streamed_report(
        bytes,
        &Options {
            selection: adinspect::rules::Selection::new(&["all".to_string()], &[]).unwrap(),
            ..Options::default()
        },
    )
}

/// What `check` does for a format that does not quote the input: no report, no text kept.
fn unquoted(bytes: &[u8]) -> Analysis {
    analyze(
        bytes,
        &Options {
            keep_text: false,
            selection: adinspect::rules::Selection::new(&["all".to_string()], &[]).unwrap(),
            ..Options::default()
        },
    )
}
