//! adinspect as a CI gate: walking a repository the way its owners expect, the configuration
//! file, suppressions in the document, quiet output on correct documents, and CI formats that
//! tell the truth (unreadable paths, suppressed findings, stable fingerprints).

use std::path::Path;

mod common;

use common::*;

const POP_SMTP: &str = "fixtures/documents/isp-pop3-smtp-usepopauth.xml";
const EXCHANGE: &str = "fixtures/documents/exchange-settings.xml";
const BAD_SSL: &str = "fixtures/rules/invalid-on-off/bad.xml";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// Runs adinspect in `dir` with `args`, configuration files there and above honoured.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

/// A repository as CI sees one: version control, an IDE folder, build output that is ignored,
/// SVGs and a Maven pom beside the Autodiscover templates.
fn repository(name: &str) -> Scratch {
    let repo = Scratch::new(name);
    repo.write(".git/HEAD", b"ref: refs/heads/main\n");
    repo.write(".git/config.xml", b"<config/>");
    repo.write(".gitignore", b"/build/\n*.log\n");
    repo.write(
        ".idea/misc.xml",
        b"<project version=\"4\"><component name=\"x\"/></project>",
    );
    repo.write("build/autodiscover.xml", b"<Autodiscover><Response>broken");
    repo.write("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    repo.write(
        "assets/icon.xml",
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    repo.write(
        "pom.xml",
        b"<?xml version=\"1.0\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion></project>",
    );
    repo.write("node_modules/pkg/autodiscover.xml", b"<Autodiscover>broken");
    repo.write("templates/good.xml", &fixture(POP_SMTP));
    repo.write("templates/bad.xml", &fixture(BAD_SSL));
    repo
}

#[test]
fn a_repository_check_reports_exactly_the_defective_template() {
    let repo = repository("repo");
    let output = run_in(repo.path(), &["check", "--format", "concise", "."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("./templates/bad.xml:13:14: error[invalid-on-off]"),
        "{lines:?}"
    );
    assert_eq!(stderr(&output), "");
    // Human output says how many other XML files were skipped, -v names them.
    let output = run_in(repo.path(), &["check", "-v", "."]);
    let summary = stdout(&output);
    assert!(
        summary.contains("1 error, 0 warnings in 2 files; 2 other XML files skipped"),
        "{summary}"
    );
    let told = stderr(&output);
    for skipped in [
        "./assets/icon.xml: <svg>",
        "./pom.xml: <project>",
        "./logo.svg",
    ] {
        if skipped.ends_with(".svg") {
            assert!(!told.contains(skipped), "not *.xml, never listed: {told}");
        } else {
            assert!(told.contains(&format!("skipped {skipped}")), "{told}");
        }
    }
    // Named on the command line, another kind of XML is judged.
    let output = run_in(repo.path(), &["check", "--format", "concise", "pom.xml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("not-autodiscover"));
    // ... unless the caller asks for paths to be treated like a walk's (pre-commit).
    let output = run_in(
        repo.path(),
        &[
            "check",
            "--force-exclude",
            "pom.xml",
            "templates/good.xml",
            "node_modules/pkg/autodiscover.xml",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn hidden_ignored_and_excluded_paths_are_walked_only_when_asked() {
    let repo = repository("walk-flags");
    let files = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--format", "jsonl", "--fail-level", "never"];
        all.extend(args);
        all.push(".");
        let output = run_in(repo.path(), &all);
        let mut paths: Vec<String> = stdout(&output)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        paths.dedup();
        paths
    };
    assert_eq!(files(&[]), ["./templates/bad.xml"]);
    // --no-ignore: the ignored build folder is walked (node_modules stays excluded by default).
    assert_eq!(
        files(&["--no-ignore"]),
        ["./build/autodiscover.xml", "./templates/bad.xml"]
    );
    // --hidden: .idea is walked (its file is another kind of XML: skipped); .git never is.
    let output = run_in(repo.path(), &["check", "-v", "--hidden", "."]);
    assert!(
        stderr(&output).contains("skipped ./.idea/misc.xml"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains(".git/"), "{}", stderr(&output));
    // --exclude, repeatable, gitignore syntax.
    assert_eq!(
        files(&["--exclude", "templates/bad.xml"]),
        Vec::<String>::new()
    );
    assert_eq!(
        files(&["--exclude", "*.log", "--exclude", "bad.*"]),
        Vec::<String>::new()
    );
}

#[test]
fn configuration_is_found_upwards_and_flags_override_it() {
    let repo = repository("config");
    repo.write(
        "adinspect.toml",
        b"# project settings\nignore = [\"invalid-on-off\"]\nextend-exclude = [\"legacy/\"]\nformat = \"concise\"\n\n\
          [per-file-ignores]\n\"templates/special-*.xml\" = [\"use-pop-auth-without-pop3\"]\n",
    );
    repo.write(
        "legacy/old.xml",
        &fixture("fixtures/rules/port-out-of-range/bad.xml"),
    );
    repo.write(
        "templates/special-a.xml",
        &fixture("fixtures/rules/use-pop-auth-without-pop3/bad.xml"),
    );
    repo.write(
        "templates/other.xml",
        &fixture("fixtures/rules/use-pop-auth-without-pop3/bad.xml"),
    );
    let sub = repo.path().join("templates");
    // From a subdirectory: the file above is found; its patterns are relative to it.
    let output = run_in(&sub, &["check", "."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("./other.xml:") && text.contains("use-pop-auth-without-pop3"),
        "{text}"
    );
    // Flags override: --select brings back the ignored rule, --format another format.
    let output = run_in(
        &sub,
        &[
            "check",
            "--select",
            "invalid-on-off",
            "--format",
            "jsonl",
            "bad.xml",
        ],
    );
    assert!(
        stdout(&output).contains("\"rule\":\"invalid-on-off\""),
        "{}",
        stdout(&output)
    );
    // --isolated ignores the file; --config names one.
    let output = run_in(
        &sub,
        &["check", "--isolated", "--format", "concise", "bad.xml"],
    );
    assert!(stdout(&output).contains("invalid-on-off"));
    repo.write("other.toml", b"fail-level = \"never\"\n");
    let output = run_in(
        repo.path(),
        &["check", "--config", "other.toml", "templates/bad.xml"],
    );
    assert_eq!(output.status.code(), Some(0));
    // `adinspect config` says what applies and where it came from.
    let output = run_in(&sub, &["config", "--fail-level", "warning"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let shown = stdout(&output);
    for expected in [
        "adinspect.toml",
        "ignore = [\"invalid-on-off\"]",
        "# adinspect.toml:2",
        "fail-level = \"warning\"",
        "# --fail-level",
        "format = \"concise\"",
        "\"templates/special-*.xml\"",
        "min-severity = \"info\"",
        "# default",
    ] {
        assert!(shown.contains(expected), "{expected:?} in\n{shown}");
    }
}

#[test]
fn configuration_mistakes_are_usage_errors_with_the_place_and_a_suggestion() {
    let dir = Scratch::new("bad-config");
    dir.write("a.xml", &fixture(POP_SMTP));
    for (text, expected) in [
        (
            "fail_level = \"error\"\n",
            "adinspect.toml:1:1: unknown key `fail_level` (did you mean `fail-level`?)",
        ),
        (
            "\nselect = [\"invalid-on-of\"]\n",
            "adinspect.toml:2:11: unknown rule or family \"invalid-on-of\" (did you mean \"invalid-on-off\"?)",
        ),
        ("format = \"jsn\"\n", "did you mean \"json\"?"),
        ("hidden = 1\n", "`hidden` must be true or false"),
        ("select = \n", "not valid TOML"),
        (
            "\nmax-size = 4096\n",
            "adinspect.toml:2: max-size 4096 is over 4095 MiB, the largest input adinspect can analyse",
        ),
    ] {
        dir.write("adinspect.toml", text.as_bytes());
        let output = run_in(dir.path(), &["check", "a.xml"]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(
            stderr(&output).contains(expected),
            "{text}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn suppressions_in_the_document() {
    let dir = Scratch::new("suppress");
    let bad = String::from_utf8(fixture(BAD_SSL)).unwrap();
    let next_element = bad.replace(
        "<SSL>yes</SSL>",
        "<!-- adinspect: ignore invalid-on-off -->\n        <SSL>yes</SSL>",
    );
    dir.write("next.xml", next_element.as_bytes());
    let container = bad.replace(
        "<Protocol>",
        "<!-- adinspect: ignore value -->\n      <Protocol>",
    );
    dir.write("container.xml", container.as_bytes());
    let file_wide = bad.replace(
        "<Autodiscover",
        "<!-- adinspect: ignore-file invalid-on-off -->\n<Autodiscover",
    );
    dir.write("file.xml", file_wide.as_bytes());
    for name in ["next.xml", "container.xml", "file.xml"] {
        let output = run_in(dir.path(), &["check", "--format", "concise", name]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stdout(&output));
        assert_eq!(stdout(&output), "", "{name}");
        // SARIF keeps it, marked as suppressed in the source.
        let sarif = json(&run_in(dir.path(), &["check", "--format", "sarif", name]));
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{name}");
        assert_eq!(results[0]["ruleId"], "invalid-on-off");
        assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
    }
    // Only the named rule, only there: another problem on the same element still shows.
    let two = bad.replace(
        "<SSL>yes</SSL>",
        "<!-- adinspect: ignore port-out-of-range -->\n        <SSL>yes</SSL>",
    );
    dir.write("other-rule.xml", two.as_bytes());
    let output = run_in(
        dir.path(),
        &["check", "--format", "concise", "other-rule.xml"],
    );
    let text = stdout(&output);
    assert!(text.contains("invalid-on-off"), "{text}");
    assert!(
        text.contains("warning[unused-suppression] unused suppression: `port-out-of-range`"),
        "{text}"
    );
    // A misspelt name.
    let typo = bad.replace(
        "<SSL>yes</SSL>",
        "<!-- adinspect: ignore invalid-on-of -->\n        <SSL>yes</SSL>",
    );
    dir.write("typo.xml", typo.as_bytes());
    let output = run_in(dir.path(), &["check", "--format", "json", "typo.xml"]);
    let findings = &json(&output)["files"][0]["findings"];
    let unused = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unused-suppression")
        .unwrap();
    assert_eq!(unused["help"], "did you mean `invalid-on-off`?");
}

#[test]
fn correct_exchange_output_is_one_summary_line_and_nothing_with_q() {
    let output = run(&["check", EXCHANGE]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "no problems found in 1 file\n");
    let output = run(&["check", "-q", EXCHANGE, POP_SMTP]);
    assert_eq!(stdout(&output), "");
    // The opt-in rules still answer when named.
    let output = run(&[
        "check",
        "--format",
        "concise",
        "--extend-select",
        "undocumented-element,undocumented-auth-package",
        EXCHANGE,
    ]);
    assert!(
        stdout(&output).contains("info[undocumented-element]"),
        "{}",
        stdout(&output)
    );
    // A display threshold hides infos.
    let info_only = "fixtures/rules/domain-required-without-domain/bad.xml";
    assert!(stdout(&run(&["check", "--format", "concise", info_only])).contains("info["));
    assert_eq!(
        stdout(&run(&[
            "check",
            "--format",
            "concise",
            "--min-severity",
            "warning",
            info_only
        ])),
        ""
    );
}

#[test]
fn unreadable_paths_are_in_every_format_and_sarif_says_the_run_failed() {
    let missing = "no/such/dir";
    for format in [
        "human", "concise", "json", "jsonl", "sarif", "github", "gitlab",
    ] {
        let output = run(&["check", "--format", format, missing, POP_SMTP]);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let text = stdout(&output);
        match format {
            "human" => assert!(text.contains("1 path could not be read"), "{text}"),
            "json" => {
                let doc = json(&output);
                assert_eq!(doc["unreadable"][0]["path"], missing);
                assert_eq!(doc["summary"]["unreadable"], 1);
            }
            "sarif" => {
                let log = json(&output);
                let invocation = &log["runs"][0]["invocations"][0];
                assert_eq!(invocation["executionSuccessful"], false);
                let note = &invocation["toolExecutionNotifications"][0];
                assert_eq!(note["level"], "error");
                assert!(note["message"]["text"].as_str().unwrap().contains(missing));
            }
            _ => assert!(
                text.contains(missing) && text.contains("io-error"),
                "{format}: {text}"
            ),
        }
    }
    let log = json(&run(&["check", "--format", "sarif", POP_SMTP]));
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn sarif_rules_have_names_for_people_and_help_links() {
    let log = json(&run(&["check", "--format", "sarif", POP_SMTP]));
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let (id, name) = (rule["id"].as_str().unwrap(), rule["name"].as_str().unwrap());
        assert_ne!(id, name);
        assert!(
            name.chars().next().unwrap().is_ascii_uppercase() && !name.contains('-'),
            "{name}"
        );
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(
            uri.starts_with("https://") && uri.ends_with(&format!("docs/rules.md#{id}")),
            "{uri}"
        );
    }
}

#[test]
fn gitlab_fingerprints_do_not_move_with_lines_and_are_unique() {
    let dir = Scratch::new("fingerprints");
    let several = String::from_utf8(fixture("tests/data/several-findings.xml")).unwrap();
    dir.write("t.xml", several.as_bytes());
    let prints = || -> Vec<(String, String)> {
        let report = json(&run_in(
            dir.path(),
            &["check", "--format", "gitlab", "t.xml"],
        ));
        report
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["check_name"].as_str().unwrap().to_string(),
                    i["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = prints();
    assert!(before.len() > 3);
    let mut unique: Vec<&String> = before.iter().map(|(_, f)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        before.len(),
        "fingerprints are unique in a file"
    );
    // A comment and blank lines added at the top: every line moves, no fingerprint does.
    let moved = several.replacen("<Autodiscover", "<!-- reviewed -->\n\n\n<Autodiscover", 1);
    dir.write("t.xml", moved.as_bytes());
    assert_eq!(prints(), before);
    // Two identical defects in two Protocols get two fingerprints.
    let bad = String::from_utf8(fixture(BAD_SSL)).unwrap();
    let start = bad.find("<Protocol>").unwrap();
    let end = bad.find("</Protocol>").unwrap() + "</Protocol>".len();
    let doubled = format!("{}{}\n{}", &bad[..end], &bad[start..end], &bad[end..]);
    dir.write("t.xml", doubled.as_bytes());
    let twice: Vec<_> = prints()
        .into_iter()
        .filter(|(rule, _)| rule == "invalid-on-off")
        .collect();
    assert_eq!(twice.len(), 2);
    assert_ne!(twice[0].1, twice[1].1);
}
