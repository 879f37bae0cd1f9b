//! Command-line orchestration: the only place that reads the environment, touches stdio,
//! walks the file system or chooses exit codes. One concern per file:
//!
//! - `args`: every flag and subcommand (clap definitions);
//! - `inputs`: what to read (paths, directory walks, stdin) and reading it;
//! - `pipeline`: `show`/`check` over many inputs on every core, results written in order;
//! - `commands`: the small subcommands (rules, explain, request, completions).

mod args;
mod commands;
mod inputs;
mod pipeline;

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
            let mode = match args.format {
                ShowFormat::Human => Mode::Show(Format::Human),
                ShowFormat::Json => Mode::Show(Format::Json),
            };
            pipeline::inspect(&args.common, mode, env)
        }
        Command::Check(args) => pipeline::inspect(&args.common, Mode::Check(args.format), env),
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
        } => commands::request(&email, mobilesync, legacy_dn.as_deref(), env),
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

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Show(_) => "show",
            Mode::Check(_) => "check",
        }
    }
}
