//! `show` and `check` over every input: the inputs are listed and checked on every core, the
//! results written in input order, and the verdict (exit code) decided here. Neither a closed
//! stdout nor a closed stderr changes the verdict: output stops, deciding goes on.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use super::inputs::{Input, Opener, list_inputs, read_limited};
use super::messages::Messages;
use super::output::{Latch, ReportFile, report_collides};
use super::settings;
use super::{CommonArgs, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE, Env, Mode};
use crate::analyze::{self, Options};
use crate::finding::Severity;
use crate::render::{self, FileResult, Format, Summary, Unreadable, human::Painter};

/// What became of one input.
enum Outcome {
    /// Boxed: a result is much larger than the other outcomes.
    Analyzed(Box<FileResult>, f64),
    /// Not judged: a walk found a file that is not a regular file, or XML of another kind.
    Skipped {
        path: String,
        why: String,
        other_xml: bool,
    },
    Unreadable(Unreadable),
}

/// Runs `show` (`show_format` set) or `check` and returns the exit code.
pub(super) fn inspect(
    args: &CommonArgs,
    show_format: Option<Format>,
    check_format: Option<Format>,
    quiet: bool,
    env: &mut Env<'_>,
) -> i32 {
    let mut messages = Messages::new(&mut *env.stderr);
    let mut settings = match settings::resolve(args, show_format, check_format) {
        Ok(settings) => settings,
        Err(message) => {
            messages.error(message);
            return EXIT_TROUBLE;
        }
    };
    let mode = settings.mode;
    if args.paths.is_empty() && env.stdin_is_terminal {
        messages.fixed(match mode {
            Mode::Show(_) => {
                "adinspect: no input. Give a file or directory, or pipe a document in:\n  \
                 adinspect show autodiscover.xml\n  curl -s … | adinspect show -\n\
                 Run `adinspect --help` for more.\n"
            }
            Mode::Check(_) => {
                "adinspect: no input. Give a file or directory, or pipe a document in:\n  \
                 adinspect check autodiscover.xml\n  curl -s … | adinspect check -\n\
                 Run `adinspect --help` for more.\n"
            }
        });
        return EXIT_TROUBLE;
    }
    // The report never overwrites an input: refused before anything is opened for writing,
    // and a walk never lists it.
    if let Some(target) = &args.output_file {
        let (id, input) = report_collides(target, &args.paths);
        if let Some(input) = input {
            messages.error(format_args!(
                "-o {} is the input {}: refusing to overwrite an input with the report",
                target.display(),
                input.display()
            ));
            return EXIT_TROUBLE;
        }
        settings.walk.report = id;
    }
    let max_bytes = settings.max_bytes;
    // Stdin is read here, before the workers start: it can only be read once.
    let mut stdin_bytes = None;
    if args.paths.is_empty() || args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buffer = Vec::new();
        if let Err(err) = env.stdin.take(max_bytes + 1).read_to_end(&mut buffer) {
            messages.error(format_args!("cannot read stdin: {err}"));
            return EXIT_TROUBLE;
        }
        stdin_bytes = Some(buffer);
    }
    let options = Options {
        report: matches!(mode, Mode::Show(_)) && !quiet,
        selection: settings.selection,
        min_severity: settings.min_severity,
        threads: settings.threads,
        element_paths: mode == Mode::Check(Format::Gitlab),
        ..Options::default()
    };
    // A file written with -o is not a terminal: coloured only when asked for explicitly.
    let writes_terminal = env.stdout_is_terminal && args.output_file.is_none();
    let painter = Painter {
        color: settings.color(writes_terminal, env.var),
    };

    let mut report_file = match &args.output_file {
        Some(path) => match ReportFile::create(path) {
            Ok(file) => Some(file),
            Err(message) => {
                messages.error(message);
                return EXIT_TROUBLE;
            }
        },
        None => None,
    };
    let destination: &mut dyn Write = match &mut report_file {
        Some(file) => file,
        None => &mut *env.stdout,
    };
    let mut out = io::BufWriter::with_capacity(64 * 1024, Latch::new(destination));
    // Asking for the core count reads cgroup files: only worth it with several inputs.
    let several = args.paths.len() > 1 || args.paths.first().is_some_and(|p| p.is_dir());
    let threads = match settings.threads {
        Some(n) => n,
        None if several => std::thread::available_parallelism().map_or(1, |n| n.get()),
        None => 1,
    };
    let mut sink = Sink {
        mode,
        painter,
        quiet,
        verbose: args.verbose,
        fail_at: settings.fail_at,
        summary: Summary::default(),
        failed: false,
        trouble: false,
        json: render::json::DocumentWriter::default(),
        sarif: render::sarif::SarifWriter::new(std::env::current_dir().ok()),
        gitlab: render::gitlab::GitlabWriter::default(),
    };
    let stdin_name = args.stdin_filename.as_deref().unwrap_or("-");

    let verbose = args.verbose;
    let settings = &settings;
    let analyze_one = |opener: &mut Opener, input: Input| -> Outcome {
        // Timed only for --verbose, which prints it.
        let started = verbose.then(Instant::now);
        let (bytes, found) = match &input {
            Input::Unreadable { path, message } => {
                return Outcome::Unreadable(Unreadable {
                    path: path.clone(),
                    message: message.clone(),
                });
            }
            Input::Stdin(_) => (stdin_bytes.clone().unwrap_or_default(), false),
            Input::File { path, found } => match read_limited(opener, path, max_bytes, *found) {
                Ok(Some(bytes)) => (bytes, *found),
                Ok(None) => {
                    return Outcome::Skipped {
                        path: input.into_display(),
                        why: "not a regular file".to_string(),
                        other_xml: false,
                    };
                }
                Err(message) => {
                    return Outcome::Unreadable(Unreadable {
                        path: input.into_display(),
                        message,
                    });
                }
            },
        };
        if bytes.len() as u64 > max_bytes {
            return Outcome::Unreadable(Unreadable {
                path: input.into_display(),
                message: format!(
                    "larger than --max-size {} MiB; raise it to check this input",
                    max_bytes / (1024 * 1024)
                ),
            });
        }
        let mut options = options;
        options.skip_other_xml = found;
        if let Input::File { path, .. } = &input {
            options.selection = settings.selection_for(path);
        }
        let analysis = analyze::analyze(bytes, &options);
        if let Some(root) = &analysis.other_root {
            return Outcome::Skipped {
                why: format!("<{root}> is not an Autodiscover document"),
                path: input.into_display(),
                other_xml: true,
            };
        }
        let (path, raw_path) = input.into_display_and_raw();
        Outcome::Analyzed(
            Box::new(FileResult {
                path,
                raw_path,
                analysis,
            }),
            started.map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
        )
    };

    if threads == 1 || !several {
        let mut inputs = Vec::new();
        list_inputs(
            &args.paths,
            stdin_name,
            &settings.walk,
            &mut messages,
            &mut |input| inputs.push(input),
        );
        let mut opener = Opener::default();
        for input in inputs {
            sink.accept(analyze_one(&mut opener, input), &mut out, &mut messages);
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
        let (work_sender, work) = mpsc::channel::<(usize, Vec<Input>)>();
        let work = Mutex::new(work);
        let take = || work.lock().ok()?.recv().ok();
        std::thread::scope(|scope| {
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
                                break;
                            }
                        }
                    });
                }
                // The receiving end lives as long as this thread: this cannot fail.
                let _ = work_sender.send((at, chunk));
            };
            let (mut start, mut size, mut chunk) = (0, 1, Vec::new());
            list_inputs(
                &args.paths,
                stdin_name,
                &settings.walk,
                &mut messages,
                &mut |input| {
                    chunk.push(input);
                    if chunk.len() == size {
                        size = (size * 2).min(MAX_CHUNK);
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(size));
                        let at = start;
                        start += full.len();
                        hand_on(at, full);
                    }
                },
            );
            if !chunk.is_empty() {
                hand_on(start, chunk);
            }
            drop((work_sender, sender)); // workers end when the chunks do
            let mut order = Reorder::default();
            let mut opener = Opener::default();
            while let Some((start, chunk)) = take() {
                order.add(start, check_chunk(&mut opener, chunk));
                order.extend(receiver.try_iter());
                order.write_ready(|result| sink.accept(result, &mut out, &mut messages));
            }
            for (start, results) in receiver.iter() {
                order.add(start, results);
                order.write_ready(|result| sink.accept(result, &mut out, &mut messages));
            }
        });
    }
    sink.finish(&mut out);
    let (latch, _) = out.into_parts();
    if let Some(err) = latch.into_error() {
        // A reader that went away (`| head`) is no trouble: the verdict stands.
        if err.kind() != io::ErrorKind::BrokenPipe {
            let what = match &args.output_file {
                Some(path) => path.display().to_string(),
                None => "stdout".to_string(),
            };
            messages.error(format_args!("cannot write the report to {what}: {err}"));
            sink.trouble = true;
        }
        // An uncommitted report is removed when dropped: the previous one stays.
        drop(report_file);
    } else if let Some(file) = report_file
        && let Err(err) = file.commit()
    {
        let path = args
            .output_file
            .as_deref()
            .unwrap_or(std::path::Path::new("?"));
        messages.error(format_args!(
            "cannot write the report to {}: {err}",
            path.display()
        ));
        sink.trouble = true;
    }
    if sink.trouble || messages.failed() {
        EXIT_TROUBLE
    } else if sink.failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
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
    fn write_ready(&mut self, mut write: impl FnMut(T)) {
        while let Some(results) = self.pending.remove(&self.next) {
            self.next += results.len();
            for result in results {
                write(result);
            }
        }
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

type Out<'w> = io::BufWriter<Latch<&'w mut dyn Write>>;

impl Sink {
    fn accept(&mut self, outcome: Outcome, out: &mut Out<'_>, messages: &mut Messages<'_>) {
        // Once the output is gone (a closed pipe), only the verdict is still worked out.
        let writing = out.get_ref().is_open();
        let file = match outcome {
            Outcome::Unreadable(unreadable) => {
                messages.error(format_args!("{}: {}", unreadable.path, unreadable.message));
                self.trouble = true;
                self.summary.unreadable += 1;
                if writing {
                    self.write_unreadable(out, &unreadable);
                }
                return;
            }
            Outcome::Skipped {
                path,
                why,
                other_xml,
            } => {
                if other_xml {
                    self.summary.skipped += 1;
                }
                if self.verbose {
                    messages.note(format_args!("skipped {path}: {why}"));
                }
                return;
            }
            Outcome::Analyzed(file, millis) => {
                if self.verbose {
                    messages.note(format_args!(
                        "read {} ({} bytes, {}, {}) in {millis:.2} ms",
                        file.path,
                        file.analysis.len,
                        file.analysis.encoding.label(),
                        file.analysis.kind.as_str()
                    ));
                }
                file
            }
        };
        self.summary.add(&file.analysis.findings);
        if let Some(level) = self.fail_at {
            self.failed |= file.analysis.findings.iter().any(|f| f.severity >= level);
        }
        if !writing {
            return;
        }
        let p = self.painter;
        // Write errors are latched by `out` (and end the writing above); nothing to do here.
        let _ = match self.mode {
            Mode::Show(Format::Json) => self.json.show_file(out, &file),
            Mode::Show(_) => render::human::write_show_file(out, p, &file, self.quiet),
            Mode::Check(Format::Human) => render::human::write_check_file(out, p, &file),
            Mode::Check(Format::Concise) => render::concise::write_file(out, &file),
            Mode::Check(Format::Jsonl) => render::json::write_jsonl(out, &file),
            Mode::Check(Format::Github) => render::github::write_file(out, &file),
            Mode::Check(Format::Json) => self.json.check_file(out, &file),
            Mode::Check(Format::Sarif) => self.sarif.file(out, &file),
            Mode::Check(Format::Gitlab) => self.gitlab.file(out, &file),
        };
    }

    /// An input that could not be read, in the formats that carry it as a record (the human
    /// formats have the message on stderr and the count in the summary).
    fn write_unreadable(&mut self, out: &mut Out<'_>, unreadable: &Unreadable) {
        let _ = match self.mode {
            Mode::Show(Format::Json) | Mode::Check(Format::Json) => {
                self.json.unreadable(unreadable);
                Ok(())
            }
            Mode::Check(Format::Concise) => render::concise::write_unreadable(out, unreadable),
            Mode::Check(Format::Jsonl) => render::json::write_unreadable_line(out, unreadable),
            Mode::Check(Format::Github) => render::github::write_unreadable(out, unreadable),
            Mode::Check(Format::Sarif) => {
                self.sarif.unreadable(unreadable);
                Ok(())
            }
            Mode::Check(Format::Gitlab) => self.gitlab.unreadable(out, unreadable),
            Mode::Show(_) | Mode::Check(Format::Human) => Ok(()),
        };
    }

    fn finish(&mut self, out: &mut Out<'_>) {
        let _ = match self.mode {
            Mode::Show(Format::Json) | Mode::Check(Format::Json) => {
                self.json.finish(out, &self.summary)
            }
            Mode::Check(Format::Sarif) => self.sarif.finish(out),
            Mode::Check(Format::Gitlab) => self.gitlab.finish(out),
            Mode::Check(Format::Human) | Mode::Show(_) if !self.quiet => {
                render::human::write_summary(out, self.painter, &self.summary)
            }
            _ => Ok(()),
        };
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_hands_results_on_in_input_order() {
        let mut order = Reorder::default();
        let mut written = Vec::new();
        order.add(3, vec![3, 4]);
        order.extend([(5, vec![5]), (1, vec![1, 2])]);
        order.write_ready(|r| written.push(r));
        assert_eq!(order.next, 0, "input 0 is not there yet");
        order.add(0, vec![0]);
        order.write_ready(|r| written.push(r));
        assert_eq!(written, [0, 1, 2, 3, 4, 5]);
    }
}
