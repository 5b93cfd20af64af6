//! Numbers given as flags are bounded: out of range is exit 2 with one line naming the
//! value and what is allowed; a bad value holding control characters is named whole,
//! escaped, on that one line.
use crate::common::TestProject;

/// Asserts exit 2 and one stderr line containing every `want`.
fn refused(p: &TestProject, args: &[&str], want: &[&str]) {
    let out = p.run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    for w in want {
        assert!(err.contains(w), "{w:?} not in the line of {args:?}: {err}");
    }
}

#[test]
fn demo_sim_and_milestone_numbers_out_of_range_are_refused() {
    let p = TestProject::new();
    refused(&p, &["demo", "--timeout", "0"], &["'0'", "--timeout", "1..=86400"]);
    refused(&p, &["demo", "--timeout", "86401"], &["'86401'", "1..=86400"]);
    refused(&p, &["demo", "--work-ms", "600001"], &["'600001'", "--work-ms", "0..=600000"]);
    refused(&p, &["agent", "sim", "--work-ms", "18446744073709551615"], &["0..=600000"]);
    p.ok(&["mission", "set", "M"]);
    refused(
        &p,
        &["milestone", "create", "Far", "--sequence", "1000000000"],
        &["'1000000000'", "--sequence", "1..=999999999"],
    );
    refused(
        &p,
        &["milestone", "create", "Zero", "--sequence", "0"],
        &["--sequence 0 is not allowed (sequences start at 1)"],
    );
    p.ok(&["milestone", "create", "Last", "--sequence", "999999999"]);
    assert!(p.ok(&["milestone", "list"]).contains("M999999999"));
}

#[test]
fn a_bad_value_with_a_newline_or_bidi_override_is_named_whole_and_escaped() {
    let p = TestProject::new();
    refused(&p, &["task", "create", "x", "--priority", "1\n2"], &["'1\\n2'", "1..=9"]);
    refused(&p, &["up", "--size", "80x\n24\u{202E}"], &["'80x\\n24<U+202E>'", "--size"]);
    refused(&p, &["ta\nsk"], &["'ta\\nsk'"]);
    let out = p.run(&["task", "create", "x", "--priority", "9\u{1b}]52;c;aGk=\u{7}"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}]52"), "{err}");
}
