//! Tests of how the store tells a change: by the plan's body written before and after it
//! (see `pretty`). The file is written only when the plan changed, as serde writes it.
use super::*;
use crate::plan::{Event, Task};
use jiff::Timestamp;
use std::os::unix::fs::MetadataExt;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(&Project::at(dir.path()));
    (dir, store)
}

fn add_task(s: &Store, id: &str) {
    s.update(|p, ev| {
        p.tasks.push(Task::new(id, format!("task \"{id}\"\n"), Timestamp::UNIX_EPOCH));
        ev.push(Event::new(Timestamp::now(), "task_created").task(id));
        Ok(())
    })
    .unwrap();
}

/// Events only, the plan read and left alone: with the plan read ahead of the lock, and
/// without (read under it).
fn log_only(s: &Store) {
    s.update(|p, ev| {
        ev.push(Event::new(Timestamp::now(), "looked").with("tasks", p.tasks.len()));
        Ok(())
    })
    .unwrap();
    let lock = s.lock().unwrap();
    let done = s
        .update_locked(
            |_, ev| {
                ev.push(Event::new(Timestamp::now(), "looked"));
                Ok(())
            },
            None,
        )
        .unwrap();
    drop(lock);
    done.finish().unwrap();
}

#[test]
fn the_file_holds_the_bytes_serde_writes_for_the_plan_and_its_events() {
    let (_d, s) = store();
    for id in ["001", "002", "003"] {
        add_task(&s, id);
    }
    let text = std::fs::read_to_string(s.path()).unwrap();
    let plan: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(plan.pending_events.len(), 1);
    assert_eq!(text, serde_json::to_string_pretty(&plan).unwrap() + "\n");
}

#[test]
fn a_plan_left_alone_is_not_written_even_when_laid_out_by_hand() {
    let (d, s) = store();
    add_task(&s, "001");
    let plan = s.load().unwrap();
    // Compact, as no store writes it: still the same plan.
    std::fs::write(s.path(), serde_json::to_string(&plan).unwrap()).unwrap();
    let (before, ino) = (std::fs::read(s.path()).unwrap(), s.path().metadata().unwrap().ino());
    log_only(&s);
    assert_eq!(std::fs::read(s.path()).unwrap(), before);
    assert_eq!(s.path().metadata().unwrap().ino(), ino, "not replaced");
    let log = std::fs::read_to_string(d.path().join(".tasks/events.jsonl")).unwrap();
    assert_eq!(log.matches("\"looked\"").count(), 2);
}

#[test]
fn the_smallest_change_anywhere_in_the_plan_is_written() {
    let (_d, s) = store();
    for id in ["001", "002"] {
        add_task(&s, id);
    }
    let changes: [fn(&mut Plan); 4] = [
        |p| p.tasks[0].summary = Some(String::new()),
        |p| p.tasks[1].attempts = 1,
        |p| p.tasks.truncate(1),
        |p| p.goals.push(crate::plan::Goal { id: "G1".into(), title: String::new() }),
    ];
    for change in changes {
        let ino = s.path().metadata().unwrap().ino();
        let want = s
            .update(|p, _| {
                change(p);
                Ok(p.clone())
            })
            .unwrap();
        assert_ne!(s.path().metadata().unwrap().ino(), ino, "replaced");
        assert_eq!(s.load().unwrap(), Plan { pending_events: Vec::new(), ..want });
        log_only(&s);
    }
}
