//! No paste can carry a control sequence: the bracketed-paste end marker cannot break out
//! into a real `bash --norc` (through `tmux-ide send` and `POST /api/send`), and random
//! bytes sent into `cat -v` arrive exactly as `tmux::sanitize` says, with nothing else.
use std::time::Duration;

use crate::common::{TestProject, TmuxServer, wait_for};
use crate::tmux_support::*;
use crate::web_support::Dashboard;

const SHELL: &str = "name: pastesafe\nrows:\n  - panes:\n      - {title: Shell, command: 'HISTFILE=/dev/null bash --norc'}\n";

/// Text that, pasted raw, ends the bracketed paste and runs `touch MARKER` as keys.
fn breakout(marker: &str) -> String {
    format!("x\u{1b}[201~\ntouch {marker}\n")
}

/// Waits for the paste to show in the shell's input, discards it with C-c, runs one
/// more command and waits for its output: anything the paste made bash run has run by
/// then. Returns the screen.
fn settle(server: &TmuxServer, marker: &str) -> String {
    let id = server.pane_titled("Shell").unwrap();
    let want = format!("touch {marker}");
    wait_for("the paste on screen", DEADLINE, || server.capture(&id).contains(&want).then_some(()));
    server.tmux_ok(&["send-keys", "-t", &id, "C-c"]);
    server.tmux_ok(&["send-keys", "-t", &id, "-l", "echo SETTLED-$((6*7))"]);
    server.tmux_ok(&["send-keys", "-t", &id, "Enter"]);
    wait_for("the shell to answer", DEADLINE, || {
        let screen = server.capture(&id);
        screen.contains("SETTLED-42").then_some(screen)
    })
}

#[test]
fn send_cannot_break_out_of_a_paste_into_a_shell() {
    let p = project(SHELL);
    let server = TmuxServer::new();
    up(&p, &server);
    let marker = p.path().join("F").to_string_lossy().into_owned();
    ok(&p, &server, &["send", "Shell", &breakout(&marker), "--no-enter"]);
    let screen = settle(&server, &marker);
    assert!(!p.path().join("F").exists(), "the paste ran `touch F`:\n{screen}");
}

#[test]
fn the_dashboard_send_cannot_break_out_of_a_paste_into_a_shell() {
    let p = project(SHELL);
    let server = TmuxServer::new();
    up(&p, &server);
    let d = Dashboard::start(&p, &["--allow-writes", "--tmux-socket", &server.socket]);
    let token = p.read(".tmux-ide/run/dashboard.token").trim().to_string();
    let marker = p.path().join("F").to_string_lossy().into_owned();
    let body = serde_json::json!({"pane": "Shell", "text": breakout(&marker), "enter": false});
    let r = d.request("POST", "/api/send", &[("X-Tmux-Ide-Token", &token)], &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    let screen = settle(&server, &marker);
    assert!(!p.path().join("F").exists(), "the paste ran `touch F`:\n{screen}");
}

/// `text` as `cat -v` prints it (tabs and newlines as they are).
fn cat_v(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        let (meta, low) = if b >= 0x80 { ("M-", b - 0x80) } else { ("", b) };
        out.push_str(meta);
        match low {
            b'\n' | b'\t' if meta.is_empty() => out.push(low as char),
            0..=0x1f => out.extend(['^', (low + 0x40) as char]),
            0x7f => out.push_str("^?"),
            _ => out.push(low as char),
        }
    }
    out
}

/// Lines as a 200-column terminal shows them: tabs to the next multiple of 8, no
/// trailing blanks.
fn as_screen(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut out = String::new();
            for c in line.chars() {
                if c == '\t' {
                    out.push(' ');
                    // `cat -v` prints ASCII only, so bytes are columns.
                    while !out.len().is_multiple_of(8) {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            out.trim_end().to_string()
        })
        .collect()
}

/// Deterministic byte strings: every byte value, every escape introducer (7-bit, raw
/// 8-bit and UTF-8-encoded C1), then seeded random mixes of them with plain text.
fn cases() -> Vec<Vec<u8>> {
    let introducers: &[&[u8]] = &[
        b"\x1b[",
        b"\x1b]",
        b"\x1bP",
        b"\x1b_",
        b"\x1b^",
        b"\x1bX",
        b"\x1b\\",
        b"\x1b[201~",
        b"\x1b[200~",
        b"\x9b",
        b"\x9d",
        b"\x90",
        b"\x9c",
        b"\x9f",
        b"\x98",
        b"\x9e",
        "\u{9b}".as_bytes(),
        "\u{9d}".as_bytes(),
        "\u{90}".as_bytes(),
        "\u{9c}".as_bytes(),
        b"\r\n",
        b"\r",
        b"\x03",
        b"\x04",
        b"\x1a",
        b"\x1c",
        b"\x15",
        b"\x16",
        b"\x7f",
    ];
    let words: &[&[u8]] = &[b"touch F; ", b"$(id)", "✳ é".as_bytes(), b"\t", b"\n", b"abc "];
    let mut all: Vec<u8> = (0..=255u8).collect();
    all.push(b'.');
    let mut out = vec![all, introducers.concat()];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..30 {
        let mut bytes = Vec::new();
        for _ in 0..(next() % 24 + 1) {
            match next() % 3 {
                0 => bytes.extend_from_slice(introducers[next() as usize % introducers.len()]),
                1 => bytes.extend_from_slice(words[next() as usize % words.len()]),
                _ => bytes.push(next() as u8),
            }
        }
        out.push(bytes);
    }
    out
}

#[test]
fn random_bytes_reach_cat_exactly_as_sanitised_and_nothing_else_happens() {
    let p: TestProject = project(
        "name: catv\nrows:\n  - panes:\n      - {title: Cat, command: \"bash --norc -c 'stty -echo; exec cat -v'\"}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let id = server.pane_titled("Cat").unwrap();
    let lines = |server: &TmuxServer| {
        let out = server.tmux_ok(&["capture-pane", "-p", "-J", "-S", "-", "-t", &id]);
        out.lines().map(|l| l.trim_end().to_string()).collect::<Vec<_>>()
    };
    wait_for("cat in the pane", DEADLINE, || {
        let cmd = server.tmux_ok(&["display", "-p", "-t", &id, "#{pane_current_command}"]);
        (cmd.trim() == "cat").then_some(())
    });
    ok(&p, &server, &["send", "Cat", "END-0"]);
    for (n, bytes) in cases().iter().enumerate() {
        let out = server.on(p.cmd()).args(["send", "Cat", "-"]).write_stdin(bytes.clone()).output();
        let out = out.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let end = format!("END-{}", n + 1);
        ok(&p, &server, &["send", "Cat", &end]);
        let screen = wait_for(&end, Duration::from_secs(10), || {
            let l = lines(&server);
            l.contains(&end).then_some(l)
        });
        let start = screen.iter().position(|l| *l == format!("END-{n}")).unwrap() + 1;
        let stop = screen.iter().position(|l| *l == end).unwrap();
        // What `send -` pastes: the text lossily decoded, one trailing newline dropped.
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t));
        let text =
            text.map(str::to_string).unwrap_or_else(|| String::from_utf8_lossy(bytes).into());
        let want = as_screen(&cat_v(&format!("{}\n", tmux_ide::tmux::sanitize(&text))));
        assert_eq!(screen[start..stop], want[..], "case {n}: {bytes:?}");
    }
    let cmd = server.tmux_ok(&["display", "-p", "-t", &id, "#{pane_current_command} #{pane_dead}"]);
    assert_eq!(cmd.trim(), "cat 0", "cat was stopped or left");
    assert!(!p.path().join("F").exists());
}
