//! Unit and property tests of the research triggers: each trigger, cooldowns, one open
//! research task at a time, and the idle-worker rule.
use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::config::research::TriggerConfig;
use crate::orchestrator::lookout::Lookout;
use crate::plan::{Event, EventKind, Milestone, Mission};

fn t0() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn plan(done_in_m1: usize) -> Plan {
    let mut plan = Plan {
        mission: Some(Mission {
            title: "Goal".into(),
            description: String::new(),
            status: MissionStatus::Active,
            created: t0(),
            activated: Some(t0()),
            completed: None,
        }),
        ..Plan::default()
    };
    plan.milestones.push(Milestone {
        id: "M1".into(),
        title: "One".into(),
        sequence: 1,
        description: String::new(),
        status: MilestoneStatus::Active,
        created: t0(),
        validation: None,
    });
    for i in 0..6 {
        let mut t = Task::new(format!("{:03}", i + 1), format!("Task {i}"), t0());
        t.milestone = Some("M1".into());
        if i < done_in_m1 {
            t.status = TaskStatus::Done;
        }
        plan.tasks.push(t);
    }
    plan
}

fn pane(id: &str, title: &str, role: Role, specialty: Option<&str>) -> PaneView {
    PaneView {
        id: id.into(),
        title: title.into(),
        role,
        specialty: specialty.map(str::to_string),
        state: AgentState::Idle,
        last_output_change: t0(),
        pid: 1,
    }
}

fn team() -> Vec<PaneView> {
    vec![
        pane("%1", "Lead", Role::Lead, None),
        pane("%2", "Backend", Role::Teammate, Some("backend")),
        pane("%3", "Researcher", Role::Researcher, None),
    ]
}

fn config(edit: impl FnOnce(&mut ResearchConfig)) -> ResearchConfig {
    let mut c = ResearchConfig { enabled: true, ..Default::default() };
    edit(&mut c);
    c
}

fn decide_at(
    plan: &Plan,
    panes: &[PaneView],
    config: &ResearchConfig,
    history: &ResearchHistory,
    now: Timestamp,
) -> Option<Research> {
    let taken = HashSet::new();
    match research(&ResearchView { plan, panes, config, history, taken: &taken, now }) {
        Some(Action::Research(r)) => Some(r),
        _ => None,
    }
}

/// The event the orchestrator records when `r` fires.
fn fired(r: &Research, plan: &Plan, now: Timestamp) -> Event {
    let mut e = Event::new(now, EventKind::ResearchTriggered)
        .with("trigger", r.trigger.map_or("", TriggerKind::as_str))
        .with("mission", plan.mission.as_ref().unwrap().created.to_string());
    if let Some(m) = &r.milestone {
        e = e.milestone(m);
    }
    if let Some(d) = r.done {
        e = e.with("done", d);
    }
    e
}

#[test]
fn mission_start_fires_once_per_mission_to_the_researcher() {
    let p = plan(0);
    let c = config(|_| {});
    let mut look = Lookout::default();
    let r = decide_at(&p, &team(), &c, &look.research, t0()).unwrap();
    assert_eq!(r.trigger, Some(TriggerKind::MissionStart));
    assert_eq!((r.pane.as_str(), r.pane_title.as_str()), ("%3", "Researcher"));
    assert!(r.title.starts_with("Research: ") && r.description.contains("research-findings.md"));
    look.absorb(&[fired(&r, &p, t0())]);
    assert_eq!(
        decide_at(&p, &team(), &c, &look.research, t0() + SignedDuration::from_hours(1)),
        None
    );
}

#[test]
fn tasks_done_fires_every_n_and_waits_out_its_cooldown() {
    let c = config(|c| {
        c.mission_start.enabled = Some(false);
        c.tasks_done =
            TriggerConfig { every: Some(2), cooldown: Some(60_000), ..Default::default() };
    });
    let mut look = Lookout::default();
    assert_eq!(decide_at(&plan(1), &team(), &c, &look.research, t0()), None);
    let p = plan(2);
    let r = decide_at(&p, &team(), &c, &look.research, t0()).unwrap();
    assert_eq!(
        (r.trigger, r.done, r.milestone.as_deref()),
        (Some(TriggerKind::TasksDone), Some(2), Some("M1"))
    );
    look.absorb(&[fired(&r, &p, t0())]);
    // Four done: due again, but not within the cooldown.
    let later = |s| t0() + SignedDuration::from_secs(s);
    assert_eq!(decide_at(&plan(4), &team(), &c, &look.research, later(59)), None);
    assert_eq!(decide_at(&plan(3), &team(), &c, &look.research, later(600)), None);
    let again = decide_at(&plan(4), &team(), &c, &look.research, later(60)).unwrap();
    assert_eq!(again.done, Some(4));
}

#[test]
fn milestone_done_trouble_and_interval_fire_as_configured() {
    let only = |k: TriggerKind| {
        config(|c| {
            for (kind, t) in [
                (TriggerKind::MissionStart, &mut c.mission_start),
                (TriggerKind::MilestoneDone, &mut c.milestone_done),
                (TriggerKind::Trouble, &mut c.trouble),
                (TriggerKind::TasksDone, &mut c.tasks_done),
                (TriggerKind::Interval, &mut c.interval),
            ] {
                t.enabled = Some(kind == k);
            }
        })
    };
    let mut p = plan(6);
    p.milestones[0].status = MilestoneStatus::Done;
    let r = decide_at(&p, &team(), &only(TriggerKind::MilestoneDone), &Default::default(), t0());
    assert_eq!(r.unwrap().milestone.as_deref(), Some("M1"));

    let c = only(TriggerKind::Trouble);
    let mut look = Lookout::default();
    let stall = |s: i64| Event::new(t0() + SignedDuration::from_secs(s), EventKind::StallDetected);
    look.absorb(&[stall(0), stall(100)]);
    let now = t0() + SignedDuration::from_secs(200);
    assert_eq!(decide_at(&plan(0), &team(), &c, &look.research, now), None, "2 of 3");
    look.absorb(&[stall(150)]);
    assert!(decide_at(&plan(0), &team(), &c, &look.research, now).is_some());
    // Outside the 10 min window they do not count.
    assert_eq!(
        decide_at(&plan(0), &team(), &c, &look.research, now + SignedDuration::from_mins(10)),
        None
    );

    let c = only(TriggerKind::Interval);
    let h = ResearchHistory::default();
    assert_eq!(decide_at(&plan(0), &team(), &c, &h, t0() + SignedDuration::from_mins(29)), None);
    assert!(decide_at(&plan(0), &team(), &c, &h, t0() + SignedDuration::from_mins(30)).is_some());
}

#[test]
fn research_waits_for_the_open_research_task_and_hands_a_stranded_one_out_again() {
    let c = config(|_| {});
    let mut p = plan(0);
    let mut r = Task::new("007", "Research: x", t0());
    r.specialty = Some(RESEARCH.into());
    r.status = TaskStatus::InProgress;
    r.assignee = Some("Researcher".into());
    p.tasks.push(r);
    let mut panes = team();
    panes.push(pane("%4", "R2", Role::Researcher, None));
    assert_eq!(decide_at(&p, &panes, &c, &Default::default(), t0()), None);
    // Handed back (its pane restarted): it goes out again, no new one is made.
    p.tasks[6].status = TaskStatus::Todo;
    p.tasks[6].assignee = None;
    let again = decide_at(&p, &panes, &c, &Default::default(), t0()).unwrap();
    assert_eq!((again.task.as_deref(), again.trigger), (Some("007"), None));
}

#[test]
fn research_never_takes_the_last_idle_worker_nor_a_busy_or_taken_researcher() {
    let c = config(|_| {});
    let h = ResearchHistory::default();
    let p = plan(0);
    // No researcher: one idle generalist is the last idle worker.
    let one = [pane("%1", "Lead", Role::Lead, None), pane("%2", "Dev", Role::Teammate, None)];
    assert_eq!(decide_at(&p, &one, &c, &h, t0()), None);
    // Two idle workers: the generalist may go.
    let mut two = one.to_vec();
    two.push(pane("%5", "Backend", Role::Teammate, Some("backend")));
    assert_eq!(decide_at(&p, &two, &c, &h, t0()).unwrap().pane_title, "Dev");
    // A specialist never goes; the validator and the lead never do.
    let specialists = [
        pane("%2", "Backend", Role::Teammate, Some("backend")),
        pane("%5", "Frontend", Role::Teammate, Some("frontend")),
        pane("%6", "Validator", Role::Validator, None),
    ];
    assert_eq!(decide_at(&p, &specialists, &c, &h, t0()), None);
    // A researcher this tick's dispatch took, or a busy one, is not free.
    let taken: HashSet<String> = ["%3".to_string()].into();
    let panes = team();
    let view =
        ResearchView { plan: &p, panes: &panes, config: &c, history: &h, taken: &taken, now: t0() };
    assert_eq!(research(&view), None);
    let mut busy = team();
    busy[2].state = AgentState::Busy;
    assert_eq!(decide_at(&p, &busy, &c, &h, t0()), None);
    // Disabled, or the mission not active: nothing.
    assert_eq!(decide_at(&p, &team(), &ResearchConfig::default(), &h, t0()), None);
    let mut planning = plan(0);
    planning.mission.as_mut().unwrap().status = MissionStatus::Planning;
    assert_eq!(decide_at(&planning, &team(), &c, &h, t0()), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A simulated mission: at each step time passes, tasks get done, stalls happen, and
    /// the research task (if any) finishes or not. Whatever happens, a trigger never
    /// fires within its cooldown, and a research task never starts while one is open.
    #[test]
    fn cooldowns_hold_and_one_research_task_is_open_at_most(
        steps in proptest::collection::vec((0u64..400, 0usize..3, any::<bool>(), any::<bool>()), 1..60),
        cooldown in 0u64..900_000,
        every in 1u64..4,
    ) {
        let c = config(|c| {
            c.tasks_done = TriggerConfig { every: Some(every), cooldown: Some(cooldown), ..Default::default() };
            c.trouble = TriggerConfig { count: Some(2), cooldown: Some(cooldown), ..Default::default() };
            c.interval = TriggerConfig { enabled: Some(true), every: Some(300_000), cooldown: Some(cooldown), ..Default::default() };
        });
        let mut p = plan(0);
        for t in &mut p.tasks { t.status = TaskStatus::Todo; }
        let mut look = Lookout::default();
        let mut now = t0();
        let mut fires: Vec<(TriggerKind, Timestamp)> = Vec::new();
        for (secs, done, stall, finish) in steps {
            now += SignedDuration::from_secs(secs as i64);
            for t in p.tasks.iter_mut().filter(|t| !is_research(t) && t.status == TaskStatus::Todo).take(done) {
                t.status = TaskStatus::Done;
            }
            if stall {
                look.absorb(&[Event::new(now, EventKind::StallDetected)]);
            }
            if finish {
                for t in p.tasks.iter_mut().filter(|t| is_research(t)) { t.status = TaskStatus::Done; }
            }
            let open_before = open_research(&p).len();
            let Some(r) = decide_at(&p, &team(), &c, &look.research, now) else { continue };
            prop_assert_eq!(open_before, 0, "research started while one was open");
            let kind = r.trigger.unwrap();
            let cd = SignedDuration::from_millis(c.trigger(kind).cooldown as i64);
            if let Some((_, last)) = fires.iter().rev().find(|(k, _)| *k == kind) {
                prop_assert!(now.duration_since(*last) >= cd, "{:?} fired within its cooldown", kind);
            }
            fires.push((kind, now));
            look.absorb(&[fired(&r, &p, now)]);
            let mut task = Task::new(format!("{}", 100 + fires.len()), r.title.clone(), now);
            task.specialty = Some(RESEARCH.into());
            task.status = TaskStatus::InProgress;
            task.assignee = Some(r.pane_title.clone());
            p.tasks.push(task);
            prop_assert!(open_research(&p).len() <= 1);
        }
    }
}
