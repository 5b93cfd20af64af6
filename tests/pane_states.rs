//! One set of state names: a pane whose program has exited reads `exited` in `status`,
//! `detect`, `orch` (text and JSON) and `metrics agents`, with no orchestrator running.
use crate::common::{TestProject, TmuxServer, wait_for};

#[test]
fn a_dead_pane_reads_exited_in_every_view() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write(
        "ide.yml",
        "name: states\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n      - title: Gone\n        role: teammate\n        command: \"sh -c 'exit 127'\"\n",
    );
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let run = |args: &[&str]| {
        let out = tmux.on(p.cmd()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let status = wait_for("the pane to die", std::time::Duration::from_secs(10), || {
        let json: serde_json::Value = serde_json::from_str(&run(&["--json", "status"])).ok()?;
        let gone = json["panes"].as_array()?.iter().find(|p| p["title"] == "Gone")?.clone();
        (gone["dead"] == true).then(|| run(&["status"]))
    });
    let row = |text: &str| -> String {
        text.lines().find(|l| l.contains("Gone")).unwrap_or_default().to_string()
    };
    assert!(row(&status).contains("exited"), "{status}");
    let detect = run(&["detect"]);
    assert!(row(&detect).split_whitespace().any(|w| w == "exited"), "{detect}");
    let detect: serde_json::Value = serde_json::from_str(&run(&["--json", "detect"])).unwrap();
    let gone = detect["panes"].as_array().unwrap().iter().find(|p| p["title"] == "Gone").unwrap();
    assert_eq!(gone["state"], "exited", "{detect}");

    let orch = run(&["orch"]);
    assert_eq!(row(&orch).split_whitespace().nth(1), Some("exited"), "{orch}");
    let orch: serde_json::Value = serde_json::from_str(&run(&["--json", "orch"])).unwrap();
    let agents = orch["agents"]["agents"].as_array().expect("agents in orch --json");
    let gone = agents.iter().find(|a| a["pane"] == "Gone").unwrap();
    assert_eq!(gone["state"], "exited", "{orch}");
    let metrics = run(&["metrics", "agents"]);
    assert!(row(&metrics).split_whitespace().any(|w| w == "exited"), "{metrics}");
}
