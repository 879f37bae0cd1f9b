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
    /// Lint only: findings and a verdict (the CI entry point); --fix repairs the mechanical
    /// defects in place
    #[command(after_help = EXIT_CODES)]
    Check(CheckCommand),
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
        #[arg(required_unless_present = "legacy_dn")]
        email: Option<String>,
        /// An ActiveSync (mobilesync) request instead of an Outlook one
        #[arg(long)]
        mobilesync: bool,
        /// Ask by legacy Exchange DN instead of e-mail address (Outlook requests only)
        #[arg(long, value_name = "DN", conflicts_with_all = ["mobilesync", "email"])]
        legacy_dn: Option<String>,
    },
    /// Print the settings a run here would use, and where each comes from (the configuration
    /// file, a flag, or the default)
    Config(CheckArgs),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum MinSeverity {
    Info,
    Warning,
    Error,
}

const WALKING: &str = "Walking directories";
const RULES: &str = "Rules and verdict";
const OUTPUT: &str = "Output";
const CONFIG: &str = "Configuration";
const FIXING: &str = "Fixing";

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Files, directories or - for stdin. Directories are walked for *.xml (sorted), honouring
    /// .gitignore and .ignore and skipping hidden entries and other kinds of XML files.
    /// Without PATH, stdin is read when it is not a terminal
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only these rules or families (comma-separated or repeated; `all` also turns on the
    /// opt-in rules); replaces `select` from the configuration file
    #[arg(long, value_delimiter = ',', value_name = "RULE", help_heading = RULES)]
    pub select: Option<Vec<String>>,
    /// Add these rules or families to the selection
    #[arg(long, value_delimiter = ',', value_name = "RULE", help_heading = RULES)]
    pub extend_select: Vec<String>,
    /// Skip these rules or families (on top of `ignore` from the configuration file)
    #[arg(long, value_delimiter = ',', value_name = "RULE", help_heading = RULES)]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: error]
    #[arg(long, value_enum, help_heading = RULES)]
    pub fail_level: Option<FailLevel>,
    /// Lowest severity reported at all; lower findings are dropped [default: info]
    #[arg(long, value_enum, help_heading = RULES)]
    pub min_severity: Option<MinSeverity>,
    /// Exit 0 even when there are findings (2 still means the tool could not run)
    #[arg(long, help_heading = RULES)]
    pub exit_zero: bool,
    /// When to colour the human output (NO_COLOR, CLICOLOR_FORCE and FORCE_COLOR are honoured
    /// under auto) [default: auto]
    #[arg(long, value_enum, help_heading = OUTPUT)]
    pub color: Option<ColorChoice>,
    /// The name to show for stdin
    #[arg(long, value_name = "NAME", help_heading = OUTPUT)]
    pub stdin_filename: Option<String>,
    /// Write the report to this file instead of stdout (replaced only when the run is
    /// complete; never one of the inputs)
    #[arg(short = 'o', long, value_name = "FILE", help_heading = OUTPUT)]
    pub output_file: Option<PathBuf>,
    /// Print findings only (no report, no summary line)
    #[arg(short, long, help_heading = OUTPUT)]
    pub quiet: bool,
    /// Tell on stderr which files were read or skipped, their encoding, kind and the time taken
    #[arg(short, long, help_heading = OUTPUT)]
    pub verbose: bool,
    /// Also walk hidden files and directories
    #[arg(long, help_heading = WALKING)]
    pub hidden: bool,
    /// Do not honour .gitignore, .ignore and git's exclude files
    #[arg(long, help_heading = WALKING)]
    pub no_ignore: bool,
    /// Skip paths matching this pattern (gitignore syntax, relative to the working directory;
    /// repeatable; added to `exclude` from the configuration file)
    #[arg(long, value_name = "GLOB", help_heading = WALKING)]
    pub exclude: Vec<String>,
    /// Treat the paths given like paths found by a walk: excluded patterns apply, and other
    /// kinds of XML files are skipped (for pre-commit and editors, which name every file)
    #[arg(long, help_heading = WALKING)]
    pub force_exclude: bool,
    /// Largest input accepted, in MiB [default: 256]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_size: Option<u64>,
    /// Threads (default or 0: one per core; at most 1024); inputs are checked side by side,
    /// and one input of 4 MiB or more shares its checks among them
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=1024))]
    pub threads: Option<u16>,
    /// Use this configuration file instead of looking for adinspect.toml or .adinspect.toml
    /// from the working directory upwards
    #[arg(long, value_name = "FILE", help_heading = CONFIG, conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file
    #[arg(long, help_heading = CONFIG)]
    pub isolated: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Human, help_heading = OUTPUT)]
    pub format: ShowFormat,
}

#[derive(Debug, Args)]
pub struct CheckCommand {
    #[command(flatten)]
    pub check: CheckArgs,
    #[command(flatten)]
    pub fix: FixArgs,
}

#[derive(Debug, Clone, Default, Args)]
pub struct FixArgs {
    /// Rewrite each file with every safe fix applied (atomically; only the fixed bytes change),
    /// then report what is left. With -, print the fixed document on stdout and the findings on
    /// stderr
    #[arg(long, help_heading = FIXING, conflicts_with = "diff")]
    pub fix: bool,
    /// Print a unified diff of what --fix would change (apply it with patch -p0) and write
    /// nothing; exit 1 when there is something to fix
    #[arg(long, help_heading = FIXING)]
    pub diff: bool,
    /// With --fix or --diff, also apply unsafe fixes: guesses such as a misspelt element's
    /// intended name
    #[arg(long, help_heading = FIXING)]
    pub unsafe_fixes: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format [default: human]
    #[arg(long, value_enum, help_heading = OUTPUT)]
    pub format: Option<Format>,
}
