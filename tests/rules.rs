//! Every rule in the catalogue: its bad fixture fires it, its fixed twin does not, and the fixed
//! twin raises no error or warning at all. Also keeps docs/rules.md in step with the catalogue.

use adinspect::analyze::{Options, analyze};
use adinspect::finding::Severity;
use adinspect::rules::RULES;

#[test]
fn opt_in_rules_stay_quiet_unless_selected() {
    for rule in RULES.iter().filter(|r| r.opt_in) {
        let quiet = analyze(rule.bad, &Options::default());
        assert!(
            !quiet.findings.iter().any(|f| f.rule == rule.name),
            "{} fired without being selected",
            rule.name
        );
    }
}

#[test]
fn every_rule_fires_on_its_bad_fixture_and_not_on_the_fixed_one() {
    let mut failures = Vec::new();
    for rule in RULES {
        // The default rules, and this one (opt-in rules run only when named).
        let mut options = Options::default();
        options.selection.extend(&[rule.name.to_string()]).unwrap();
        let bad = analyze(rule.bad, &options);
        if !bad.findings.iter().any(|f| f.rule == rule.name) {
            failures.push(format!(
                "{}: bad.xml does not fire it (got {:?})",
                rule.name,
                bad.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
            ));
        }
        let good = analyze(rule.good, &options);
        let loud: Vec<_> = good
            .findings
            .iter()
            .filter(|f| f.rule == rule.name || f.severity > Severity::Info)
            .map(|f| format!("{}@{}:{}", f.rule, f.line, f.column))
            .collect();
        if !loud.is_empty() {
            failures.push(format!("{}: ok.xml raises {loud:?}", rule.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_is_explained() {
    for rule in RULES {
        assert!(rule.summary.len() > 10, "{} has no summary", rule.name);
        assert!(
            rule.explanation.len() > 40,
            "{} has no explanation",
            rule.name
        );
        assert!(
            rule.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
            "{} is not kebab-case",
            rule.name
        );
    }
    let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), RULES.len(), "duplicate rule names");
}

#[test]
fn every_fixture_folder_belongs_to_a_rule() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            adinspect::rules::lookup(&name).is_some(),
            "fixtures/rules/{name} has no rule"
        );
    }
}
