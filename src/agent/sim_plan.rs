//! The simulated agent as a lead that plans: given a planning prompt it writes a contract
//! when there is none, then makes a small valid plan with the real `tmux-ide` commands —
//! two milestones, four tasks with specialties, fulfilled assertions and dependencies —
//! checks `validate coverage` and runs `mission plan-complete`.
use std::io::Write;
use std::process::Command;

use super::sim::SimOptions;
use crate::contract::Contract;
use crate::plan::Store;
use crate::project::Project;
use crate::{Error, Result};

/// The line a planning prompt carries (second line, after the `# tmux-ide planning`
/// header), followed by the specialties of the panes that take tasks.
pub const PLAN_MARKER: &str = "TMUX-IDE-PLAN:";

/// The specialties a planning marker line names, or `None` if it is no planning marker.
pub fn parse_plan(line: &str) -> Option<Vec<String>> {
    let rest = line.trim().strip_prefix(PLAN_MARKER)?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// One `task create` of the simulated plan; `depends` are indexes of earlier tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    pub title: String,
    pub milestone: &'static str,
    pub specialty: Option<String>,
    pub priority: u8,
    pub fulfills: Vec<String>,
    pub depends: Vec<usize>,
}

/// The contract the simulated lead writes for a mission that has none.
pub fn contract_for(title: &str) -> String {
    format!(
        "# Validation Contract — {}\n\n## Core\n\
         - **VAL-CORE-001**: The main use of \"{0}\" works end to end\n\
         - **VAL-CORE-002**: Invalid input is refused with a clear message\n\n## Quality\n\
         - **VAL-QUALITY-001**: Automated tests cover the new behaviour\n",
        short(title)
    )
}

/// The plan: M1 lays the groundwork and fulfils the first half of the assertions, M2 the
/// rest; every assertion is fulfilled by some task.
pub fn design(title: &str, assertions: &[String], specialties: &[String]) -> Vec<PlannedTask> {
    let workers: Vec<&String> = specialties.iter().filter(|s| *s != "research").collect();
    let pick = |want: &str| {
        workers.iter().find(|s| s.as_str() == want).or(workers.first()).map(|s| s.to_string())
    };
    let (back, front) = (pick("backend"), pick("frontend"));
    let half = assertions.len().div_ceil(2);
    let (first, second) = assertions.split_at(half);
    let title = short(title);
    let task = |t: String, m, s: &Option<String>, p, f: &[String], d: &[usize]| PlannedTask {
        title: t,
        milestone: m,
        specialty: s.clone(),
        priority: p,
        fulfills: f.to_vec(),
        depends: d.to_vec(),
    };
    vec![
        task(format!("Lay the groundwork for {title}"), "M1", &back, 1, &[], &[]),
        task(format!("Build the core of {title}"), "M1", &back, 2, first, &[0]),
        task(format!("Build the user-facing part of {title}"), "M2", &front, 1, second, &[1]),
        task(format!("Test {title} end to end"), "M2", &back, 2, second, &[2]),
    ]
}

/// Plans the mission of `opts.project` with the real commands; tells the pane as it goes.
pub fn make_plan(opts: &SimOptions, specialties: &[String]) -> Result<()> {
    let say = |line: String| {
        let _ = writeln!(opts.out.lock(), "{line}");
    };
    say("\n● planning the mission …".into());
    std::thread::sleep(opts.work);
    let project = Project::at(&opts.project);
    let plan = Store::new(&project).load()?;
    let title = plan.mission.as_ref().map_or("the mission".to_string(), |m| m.title.clone());
    let mut contract = Contract::load(&project)?;
    if contract.assertions.is_empty() {
        crate::project::write_file(
            &project.root,
            &project.contract(),
            contract_for(&title).as_bytes(),
        )?;
        contract = Contract::load(&project)?;
        say(format!("  wrote the contract ({} assertions)", contract.assertions.len()));
    }
    let run = |args: &[&str]| tmux_ide(opts, args);
    run(&["milestone", "create", "Foundation", "--sequence", "1"])?;
    run(&["milestone", "create", "Delivery", "--sequence", "2"])?;
    let mut ids: Vec<String> = Vec::new();
    for t in design(&title, &contract.ids(), specialties) {
        let priority = t.priority.to_string();
        let mut args =
            vec!["task", "create", &t.title, "--milestone", t.milestone, "--priority", &priority];
        if let Some(s) = &t.specialty {
            args.extend(["--specialty", s]);
        }
        let fulfills = t.fulfills.join(",");
        if !fulfills.is_empty() {
            args.extend(["--fulfills", &fulfills]);
        }
        let depends: Vec<String> = t.depends.iter().filter_map(|i| ids.get(*i).cloned()).collect();
        let depends = depends.join(",");
        if !depends.is_empty() {
            args.extend(["--depends", &depends]);
        }
        let out = run(&args)?;
        let id = out.split_whitespace().last().unwrap_or_default().to_string();
        say(format!("  task {id}: {}", t.title));
        ids.push(id);
    }
    run(&["validate", "coverage"])?;
    run(&["mission", "plan-complete"])?;
    say("✓ plan complete: 2 milestones, 4 tasks".into());
    Ok(())
}

/// `tmux-ide -C <project> ARGS`; its stdout, or its first error line.
fn tmux_ide(opts: &SimOptions, args: &[&str]) -> Result<String> {
    let out = Command::new(&opts.exe)
        .arg("-C")
        .arg(&opts.project)
        .args(args)
        .output()
        .map_err(|e| Error::io(&opts.exe, e))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let first = err.lines().next().unwrap_or("failed");
    Err(Error::failed(format!("`tmux-ide {}` failed: {first}", args.first().unwrap_or(&""))))
}

/// The title on one line, cut to about 60 characters.
fn short(title: &str) -> String {
    let flat: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_names_the_specialties() {
        assert_eq!(
            parse_plan("TMUX-IDE-PLAN: backend frontend"),
            Some(vec!["backend".into(), "frontend".into()])
        );
        assert_eq!(parse_plan("TMUX-IDE-PLAN:"), Some(vec![]));
        assert_eq!(parse_plan("TMUX-IDE-TASK: 001"), None);
    }

    #[test]
    fn the_simulated_plan_covers_every_assertion_in_two_milestones() {
        let ids: Vec<String> = ["VAL-A-001", "VAL-A-002", "VAL-B-001"].map(String::from).to_vec();
        let specialties = ["backend", "frontend", "research"].map(String::from);
        let plan = design("Todo app", &ids, &specialties);
        for id in &ids {
            assert!(plan.iter().any(|t| t.fulfills.contains(id)), "{id} uncovered");
        }
        assert!(
            plan.iter().any(|t| t.milestone == "M1") && plan.iter().any(|t| t.milestone == "M2")
        );
        assert!(plan.iter().all(|t| t.specialty.as_deref() != Some("research")));
        assert_eq!(plan[2].specialty.as_deref(), Some("frontend"));
        assert!(plan.iter().enumerate().all(|(i, t)| t.depends.iter().all(|d| *d < i)));
        // Without specialties the tasks have none.
        assert!(design("x", &ids, &[]).iter().all(|t| t.specialty.is_none()));
        assert!(contract_for("x").contains("- **VAL-CORE-001**: "));
    }
}
