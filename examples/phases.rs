//! Where the time goes: decode, line index, prescan, compaction, parse, model, rules, summed
//! over every input (files, or directories searched for *.xml).
//!   cargo run --release --example phases -- [-j THREADS] [--keep-indentation] PATH...
#[path = "shared/inputs.rs"]
mod inputs;

use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Phases {
    read: Duration,
    decode: Duration,
    index: Duration,
    prescan: Duration,
    compact: Duration,
    parse: Duration,
    model: Duration,
    rules: Duration,
    contents: Duration,
    drop: Duration,
}

fn main() {
    let mut files = Vec::new();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = adinspect::parallel::Threads::ONE;
    if args.first().is_some_and(|a| a == "-j") {
        threads = adinspect::parallel::Threads::new(args[1].parse().expect("-j N"));
        args.drain(..2);
    }
    // Parse the inputs as written, to see what taking the indentation out saves.
    let keep_indentation = args.first().is_some_and(|a| a == "--keep-indentation");
    if keep_indentation {
        args.remove(0);
    }
    for arg in args {
        inputs::collect(Path::new(&arg), &mut files);
    }
    let mut p = Phases::default();
    let mut findings = 0;
    let timed = |total: &mut Duration, t: Instant| *total += t.elapsed();
    for path in &files {
        let t = Instant::now();
        let bytes = std::fs::read(path).unwrap();
        timed(&mut p.read, t);
        let t = Instant::now();
        let decoded = adinspect::source::decode(bytes);
        timed(&mut p.decode, t);
        let t = Instant::now();
        // adinspect builds it only when there are findings to place; timed to show its cost.
        let _index = adinspect::source::LineIndex::new(&decoded.text);
        timed(&mut p.index, t);
        let t = Instant::now();
        let crowded = adinspect::xml::crowded_tag(&decoded.text, adinspect::xml::MAX_ATTRIBUTES);
        let prescan = t.elapsed();
        p.prescan += prescan;
        assert!(crowded.is_none());
        let t = Instant::now();
        let mut text = decoded.text;
        if !keep_indentation {
            adinspect::compact::compact_in_place(&mut text);
        }
        timed(&mut p.compact, t);
        let text = text.as_str();
        let t = Instant::now();
        let doc = adinspect::xml::parse(text).unwrap();
        p.parse += t.elapsed().saturating_sub(prescan);
        let t = Instant::now();
        let model = adinspect::model::Model::build_with(&doc, threads);
        timed(&mut p.model, t);
        let t = Instant::now();
        findings += adinspect::rules::check_tree(&model, text).len();
        timed(&mut p.rules, t);
        let t = Instant::now();
        findings += adinspect::rules::check_contents(&model, text, threads).len();
        timed(&mut p.contents, t);
        let t = Instant::now();
        drop(model);
        drop(doc);
        timed(&mut p.drop, t);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} inputs, {findings} findings; ms: read {:.1} decode {:.1} index {:.1} prescan {:.1} compact {:.1} parse {:.1} model {:.1} tree {:.1} contents {:.1} drop {:.1}",
        files.len(),
        ms(p.read),
        ms(p.decode),
        ms(p.index),
        ms(p.prescan),
        ms(p.compact),
        ms(p.parse),
        ms(p.model),
        ms(p.rules),
        ms(p.contents),
        ms(p.drop)
    );
}
