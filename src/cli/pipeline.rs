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
use super::{CommonArgs, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE, Env, FixArgs, Mode};
use crate::analyze::{self, Options, ReportStream};
use crate::finding::Mark;
use crate::finding::Severity;
use crate::fix;
use crate::render::{self, FileResult, Format, Summary, Unreadable, human::Painter};
use crate::report::Reporter;
use crate::source::Encoding;

/// What became of one input.
enum Outcome {
    /// Boxed: a result is much larger than the other outcomes.
    Analyzed {
        file: Box<FileResult>,
        /// The time taken (for --verbose).
        millis: f64,
        /// What `--fix`/`--diff` did.
        note: Option<Box<FixNote>>,
        rendered: Option<Rendered>,
        /// `show`: the file's report is already written (on the output, or at the start of
        /// `rendered`); its findings are not.
        head_written: bool,
    },
    /// Not judged: a walk found a file that is not a regular file, or XML of another kind.
    Skipped {
        path: String,
        why: String,
        other_xml: bool,
    },
    Unreadable(Unreadable),
}

/// Writes a file's report (its path, encoding, the report, the marks of its findings).
type WriteHead<'h> = dyn FnMut(&str, Encoding, &Reporter<'_, '_>, &[Mark]) + 'h;

/// Where `show` writes a file's report (all but its findings) while the document's model is
/// alive.
enum ShowHead<'h> {
    /// Not streamed: another mode, or none is wanted (`-q`).
    Not,
    /// Straight to the output, given the file's path (inputs checked in order on the writing
    /// thread).
    Output(&'h mut WriteHead<'h>),
    /// Into the file's rendered bytes (inputs checked on several threads).
    Rendered,
}

/// A file's output rendered on the thread that checked it (streaming formats with several
/// threads): the writing thread only copies the bytes and counts, and the analysis was freed
/// where it was made. For `show --format json`, the file's object without its separator.
struct Rendered {
    bytes: Vec<u8>,
    counts: Summary,
    worst: Option<Severity>,
}

/// The formats whose output for one file depends on nothing but that file (no separators or
/// collected records), and so can be rendered anywhere.
fn renders_alone(mode: Mode) -> bool {
    matches!(
        mode,
        Mode::Show(Format::Human)
            | Mode::Check(Format::Human | Format::Concise | Format::Jsonl | Format::Github)
    )
}

/// One file in a format that [`renders_alone`].
fn render_alone(
    mode: Mode,
    painter: Painter,
    quiet: bool,
    out: &mut dyn Write,
    file: &FileResult,
) -> io::Result<()> {
    match mode {
        Mode::Show(_) => render::human::write_show_file(out, painter, file, quiet),
        Mode::Check(Format::Human) => render::human::write_check_file(out, painter, file),
        Mode::Check(Format::Concise) => render::concise::write_file(out, file),
        Mode::Check(Format::Jsonl) => render::json::write_jsonl(out, file),
        Mode::Check(Format::Github) => render::github::write_file(out, file),
        Mode::Check(_) => Ok(()),
    }
}

/// `show`: what follows a report written as it was built (see `ShowHead`).
fn show_findings(
    mode: Mode,
    painter: Painter,
    out: &mut dyn Write,
    file: &FileResult,
) -> io::Result<()> {
    match mode {
        Mode::Show(Format::Json) => render::json::show_findings(out, file),
        _ => render::human::write_check_file(out, painter, file),
    }
}

/// What `--fix` or `--diff` did with one input, for the writing thread to report.
#[derive(Debug, Default)]
struct FixNote {
    /// Fixes applied (or, with `--diff`, that would be).
    applied: usize,
    /// `--diff`: the unified diff.
    diff: Option<String>,
    /// Why fixes that exist were not applied.
    refused: Option<String>,
    /// The fixed file could not be written.
    write_error: Option<String>,
    /// `--fix` on stdin: the document to print (fixed or, with nothing to fix, as it came).
    document: Option<Vec<u8>>,
}

/// Whether and how this run repairs what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repair {
    Off,
    /// `--fix`: rewrite the inputs.
    Fix {
        unsafe_fixes: bool,
    },
    /// `--diff`: print what `--fix` would change.
    Diff {
        unsafe_fixes: bool,
    },
}

/// Runs `show` (`show_format` set) or `check` and returns the exit code.
pub(super) fn inspect(
    args: &CommonArgs,
    show_format: Option<Format>,
    check_format: Option<Format>,
    quiet: bool,
    env: &mut Env<'_>,
) -> i32 {
    inspect_with_fixes(
        args,
        show_format,
        check_format,
        &FixArgs::default(),
        quiet,
        env,
    )
}

/// [`inspect`] for `check`, which may also fix (`--fix`) or show the fixes (`--diff`).
pub(super) fn inspect_with_fixes(
    args: &CommonArgs,
    show_format: Option<Format>,
    check_format: Option<Format>,
    fix_args: &FixArgs,
    quiet: bool,
    env: &mut Env<'_>,
) -> i32 {
    let repair = match (fix_args.fix, fix_args.diff) {
        (true, _) => Repair::Fix {
            unsafe_fixes: fix_args.unsafe_fixes,
        },
        (false, true) => Repair::Diff {
            unsafe_fixes: fix_args.unsafe_fixes,
        },
        (false, false) => Repair::Off,
    };
    let reads_stdin = args.paths.is_empty() || args.paths.iter().any(|p| p.as_os_str() == "-");
    // `--fix` on stdin prints the fixed document on stdout; the findings go to stderr.
    let fixes_stdin = matches!(repair, Repair::Fix { .. }) && reads_stdin;
    let mut stdin_findings = Vec::new();
    let mut stdin_document = None;
    let code = {
        let mut messages = Messages::new(&mut *env.stderr);
        if fix_args.unsafe_fixes && repair == Repair::Off {
            messages.error("--unsafe-fixes applies with --fix or --diff");
            return EXIT_TROUBLE;
        }
        if fixes_stdin && args.paths.len() > 1 {
            messages.error(
                "--fix with - reads one document from stdin and prints it fixed: give no other paths",
            );
            return EXIT_TROUBLE;
        }
        let mut stdout: Box<dyn Write + '_> = if fixes_stdin {
            Box::new(&mut stdin_findings)
        } else {
            Box::new(&mut *env.stdout)
        };
        let mut run_env = RunEnv {
            stdout: &mut *stdout,
            stdin: &mut *env.stdin,
            stdout_is_terminal: env.stdout_is_terminal && !fixes_stdin,
            stdin_is_terminal: env.stdin_is_terminal,
            var: env.var,
        };
        run(
            args,
            show_format,
            check_format,
            repair,
            quiet,
            &mut run_env,
            &mut messages,
            &mut stdin_document,
        )
    };
    if fixes_stdin {
        let document = stdin_document.unwrap_or_default();
        let written = env
            .stdout
            .write_all(&document)
            .and_then(|()| env.stdout.flush());
        let reported = env.stderr.write_all(&stdin_findings);
        if written.is_err() || reported.is_err() {
            return EXIT_TROUBLE;
        }
    }
    code
}

/// The parts of [`Env`] a run uses once its messages have taken stderr.
struct RunEnv<'e> {
    stdout: &'e mut dyn Write,
    stdin: &'e mut dyn io::Read,
    stdout_is_terminal: bool,
    stdin_is_terminal: bool,
    var: &'e dyn Fn(&str) -> Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn run(
    args: &CommonArgs,
    show_format: Option<Format>,
    check_format: Option<Format>,
    repair: Repair,
    quiet: bool,
    env: &mut RunEnv<'_>,
    messages: &mut Messages<'_>,
    stdin_document: &mut Option<Vec<u8>>,
) -> i32 {
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
        // Only human output quotes the input; fixing edits it.
        keep_text: matches!(mode, Mode::Show(Format::Human) | Mode::Check(Format::Human))
            || repair != Repair::Off,
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
        repair,
        fixes: FixCounts::default(),
        stdin_document: None,
    };
    let stdin_name = args.stdin_filename.as_deref().unwrap_or("-");

    let verbose = args.verbose;
    let settings = &settings;
    // With several threads, the checking threads render what they checked (in the formats that
    // allow it): the writing thread would otherwise render and free every result itself.
    let render_here = threads > 1 && several && repair == Repair::Off && renders_alone(mode);
    // `show` writes each report as it is built (see `ShowHead`); human output marks values
    // with the findings, so it is handed their marks too.
    let streams_report = matches!(mode, Mode::Show(_)) && options.report;
    let with_marks = mode == Mode::Show(Format::Human);
    // A report and the marks of its findings, into `out`.
    let show_head = |out: &mut dyn Write,
                     path: &str,
                     encoding: Encoding,
                     reporter: &Reporter<'_, '_>,
                     marks: &[Mark]| match mode {
        Mode::Show(Format::Human) => {
            render::human::write_show_head(out, painter, path, reporter, marks)
        }
        _ => render::json::write_show_head(out, path, reporter.kind(), encoding, Some(reporter)),
    };
    let analyze_one = |opener: &mut Opener, input: Input, head: ShowHead<'_>| -> Outcome {
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
        // Fixing needs the bytes again (to edit them); otherwise they go to the analysis.
        let original = (repair != Repair::Off).then(|| bytes.clone());
        let target = match &input {
            Input::File { path, .. } if original.is_some() => Some(path.clone()),
            _ => None,
        };
        let (path, raw_path) = input.into_display_and_raw();
        let mut head_bytes = Vec::new();
        let mut head_written = false;
        let renders_head = matches!(head, ShowHead::Rendered);
        let mut analysis = match head {
            ShowHead::Not => analyze::analyze(bytes, &options),
            mut head => {
                let mut write = |encoding: Encoding, r: &Reporter<'_, '_>, marks: &[Mark]| {
                    head_written = true;
                    match &mut head {
                        ShowHead::Output(write) => write(&path, encoding, r, marks),
                        _ => {
                            // Writing to memory cannot fail.
                            let _ = show_head(&mut head_bytes, &path, encoding, r, marks);
                        }
                    }
                };
                let stream = ReportStream {
                    with_marks,
                    write: &mut write,
                };
                analyze::analyze_streaming(bytes, &options, Some(stream))
            }
        };
        if let Some(root) = &analysis.other_root {
            return Outcome::Skipped {
                why: format!("<{root}> is not an Autodiscover document"),
                path,
                other_xml: true,
            };
        }
        let note = original.map(|original| {
            let (fixed, note) = repair_one(
                &original,
                &analysis,
                &options,
                repair,
                &path,
                target.as_deref(),
            );
            if let Some(fixed) = fixed {
                analysis = fixed;
            }
            Box::new(note)
        });
        let mut file = Box::new(FileResult {
            path,
            raw_path,
            analysis,
        });
        let rendered = (render_here || (renders_head && head_written)).then(|| {
            let mut bytes = head_bytes;
            // Writing to memory cannot fail.
            let _ = if head_written {
                show_findings(mode, painter, &mut bytes, &file)
            } else {
                render_alone(mode, painter, quiet, &mut bytes, &file)
            };
            let mut counts = Summary::default();
            counts.add(&file.analysis.findings);
            let worst = file.analysis.findings.iter().map(|f| f.severity).max();
            // Freed here, not on the writing thread.
            file.analysis.findings = Vec::new();
            file.analysis.text = String::new();
            file.analysis.report = None;
            Rendered {
                bytes,
                counts,
                worst,
            }
        });
        Outcome::Analyzed {
            file,
            millis: started.map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
            note,
            rendered,
            head_written,
        }
    };

    if threads == 1 || !several {
        let mut inputs = Vec::new();
        list_inputs(
            &args.paths,
            stdin_name,
            &settings.walk,
            &mut *messages,
            &mut |input| inputs.push(input),
        );
        let mut opener = Opener::default();
        for input in inputs {
            // Once the output is gone (a closed pipe), no report is worth building.
            let outcome = if streams_report && out.get_ref().is_open() {
                let (json, out) = (&mut sink.json, &mut out);
                let mut write = |path: &str, encoding, reporter: &Reporter<'_, '_>, marks: &_| {
                    // Write errors are latched by `out`.
                    if mode == Mode::Show(Format::Json) {
                        let _ = json.separator(out);
                    }
                    let _ = show_head(out, path, encoding, reporter, marks);
                };
                analyze_one(&mut opener, input, ShowHead::Output(&mut write))
            } else {
                analyze_one(&mut opener, input, ShowHead::Not)
            };
            sink.accept(outcome, &mut out, &mut *messages);
        }
    } else {
        // The calling thread lists the inputs and hands them on in chunks as they are found,
        // so `threads - 1` others start on the first files while the tree is still being
        // listed; then it works through the chunks left too. Chunks grow from one input to
        // `MAX_CHUNK` (a small tree is still shared; a large one costs few hand-overs).
        // Results are written in input order through a reorder buffer, so the output is
        // deterministic whatever the scheduling.
        const MAX_CHUNK: usize = 32;
        let head = || match streams_report {
            true => ShowHead::Rendered,
            false => ShowHead::Not,
        };
        let check_chunk = |opener: &mut Opener, chunk: Vec<Input>| -> Vec<_> {
            chunk
                .into_iter()
                .map(|i| analyze_one(opener, i, head()))
                .collect()
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
                &mut *messages,
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
                order.write_ready(|result| sink.accept(result, &mut out, &mut *messages));
            }
            for (start, results) in receiver.iter() {
                order.add(start, results);
                order.write_ready(|result| sink.accept(result, &mut out, &mut *messages));
            }
        });
    }
    sink.finish(&mut out);
    sink.fix_totals(messages);
    *stdin_document = sink.stdin_document.take();
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

/// `--fix` or `--diff` on one input (a file, or stdin when `target` is None): what was done,
/// and the analysis of the fixed document when it replaced the input.
fn repair_one(
    original: &[u8],
    analysis: &analyze::Analysis,
    options: &Options,
    repair: Repair,
    path: &str,
    target: Option<&std::path::Path>,
) -> (Option<analyze::Analysis>, FixNote) {
    let unsafe_fixes = match repair {
        Repair::Fix { unsafe_fixes } | Repair::Diff { unsafe_fixes } => unsafe_fixes,
        Repair::Off => false,
    };
    let mut note = FixNote::default();
    let fixed = match fix::fix(original, analysis, options, unsafe_fixes) {
        fix::Outcome::Nothing => None,
        fix::Outcome::Refused(why) => {
            note.refused = Some(why);
            None
        }
        fix::Outcome::Fixed(fixed) => Some(fixed),
    };
    if matches!(repair, Repair::Diff { .. }) {
        if let Some(fixed) = &fixed {
            note.applied = fixed.applied;
            note.diff = Some(fix::unified_diff(path, fixed));
        }
        return (None, note);
    }
    let Some(target) = target else {
        // Stdin: the document goes to stdout, fixed or as it came.
        note.document = Some(
            fixed
                .as_ref()
                .map_or_else(|| original.to_vec(), |f| f.bytes.clone()),
        );
        note.applied = fixed.as_ref().map_or(0, |f| f.applied);
        return (fixed.map(|f| f.analysis), note);
    };
    let Some(fixed) = fixed else {
        return (None, note);
    };
    match write_in_place(target, &fixed.bytes) {
        Ok(()) => {
            note.applied = fixed.applied;
            (Some(fixed.analysis), note)
        }
        Err(message) => {
            note.write_error = Some(message);
            (None, note)
        }
    }
}

/// Replaces a regular file's contents atomically (a temporary file next to it, renamed over
/// it; its permissions kept). Anything else (a link, a FIFO, a device) is left alone.
fn write_in_place(target: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    // Through a link the file written would be one the user did not name (perhaps outside the
    // tree given): fix the file itself.
    if std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err("a symbolic link: not fixed in place (fix the file it leads to)".to_string());
    }
    match std::fs::metadata(target) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => return Err("not a regular file: not fixed in place".to_string()),
        Err(err) => return Err(format!("cannot write it: {err}")),
    }
    let mut file = ReportFile::create(target)?;
    file.write_all(bytes)
        .and_then(|()| file.commit())
        .map_err(|err| format!("cannot write it: {err}"))
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
    repair: Repair,
    fixes: FixCounts,
    /// `--fix` on stdin: the document to print.
    stdin_document: Option<Vec<u8>>,
}

#[derive(Debug, Default)]
struct FixCounts {
    applied: usize,
    files: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

type Out<'w> = io::BufWriter<Latch<&'w mut dyn Write>>;

impl Sink {
    fn accept(&mut self, outcome: Outcome, out: &mut Out<'_>, messages: &mut Messages<'_>) {
        // Once the output is gone (a closed pipe), only the verdict is still worked out.
        let writing = out.get_ref().is_open();
        let (file, head_written) = match outcome {
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
            Outcome::Analyzed {
                file,
                millis,
                note,
                rendered,
                head_written,
            } => {
                if self.verbose {
                    messages.note(format_args!(
                        "read {} ({} bytes, {}, {}) in {millis:.2} ms",
                        file.path,
                        file.analysis.len,
                        file.analysis.encoding.label(),
                        file.analysis.kind.as_str()
                    ));
                }
                if let Some(note) = note {
                    self.fix_note(&file.path, *note, out, messages);
                    if matches!(self.repair, Repair::Diff { .. }) {
                        // --diff prints only the diffs; the verdict is whether there are any.
                        return;
                    }
                }
                if let Some(rendered) = rendered {
                    self.summary.files += rendered.counts.files;
                    self.summary.errors += rendered.counts.errors;
                    self.summary.warnings += rendered.counts.warnings;
                    self.summary.infos += rendered.counts.infos;
                    if let (Some(level), Some(worst)) = (self.fail_at, rendered.worst) {
                        self.failed |= worst >= level;
                    }
                    if writing {
                        if self.mode == Mode::Show(Format::Json) {
                            let _ = self.json.separator(out);
                        }
                        let _ = out.write_all(&rendered.bytes);
                    }
                    return;
                }
                (file, head_written)
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
            Mode::Show(_) if head_written => show_findings(self.mode, p, out, &file),
            Mode::Show(Format::Json) => self.json.show_file(out, &file),
            mode if renders_alone(mode) => render_alone(mode, p, self.quiet, out, &file),
            Mode::Show(_) => Ok(()),
            Mode::Check(Format::Human | Format::Concise | Format::Jsonl | Format::Github) => Ok(()),
            Mode::Check(Format::Json) => self.json.check_file(out, &file),
            Mode::Check(Format::Sarif) => self.sarif.file(out, &file),
            Mode::Check(Format::Gitlab) => self.gitlab.file(out, &file),
        };
    }

    /// Reports what `--fix` or `--diff` did with one input.
    fn fix_note(
        &mut self,
        path: &str,
        note: FixNote,
        out: &mut Out<'_>,
        messages: &mut Messages<'_>,
    ) {
        if let Some(why) = &note.refused {
            messages.warning(format_args!("{path}: not fixed: {why}"));
        }
        if let Some(why) = &note.write_error {
            messages.error(format_args!("{path}: {why}"));
            self.trouble = true;
        }
        if note.applied > 0 {
            self.fixes.files += 1;
            self.fixes.applied += note.applied;
            if matches!(self.repair, Repair::Fix { .. }) && !self.quiet {
                messages.note(format_args!(
                    "fixed {} in {path}",
                    plural(note.applied, "problem", "problems")
                ));
            }
        }
        if let Some(diff) = &note.diff {
            self.failed = true;
            if out.get_ref().is_open() {
                let _ = out.write_all(diff.as_bytes());
            }
        }
        if let Some(document) = note.document {
            self.stdin_document = Some(document);
        }
    }

    /// The closing line of `--fix` and `--diff` (stderr).
    fn fix_totals(&self, messages: &mut Messages<'_>) {
        if self.quiet {
            return;
        }
        let (count, files) = (self.fixes.applied, self.fixes.files);
        if count == 0 {
            if self.repair != Repair::Off {
                messages.note("nothing to fix");
            }
            return;
        }
        match self.repair {
            Repair::Fix { .. } => messages.note(format_args!(
                "{} fixed in {}",
                plural(count, "problem", "problems"),
                plural(files, "file", "files")
            )),
            Repair::Diff { .. } => messages.note(format_args!(
                "would fix {} in {}",
                plural(count, "problem", "problems"),
                plural(files, "file", "files")
            )),
            Repair::Off => {}
        }
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
        if matches!(self.repair, Repair::Diff { .. }) {
            let _ = out.flush();
            return;
        }
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
