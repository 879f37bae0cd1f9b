//! Where the time goes for one input: decode, line index, parse, model, rules.
//!   cargo run --release --example phases -- FILE
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let t = Instant::now();
    let bytes = std::fs::read(&path).unwrap();
    let read = t.elapsed();
    let t = Instant::now();
    let decoded = adinspect::source::decode(bytes);
    let decode = t.elapsed();
    let t = Instant::now();
    let index = adinspect::source::LineIndex::new(&decoded.text);
    let line_index = t.elapsed();
    let t = Instant::now();
    let crowded = adinspect::xml::crowded_tag(&decoded.text, adinspect::xml::MAX_ATTRIBUTES);
    let prescan = t.elapsed();
    let t = Instant::now();
    let doc = adinspect::xml::parse(&decoded.text, &index).unwrap();
    let parse = t.elapsed().saturating_sub(prescan);
    let t = Instant::now();
    let model = adinspect::model::Model::build(&doc);
    let build = t.elapsed();
    let t = Instant::now();
    let findings = adinspect::rules::check(&model, &decoded.text);
    let rules = t.elapsed();
    let t = Instant::now();
    drop(model);
    drop(doc);
    let dropping = t.elapsed();
    println!(
        "read {read:?} decode {decode:?} index {line_index:?} prescan {prescan:?} parse {parse:?} model {build:?} rules {rules:?} drop {dropping:?} ({} findings, crowded {crowded:?})",
        findings.len()
    );
}
