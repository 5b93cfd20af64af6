//! Requests over a real socket to a real log writer on a scratch store.
use std::io::{BufRead as _, BufReader};

use super::*;
use crate::orchestrator::log_writer::LogWriter;
use crate::plan::{EventKind, TaskStatus};

/// `ms` milliseconds after a moment shortly before the tests ran: requests are only taken
/// while recent.
fn at(ms: i64) -> Timestamp {
    static BASE: std::sync::LazyLock<Timestamp> =
        std::sync::LazyLock::new(|| Timestamp::now() - jiff::SignedDuration::from_secs(20));
    *BASE + jiff::SignedDuration::from_millis(ms)
}

fn request(id: &str, proof: &str, now: i64) -> DoneRequest {
    DoneRequest { id: id.into(), proof: proof.into(), summary: None, now: at(now) }
}

fn line(r: &DoneRequest) -> Vec<u8> {
    let mut l = serde_json::to_vec(&Request::TaskDone(r.clone())).unwrap();
    l.push(b'\n');
    l
}

/// A project with tasks 001..=n, all todo, written through the store.
fn project_with(n: usize) -> (tempfile::TempDir, Project, Store) {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::at(dir.path());
    std::fs::create_dir_all(project.tasks_dir()).unwrap();
    let store = Store::new(&project);
    store
        .update(|plan, _| {
            for i in 1..=n {
                plan.tasks.push(Task::new(format!("{i:03}"), format!("Task {i}"), at(1)));
            }
            Ok(())
        })
        .unwrap();
    (dir, project, store)
}

#[test]
fn a_request_is_parsed_bounded_and_its_time_clamped() {
    let r = request("001", "ran the tests", 100);
    assert_eq!(parse(&line(&r), at(200)).unwrap(), r);
    assert_eq!(parse(&line(&r), at(50)).unwrap().now, at(50));
    let refused = |bytes: &[u8]| {
        let e = parse(bytes, at(200)).unwrap_err();
        assert_eq!(e.kind, Kind::BadInput, "{}", e.message);
    };
    refused(b"{not json\n");
    refused(&line(&r)[..line(&r).len() - 1]);
    refused(&line(&request("", "p", 1)));
    refused(&line(&request("00\u{1b}1", "p", 1)));
    refused(&line(&request(&"1".repeat(65), "p", 1)));
    refused(&line(&request("001", " \n ", 1)));
    refused(&line(&request("001", "a\0b", 1)));
    refused(&line(&request("001", &"p".repeat(MAX_FIELD + 1), 1)));
    refused(
        br#"{"task_done":{"id":"1","proof":"p","summary":null,"now":"2026-01-01T00:00:00Z","x":1}}
"#,
    );
    let mut huge = line(&request("001", &"p".repeat(MAX_REQUEST), 1));
    refused(&huge);
    huge.truncate(10);
    refused(&huge);
}

#[test]
fn without_an_orchestrator_nothing_is_sent() {
    let (_dir, project, _) = project_with(1);
    assert!(matches!(submit(&project, &request("1", "p", 1)), Submitted::NoOrchestrator));
    // A stale socket of an orchestrator that died: nobody listens.
    std::fs::create_dir_all(project.run_dir()).unwrap();
    drop(UnixListener::bind(socket_path(&project)).unwrap());
    assert!(matches!(submit(&project, &request("1", "p", 1)), Submitted::NoOrchestrator));
}

#[test]
fn concurrent_requests_are_each_committed_once_and_answered() {
    let (_dir, project, store) = project_with(40);
    let mut writer = LogWriter::start(store.clone(), project.clone());
    let mut requests = start(&project, writer.queue()).unwrap();
    let threads: Vec<_> = (1..=40)
        .map(|i| {
            let project = project.clone();
            std::thread::spawn(move || {
                let mut r = request(&i.to_string(), &format!("proof {i}"), 1000 + i);
                r.summary = (i % 2 == 0).then(|| format!("learned {i}"));
                match submit(&project, &r) {
                    Submitted::Replied(Ok((id, None))) => id,
                    other => panic!("request {i}: {other:?}"),
                }
            })
        })
        .collect();
    let mut ids: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=40).map(|i| format!("{i:03}")).collect::<Vec<_>>());
    // A second finish of the same task is refused with the command's own error.
    match submit(&project, &request("7", "again", 2000)) {
        Submitted::Replied(Err(e)) => {
            assert_eq!(e.kind, Kind::BadInput, "{}", e.message);
            assert!(e.message.contains("007"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    match submit(&project, &request("999", "p", 2000)) {
        Submitted::Replied(Err(e)) => assert!(e.message.contains("999"), "{}", e.message),
        other => panic!("{other:?}"),
    }
    requests.stop();
    assert!(matches!(submit(&project, &request("1", "p", 1)), Submitted::NoOrchestrator));
    writer.finish(&store);
    let plan = store.load().unwrap();
    assert!(plan.tasks.iter().all(|t| t.status == TaskStatus::Done));
    assert_eq!(plan.task("007").unwrap().proof.as_deref(), Some("proof 7"));
    let done = store.read_events().unwrap();
    let done: Vec<_> = done.iter().filter(|e| e.kind == EventKind::TaskDone).collect();
    assert_eq!(done.len(), 40);
    let learnings = std::fs::read_to_string(project.library_dir().join("learnings.md")).unwrap();
    assert_eq!(learnings.matches("## Task").count(), 20, "{learnings}");
}

#[test]
fn a_request_that_fails_leaves_the_others_of_its_batch_committed() {
    let (dir, project, store) = project_with(2);
    // learnings.md a symlink: a request with a summary is refused, whole.
    std::fs::create_dir_all(project.library_dir()).unwrap();
    let outside = dir.path().join("outside.md");
    std::fs::write(&outside, "").unwrap();
    std::os::unix::fs::symlink(&outside, project.library_dir().join("learnings.md")).unwrap();
    let pair = |r: DoneRequest| {
        let (ours, theirs) = UnixStream::pair().unwrap();
        (Pending { request: r, stream: theirs }, BufReader::new(ours))
    };
    let mut with_summary = request("1", "p1", 10);
    with_summary.summary = Some("learned".into());
    let (a, mut reply_a) = pair(with_summary);
    let (b, mut reply_b) = pair(request("2", "p2", 11));
    let observed = vec![Event::new(at(9), EventKind::PaneState).pane("%1")];
    commit(&store, &project, observed, vec![a, b]);
    let (mut ra, mut rb) = (String::new(), String::new());
    reply_a.read_line(&mut ra).unwrap();
    reply_b.read_line(&mut rb).unwrap();
    assert!(ra.contains("\"error\"") && ra.contains("learnings.md"), "{ra}");
    assert_eq!(rb.trim(), r#"{"done":{"id":"002","warning":null}}"#);
    let plan = store.load().unwrap();
    assert_eq!(plan.task("001").unwrap().status, TaskStatus::Todo);
    assert_eq!(plan.task("001").unwrap().proof, None);
    assert_eq!(plan.task("002").unwrap().status, TaskStatus::Done);
    let kinds: Vec<_> = store.read_events().unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::PaneState, EventKind::TaskDone]);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "");
}

#[test]
fn stopping_ends_even_when_the_socket_path_is_gone() {
    let (dir, project, store) = project_with(1);
    let writer = LogWriter::start(store, project.clone());
    let mut requests = start(&project, writer.queue()).unwrap();
    // The project directory removed under a running orchestrator.
    std::fs::remove_dir_all(dir.path()).unwrap();
    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        requests.stop();
        let _ = done.send(());
    });
    stopped.recv_timeout(Duration::from_secs(10)).expect("stop hung");
}

#[test]
fn a_request_older_than_its_commands_wait_is_refused_unapplied() {
    let (_dir, project, store) = project_with(1);
    let (ours, theirs) = UnixStream::pair().unwrap();
    let sent = Timestamp::now() - jiff::SignedDuration::try_from(MAX_AGE).unwrap() * 2;
    let old =
        Pending { request: DoneRequest { now: sent, ..request("1", "p", 0) }, stream: theirs };
    commit(&store, &project, Vec::new(), vec![old]);
    let mut reply = String::new();
    BufReader::new(ours).read_line(&mut reply).unwrap();
    assert!(reply.contains("\"error\"") && reply.contains("over a minute"), "{reply}");
    assert_eq!(store.load().unwrap().task("001").unwrap().status, TaskStatus::Todo);
    // And one that old is not even taken off the socket.
    let e = parse(&line(&DoneRequest { now: sent, ..request("1", "p", 0) }), Timestamp::now())
        .unwrap_err();
    assert!(e.message.contains("a minute ago"), "{}", e.message);
}

#[test]
fn a_full_listen_queue_does_not_hang_the_command() {
    let (_dir, project, _) = project_with(1);
    std::fs::create_dir_all(project.run_dir()).unwrap();
    // An orchestrator that stopped taking connections (stopped with Ctrl-Z, say).
    let _listener = UnixListener::bind(socket_path(&project)).unwrap();
    let addr = socket2::SockAddr::unix(socket_path(&project)).unwrap();
    let mut queued = Vec::new();
    for _ in 0..10_000 {
        let s = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        if s.connect(&addr).is_err() {
            break;
        }
        queued.push(s);
    }
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(submit(&project, &request("1", "p", 1)));
    });
    let got = finished.recv_timeout(Duration::from_secs(30)).expect("the command hung");
    assert!(matches!(got, Submitted::NoOrchestrator | Submitted::Lost), "{got:?}");
}

#[test]
fn a_reply_reaches_the_terminal_without_control_sequences() {
    let (_dir, project, _) = project_with(1);
    std::fs::create_dir_all(project.run_dir()).unwrap();
    let listener = UnixListener::bind(socket_path(&project)).unwrap();
    // A request sent, answered with `reply`: what the command makes of it.
    let answered_with = |reply: &'static str| {
        std::thread::scope(|s| {
            let client = s.spawn(|| submit(&project, &request("1", "p", 1)));
            let (mut stream, _) = listener.accept().unwrap();
            let mut line = String::new();
            BufReader::new(&stream).read_line(&mut line).unwrap();
            stream.write_all(reply.as_bytes()).unwrap();
            client.join().unwrap()
        })
    };
    let clean = |t: &str| !t.chars().any(char::is_control);
    let sent = answered_with(
        "{\"done\":{\"id\":\"001\\u001b]52;c;x\\u0007\",\"warning\":\"w\\u001b[2J\"}}\n",
    );
    match sent {
        Submitted::Replied(Ok((id, Some(warning)))) => assert!(clean(&id) && clean(&warning)),
        other => panic!("{other:?}"),
    }
    let sent = answered_with(
        "{\"error\":{\"kind\":\"bad_input\",\"message\":\"m\\u001b[31m\",\"hint\":\"h\\u009b\"}}\n",
    );
    match sent {
        Submitted::Replied(Err(e)) => {
            assert_eq!(e.kind, Kind::BadInput);
            assert!(clean(&e.message) && clean(e.hint.as_deref().unwrap()), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// What a dispatch does with the requests queued when it writes: applied in its own
/// update, ahead of its change, committed in the one write, their learnings written and
/// each answered.
#[test]
fn requests_taken_into_another_update_are_committed_with_it_and_answered() {
    let (_dir, project, store) = project_with(3);
    let (ours, theirs) = UnixStream::pair().unwrap();
    let mut r = request("1", "p1", 10);
    r.summary = Some("learned a thing".into());
    let queued = vec![Pending { request: r, stream: theirs }];
    let seq_before = store.read_events().unwrap().len();
    let mut warnings = Vec::new();
    let reports = store
        .update_then(
            |plan, events| {
                let reports = apply(&project, plan, events, &queued);
                // The dispatch's own change, after the requests'.
                plan.tasks[2].status = TaskStatus::InProgress;
                Ok(reports)
            },
            |reports| {
                warnings = write_libraries(reports, &queued);
                Ok(())
            },
        )
        .unwrap();
    answer_all(reports, queued, warnings);
    let mut reply = String::new();
    BufReader::new(ours).read_line(&mut reply).unwrap();
    assert_eq!(reply.trim(), r#"{"done":{"id":"001","warning":null}}"#);
    let plan = store.load().unwrap();
    assert_eq!(plan.task("001").unwrap().status, TaskStatus::Done);
    assert_eq!(plan.task("003").unwrap().status, TaskStatus::InProgress);
    let events = store.read_events().unwrap();
    assert_eq!(events.len(), seq_before + 1);
    assert_eq!(events.last().unwrap().kind, EventKind::TaskDone);
    let learnings = std::fs::read_to_string(project.library_dir().join("learnings.md")).unwrap();
    assert!(learnings.contains("learned a thing"), "{learnings}");
}
