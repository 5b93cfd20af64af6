//! Planning dispatch: while the mission is `planning` and has no milestone yet, the lead
//! pane (the `master_pane`, else the pane with role `lead`) gets one planning prompt per
//! mission. "Sent" comes from the event log (`planning_dispatched` naming the mission's
//! creation time), so a restarted orchestrator does not send it again.
use std::collections::HashSet;

use super::Action;
use crate::orchestrator::world::{AgentState, DispatchMode, PaneView, Role};
use crate::plan::{MissionStatus, Plan};

/// What the planning decision looks at.
#[derive(Debug, Clone, Copy)]
pub struct PlanningView<'a> {
    pub plan: &'a Plan,
    pub mode: DispatchMode,
    pub panes: &'a [PaneView],
    /// `orchestrator.master_pane`, when ide.yml names one.
    pub master_pane: Option<&'a str>,
    /// Keys ([`mission_key`]) of the missions whose planning prompt was already sent.
    pub sent: &'a HashSet<String>,
    /// Ids of the panes that run an agent (not a plain shell or `cat`).
    pub agents: &'a HashSet<String>,
}

/// What tells one mission from the next (a mission archived and set again): its creation
/// time, as the plan records it.
pub fn mission_key(plan: &Plan) -> Option<String> {
    plan.mission.as_ref().map(|m| m.created.to_string())
}

/// The pane that hears notices and plans: the `master_pane`, else the first `lead`.
pub fn lead_pane<'p>(panes: &'p [PaneView], master_pane: Option<&str>) -> Option<&'p PaneView> {
    master_pane
        .and_then(|m| panes.iter().find(|p| p.title == m))
        .or_else(|| panes.iter().find(|p| p.role == Role::Lead))
}

/// `Action::Plan` for the lead pane, when the mission needs planning, the prompt was not
/// sent for it yet, and the lead's agent is at its prompt (or runs an agent the observer
/// cannot read: lead panes are not captured, so a lead without self-reports is `unknown`).
pub fn planning(view: &PlanningView) -> Option<Action> {
    if view.mode != DispatchMode::Missions {
        return None;
    }
    let mission = view.plan.mission.as_ref()?;
    if mission.status != MissionStatus::Planning || !view.plan.milestones.is_empty() {
        return None;
    }
    if view.sent.contains(&mission_key(view.plan)?) {
        return None;
    }
    let lead = lead_pane(view.panes, view.master_pane)?;
    let ready = match lead.state {
        AgentState::Idle => true,
        AgentState::Unknown => view.agents.contains(&lead.id),
        _ => false,
    };
    ready.then(|| Action::Plan { pane: lead.id.clone(), pane_title: lead.title.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Milestone, Mission};
    use jiff::Timestamp;

    fn plan(status: MissionStatus) -> Plan {
        Plan {
            mission: Some(Mission {
                title: "Goal".into(),
                description: String::new(),
                status,
                created: Timestamp::from_second(1_700_000_000).unwrap(),
                activated: None,
                completed: None,
            }),
            ..Plan::default()
        }
    }

    fn pane(id: &str, title: &str, role: Role, state: AgentState) -> PaneView {
        PaneView {
            id: id.into(),
            title: title.into(),
            role,
            specialty: None,
            state,
            last_output_change: Timestamp::UNIX_EPOCH,
            pid: 1,
        }
    }

    fn decide(
        plan: &Plan,
        panes: &[PaneView],
        master: Option<&str>,
        sent: &[&str],
    ) -> Option<Action> {
        let sent: HashSet<String> = sent.iter().map(|s| s.to_string()).collect();
        let agents: HashSet<String> = panes.iter().map(|p| p.id.clone()).collect();
        planning(&PlanningView {
            plan,
            mode: DispatchMode::Missions,
            panes,
            master_pane: master,
            sent: &sent,
            agents: &agents,
        })
    }

    #[test]
    fn a_planning_mission_without_milestones_gets_one_prompt_to_the_lead() {
        let p = plan(MissionStatus::Planning);
        let panes = [
            pane("%1", "Worker", Role::Teammate, AgentState::Idle),
            pane("%2", "Lead", Role::Lead, AgentState::Idle),
        ];
        let want = Action::Plan { pane: "%2".into(), pane_title: "Lead".into() };
        assert_eq!(decide(&p, &panes, None, &[]), Some(want));
        // Sent for this mission already (a restart reads it from the log): nothing.
        let key = mission_key(&p).unwrap();
        assert_eq!(decide(&p, &panes, None, &[&key]), None);
        // A key of an earlier mission does not count.
        assert!(decide(&p, &panes, None, &["1970-01-01T00:00:00Z"]).is_some());
    }

    #[test]
    fn the_master_pane_wins_over_the_lead_role() {
        let p = plan(MissionStatus::Planning);
        let panes = [
            pane("%1", "Boss", Role::Teammate, AgentState::Idle),
            pane("%2", "Lead", Role::Lead, AgentState::Idle),
        ];
        let got = decide(&p, &panes, Some("Boss"), &[]);
        assert_eq!(got, Some(Action::Plan { pane: "%1".into(), pane_title: "Boss".into() }));
    }

    #[test]
    fn no_prompt_once_planned_active_busy_or_without_a_lead() {
        let lead = [pane("%2", "Lead", Role::Lead, AgentState::Idle)];
        let mut with_milestone = plan(MissionStatus::Planning);
        with_milestone.milestones.push(Milestone {
            id: "M1".into(),
            title: "One".into(),
            sequence: 1,
            description: String::new(),
            status: crate::plan::MilestoneStatus::Locked,
            created: Timestamp::UNIX_EPOCH,
            validation: None,
        });
        assert_eq!(decide(&with_milestone, &lead, None, &[]), None);
        assert_eq!(decide(&plan(MissionStatus::Active), &lead, None, &[]), None);
        assert_eq!(decide(&Plan::default(), &lead, None, &[]), None);
        let busy = [pane("%2", "Lead", Role::Lead, AgentState::Busy)];
        assert_eq!(decide(&plan(MissionStatus::Planning), &busy, None, &[]), None);
        let no_lead = [pane("%1", "Worker", Role::Teammate, AgentState::Idle)];
        assert_eq!(decide(&plan(MissionStatus::Planning), &no_lead, None, &[]), None);
        // A lead whose state is unknown gets it only when it runs an agent.
        let unknown = [pane("%2", "Lead", Role::Lead, AgentState::Unknown)];
        let p = plan(MissionStatus::Planning);
        assert!(decide(&p, &unknown, None, &[]).is_some());
        let none = HashSet::new();
        let view = PlanningView {
            plan: &p,
            mode: DispatchMode::Missions,
            panes: &unknown,
            master_pane: None,
            sent: &none,
            agents: &none,
        };
        assert_eq!(planning(&view), None);
        assert_eq!(planning(&PlanningView { mode: DispatchMode::Tasks, ..view }), None);
    }
}
