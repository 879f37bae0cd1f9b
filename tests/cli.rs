//! The binary as users and scripts see it: exit codes, stdin, directories, encodings, formats,
//! colour, and the commands around the linter.

use std::process::{Command, Output, Stdio};

mod common;

use common::*;

const POP_SMTP: &str = "fixtures/documents/isp-pop3-smtp-usepopauth.xml";
const BAD_SSL: &str = "fixtures/rules/invalid-on-off/bad.xml";
const SEVERAL: &str = "tests/data/several-findings.xml";

#[test]
fn show_reports_use_pop_auth_in_words() {
    let output = run(&["show", POP_SMTP]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("outlook-response"));
    assert!(text.contains("Protocol SMTP smtp.fabrikam.example:587 (line 26)"));
    assert!(text.contains(
        "reuses the POP3 account's credentials (UsePOPAuth on, line 33): those of POP3 pop.fabrikam.example:995 (line 7)"
    ));
    assert!(text.contains("STARTTLS, from Encryption"));
    assert!(text.contains("no problems found in 1 file"));
}

#[test]
fn show_json_has_the_documented_shape() {
    let output = run(&["show", "--format", "json", POP_SMTP]);
    assert_eq!(output.status.code(), Some(0));
    let doc = json(&output);
    assert_eq!(doc["version"], 2);
    let file = &doc["files"][0];
    assert_eq!(file["path"], POP_SMTP);
    assert_eq!(file["kind"], "outlook-response");
    assert_eq!(file["findings"], serde_json::json!([]));
    let account = &file["accounts"][0];
    assert_eq!(account["line"], 4);
    assert_eq!(account["account_type"], "email");
    assert_eq!(account["action"], "settings");
    assert!(account["redirect_url"].is_null());
    assert!(account["redirect_addr"].is_null());
    let protocols = account["protocols"].as_array().unwrap();
    assert_eq!(protocols.len(), 3);
    assert_eq!(protocols[0]["type"], "POP3");
    assert_eq!(protocols[0]["line"], 7);
    assert!(protocols[0]["effective"]["smtp_credentials"].is_null());
    assert_eq!(
        protocols[0]["settings"]["Port"],
        serde_json::json!({"value": "995", "line": 10, "column": 9})
    );
    // As written, then typed with the documented defaults applied.
    assert_eq!(
        protocols[0]["effective"],
        serde_json::json!({
            "server": "pop.fabrikam.example",
            "port": 995,
            "security": {"mode": "implicit-tls", "from": "SSL"},
            "auth_required": true,
            "spa": false,
            "login": "kim.lee@fabrikam.example",
            "domain_required": false,
            "domain_name": null,
            "ttl_hours": 1,
            "smtp_last": null,
            "cert_principal_name": "msstd:pop.fabrikam.example",
            "smtp_credentials": null,
        })
    );
    assert_eq!(protocols[2]["type"], "SMTP");
    let smtp = &protocols[2]["effective"];
    assert_eq!(
        smtp["security"],
        serde_json::json!({"mode": "starttls", "from": "Encryption"})
    );
    assert_eq!(smtp["smtp_last"], false);
    assert_eq!(
        smtp["smtp_credentials"],
        serde_json::json!({"reuses_pop3": true, "pop3_line": 7, "pop3_server": "pop.fabrikam.example"})
    );
}

#[test]
fn show_json_effective_values_follow_defaults_and_invalid_values() {
    let input = br#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>imap.fabrikam.example</Server>
        <Port>143</Port>
        <SSL>yes</SSL>
        <TTL>24</TTL>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>smtp.fabrikam.example</Server>
        <Port>25</Port>
        <SSL>off</SSL>
        <UsePOPAuth>maybe</UsePOPAuth>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
"#;
    let doc = json(&run_with_stdin(&["show", "--format", "json", "-"], input));
    let protocols = &doc["files"][0]["accounts"][0]["protocols"];
    let imap = &protocols[0]["effective"];
    assert_eq!(
        imap["security"],
        serde_json::json!({"mode": "unknown", "from": "SSL"})
    );
    assert_eq!(imap["spa"], true, "SPA is on when absent");
    assert_eq!(imap["auth_required"], true);
    assert_eq!(imap["ttl_hours"], 24);
    assert_eq!(imap["port"], 143);
    assert!(imap["login"].is_null() && imap["domain_required"].is_null());
    assert!(
        imap["cert_principal_name"].is_null(),
        "unknown security: no default name"
    );
    let smtp = &protocols[1]["effective"];
    assert_eq!(
        smtp["security"],
        serde_json::json!({"mode": "none", "from": "SSL"})
    );
    assert!(
        smtp["cert_principal_name"].is_null(),
        "no TLS, no certificate name"
    );
    assert_eq!(smtp["smtp_last"], false);
    assert_eq!(
        smtp["smtp_credentials"],
        serde_json::json!({"reuses_pop3": null, "pop3_line": null, "pop3_server": null})
    );
}

#[test]
fn show_json_mapi_http_type_attribute() {
    let doc = json(&run(&[
        "show",
        "--format",
        "json",
        "fixtures/documents/exchange-settings.xml",
    ]));
    let protocols = &doc["files"][0]["accounts"][0]["protocols"];
    assert_eq!(protocols[0]["type"], "mapiHttp");
    assert_eq!(protocols[0]["endpoints"][0]["scope"], "MailStore");
    assert_eq!(protocols[1]["type"], "EXCH");
    assert_eq!(
        protocols[1]["server_version"],
        serde_json::json!({"product": "Exchange 2016", "major": 15, "minor": 1, "build": 2507})
    );
    assert!(protocols[1]["effective"]["smtp_credentials"].is_null());
    assert_eq!(
        protocols[1]["effective"]["security"],
        serde_json::json!({"mode": "implicit-tls", "from": "default"})
    );
    assert_eq!(
        protocols[3]["endpoints"][0]["settings"]["OWAUrl"],
        serde_json::json!({
            "value": "https://mail.fabrikam.example/owa/",
            "line": 56,
            "column": 11,
            "authentication_method": "Basic, Fba",
        })
    );
}

#[test]
fn smtp_without_pop3_says_so() {
    let output = run(&["show", "fixtures/rules/use-pop-auth-without-pop3/bad.xml"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("but this Account has no POP3 Protocol to take the credentials from"));
    assert!(text.contains("error[use-pop-auth-without-pop3]"));
}

#[test]
fn exit_codes() {
    assert_eq!(run(&["check", POP_SMTP]).status.code(), Some(0));
    assert_eq!(run(&["check", BAD_SSL]).status.code(), Some(1));
    assert_eq!(
        run(&["check", "--exit-zero", BAD_SSL]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--fail-level", "never", BAD_SSL])
            .status
            .code(),
        Some(0)
    );
    // Warnings only: fail only from --fail-level warning down.
    let warning_only = "fixtures/rules/duplicate-element/bad.xml";
    assert_eq!(run(&["check", warning_only]).status.code(), Some(0));
    assert_eq!(
        run(&["check", "--fail-level", "warning", warning_only])
            .status
            .code(),
        Some(1)
    );
    let info_only = "fixtures/rules/domain-required-without-domain/bad.xml";
    assert_eq!(
        run(&["check", "--fail-level", "warning", info_only])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--fail-level", "info", info_only])
            .status
            .code(),
        Some(1)
    );
    // Unknown selector and bad flags are usage errors.
    let output = run(&["check", "--select", "invalid-on-of", POP_SMTP]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean \"invalid-on-off\""));
    assert_eq!(
        run(&["check", "--format", "yaml", POP_SMTP]).status.code(),
        Some(2)
    );
}

#[test]
fn missing_path_exits_2_but_the_others_are_processed() {
    let output = run(&["check", "--format", "concise", "no/such/file.xml", BAD_SSL]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no/such/file.xml: no such file or directory"));
    assert!(stdout(&output).contains("invalid-on-off"));
}

#[test]
fn selection_by_rule_and_family() {
    let only = run(&["check", "--format", "concise", "--select", "value", SEVERAL]);
    let text = stdout(&only);
    assert!(text.contains("[invalid-on-off]") && text.contains("[port-out-of-range]"));
    assert!(!text.contains("[use-pop-auth-without-pop3]"));
    let ignored = run(&[
        "check",
        "--format",
        "concise",
        "--ignore",
        "invalid-on-off,account",
        SEVERAL,
    ]);
    let text = stdout(&ignored);
    assert!(!text.contains("[invalid-on-off]") && !text.contains("[use-pop-auth-without-pop3]"));
    assert!(text.contains("[port-out-of-range]"));
}

#[test]
fn stdin_dash_and_implicit_stdin() {
    let input = std::fs::read(BAD_SSL).unwrap();
    for args in [
        vec!["check", "--format", "concise", "-"],
        vec!["check", "--format", "concise"],
    ] {
        let output = run_with_stdin(&args, &input);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stdout(&output).starts_with("-:13:14: error[invalid-on-off]"),
            "{}",
            stdout(&output)
        );
    }
    let named = run_with_stdin(
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "autodiscover.xml",
            "-",
        ],
        &input,
    );
    assert!(stdout(&named).starts_with("autodiscover.xml:13:14:"));
}

#[test]
fn no_input_on_a_terminal_prints_a_hint_and_exits_2() {
    use clap::Parser;
    let cli = adinspect::cli::Cli::try_parse_from(["adinspect", "check"]).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut env = adinspect::cli::Env {
        stdin: &mut std::io::empty(),
        stdin_is_terminal: true,
        stdout: &mut out,
        stdout_is_terminal: true,
        stderr: &mut err,
        var: &|_| None,
    };
    assert_eq!(adinspect::cli::run(cli, &mut env), 2);
    assert!(String::from_utf8(err).unwrap().contains("no input"));
    assert!(out.is_empty());
}

#[test]
fn directories_are_walked_recursively_in_sorted_order() {
    let scratch = Scratch::new("walk");
    let bad = std::fs::read(BAD_SSL).unwrap();
    scratch.write("b/two.xml", &bad);
    scratch.write("a/one.XML", &bad);
    scratch.write("a/z/three.xml", &bad);
    scratch.write("a/notes.txt", b"not xml");
    // Paths compare component by component: `a/…` before `a-b/…` (though `/` sorts after
    // `-`), and a file between directories by its name.
    scratch.write("a-b/four.xml", &bad);
    scratch.write("a.xml", &bad);
    let output = run(&[
        "check",
        "--format",
        "concise",
        scratch.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let files: Vec<String> = stdout(&output)
        .lines()
        .map(|l| l.split(":13:").next().unwrap().to_string())
        .collect();
    let root = scratch.path().display().to_string();
    assert_eq!(
        files,
        vec![
            format!("{root}/a/one.XML"),
            format!("{root}/a/z/three.xml"),
            format!("{root}/a-b/four.xml"),
            format!("{root}/a.xml"),
            format!("{root}/b/two.xml")
        ]
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    let scratch = Scratch::new("loop");
    scratch.write("doc.xml", &std::fs::read(POP_SMTP).unwrap());
    std::os::unix::fs::symlink(scratch.path(), scratch.path().join("loop")).unwrap();
    let output = run(&[
        "check",
        "--format",
        "concise",
        scratch.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn utf16_and_invalid_utf8() {
    let output = run(&[
        "check",
        "--format",
        "concise",
        "fixtures/rules/not-utf8/bad.xml",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning[not-utf8] the document is encoded as UTF-16LE"));
    let doc = json(&run(&[
        "show",
        "--format",
        "json",
        "fixtures/rules/not-utf8/bad.xml",
    ]));
    assert_eq!(doc["files"][0]["kind"], "outlook-request");
    assert_eq!(doc["files"][0]["encoding"], "UTF-16LE");

    let output = run(&[
        "check",
        "--format",
        "concise",
        "fixtures/rules/invalid-utf8/bad.xml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains(":11:21: error[invalid-utf8] invalid UTF-8: byte(s) 0xF6"));
}

#[test]
fn every_format_reports_the_same_findings_and_exit_code() {
    let concise = run(&["check", "--format", "concise", SEVERAL]);
    let expected: Vec<(u64, u64, String)> = stdout(&concise)
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, ':');
            let _path = parts.next();
            let line_no = parts.next().unwrap().parse().unwrap();
            let column = parts.next().unwrap().parse().unwrap();
            let rule = line
                .split('[')
                .nth(1)
                .unwrap()
                .split(']')
                .next()
                .unwrap()
                .to_string();
            (line_no, column, rule)
        })
        .collect();
    assert!(
        expected.len() >= 4,
        "the fixture should have several findings"
    );

    let jsonl: Vec<(u64, u64, String)> = stdout(&run(&["check", "--format", "jsonl", SEVERAL]))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                [
                    "column",
                    "end_column",
                    "end_line",
                    "fix",
                    "line",
                    "message",
                    "path",
                    "rule",
                    "severity"
                ]
            );
            (
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(jsonl, expected);

    let doc = json(&run(&["check", "--format", "json", SEVERAL]));
    let from_json: Vec<(u64, u64, String)> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(from_json, expected);
    assert_eq!(doc["summary"]["files"], 1);

    let sarif = json(&run(&["check", "--format", "sarif", SEVERAL]));
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    assert!(run0["tool"]["driver"]["rules"].as_array().unwrap().len() > 50);
    let from_sarif: Vec<(u64, u64, String)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                SEVERAL
            );
            (
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
                r["ruleId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(from_sarif, expected);

    let github = stdout(&run(&["check", "--format", "github", SEVERAL]));
    let from_github: Vec<(u64, u64, String)> = github
        .lines()
        .map(|l| {
            let field = |name: &str| {
                l.split(&format!("{name}="))
                    .nth(1)
                    .unwrap()
                    .split([',', ':'])
                    .next()
                    .unwrap()
                    .to_string()
            };
            (
                field("line").parse().unwrap(),
                field("col").parse().unwrap(),
                field("title").trim_start_matches("adinspect ").to_string(),
            )
        })
        .collect();
    assert_eq!(from_github, expected);

    let human = stdout(&run(&["check", SEVERAL]));
    for (line, column, rule) in &expected {
        assert!(human.contains(&format!("[{rule}]")));
        assert!(human.contains(&format!("{SEVERAL}:{line}:{column}")));
    }

    for args in [
        vec!["check", SEVERAL],
        vec!["check", "-q", SEVERAL],
        vec!["check", "--format", "concise", SEVERAL],
        vec!["check", "--format", "json", SEVERAL],
        vec!["check", "--format", "jsonl", SEVERAL],
        vec!["check", "--format", "sarif", SEVERAL],
        vec!["check", "--format", "github", SEVERAL],
        vec!["show", SEVERAL],
        vec!["show", "-q", SEVERAL],
        vec!["show", "--format", "json", SEVERAL],
    ] {
        assert_eq!(run(&args).status.code(), Some(1), "{args:?}");
    }
}

#[test]
fn output_file_keeps_the_verdict() {
    let scratch = Scratch::new("out");
    let target = scratch.path().join("report.sarif");
    let output = run(&[
        "check",
        "--format",
        "sarif",
        "-o",
        target.to_str().unwrap(),
        SEVERAL,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
}

#[test]
fn quiet_prints_findings_only() {
    let text = stdout(&run(&["check", "-q", SEVERAL]));
    assert!(text.contains("error[invalid-on-off]"));
    assert!(!text.contains("errors,"));
    let text = stdout(&run(&["show", "-q", POP_SMTP]));
    assert!(text.is_empty());
}

#[test]
fn verbose_tells_on_stderr() {
    let output = run(&["check", "-v", POP_SMTP]);
    let text = stderr(&output);
    assert!(
        text.contains(&format!("read {POP_SMTP}"))
            && text.contains("UTF-8")
            && text.contains(" ms")
    );
}

#[test]
fn colour_follows_flag_and_environment() {
    let esc = |output: &Output| output.stdout.contains(&0x1b);
    assert!(
        !esc(&run(&["check", BAD_SSL])),
        "pipes are plain by default"
    );
    assert!(esc(&run(&["check", "--color", "always", BAD_SSL])));
    assert!(!esc(&bin()
        .args(["check", BAD_SSL])
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap()));
    assert!(esc(&bin()
        .args(["check", BAD_SSL])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap()));
    assert!(esc(&bin()
        .args(["check", BAD_SSL])
        .env("FORCE_COLOR", "1")
        .output()
        .unwrap()));
    for format in ["concise", "json", "jsonl", "sarif", "github"] {
        assert!(
            !esc(&run(&[
                "check", "--color", "always", "--format", format, BAD_SSL
            ])),
            "{format}"
        );
    }
}

#[test]
fn use_color_decision_table() {
    use adinspect::cli::{ColorChoice, use_color};
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    // (choice, stdout is a terminal, environment, expected)
    type Case = (
        ColorChoice,
        bool,
        &'static [(&'static str, &'static str)],
        bool,
    );
    let table: &[Case] = &[
        (ColorChoice::Auto, true, &[], true),
        (ColorChoice::Auto, true, &[("TERM", "dumb")], false),
        (ColorChoice::Auto, true, &[("NO_COLOR", "1")], false),
        (ColorChoice::Auto, false, &[("CLICOLOR_FORCE", "1")], true),
        (ColorChoice::Auto, false, &[("CLICOLOR_FORCE", "0")], false),
        (ColorChoice::Always, false, &[("NO_COLOR", "1")], true),
        (ColorChoice::Never, true, &[], false),
    ];
    for &(choice, terminal, vars, expected) in table {
        assert_eq!(
            use_color(choice, terminal, &env(vars)),
            expected,
            "{choice:?} {terminal} {vars:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn closed_stdout_ends_quietly() {
    let scratch = Scratch::new("pipe");
    let doc = std::fs::read(SEVERAL).unwrap();
    for i in 0..200 {
        scratch.write(&format!("d{i:03}.xml"), &doc);
    }
    let mut child = bin()
        .args(["show", scratch.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    use std::io::Read;
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    // A writer that stops must not leave workers blocked forever.
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("adinspect hung after its stdout was closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.code().is_some(), "killed by a signal");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn rules_and_explain() {
    let list = stdout(&run(&["rules"]));
    assert!(list.contains("use-pop-auth-without-pop3") && list.contains("port-out-of-range"));
    let doc = json(&run(&["rules", "--format", "json"]));
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["rules"].as_array().unwrap().len(),
        adinspect::rules::RULES.len()
    );
    let explained = run(&["explain", "use-pop-auth-without-pop3"]);
    assert_eq!(explained.status.code(), Some(0));
    let text = stdout(&explained);
    assert!(text.contains("Example that fires:") && text.contains("<UsePOPAuth>on</UsePOPAuth>"));
    assert!(
        text.contains("Source: POX reference: UsePOPAuth element"),
        "{text}"
    );
    let unknown = run(&["explain", "use-pop-auth-without-pop"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean \"use-pop-auth-without-pop3\""));
}

#[test]
fn request_bodies_pass_the_linter() {
    for args in [
        vec!["request", "kim@fabrikam.example"],
        vec!["request", "kim@fabrikam.example", "--mobilesync"],
        vec![
            "request",
            "--legacy-dn",
            "/o=Fabrikam/ou=First Administrative Group/cn=Recipients/cn=kim",
        ],
    ] {
        let body = run(&args);
        assert_eq!(body.status.code(), Some(0));
        let checked = run_with_stdin(&["check", "--fail-level", "info", "-"], &body.stdout);
        assert_eq!(
            checked.status.code(),
            Some(0),
            "{args:?}: {}",
            stdout(&checked)
        );
    }
    let kind = json(&run_with_stdin(
        &["show", "--format", "json"],
        &run(&["request", "a@b.example", "--mobilesync"]).stdout,
    ));
    assert_eq!(kind["files"][0]["kind"], "mobilesync-request");
    let invalid = run(&["request", "not-an-address"]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(invalid.stdout.is_empty());
    assert_eq!(run(&["request", "a<b>@c.example"]).status.code(), Some(2));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("adinspect"), "{shell}");
    }
}

#[test]
fn every_document_kind_is_classified_and_clean() {
    let expected = [
        ("outlook-request.xml", "outlook-request"),
        ("mobilesync-request.xml", "mobilesync-request"),
        ("isp-pop3-smtp-usepopauth.xml", "outlook-response"),
        ("exchange-settings.xml", "outlook-response"),
        ("redirect-addr.xml", "outlook-response"),
        ("redirect-url.xml", "outlook-response"),
        ("error-response.xml", "error-response"),
        ("mobilesync-response.xml", "mobilesync-response"),
        ("mobilesync-error.xml", "error-response"),
    ];
    for (file, kind) in expected {
        let path = format!("fixtures/documents/{file}");
        let output = run(&["show", "--format", "json", "--fail-level", "warning", &path]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{file} raises a warning or error"
        );
        assert_eq!(json(&output)["files"][0]["kind"], kind, "{file}");
    }
    let html = run_with_stdin(
        &["show", "--format", "json", "-"],
        b"<!DOCTYPE html><html><body>Sign in</body></html>",
    );
    assert_eq!(html.status.code(), Some(1));
    let doc = json(&html);
    assert_eq!(doc["files"][0]["kind"], "not-autodiscover");
    assert!(
        doc["files"][0]["looks_like"]
            .as_str()
            .unwrap()
            .contains("HTML")
    );
}

#[test]
fn oversized_input_is_a_clear_error_and_the_others_go_on() {
    let scratch = Scratch::new("max");
    let big = scratch.write("big.xml", &vec![b' '; 2 * 1024 * 1024 + 10]);
    let output = run(&[
        "check",
        "--format",
        "concise",
        "--max-size",
        "1",
        big.to_str().unwrap(),
        BAD_SSL,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("larger than --max-size 1 MiB"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("invalid-on-off"));
    let piped = run_with_stdin(
        &["check", "--max-size", "1", "-"],
        &vec![b' '; 2 * 1024 * 1024 + 10],
    );
    assert_eq!(piped.status.code(), Some(2));
    // Positions are 32-bit: 4 GiB and more cannot be asked for.
    let too_large = run(&["check", "--max-size", "4096", BAD_SSL]);
    assert_eq!(too_large.status.code(), Some(2));
    assert!(
        stderr(&too_large).contains("4095"),
        "{}",
        stderr(&too_large)
    );
    assert!(run(&["check", "--max-size", "4095", BAD_SSL]).status.code() == Some(1));
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_file_is_reported_and_the_others_go_on() {
    // Root can read any file, so use one whose read fails for everybody.
    let output = run(&["check", "--format", "concise", "/proc/self/mem", BAD_SSL]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/proc/self/mem"));
    assert!(stdout(&output).contains("invalid-on-off"));
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_like_a_file() {
    let scratch = Scratch::new("fifo");
    let fifo = scratch.path().join("doc.xml");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        std::fs::write(writer_path, std::fs::read(BAD_SSL).unwrap()).unwrap();
    });
    let output = run(&["check", "--format", "concise", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("invalid-on-off"));
}

#[test]
fn inputs_are_never_written() {
    let scratch = Scratch::new("readonly");
    let doc = scratch.write("doc.xml", &std::fs::read(SEVERAL).unwrap());
    let before = (
        std::fs::read(&doc).unwrap(),
        std::fs::metadata(&doc).unwrap().modified().unwrap(),
    );
    for args in [
        vec!["check"],
        vec!["show"],
        vec!["check", "--format", "sarif"],
        vec!["show", "--format", "json"],
    ] {
        let mut args = args.clone();
        args.push(doc.to_str().unwrap());
        run(&args);
    }
    let after = (
        std::fs::read(&doc).unwrap(),
        std::fs::metadata(&doc).unwrap().modified().unwrap(),
    );
    assert_eq!(before, after);
}

#[test]
fn a_directory_without_xml_files_is_mentioned() {
    let scratch = Scratch::new("empty");
    scratch.write("notes.txt", b"nothing here");
    let output = run(&["check", scratch.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("no *.xml files found"));
}

#[test]
fn many_inputs_come_out_in_listing_order_whatever_the_threads() {
    // Enough files over nested directories that the inputs are handed to the workers in
    // chunks of every size while the tree is still being listed, mixed with a missing path,
    // a plain file, stdin and an empty directory: the output, the messages and the exit code
    // must be those of one thread.
    let scratch = Scratch::new("streaming");
    let bad = std::fs::read(BAD_SSL).unwrap();
    let good = std::fs::read(POP_SMTP).unwrap();
    for i in 0..150 {
        let body = if i % 3 == 0 { &bad } else { &good };
        scratch.write(&format!("tree/d{}/e{}/f{i:03}.xml", i % 4, i % 7), body);
    }
    std::fs::create_dir_all(scratch.path().join("empty")).unwrap();
    let tree = scratch.path().join("tree");
    let empty = scratch.path().join("empty");
    let missing = scratch.path().join("missing");
    let paths = [
        tree.to_str().unwrap(),
        missing.to_str().unwrap(),
        "-",
        BAD_SSL,
        empty.to_str().unwrap(),
        tree.to_str().unwrap(),
    ];
    let run_with = |threads: &str| {
        let mut args = vec!["check", "--format", "jsonl", "-j", threads];
        args.extend(paths);
        run_with_stdin(&args, &bad)
    };
    let one = run_with("1");
    assert_eq!(one.status.code(), Some(2), "{}", stderr(&one));
    let lines = stdout(&one).lines().count();
    assert_eq!(lines, 2 * 50 + 1 + 1 + 1, "{}", stdout(&one));
    let files: Vec<String> = stdout(&one)
        .lines()
        .map(|l| json_line(l)["path"].as_str().unwrap().to_string())
        .collect();
    // The missing path is reported in its place, as an io-error record.
    assert_eq!(files[50], missing.to_str().unwrap());
    assert_eq!(
        json_line(stdout(&one).lines().nth(50).unwrap())["rule"],
        "io-error"
    );
    assert_eq!(files[51], "-");
    assert_eq!(files[52], BAD_SSL);
    let mut sorted = files[..50].to_vec();
    sorted.sort();
    assert_eq!(files[..50], sorted[..], "listing order");
    for threads in ["2", "3", "8"] {
        let many = run_with(threads);
        assert_eq!(stdout(&many), stdout(&one), "-j {threads}");
        assert_eq!(stderr(&many), stderr(&one), "-j {threads}");
        assert_eq!(many.status.code(), one.status.code(), "-j {threads}");
    }
}

fn json_line(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap()
}

/// With several threads the streaming formats are rendered on the checking threads: the output,
/// the summary and the exit code are those of one thread, in every such format (`show --format
/// json` is written straight to the output with one thread, into each file's bytes with several).
#[test]
fn rendering_on_the_checking_threads_changes_nothing() {
    let scratch = Scratch::new("render-threads");
    let bad = std::fs::read(BAD_SSL).unwrap();
    let good = std::fs::read(POP_SMTP).unwrap();
    for i in 0..40 {
        let body = if i % 3 == 0 { &good } else { &bad };
        scratch.write(&format!("t/d{}/f{i:02}.xml", i % 5), body);
    }
    // A report from a document that does not parse, and XML of another kind (skipped).
    let cut = &bad[..bad.len() / 2];
    scratch.write("t/d1/f99-cut.xml", cut);
    scratch.write(
        "t/d2/f98-svg.xml",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let tree = scratch.path().join("t");
    let tree = tree.to_str().unwrap();
    for args in [
        vec!["show", "--format", "json"],
        vec!["show", "--format", "json", "-q"],
        vec!["check", "--color", "always"],
        vec!["check", "--format", "concise"],
        vec!["check", "--format", "github"],
        vec!["check", "--format", "jsonl", "--fail-level", "warning"],
        vec!["check", "--fail-level", "never"],
        vec!["show", "--color", "never"],
    ] {
        let with = |threads: &str| {
            let mut all = args.clone();
            all.extend(["-j", threads, tree]);
            run(&all)
        };
        let (one, four) = (with("1"), with("4"));
        assert!(!one.stdout.is_empty());
        assert_eq!(one.stdout, four.stdout, "{args:?}");
        assert_eq!(one.status.code(), four.status.code(), "{args:?}");
    }
}

/// Formats that do not quote the input place findings without putting the compacted input back
/// together: their lines and columns (characters, not bytes) equal the human output's and the
/// document's own, with CRLF line ends, tab indentation, non-ASCII text and whitespace taken
/// out between elements on the line of the finding.
#[test]
fn positions_are_the_same_in_every_format() {
    let document = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n\
        <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\r\n\
        \t<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\r\n\
        \t\t<User><DisplayName>Zoë Ångström</DisplayName></User>\r\n\
        \t\t<Account>\r\n\t\t\t<AccountType>email</AccountType>\r\n\t\t\t<Action>settings</Action>\r\n\
        \t\t\t<Protocol>\r\n\t\t\t\t<Type>IMAP</Type>\r\n\
        \t\t\t\t<Server>mäil.exämple.com</Server>  <Port>0</Port> \t <SSL>yës</SSL>\r\n\
        \t\t\t\t<SPA>off</SPA>\r\n\t\t\t</Protocol>\r\n\t\t</Account>\r\n\t</Response>\r\n</Autodiscover>\r\n";
    let place = |needle: &str| {
        let at = document.find(needle).unwrap();
        let line_start = document[..at].rfind('\n').map_or(0, |i| i + 1);
        (
            document[..at].matches('\n').count() + 1,
            document[line_start..at].chars().count() + 1,
        )
    };
    let expected = [
        ("port-out-of-range", place(">0<").0, place(">0<").1 + 1),
        ("invalid-on-off", place("yës").0, place("yës").1),
    ];
    let jsonl = run_with_stdin(&["check", "--format", "jsonl", "-"], document.as_bytes());
    let found: Vec<(String, u64, u64)> = stdout(&jsonl)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .map(|f| {
            let (line, column) = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
            (f["rule"].as_str().unwrap().to_string(), line, column)
        })
        .collect();
    let concise = run_with_stdin(&["check", "--format", "concise", "-"], document.as_bytes());
    let human = run_with_stdin(&["check", "--color", "never", "-"], document.as_bytes());
    for (rule, line, column) in expected {
        assert!(
            found.contains(&(rule.to_string(), line as u64, column as u64)),
            "{rule} at {line}:{column} in {found:?}"
        );
        let place = format!("-:{line}:{column}:");
        assert!(stdout(&concise).contains(&place), "{}", stdout(&concise));
        assert!(
            stdout(&human).contains(&format!("--> -:{line}:{column}\n")),
            "{}",
            stdout(&human)
        );
    }
}
