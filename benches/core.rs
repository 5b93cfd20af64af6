//! Criterion benchmarks of the pure core: one `decide` over a large mission (10,000 tasks
//! in 20 milestones, 50 panes), mid-milestone and at a milestone's end. Target: ≤ 1 ms.
use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use tmux_ide::orchestrator::{
    AgentState, ContractAssertion, PaneView, Role, Settings, World, decide,
};
use tmux_ide::plan::{
    Milestone, MilestoneStatus, Mission, MissionStatus, Plan, Task, TaskStatus, task_id,
};

const TASKS: u32 = 10_000;
const MILESTONES: u32 = 20;
const PANES: u32 = 50;
const ASSERTIONS: u32 = 400;
const SPECIALTIES: [Option<&str>; 4] = [None, Some("frontend"), Some("backend"), Some("research")];

struct Fixture {
    plan: Plan,
    contract: Vec<ContractAssertion>,
    panes: Vec<PaneView>,
    settings: Settings,
    now: Timestamp,
    reported: HashSet<String>,
}

/// Milestones before `active` are done, `active` is active, the rest locked. In the active
/// milestone a third of the tasks are done, a few in progress, the rest todo with
/// dependencies on earlier tasks; `finished` makes every task of it done instead.
fn fixture(active: u32, finished: bool) -> Fixture {
    let now: Timestamp = "2026-03-01T12:00:00Z".parse().expect("valid timestamp");
    let per = TASKS / MILESTONES;
    let milestones = (1..=MILESTONES)
        .map(|seq| Milestone {
            id: format!("M{seq}"),
            title: format!("Milestone {seq}"),
            sequence: seq,
            description: String::new(),
            status: match seq.cmp(&active) {
                std::cmp::Ordering::Less => MilestoneStatus::Done,
                std::cmp::Ordering::Equal => MilestoneStatus::Active,
                std::cmp::Ordering::Greater => MilestoneStatus::Locked,
            },
            created: now,
            validation: None,
        })
        .collect();
    let mut in_progress = 0;
    let tasks = (1..=TASKS)
        .map(|n| {
            let seq = (n - 1) / per + 1;
            let status = match (seq.cmp(&active), n % 3) {
                (std::cmp::Ordering::Less, _) => TaskStatus::Done,
                (std::cmp::Ordering::Greater, _) => TaskStatus::Todo,
                _ if finished => TaskStatus::Done,
                (_, 0) => TaskStatus::Done,
                (_, 1) if in_progress < 20 => {
                    in_progress += 1;
                    TaskStatus::InProgress
                }
                _ => TaskStatus::Todo,
            };
            Task {
                milestone: Some(format!("M{seq}")),
                specialty: SPECIALTIES[(n % 4) as usize].map(str::to_string),
                priority: (n % 9 + 1) as u8,
                depends: deps(n),
                fulfills: vec![format!("VAL-B-{:03}", n % ASSERTIONS)],
                assignee: (status == TaskStatus::InProgress).then(|| format!("agent-{}", n % 20)),
                status,
                ..Task::new(task_id(n), format!("Task {n}"), now)
            }
        })
        .collect();
    let panes = (0..PANES)
        .map(|n| PaneView {
            id: format!("%{n}"),
            title: format!("agent-{n}"),
            role: match n {
                0 => Role::Lead,
                1 => Role::Validator,
                2 => Role::Shell,
                n if n % 5 == 0 => Role::Researcher,
                _ => Role::Teammate,
            },
            specialty: SPECIALTIES[(n % 3) as usize].map(str::to_string),
            state: if n % 4 == 3 { AgentState::Busy } else { AgentState::Idle },
            last_output_change: now - SignedDuration::from_secs(i64::from(n) * 10),
            pid: 1000 + n,
        })
        .collect();
    let contract = (0..ASSERTIONS)
        .map(|n| ContractAssertion {
            id: format!("VAL-B-{n:03}"),
            text: format!("Thing {n} works"),
        })
        .collect();
    let plan = Plan {
        mission: Some(Mission {
            title: "Bench".to_string(),
            description: String::new(),
            status: MissionStatus::Active,
            created: now,
            activated: Some(now),
            completed: None,
        }),
        milestones,
        tasks,
        ..Plan::default()
    };
    Fixture { plan, contract, panes, settings: Settings::default(), now, reported: HashSet::new() }
}

/// A task depends on the nearest lower multiple of 3 (a done task in the active
/// milestone); one in nine also on its todo predecessor, so it is not ready.
fn deps(n: u32) -> Vec<String> {
    let mut deps = Vec::new();
    if !n.is_multiple_of(3) && n > 3 {
        deps.push(task_id(n - n % 3));
    }
    if n % 9 == 8 {
        deps.push(task_id(n - 1));
    }
    deps
}

impl Fixture {
    fn world(&self) -> World<'_> {
        World {
            plan: &self.plan,
            contract: &self.contract,
            panes: &self.panes,
            now: self.now,
            settings: &self.settings,
            stalls_reported: &self.reported,
            exited_reported: &self.reported,
            budget: &tmux_ide::orchestrator::world::NO_BUDGET,
        }
    }
}

fn bench_decide(c: &mut Criterion) {
    let mid = fixture(11, false);
    let actions = decide(&mid.world());
    assert!(actions.len() > 10, "the mid-milestone fixture dispatches work: {actions:?}");
    c.bench_function("decide/10k_tasks_20_milestones_50_panes/dispatch", |b| {
        b.iter(|| decide(black_box(&mid.world())));
    });
    let end = fixture(11, true);
    assert!(!decide(&end.world()).is_empty(), "the finished milestone goes to validation");
    c.bench_function("decide/10k_tasks_20_milestones_50_panes/start_validation", |b| {
        b.iter(|| decide(black_box(&end.world())));
    });
}

criterion_group!(benches, bench_decide);
criterion_main!(benches);
