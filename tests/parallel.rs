//! A large document is checked on several threads: the findings and the report must be exactly
//! those of a single-threaded run, whatever the thread count.

use adinspect::analyze::{Options, analyze};

/// A response over the parallel threshold (4 MiB) whose Protocols carry a rotating set of
/// defects, so that every chunk boundary falls among findings of different rules.
fn large_response() -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n    <Account>\n      <AccountType>email</AccountType>\n      <Action>settings</Action>\n",
    );
    let defects = [
        "",
        "<Port>99x5</Port>",
        "<SSL>yes</SSL>",
        "<UsePOPAuth>on</UsePOPAuth>",
        "<TTL>-1</TTL>",
        "<Server>http://mail.example.com/</Server>",
        "<Sever>mail.example.com</Sever>",
        "<SPA>off</SPA><SPA>on</SPA>",
        "<Encryption>Tls</Encryption>",
    ];
    let mut i = 0;
    while doc.len() < 5 << 20 {
        let kind = ["IMAP", "POP3", "SMTP", "EXCH"][i % 4];
        doc.push_str(&format!(
            "      <Protocol>\n        <Type>{kind}</Type>\n        <Server>mail{i}.example.com</Server>\n        <Port>993</Port>\n        <LoginName>user{i}@example.com</LoginName>\n        {}\n      </Protocol>\n",
            defects[i % defects.len()]
        ));
        i += 1;
    }
    doc.push_str("    </Account>\n  </Response>\n</Autodiscover>\n");
    doc
}

#[test]
fn threads_do_not_change_the_outcome() {
    let doc = large_response();
    let run = |threads| {
        analyze(
            doc.as_bytes(),
            &Options {
                report: true,
                threads: Some(threads),
                ..Options::default()
            },
        )
    };
    let one = run(1);
    assert!(
        one.findings.len() > 10_000,
        "{} findings",
        one.findings.len()
    );
    let rules: std::collections::BTreeSet<_> = one.findings.iter().map(|f| f.rule).collect();
    assert!(rules.len() >= 6, "{rules:?}");
    for threads in [2, 3, 7] {
        let many = run(threads);
        assert_eq!(many.findings, one.findings, "{threads} threads");
        assert_eq!(
            format!("{:?}", many.report),
            format!("{:?}", one.report),
            "{threads} threads"
        );
    }
}
