//! The `--format json` documents match the JSON Schema committed in docs/output.schema.json,
//! on every bundled document and rule fixture, for `show` and `check` alike.

mod common;

use common::{json, run, run_with_stdin};

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/output.schema.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema itself is valid")
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, doc: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn show_and_check_output_match_the_schema_on_every_fixture() {
    let validator = validator();
    for command in ["show", "check"] {
        // Directories: every bundled document and every rule's bad and ok example in one run,
        // plus a path that does not exist (the `unreadable` list).
        let output = run(&[
            command,
            "--format",
            "json",
            "--select",
            "all",
            "fixtures",
            "no-such-file.xml",
        ]);
        let doc = json(&output);
        assert!(doc["files"].as_array().unwrap().len() > 100);
        assert_eq!(doc["unreadable"].as_array().unwrap().len(), 1);
        assert_valid(&validator, command, &doc);
    }
}

#[test]
fn the_schema_rejects_what_the_tool_must_not_write() {
    let validator = validator();
    let mut doc = json(&run(&[
        "show",
        "--format",
        "json",
        "fixtures/documents/isp-pop3-smtp-usepopauth.xml",
    ]));
    assert_valid(&validator, "as written", &doc);
    // A sentence where a value is expected, an unknown security mode, a version 1 key.
    let protocol = doc["files"][0]["accounts"][0]["protocols"][0].clone();
    let mut prose = protocol.clone();
    prose["effective"]["ttl_hours"] = serde_json::json!("1 (hour)");
    let mut mode = protocol.clone();
    mode["effective"]["security"]["mode"] = serde_json::json!("implicit TLS");
    let mut old = protocol.clone();
    old["smtp_uses_pop3_credentials"] = serde_json::json!(null);
    for (what, changed) in [("prose", prose), ("mode", mode), ("v1 key", old)] {
        doc["files"][0]["accounts"][0]["protocols"][0] = changed;
        assert!(!validator.is_valid(&doc), "{what} passed the schema");
    }
}

#[test]
fn stdin_and_non_autodiscover_documents_match_the_schema() {
    let validator = validator();
    for input in [
        &b"<html><body>Sign in</body></html>"[..],
        b"{\"Protocol\":\"AutodiscoverV1\"}",
        b"",
        b"<Autodiscover><Response>",
    ] {
        let output = run_with_stdin(&["show", "--format", "json", "-"], input);
        assert_valid(&validator, &String::from_utf8_lossy(input), &json(&output));
    }
}
