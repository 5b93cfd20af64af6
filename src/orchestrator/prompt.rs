//! The prompts sent to agents: a task prompt for workers, a validation prompt for the
//! validator, and remediation titles. Pure text building; the caller reads the files.
//! Text from the plan passes through verbatim (it is pasted, never run by a shell).
use std::fmt::Write as _;

use super::world::ContractAssertion;
use crate::plan::rules::id_order;
use crate::plan::{Milestone, Plan, Task, TaskStatus};

/// Each library file is cut to this many bytes in a prompt.
pub const LIBRARY_LIMIT: usize = 8 * 1024;

/// Remediation titles quote at most this many characters of the assertion text.
pub const TITLE_TEXT_CHARS: usize = 60;

/// The project's knowledge library, as read from disk (`None` when a file is missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Library<'a> {
    /// `.tmux-ide/library/architecture.md`.
    pub architecture: Option<&'a str>,
    /// `.tmux-ide/library/learnings.md`; the most recent (last) part is kept.
    pub learnings: Option<&'a str>,
    /// `AGENTS.md`.
    pub agents: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub struct TaskPromptInput<'a> {
    pub plan: &'a Plan,
    pub task: &'a Task,
    /// The contract, to quote the assertions the task fulfils.
    pub contract: &'a [ContractAssertion],
    /// `.tmux-ide/skills/<specialty>.md`.
    pub skill: Option<&'a str>,
    pub library: Library<'a>,
}

#[derive(Debug, Clone, Copy)]
pub struct ValidationPromptInput<'a> {
    pub plan: &'a Plan,
    pub milestone: &'a Milestone,
    pub round: u32,
    /// The whole `validation-contract.md`.
    pub contract_text: &'a str,
    pub contract: &'a [ContractAssertion],
    /// The assertion ids checked in this round, in contract order.
    pub assertions: &'a [String],
    /// `.tmux-ide/skills/reviewer.md`.
    pub skill: Option<&'a str>,
}

/// The prompt that hands `task` to a worker. Its first two lines never contain plan text,
/// so `TMUX-IDE-TASK: <id>` on line 2 cannot be spoofed by a title.
pub fn task_prompt(input: &TaskPromptInput) -> String {
    let (plan, task) = (input.plan, input.task);
    let mut out = String::new();
    let _ = writeln!(out, "# tmux-ide task {}: {}", task.id, one_line(&task.title));
    let _ = writeln!(out, "TMUX-IDE-TASK: {}", task.id);
    out.push_str(
        "\nYou are one of several agents working through a planned mission, coordinated by \
         tmux-ide. Do this one task, then report it done as the last section says.\n",
    );
    mission_section(&mut out, plan);
    let milestone = task.milestone.as_deref().and_then(|m| plan.milestone(m));
    let _ = writeln!(out, "\n## Milestone\n");
    match milestone {
        Some(m) => milestone_body(&mut out, m),
        None => out.push_str("(none)\n"),
    }
    let goal =
        task.goal.as_deref().map(|g| plan.goals.iter().find(|x| x.id == g).map_or(g, |x| &x.title));
    let _ = writeln!(out, "\n## Goal\n\n{}", goal.unwrap_or("(none)"));
    task_section(&mut out, input);
    let _ = writeln!(out, "\n## Skill\n");
    match (input.skill, task.specialty.as_deref()) {
        (Some(skill), _) => block(&mut out, skill),
        (None, Some(s)) => {
            let _ = writeln!(out, "(no skill file for specialty {s})");
        }
        (None, None) => out.push_str("(the task has no specialty)\n"),
    }
    let _ = writeln!(out, "\n## Library");
    library_file(&mut out, "architecture.md", input.library.architecture, Keep::Head);
    library_file(&mut out, "learnings.md", input.library.learnings, Keep::Tail);
    library_file(&mut out, "AGENTS.md", input.library.agents, Keep::Head);
    let _ = write!(
        out,
        "\n## When you are done\n\n\
         When the task is complete and verified, report it with exactly this command:\n\n\
         tmux-ide task done {id} --proof \"…\" --summary \"…\"\n\n\
         --proof: what you did and how someone can check it (tests, commands, files).\n\
         --summary: what the next agents should know (decisions, APIs, pitfalls); it is \
         appended to learnings.md.\n\
         Quote with single quotes if your text contains $, backticks or double quotes.\n",
        id = task.id,
    );
    out
}

/// The prompt that hands a milestone's validation round to the validator.
pub fn validation_prompt(input: &ValidationPromptInput) -> String {
    let (plan, m) = (input.plan, input.milestone);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# tmux-ide validation {} round {}: {}",
        m.id,
        input.round,
        one_line(&m.title)
    );
    let _ = writeln!(
        out,
        "TMUX-IDE-VALIDATE: {} round={} {}",
        m.id,
        input.round,
        input.assertions.join(" ")
    );
    out.push_str(
        "\nYou are the validator. Check each assertion below against the code as it is now: \
         read it, run the tests, try it. Report every assertion, passing or failing.\n",
    );
    mission_section(&mut out, plan);
    let _ = writeln!(out, "\n## Milestone\n");
    milestone_body(&mut out, m);
    let _ = writeln!(out, "Validation round: {}", input.round);
    let _ = writeln!(out, "\n## Contract\n");
    block(&mut out, input.contract_text);
    let _ = writeln!(out, "\n## Assertions to check\n");
    for id in input.assertions {
        let _ = writeln!(out, "- {id}: {}", assertion_text(input.contract, id));
    }
    let _ = writeln!(out, "\n## Proofs from the milestone's tasks");
    let mut done: Vec<&Task> = plan
        .tasks
        .iter()
        .filter(|t| t.milestone.as_deref() == Some(m.id.as_str()) && t.status == TaskStatus::Done)
        .collect();
    done.sort_by(|a, b| id_order(&a.id, &b.id));
    if done.is_empty() {
        out.push_str("\n(no task of this milestone is done)\n");
    }
    for t in done {
        let _ = writeln!(out, "\n### Task {} — {}\n", t.id, t.title);
        block(&mut out, t.proof.as_deref().unwrap_or("(no proof recorded)"));
    }
    let _ = writeln!(out, "\n## Skill\n");
    block(&mut out, input.skill.unwrap_or("(no reviewer skill file)"));
    out.push_str(
        "\n## When you are done\n\n\
         For each assertion above, run exactly one of:\n\n\
         tmux-ide validate assert <ID> --status passing --evidence \"…\"\n\
         tmux-ide validate assert <ID> --status failing --evidence \"…\"\n\n\
         --evidence: what you checked and what you saw; for a failure, what is wrong and \
         how to reproduce it (it becomes the remediation task's description).\n\
         The round ends when every assertion has been reported.\n",
    );
    out
}

/// `Fix <assertion text, cut at a word near 60 chars…> (remediation for VAL-X)`. The
/// text's whitespace is collapsed to single spaces; a cut drops trailing punctuation and
/// small words that only lead into what was cut ("given a"), and ends in "…" so the title
/// does not read as a finished phrase; an empty text is replaced by the id.
pub fn remediation_title(assertion_id: &str, text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject = match cut_at_word(&flat, TITLE_TEXT_CHARS) {
        _ if flat.is_empty() => assertion_id.to_string(),
        cut if cut.len() == flat.len() => flat.clone(),
        cut => format!("{cut}…"),
    };
    format!("Fix {subject} (remediation for {assertion_id})")
}

/// Words that say nothing at the end of a cut phrase.
const LEAD_IN_WORDS: &[&str] =
    &["a", "an", "the", "of", "to", "and", "or", "for", "with", "on", "in", "at", "by", "is"];

/// At most `max` chars of single-spaced `text`, ending at a word boundary when one exists.
fn cut_at_word(text: &str, max: usize) -> &str {
    let Some((end, next)) = text.char_indices().nth(max) else { return text };
    let mut cut = if next == ' ' {
        &text[..end]
    } else {
        text[..end].rfind(' ').map_or(&text[..end], |space| &text[..space])
    };
    loop {
        cut = cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
        match cut.rsplit_once(' ') {
            Some((head, last)) if LEAD_IN_WORDS.contains(&last.to_lowercase().as_str()) => {
                cut = head;
            }
            _ => return cut,
        }
    }
}

fn mission_section(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "\n## Mission\n");
    match &plan.mission {
        Some(m) => {
            let _ = writeln!(out, "Title: {}\nStatus: {}", m.title, m.status.as_str());
            if !m.description.is_empty() {
                out.push('\n');
                block(out, &m.description);
            }
        }
        None => out.push_str("(no mission)\n"),
    }
}

fn milestone_body(out: &mut String, m: &Milestone) {
    let _ = writeln!(out, "{} — {}", m.id, m.title);
    if !m.description.is_empty() {
        out.push('\n');
        block(out, &m.description);
    }
}

fn task_section(out: &mut String, input: &TaskPromptInput) {
    let t = input.task;
    let list = |ids: &[String]| if ids.is_empty() { "none".to_string() } else { ids.join(", ") };
    let _ = writeln!(out, "\n## Task\n");
    let _ = writeln!(out, "Id: {}\nTitle: {}\nPriority: {}", t.id, t.title, t.priority);
    if let Some(s) = &t.specialty {
        let _ = writeln!(out, "Specialty: {s}");
    }
    let _ = writeln!(out, "Depends on: {}", list(&t.depends));
    let _ = writeln!(out, "Fulfills: {}", list(&t.fulfills));
    for id in &t.fulfills {
        let _ = writeln!(out, "- {id}: {}", assertion_text(input.contract, id));
    }
    if let Some(a) = &t.remediation_for {
        let _ = writeln!(
            out,
            "Remediation for: {a}: {}\nThe validator found this assertion failing; the \
             description has its evidence.",
            assertion_text(input.contract, a)
        );
    }
    if !t.description.is_empty() {
        let _ = writeln!(out, "\nDescription:\n");
        block(out, &t.description);
    }
}

fn assertion_text<'c>(contract: &'c [ContractAssertion], id: &str) -> &'c str {
    contract.iter().find(|c| c.id == id).map_or("(not in the contract)", |c| c.text.as_str())
}

/// Which end of a long library file to keep.
#[derive(Debug, Clone, Copy)]
enum Keep {
    Head,
    Tail,
}

fn library_file(out: &mut String, name: &str, text: Option<&str>, keep: Keep) {
    let _ = writeln!(out, "\n### {name}\n");
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        out.push_str("(empty)\n");
        return;
    };
    match keep {
        Keep::Head => {
            let kept = head(text, LIBRARY_LIMIT);
            block(out, kept);
            if kept.len() < text.len() {
                let _ =
                    writeln!(out, "[… cut here: {} more bytes in {name}]", text.len() - kept.len());
            }
        }
        Keep::Tail => {
            let kept = tail(text, LIBRARY_LIMIT);
            if kept.len() < text.len() {
                let _ = writeln!(
                    out,
                    "[… {} earlier bytes of {name} cut; the most recent follow]",
                    text.len() - kept.len()
                );
            }
            block(out, kept);
        }
    }
}

/// The first at most `max` bytes of `text`, ending on a char boundary.
pub(crate) fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The last at most `max` bytes of `text`, starting on a char boundary.
pub(crate) fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// `text` verbatim, ending with exactly one newline.
fn block(out: &mut String, text: &str) {
    out.push_str(text.trim_end_matches('\n'));
    out.push('\n');
}

/// Line breaks (and other control characters) as spaces, for lines that must stay one line.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
