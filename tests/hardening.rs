//! What an attacker or a careless script could do to a run: make it overwrite an input, read
//! its own report, hang on a FIFO, inject terminal escapes through file names and contents,
//! lose its verdict to a closed pipe, or panic on a full disk. Each test here failed before the
//! hardening it checks.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use common::*;

const BAD_SSL: &str = "fixtures/rules/invalid-on-off/bad.xml";
const POP_SMTP: &str = "fixtures/documents/isp-pop3-smtp-usepopauth.xml";
const FORMATS: [&str; 7] = [
    "human", "concise", "json", "jsonl", "sarif", "github", "gitlab",
];

fn bad_document() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BAD_SSL)).unwrap()
}

#[test]
fn the_report_never_overwrites_an_input() {
    let scratch = Scratch::new("same-file");
    let input = scratch.write("a.xml", &bad_document());
    let dir = scratch.path();
    std::os::unix::fs::symlink(&input, dir.join("link.xml")).unwrap();
    std::fs::hard_link(&input, dir.join("hard.xml")).unwrap();
    for target in ["a.xml", "link.xml", "hard.xml", "./sub/../a.xml"] {
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let output = bin()
            .current_dir(dir)
            .args(["check", "a.xml", "-o", target])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "-o {target}");
        assert!(
            stderr(&output).contains("refusing to overwrite an input"),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read(&input).unwrap(),
            bad_document(),
            "-o {target}"
        );
    }
}

#[test]
fn the_report_is_never_an_input_of_the_run_that_writes_it() {
    let scratch = Scratch::new("own-report");
    scratch.write("a.xml", &bad_document());
    let dir = scratch.path();
    for _ in 0..2 {
        let output = bin()
            .current_dir(dir)
            .args(["check", "--format", "concise", ".", "-o", "report.xml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    }
    // The second run found the first one's report in the directory and left it alone.
    let report = std::fs::read_to_string(dir.join("report.xml")).unwrap();
    assert_eq!(report.lines().count(), 1, "{report}");
    assert!(report.starts_with("./a.xml:"), "{report}");
    // No temporary file is left next to it.
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn an_interrupted_run_leaves_the_previous_report_intact() {
    let scratch = Scratch::new("interrupted");
    let report = scratch.write("report.json", b"the previous report");
    let fifo = scratch.path().join("slow.xml");
    mkfifo(&fifo);
    // Named explicitly, the FIFO is read (and blocks) after the report file is opened.
    let mut child = bin()
        .args(["check", "--format", "json", BAD_SSL])
        .arg(&fifo)
        .arg("-o")
        .arg(&report)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(&report).unwrap(), b"the previous report");
}

#[test]
fn a_fifo_in_a_walked_directory_never_hangs_the_run() {
    let scratch = Scratch::new("fifo-walk");
    scratch.write("a.xml", &bad_document());
    mkfifo(&scratch.path().join("b.xml"));
    let started = Instant::now();
    let output = run(&[
        "check",
        "--format",
        "concise",
        scratch.path().to_str().unwrap(),
    ]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn absurd_thread_counts_are_refused() {
    for threads in ["1000000000", "18446744073709551615", "1025", "-1"] {
        let output = run(&["check", &format!("--threads={threads}"), BAD_SSL]);
        assert_eq!(output.status.code(), Some(2), "-j {threads}");
        assert!(stderr(&output).contains("--threads"), "{}", stderr(&output));
    }
    // 0 is "one per core", 1024 the most.
    for threads in ["0", "1024"] {
        assert_eq!(
            run(&["check", "-j", threads, BAD_SSL]).status.code(),
            Some(1)
        );
    }
}

/// A name and contents built to forge output: escape sequences, a fake "no problems" line,
/// bidi overrides, C1 controls.
#[test]
fn nothing_from_an_input_reaches_the_terminal_raw() {
    let scratch = Scratch::new("escapes");
    let name = "evil\x1b[2J\x07\u{202e}lmx.\nname.xml";
    let document = "<?xml version=\"1.0\" encoding=\"x\u{9b}31m\"?>\n\
        <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\u{9b}2J\">\
        <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
        <Account><AccountType>email\u{85}</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type>\
        <Server>a&#10;no problems found in 1 file&#13;</Server><Port>9\u{202e}3</Port>\
        <SSL>yes\u{2028}</SSL></Protocol></Account></Response></Autodiscover>\n";
    scratch.write(name, document.as_bytes());
    let path = scratch.path().join(name);
    let missing = scratch.path().join("missing\x1b]0;title\x07.xml");
    let dir = scratch.path().to_str().unwrap();
    let raw = |text: &[u8]| {
        let text = String::from_utf8_lossy(text);
        text.chars()
            .find(|&c| adinspect::render::escape::is_unsafe(c) && c != '\n')
    };
    for args in [
        vec!["show", "--color", "never"],
        vec!["show", "--color", "always"],
        vec!["check", "--color", "never"],
        vec!["check", "--format", "concise"],
        vec!["check", "--format", "github"],
        vec!["check", "-v", "--format", "concise"],
    ] {
        let output = bin()
            .args(&args)
            .arg(&path)
            .arg(&missing)
            .arg(dir)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stdout_text = String::from_utf8_lossy(&output.stdout);
        let colours_only = adinspect::render::escape::is_terminal_safe(&stdout_text);
        assert!(colours_only, "{args:?}: {stdout_text:?}");
        if !args.contains(&"always") {
            assert_eq!(raw(&output.stdout), None, "{args:?}: {stdout_text:?}");
        }
        assert_eq!(raw(&output.stderr), None, "{args:?}: {}", stderr(&output));
        assert!(!stdout_text.contains("\nno problems found"), "{args:?}");
    }
    // A concise line is exactly one finding (the file appears twice: named and walked).
    let concise = bin()
        .args(["check", "--format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    let lines = stdout(&concise).lines().count();
    let findings = json(
        &bin()
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap(),
    )["files"][0]["findings"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(lines, findings);
}

/// The verdict does not depend on whether anyone reads it: `set -o pipefail; adinspect check
/// bad.xml | head` fails.
#[test]
fn a_closed_stdout_keeps_the_verdict() {
    for format in FORMATS {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = bin()
            .args(["check", "--format", format, BAD_SSL, "fixtures/rules"])
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output),
            "",
            "{format}: a closed pipe is no error to report"
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = bin()
            .args(["check", "--format", format, POP_SMTP])
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}");
        // Trouble stays trouble.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = bin()
            .args(["check", "--format", format, "/nonexistent/x.xml", POP_SMTP])
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
    }
}

#[test]
fn a_report_fifo_whose_reader_left_keeps_the_verdict() {
    let scratch = Scratch::new("fifo-report");
    // Enough output to outlast the pipe's buffer.
    for i in 0..300 {
        scratch.write(&format!("d/{i:03}.xml"), &bad_document());
    }
    let fifo = scratch.path().join("report.fifo");
    mkfifo(&fifo);
    let child = bin()
        .args(["check", "--format", "jsonl"])
        .arg(scratch.path().join("d"))
        .arg("-o")
        .arg(&fifo)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader takes a little, then goes away.
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let mut first = [0u8; 100];
    reader.read_exact(&mut first).unwrap();
    drop(reader);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn a_closed_stderr_stops_nothing() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = bin()
        .args(["check", "--format", "concise", "/nonexistent.xml", BAD_SSL])
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // The input after the missing one was still checked.
    assert!(
        stdout(&output).contains("invalid-on-off"),
        "{}",
        stdout(&output)
    );
    // A warning that cannot be written is trouble too: the user was not told something.
    let scratch = Scratch::new("closed-stderr");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = bin()
        .arg("check")
        .arg(scratch.path())
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_full_disk_is_an_error_never_a_panic_or_success() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["--version"],
        vec!["check", "--help"],
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["explain", "invalid-on-off"],
        vec!["request", "a@b.example"],
        vec!["check", BAD_SSL],
        vec!["check", POP_SMTP],
        vec!["show", "--format", "json", POP_SMTP],
    ] {
        let output = bin().args(&args).stdout(full()).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("No space left"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // -o on a full disk: an error, and no half-written report.
    let output = run(&["check", BAD_SSL, "-o", "/dev/full"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn request_addresses_are_validated_and_escaped() {
    for invalid in [
        "a\u{1}b@c.d",
        "me@@example.com",
        "a@b@c.com",
        "me@example..com",
        "a\nb@c.d",
    ] {
        let output = run(&["request", invalid]);
        assert_eq!(output.status.code(), Some(2), "{invalid:?}");
        assert!(output.stdout.is_empty());
    }
    let output = run(&["request", "a&b@example.com"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("<EMailAddress>a&amp;b@example.com</EMailAddress>"));
    // The body passes its own linter.
    let checked = run_with_stdin(&["check", "--fail-level", "info", "-"], &output.stdout);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    // A legacy DN needs no address, and is escaped too.
    let output = run(&["request", "--legacy-dn", "/o=A&B/cn=Recipients/cn=me"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("<LegacyDN>/o=A&amp;B/cn=Recipients/cn=me</LegacyDN>"));
    let checked = run_with_stdin(&["check", "--fail-level", "info", "-"], &output.stdout);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    // Both at once: the address would be thrown away, so it is refused.
    let output = run(&["request", "a@b.example", "--legacy-dn", "/o=A/cn=me"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&["request", "--legacy-dn", "/o=A\u{7}/cn=me"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn sarif_paths_are_relative_below_the_working_directory_and_absolute_elsewhere() {
    let scratch = Scratch::new("sarif-uri");
    let outside = scratch.write("outside.xml", &bad_document());
    let output = run(&[
        "check",
        "--format",
        "sarif",
        ".//fixtures/rules/invalid-on-off/bad.xml",
        outside.to_str().unwrap(),
    ]);
    let log = json(&output);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let location = |i: usize| &results[i]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location(0)["uri"], "fixtures/rules/invalid-on-off/bad.xml");
    assert_eq!(location(0)["uriBaseId"], "%SRCROOT%");
    let absolute = location(1)["uri"].as_str().unwrap();
    assert!(absolute.starts_with("file:///"), "{absolute}");
    assert!(absolute.ends_with("/outside.xml"), "{absolute}");
    assert!(location(1).get("uriBaseId").is_none());
    let base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn walk_problems_are_reported_under_their_own_paths() {
    let scratch = Scratch::new("walk-errors");
    scratch.write("ok.xml", &bad_document());
    std::os::unix::fs::symlink(
        scratch.path().join("nowhere.xml"),
        scratch.path().join("dangling.xml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("self.xml", scratch.path().join("self.xml")).unwrap();
    let locked = scratch.path().join("locked");
    scratch.write("locked/inner.xml", &bad_document());
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o000);
    std::fs::set_permissions(&locked, permissions.clone()).unwrap();
    // Root reads it anyway: then there is nothing to report for it.
    let locked_out = std::fs::read_dir(&locked).is_err();
    let output = run(&[
        "check",
        "--format",
        "jsonl",
        scratch.path().to_str().unwrap(),
    ]);
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&locked, permissions).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    let dir = scratch.path().display().to_string();
    assert!(
        errors.contains(&format!("{dir}/dangling.xml: a symbolic link to nothing")),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("{dir}/self.xml: too many levels")),
        "{errors}"
    );
    if locked_out {
        assert!(
            errors.contains(&format!("{dir}/locked: permission denied")),
            "{errors}"
        );
    }
    // Each also appears in the output, in its place.
    let records: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let io_errors = records.iter().filter(|r| r["rule"] == "io-error").count();
    assert_eq!(io_errors, 2 + usize::from(locked_out), "{records:?}");
}

#[test]
fn writing_to_a_closed_stdout_in_small_commands_is_quiet() {
    for args in [
        vec!["rules"],
        vec!["completions", "zsh"],
        vec!["explain", "invalid-on-off"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = bin().args(&args).stdout(writer).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&output), "");
    }
    let _ = std::io::stdout().flush();
}
