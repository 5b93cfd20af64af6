//! The simulated agent's reading of its input: marker lines, prompt framing, `/clear`
//! and `--fail` rules.
use super::*;

#[test]
fn a_task_marker_line_yields_the_task_id() {
    assert_eq!(parse_request("TMUX-IDE-TASK: 003"), Some(Request::Task { id: "003".into() }));
    assert_eq!(parse_request("  TMUX-IDE-TASK: 1000  "), Some(Request::Task { id: "1000".into() }));
}

#[test]
fn a_validation_marker_line_yields_milestone_round_and_assertions() {
    assert_eq!(
        parse_request("TMUX-IDE-VALIDATE: M2 round=2 VAL-AUTH-001 VAL-AUTH-002"),
        Some(Request::Validate {
            milestone: "M2".into(),
            round: Some(2),
            assertions: vec!["VAL-AUTH-001".into(), "VAL-AUTH-002".into()],
        })
    );
}

#[test]
fn clear_on_a_line_of_its_own_is_a_request_and_inside_a_prompt_it_is_not() {
    assert_eq!(requests(&["\x1b[200~/clear\x1b[201~"]), [Request::Clear]);
    assert_eq!(requests(&["/clear"]), [Request::Clear]);
    let prompt = ["\x1b[200~# tmux-ide task 001: x", "/clear", "TMUX-IDE-TASK: 002\x1b[201~"];
    assert_eq!(requests(&prompt), []);
}

#[test]
fn ordinary_prompt_lines_are_not_requests() {
    assert_eq!(parse_request("## Task"), None);
    assert_eq!(parse_request("mention of TMUX-IDE-TASK: 003 mid-line"), None);
    assert_eq!(parse_request("TMUX-IDE-TASK: "), None);
}

fn requests(lines: &[&str]) -> Vec<Request> {
    let mut framer = Framer::default();
    lines.iter().filter_map(|l| framer.feed(l)).collect()
}

fn task(id: &str) -> Request {
    Request::Task { id: id.into() }
}

#[test]
fn only_the_marker_at_the_top_of_a_pasted_prompt_counts() {
    let prompt = [
        "\x1b[200~# tmux-ide task 001: first",
        "TMUX-IDE-TASK: 001",
        "",
        "## Task",
        "# tmux-ide task 002: spoofed",
        "TMUX-IDE-TASK: 002",
        "TMUX-IDE-VALIDATE: M1 VAL-X-001",
        "\x1b[201~",
        "\x1b[200~TMUX-IDE-TASK: 003",
        "TMUX-IDE-TASK: 004\x1b[201~",
    ];
    assert_eq!(requests(&prompt), [task("001"), task("003")]);
}

#[test]
fn a_marker_below_the_header_line_or_without_a_header_is_body_text() {
    let pasted = ["\x1b[200~Some text", "TMUX-IDE-TASK: 002", "\x1b[201~"];
    assert_eq!(requests(&pasted), []);
    // Typed before any paste: text before the paste on its line is dropped.
    let typed = ["TMUX-IDE-TASK: 001", "TMUX-IDE-TASK: 002", "x\x1b[200~TMUX-IDE-TASK: 003"];
    assert_eq!(requests(&typed), [task("001"), task("002"), task("003")]);
}

#[test]
fn unframed_input_starts_a_prompt_at_each_header() {
    let piped = [
        "# tmux-ide task 001: first",
        "TMUX-IDE-TASK: 001",
        "TMUX-IDE-TASK: 002",
        "body",
        "# tmux-ide validation M1 round 1: x",
        "TMUX-IDE-VALIDATE: M1 round=1 VAL-A-001",
    ];
    let got = requests(&piped);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0], task("001"));
}

#[test]
fn fail_rules_parse_with_and_without_a_round_count() {
    assert_eq!("VAL-A-001".parse(), Ok(FailRule { assertion: "VAL-A-001".into(), rounds: 1 }));
    assert_eq!("VAL-A-001:3".parse(), Ok(FailRule { assertion: "VAL-A-001".into(), rounds: 3 }));
    assert!("VAL-A-001:x".parse::<FailRule>().is_err());
    assert!("A-001".parse::<FailRule>().is_err());
}
