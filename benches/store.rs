//! Criterion benchmarks of the plan store and rules: 1,000 tasks.
//! coverage, task creation, and the store's (de)serialisation of tasks.json; and the
//! store's writes on disk under its lock: `append_events` (an agent's self-report) on a
//! 2,000-task store and `update` (`task create`) on a 10,000-task one. Their stores live
//! in `$TMPDIR`: `TMPDIR=/dev/shm cargo bench --bench store` leaves out the disk's fsync
//! latency (noisy on a shared machine) and measures the work itself.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use tmux_ide::contract::{self, Contract};
use tmux_ide::plan::rules::{self, NewTask};
use tmux_ide::plan::{Event, EventKind, Milestone, MilestoneStatus, Plan, Store};
use tmux_ide::project::Project;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// 10 milestones × `tasks / 10` tasks; each task depends on the previous one in its milestone and
/// fulfils one of 50 assertions.
fn big_plan() -> (Plan, Contract) {
    plan_of(1000)
}

fn plan_of(tasks: usize) -> (Plan, Contract) {
    let per = tasks / 10;
    let mut text = String::from("# Contract\n## Area\n");
    for n in 1..=50 {
        text.push_str(&format!("- **VAL-BENCH-{n:03}**: assertion number {n}\n"));
    }
    let contract = contract::parse(&text).expect("contract parses");
    let ids = contract.ids();
    let mut plan = Plan::default();
    for seq in 1..=10u32 {
        plan.milestones.push(Milestone {
            id: format!("M{seq}"),
            title: format!("Milestone {seq}"),
            sequence: seq,
            description: String::new(),
            status: if seq == 1 { MilestoneStatus::Active } else { MilestoneStatus::Locked },
            created: now(),
            validation: None,
        });
    }
    for i in 0..tasks {
        let depends = if i % per == 0 { vec![] } else { vec![format!("{i:03}")] };
        let new = NewTask {
            title: format!("Task {i} with a realistic title of some length"),
            description: "Implement the thing described in the milestone, with tests.".into(),
            milestone: Some(format!("M{}", i / per + 1)),
            specialty: Some(if i % 2 == 0 { "backend" } else { "frontend" }.into()),
            priority: (i % 9 + 1) as u8,
            goal: Some(format!("Goal {}", i / 10)),
            depends,
            fulfills: vec![ids[i % 50].clone()],
            remediation_for: None,
        };
        rules::create_task(&mut plan, &mut Vec::new(), new, &ids, now()).expect("valid task");
    }
    (plan, contract)
}

fn benches(c: &mut Criterion) {
    let (plan, contract) = big_plan();
    let json = serde_json::to_string_pretty(&plan).expect("serialises");
    c.bench_function("ready_tasks/1000", |b| b.iter(|| rules::ready_tasks(black_box(&plan)).len()));
    c.bench_function("find_cycle/1000", |b| b.iter(|| rules::find_cycle(black_box(&plan))));
    c.bench_function("coverage/1000x50", |b| {
        b.iter(|| tmux_ide::report::coverage(black_box(&plan), black_box(&contract)));
    });
    c.bench_function("create_task/into_1000", |b| {
        b.iter_batched(
            || plan.clone(),
            |mut p| {
                let new = NewTask {
                    title: "one more".into(),
                    milestone: Some("M1".into()),
                    priority: 1,
                    depends: vec!["001".into()],
                    ..NewTask::default()
                };
                rules::create_task(&mut p, &mut Vec::new(), new, &[], now()).map(|_| p)
            },
            criterion::BatchSize::LargeInput,
        );
    });
    c.bench_function("tasks_json_parse/1000", |b| {
        b.iter(|| serde_json::from_str::<Plan>(black_box(&json)).map(|p| p.tasks.len()));
    });
    c.bench_function("tasks_json_write/1000", |b| {
        b.iter(|| serde_json::to_vec_pretty(black_box(&plan)).map(|v| v.len()));
    });
}

/// A store in a temporary directory holding `plan`, committed through `update` (so
/// `tasks.json` is as the store writes it: with its `seq` and pending events).
fn store_with(plan: Plan) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::new(&Project::at(dir.path()));
    store
        .update(|p, events| {
            *p = plan;
            events.push(Event::new(now(), "bench_setup"));
            Ok(())
        })
        .expect("store written");
    (dir, store)
}

fn store_benches(c: &mut Criterion) {
    let (_d2k, s2k) = store_with(plan_of(2000).0);
    let busy = Event::new(now(), EventKind::AgentState).with("pane", "%1").with("state", "busy");
    c.bench_function("append_events/2000_tasks", |b| {
        b.iter(|| s2k.append_events(std::slice::from_ref(black_box(&busy))));
    });
    let (_d10k, s10k) = store_with(plan_of(10_000).0);
    c.bench_function("update_create_task/10000_tasks", |b| {
        b.iter(|| {
            s10k.update(|plan, events| {
                let new = NewTask {
                    title: "one more".into(),
                    milestone: Some("M1".into()),
                    priority: 3,
                    ..NewTask::default()
                };
                Ok(rules::create_task(plan, events, new, &[], now())?)
            })
        });
    });
}

criterion_group!(core, benches);
criterion_group! {
    name = store_io;
    config = Criterion::default().sample_size(20);
    targets = store_benches
}
criterion_main!(core, store_io);
