//! Criterion benchmarks of the reports over a large event log: `metrics` (and the agents
//! view, and the log parse) over 100,000 events of a 10,000-task mission.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use tmux_ide::plan::eventlog;
use tmux_ide::plan::{
    Event, EventKind, Milestone, MilestoneStatus, Mission, MissionStatus, Plan, Task, TaskStatus,
    task_id,
};
use tmux_ide::report::{agents, metrics};

const TASKS: u32 = 10_000;
const PANES: [&str; 4] = ["Frontend", "Backend", "Researcher", "Helper"];

fn at(start: Timestamp, secs: i64) -> Timestamp {
    start.checked_add(SignedDuration::from_secs(secs)).expect("in range")
}

/// A mission of 10,000 tasks in 10 milestones and its 100,000-event log.
fn mission() -> (Plan, Vec<Event>) {
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
    let mut plan = Plan {
        mission: Some(Mission {
            title: "Big".into(),
            description: String::new(),
            status: MissionStatus::Active,
            created: t0,
            activated: Some(t0),
            completed: None,
        }),
        ..Plan::default()
    };
    for m in 1..=10 {
        plan.milestones.push(Milestone {
            id: format!("M{m}"),
            title: format!("Milestone {m}"),
            sequence: m,
            description: String::new(),
            status: if m < 10 { MilestoneStatus::Done } else { MilestoneStatus::Active },
            created: t0,
            validation: None,
        });
    }
    let mut events = Vec::with_capacity(100_000);
    for n in 1..=TASKS {
        let id = task_id(n);
        let pane = PANES[n as usize % PANES.len()];
        let start = at(t0, i64::from(n) * 60);
        let end = at(start, 45 + i64::from(n % 7) * 30);
        let done = n <= TASKS - 100;
        let ms = format!("M{}", (n - 1) / 1000 + 1);
        plan.tasks.push(Task {
            milestone: Some(ms.clone()),
            specialty: Some("backend".into()),
            priority: (n % 9 + 1) as u8,
            assignee: Some(pane.into()),
            status: if done { TaskStatus::Done } else { TaskStatus::Todo },
            started: done.then_some(start),
            finished: done.then_some(end),
            ..Task::new(id.clone(), format!("Task {n}"), t0)
        });
        let e = |ts, kind: EventKind| Event::new(ts, kind).task(id.clone());
        events.push(e(t0, EventKind::TaskCreated).milestone(ms.clone()));
        events.push(e(start, EventKind::TaskDispatched).pane(pane).with("pane_id", "%1"));
        events.push(e(start, EventKind::PromptDelivered).pane(pane).with("pane_id", "%1"));
        events.push(Event::new(start, EventKind::AgentState).pane(pane).with("state", "busy"));
        events.push(e(start, EventKind::TaskClaimed).pane(pane));
        events.push(e(start, EventKind::TaskUpdated));
        if done {
            events.push(e(end, EventKind::TaskDone).pane(pane));
            events.push(Event::new(end, EventKind::AgentState).pane(pane).with("state", "idle"));
        }
        if n % 1000 == 0 {
            events.push(
                Event::new(end, EventKind::MilestoneValidating)
                    .milestone(ms.clone())
                    .with("round", 1),
            );
            events.push(Event::new(end, EventKind::MilestoneDone).milestone(ms));
        }
    }
    while events.len() < 100_000 {
        let ts = events.last().map_or(t0, |e| e.ts);
        events.push(Event::new(ts, EventKind::AgentState).pane("Helper").with("state", "idle"));
    }
    events.truncate(100_000);
    (plan, events)
}

fn reports(c: &mut Criterion) {
    let (plan, events) = mission();
    assert_eq!(events.len(), 100_000);
    let now = events.last().map(|e| e.ts).expect("events");
    let text: String =
        events.iter().map(|e| serde_json::to_string(e).expect("serialize") + "\n").collect();
    c.bench_function("metrics over 100k events", |b| {
        b.iter(|| metrics::metrics(black_box(&plan), black_box(&events), 4, now));
    });
    c.bench_function("metrics agents over 100k events", |b| {
        b.iter(|| agents::agents(black_box(&plan), black_box(&events), &[], now));
    });
    c.bench_function("parse 100k-event log", |b| {
        b.iter(|| eventlog::parse_event_log(black_box(&text)));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = reports
}
criterion_main!(benches);
