//! The knowledge library's side of `task done`: a finished task's summary appended to
//! `.tmux-ide/library/learnings.md` (and a research task's to research-findings.md and
//! architecture.md), as text that cannot start a heading or a fence of its own, so each
//! entry stays one section. The same change whether the command applies it itself or the
//! running orchestrator applies it for the command (see `orchestrator::requests`).
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::events::Event;
use super::model::{Plan, Task};
use super::rules::{finish_task, resolve_task};
use crate::project::Project;
use crate::{Error, Result};

/// The library files a finished task's summary goes to, opened for appending.
#[derive(Debug, Default)]
pub struct Library(Vec<(PathBuf, File)>);

/// `task done`'s change to `plan`: the task finished (its event pushed), and its library
/// files opened before the commit, so a symlink among them refuses the whole change.
/// [`Library::append`] writes the entry after the commit, still under the store lock, so
/// entries keep the order of the `task_done` events.
pub fn finish(
    project: &Project,
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    proof: &str,
    summary: Option<&str>,
    now: Timestamp,
) -> Result<(Task, Library)> {
    let before = resolve_task(plan, id).ok().and_then(|known| plan.task(&known).cloned());
    let mark = events.len();
    let task = finish_task(plan, events, id, proof, summary, now)?;
    match open_library(project, &task) {
        Ok(files) => Ok((task, Library(files))),
        Err(e) => {
            // Undone here, not by failing the update: a batch of requests shares one.
            if let Some(before) = before
                && let Some(slot) = plan.tasks.iter_mut().find(|t| t.id == before.id)
            {
                *slot = before;
            }
            events.truncate(mark);
            Err(e)
        }
    }
}

impl Library {
    /// Appends `task`'s entry to each file (none without a summary).
    pub fn append(&self, task: &Task, now: Timestamp) -> Result<()> {
        append_learnings(&self.0, task, now)
    }
}

/// learnings.md (and research-findings.md for research tasks), open for appending; none
/// when the task has no summary.
fn open_library(project: &Project, task: &Task) -> Result<Vec<(PathBuf, File)>> {
    if task.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Ok(Vec::new());
    }
    let dir = project.library_dir();
    let mut names = vec!["learnings.md"];
    if task.specialty.as_deref() == Some("research") {
        names.push("research-findings.md");
        if architecture_findings(task.summary.as_deref().unwrap_or_default()).is_some() {
            names.push("architecture.md");
        }
    }
    names
        .into_iter()
        .map(|name| {
            let path = dir.join(name);
            let file = crate::project::open_append(&project.root, &path)?;
            Ok((path, file))
        })
        .collect()
}

/// `## Task 003 — Title (YYYY-MM-DD)`, a blank line and the summary, appended to each
/// opened library file.
fn append_learnings(library: &[(PathBuf, File)], task: &Task, now: Timestamp) -> Result<()> {
    let summary = task.summary.as_deref().unwrap_or_default();
    let date = now.to_zoned_datetime(jiff::tz::TimeZone::system()).date();
    let title = task.title.replace(['\r', '\n'], " ");
    let entry = format!(
        "## Task {} — {} ({date})\n\n{}\n",
        task.id,
        title,
        inert_markdown(summary.trim_end())
    );
    for (path, file) in library {
        // architecture.md gets only a research task's `Architecture:` lines.
        let typed = architecture_findings(summary).filter(|_| path.ends_with("architecture.md"));
        let entry = match typed {
            Some(lines) => format!(
                "## Research finding, task {} ({date})\n\n{}\n",
                task.id,
                inert_markdown(&lines)
            ),
            None => entry.clone(),
        };
        append_entry(path, file, &entry)?;
    }
    Ok(())
}

/// A research summary's typed findings for architecture.md: its lines that start with
/// `Architecture:` (any case), without that word; `None` when there are none.
fn architecture_findings(summary: &str) -> Option<String> {
    let lines: Vec<String> = summary
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let head = l.get(..13)?;
            head.eq_ignore_ascii_case("architecture:").then(|| format!("- {}", l[13..].trim()))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Appends `entry` as its own block: separated from earlier text by one blank line.
fn append_entry(path: &Path, mut file: &File, entry: &str) -> Result<()> {
    let mut existing = String::new();
    file.read_to_string(&mut existing).map_err(|e| Error::io(path, e))?;
    let sep = if existing.is_empty() || existing.ends_with("\n\n") {
        ""
    } else if existing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    file.write_all(format!("{sep}{entry}").as_bytes()).map_err(|e| Error::io(path, e))?;
    Ok(())
}

/// `text` with every line that would start a block of its own escaped by a backslash
/// (which Markdown shows as nothing): ATX headings (`#`), setext underlines (`===`,
/// `---`), code fences (```` ``` ````, `~~~`) and HTML blocks (`<`), also inside a quote
/// or list item, so a summary cannot add a heading, or open a fence or comment that
/// swallows the entries after it.
fn inert_markdown(text: &str) -> String {
    // Markdown ends a line at a lone `\r` as well as at `\n`.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (containers, content) = line.split_at(content_start(line));
        out.push_str(containers);
        if starts_block(content) {
            out.push('\\');
        }
        out.push_str(content);
    }
    out
}

/// Where a line's content starts: past its indentation and any block-quote (`>`) and
/// list-item (`-`, `*`, `+`, `1.`, `1)`) markers, each of which can hold a heading.
fn content_start(line: &str) -> usize {
    let b = line.as_bytes();
    let blank = |i: usize| matches!(b.get(i), Some(b' ' | b'\t'));
    let mut i = 0;
    loop {
        while blank(i) {
            i += 1;
        }
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let bullet = matches!(b.get(i), Some(b'-' | b'*' | b'+')) && blank(i + 1);
        if b.get(i) == Some(&b'>') || bullet {
            i += 1;
        } else if (1..=9).contains(&digits)
            && matches!(b.get(i + digits), Some(b'.' | b')'))
            && blank(i + digits + 1)
        {
            i += digits + 1;
        } else {
            return i;
        }
    }
}

/// Whether `content` (a line past its containers) opens a heading, fence or HTML block,
/// or underlines the line before into a heading.
fn starts_block(content: &str) -> bool {
    let rest = content.trim_end();
    let rule = |c: char| !rest.is_empty() && rest.chars().all(|x| x == c || x == ' ' || x == '\t');
    content.starts_with(['#', '<'])
        || content.starts_with("```")
        || content.starts_with("~~~")
        || rule('=')
        || rule('-')
}

#[cfg(test)]
mod tests {
    use super::{architecture_findings, inert_markdown};

    #[test]
    fn architecture_lines_of_a_research_summary_are_its_typed_findings() {
        let s = "Looked at auth.\nArchitecture: tokens live in Redis\n  architecture:  one DB\nArch: no";
        let got = architecture_findings(s).unwrap();
        assert_eq!(got, "- tokens live in Redis\n- one DB");
        assert_eq!(architecture_findings("nothing typed"), None);
        assert_eq!(architecture_findings("Architécture: x"), None);
    }
    use pulldown_cmark::{Event, Parser, Tag};

    fn blocks(md: &str) -> (usize, usize, usize) {
        let (mut headings, mut code, mut html) = (0, 0, 0);
        for e in Parser::new(md) {
            match e {
                Event::Start(Tag::Heading { .. }) => headings += 1,
                Event::Start(Tag::CodeBlock(_)) => code += 1,
                Event::Start(Tag::HtmlBlock) => html += 1,
                _ => {}
            }
        }
        (headings, code, html)
    }

    #[test]
    fn summary_lines_cannot_start_a_heading_fence_or_html_block() {
        let hostile = "Fine.\n## Task 999 — fake\n  # also\n```\ncode\n~~~\nSetext\n===\nx\n---\n\
                       > ## quoted\n- # listed\n12) ### numbered\n> - ```\nx\ry\r# cr\n<!--\nhidden";
        let md =
            format!("## Task 001 — real\n\n{}\n\n## Task 002 — next\n", inert_markdown(hostile));
        assert_eq!(blocks(&md), (2, 0, 0), "{md}");
        assert!(md.contains("> \\## quoted") && md.contains("12) \\### numbered"), "{md}");
        assert!(md.contains("\\## Task 999 — fake") && md.contains("  \\# also"), "{md}");
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        let text =
            "Used jose.\n- a list\n  indented `code` and #hashtag\n`inline` first\n\n> quoted";
        assert_eq!(inert_markdown(text), text);
    }
}
