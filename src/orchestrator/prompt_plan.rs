//! The planning prompt: what the lead pane gets while the mission is `planning` and has no
//! milestones — the mission, the architecture notes, the contract so far, the skills and
//! the team, and the steps of the workflow with the exact commands. Pure text building;
//! the caller reads the files. Plan text passes through verbatim (it is pasted, never run).
use std::fmt::Write as _;

use super::prompt::{LIBRARY_LIMIT, head};
use crate::plan::Plan;

/// The line a planning prompt carries (second line, after the header), followed by the
/// specialties of the panes that take tasks: `TMUX-IDE-PLAN: backend frontend`.
pub use crate::agent::sim_plan::PLAN_MARKER;

/// Each skill file is cut to this many bytes in the planning prompt.
pub const SKILL_LIMIT: usize = 2 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct PlanningPromptInput<'a> {
    pub plan: &'a Plan,
    /// `.tmux-ide/library/architecture.md`.
    pub architecture: Option<&'a str>,
    /// `.tasks/validation-contract.md` as written so far.
    pub contract_text: Option<&'a str>,
    /// How many assertions the contract has (0: it is still to be written).
    pub contract_assertions: usize,
    /// `(name, text)` of each `.tmux-ide/skills/*.md`, by name.
    pub skills: &'a [(String, String)],
    /// The specialties of the panes that take tasks (from ide.yml, sorted, unique).
    pub specialties: &'a [String],
}

/// The prompt that asks the lead to plan the mission. Its first two lines never contain
/// plan text, so the marker on line 2 cannot be spoofed by a title.
pub fn planning_prompt(input: &PlanningPromptInput) -> String {
    let mut out = String::new();
    out.push_str("# tmux-ide planning\n");
    let words: Vec<&str> = input
        .specialties
        .iter()
        .map(String::as_str)
        .filter(|s| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        })
        .collect();
    let _ = writeln!(out, "{PLAN_MARKER} {}", words.join(" "));
    out.push_str(
        "\nYou are the lead of a mission coordinated by tmux-ide. The mission is in planning \
         and has no milestones yet. Plan it with the commands below; do not do the tasks \
         yourself: once the plan is complete, the orchestrator hands them to the agents.\n",
    );
    let _ = writeln!(out, "\n## Mission\n");
    match &input.plan.mission {
        Some(m) => {
            let _ = writeln!(out, "Title: {}\nStatus: {}", m.title, m.status.as_str());
            if !m.description.trim().is_empty() {
                out.push('\n');
                block(&mut out, &m.description);
            }
        }
        None => out.push_str("(no mission)\n"),
    }
    let _ = writeln!(out, "\n## Team\n");
    if words.is_empty() {
        out.push_str("No pane has a specialty: leave --specialty out.\n");
    } else {
        let _ = writeln!(
            out,
            "Specialties of the panes that take tasks: {}. Give every task one of them \
             (`research` goes to the researcher).",
            words.join(", ")
        );
    }
    let _ = writeln!(out, "\n## Architecture (.tmux-ide/library/architecture.md)\n");
    bounded(&mut out, input.architecture, LIBRARY_LIMIT, "architecture.md");
    let _ = writeln!(out, "\n## Validation contract (.tasks/validation-contract.md)\n");
    if input.contract_assertions == 0 {
        out.push_str("(not written yet: no assertion in it)\n");
    } else {
        let _ = writeln!(out, "{} assertion(s) so far:\n", input.contract_assertions);
        bounded(&mut out, input.contract_text, LIBRARY_LIMIT, "validation-contract.md");
    }
    let _ = writeln!(out, "\n## Skills (.tmux-ide/skills/)");
    if input.skills.is_empty() {
        out.push_str("\n(no skill files)\n");
    }
    for (name, text) in input.skills {
        let _ = writeln!(out, "\n### {name}\n");
        bounded(&mut out, Some(text), SKILL_LIMIT, name);
    }
    out.push_str(WORKFLOW);
    out
}

/// The steps of the planning phase, with the exact commands and flags.
const WORKFLOW: &str = "
## How to plan

1. Write or complete the validation contract in .tasks/validation-contract.md: concrete,
   testable assertions as list items under `##` sections, each with a unique id
   `VAL-AREA-NNN` in bold, a colon and one statement, for example:
   ## Authentication
   - **VAL-AUTH-001**: POST /api/auth/login returns a JWT on valid credentials
2. Create the milestones, in order (keep each to 3-7 tasks):
   tmux-ide milestone create \"Foundation\" --sequence 1
   tmux-ide milestone create \"Implementation\" --sequence 2
3. Create the tasks, each in a milestone, with a specialty, the assertions it fulfils and
   the tasks it depends on (ids are printed as tasks are created: 001, 002, ...):
   tmux-ide task create \"Title\" --milestone M1 --specialty backend --priority 1 --goal \"Why\" --fulfills \"VAL-AUTH-001,VAL-AUTH-002\" --depends \"001,002\"
4. Check that every assertion is claimed by at least one task; add tasks until it is:
   tmux-ide validate coverage
5. Activate the mission (mission active, M1 active, the rest locked):
   tmux-ide mission plan-complete
Quote with single quotes if your text contains $, backticks or double quotes.
";

fn bounded(out: &mut String, text: Option<&str>, limit: usize, name: &str) {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        out.push_str("(empty)\n");
        return;
    };
    let kept = head(text, limit);
    block(out, kept);
    if kept.len() < text.len() {
        let _ = writeln!(out, "[… cut here: {} more bytes in {name}]", text.len() - kept.len());
    }
}

/// `text` verbatim, ending with exactly one newline.
fn block(out: &mut String, text: &str) {
    out.push_str(text.trim_end_matches('\n'));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Mission, MissionStatus};

    fn plan() -> Plan {
        Plan {
            mission: Some(Mission {
                title: "Auth v2".into(),
                description: "JWT login\nTMUX-IDE-TASK: 001".into(),
                status: MissionStatus::Planning,
                created: jiff::Timestamp::UNIX_EPOCH,
                activated: None,
                completed: None,
            }),
            ..Plan::default()
        }
    }

    #[test]
    fn the_planning_prompt_has_the_mission_context_and_every_workflow_step() {
        let skills = vec![("backend.md".to_string(), "Write Rust.".to_string())];
        let specialties = vec!["backend".to_string(), "frontend".to_string(), "x y".to_string()];
        let text = planning_prompt(&PlanningPromptInput {
            plan: &plan(),
            architecture: Some("# Architecture\nAxum."),
            contract_text: Some("## Auth\n- **VAL-AUTH-001**: login works\n"),
            contract_assertions: 1,
            skills: &skills,
            specialties: &specialties,
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# tmux-ide planning");
        // A specialty that is not one word cannot add words to the marker.
        assert_eq!(lines[1], "TMUX-IDE-PLAN: backend frontend");
        for want in [
            "Title: Auth v2",
            "Axum.",
            "- **VAL-AUTH-001**: login works",
            "### backend.md",
            "Write Rust.",
            "`VAL-AREA-NNN`",
            "under `##` sections",
            "tmux-ide milestone create \"Foundation\" --sequence 1",
            "--milestone M1 --specialty backend --priority 1",
            "--fulfills \"VAL-AUTH-001,VAL-AUTH-002\" --depends \"001,002\"",
            "tmux-ide validate coverage",
            "tmux-ide mission plan-complete",
        ] {
            assert!(text.contains(want), "missing {want:?} in:\n{text}");
        }
        let steps = [
            "1. Write",
            "2. Create the milestones",
            "3. Create the tasks",
            "4. Check",
            "5. Activate",
        ];
        let at: Vec<usize> = steps.iter().map(|s| text.find(s).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "steps out of order");
    }

    #[test]
    fn an_unwritten_contract_and_missing_files_are_said_so() {
        let text = planning_prompt(&PlanningPromptInput {
            plan: &plan(),
            architecture: None,
            contract_text: Some("# Validation Contract\n<!-- example -->\n"),
            contract_assertions: 0,
            skills: &[],
            specialties: &[],
        });
        assert!(text.contains("(not written yet: no assertion in it)"), "{text}");
        assert!(!text.contains("<!-- example -->"), "{text}");
        assert!(text.contains("(no skill files)") && text.contains("leave --specialty out"));
        assert_eq!(text.lines().nth(1), Some("TMUX-IDE-PLAN: "));
    }
}
