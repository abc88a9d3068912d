//! The `cloudwall` binary: parse the command line, run the command, exit with its code.

mod args;
mod commands;
mod console;
mod pipeline;
mod providers;

use args::{Cli, Command, PluginsCommand};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; a usage error is an error (1), never a
            // code another command gives a meaning to (`diff` uses 2 for "changes").
            return ExitCode::from(if e.use_stderr() { commands::exit::FAILURE } else { commands::exit::OK });
        }
    };
    let g = &cli.global;
    let console = console::Console::new(g.no_color, g.quiet, g.verbose);
    // Completions need no provider: a broken plugin on the plugin path must not break them.
    if let Command::Completions(a) = &cli.command {
        return ExitCode::from(commands::completions::run(a));
    }
    let registry = match providers::load(&cli) {
        Ok(r) => r,
        Err(e) => {
            console.error(&e);
            return ExitCode::from(commands::exit::FAILURE);
        }
    };
    let code = match &cli.command {
        Command::Check(a) => commands::check::run(a, g.format, &console, &registry),
        Command::Generate(a) => commands::generate::run(a, g.format, &console, &registry),
        Command::Diff(a) => commands::diff::run(a, g.format, &console, &registry),
        Command::Verify(a) => commands::verify::run(a, g.format, &console, &registry),
        Command::Init(a) => commands::init::run(a, &console, &registry),
        Command::Explain(a) => commands::explain::run(a, g.format, &console, &registry),
        Command::Completions(_) => unreachable!("answered above"),
        Command::Plugins { command: PluginsCommand::List } => commands::plugins::list(g.format, &console, &registry),
    };
    ExitCode::from(code)
}
