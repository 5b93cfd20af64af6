//! Tests of the store: atomic replace, the lock, and a change and its events as one unit
//! (numbered, committed with `tasks.json`, logged exactly once after a crash).
use super::*;
use crate::plan::{Event, EventKind, Task};
use jiff::Timestamp;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(&Project::at(dir.path()));
    (dir, store)
}

#[test]
fn a_missing_file_loads_as_the_empty_plan() {
    let (_d, s) = store();
    assert_eq!(s.load().unwrap(), Plan::default());
}

#[test]
fn an_error_in_the_closure_writes_nothing() {
    let (_d, s) = store();
    let r: Result<()> = s.update(|p, ev| {
        p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
        ev.push(Event::new(Timestamp::now(), "x"));
        Err(Error::bad_input("no"))
    });
    assert!(r.is_err());
    assert!(!s.path().exists());
    assert!(s.read_events().unwrap().is_empty());
}

#[test]
fn a_torn_last_event_line_is_ignored_and_cut_before_the_next_append() {
    let (d, s) = store();
    s.append_events(&[Event::new(Timestamp::now(), "a")]).unwrap();
    let log = d.path().join(".tasks/events.jsonl");
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(b"{\"ts\":\"20").unwrap();
    assert_eq!(s.read_events().unwrap().len(), 1);
    s.append_events(&[Event::new(Timestamp::now(), "b")]).unwrap();
    let kinds: Vec<String> =
        s.read_events().unwrap().into_iter().map(|e| e.kind.to_string()).collect();
    assert_eq!(kinds, ["a", "b"]);
}

#[test]
fn the_written_file_is_readable_by_others_like_any_user_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, s) = store();
    s.update(|p, _| {
        p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
        Ok(())
    })
    .unwrap();
    let mode = std::fs::metadata(s.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o044, 0o044 & !umask(), "mode {mode:o}");
}

/// The process umask, read without changing it (tests run in parallel).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).unwrap()
}

#[test]
fn a_corrupt_file_names_path_line_and_column() {
    let (d, s) = store();
    std::fs::create_dir_all(d.path().join(".tasks")).unwrap();
    std::fs::write(s.path(), "{\n  \"version\": 1,\n  oops\n}").unwrap();
    let err = s.load().unwrap_err();
    assert!(err.message.contains("tasks.json:3:3"), "{}", err.message);
}

fn log_lines(d: &tempfile::TempDir) -> Vec<String> {
    std::fs::read_to_string(d.path().join(".tasks/events.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn add_goal(s: &Store, id: &str) {
    s.update(|p, ev| {
        p.goals.push(crate::plan::Goal { id: id.into(), title: id.into() });
        ev.push(Event::new(Timestamp::now(), "goal_added").with("goal", id));
        Ok(())
    })
    .unwrap();
}

#[test]
fn events_are_numbered_in_log_order_across_changes_and_plain_appends() {
    let (_d, s) = store();
    add_goal(&s, "G1");
    s.append_events(&[Event::new(Timestamp::now(), "a"), Event::new(Timestamp::now(), "b")])
        .unwrap();
    add_goal(&s, "G2");
    let seqs: Vec<Option<u64>> = s.read_events().unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(s.load().unwrap().seq, 4);
}

/// Two goals added, then the log cut back to the first one's event: what a writer killed
/// between the rename of tasks.json and its append leaves. With the log's lines before.
fn committed_but_not_logged() -> (tempfile::TempDir, Store, Vec<String>) {
    let (d, s) = store();
    add_goal(&s, "G1");
    add_goal(&s, "G2");
    let lines = log_lines(&d);
    std::fs::write(d.path().join(".tasks/events.jsonl"), format!("{}\n", lines[0])).unwrap();
    (d, s, lines)
}

fn log_seqs(d: &tempfile::TempDir) -> Vec<u64> {
    log_lines(d).iter().map(|l| serde_json::from_str::<Event>(l).unwrap().seq.unwrap()).collect()
}

#[test]
fn a_change_committed_but_not_logged_is_read_and_then_logged_exactly_once() {
    let (d, s, _) = committed_but_not_logged();
    let goals = |evs: Vec<Event>| -> Vec<String> {
        evs.iter().filter_map(|e| e.extra.get("goal")?.as_str().map(str::to_string)).collect()
    };
    assert_eq!(goals(s.read_events().unwrap()), ["G1", "G2"], "the reader merges it");
    s.append_events(&[Event::new(Timestamp::now(), "next")]).unwrap();
    assert_eq!(log_lines(&d).len(), 3);
    let events = s.read_events().unwrap();
    assert_eq!(goals(events.clone()), ["G1", "G2"]);
    assert_eq!(events.iter().map(|e| e.seq.unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    add_goal(&s, "G3");
    assert_eq!(goals(s.read_events().unwrap()), ["G1", "G2", "G3"]);
}

#[test]
fn the_plan_read_by_commands_does_not_carry_the_pending_events() {
    let (_d, s) = store();
    add_goal(&s, "G1");
    assert!(std::fs::read_to_string(s.path()).unwrap().contains("pending_events"));
    assert!(s.load().unwrap().pending_events.is_empty());
}

#[test]
fn a_log_that_cannot_be_written_fails_the_change_before_it_is_committed() {
    let (d, s) = store();
    add_goal(&s, "G1");
    let before = std::fs::read_to_string(s.path()).unwrap();
    let log = d.path().join(".tasks/events.jsonl");
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    let r = s.update(|p, ev| {
        p.goals.push(crate::plan::Goal { id: "G2".into(), title: "x".into() });
        ev.push(Event::new(Timestamp::now(), "x"));
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read_to_string(s.path()).unwrap(), before);
}

#[test]
fn a_symlinked_tasks_json_is_refused_and_its_target_left_alone() {
    let (d, s) = store();
    let outside = d.path().join("outside.json");
    std::fs::write(&outside, "keep").unwrap();
    std::fs::create_dir_all(d.path().join(".tasks")).unwrap();
    std::os::unix::fs::symlink(&outside, s.path()).unwrap();
    let err = s.update(|p, _| {
        p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
        Ok(())
    });
    assert!(err.unwrap_err().message.contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    assert!(std::fs::symlink_metadata(s.path()).unwrap().file_type().is_symlink());
}

#[test]
fn a_symlinked_log_refuses_plain_appends_and_its_target_is_left_alone() {
    let (d, s) = store();
    let outside = d.path().join("outside");
    std::fs::write(&outside, "keep").unwrap();
    std::fs::create_dir_all(d.path().join(".tasks")).unwrap();
    std::os::unix::fs::symlink(&outside, d.path().join(".tasks/events.jsonl")).unwrap();
    let err = s.append_events(&[Event::new(Timestamp::now(), "x")]).unwrap_err();
    assert!(err.message.contains("events.jsonl: is a symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
}

#[test]
fn positions_keep_rising_after_the_log_is_removed() {
    let (d, s) = store();
    add_goal(&s, "G1");
    add_goal(&s, "G2");
    std::fs::remove_file(d.path().join(".tasks/events.jsonl")).unwrap();
    s.append_events(&[Event::new(Timestamp::now(), "a")]).unwrap();
    add_goal(&s, "G3");
    let seqs: Vec<u64> = s.read_events().unwrap().iter().map(|e| e.seq.unwrap()).collect();
    // The last committed change (G2) is logged again into the new log, then 3 and 4.
    assert_eq!(seqs, [2, 3, 4]);
}

#[test]
fn positions_at_the_limit_are_refused_rather_than_wrapped() {
    let (d, s) = store();
    add_goal(&s, "G1");
    let log = d.path().join(".tasks/events.jsonl");
    let huge = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"x","seq":18446744073709551615}"#;
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, format!("{text}{huge}\n")).unwrap();
    let before = std::fs::read_to_string(s.path()).unwrap();
    let err = s.update(|p, _| {
        p.goals.clear();
        Ok(())
    });
    let err = err.unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.message.contains("18446744073709551615"), "{err}");
    assert_eq!(std::fs::read_to_string(s.path()).unwrap(), before);
    let err = s.append_events(&[Event::new(Timestamp::now(), "y")]).unwrap_err();
    assert_eq!(err.exit_code(), 2);

    std::fs::write(&log, text).unwrap();
    let plan = before.replace("\"seq\": 1,", "\"seq\": 9007199254740991,");
    assert_ne!(plan, before);
    std::fs::write(s.path(), plan).unwrap();
    assert_eq!(s.append_events(&[Event::new(Timestamp::now(), "y")]).unwrap_err().exit_code(), 2);
}

#[test]
fn what_follows_a_commit_runs_after_it_and_cannot_fail_the_change() {
    let (_d, s) = store();
    let seen = std::cell::Cell::new(0);
    let r = s.update_then(
        |p, _| {
            p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
            Ok(7)
        },
        |v| {
            seen.set(*v);
            assert_eq!(s.load().unwrap().goals.len(), 1, "runs after the commit");
            Err(Error::failed("disk full"))
        },
    );
    assert_eq!((r.unwrap(), seen.get()), (7, 7));
    assert_eq!(s.load().unwrap().goals.len(), 1);
}

fn head(text: &str) -> Option<u64> {
    let (_d, s) = store();
    std::fs::create_dir_all(s.path().parent().unwrap()).unwrap();
    std::fs::write(s.path(), text).unwrap();
    s.committed().seq()
}

#[test]
fn the_seq_is_read_from_the_head_only_as_the_store_writes_it() {
    let (_d, s) = store();
    add_goal(&s, "G1");
    add_goal(&s, "G2");
    assert_eq!(s.committed().seq(), Some(2), "what the store writes");
    let plan = "  \"mission\": null\n}\n";
    assert_eq!(
        head(&format!("{{\n  \"version\": 1,\n  \"seq\": 9007199254740990,\n{plan}")),
        Some(9007199254740990)
    );
    for edited in [
        // No `seq` (position 0, or removed by hand), other orders, other spacing.
        format!("{{\n  \"version\": 1,\n{plan}"),
        format!("{{\n  \"seq\": 2,\n  \"version\": 1,\n{plan}"),
        r#"{"version":1,"seq":2,"mission":null}"#.to_string(),
        format!("{{\r\n  \"version\": 1,\r\n  \"seq\": 2,\r\n{plan}"),
        format!("{{\n  \"version\": 1,\n  \"seq\" : 2,\n{plan}"),
        "{\n  \"version\": 1,\n  \"seq\": 2\n}\n".to_string(),
        format!("{{\n  \"version\": 1,\n  \"seq\": 2.0,\n{plan}"),
        format!("{{\n  \"version\": 1,\n  \"seq\": 02,\n{plan}"),
        format!("{{\n  \"version\": 1,\n  \"seq\": -2,\n{plan}"),
        format!("{{\n  \"version\": 1,\n  \"seq\": 18446744073709551615,\n{plan}"),
        format!("{{\n  \"version\": 2,\n  \"seq\": 2,\n{plan}"),
        "{\n  \"version\": 1,\n  \"seq\": 2,".to_string(),
        String::new(),
    ] {
        assert_eq!(head(&edited), None, "{edited:?}");
    }
}

#[test]
fn the_fast_path_still_logs_a_change_committed_but_not_logged() {
    let (d, s, lines) = committed_but_not_logged();
    assert_eq!(s.committed().seq(), Some(2), "the head is read, and is ahead of the log");
    s.append_events(&[Event::new(Timestamp::now(), "busy")]).unwrap();
    let logged = log_lines(&d);
    assert_eq!(logged[..2], lines[..], "the lost append is made first");
    let seqs: Vec<u64> = s.read_events().unwrap().iter().map(|e| e.seq.unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert!(logged[2].contains("\"busy\""), "{}", logged[2]);
}

#[test]
fn a_log_at_the_plans_seq_is_trusted_without_reading_the_rest_of_tasks_json() {
    let (d, s) = store();
    add_goal(&s, "G1");
    // Past the head, pending events the store could not have written (beyond its seq,
    // and not in the log): only a full read would see them.
    let text = std::fs::read_to_string(s.path()).unwrap();
    let forged = text.replace("\"seq\": 1,\n      \"goal\"", "\"seq\": 7,\n      \"goal\"");
    assert_ne!(forged, text);
    std::fs::write(s.path(), forged).unwrap();
    s.append_events(&[Event::new(Timestamp::now(), "a")]).unwrap();
    assert_eq!(log_seqs(&d), [1, 2], "numbered after the log, the pending event not appended");
    // A head the store would not write takes the full read: the event is flushed.
    let (d, s) = store();
    add_goal(&s, "G1");
    let text = std::fs::read_to_string(s.path()).unwrap();
    let forged = text
        .replace("\"seq\": 1,\n      \"goal\"", "\"seq\": 7,\n      \"goal\"")
        .replacen("{\n", "{ \n", 1);
    std::fs::write(s.path(), forged).unwrap();
    s.append_events(&[Event::new(Timestamp::now(), "a")]).unwrap();
    assert_eq!(log_seqs(&d), [1, 7, 8]);
}

#[test]
fn a_reader_merges_pending_events_from_the_version_it_opened() {
    let (_d, s, _) = committed_but_not_logged();
    let opened = s.committed();
    // A writer commits meanwhile, flushing G2 and adding G3 (whose file replaces G2's).
    add_goal(&s, "G3");
    let (pending, seq) = opened.pending();
    assert_eq!((pending.len(), seq), (1, 2), "the opened version still holds G2's event");
}

#[test]
fn a_plan_read_ahead_of_the_lock_is_used_only_while_the_file_is_unchanged() {
    let (_d, s) = store();
    add_goal(&s, "G1");
    let early = s.read_ahead().unwrap();
    assert!(early.still_current(s.path()));
    // Another writer commits while this one waits for the lock: its plan is stale.
    add_goal(&s, "G2");
    assert!(!early.still_current(s.path()));
    let lock = s.lock().unwrap();
    let done = s
        .update_locked(
            |p, ev| {
                p.goals.push(crate::plan::Goal { id: "G3".into(), title: "G3".into() });
                ev.push(Event::new(Timestamp::now(), "goal_created"));
                Ok(())
            },
            Some(early),
        )
        .unwrap();
    drop(lock);
    done.finish().unwrap();
    let ids: Vec<String> = s.load().unwrap().goals.into_iter().map(|g| g.id).collect();
    assert_eq!(ids, ["G1", "G2", "G3"], "the other writer's change was kept");
}

#[test]
fn an_edit_in_place_makes_a_read_ahead_stale() {
    let (_d, s) = store();
    add_goal(&s, "G1");
    let early = s.read_ahead().unwrap();
    let text = std::fs::read_to_string(s.path()).unwrap();
    std::fs::write(s.path(), text.replace("\"G1\"", "\"G9\"")).unwrap();
    assert!(!early.still_current(s.path()));
}

#[test]
fn a_plain_writer_arriving_while_a_priority_writer_waits_goes_after_it() {
    let (d, s) = store();
    let first = s.clone().with_priority();
    // The priority writer holds the gate (as while it waits for or holds the lock).
    let held = first.lock().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let plain = s.clone();
    let writer = std::thread::spawn(move || {
        plain.append_events(&[Event::new(Timestamp::now(), "plain")]).unwrap();
        tx.send(()).unwrap();
    });
    // Waiting at the gate: nothing written while the priority writer has it.
    assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err());
    drop(held);
    rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    writer.join().unwrap();
    assert!(d.path().join(".tasks/.lock-gate").exists());
    // A plain writer lets the gate go once through: a priority writer gets it at once.
    let _plain = s.lock().unwrap();
    let gate = std::fs::File::open(d.path().join(".tasks/.lock-gate")).unwrap();
    assert!(gate.try_lock().is_ok(), "a plain writer keeps no hold on the gate");
}

/// A fresh project's store with a cache and without one, and a moment to stamp with.
fn cached_and_plain() -> (tempfile::TempDir, Store, Store, Timestamp) {
    let d = tempfile::tempdir().unwrap();
    let project = Project::at(d.path());
    std::fs::create_dir_all(project.tasks_dir()).unwrap();
    let (cached, plain) = (Store::new(&project).with_cache(), Store::new(&project));
    (d, cached, plain, Timestamp::from_second(1_700_000_000).unwrap())
}

#[test]
fn a_cached_plan_is_the_file_as_written_and_another_writer_is_seen() {
    let (_d, cached, plain, now) = cached_and_plain();
    for i in 1..=20 {
        let (writer, reader) = if i % 3 == 0 { (&plain, &cached) } else { (&cached, &plain) };
        writer
            .update(|plan, events| {
                let mut task = Task::new(format!("{i:03}"), format!("Task {i} \u{e9}\"x\""), now);
                task.summary = (i % 2 == 0).then(|| "line\nbreak".to_string());
                plan.tasks.push(task);
                events.push(Event::new(now, EventKind::TaskCreated).task(format!("{i:03}")));
                Ok(())
            })
            .unwrap();
        // Both see every write, whoever made it, exactly as the file holds it.
        assert_eq!(cached.load().unwrap(), plain.load().unwrap(), "after write {i}");
        assert_eq!(reader.load().unwrap().tasks.len(), i);
    }
    // Edited in place by hand (same inode, another size): seen too.
    let text = std::fs::read_to_string(plain.path()).unwrap().replace("Task 5 ", "Task five ");
    std::fs::write(plain.path(), text).unwrap();
    assert_eq!(cached.load().unwrap().task("005").unwrap().title, "Task five \u{e9}\"x\"");
}

/// The orchestrator's cache under updates: a plan a reader holds is never changed under
/// it (the update works on a copy); with no reader, the update takes it whole, a reader
/// arriving meanwhile waits for the version written; an update that fails or changes
/// nothing leaves a plan every reader still gets right; and the file is always what a
/// plain store reads.
#[test]
fn a_cached_plan_held_by_a_reader_is_never_changed_under_it() {
    let (_d, cached, plain, now) = cached_and_plain();
    let add = |store: &Store, i: usize| {
        store
            .update(|plan, events| {
                plan.tasks.push(Task::new(format!("{i:03}"), format!("Task {i}"), now));
                events.push(Event::new(now, EventKind::TaskCreated).task(format!("{i:03}")));
                Ok(())
            })
            .unwrap();
    };
    add(&cached, 1);
    // Held across a write: a copy is changed, the reader's plan stays as it was.
    let held = cached.load_shared().unwrap();
    add(&cached, 2);
    assert_eq!(held.tasks.len(), 1);
    assert_eq!(cached.load_shared().unwrap().tasks.len(), 2);
    drop(held);
    // Not held: taken whole. A reader on another thread during the update waits for it.
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let reader = {
        let cached = cached.clone();
        std::thread::spawn(move || {
            started_rx.recv().unwrap();
            cached.load_shared().unwrap().tasks.len()
        })
    };
    cached
        .update(|plan, events| {
            started_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
            plan.tasks.push(Task::new("003", "Task 3", now));
            events.push(Event::new(now, EventKind::TaskCreated).task("003"));
            Ok(())
        })
        .unwrap();
    assert_eq!(reader.join().unwrap(), 3);
    // A failed update and one that changes nothing: the plan still reads right.
    let failed = cached.update(|plan, _| -> crate::Result<()> {
        plan.tasks.clear();
        Err(crate::Error::failed("no"))
    });
    assert!(failed.is_err());
    assert_eq!(cached.load_shared().unwrap().tasks.len(), 3);
    cached.update(|_, _| Ok(())).unwrap();
    assert_eq!(*cached.load_shared().unwrap(), plain.load().unwrap());
    // Its own update reading the store does not wait for itself.
    let seen = cached.update(|_, _| Ok(cached.load_shared().unwrap().tasks.len())).unwrap();
    assert_eq!(seen, 3);
    add(&cached, 4);
    assert_eq!(*cached.load_shared().unwrap(), plain.load().unwrap());
}
