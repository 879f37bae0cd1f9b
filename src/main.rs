use std::io::{self, IsTerminal};

use clap::Parser;

fn main() {
    let cli = adinspect::cli::Cli::parse();
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
    let code = adinspect::cli::run(cli, &mut env);
    std::process::exit(code);
}
