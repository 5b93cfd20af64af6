//! The top-level `--help`: commands grouped by what they are for, each group with an
//! example, and the global options in a section of their own. clap lists subcommands in
//! one flat block, so the root's help text is composed here from the command tree itself
//! (names and one-line abouts), never written out by hand.
use clap::{ArgAction, Command};

/// Each group's heading, its commands in the order shown, and one example line.
const GROUPS: &[(&str, &[&str], &str)] = &[
    (
        "Session commands",
        &["init", "up", "stop", "restart", "attach", "ls", "status", "send", "doctor", "config"],
        "tmux-ide init --template missions && tmux-ide up --detach",
    ),
    (
        "Planning commands",
        &["mission", "milestone", "goal", "task"],
        "tmux-ide task create \"Build login endpoint\" --milestone M2 --depends 001,002",
    ),
    (
        "Validation commands",
        &["validate"],
        "tmux-ide validate coverage && tmux-ide mission plan-complete",
    ),
    (
        "Observing commands",
        &["metrics", "orch", "top", "logs", "detect", "dashboard"],
        "tmux-ide --json mission status",
    ),
    (
        "Agent commands",
        &["orchestrator", "agent", "hooks", "notify", "demo"],
        "tmux-ide demo --work-ms 500",
    ),
    (
        "Setup commands",
        &["completions", "man", "help"],
        "tmux-ide completions bash > ~/.local/share/bash-completion/completions/tmux-ide",
    ),
];

/// Commands whose output is not data: `--json` is refused there and left out of their help.
pub const NO_JSON: &[&str] = &["demo", "top", "completions", "man"];

/// The heading of `-C`, `--json` and `--tmux-socket` in every command's help.
pub const GLOBAL_OPTIONS: &str = "Global options";

/// `root` with the grouped help template and `--json` hidden where it means nothing.
pub fn decorate(mut root: Command) -> Command {
    let mut built = root.clone();
    built.build();
    let template = format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{}{}",
        command_groups(&built),
        options(&built)
    );
    for name in NO_JSON {
        // An argument of the command's own, with the global one's id, takes its place
        // there: still parsed (so `run` can refuse it), no longer shown.
        root = root.mut_subcommand(name, |sub| {
            sub.arg(clap::Arg::new("json").long("json").action(ArgAction::SetTrue).hide(true))
        });
    }
    root.help_template(template)
}

/// The grouped command list; a command missing from [`GROUPS`] lands in the last group, so
/// a new command is never left out of the help.
fn command_groups(root: &Command) -> String {
    let visible: Vec<&Command> = root.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    let width = visible.iter().map(|c| c.get_name().len()).max().unwrap_or(0) + 2;
    let grouped: Vec<&str> =
        GROUPS.iter().flat_map(|(_, names, _)| names.iter().copied()).collect();
    let mut out = String::new();
    for (i, (heading, names, example)) in GROUPS.iter().enumerate() {
        out.push_str(&format!("{heading}:\n"));
        let last = i + 1 == GROUPS.len();
        for cmd in &visible {
            let name = cmd.get_name();
            if names.contains(&name) || (last && !grouped.contains(&name)) {
                let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
                out.push_str(&format!("  {name:<width$}{about}\n"));
            }
        }
        out.push_str(&format!("  $ {example}\n\n"));
    }
    out
}

/// The root's options with their headings, as clap renders them.
fn options(root: &Command) -> String {
    let mut only_args = Command::new("tmux-ide")
        .version(env!("CARGO_PKG_VERSION"))
        .help_template("{all-args}")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(root.get_arguments().cloned());
    // The template keeps any `{…}` that is not one of its placeholders as it is.
    only_args.render_long_help().to_string().trim_end().to_string() + "\n"
}
