//! The command line: every command, flag and value, as clap derive types.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Network-security controls for a cloud deployment, from one declarative profile.
///
/// Exit codes: 0 success; 1 findings, errors or a failed check; 2 `diff` found changes,
/// or `verify` could not run a check.
#[derive(Debug, Parser)]
#[command(name = "cloudwall", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format of reports (findings, explanations, lists, diffs).
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Never colour the output (also: a non-empty NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only errors and data: no progress, no warnings, no summaries.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,
    /// Print more detail on what is done.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Load a provider plugin library (repeatable). Plugins are also loaded from
    /// CLOUDWALL_PLUGIN_PATH (`:`-separated) and from a profile's `plugins = [...]`.
    #[arg(long = "plugin", global = true, value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, validate and compile profiles and run the mandatory rules.
    Check(CheckArgs),
    /// Write the artifacts of profiles into a folder.
    Generate(GenerateArgs),
    /// Show what `generate` would change in a folder.
    Diff(DiffArgs),
    /// Run each provider's verification checks against live state.
    Verify(VerifyArgs),
    /// Answer whether one endpoint can reach another on a port, and by which rule.
    Explain(ExplainArgs),
    /// Write a starter profile.
    Init(InitArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Providers and plugins.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Profile files (TOML or JSON).
    #[arg(required = true, value_name = "PROFILE")]
    pub profiles: Vec<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct RenderArgs {
    /// Profile files (TOML or JSON).
    #[arg(required = true, value_name = "PROFILE")]
    pub profiles: Vec<PathBuf>,
    /// Output folder; with several profiles, one sub-folder per profile file stem.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Render only these of the profile's providers (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub provider: Vec<String>,
    /// Render only these phases (comma-separated): groups, nacls, access, endpoints,
    /// egress, verify, report.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub phase: Vec<String>,
    /// Profiles processed at once (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub render: RenderArgs,
    /// Overwrite generated files edited by hand, and files in the way.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub render: RenderArgs,
    /// Print only the list of files that would change.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Profile files (TOML or JSON).
    #[arg(required = true, value_name = "PROFILE")]
    pub profiles: Vec<PathBuf>,
    /// Query live state with the provider's CLI (required: verification touches real accounts).
    #[arg(long, required = true)]
    pub live: bool,
    /// Verify only these of the profile's providers (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub provider: Vec<String>,
    /// Profiles verified at once (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Profile file (TOML or JSON).
    #[arg(value_name = "PROFILE")]
    pub profile: PathBuf,
    /// Source: a workload name, `internet`, or an external party.
    #[arg(long, value_name = "A")]
    pub from: String,
    /// Destination: a workload name, `internet`, or an external party.
    #[arg(long, value_name = "B")]
    pub to: String,
    /// Port and protocol: `443`, `443/tcp`, `53/udp` or `icmp`.
    #[arg(long, value_name = "PORT[/PROTO]")]
    pub port: String,
    /// The provider whose rendering to explain (default: the profile's first provider).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the profile.
    #[arg(short, long, value_name = "FILE", default_value = "cloudwall.toml")]
    pub output: PathBuf,
    /// Cloud provider (default: aws).
    #[arg(long)]
    pub provider: Option<String>,
    /// Topology: 2-tier, 3-tier, hub-spoke, multi-region (default: 3-tier).
    #[arg(long)]
    pub topology: Option<String>,
    /// Compliance scopes, comma-separated: hipaa, pci-dss, soc2, fedramp, or `none` (default).
    #[arg(long, value_delimiter = ',')]
    pub compliance: Option<Vec<String>>,
    /// Public exposure: none, load-balancer-only, multi-edge, api-gateway (default: load-balancer-only).
    #[arg(long)]
    pub public: Option<String>,
    /// Administrative access (default: the provider's managed access).
    #[arg(long)]
    pub bastion: Option<String>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

impl Command {
    /// The profile files the command reads (their `plugins = [...]` are loaded first).
    pub fn profiles(&self) -> Vec<PathBuf> {
        match self {
            Command::Check(a) => a.profiles.clone(),
            Command::Generate(a) => a.render.profiles.clone(),
            Command::Diff(a) => a.render.profiles.clone(),
            Command::Verify(a) => a.profiles.clone(),
            Command::Explain(a) => vec![a.profile.clone()],
            Command::Init(_) | Command::Completions(_) | Command::Plugins { .. } => vec![],
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List built-in providers and loaded plugins.
    List,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn lists_split_on_commas() {
        let cli = Cli::try_parse_from(["cloudwall", "generate", "p.toml", "-o", "out", "--phase", "groups,report", "--provider", "aws"])
            .unwrap();
        match cli.command {
            Command::Generate(g) => {
                assert_eq!(g.render.phase, vec!["groups", "report"]);
                assert_eq!(g.render.provider, vec!["aws"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
