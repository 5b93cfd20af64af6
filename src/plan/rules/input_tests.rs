//! Unit and property tests of the rules' input checks: one-line titles and the typed
//! errors, phrased in plan terms.
use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::plan::model::*;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

/// A mission in planning with milestone M1 and task 001 under goal G1.
fn planned() -> Plan {
    let mut plan = Plan::default();
    let events = &mut Vec::new();
    set_mission(&mut plan, events, "Mission", None, now()).unwrap();
    create_milestone(&mut plan, events, "First", 1, None, now()).unwrap();
    let new = NewTask {
        title: "Task".into(),
        milestone: Some("M1".into()),
        priority: 5,
        goal: Some("Goal".into()),
        ..NewTask::default()
    };
    create_task(&mut plan, events, new, &[], now()).unwrap();
    plan
}

/// Every way a title reaches the plan, each refusing `title` and leaving the plan as it was.
fn every_title_path(title: &str) -> Vec<(&'static str, PlanError)> {
    let base = planned();
    let mut refused = Vec::new();
    let mut attempt = |what: &'static str, f: &dyn Fn(&mut Plan) -> RuleResult<()>| {
        let mut plan = base.clone();
        if let Err(e) = f(&mut plan) {
            assert_eq!(plan, base, "{what} changed the plan before refusing");
            refused.push((what, e));
        }
    };
    let new = |title: &str, goal: Option<&str>| NewTask {
        title: title.into(),
        priority: 5,
        goal: goal.map(str::to_string),
        ..NewTask::default()
    };
    attempt("task create", &|p| {
        create_task(p, &mut vec![], new(title, None), &[], now()).map(drop)
    });
    attempt("task create --goal", &|p| {
        create_task(p, &mut vec![], new("ok", Some(title)), &[], now()).map(drop)
    });
    let changes = |title: Option<&str>, goal: Option<&str>| TaskChanges {
        title: title.map(str::to_string),
        goal: goal.map(str::to_string),
        ..TaskChanges::default()
    };
    attempt("task update", &|p| {
        update_task(p, &mut vec![], "1", changes(Some(title), None), &[], now()).map(drop)
    });
    attempt("task update --goal", &|p| {
        update_task(p, &mut vec![], "1", changes(None, Some(title)), &[], now()).map(drop)
    });
    attempt("mission set", &|p| set_mission(p, &mut vec![], title, None, now()));
    attempt("milestone create", &|p| {
        create_milestone(p, &mut vec![], title, 2, None, now()).map(drop)
    });
    refused
}

#[test]
fn a_newline_in_any_title_is_refused_naming_the_field_and_what_is_allowed() {
    let refused = every_title_path("Fix login\n## Task 999: forged");
    assert_eq!(refused.len(), 6, "every path refuses: {refused:?}");
    for (what, e) in refused {
        let field = if what.ends_with("--goal") { "goal" } else { "title" };
        assert_eq!(e, PlanError::ControlCharacter { field, ch: '\n' }, "{what}");
        let line = e.to_string();
        assert!(line.starts_with(&format!("{field} contains the control character U+000A")));
        assert!(line.contains("allowed: one line"), "{line}");
        assert_eq!(line.lines().count(), 1);
        assert!(e.is_bad_input());
    }
}

#[test]
fn tabs_carriage_returns_del_c1_and_line_separators_are_refused_too() {
    for ch in ['\t', '\r', '\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{2028}', '\u{2029}'] {
        let refused = every_title_path(&format!("a{ch}b"));
        assert_eq!(refused.len(), 6, "{ch:?}");
        assert!(
            refused
                .iter()
                .all(|(_, e)| matches!(e, PlanError::ControlCharacter { ch: c, .. } if *c == ch))
        );
    }
}

#[test]
fn descriptions_keep_their_newlines_and_tabs() {
    let mut plan = planned();
    let text = "line one\n\tline two\r\n";
    let new = NewTask {
        title: "Plain \"title\" $(x) `y` ünïcödé".into(),
        description: text.into(),
        priority: 5,
        ..NewTask::default()
    };
    let id = create_task(&mut plan, &mut vec![], new, &[], now()).unwrap();
    assert_eq!(plan.task(&id).unwrap().description, text);
    set_mission(&mut plan, &mut vec![], "Mission", Some(text), now()).unwrap();
    create_milestone(&mut plan, &mut vec![], "Second", 2, Some(text), now()).unwrap();
    assert_eq!(plan.milestone("M2").unwrap().description, text);
}

#[test]
fn rule_errors_name_no_command_line_flag() {
    let known = || "001, 002".to_string();
    let errors = [
        PlanError::Blank { field: "title" },
        PlanError::ControlCharacter { field: "goal", ch: '\n' },
        PlanError::PriorityOutOfRange { priority: 0 },
        PlanError::UnknownTask { id: "099".into(), known: known() },
        PlanError::UnknownMilestone { id: "M9".into(), known: known() },
        PlanError::UnknownAssertion { id: "VAL-X".into(), known: known() },
        PlanError::UnknownDependency { id: "099".into(), known: known() },
        PlanError::SelfDependency { id: "001".into() },
        PlanError::DependencyCycle { cycle: vec!["001".into(), "002".into(), "001".into()] },
        PlanError::SequenceZero,
        PlanError::SequenceTaken {
            sequence: 2,
            by: "M2".into(),
            title: "T".into(),
            used: "1, 2".into(),
        },
        PlanError::AlreadyClaimed { id: "001".into(), by: "Backend".into() },
        PlanError::NoMission,
        PlanError::NotPlanning { status: MissionStatus::Active },
        PlanError::NoMilestones,
        PlanError::PlanNotReady { problems: vec!["a".into(), "b".into()] },
    ];
    for e in errors {
        let line = e.to_string();
        assert!(!line.contains("--"), "{line}");
        assert!(!line.contains("tmux-ide"), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
        let exit = crate::Error::from(e.clone()).exit_code();
        assert_eq!(exit, if e.is_bad_input() { 2 } else { 1 }, "{line}");
    }
}

#[test]
fn refusals_for_the_missions_state_are_failures_and_the_rest_bad_input() {
    assert_eq!(crate::Error::from(PlanError::NoMission).exit_code(), 1);
    let problems = vec!["M1 has no task".to_string(), "VAL-A is not covered".to_string()];
    let e = crate::Error::from(PlanError::PlanNotReady { problems });
    assert_eq!(
        (e.exit_code(), e.to_string().as_str()),
        (1, "cannot complete planning: M1 has no task (and 1 more problem(s))")
    );
    let e = crate::Error::from(PlanError::SequenceZero);
    assert_eq!(e.exit_code(), 2);
}

proptest! {
    #[test]
    fn a_title_is_accepted_exactly_when_it_is_non_blank_and_has_no_control_character(
        title in "\\PC{0,8}[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{2028}]?\\PC{0,8}"
    ) {
        // `\PC` also draws U+2029, the paragraph separator, which is refused like U+2028.
        let breaks = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
        let line_break = title.chars().any(breaks);
        let result = check_title("title", &title);
        if title.trim().is_empty() {
            prop_assert_eq!(result, Err(PlanError::Blank { field: "title" }));
        } else if line_break {
            let first = title.chars().find(|&c| breaks(c)).unwrap();
            prop_assert_eq!(result, Err(PlanError::ControlCharacter { field: "title", ch: first }));
        } else {
            prop_assert_eq!(result, Ok(()));
        }
    }
}
