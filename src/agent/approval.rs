//! Approval questions of real agent CLIs: reading the command a pane asks to run off its
//! screen ([`request`]) and deciding whether it is one of tmux-ide's own reporting
//! commands ([`reporting`]). Pure: screen text in, answer out.
//!
//! Aider has no way to run commands unattended (`--yes-always` answers *No* to
//! `Run shell command?`), Codex and Claude Code ask when their policy says so, and
//! Gemini CLI asks unless a policy allows the prefix; see /work/shared/notes. Only a
//! command that parses, whole, as `tmux-ide task done|validate assert|agent …` with
//! plain quoted or bare arguments is ever approved: anything with a shell operator,
//! expansion or extra word is not, so `rm -rf ~; tmux-ide task done 001` stays a
//! question for a person.

/// How an agent program shows an approval question (selects the screen reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalStyle {
    /// `<command>` then `Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]:`, and after
    /// it ran, `Running <command>` … `Add command output to the chat? (Y)es/(N)o…`.
    Aider,
    /// `Would you like to run the following command?` … `$ <command>` … `› 1. Yes, proceed (y)`.
    Codex,
    /// `Bash(<command>)` or a `Bash command` block, then `Do you want to proceed?`.
    Claude,
    /// A box with the command in an inner box, then `Allow execution of [Shell]?`.
    Gemini,
}

/// A command a pane is asking permission to run, as its screen shows it (wrapped lines
/// joined with one space), and the question asked (Aider asks twice about one command).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApprovalRequest {
    pub question: &'static str,
    pub command: String,
}

/// One of the commands a prompt asks an agent to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reporting {
    /// `tmux-ide task done <id> [--proof X] [--summary X]`.
    TaskDone(String),
    /// `tmux-ide validate assert <id> [--status X] [--evidence X]`.
    ValidateAssert(String),
    /// `tmux-ide agent idle|busy|waiting`.
    Agent,
}

/// How many lines from the bottom an approval question may start at: Codex's is 8–10
/// non-blank lines up, Gemini's box up to ~14 with a wrapped command.
const LOOK: usize = 24;

/// The approval question on the last lines of `screen`, if `style` shows one now.
pub fn request(style: ApprovalStyle, screen: &str) -> Option<ApprovalRequest> {
    let all: Vec<&str> = screen.lines().collect();
    let end = all.iter().rposition(|l| !l.trim().is_empty())? + 1;
    let lines = &all[end.saturating_sub(LOOK)..end];
    let (question, command) = match style {
        ApprovalStyle::Aider => aider(lines),
        ApprovalStyle::Codex => codex(lines).map(|c| (CODEX_Q, c)),
        ApprovalStyle::Claude => claude(lines).map(|c| (CLAUDE_Q, c)),
        ApprovalStyle::Gemini => gemini(lines).map(|c| (GEMINI_Q, c)),
    }?;
    let command = command.split_whitespace().collect::<Vec<_>>().join(" ");
    (!command.is_empty()).then_some(ApprovalRequest { question, command })
}

const AIDER_RUN: &str = "Run shell command?";
const AIDER_OUTPUT: &str = "Add command output to the chat?";
const CODEX_Q: &str = "Would you like to run the following command?";
const CLAUDE_Q: &str = "Do you want to proceed?";
const GEMINI_Q: &str = "Allow execution of";

/// Aider's question is always its last line (wrapped at the pane's width, mid-word, when
/// the pane is narrower than it); the command is the block just above it.
fn aider(lines: &[&str]) -> Option<(&'static str, String)> {
    let (q, last) = aider_question(lines)?;
    if last.starts_with(AIDER_RUN) {
        let above = &lines[..q];
        let mut start = above
            .iter()
            .rposition(|l| l.trim().is_empty() || l.trim_start().starts_with("Tokens:"))
            .map_or(0, |i| i + 1);
        // A narrow pane wraps the `Tokens: … session.` line: its rest is not the command.
        if start > 0 && above[start - 1].trim_start().starts_with("Tokens:") {
            let ends = |l: &&str| l.trim_end().ends_with("session.");
            if !ends(&above[start - 1]) {
                start += above[start..].iter().position(ends)? + 1;
            }
        }
        return Some((AIDER_RUN, above[start..].join(" ")));
    }
    if last.starts_with(AIDER_OUTPUT) {
        // Asked after the command ran: the command is the one Aider says it is running.
        let ran = lines.iter().rev().find_map(|l| l.trim().strip_prefix("Running "))?;
        return Some((AIDER_OUTPUT, ran.to_string()));
    }
    None
}

/// Where Aider's question starts and its text, its wrapped lines joined as they were cut:
/// the question ends the screen with `[Yes]:` (its default answer).
fn aider_question(lines: &[&str]) -> Option<(usize, String)> {
    let from = lines.len().saturating_sub(3);
    (from..lines.len()).find_map(|q| {
        let text: String = lines[q..].iter().map(|l| l.trim_end()).collect();
        let text = text.trim_start().to_string();
        let asks = text.starts_with(AIDER_RUN) || text.starts_with(AIDER_OUTPUT);
        (asks && text.ends_with("]:")).then_some((q, text))
    })
}

fn codex(lines: &[&str]) -> Option<String> {
    let q =
        lines.iter().rposition(|l| l.contains("Would you like to run the following command?"))?;
    let rest = &lines[q + 1..];
    let start = rest.iter().position(|l| l.trim_start().starts_with("$ "))?;
    let mut parts = vec![rest[start].trim_start().strip_prefix("$ ")?];
    for l in &rest[start + 1..] {
        let t = l.trim_start().trim_start_matches('›').trim_start();
        if t.starts_with("1.") || t.is_empty() {
            return Some(parts.join(" "));
        }
        parts.push(l);
    }
    None
}

fn claude(lines: &[&str]) -> Option<String> {
    let q = lines.iter().rposition(|l| l.contains(CLAUDE_Q))?;
    let unboxed: Vec<&str> = lines[..q].iter().map(|l| unbox(l)).collect();
    if let Some(l) = unboxed.iter().rev().find(|l| l.starts_with("Bash(")) {
        // Single line only: a wrapped `Bash(` call is not read, so not approved.
        return l.strip_prefix("Bash(")?.strip_suffix(')').map(str::to_string);
    }
    // Claude Code 2.1: the command between two dashed rules, each line after a `│`.
    let dashed = |l: &&str| !l.is_empty() && l.chars().all(|c| c == '╌');
    let rules: Vec<usize> =
        unboxed.iter().enumerate().filter(|(_, l)| dashed(l)).map(|(i, _)| i).collect();
    if let [.., top, bottom] = rules[..] {
        let body = unboxed[top + 1..bottom].iter().map(|l| l.strip_prefix('│').unwrap_or(l).trim());
        return Some(body.collect::<Vec<_>>().join(" "));
    }
    let h = unboxed.iter().rposition(|l| *l == "Bash command")?;
    // The whole block under the header: a description line in it makes it fail to
    // parse (not approved) rather than guessing which line is the command.
    let block: Vec<&str> = unboxed[h + 1..].iter().copied().skip_while(|l| l.is_empty()).collect();
    let end = block.iter().position(|l| l.is_empty()).unwrap_or(block.len());
    Some(block[..end].join(" "))
}

fn gemini(lines: &[&str]) -> Option<String> {
    let q = lines.iter().rposition(|l| l.contains(GEMINI_Q))?;
    let inner: Vec<&str> = lines[..q].iter().map(|l| unbox(l)).collect();
    let bottom = inner.iter().rposition(|l| l.starts_with('╰'))?;
    let top = inner[..bottom].iter().rposition(|l| l.starts_with('╭'))?;
    let body: Vec<&str> = inner[top + 1..bottom].iter().map(|l| unbox(l)).collect();
    Some(body.join(" "))
}

/// A line without one level of box border (`│ … │`) and surrounding blanks.
fn unbox(line: &str) -> &str {
    let t = line.trim();
    let t = t.strip_prefix('│').unwrap_or(t);
    let t = t.strip_suffix('│').unwrap_or(t);
    t.trim()
}

/// `command` as one of tmux-ide's reporting commands, if it is exactly that: the words
/// `tmux-ide` and a reporting subcommand, then only the flags that subcommand takes,
/// each value a bare word or a quoted string without expansions.
pub fn reporting(command: &str) -> Option<Reporting> {
    let words = shell_words(command)?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["tmux-ide", "agent", "idle" | "busy" | "waiting"] => Some(Reporting::Agent),
        ["tmux-ide", "task", "done", id, flags @ ..] if plain_id(id) => {
            only_flags(flags, &["--proof", "--summary"])?;
            Some(Reporting::TaskDone(id.to_string()))
        }
        ["tmux-ide", "validate", "assert", id, flags @ ..] if plain_id(id) => {
            only_flags(flags, &["--status", "--evidence"])?;
            Some(Reporting::ValidateAssert(id.to_string()))
        }
        _ => None,
    }
}

fn plain_id(id: &str) -> bool {
    !id.is_empty() && !id.starts_with('-')
}

/// `flags` is `--name value` / `--name=value` pairs of `allowed` names, each at most once.
fn only_flags(flags: &[&str], allowed: &[&str]) -> Option<()> {
    let mut seen: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        let (name, step) = match flags[i].split_once('=') {
            Some((name, _)) => (name, 1),
            None if i + 1 < flags.len() => (flags[i], 2),
            None => return None,
        };
        if !allowed.contains(&name) || seen.contains(&name) {
            return None;
        }
        seen.push(name);
        i += step;
    }
    Some(())
}

/// The words of `command` as a POSIX shell would split them, or `None` when anything in
/// it would make the shell do more than run one program: operators, redirections,
/// expansions (`$`, backticks, `~`, globs), escapes, comments, unclosed quotes.
fn shell_words(command: &str) -> Option<Vec<String>> {
    let bare = |c: char| c.is_ascii_alphanumeric() || "-_.,:/=@%+".contains(c);
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c if c.is_control() => return None,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' | '!' => return None,
                        c if c.is_control() => return None,
                        c => w.push(c),
                    }
                }
            }
            c if bare(c) => word.get_or_insert_with(String::new).push(c),
            _ => return None,
        }
    }
    words.extend(word);
    Some(words)
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;
