//! Global command-line behaviour: help, version, usage errors.
use crate::common::TestProject;

#[test]
fn an_unknown_flag_exits_2_with_one_line() {
    let p = TestProject::new();
    let out = p.run(&["task", "list", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--bogus"), "{err}");
}

#[test]
fn help_lists_the_command_groups() {
    let p = TestProject::new();
    let out = p.ok(&["--help"]);
    for group in ["mission", "milestone", "task", "validate", "orchestrator", "demo"] {
        assert!(out.contains(group), "missing {group} in help:\n{out}");
    }
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    let p = TestProject::new();
    let bash = p.ok(&["completions", "bash"]);
    let man = p.ok(&["man"]);
    assert!(man.starts_with(".ie") || man.contains(".TH"), "roff: {}", &man[..80.min(man.len())]);
    for command in ["mission", "milestone", "task", "validate", "orchestrator", "dashboard", "top"]
    {
        assert!(bash.contains(command), "bash completions lack {command}");
        assert!(man.contains(command), "the man page lacks {command}");
    }
}

/// The whole command-line reference: every command's `--help`, so a change to any flag
/// or help text is a deliberate snapshot update.
#[test]
fn the_command_line_reference_is_stable() {
    let p = TestProject::new();
    let mut reference = String::new();
    let mut queue = vec![Vec::<String>::new()];
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = p.ok(&args);
        reference.push_str(&format!("$ tmux-ide {}\n{help}\n", args.join(" ")));
        // `Commands:`, or the top level's groups (`Session commands:`, …).
        let subcommands: Vec<&str> = help
            .split("\n\n")
            .filter_map(|section| section.split_once("ommands:\n").map(|(_, rest)| rest))
            .flat_map(str::lines)
            .collect();
        // Command lines are indented by two spaces; wrapped descriptions by more; a
        // group's example starts with `$`.
        for line in subcommands.iter().rev().filter(|l| !l.starts_with("   ")) {
            let name = line.split_whitespace().next().unwrap_or("");
            if !name.is_empty() && name != "help" && name != "$" {
                let mut sub = path.clone();
                sub.push(name.to_string());
                queue.push(sub);
            }
        }
    }
    insta::assert_snapshot!(reference);
}

#[test]
fn help_groups_the_commands_and_puts_global_options_last() {
    let p = TestProject::new();
    let help = p.ok(&["--help"]);
    let headings: Vec<&str> =
        help.lines().filter(|l| l.ends_with(':') && !l.starts_with(' ')).collect();
    assert_eq!(
        headings,
        [
            "Session commands:",
            "Planning commands:",
            "Validation commands:",
            "Observing commands:",
            "Agent commands:",
            "Setup commands:",
            "Options:",
            "Global options:",
        ]
    );
    let global = help.split("Global options:\n").nth(1).unwrap();
    for flag in ["-C <DIR>", "--json", "--tmux-socket <NAME>"] {
        assert!(global.contains(flag), "{flag} not under Global options:\n{help}");
    }
    let list = p.ok(&["task", "list", "--help"]);
    assert!(list.split("Global options:\n").nth(1).is_some_and(|g| g.contains("--json")), "{list}");
}

#[test]
fn json_is_neither_offered_nor_accepted_where_a_command_prints_no_data() {
    let p = TestProject::new();
    for args in [&["demo", "--json"][..], &["--json", "demo"], &["top", "--json"]] {
        let out = p.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: --json: `tmux-ide ") && err.lines().count() == 1, "{err}");
    }
    let help = p.ok(&["demo", "--help"]);
    assert!(!help.contains("--json"), "{help}");
}

#[test]
fn top_always_watches_and_offers_no_watch_flag() {
    let p = TestProject::new();
    let out = p.run(&["top", "--watch"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let help = p.ok(&["top", "--help"]);
    assert!(!help.lines().any(|l| l.trim_start().starts_with("--watch")), "{help}");
}
