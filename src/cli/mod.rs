//! Command-line orchestration: the only place that reads the environment, touches stdio,
//! walks the file system or chooses exit codes. One concern per file:
//!
//! - `args`: every flag and subcommand (clap definitions);
//! - `settings`: what a run needs, resolved once from defaults, the configuration file and flags;
//! - `inputs`: what to read (paths, directory walks, stdin) and reading it;
//! - `pipeline`: `show`/`check` over many inputs on every core, results written in order, and
//!   the verdict;
//! - `output`: where the report goes (stdout, or `-o` written atomically);
//! - `messages`: errors and notes on stderr;
//! - `commands`: the small subcommands (config, rules, explain, request);
//! - `discover`: the live lookup's command line, trace output and hand-over to `show`.

mod args;
mod commands;
#[cfg(feature = "discover")]
mod discover;
mod inputs;
mod messages;
mod output;
mod pipeline;
mod settings;

use std::io::{self, Read, Write};

use clap::CommandFactory;

pub use args::*;

use crate::render::Format;
use crate::render::human::Painter;

const EXIT_OK: i32 = 0;
const EXIT_FINDINGS: i32 = 1;
const EXIT_TROUBLE: i32 = 2;

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
            let format = match args.format {
                ShowFormat::Human => Format::Human,
                ShowFormat::Json => Format::Json,
            };
            let quiet = args.common.quiet;
            return pipeline::inspect(&args.common, Some(format), None, quiet, env);
        }
        Command::Check(args) => {
            let quiet = args.check.common.quiet;
            return pipeline::inspect_with_fixes(
                &args.check.common,
                None,
                args.check.format,
                &args.fix,
                quiet,
                env,
            );
        }
        #[cfg(feature = "discover")]
        Command::Discover(args) => return discover::run(&args, env),
        Command::Config(args) => commands::config(&args, env),
        Command::Rules { format } => commands::write_rules(env.stdout, format).map(|()| EXIT_OK),
        Command::Explain { rule, color } => {
            let painter = Painter {
                color: use_color(color, env.stdout_is_terminal, env.var),
            };
            commands::explain(&rule, painter, env)
        }
        Command::Request {
            email,
            mobilesync,
            legacy_dn,
        } => commands::request(email.as_deref(), mobilesync, legacy_dn.as_deref(), env),
        Command::Completions { shell } => {
            // Generated in memory first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "adinspect", &mut script);
            env.stdout
                .write_all(&script)
                .and_then(|()| env.stdout.flush())
                .map(|()| EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        // Printing the catalogue or a script into `| head` is no failure.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(err) => {
            let _ = writeln!(env.stderr, "adinspect: cannot write to stdout: {err}");
            EXIT_TROUBLE
        }
    }
}

/// What `main` does with a command line clap refused or answered itself (`--help`,
/// `--version`): the text goes to stdout or stderr as clap intends, and a failed write is exit
/// 2, never a silent 0.
pub fn report_parse_error(err: &clap::Error, env: &mut Env<'_>) -> i32 {
    use clap::error::ErrorKind;
    let to_stdout = matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    );
    let color = use_color(
        ColorChoice::Auto,
        if to_stdout {
            env.stdout_is_terminal
        } else {
            false
        },
        env.var,
    );
    let rendered = err.render();
    let text = if color {
        rendered.ansi().to_string()
    } else {
        rendered.to_string()
    };
    let stream: &mut dyn Write = if to_stdout {
        &mut *env.stdout
    } else {
        &mut *env.stderr
    };
    let written = stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush());
    match (written, to_stdout) {
        (Ok(()), true) => EXIT_OK,
        (Ok(()), false) => EXIT_TROUBLE,
        (Err(err), _) if err.kind() == io::ErrorKind::BrokenPipe && to_stdout => EXIT_OK,
        (Err(err), _) => {
            if to_stdout {
                let _ = writeln!(env.stderr, "adinspect: cannot write to stdout: {err}");
            }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Show(Format),
    Check(Format),
}
