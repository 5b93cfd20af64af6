//! Hook settings that make real agents report their state: merging tmux-ide's entries
//! into Claude Code's `settings.json` and Codex's `config.toml` (`notify`), and taking
//! them out again. Pure text / JSON in, text / JSON out: idempotent, and every setting
//! that is not tmux-ide's own is left exactly as it was.
use serde_json::{Map, Value, json};

/// Every command tmux-ide installs contains this; it is how ours are told from the user's.
pub const MARK: &str = "tmux-ide agent ";

/// The shell command a Claude Code hook runs: a report for this pane, silent and harmless
/// outside a tmux-ide pane (no `$TMUX_IDE_PANE`) or when tmux-ide is not on PATH.
pub fn claude_command(state: &str) -> String {
    format!("[ -z \"$TMUX_IDE_PANE\" ] || tmux-ide agent {state} >/dev/null 2>&1 || true")
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
];

fn ours(hook: &Value) -> bool {
    hook.get("command").and_then(Value::as_str).is_some_and(|c| c.contains(MARK))
}

/// `settings` with tmux-ide's hooks added (none twice). Errors when the document or its
/// `hooks` is not what Claude Code expects, rather than overwrite it.
pub fn claude_install(mut settings: Value) -> Result<Value, String> {
    let root = settings.as_object_mut().ok_or("the settings file is not a JSON object")?;
    let hooks = root.entry("hooks").or_insert_with(|| Value::Object(Map::new()));
    let hooks = hooks.as_object_mut().ok_or("`hooks` in the settings file is not an object")?;
    for (event, matcher, state) in CLAUDE_HOOKS {
        let command = claude_command(state);
        let groups = hooks.entry(*event).or_insert_with(|| Value::Array(Vec::new()));
        let groups =
            groups.as_array_mut().ok_or_else(|| format!("`hooks.{event}` is not a list"))?;
        let present = groups.iter().any(|g| {
            g.get("matcher").and_then(Value::as_str) == *matcher
                && g.get("hooks").and_then(Value::as_array).is_some_and(|hs| {
                    hs.iter().any(|h| h.get("command").and_then(Value::as_str) == Some(&command))
                })
        });
        if present {
            continue;
        }
        let mut group = Map::new();
        if let Some(m) = matcher {
            group.insert("matcher".into(), json!(m));
        }
        group.insert("hooks".into(), json!([{ "type": "command", "command": command }]));
        groups.push(Value::Object(group));
    }
    Ok(settings)
}

/// `settings` without any hook whose command is tmux-ide's; groups, events and a `hooks`
/// object left empty by that are removed too.
pub fn claude_uninstall(mut settings: Value) -> Value {
    let Some(root) = settings.as_object_mut() else { return settings };
    let Some(hooks) = root.get_mut("hooks").and_then(Value::as_object_mut) else {
        return settings;
    };
    for groups in hooks.values_mut() {
        let Some(list) = groups.as_array_mut() else { continue };
        for group in list.iter_mut() {
            if let Some(hs) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                hs.retain(|h| !ours(h));
            }
        }
        list.retain(|g| g.get("hooks").and_then(Value::as_array).is_none_or(|hs| !hs.is_empty()));
    }
    hooks.retain(|_, groups| groups.as_array().is_none_or(|l| !l.is_empty()));
    if hooks.is_empty() {
        root.remove("hooks");
    }
    settings
}

/// The `notify` line tmux-ide puts in Codex's `config.toml`. Codex appends a JSON payload
/// as the last argument; it becomes `$1` of the script and is never interpreted.
pub const CODEX_NOTIFY: &str = r#"notify = ["sh", "-c", "[ -z \"$TMUX_IDE_PANE\" ] || tmux-ide agent idle >/dev/null 2>&1 || true", "tmux-ide-notify"]"#;

/// The top-level `notify = …` line of a config.toml, if any (before the first table).
fn top_level_notify(text: &str) -> Option<(usize, &str)> {
    text.lines().enumerate().take_while(|(_, l)| !l.trim_start().starts_with('[')).find(|(_, l)| {
        let l = l.trim_start();
        l.strip_prefix("notify").is_some_and(|r| r.trim_start().starts_with('='))
    })
}

/// `config.toml` with tmux-ide's `notify`; unchanged if it is there already. Codex has
/// one `notify` program: a different one is the user's, and is never replaced.
pub fn codex_install(text: &str) -> Result<String, String> {
    match top_level_notify(text) {
        Some((_, line)) if line.contains(MARK) => Ok(text.to_string()),
        Some((n, line)) => Err(format!(
            "line {}: Codex already runs a notify program of yours ({}); tmux-ide will not \
             replace it",
            n + 1,
            line.trim()
        )),
        None => Ok(format!("{CODEX_NOTIFY}\n{text}")),
    }
}

/// `config.toml` without tmux-ide's `notify` line.
pub fn codex_uninstall(text: &str) -> String {
    match top_level_notify(text) {
        Some((n, line)) if line.contains(MARK) => {
            let mut out: Vec<&str> = text.lines().collect();
            out.remove(n);
            let mut joined = out.join("\n");
            if text.ends_with('\n') && !joined.is_empty() {
                joined.push('\n');
            }
            joined
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Value {
        json!({
            "model": "opus",
            "permissions": {"allow": ["Bash(ls:*)"]},
            "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}
        })
    }

    #[test]
    fn installing_claude_hooks_adds_every_event_and_keeps_the_users_settings() {
        let out = claude_install(users()).unwrap();
        assert_eq!(out["model"], "opus");
        assert_eq!(out["permissions"]["allow"][0], "Bash(ls:*)");
        assert_eq!(out["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
        assert_eq!(out["hooks"]["Stop"][1]["hooks"][0]["command"], claude_command("idle"));
        assert_eq!(
            out["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"],
            claude_command("busy")
        );
        let notes = out["hooks"]["Notification"].as_array().unwrap();
        assert_eq!(notes[1]["matcher"], "permission_prompt");
        assert_eq!(notes[1]["hooks"][0]["command"], claude_command("waiting"));
    }

    #[test]
    fn installing_twice_changes_nothing_and_uninstalling_restores_the_original() {
        let once = claude_install(users()).unwrap();
        assert_eq!(claude_install(once.clone()).unwrap(), once);
        assert_eq!(claude_uninstall(once), users());
        assert_eq!(claude_uninstall(claude_install(json!({})).unwrap()), json!({}));
    }

    #[test]
    fn a_settings_file_of_the_wrong_shape_is_refused_not_overwritten() {
        assert!(claude_install(json!([1, 2])).is_err());
        assert!(claude_install(json!({"hooks": "x"})).is_err());
        assert!(claude_install(json!({"hooks": {"Stop": {}}})).is_err());
    }

    #[test]
    fn codex_notify_is_added_once_removed_cleanly_and_never_replaces_the_users() {
        let cfg = "model = \"o3\"\n\n[mcp_servers.x]\ncommand = \"y\"\n";
        let with = codex_install(cfg).unwrap();
        assert!(with.starts_with(CODEX_NOTIFY));
        assert_eq!(codex_install(&with).unwrap(), with);
        assert_eq!(codex_uninstall(&with), cfg);
        let theirs = "notify = [\"notify-send\"]\n";
        assert!(codex_install(theirs).unwrap_err().contains("notify-send"));
        assert_eq!(codex_uninstall(theirs), theirs);
        // A `notify` key inside a table is not Codex's top-level one.
        let in_table = "[tui]\nnotify = true\n";
        assert!(codex_install(in_table).unwrap().starts_with(CODEX_NOTIFY));
    }
}
