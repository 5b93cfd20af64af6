//! Many writers at once: no lost update, unique dense ids; writers killed with SIGKILL at
//! random moments never leave a torn `tasks.json` nor lose a write that reported success.
use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use tmux_ide::plan::{EventKind, Plan, Store, task_id};
use tmux_ide::project::Project;

use crate::common::{Rng, TestProject};

fn spawn(p: &TestProject, args: &[&str]) -> Child {
    let mut cmd = p.std_cmd();
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn plan(p: &TestProject) -> Plan {
    serde_json::from_str(&p.read(".tasks/tasks.json")).expect("tasks.json parses")
}

#[test]
fn two_hundred_concurrent_creates_and_a_hundred_concurrent_updates_lose_nothing() {
    let p = TestProject::new();
    let children: Vec<Child> =
        (0..200).map(|i| spawn(&p, &["task", "create", &format!("task number {i}")])).collect();
    let mut ids = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let id = stdout.trim().strip_prefix("Created task ").unwrap().to_string();
        assert!(ids.insert(id), "duplicate id reported");
    }
    let dense: BTreeSet<String> = (1..=200).map(task_id).collect();
    assert_eq!(ids, dense);
    let plan1 = plan(&p);
    let titles: BTreeSet<&str> = plan1.tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles.len(), 200);
    assert!((0..200).all(|i| titles.contains(format!("task number {i}").as_str())));

    let children: Vec<Child> = (1..=100)
        .map(|n| {
            let id = task_id(n);
            spawn(
                &p,
                &["task", "update", &id, "--priority", "2", "--description", &format!("d{id}")],
            )
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let plan2 = plan(&p);
    assert_eq!(plan2.tasks.len(), 200);
    for t in &plan2.tasks {
        let n: u32 = t.id.parse().unwrap();
        if n <= 100 {
            assert_eq!((t.priority, t.description.as_str()), (2, format!("d{}", t.id).as_str()));
        } else {
            assert_eq!((t.priority, t.description.as_str()), (5, ""));
        }
    }
    let events = Store::new(&Project::at(p.path())).read_events().unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::TaskCreated).count(), 200);
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::TaskUpdated).count(), 100);
}

#[test]
fn writers_killed_at_random_moments_never_tear_the_store_or_lose_a_reported_write() {
    let p = TestProject::new();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let mut rng = Rng(seed.as_nanos() as u64 | 1);
    let store = Store::new(&Project::at(p.path()));
    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut killed = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    for round in 0..25 {
        assert!(Instant::now() < deadline, "crash loop took too long");
        let mut children: Vec<(String, Child)> = (0..8)
            .map(|i| {
                let title = format!("round {round} writer {i}");
                let child = spawn(&p, &["task", "create", &title]);
                (title, child)
            })
            .collect();
        // Kill a random half at a random moment within the writers' lifetime.
        std::thread::sleep(Duration::from_micros(rng.next(30_000)));
        for (_, child) in &mut children {
            if rng.next(2) == 0 && child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
        }
        for (title, child) in children {
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                let stdout = String::from_utf8(out.stdout).unwrap();
                let id = stdout.trim().strip_prefix("Created task ").unwrap().to_string();
                confirmed.push((id, title));
            }
        }
        let plan = store.load().expect("tasks.json always parses");
        for (id, title) in &confirmed {
            let task = plan.task(id).unwrap_or_else(|| panic!("reported task {id} is missing"));
            assert_eq!(&task.title, title);
        }
        let ids: BTreeSet<&str> = plan.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids.len(), plan.tasks.len(), "ids are unique");
        store.read_events().expect("the event log stays readable");
    }
    assert!(killed > 0, "the loop killed no writer");
    // After the chaos the store still takes writes.
    p.ok(&["task", "create", "after"]);
    let leftovers: Vec<_> = std::fs::read_dir(p.path().join(".tasks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "stale temp files: {leftovers:?}");
}
