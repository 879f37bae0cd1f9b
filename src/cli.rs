//! Command-line definitions and orchestration: the only place that reads the environment,
//! touches stdio, walks the file system or chooses exit codes.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::analyze::{self, Options};
use crate::finding::Severity;
use crate::render::{self, FileResult, Format, Summary, human::Painter};
use crate::rules::{self, RULES, Selection};

const EXIT_OK: i32 = 0;
const EXIT_FINDINGS: i32 = 1;
const EXIT_TROUBLE: i32 = 2;

const EXIT_CODES: &str = "\
Exit codes (the same for every format, -q and -o):
  0  nothing at or above --fail-level (default: error)
  1  findings at or above --fail-level; malformed XML and
     \"not an Autodiscover document\" are findings
  2  the tool could not do its job: usage error, missing or
     unreadable path, input over --max-size (the other
     paths are still processed)";

/// Inspect and lint Exchange Autodiscover POX XML (requests and responses).
#[derive(Debug, Parser)]
#[command(name = "adinspect", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every Account and Protocol with its settings, and the findings
    #[command(after_help = EXIT_CODES)]
    Show(ShowArgs),
    /// Lint only: findings and a verdict (the CI entry point)
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// List the rule catalogue
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Explain one rule: what it checks, why, a bad and a fixed example
    Explain {
        /// Rule name, e.g. use-pop-auth-without-pop3
        rule: String,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Print a correct Autodiscover request body (for curl --data-binary @-)
    Request {
        /// The mailbox's e-mail address
        email: String,
        /// An ActiveSync (mobilesync) request instead of an Outlook one
        #[arg(long)]
        mobilesync: bool,
        /// Ask by legacy Exchange DN instead of e-mail address (Outlook requests only)
        #[arg(long, value_name = "DN", conflicts_with = "mobilesync")]
        legacy_dn: Option<String>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailLevel {
    Info,
    Warning,
    Error,
    Never,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Files, directories (searched recursively for *.xml, sorted) or - for stdin.
    /// Without PATH, stdin is read when it is not a terminal
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// When to colour the human output (NO_COLOR, CLICOLOR_FORCE and FORCE_COLOR are honoured
    /// under auto)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Only these rules or families (comma-separated or repeated); see `adinspect rules`
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Skip these rules or families
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,
    /// Exit 0 even when there are findings (2 still means the tool could not run)
    #[arg(long)]
    pub exit_zero: bool,
    /// The name to show for stdin
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print findings only (no report, no summary line)
    #[arg(short, long)]
    pub quiet: bool,
    /// Tell on stderr which files were read, their encoding, kind and the time taken
    #[arg(short, long)]
    pub verbose: bool,
    /// Largest input accepted, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub max_size: u64,
    /// Threads (default: one per core); inputs are checked side by side, and one input of
    /// 4 MiB or more shares its checks among them
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub format: ShowFormat,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// What the process sees of its surroundings; tests pass their own.
pub struct Env<'e> {
    pub stdin: &'e mut dyn Read,
    pub stdin_is_terminal: bool,
    pub stdout: &'e mut dyn Write,
    pub stdout_is_terminal: bool,
    pub stderr: &'e mut dyn Write,
    pub var: &'e dyn Fn(&str) -> Option<String>,
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli, env: &mut Env<'_>) -> i32 {
    let result = match cli.command {
        Command::Show(args) => {
            let mode = match args.format {
                ShowFormat::Human => Mode::Show(Format::Human),
                ShowFormat::Json => Mode::Show(Format::Json),
            };
            inspect(&args.common, mode, env)
        }
        Command::Check(args) => inspect(&args.common, Mode::Check(args.format), env),
        Command::Rules { format } => write_rules(env.stdout, format).map(|()| EXIT_OK),
        Command::Explain { rule, color } => {
            let painter = Painter {
                color: use_color(color, env.stdout_is_terminal, env.var),
            };
            explain(&rule, painter, env)
        }
        Command::Request {
            email,
            mobilesync,
            legacy_dn,
        } => request(&email, mobilesync, legacy_dn.as_deref(), env),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "adinspect", &mut *env.stdout);
            Ok(EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(err) => {
            let _ = writeln!(env.stderr, "adinspect: {err}");
            EXIT_TROUBLE
        }
    }
}

/// Colour for a human stream: the flag, then NO_COLOR, then CLICOLOR_FORCE/FORCE_COLOR, then
/// whether the stream is a terminal whose TERM is not dumb.
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    var: &dyn Fn(&str) -> Option<String>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let set = |name: &str| var(name).is_some_and(|v| !v.is_empty() && v != "0");
            if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if set("CLICOLOR_FORCE") || set("FORCE_COLOR") {
                true
            } else {
                is_terminal && var("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Show(Format),
    Check(Format),
}

/// One input to read: a path, or stdin under a display name.
#[derive(Debug, Clone)]
enum Input {
    File(PathBuf),
    Stdin(String),
}

impl Input {
    fn display(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin(name) => name.clone(),
        }
    }

    /// `display` without a copy when the path is UTF-8 (the same text either way).
    fn into_display(self) -> String {
        match self {
            Input::File(path) => path
                .into_os_string()
                .into_string()
                .unwrap_or_else(|path| path.to_string_lossy().into_owned()),
            Input::Stdin(name) => name,
        }
    }
}

fn inspect(args: &CommonArgs, mode: Mode, env: &mut Env<'_>) -> io::Result<i32> {
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

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Show(_) => "show",
            Mode::Check(_) => "check",
        }
    }
}

/// Opens input files, one per thread. Inputs come in listing order, so consecutive files
/// usually share a directory: on Unix that directory is opened once and each file relative to
/// it, which spares the kernel resolving the whole path again for every file (about a tenth
/// of the cost of reading a small file). One directory handle at a time, whatever the tree.
#[derive(Default)]
struct Opener {
    #[cfg(unix)]
    directory: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl Opener {
    #[cfg(unix)]
    fn open(&mut self, path: &Path) -> io::Result<fs::File> {
        use rustix::fs::{Mode, OFlags};
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return fs::File::open(path);
        };
        if parent.as_os_str().is_empty() {
            return fs::File::open(path);
        }
        if self
            .directory
            .as_ref()
            .is_none_or(|(open, _)| open != parent)
        {
            // A directory that cannot be opened this way (no search permission, …) is left
            // to the plain open below, which gives the error users expect.
            self.directory = rustix::fs::open(
                parent,
                OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::RDONLY,
                Mode::empty(),
            )
            .ok()
            .map(|fd| (parent.to_path_buf(), fd));
        }
        match &self.directory {
            Some((_, dir)) => {
                let fd =
                    rustix::fs::openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
                Ok(fs::File::from(fd))
            }
            None => fs::File::open(path),
        }
    }

    #[cfg(not(unix))]
    fn open(&mut self, path: &Path) -> io::Result<fs::File> {
        fs::File::open(path)
    }
}

/// Reads at most `max + 1` bytes, so an oversized input is detected without loading it.
/// A file is first read into a small buffer without asking its size: most inputs fit, and
/// the `statx` saved is a tenth of the cost of reading a small file. Only a file that fills
/// the buffer is asked its size, so a large one is allocated once rather than grown.
fn read_limited(opener: &mut Opener, path: &Path, max: u64) -> Result<Vec<u8>, String> {
    const FIRST_READ: u64 = 16 * 1024;
    let file = opener.open(path).map_err(|e| describe_io(&e))?;
    let limit = max.saturating_add(1);
    let first = FIRST_READ.min(limit);
    let mut bytes = Vec::with_capacity(first as usize);
    fill(&file, &mut bytes).map_err(|e| describe_io(&e))?;
    let filled = bytes.len();
    if (filled as u64) < first {
        return Ok(bytes);
    }
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(format!(
            "{size} bytes, larger than --max-size {} MiB; raise it to check this input",
            max / (1024 * 1024)
        ));
    }
    bytes.reserve((size.min(limit) as usize).saturating_sub(bytes.len()) + 1);
    file.take(limit - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| describe_io(&e))?;
    Ok(bytes)
}

/// Reads into the spare room of `bytes` until it is full or the file ends, in as few reads as
/// the kernel allows (std's `read_to_end` cuts the first one at 8 KiB). On Unix the room is
/// read into as it is, not zeroed first.
#[cfg(unix)]
fn fill(file: &fs::File, bytes: &mut Vec<u8>) -> io::Result<()> {
    while bytes.len() < bytes.capacity() {
        match rustix::io::read(file, rustix::buffer::spare_capacity(bytes)) {
            Ok(0) => break,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn fill(mut file: &fs::File, bytes: &mut Vec<u8>) -> io::Result<()> {
    let mut filled = bytes.len();
    bytes.resize(bytes.capacity(), 0);
    while filled < bytes.len() {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                bytes.truncate(filled);
                return Err(e);
            }
        }
    }
    bytes.truncate(filled);
    Ok(())
}

fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// Lists the inputs `paths` name, in order, handing each to `emit` as soon as it is known
/// (`-` is stdin, once; no paths at all is stdin too). A path that cannot be listed is
/// reported on `stderr`, and so is one holding no *.xml; whether any could not be listed.
fn list_inputs(
    paths: &[PathBuf],
    stdin_name: &str,
    stderr: &mut dyn Write,
    emit: &mut dyn FnMut(Input),
) -> io::Result<bool> {
    if paths.is_empty() {
        emit(Input::Stdin(stdin_name.to_string()));
    }
    let (mut trouble, mut stdin_used) = (false, false);
    for path in paths {
        if path.as_os_str() == "-" {
            if !stdin_used {
                emit(Input::Stdin(stdin_name.to_string()));
                stdin_used = true;
            }
            continue;
        }
        let mut found = false;
        let listed = collect(path, &mut |input| {
            found = true;
            emit(input);
        });
        match listed {
            Ok(()) if !found => {
                // Not an error (exit code unchanged), but a CI job pointed at the wrong folder
                // should not pass in silence.
                writeln!(
                    stderr,
                    "adinspect: warning: {}: no *.xml files found",
                    path.display()
                )?;
            }
            Ok(()) => {}
            Err(err) => {
                writeln!(
                    stderr,
                    "adinspect: {}: {}",
                    path.display(),
                    describe_io(&err)
                )?;
                trouble = true;
            }
        }
    }
    Ok(trouble)
}

/// A file as given, or every *.xml below a directory in sorted order. Symbolic links to
/// directories are not followed inside a walk (no loops); linked files are read.
fn collect(path: &Path, emit: &mut dyn FnMut(Input)) -> io::Result<()> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_dir() {
        emit(Input::File(path.to_path_buf()));
        return Ok(());
    }
    // Depth first, each directory's entries in name order: the order of sorting the whole
    // paths (they compare component by component), without comparing whole paths. `pending`
    // holds what is left to visit, the next last; `true` marks a directory.
    let mut pending = vec![(path.to_path_buf(), true)];
    let mut entries = Vec::new();
    let mut first_error = None;
    while let Some((entry_path, is_dir)) = pending.pop() {
        if !is_dir {
            emit(Input::File(entry_path));
            continue;
        }
        let listing = match fs::read_dir(&entry_path) {
            Ok(listing) => listing,
            Err(err) => {
                first_error.get_or_insert(io::Error::new(
                    err.kind(),
                    format!("{}: {}", entry_path.display(), describe_io(&err)),
                ));
                continue;
            }
        };
        entries.clear();
        for entry in listing.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let entry_path = entry.path();
            if file_type.is_dir() {
                entries.push((entry_path, true));
            } else if is_xml(&entry_path)
                && (file_type.is_file() || fs::metadata(&entry_path).is_ok_and(|m| m.is_file()))
            {
                entries.push((entry_path, false));
            }
        }
        // The paths differ only in their last component (same directory): comparing them as
        // strings orders them by name.
        entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        pending.extend(entries.drain(..).rev());
    }
    match first_error {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn is_xml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

fn write_rules(out: &mut dyn Write, format: RulesFormat) -> io::Result<()> {
    match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "family": r.family,
                        "severity": r.severity.as_str(),
                        "summary": r.summary,
                        "explanation": r.explanation,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)
        }
        RulesFormat::Human => {
            let mut family = "";
            for rule in RULES {
                if rule.family != family {
                    family = rule.family;
                    writeln!(out, "{family}")?;
                }
                writeln!(
                    out,
                    "  {:<36} {:<8} {}",
                    rule.name,
                    rule.severity.as_str(),
                    rule.summary
                )?;
            }
            Ok(())
        }
    }
}

fn explain(name: &str, p: Painter, env: &mut Env<'_>) -> io::Result<i32> {
    let Some(rule) = rules::lookup(name) else {
        let hint = match rules::validate_selector(name) {
            Err(err) => err
                .suggestion
                .map(|s| format!(" (did you mean {s:?}?)"))
                .unwrap_or_default(),
            Ok(()) => " (that is a family; `adinspect rules` lists its rules)".to_string(),
        };
        writeln!(env.stderr, "adinspect: no rule named {name:?}{hint}")?;
        return Ok(EXIT_TROUBLE);
    };
    let out = &mut *env.stdout;
    writeln!(
        out,
        "{} ({}, {})",
        p_bold(p, rule.name),
        rule.family,
        rule.severity
    )?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(out, "{}\n", textwrap(rule.explanation, 88))?;
    for (title, bytes) in [("Example that fires:", rule.bad), ("Fixed:", rule.good)] {
        writeln!(out, "{}", p_bold(p, title))?;
        match std::str::from_utf8(bytes) {
            Ok(text) if !text.contains('\0') => {
                for line in text.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
            _ => writeln!(
                out,
                "    ({} bytes that are not UTF-8 text: see fixtures/rules/{}/)",
                bytes.len(),
                rule.name
            )?,
        }
        writeln!(out)?;
    }
    Ok(EXIT_OK)
}

fn p_bold(p: Painter, text: &str) -> String {
    if p.color {
        use owo_colors::OwoColorize;
        text.bold().to_string()
    } else {
        text.to_string()
    }
}

fn textwrap(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

fn request(
    email: &str,
    mobilesync: bool,
    legacy_dn: Option<&str>,
    env: &mut Env<'_>,
) -> io::Result<i32> {
    if !crate::rules::is_email(email) || email.contains(['&', '<', '>']) {
        writeln!(
            env.stderr,
            "adinspect: {email:?} is not an e-mail address (local@domain)"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    if let Some(dn) = legacy_dn
        && (!dn.to_ascii_lowercase().starts_with("/o=") || dn.contains(['&', '<', '>']))
    {
        writeln!(
            env.stderr,
            "adinspect: {dn:?} is not a legacy Exchange DN (/o=…/ou=…/cn=…)"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    let body = crate::request_body(email, mobilesync, legacy_dn);
    env.stdout.write_all(body.as_bytes())?;
    Ok(EXIT_OK)
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

    /// A fresh directory under the system's temporary one, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("adinspect-unit-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn read_limited_reads_whole_files_around_the_first_buffer_and_refuses_oversized_ones() {
        let scratch = Scratch::new("read");
        let mut opener = Opener::default();
        // Sizes around the first read's 16 KiB, and far past it.
        for size in [0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 200_003] {
            let path = scratch.0.join(format!("{size}.xml"));
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            fs::write(&path, &content).unwrap();
            let read = read_limited(&mut opener, &path, 1 << 20).unwrap();
            assert!(read == content, "{size} bytes read back as {}", read.len());
            // Exactly at the limit is fine; one byte over is not, whichever read sees it.
            if size > 0 {
                assert_eq!(
                    read_limited(&mut opener, &path, size as u64).unwrap().len(),
                    size
                );
                let refused = read_limited(&mut opener, &path, size as u64 - 1).unwrap_err();
                assert!(refused.contains("larger than --max-size"), "{refused}");
            }
        }
    }

    #[test]
    fn opener_switches_directories_and_reports_missing_files() {
        let scratch = Scratch::new("opener");
        let (a, b) = (scratch.0.join("a"), scratch.0.join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("same.xml"), "from a").unwrap();
        fs::write(b.join("same.xml"), "from b").unwrap();
        let mut opener = Opener::default();
        // Same file name in two directories, visited back and forth: each read must come from
        // the directory its path names, not the one opened last.
        for (dir, expected) in [
            (&a, "from a"),
            (&b, "from b"),
            (&a, "from a"),
            (&a, "from a"),
        ] {
            let read = read_limited(&mut opener, &dir.join("same.xml"), 1024).unwrap();
            assert_eq!(read, expected.as_bytes());
        }
        let missing = read_limited(&mut opener, &a.join("missing.xml"), 1024).unwrap_err();
        assert_eq!(missing, "no such file or directory");
        let no_directory = read_limited(&mut opener, &scratch.0.join("c/x.xml"), 1024).unwrap_err();
        assert_eq!(no_directory, "no such file or directory");
        // The directory it had open is still used correctly after the failures.
        assert_eq!(
            read_limited(&mut opener, &b.join("same.xml"), 1024).unwrap(),
            b"from b"
        );
    }
}
