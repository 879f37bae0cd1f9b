//! `show` and `check` over every input: the inputs are listed and checked on every core,
//! and the results written in input order; the verdict (exit code) is decided here.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use super::inputs::{Input, Opener, describe_io, list_inputs, read_limited};
use super::{CommonArgs, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE, Env, FailLevel, Mode, use_color};
use crate::analyze::{self, Options};
use crate::finding::Severity;
use crate::render::{self, FileResult, Format, Summary, human::Painter};
use crate::rules::Selection;

pub(super) fn inspect(args: &CommonArgs, mode: Mode, env: &mut Env<'_>) -> io::Result<i32> {
    let selection = match Selection::new(&args.select, &args.ignore) {
        Ok(selection) => selection,
        Err(err) => {
            writeln!(env.stderr, "adinspect: {err}; `adinspect rules` lists them")?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "-".to_string());
    if args.paths.is_empty() && env.stdin_is_terminal {
        writeln!(
            env.stderr,
            "adinspect: no input. Give a file or directory, or pipe a document in:\n  \
             adinspect {} autodiscover.xml\n  curl -s … | adinspect {} -\nRun `adinspect --help` for more.",
            mode.name(),
            mode.name()
        )?;
        return Ok(EXIT_TROUBLE);
    }
    let max_bytes = args.max_size.saturating_mul(1024 * 1024);
    // Stdin is read here, before the workers start: it can only be read once.
    let mut stdin_bytes = None;
    if args.paths.is_empty() || args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buffer = Vec::new();
        env.stdin.take(max_bytes + 1).read_to_end(&mut buffer)?;
        stdin_bytes = Some(buffer);
    }
    let options = Options {
        report: matches!(mode, Mode::Show(_)) && !args.quiet,
        selection,
        threads: args.threads,
        ..Options::default()
    };
    // A file written with -o is not a terminal: coloured only when asked for explicitly.
    let writes_terminal = env.stdout_is_terminal && args.output_file.is_none();
    let color = matches!(mode, Mode::Show(Format::Human) | Mode::Check(Format::Human))
        && use_color(args.color, writes_terminal, env.var);
    let painter = Painter { color };
    let fail_at = match (args.exit_zero, args.fail_level) {
        (true, _) | (_, FailLevel::Never) => None,
        (_, FailLevel::Info) => Some(Severity::Info),
        (_, FailLevel::Warning) => Some(Severity::Warning),
        (_, FailLevel::Error) => Some(Severity::Error),
    };

    let mut file_out;
    let out: &mut dyn Write = match &args.output_file {
        Some(path) => match fs::File::create(path) {
            Ok(file) => {
                file_out = io::BufWriter::new(file);
                &mut file_out
            }
            Err(err) => {
                writeln!(
                    env.stderr,
                    "adinspect: cannot write {}: {}",
                    path.display(),
                    describe_io(&err)
                )?;
                return Ok(EXIT_TROUBLE);
            }
        },
        None => &mut *env.stdout,
    };
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    // Asking for the core count reads cgroup files: only worth it with several inputs.
    let several = args.paths.len() > 1 || args.paths.first().is_some_and(|p| p.is_dir());
    let threads = match args.threads {
        Some(n) => n.max(1),
        None if several => std::thread::available_parallelism().map_or(1, |n| n.get()),
        None => 1,
    };
    let mut sink = Sink {
        mode,
        painter,
        quiet: args.quiet,
        verbose: args.verbose,
        fail_at,
        summary: Summary::default(),
        failed: false,
        trouble: false,
        json: render::json::DocumentWriter::default(),
        sarif: render::sarif::SarifWriter::default(),
        gitlab: render::gitlab::GitlabWriter::default(),
    };
    let stderr = &mut *env.stderr;

    let verbose = args.verbose;
    let analyze_one = |opener: &mut Opener, input: Input| -> Result<(FileResult, f64), String> {
        // Timed only for --verbose, which prints it.
        let started = verbose.then(Instant::now);
        let bytes = match &input {
            Input::Stdin(_) => stdin_bytes.clone().unwrap_or_default(),
            Input::File(path) => read_limited(opener, path, max_bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        };
        if bytes.len() as u64 > max_bytes {
            return Err(format!(
                "{}: larger than --max-size {} MiB; raise it to check this input",
                input.display(),
                max_bytes / (1024 * 1024)
            ));
        }
        let analysis = analyze::analyze(bytes, &options);
        Ok((
            FileResult {
                path: input.into_display(),
                analysis,
            },
            started.map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
        ))
    };

    if threads == 1 || !several {
        let mut inputs = Vec::new();
        sink.trouble |= list_inputs(&args.paths, &stdin_name, stderr, &mut |input| {
            inputs.push(input);
        })?;
        let mut opener = Opener::default();
        for input in inputs {
            sink.accept(analyze_one(&mut opener, input), &mut out, stderr)?;
        }
    } else {
        // The calling thread lists the inputs and hands them on in chunks as they are found,
        // so `threads - 1` others start on the first files while the tree is still being
        // listed; then it works through the chunks left too. Chunks grow from one input to
        // `MAX_CHUNK` (a small tree is still shared; a large one costs few hand-overs).
        // Results are written in input order through a reorder buffer, so the output is
        // deterministic whatever the scheduling.
        const MAX_CHUNK: usize = 32;
        let check_chunk = |opener: &mut Opener, chunk: Vec<Input>| -> Vec<_> {
            chunk.into_iter().map(|i| analyze_one(opener, i)).collect()
        };
        let stop = AtomicBool::new(false);
        let (work_sender, work) = mpsc::channel::<(usize, Vec<Input>)>();
        let work = Mutex::new(work);
        let take = || {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            work.lock().ok()?.recv().ok()
        };
        std::thread::scope(|scope| -> io::Result<()> {
            // Created inside the scope so that an early return (closed stdout) drops the
            // receiver, which makes every blocked worker's send fail and the worker stop.
            let (sender, receiver) = mpsc::sync_channel(threads * 4);
            // A worker is started with each chunk handed on, up to `threads - 1` of them: two
            // inputs never start sixty-three threads.
            let mut workers = 0;
            let mut hand_on = |at: usize, chunk: Vec<Input>| {
                if workers + 1 < threads {
                    workers += 1;
                    let sender = sender.clone();
                    let (take, check_chunk) = (&take, &check_chunk);
                    scope.spawn(move || {
                        let mut opener = Opener::default();
                        while let Some((start, chunk)) = take() {
                            if sender
                                .send((start, check_chunk(&mut opener, chunk)))
                                .is_err()
                            {
                                break; // the writer stopped (closed pipe)
                            }
                        }
                    });
                }
                // The receiving end lives as long as this thread: this cannot fail.
                let _ = work_sender.send((at, chunk));
            };
            let (mut start, mut size, mut chunk) = (0, 1, Vec::new());
            let listed = list_inputs(&args.paths, &stdin_name, stderr, &mut |input| {
                chunk.push(input);
                if chunk.len() == size {
                    size = (size * 2).min(MAX_CHUNK);
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(size));
                    let at = start;
                    start += full.len();
                    hand_on(at, full);
                }
            });
            if !chunk.is_empty() {
                hand_on(start, chunk);
            }
            drop((work_sender, sender)); // workers end when the chunks do
            sink.trouble |= listed.inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
            let mut order = Reorder::default();
            let mut write = |order: &mut Reorder<_>| {
                order
                    .write_ready(|result| sink.accept(result, &mut out, stderr))
                    .inspect_err(|_| stop.store(true, Ordering::Relaxed))
            };
            let mut opener = Opener::default();
            while let Some((start, chunk)) = take() {
                order.add(start, check_chunk(&mut opener, chunk));
                order.extend(receiver.try_iter());
                write(&mut order)?;
            }
            for (start, results) in receiver.iter() {
                order.add(start, results);
                write(&mut order)?;
            }
            Ok(())
        })?;
    }
    sink.finish(&mut out)?;
    out.flush()?;
    drop(out);
    Ok(if sink.trouble {
        EXIT_TROUBLE
    } else if sink.failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Results of chunks of inputs, finished in any order, handed on in input order.
struct Reorder<T> {
    pending: BTreeMap<usize, Vec<T>>,
    /// The index of the next input to hand on.
    next: usize,
}

impl<T> Default for Reorder<T> {
    fn default() -> Reorder<T> {
        Reorder {
            pending: BTreeMap::new(),
            next: 0,
        }
    }
}

impl<T> Reorder<T> {
    /// The results of the chunk of inputs starting at `start`.
    fn add(&mut self, start: usize, results: Vec<T>) {
        self.pending.insert(start, results);
    }

    /// Hands on every result whose turn has come.
    fn write_ready(&mut self, mut write: impl FnMut(T) -> io::Result<()>) -> io::Result<()> {
        while let Some(results) = self.pending.remove(&self.next) {
            self.next += results.len();
            for result in results {
                write(result)?;
            }
        }
        Ok(())
    }
}

impl<T> Extend<(usize, Vec<T>)> for Reorder<T> {
    fn extend<I: IntoIterator<Item = (usize, Vec<T>)>>(&mut self, chunks: I) {
        for (start, results) in chunks {
            self.add(start, results);
        }
    }
}

/// Receives results in input order: counts them, decides the verdict, writes or keeps them.
struct Sink {
    mode: Mode,
    painter: Painter,
    quiet: bool,
    verbose: bool,
    fail_at: Option<Severity>,
    summary: Summary,
    failed: bool,
    trouble: bool,
    json: render::json::DocumentWriter,
    sarif: render::sarif::SarifWriter,
    gitlab: render::gitlab::GitlabWriter,
}

impl Sink {
    fn accept(
        &mut self,
        result: Result<(FileResult, f64), String>,
        out: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> io::Result<()> {
        let (file, millis) = match result {
            Ok(found) => found,
            Err(message) => {
                let _ = writeln!(stderr, "adinspect: {message}");
                self.trouble = true;
                return Ok(());
            }
        };
        if self.verbose {
            let _ = writeln!(
                stderr,
                "adinspect: read {} ({} bytes, {}, {}) in {millis:.2} ms",
                file.path,
                file.analysis.len,
                file.analysis.encoding.label(),
                file.analysis.kind.as_str()
            );
        }
        self.summary.add(&file.analysis.findings);
        if let Some(level) = self.fail_at {
            self.failed |= file.analysis.findings.iter().any(|f| f.severity >= level);
        }
        let p = self.painter;
        match self.mode {
            Mode::Show(Format::Json) => self.json.show_file(out, &file)?,
            Mode::Show(_) => render::human::write_show_file(out, p, &file, self.quiet)?,
            Mode::Check(Format::Human) => render::human::write_check_file(out, p, &file)?,
            Mode::Check(Format::Concise) => render::concise::write_file(out, &file)?,
            Mode::Check(Format::Jsonl) => render::json::write_jsonl(out, &file)?,
            Mode::Check(Format::Github) => render::github::write_file(out, &file)?,
            Mode::Check(Format::Json) => self.json.check_file(out, &file)?,
            Mode::Check(Format::Sarif) => self.sarif.file(out, &file)?,
            Mode::Check(Format::Gitlab) => self.gitlab.file(out, &file)?,
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.mode {
            Mode::Show(Format::Json) | Mode::Check(Format::Json) => {
                self.json.finish(out, &self.summary)
            }
            Mode::Check(Format::Sarif) => self.sarif.finish(out),
            Mode::Check(Format::Gitlab) => self.gitlab.finish(out),
            Mode::Check(Format::Human) | Mode::Show(_) if !self.quiet => {
                render::human::write_summary(out, self.painter, &self.summary)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_hands_results_on_in_input_order() {
        let mut order = Reorder::default();
        let mut written = Vec::new();
        let mut write = |r| {
            written.push(r);
            Ok(())
        };
        order.add(3, vec![3, 4]);
        order.extend([(5, vec![5]), (1, vec![1, 2])]);
        order.write_ready(&mut write).unwrap();
        assert_eq!(order.next, 0, "input 0 is not there yet");
        order.add(0, vec![0]);
        order.write_ready(&mut write).unwrap();
        assert_eq!(written, [0, 1, 2, 3, 4, 5]);
        // A write that fails stops the hand-over.
        order.add(6, vec![6, 7]);
        let failed = order.write_ready(|_| Err(io::Error::other("closed")));
        assert!(failed.is_err());
    }
}
