//! Exact output of every format on representative inputs, compared with committed snapshots
//! (tests/snapshots/). After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test
//! snapshots`, then review the diff.

use std::path::Path;
use std::process::{Command, Stdio};

fn output(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_adinspect"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        without_checkout_path(String::from_utf8(out.stdout).unwrap()),
        out.status.code().unwrap(),
    )
}

/// SARIF names the working directory (the checkout) as `%SRCROOT%`: shown as `file:///ROOT/`
/// so that snapshots do not depend on where the repository was cloned.
fn without_checkout_path(text: String) -> String {
    const BASE: &str = "\"%SRCROOT%\":{\"uri\":\"";
    let Some(start) = text.find(BASE).map(|i| i + BASE.len()) else {
        return text;
    };
    let end = start + text[start..].find('"').unwrap();
    format!("{}file:///ROOT/{}", &text[..start], &text[end..])
}

fn snapshot(name: &str, args: &[&str], expected_code: i32) {
    let (text, code) = output(args);
    assert_eq!(code, expected_code, "{args:?}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("{name} missing: run UPDATE_SNAPSHOTS=1 cargo test --test snapshots")
    });
    if committed != text {
        let first = committed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(text.lines().count()));
        panic!(
            "{name} differs from the snapshot at line {}:\n  snapshot: {:?}\n  now:      {:?}\n(UPDATE_SNAPSHOTS=1 to accept)",
            first + 1,
            committed.lines().nth(first),
            text.lines().nth(first)
        );
    }
}

const SEVERAL: &str = "tests/data/several-findings.xml";
const NON_ASCII: &str = "tests/data/non-ascii-one-line.xml";

#[test]
fn check_formats() {
    for (format, extension) in [
        ("human", "txt"),
        ("concise", "txt"),
        ("json", "json"),
        ("jsonl", "jsonl"),
        ("sarif", "sarif"),
        ("github", "txt"),
        ("gitlab", "json"),
    ] {
        snapshot(
            &format!("check-{format}.{extension}"),
            &["check", "--format", format, SEVERAL, NON_ASCII],
            1,
        );
    }
    snapshot(
        "check-human-color.txt",
        &["check", "--color", "always", SEVERAL],
        1,
    );
    snapshot("check-quiet.txt", &["check", "-q", SEVERAL], 1);
}

#[test]
fn show_formats() {
    for (name, file) in [
        (
            "pop3-smtp",
            "fixtures/documents/isp-pop3-smtp-usepopauth.xml",
        ),
        ("exchange", "fixtures/documents/exchange-settings.xml"),
        ("error", "fixtures/documents/error-response.xml"),
        ("mobilesync", "fixtures/documents/mobilesync-response.xml"),
        ("request", "fixtures/documents/outlook-request.xml"),
    ] {
        snapshot(&format!("show-{name}.txt"), &["show", file], 0);
        snapshot(
            &format!("show-{name}.json"),
            &["show", "--format", "json", file],
            0,
        );
    }
    snapshot("show-several.txt", &["show", SEVERAL], 1);
    snapshot(
        "show-several-color.txt",
        &["show", "--color", "always", SEVERAL],
        1,
    );
}

#[test]
fn rules_listing() {
    snapshot("rules.txt", &["rules"], 0);
}
