//! `task done` while an orchestrator takes requests on its socket: a request whose
//! connection is lost before the reply is still applied exactly once, by the command
//! itself unless the orchestrator had already committed it (even if the task was reopened
//! since).
use std::io::{BufRead as _, BufReader};
use std::os::unix::net::UnixListener;

use crate::common::TestProject;
use crate::store_seed::plan_auth_v2;
use tmux_ide::plan::{Store, library};
use tmux_ide::project::Project;

/// Stands in for an orchestrator: takes one request, hands it to `then`, and hangs up
/// without a reply.
fn one_request_then_hang_up(
    p: &TestProject,
    then: impl FnOnce(serde_json::Value) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    let run = p.path().join(".tmux-ide/run");
    std::fs::create_dir_all(&run).unwrap();
    let listener = UnixListener::bind(run.join("requests.sock")).unwrap();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        let request: serde_json::Value = serde_json::from_str(&line).unwrap();
        then(request["task_done"].clone());
    })
}

fn task_done_events(p: &TestProject) -> usize {
    p.read(".tasks/events.jsonl").lines().filter(|l| l.contains("\"type\":\"task_done\"")).count()
}

#[test]
fn a_request_lost_before_its_commit_is_applied_by_the_command() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let server = one_request_then_hang_up(&p, |_| {});
    let out = p.ok(&["task", "done", "001", "--proof", "tests pass", "--summary", "use jose"]);
    server.join().unwrap();
    assert_eq!(out.trim(), "Task 001 done");
    assert_eq!(p.task_status("001"), "done");
    assert_eq!(task_done_events(&p), 1);
    assert_eq!(p.read(".tmux-ide/library/learnings.md").matches("## Task 001").count(), 1);
}

#[test]
fn a_request_committed_before_the_connection_was_lost_is_not_applied_twice() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let root = p.path().to_path_buf();
    let server = one_request_then_hang_up(&p, move |r| {
        // What the orchestrator's writer does with it, through the same library calls.
        let project = Project::at(&root);
        let now: jiff::Timestamp = r["now"].as_str().unwrap().parse().unwrap();
        let (id, proof, summary) =
            (r["id"].as_str().unwrap(), r["proof"].as_str().unwrap(), r["summary"].as_str());
        Store::new(&project)
            .update_then(
                |plan, events| library::finish(&project, plan, events, id, proof, summary, now),
                |(task, library)| library.append(task, now),
            )
            .unwrap();
        // Then reopened (as a merge conflict does) before the command looks again.
        Store::new(&project)
            .update(|plan, _| {
                let task = plan.tasks.iter_mut().find(|t| t.id == "001").unwrap();
                task.status = tmux_ide::plan::TaskStatus::InProgress;
                Ok(())
            })
            .unwrap();
    });
    let out = p.ok(&["task", "done", "001", "--proof", "tests pass", "--summary", "use jose"]);
    server.join().unwrap();
    assert_eq!(out.trim(), "Task 001 done");
    assert_eq!(task_done_events(&p), 1);
    assert_eq!(p.read(".tmux-ide/library/learnings.md").matches("## Task 001").count(), 1);
    // Its finish was found in the log: the reopened task is left open.
    assert_eq!(p.task_status("001"), "in_progress");
}
