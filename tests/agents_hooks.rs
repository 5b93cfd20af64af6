//! `hooks install|uninstall` on real settings files (idempotent, reversible, the user's
//! settings kept), and the opt-in check of a real agent CLI's idle prompt in a pane.
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{TestProject, TmuxServer, wait_for};

#[test]
fn claude_hooks_install_once_keep_the_users_settings_and_uninstall_cleanly() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    let users = json!({"permissions": {"allow": ["Bash(ls:*)"]},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}});
    p.write(".claude/settings.json", &users.to_string());
    p.ok(&["hooks", "install", "claude"]);
    let once: Value = serde_json::from_str(&p.read(".claude/settings.json")).unwrap();
    assert!(p.ok(&["hooks", "install", "claude"]).contains("already"));
    let twice: Value = serde_json::from_str(&p.read(".claude/settings.json")).unwrap();
    assert_eq!(once, twice);
    for event in ["UserPromptSubmit", "Stop", "StopFailure", "Notification", "PermissionRequest"] {
        let text = once["hooks"][event].to_string();
        assert!(text.contains("tmux-ide agent "), "{event}: {text}");
    }
    assert_eq!(once["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
    p.ok(&["hooks", "uninstall", "claude"]);
    let back: Value = serde_json::from_str(&p.read(".claude/settings.json")).unwrap();
    assert_eq!(back, users);
}

#[test]
fn a_broken_claude_settings_file_is_left_alone() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    p.write(".claude/settings.json", "{ not json");
    let out = p.run(&["hooks", "install", "claude"]);
    assert!(!out.status.success());
    assert_eq!(p.read(".claude/settings.json"), "{ not json");
}

#[test]
fn codex_notify_is_installed_in_codex_home_and_never_replaces_the_users() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    let home = p.path().join("codex-home");
    p.write("codex-home/config.toml", "model = \"o3\"\n");
    let run = |args: &[&str]| p.cmd().env("CODEX_HOME", &home).args(args).output().unwrap();
    assert!(run(&["hooks", "install", "codex"]).status.success());
    let with = p.read("codex-home/config.toml");
    assert!(with.starts_with("notify = [\"sh\", \"-c\""), "{with}");
    assert!(run(&["hooks", "install", "codex"]).status.success());
    assert_eq!(p.read("codex-home/config.toml"), with);
    assert!(run(&["hooks", "uninstall", "codex"]).status.success());
    assert_eq!(p.read("codex-home/config.toml"), "model = \"o3\"\n");
    p.write("codex-home/config.toml", "notify = [\"notify-send\"]\n");
    assert!(!run(&["hooks", "install", "codex"]).status.success());
    assert_eq!(p.read("codex-home/config.toml"), "notify = [\"notify-send\"]\n");
}

#[test]
fn claude_uninstall_removes_only_what_install_added() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    // The user's own hook calls `tmux-ide agent` too; a big integer and a key order that a
    // float round-trip or a sorted map would change.
    let users = r#"{"zeta": 123456789012345678901234567890, "cleanupPeriodDays": 1e3,
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "tmux-ide agent idle --pane %1"}]}],
    "PreToolUse": []}, "alpha": 1}"#;
    p.write(".claude/settings.json", users);
    p.ok(&["hooks", "install", "claude"]);
    let installed = p.read(".claude/settings.json");
    assert!(installed.contains("123456789012345678901234567890"), "{installed}");
    assert!(installed.contains("1e3"), "{installed}");
    p.ok(&["hooks", "uninstall", "claude"]);
    let back = p.read(".claude/settings.json");
    let compact = |t: &str| t.split_whitespace().collect::<String>();
    assert_eq!(compact(&back), compact(users));
}

#[test]
fn hook_files_keep_their_mode_and_symlinks() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    p.write("dotfiles/claude.json", "{\"model\": \"opus\"}\n");
    p.write("dotfiles/codex.toml", "model = \"o3\"\n");
    for file in ["dotfiles/claude.json", "dotfiles/codex.toml"] {
        let perms = std::fs::Permissions::from_mode(0o640);
        std::fs::set_permissions(p.path().join(file), perms).unwrap();
    }
    std::fs::create_dir_all(p.path().join(".claude")).unwrap();
    std::fs::create_dir_all(p.path().join("codex-home")).unwrap();
    // Relative links, as a dotfiles manager makes them.
    symlink("../dotfiles/claude.json", p.path().join(".claude/settings.json")).unwrap();
    symlink("../dotfiles/codex.toml", p.path().join("codex-home/config.toml")).unwrap();
    let home = p.path().join("codex-home");
    for (agent, link, target, mark) in [
        ("claude", ".claude/settings.json", "dotfiles/claude.json", "tmux-ide-hook"),
        ("codex", "codex-home/config.toml", "dotfiles/codex.toml", "notify = "),
    ] {
        let out = p.cmd().env("CODEX_HOME", &home).args(["hooks", "install", agent]).output();
        assert!(out.unwrap().status.success(), "{agent}");
        let meta = std::fs::symlink_metadata(p.path().join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is no longer a symlink");
        assert!(p.read(target).contains(mark), "{target}: {}", p.read(target));
        let mode = std::fs::metadata(p.path().join(target)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "{target}");
    }
}

#[test]
fn a_new_claude_settings_file_is_not_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    p.ok(&["hooks", "install", "claude"]);
    let mode = std::fs::metadata(p.path().join(".claude/settings.json")).unwrap().permissions();
    // 0666 less whatever umask the test runs under, but never a temp file's 0600.
    assert_ne!(mode.mode() & 0o777, 0o600);
    assert_eq!(mode.mode() & 0o600, 0o600);
}

#[test]
fn codex_notify_written_any_way_is_the_users_and_the_file_still_parses() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    let home = p.path().join("codex-home");
    let run = |args: &[&str]| p.cmd().env("CODEX_HOME", &home).args(args).output().unwrap();
    for theirs in [
        "\"notify\" = [\"notify-send\", \"done\"]\n",
        "args = [\n  \"a\",\n  \"b\",\n]\nnotify = [\n  \"notify-send\",\n]\n",
        "notify = [\"sh\", \"-c\", \"tmux-ide agent idle\"]\n",
    ] {
        p.write("codex-home/config.toml", theirs);
        let out = run(&["hooks", "install", "codex"]);
        assert_eq!(out.status.code(), Some(1), "{theirs}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("notify"), "{theirs}");
        assert_eq!(p.read("codex-home/config.toml"), theirs);
        assert!(run(&["hooks", "uninstall", "codex"]).status.success(), "{theirs}");
        assert_eq!(p.read("codex-home/config.toml"), theirs);
    }
    // A multi-line array before any notify: ours goes in once, and comes out exactly.
    let cfg = "# my config\nargs = [\n  \"a\",\n]\n\n[tui]\nnotify = true\n";
    p.write("codex-home/config.toml", cfg);
    assert!(run(&["hooks", "install", "codex"]).status.success());
    let with = p.read("codex-home/config.toml");
    assert_eq!(with.matches("notify = [").count(), 1, "{with}");
    assert!(run(&["hooks", "uninstall", "codex"]).status.success());
    assert_eq!(p.read("codex-home/config.toml"), cfg);
    p.write("codex-home/config.toml", "notify = [\n");
    assert_eq!(run(&["hooks", "install", "codex"]).status.code(), Some(1));
    assert_eq!(p.read("codex-home/config.toml"), "notify = [\n");
}

/// Opt-in: `cargo test --test integration real_claude -- --ignored`. Needs `claude`
/// (npm `@anthropic-ai/claude-code`) on PATH or in `$TMUX_IDE_CLAUDE`; calls no model:
/// it starts Claude Code with onboarding, a dummy API key and folder trust pre-approved in
/// a temporary HOME, and checks that `detect` judges its prompt idle from the screen.
#[test]
#[ignore = "needs the real Claude Code CLI; run with --ignored"]
fn real_claude_code_is_detected_idle_at_its_prompt() {
    let claude = std::env::var("TMUX_IDE_CLAUDE")
        .ok()
        .or_else(|| which_claude().map(|p| p.to_string_lossy().into_owned()));
    let Some(claude) = claude else {
        eprintln!("skipped: no `claude` on PATH and no $TMUX_IDE_CLAUDE");
        return;
    };
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let root = p.path().canonicalize().unwrap();
    let key = "sk-ant-tmux-ide-test-0000000000000000000000";
    let home = root.join("home");
    let config = json!({
        "hasCompletedOnboarding": true,
        "customApiKeyResponses": {"approved": [&key[key.len() - 20..]], "rejected": []},
        "projects": {root.to_string_lossy(): {"hasTrustDialogAccepted": true}},
    });
    p.write("home/.claude.json", &config.to_string());
    let command = format!("'{claude}'");
    p.write(
        "ide.yml",
        &format!(
            "name: real\nrows:\n  - panes:\n      - title: Claude\n        role: teammate\n        agent: claude\n        command: \"{command}\"\n        env: {{HOME: '{}', ANTHROPIC_API_KEY: '{key}', PATH: '{}'}}\n",
            home.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let text = wait_for("detect to judge Claude Code idle", Duration::from_secs(60), || {
        let out = tmux.on(p.cmd()).args(["detect", "Claude"]).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.contains(" idle ").then_some(text)
    });
    assert!(text.contains("screen shows ready pattern"), "{text}");
}

fn which_claude() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join("claude"))
        .find(|p| p.is_file())
}

#[test]
fn gemini_hooks_install_in_the_project_settings_and_uninstall_cleanly() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    let users = json!({"general": {"enableAutoUpdate": false}});
    p.write(".gemini/settings.json", &users.to_string());
    p.ok(&["hooks", "install", "gemini"]);
    let once: Value = serde_json::from_str(&p.read(".gemini/settings.json")).unwrap();
    assert!(p.ok(&["hooks", "install", "gemini"]).contains("already"));
    for (event, state) in [
        ("BeforeAgent", "busy"),
        ("AfterTool", "busy"),
        ("AfterAgent", "idle"),
        ("Notification", "waiting"),
    ] {
        let text = once["hooks"][event].to_string();
        assert!(text.contains(&format!("tmux-ide agent {state}")), "{event}: {text}");
    }
    assert_eq!(once["general"], users["general"]);
    // The hook prints the JSON Gemini CLI expects, and nothing else, even outside a pane.
    let command = once["hooks"]["AfterAgent"][0]["hooks"][0]["command"].as_str().unwrap();
    let out = std::process::Command::new("sh")
        .args(["-c", command])
        .env_remove("TMUX_IDE_PANE")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{}\n");
    p.ok(&["hooks", "uninstall", "gemini"]);
    let back: Value = serde_json::from_str(&p.read(".gemini/settings.json")).unwrap();
    assert_eq!(back, users);
}
