//! Which questions the orchestrator answers: only the pane's own reporting commands.
use super::*;
use crate::orchestrator::tests::{TaskExt, milestone, pane, task};
use crate::orchestrator::world::Role;
use crate::plan::ValidationRound;

fn plan() -> Plan {
    let mut m2 = milestone(2, MilestoneStatus::Validating);
    m2.validation = Some(ValidationRound {
        round: 1,
        started: crate::orchestrator::tests::now(),
        seq: None,
        pane: Some("validator-3".into()),
        assertions: vec!["VAL-A-001".into()],
        dispatched_to: None,
    });
    Plan {
        milestones: vec![milestone(1, MilestoneStatus::Active), m2],
        tasks: vec![
            task("001", "M1").working("teammate-1"),
            task("002", "M1").working("teammate-2"),
            task("004", "M1").done_by("teammate-1"),
            task("005", "M1").done_by("teammate-2"),
        ],
        ..Plan::default()
    }
}

fn ask(command: &str) -> ApprovalRequest {
    ApprovalRequest { question: "Run shell command?", command: command.to_string() }
}

fn decide_one(p: &PaneView, command: &str, auto: bool) -> Vec<Action> {
    let request = ask(command);
    approvals(
        &plan(),
        &[Question { pane: p, request: &request, auto_approve: auto, handled: false }],
    )
}

fn approved(actions: &[Action]) -> bool {
    matches!(actions, [Action::Approve { .. }])
}

#[test]
fn a_pane_may_report_its_own_task_and_nothing_else() {
    let one = pane(1, Role::Teammate, None);
    let done = "tmux-ide task done 001 --proof 'ok' --summary 'done'";
    let got = decide_one(&one, done, true);
    assert!(
        matches!(&got[..], [Action::Approve { task: Some(t), pane, .. }] if t == "001" && pane == "%1"),
        "{got:?}"
    );
    assert!(approved(&decide_one(&one, "tmux-ide agent idle", true)));
    // Another pane's task, a task not in progress, someone else's validation.
    assert!(!approved(&decide_one(&one, "tmux-ide task done 002 --proof x", true)));
    assert!(!approved(&decide_one(&one, "tmux-ide task done 003 --proof x", true)));
    // Its own task already reported (Aider then asks about adding the output).
    let got = decide_one(&one, "tmux-ide task done 004 --proof x", true);
    assert!(approved(&got), "{got:?}");
    assert!(!approved(&decide_one(&one, "tmux-ide task done 005 --proof x", true)));
    let assert = "tmux-ide validate assert VAL-A-001 --status passing --evidence ok";
    assert!(!approved(&decide_one(&one, assert, true)));
    let validator = pane(3, Role::Validator, None);
    assert!(approved(&decide_one(&validator, assert, true)));
    let other = "tmux-ide validate assert VAL-B-009 --status passing --evidence ok";
    assert!(!approved(&decide_one(&validator, other, true)));
}

#[test]
fn anything_else_is_left_to_a_person_and_the_lead_is_told() {
    let one = pane(1, Role::Teammate, None);
    let got = decide_one(&one, "rm -rf ~; tmux-ide task done 001", true);
    assert!(
        matches!(&got[..], [Action::ApprovalNeeded { command, .. }, Action::NotifyLead { text }]
            if command.starts_with("rm -rf") && text.contains("teammate-1") && text.contains("rm -rf ~")),
        "{got:?}"
    );
    let opted_out = decide_one(&one, "tmux-ide task done 001 --proof x", false);
    assert!(matches!(&opted_out[..], [Action::ApprovalNeeded { .. }, Action::NotifyLead { .. }]));
}

#[test]
fn a_question_already_handled_gets_nothing_more() {
    let one = pane(1, Role::Teammate, None);
    for command in ["tmux-ide task done 001 --proof x", "make deploy"] {
        let request = ask(command);
        let q = Question { pane: &one, request: &request, auto_approve: true, handled: true };
        assert!(approvals(&plan(), &[q]).is_empty(), "{command}");
    }
}

#[test]
fn the_validators_last_report_is_its_own_after_it_passed_the_milestone() {
    // Seen with real Aider: `Add command output to the chat?` about the round's last
    // `validate assert`, asked once the milestone is done.
    let mut done = plan();
    done.milestones[1].status = MilestoneStatus::Done;
    let validator = pane(3, Role::Validator, None);
    let request = ask("tmux-ide validate assert VAL-A-001 --status passing --evidence ok");
    let q = Question { pane: &validator, request: &request, auto_approve: true, handled: false };
    assert!(approved(&approvals(&done, std::slice::from_ref(&q))));
    let worker = pane(1, Role::Teammate, None);
    let q = Question { pane: &worker, ..q };
    assert!(!approved(&approvals(&done, &[q])), "only the round's own validator");
}
