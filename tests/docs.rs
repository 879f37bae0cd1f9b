//! Generated documentation stays in step with the code: docs/rules.md (rule catalogue) and
//! docs/man/ (man pages from the clap definitions). Regenerate with
//! `UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;

use clap::CommandFactory;

fn check_or_update(relative: &str, fresh: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{relative} is stale: run `UPDATE_DOCS=1 cargo test --test docs` and commit it"
    );
}

#[test]
fn rules_md_is_current() {
    check_or_update("docs/rules.md", &adinspect::rules::markdown());
}

#[test]
fn man_pages_are_current() {
    let fresh = std::env::temp_dir().join(format!("adinspect-man-{}", std::process::id()));
    std::fs::create_dir_all(&fresh).unwrap();
    clap_mangen::generate_to(adinspect::cli::Cli::command(), &fresh).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&fresh)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        let page = std::fs::read_to_string(fresh.join(name)).unwrap();
        check_or_update(&format!("docs/man/{name}"), &page);
    }
    std::fs::remove_dir_all(&fresh).unwrap();
    let committed = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man"))
        .unwrap()
        .count();
    assert_eq!(
        committed,
        names.len(),
        "docs/man has pages for commands that no longer exist"
    );
}

/// The README's `show` example is the real output of the bundled fixture.
#[test]
fn readme_show_example_is_real_output() {
    let command = "$ adinspect show fixtures/documents/isp-pop3-smtp-usepopauth.xml\n";
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find(command).expect("README lost its show example") + command.len();
    let end = start + readme[start..].find("```").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_adinspect"))
        .args([
            "show",
            "--color",
            "never",
            "fixtures/documents/isp-pop3-smtp-usepopauth.xml",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        readme[start..end].trim_end(),
        String::from_utf8(output.stdout).unwrap().trim_end(),
        "update the README's show example"
    );
}

/// The README's `show --format json | jq` examples print what the real output holds (the test
/// applies the same selections as the jq filters, so jq is not needed).
#[test]
fn readme_jq_examples_are_real_output() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_adinspect"))
        .args([
            "show",
            "--format",
            "json",
            "fixtures/documents/isp-pop3-smtp-usepopauth.xml",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let protocols = doc["files"][0]["accounts"][0]["protocols"]
        .as_array()
        .unwrap();
    for p in protocols {
        let e = &p["effective"];
        let line = format!(
            "\n{} {}:{} {}\n",
            p["type"].as_str().unwrap(),
            e["server"].as_str().unwrap(),
            e["port"],
            e["security"]["mode"].as_str().unwrap()
        );
        assert!(readme.contains(&line), "README lacks {line:?}");
    }
    let picked = serde_json::json!({
        "type": protocols[2]["type"],
        "credentials": protocols[2]["effective"]["smtp_credentials"],
        "UsePOPAuth": protocols[2]["settings"]["UsePOPAuth"],
    });
    let shown = readme
        .lines()
        .find(|l| l.starts_with("{\"type\":\"SMTP\",\"credentials\""))
        .expect("README lost its jq -c example");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(shown).unwrap(),
        picked
    );
}
