//! The observed screens of the real CLIs (tests/fixtures/agents/screens) read through
//! each built-in profile at pane widths 60, 80, 120 and 200: `<agent>-<state>-<width>.txt`
//! were captured from the real programs at that width (tests/real_screens.rs, run by
//! bench/real-agents.sh --screens); the others, from /work/shared/notes, were 80 columns
//! wide and [`reflow`] redraws them at another width the way these TUIs do: rules and
//! boxes span the width, text wraps at word boundaries.
use super::approval::{self, Reporting};
use super::profiles::Profile;
use super::screen::{ScreenState, read};
use crate::config::Agent;

const WIDTHS: [usize; 4] = [60, 80, 120, 200];

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/agents/screens/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const RULE: char = '─';

/// `screen` as a pane `width` columns wide would show it.
pub(crate) fn reflow(screen: &str, width: usize) -> String {
    screen.lines().flat_map(|l| reflow_line(l, width)).collect::<Vec<_>>().join("\n")
}

fn reflow_line(line: &str, width: usize) -> Vec<String> {
    let line = line.trim_end();
    let indent = line.len() - line.trim_start().len();
    let body = line.trim_start();
    let inner = width.saturating_sub(indent);
    let chars: Vec<char> = body.chars().collect();
    let pad = " ".repeat(indent);
    // A rule, or a box's top or bottom edge: drawn across the width.
    if chars.len() >= 2 && chars[1..chars.len() - 1].iter().all(|&c| c == RULE) {
        let (first, last) = (chars[0], chars[chars.len() - 1]);
        let mid = RULE.to_string().repeat(inner.saturating_sub(2).max(1));
        return vec![format!("{pad}{first}{mid}{last}")];
    }
    // A box's side: its content reflowed inside the borders.
    if chars.len() >= 2 && chars[0] == '│' && chars[chars.len() - 1] == '│' {
        let content: String = chars[1..chars.len() - 1].iter().collect();
        let content = content.trim();
        let room = inner.saturating_sub(4).max(8);
        return reflow_line(content, room)
            .into_iter()
            .map(|c| {
                let fill = room.saturating_sub(c.chars().count());
                format!("{pad}│ {c}{} │", " ".repeat(fill))
            })
            .collect();
    }
    wrap(body, inner.max(8)).into_iter().map(|l| format!("{pad}{l}")).collect()
}

/// Greedy word wrap; a word longer than the width is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let (n, w) = (cur.chars().count(), word.chars().count());
        if n > 0 && n + 1 + w > width {
            out.push(std::mem::take(&mut cur));
        } else if n > 0 {
            cur.push(' ');
        }
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            out.push(word.drain(..width).collect());
        }
        cur.extend(word);
    }
    out.push(cur);
    out
}

fn state(agent: Agent, name: &str, width: usize) -> Option<ScreenState> {
    read(&Profile::builtin(agent), &reflow(&fixture(name), width)).map(|(s, _)| s)
}

#[test]
fn each_clis_screens_read_right_at_every_width() {
    use ScreenState::*;
    let cases: &[(Agent, &str, Option<ScreenState>)] = &[
        (Agent::Aider, "aider-idle", Some(Ready)),
        (Agent::Aider, "aider-busy", Some(Busy)),
        (Agent::Aider, "aider-approval", Some(Waiting)),
        (Agent::Aider, "aider-output-question", Some(Waiting)),
        (Agent::Aider, "aider-rate-limit", Some(RateLimited)),
        (Agent::Aider, "aider-error", Some(Busy)),
        (Agent::Codex, "codex-idle", Some(Ready)),
        (Agent::Codex, "codex-busy", Some(Busy)),
        (Agent::Codex, "codex-approval", Some(Waiting)),
        (Agent::Codex, "codex-model-migration", Some(Waiting)),
        (Agent::Codex, "codex-rate-limit", Some(RateLimited)),
        (Agent::Codex, "codex-error", Some(Ready)),
        (Agent::Claude, "claude-idle", Some(Ready)),
        (Agent::Claude, "claude-busy", Some(Busy)),
        (Agent::Claude, "claude-approval", Some(Waiting)),
        (Agent::Claude, "claude-auto-mode-offer", Some(Waiting)),
        (Agent::Claude, "claude-rate-limit", Some(RateLimited)),
        (Agent::Claude, "claude-error", Some(Ready)),
        (Agent::Gemini, "gemini-idle", Some(Ready)),
        (Agent::Gemini, "gemini-busy", Some(Busy)),
        (Agent::Gemini, "gemini-approval", Some(Waiting)),
        (Agent::Gemini, "gemini-rate-limit", Some(RateLimited)),
        (Agent::Gemini, "gemini-error", Some(Ready)),
        (Agent::Gemini, "gemini-trust", Some(Waiting)),
    ];
    let mut wrong = Vec::new();
    for &(agent, name, want) in cases {
        for width in WIDTHS {
            let got = state(agent, name, width);
            if got != want {
                wrong.push(format!("{name} at {width}: {got:?}, want {want:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_busy_line_pushed_up_by_a_hint_below_it_still_reads_busy() {
    let busy = fixture("gemini-busy").replacen(
        "────",
        "Press Ctrl+O to expand pasted text\n ℹ Update available\n────",
        1,
    );
    for width in WIDTHS {
        let got = read(&Profile::builtin(Agent::Gemini), &reflow(&busy, width)).map(|r| r.0);
        assert_eq!(got, Some(ScreenState::Busy), "width {width}");
    }
}

#[test]
fn approval_commands_read_the_same_at_every_width() {
    let cases = [
        (Agent::Aider, "aider-approval", "001"),
        (Agent::Codex, "codex-approval", "002"),
        (Agent::Claude, "claude-approval", "001"),
        (Agent::Gemini, "gemini-approval", "970"),
    ];
    for (agent, name, task) in cases {
        let style = Profile::builtin(agent).approval.unwrap();
        for width in WIDTHS {
            let screen = reflow(&fixture(name), width);
            let req = approval::request(style, &screen)
                .unwrap_or_else(|| panic!("{name} at {width}: no question in\n{screen}"));
            assert_eq!(
                approval::reporting(&req.command),
                Some(Reporting::TaskDone(task.into())),
                "{name} at {width}: {}",
                req.command
            );
        }
    }
}

#[test]
fn geminis_paste_preview_is_its_paste_marker() {
    let gemini = Profile::builtin(Agent::Gemini);
    assert!(gemini.second_enter);
    for width in WIDTHS {
        let screen = reflow(&fixture("gemini-pasted"), width);
        let tail = super::screen::tail(&screen, gemini.tail_lines);
        assert!(super::screen::find(&gemini.paste_marker, &tail).is_some(), "width {width}");
    }
}

/// What `detect` must make of a captured state. The error captures are taken from 8 s
/// into a run of HTTP 500s, which the CLIs are still retrying then: Aider (`Retrying in
/// 8.0 seconds...`), Claude Code (`retrying in 16s · attempt 6/10`), Codex (`Reconnecting...
/// 5/5 (20s • esc to interrupt)`), Gemini CLI (silently, `esc to cancel`): busy. Codex
/// gives up after its fifth try and is back at its prompt by the wider captures.
fn expected(agent: Agent, state: &str, screen: &str) -> Option<ScreenState> {
    Some(match (state, agent) {
        ("error", Agent::Codex) if !screen.contains("Reconnecting") => ScreenState::Ready,
        ("idle", _) => ScreenState::Ready,
        ("busy", _) => ScreenState::Busy,
        ("approval", _) => ScreenState::Waiting,
        ("rate-limit", _) => ScreenState::RateLimited,
        ("error", _) => ScreenState::Busy,
        _ => return None,
    })
}

#[test]
fn every_captured_screen_reads_right_at_its_width() {
    let dir = format!("{}/tests/fixtures/agents/screens", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".txt") else { continue };
        let Some((rest, width)) = stem.rsplit_once('-') else { continue };
        if width.parse::<usize>().is_err() {
            continue;
        }
        let (agent, state) = rest.split_once('-').unwrap();
        let agent = Agent::ALL.into_iter().find(|a| a.as_str() == agent).unwrap();
        let screen = fixture(stem);
        let want =
            expected(agent, state, &screen).unwrap_or_else(|| panic!("{name}: unknown state"));
        let got = read(&Profile::builtin(agent), &screen).map(|r| r.0);
        if got != Some(want) {
            wrong.push(format!("{name}: {got:?}, want {want:?}"));
        }
        seen += 1;
    }
    assert!(seen >= 4 * 4 * 3, "only {seen} captures");
    wrong.sort();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_captured_approval_names_the_report_it_asks_about() {
    let mut wrong = Vec::new();
    for agent in [Agent::Aider, Agent::Claude, Agent::Codex, Agent::Gemini] {
        for width in WIDTHS {
            let name = format!("{}-approval-{width}", agent.as_str());
            let style = Profile::builtin(agent).approval.unwrap();
            let req = approval::request(style, &fixture(&name));
            let got = req.as_ref().and_then(|r| approval::reporting(&r.command));
            if got != Some(Reporting::TaskDone("901".into())) {
                wrong.push(format!("{name}: {req:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
