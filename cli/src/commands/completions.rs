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
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cloudwall", &mut script);
    // written in one go, and a closed pipe (`| head`) is not a crash
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), &script);
    exit::OK
}
