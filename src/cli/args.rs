//! Every flag and subcommand, with its documentation (what `--help` and the man pages show).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

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
