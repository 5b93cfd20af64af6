//! `validate run` stays bounded: a verify command printing hundreds of megabytes keeps a
//! bounded head and tail as evidence in bounded memory, and a `setsid` grandchild that
//! holds the output pipe open does not stretch the timeout.
use std::time::{Duration, Instant};

use crate::common::TestProject;

fn project_with_check(verify: &str) -> TestProject {
    let p = TestProject::new();
    p.write(
        ".tasks/validation-contract.md",
        &format!("## Checks\n- **VAL-BIG-001**: the check\n  verify: {verify}\n"),
    );
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", "all", "--milestone", "M1", "--fulfills", "VAL-BIG-001"]);
    p
}

fn evidence(p: &TestProject) -> String {
    let plan: serde_json::Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    plan["assertions"]["VAL-BIG-001"]["evidence"].as_str().unwrap().to_string()
}

/// Runs `tmux-ide ARGS` and returns its exit status and the highest peak resident set
/// (VmHWM, KiB) seen while it ran. Polled from /proc rather than taken from wait4: the
/// rusage of a spawned child also counts the (large) test process it was forked from.
fn run_measured(p: &TestProject, args: &[&str]) -> (std::process::ExitStatus, u64) {
    let mut cmd = p.std_cmd();
    cmd.args(args);
    cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak = peak.max(hwm.unwrap_or(0));
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        assert!(Instant::now() < deadline, "tmux-ide {args:?} did not finish");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn hundreds_of_megabytes_of_output_keep_a_bounded_evidence_in_bounded_memory() {
    // One line with no newline, so the last-lines rule alone would keep all of it.
    let p = project_with_check("head -c 400000000 /dev/zero | tr '\\0' y");
    let (status, peak_kib) = run_measured(&p, &["validate", "run", "--timeout", "120"]);
    assert!(status.success(), "{status}");
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");
    let evidence = evidence(&p);
    assert!(evidence.starts_with("exit 0 — head -c 400000000"), "{}", &evidence[..80]);
    assert!(evidence.len() <= 128 * 1024 + 200, "{} bytes of evidence", evidence.len());
    let omitted = 400_000_000 - 128 * 1024;
    assert!(evidence.contains(&format!("\n[… {omitted} bytes omitted …]\n")));
}

#[test]
fn a_setsid_grandchild_holding_stdout_does_not_outlast_the_timeout() {
    let p = project_with_check("echo started; setsid sleep 8 & sleep 30");
    let start = Instant::now();
    let out = p.run(&["validate", "run", "--timeout", "2"]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let evidence = evidence(&p);
    assert!(evidence.starts_with("timed out after 2s — echo started;"), "{evidence}");
    assert!(evidence.ends_with("\nstarted"), "{evidence}");
}

#[test]
fn a_command_that_exits_while_a_setsid_grandchild_holds_stdout_returns_at_once() {
    let p = project_with_check("setsid sleep 8 & echo done");
    let start = Instant::now();
    let out = p.run(&["validate", "run", "--timeout", "20"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert!(evidence(&p).ends_with("\ndone"), "{}", evidence(&p));
}

#[test]
fn a_timeout_out_of_range_is_refused_with_one_line() {
    let p = project_with_check("true");
    for bad in ["0", "18446744073709551615"] {
        let out = p.run(&["validate", "run", "--timeout", bad]);
        assert_eq!(out.status.code(), Some(2), "--timeout {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(bad) && err.contains("1..=86400"), "{err}");
    }
}
