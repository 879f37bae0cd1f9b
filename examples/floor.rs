//! The floor the benchmark compares against: read every input, parse it with roxmltree
//! (same options as adinspect: no DTD) and visit every node, on N threads. Nothing else.
//!
//!   cargo run --release --example floor -- [-j N] PATH...

#[path = "shared/inputs.rs"]
mod inputs;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if args.first().is_some_and(|a| a == "-j") {
        threads = args[1].parse().unwrap();
        args.drain(..2);
    }
    let mut files = Vec::new();
    for arg in &args {
        inputs::collect(Path::new(arg), &mut files);
    }
    let next = AtomicUsize::new(0);
    let visited = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let bytes = std::fs::read(path).unwrap();
                    let text = std::str::from_utf8(&bytes).unwrap();
                    let options = roxmltree::ParsingOptions {
                        allow_dtd: false,
                        ..Default::default()
                    };
                    let doc = roxmltree::Document::parse_with_options(text, options).unwrap();
                    let count = doc
                        .descendants()
                        .filter(|n| n.is_element() || n.is_text())
                        .count();
                    visited.fetch_add(count, Ordering::Relaxed);
                }
            });
        }
    });
    println!(
        "{} files, {} nodes",
        files.len(),
        visited.load(Ordering::Relaxed)
    );
}
