use std::io::{self, IsTerminal};

use clap::Parser;

fn main() {
    let parsed = adinspect::cli::Cli::try_parse();
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut env = adinspect::cli::Env {
        stdin_is_terminal: stdin.is_terminal(),
        stdin: &mut stdin.lock(),
        stdout_is_terminal: stdout.is_terminal(),
        stdout: &mut stdout.lock(),
        stderr: &mut io::stderr(),
        var: &|name| std::env::var(name).ok(),
    };
    let code = match parsed {
        Ok(cli) => adinspect::cli::run(cli, &mut env),
        Err(err) => adinspect::cli::report_parse_error(&err, &mut env),
    };
    std::process::exit(code);
}
