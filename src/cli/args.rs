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
    /// Look an address up live, as a mail client does: every attempt explained, then the
    /// document found inspected like `show`
    #[cfg(feature = "discover")]
    #[command(after_help = DISCOVER_HELP)]
    Discover(DiscoverArgs),
    /// Print the settings a run here would use, and where each comes from (the configuration
    /// file, a flag, or the default)
    Config(CheckArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[cfg(feature = "discover")]
const DISCOVER_HELP: &str = "\
The lookup, for user@DOMAIN, stopping at the first endpoint that answers with an
Autodiscover response (settings, redirect or error):
  1. POST https://DOMAIN/autodiscover/autodiscover.xml
  2. POST https://autodiscover.DOMAIN/autodiscover/autodiscover.xml
  3. GET http://autodiscover.DOMAIN/autodiscover/autodiscover.xml; only a 301/302 to an
     https:// URL is followed, with a POST (nothing is POSTed to http, no credentials sent)
  4. DNS SRV _autodiscover._tcp.DOMAIN (RFC 2782 order) -> POST
     https://TARGET:PORT/autodiscover/autodiscover.xml
Then, as clients do: redirectAddr restarts the lookup for the new address, redirectUrl is
POSTed (https only); at most 10 redirects, and an address or URL seen before is a loop.
An endpoint whose certificate fails (untrusted, wrong name, expired) is skipped.
Not done: the Active Directory SCP lookup of domain-joined Outlook, Autodiscover v2 (JSON).

Exit codes:
  0  a settings response was found and has no findings at or above --fail-level
  1  no settings response (every endpoint failed, an error response, a loop, too many
     redirects) or the document has findings
  2  usage error (bad address, unreadable --ca-file, no password for --user)";

#[cfg(feature = "discover")]
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The mailbox's e-mail address (user@DOMAIN)
    pub email: String,
    /// Send an ActiveSync (mobilesync) request instead of an Outlook one
    #[arg(long)]
    pub mobilesync: bool,
    /// Answer a 401's Basic challenge as this user (over https to a host whose certificate was
    /// accepted, never otherwise); the password comes from --password-stdin or
    /// ADINSPECT_PASSWORD, never from the command line
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password from the first line of stdin
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// Seconds allowed for each attempt (DNS, connection, TLS and HTTP together)
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub timeout: f64,
    /// Seconds allowed for the whole lookup
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = parse_seconds)]
    pub max_time: f64,
    /// Connect to HOST2:PORT2 when a URL names HOST1:PORT1 (curl's meaning; TLS still checks
    /// HOST1's certificate; empty fields match anything or keep the original); repeatable
    #[arg(long, value_name = "HOST1:PORT1:HOST2:PORT2")]
    pub connect_to: Vec<String>,
    /// Ask this DNS server (ADDR or ADDR:PORT) for every name instead of the system resolver
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub dns_server: Option<String>,
    /// Trust only the certificates in this PEM file instead of the system's store
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Write the body of the response found to FILE (for a later `adinspect check FILE`)
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub format: ShowFormat,
    /// Lowest severity of a finding in the document that makes the exit code 1 [default: error]
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,
    /// Only these rules or families for the document found
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,
    /// Skip these rules or families for the document found
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// When to colour the human output [default: auto]
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
}

#[cfg(feature = "discover")]
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err("expected a number of seconds, more than 0 and at most 3600".into()),
    }
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

#[derive(Debug, Default, Args)]
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
    /// Largest input accepted, in MiB (at most 4095) [default: 256]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=4095))]
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
