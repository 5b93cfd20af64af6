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
pub fn decorate(root: Command) -> Command {
    let mut built = root.clone();
    built.build();
    let template = format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{}{}",
        command_groups(&built),
        options(&built)
    );
    hide_json(root).help_template(template)
}

/// [`decorate`] for parsing `args`: the template is composed (building and rendering the
/// whole command tree, a millisecond or two) only when they may ask for the root's help.
pub fn decorate_for<S: AsRef<std::ffi::OsStr>>(root: Command, args: &[S]) -> Command {
    if may_show_root_help(args) { decorate(root) } else { hide_json(root) }
}

/// Whether `args` (without the program) may show the root's help: any `help`, `--help`,
/// or short option cluster holding an `h`. Generous on purpose: a title that says `help`
/// only costs the template.
fn may_show_root_help<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> bool {
    args.iter().any(|a| {
        let a = a.as_ref().as_encoded_bytes();
        a == b"help"
            || a.starts_with(b"--help")
            || (a.len() > 1 && a[0] == b'-' && a[1] != b'-' && a.contains(&b'h'))
    })
}

/// `root` with `--json` hidden (and refused) where it means nothing.
fn hide_json(mut root: Command) -> Command {
    for name in NO_JSON {
        // An argument of the command's own, with the global one's id, takes its place
        // there: still parsed (so `run` can refuse it), no longer shown.
        root = root.mut_subcommand(name, |sub| {
            sub.arg(clap::Arg::new("json").long("json").action(ArgAction::SetTrue).hide(true))
        });
    }
    root
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_arguments_that_may_ask_for_the_roots_help_compose_its_template() {
        for asks in [&["--help"][..], &["-h"], &["-dh"], &["help"], &["help", "task"], &["x", "-h"]]
        {
            assert!(may_show_root_help(asks), "{asks:?}");
        }
        for not in [&[][..], &["task", "done", "001", "--proof", "x"], &["-C", "dir", "orch"]] {
            assert!(!may_show_root_help(not), "{not:?}");
        }
    }

    #[test]
    fn the_roots_help_is_the_same_whichever_way_it_was_decorated() {
        let full = decorate(<crate::cli::Cli as clap::CommandFactory>::command())
            .render_long_help()
            .to_string();
        let asked = decorate_for(<crate::cli::Cli as clap::CommandFactory>::command(), &["--help"]);
        assert_eq!(asked.clone().render_long_help().to_string(), full);
        // Without the template, `--json` is still refused where it means nothing.
        let plain = decorate_for(<crate::cli::Cli as clap::CommandFactory>::command(), &["top"]);
        let top = plain.find_subcommand("top").unwrap();
        assert!(top.get_arguments().any(|a| a.get_id() == "json" && a.is_hide_set()));
    }
}
