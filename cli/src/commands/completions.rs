//! `cloudwall completions bash|zsh|fish`.

use super::exit;
use crate::args::{Cli, CompletionsArgs, Shell};
use clap::CommandFactory;

pub fn run(args: &CompletionsArgs) -> u8 {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "cloudwall", &mut std::io::stdout());
    exit::OK
}
