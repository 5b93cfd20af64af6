//! Hook settings that make real agents report their state: merging tmux-ide's entries
//! into Claude Code's and Gemini CLI's `settings.json` (the same `hooks` shape) and
//! Codex's `config.toml` (`notify`), and taking them out again. Pure text / JSON in, text / JSON out: idempotent, and every setting
//! that is not tmux-ide's own is left exactly as it was.
//!
//! What tmux-ide adds carries [`MARK`] (a trailing shell comment in a Claude Code hook
//! command, the `$0` name of Codex's `notify` script), and uninstall removes exactly the
//! marked entries: a hook of the user's own that calls `tmux-ide agent` stays.
use toml_edit::{Document, Item, Value};

pub mod json;
pub use json::Node;

/// Every entry tmux-ide installs carries this; it is how ours are told from the user's.
pub const MARK: &str = "tmux-ide-hook";

/// The shell command a Claude Code hook runs: a report for this pane, silent and harmless
/// outside a tmux-ide pane (no `$TMUX_IDE_PANE`) or when tmux-ide is not on PATH.
pub fn claude_command(state: &str) -> String {
    format!("[ -z \"$TMUX_IDE_PANE\" ] || tmux-ide agent {state} >/dev/null 2>&1 || true # {MARK}")
}

/// (hook event, matcher, reported state) of the Claude Code hooks tmux-ide installs.
/// `StopFailure` fires instead of `Stop` when the model could not be reached; after an
/// approved permission, `PostToolUse` says it works again.
pub const CLAUDE_HOOKS: &[(&str, Option<&str>, &str)] = &[
    ("UserPromptSubmit", None, "busy"),
    ("PostToolUse", None, "busy"),
    ("Stop", None, "idle"),
    ("StopFailure", None, "idle"),
    ("Notification", Some("idle_prompt"), "idle"),
    ("Notification", Some("permission_prompt"), "waiting"),
    ("PermissionRequest", None, "waiting"),
    // Where the turn's usage is: `transcript_path` of the payload on standard input.
    ("UserPromptSubmit", None, "usage --agent claude"),
    ("Stop", None, "usage --agent claude"),
    ("StopFailure", None, "usage --agent claude"),
];

/// The shell command a Gemini CLI hook runs: as [`claude_command`], then `{}`, since
/// Gemini CLI reads a hook's standard output as JSON.
pub fn gemini_command(state: &str) -> String {
    format!(
        "{{ [ -z \"$TMUX_IDE_PANE\" ] || tmux-ide agent {state} >/dev/null 2>&1; }}; echo '{{}}' # {MARK}"
    )
}

/// (hook event, matcher, reported state) of the Gemini CLI hooks tmux-ide installs, as
/// observed in Gemini CLI 0.61: `BeforeAgent` on submit, `AfterAgent` when a turn ends
/// (also after Esc or a stopped quota error), `Notification` of type `ToolPermission`
/// when an approval dialog opens, `AfterTool` once an approved command has run.
pub const GEMINI_HOOKS: &[(&str, Option<&str>, &str)] = &[
    ("BeforeAgent", None, "busy"),
    ("AfterTool", None, "busy"),
    ("AfterAgent", None, "idle"),
    ("Notification", Some("ToolPermission"), "waiting"),
    // Where the session's usage is: `transcript_path` of the payload on standard input.
    ("BeforeAgent", None, "usage --agent gemini"),
    ("AfterAgent", None, "usage --agent gemini"),
];

fn ours(hook: &Node) -> bool {
    hook.get("command").and_then(Node::as_str).is_some_and(|c| c.ends_with(&format!("# {MARK}")))
}

/// `settings` with tmux-ide's Claude Code hooks added (none twice). Errors when the
/// document or its `hooks` is not what Claude Code expects, rather than overwrite it.
pub fn claude_install(settings: Node) -> Result<Node, String> {
    settings_install(settings, CLAUDE_HOOKS, claude_command)
}

/// `settings` with tmux-ide's Gemini CLI hooks added (none twice), as [`claude_install`].
pub fn gemini_install(settings: Node) -> Result<Node, String> {
    settings_install(settings, GEMINI_HOOKS, gemini_command)
}

/// `settings` without tmux-ide's Gemini CLI hooks: the same marked entries as Claude's.
pub fn gemini_uninstall(settings: Node) -> Node {
    claude_uninstall(settings)
}

fn settings_install(
    mut settings: Node,
    table: &[(&str, Option<&str>, &str)],
    command_for: fn(&str) -> String,
) -> Result<Node, String> {
    let Node::Object(root) = &mut settings else {
        return Err("the settings file is not a JSON object".into());
    };
    if !root.iter().any(|(k, _)| k == "hooks") {
        root.push(("hooks".into(), Node::Object(Vec::new())));
    }
    let Some(Node::Object(hooks)) = settings.get_mut("hooks") else {
        return Err("`hooks` in the settings file is not an object".into());
    };
    for (event, matcher, state) in table {
        let command = command_for(state);
        if !hooks.iter().any(|(k, _)| k == event) {
            hooks.push((event.to_string(), Node::Array(Vec::new())));
        }
        let Some((_, Node::Array(groups))) = hooks.iter_mut().rev().find(|(k, _)| k == event)
        else {
            return Err(format!("`hooks.{event}` is not a list"));
        };
        let present = groups.iter().any(|g| {
            g.get("matcher").and_then(Node::as_str).as_deref() == *matcher
                && matches!(g.get("hooks"), Some(Node::Array(hs))
                    if hs.iter().any(|h| h.get("command").and_then(Node::as_str) == Some(command.clone())))
        });
        if present {
            continue;
        }
        let hook = Node::object(vec![
            ("type", Node::string("command")),
            ("command", Node::string(&command)),
        ]);
        let mut group = Vec::new();
        if let Some(m) = matcher {
            group.push(("matcher", Node::string(m)));
        }
        group.push(("hooks", Node::Array(vec![hook])));
        groups.push(Node::object(group));
    }
    Ok(settings)
}

/// `settings` without the hooks tmux-ide installed; a group, event list or `hooks` object
/// that only they filled is removed with them, and nothing that was empty before.
pub fn claude_uninstall(mut settings: Node) -> Node {
    let Some(Node::Object(hooks)) = settings.get_mut("hooks") else { return settings };
    let mut emptied_events = Vec::new();
    for (event, groups) in hooks.iter_mut() {
        let Node::Array(list) = groups else { continue };
        let mut emptied = vec![false; list.len()];
        for (group, emptied) in list.iter_mut().zip(&mut emptied) {
            if let Some(Node::Array(hs)) = group.get_mut("hooks") {
                let before = hs.len();
                hs.retain(|h| !ours(h));
                *emptied = hs.is_empty() && before > 0;
            }
        }
        let before = list.len();
        let mut keep = emptied.iter().map(|e| !e);
        list.retain(|_| keep.next().unwrap_or(true));
        if list.is_empty() && before > 0 {
            emptied_events.push(event.clone());
        }
    }
    let before = hooks.len();
    hooks.retain(|(event, _)| !emptied_events.contains(event));
    if hooks.is_empty()
        && before > 0
        && let Node::Object(root) = &mut settings
    {
        root.retain(|(k, _)| k != "hooks");
    }
    settings
}

/// The `notify` line tmux-ide puts in Codex's `config.toml`. Codex appends a JSON payload
/// as the last argument; it becomes `$1` of the script, passed on quoted (never run by
/// the shell): `agent idle` finds the turn's pane from its prompt marker, since Codex's
/// shared daemon gives every notify the first pane's `$TMUX_IDE_PANE`.
pub const CODEX_NOTIFY: &str = r#"notify = ["sh", "-c", "[ -z \"$TMUX_IDE_PANE\" ] || tmux-ide agent idle -- \"$@\" >/dev/null 2>&1 || true", "tmux-ide-hook"]"#;

fn parse_toml(text: &str) -> Result<Document<&str>, String> {
    Document::parse(text).map_err(|e| {
        let msg = e.to_string();
        format!("not valid TOML ({}); left unchanged", msg.lines().next().unwrap_or("").trim())
    })
}

/// Whether a `notify` value is the one tmux-ide installed: its `$0` is [`MARK`].
fn notify_is_ours(item: &Item) -> bool {
    matches!(item, Item::Value(Value::Array(a))
        if a.iter().last().and_then(Value::as_str) == Some(MARK))
}

/// `config.toml` with tmux-ide's `notify` as its first line; unchanged if it is there
/// already, and an older one of tmux-ide's (which did not pass Codex's payload on, so
/// every report named the daemon's pane) replaced. Codex has one `notify` program: a
/// different one (however it is written: quoted key, several lines, a table) is the
/// user's, and is never replaced.
pub fn codex_install(text: &str) -> Result<String, String> {
    let doc = parse_toml(text)?;
    match doc.as_table().get_key_value("notify") {
        Some((_, item)) if notify_is_ours(item) => {
            let current = CODEX_NOTIFY.strip_prefix("notify = ").unwrap_or(CODEX_NOTIFY);
            if item.span().is_some_and(|s| &text[s] == current) {
                return Ok(text.to_string());
            }
            codex_install(&codex_uninstall(text)?)
        }
        Some((key, item)) => {
            let line = key.span().map_or(0, |s| text[..s.start].lines().count() + 1).max(1);
            let shown = item.span().map_or(String::new(), |s| text[s].to_string());
            Err(format!(
                "line {line}: Codex already runs a notify program of yours ({}); tmux-ide \
                 will not replace it",
                shown.split_whitespace().collect::<Vec<_>>().join(" ")
            ))
        }
        None => {
            // The user's text stays byte for byte; a line at the top is a root key in
            // any valid document, and the re-parse proves it.
            // After a byte-order mark, which TOML allows only as the very first character.
            let (bom, rest) = text.strip_prefix('\u{feff}').map_or(("", text), |r| ("\u{feff}", r));
            let out = format!("{bom}{CODEX_NOTIFY}\n{rest}");
            parse_toml(&out).map_err(|e| format!("adding notify would break the file: {e}"))?;
            Ok(out)
        }
    }
}

/// `config.toml` without tmux-ide's `notify` (its whole lines); anything else unchanged.
pub fn codex_uninstall(text: &str) -> Result<String, String> {
    let doc = parse_toml(text)?;
    let Some((key, item)) = doc.as_table().get_key_value("notify") else {
        return Ok(text.to_string());
    };
    let (Some(k), Some(v)) = (key.span(), item.span()) else { return Ok(text.to_string()) };
    if !notify_is_ours(item) {
        return Ok(text.to_string());
    }
    let first = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let start = text[..k.start].rfind('\n').map_or(first, |i| i + 1);
    let end = text[v.end..].find('\n').map_or(text.len(), |i| v.end + i + 1);
    let out = format!("{}{}", &text[..start], &text[end..]);
    parse_toml(&out).map_err(|e| format!("removing notify would break the file: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        Node::parse(text).unwrap()
    }

    const USERS: &str = r#"{"model": "opus", "permissions": {"allow": ["Bash(ls:*)"]},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}}"#;

    fn get<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
        path.iter().fold(node, |n, k| match (n, k.parse::<usize>()) {
            (Node::Array(items), Ok(i)) => &items[i],
            _ => n.get(k).unwrap_or_else(|| panic!("no {k} in {}", n.to_pretty())),
        })
    }

    fn text(node: &Node, path: &[&str]) -> String {
        get(node, path).as_str().unwrap()
    }

    #[test]
    fn gemini_hooks_report_each_turn_and_permission_and_come_out_cleanly() {
        let users = r#"{"general": {"enableAutoUpdate": false},
            "hooks": {"AfterAgent": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]}}"#;
        let out = gemini_install(parse(users)).unwrap();
        assert_eq!(
            text(&out, &["hooks", "BeforeAgent", "0", "hooks", "0", "command"]),
            gemini_command("busy")
        );
        assert_eq!(
            text(&out, &["hooks", "AfterAgent", "1", "hooks", "0", "command"]),
            gemini_command("idle")
        );
        assert_eq!(text(&out, &["hooks", "Notification", "0", "matcher"]), "ToolPermission");
        assert!(gemini_command("idle").contains("echo '{}'"), "Gemini reads stdout as JSON");
        let again = gemini_install(out.clone()).unwrap();
        assert_eq!(again.to_pretty(), out.to_pretty(), "idempotent");
        assert_eq!(gemini_uninstall(out).to_pretty(), parse(users).to_pretty());
    }

    #[test]
    fn installing_claude_hooks_adds_every_event_and_keeps_the_users_settings() {
        let out = claude_install(parse(USERS)).unwrap();
        assert_eq!(text(&out, &["model"]), "opus");
        assert_eq!(text(&out, &["permissions", "allow", "0"]), "Bash(ls:*)");
        assert_eq!(text(&out, &["hooks", "Stop", "0", "hooks", "0", "command"]), "say done");
        let stop = text(&out, &["hooks", "Stop", "1", "hooks", "0", "command"]);
        assert_eq!(stop, claude_command("idle"));
        let submit = text(&out, &["hooks", "UserPromptSubmit", "0", "hooks", "0", "command"]);
        assert_eq!(submit, claude_command("busy"));
        assert_eq!(text(&out, &["hooks", "Notification", "1", "matcher"]), "permission_prompt");
        let waiting = text(&out, &["hooks", "Notification", "1", "hooks", "0", "command"]);
        assert_eq!(waiting, claude_command("waiting"));
    }

    #[test]
    fn claude_and_gemini_hooks_say_where_the_usage_is_at_each_turn() {
        let out = claude_install(parse(USERS)).unwrap();
        let usage = serde_json::to_string(&claude_command("usage --agent claude")).unwrap();
        for event in ["UserPromptSubmit", "Stop", "StopFailure"] {
            assert!(
                out.get("hooks").unwrap().get(event).unwrap().to_pretty().contains(&usage),
                "{event}"
            );
        }
        let out = gemini_install(parse("{}")).unwrap();
        let usage = serde_json::to_string(&gemini_command("usage --agent gemini")).unwrap();
        for event in ["BeforeAgent", "AfterAgent"] {
            assert!(
                out.get("hooks").unwrap().get(event).unwrap().to_pretty().contains(&usage),
                "{event}"
            );
        }
    }

    #[test]
    fn installing_twice_changes_nothing_and_uninstalling_restores_the_original() {
        let once = claude_install(parse(USERS)).unwrap();
        assert_eq!(claude_install(once.clone()).unwrap().to_pretty(), once.to_pretty());
        assert_eq!(claude_uninstall(once).to_pretty(), parse(USERS).to_pretty());
        let empty = claude_uninstall(claude_install(parse("{}")).unwrap());
        assert_eq!(empty.to_pretty(), "{}\n");
    }

    #[test]
    fn uninstall_keeps_the_users_own_hooks_that_call_tmux_ide_and_their_empty_lists() {
        let users = r#"{"hooks": {"Stop": [{"hooks": [{"type": "command",
            "command": "tmux-ide agent idle --pane %1"}]}, {"hooks": []}],
            "PreToolUse": [], "Notification": [{"matcher": "x", "hooks": []}]}}"#;
        let round = claude_uninstall(claude_install(parse(users)).unwrap());
        assert_eq!(round.to_pretty(), parse(users).to_pretty());
        let empty_hooks = r#"{"hooks": {}, "n": 12345678901234567890123}"#;
        let once = claude_install(parse(empty_hooks)).unwrap();
        assert!(once.to_pretty().contains("12345678901234567890123"));
    }

    #[test]
    fn a_settings_file_of_the_wrong_shape_is_refused_not_overwritten() {
        assert!(claude_install(parse("[1, 2]")).is_err());
        assert!(claude_install(parse(r#"{"hooks": "x"}"#)).is_err());
        assert!(claude_install(parse(r#"{"hooks": {"Stop": {}}}"#)).is_err());
    }

    #[test]
    fn codex_notify_is_added_once_removed_cleanly_and_never_replaces_the_users() {
        let cfg = "model = \"o3\"\n\n[mcp_servers.x]\ncommand = \"y\"\n";
        let with = codex_install(cfg).unwrap();
        assert!(with.starts_with(CODEX_NOTIFY));
        assert_eq!(codex_install(&with).unwrap(), with);
        assert_eq!(codex_uninstall(&with).unwrap(), cfg);
        // What tmux-ide 0.1 installed: Codex's payload was not passed on.
        let old = "notify = [\"sh\", \"-c\", \"[ -z \\\"$TMUX_IDE_PANE\\\" ] || tmux-ide agent idle >/dev/null 2>&1 || true\", \"tmux-ide-hook\"]\nmodel = \"o3\"\n";
        let upgraded = codex_install(old).unwrap();
        assert_eq!(upgraded, format!("{CODEX_NOTIFY}\nmodel = \"o3\"\n"));
        assert_eq!(codex_install(&upgraded).unwrap(), upgraded);
        let theirs = "notify = [\"notify-send\"]\n";
        assert!(codex_install(theirs).unwrap_err().contains("notify-send"));
        assert_eq!(codex_uninstall(theirs).unwrap(), theirs);
        // A `notify` key inside a table is not Codex's top-level one.
        let in_table = "[tui]\nnotify = true\n";
        assert!(codex_install(in_table).unwrap().starts_with(CODEX_NOTIFY));
        let bom = "\u{feff}model = \"o3\"\n";
        let with = codex_install(bom).unwrap();
        assert!(with.starts_with(&format!("\u{feff}{CODEX_NOTIFY}")), "{with}");
        assert_eq!(codex_uninstall(&with).unwrap(), bom);
    }

    #[test]
    fn codex_notify_is_found_however_it_is_written() {
        for theirs in [
            "\"notify\" = [\"notify-send\"]\n",
            "'notify' = [\"a\"]\n",
            "args = [\n  \"x\",\n  \"y\",\n]\nnotify = [\n  \"notify-send\",\n  \"hi\",\n]\n",
            "notify.program = \"x\"\n",
            "[notify]\nprogram = \"x\"\n",
            "notify = [\"sh\", \"-c\", \"tmux-ide agent idle\"]\n",
        ] {
            assert!(codex_install(theirs).is_err(), "{theirs}");
            assert_eq!(codex_uninstall(theirs).unwrap(), theirs);
        }
    }

    #[test]
    fn codex_config_that_is_not_toml_is_refused() {
        assert!(codex_install("notify = [\n").unwrap_err().contains("not valid TOML"));
        assert!(codex_uninstall("a = 1\na = 2\n").is_err());
    }
}
