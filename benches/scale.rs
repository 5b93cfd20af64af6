//! Criterion benchmarks of what must stay flat as a team grows: the control-mode parser
//! over a burst of `%output` lines, choosing which of 100 panes a tick reads, and the
//! `orch` view over 100,000 chained tasks (quadratic before the task index).
use std::collections::{HashMap, HashSet};
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use tmux_ide::orchestrator::watch::{Candidate, News, to_capture};
use tmux_ide::plan::rules::ready_tasks;
use tmux_ide::plan::{Milestone, MilestoneStatus, Plan, Task};
use tmux_ide::report::orch::{OrchInput, orch};
use tmux_ide::tmux::control::Parser;

/// 100,000 todo tasks in 10 milestones (M1 active), each depending on the one before it.
fn chained(tasks: u32) -> Plan {
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
    let mut plan = Plan::default();
    for m in 1..=10 {
        plan.milestones.push(Milestone {
            id: format!("M{m}"),
            title: format!("Milestone {m}"),
            sequence: m,
            description: String::new(),
            status: if m == 1 { MilestoneStatus::Active } else { MilestoneStatus::Locked },
            created: t0,
            validation: None,
        });
    }
    let per = tasks / 10;
    for n in 1..=tasks {
        let mut t = Task::new(n.to_string(), format!("Task {n}"), t0);
        t.milestone = Some(format!("M{}", (n - 1) / per + 1));
        t.priority = (n % 9 + 1) as u8;
        if (n - 1) % per != 0 {
            t.depends = vec![(n - 1).to_string()];
        }
        plan.tasks.push(t);
    }
    plan
}

fn benches(c: &mut Criterion) {
    let lines: Vec<Vec<u8>> = (0..10_000)
        .map(|i| {
            format!("%output %{} \\033[1m● working on task {i} …\\015\\012", i % 100).into_bytes()
        })
        .collect();
    c.bench_function("control parser, 10,000 %output lines", |b| {
        b.iter(|| {
            let mut p = Parser::new();
            for l in &lines {
                black_box(p.line(l));
            }
        });
    });

    let ids: Vec<String> = (0..100).map(|i| format!("%{i}")).collect();
    let cands: Vec<Candidate> = ids.iter().map(|id| Candidate { id, pid: 7 }).collect();
    let read: HashMap<String, u32> = ids.iter().map(|id| (id.clone(), 7)).collect();
    let changed: HashSet<String> = ids.iter().take(3).cloned().collect();
    c.bench_function("panes to read, 100 panes, 3 changed", |b| {
        b.iter(|| {
            to_capture(black_box(&cands), &read, News { changed: Some(&changed), sweep: false })
        });
    });

    let plan = chained(100_000);
    let now: Timestamp = "2026-01-02T00:00:00Z".parse().expect("time");
    c.bench_function("ready queue, 100,000 chained tasks", |b| {
        b.iter(|| ready_tasks(black_box(&plan)));
    });
    c.bench_function("orch view, 100,000 chained tasks", |b| {
        b.iter(|| orch(black_box(&plan), &[], &[], &OrchInput::default(), now));
    });
}

criterion_group! {
    name = scale;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(scale);
