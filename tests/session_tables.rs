//! `ls`, `status` and `detect` print through the one width-aware table: a wide (CJK)
//! pane title keeps the next column aligned, and a title with a bidi override is shown
//! escaped (ide.yml refuses control characters in titles).
use unicode_width::UnicodeWidthStr;

use crate::common::{TestProject, TmuxServer, wait_for};

/// The display column at which `needle` starts in `line`.
fn column(line: &str, needle: &str) -> usize {
    let at = line.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    line[..at].width()
}

#[test]
fn status_detect_and_ls_align_wide_titles_and_escape_hostile_ones() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write(
        "ide.yml",
        "name: tables\nrows:\n  - panes:\n      - title: 認証スキーマ\n        role: lead\n        command: cat\n      - title: \"A\\u202EB\"\n        role: shell\n        command: cat\n      - title: Plain\n        role: teammate\n        command: cat\n",
    );
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let run = |args: &[&str]| {
        let out = tmux.on(p.cmd()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let status = wait_for("three panes", std::time::Duration::from_secs(10), || {
        let text = run(&["status"]);
        (text.lines().count() == 5).then_some(text)
    });
    let lines: Vec<&str> = status.lines().skip(1).collect();
    let role = column(lines[0], "ROLE");
    assert_eq!(column(lines[1], "lead"), role, "{status}");
    assert_eq!(column(lines[2], "shell"), role, "{status}");
    assert_eq!(column(lines[3], "teammate"), role, "{status}");
    assert!(status.contains("A<U+202E>B"), "{status}");
    assert!(!status.contains('\u{202E}'), "{status}");

    let detect = run(&["detect"]);
    let rows: Vec<&str> = detect.lines().take(3).collect();
    let profile = column(rows[2], "shell");
    assert_eq!(column(rows[0], "shell"), profile, "{detect}");
    assert!(detect.contains("A<U+202E>B") && !detect.contains('\u{202E}'), "{detect}");

    let ls = run(&["ls"]);
    let header = ls.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["SESSION", "PANES", "ORCHESTRATOR", "PROJECT"]
    );
    let row = ls.lines().nth(1).unwrap();
    assert_eq!(column(row, "3"), column(header, "PANES") + "PANES".len() - 1, "{ls}");
}
