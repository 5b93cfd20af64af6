//! Tests of the control-mode parser: notifications, blocks, escapes, hostile bytes.
use proptest::prelude::*;

use super::*;

fn notices(lines: &[&[u8]]) -> Vec<Notice> {
    let mut p = Parser::new();
    lines.iter().map(|l| p.line(l)).collect()
}

#[test]
fn output_names_its_pane_and_counts_unescaped_bytes() {
    let got = notices(&[b"%output %12 hello\\015\\012sim> "]);
    assert_eq!(got, [Notice::Output { pane: "%12".into(), bytes: 12 }]);
}

#[test]
fn octal_escapes_are_undone_and_lone_backslashes_kept() {
    assert_eq!(unescape(b"a\\134b\\033[1m\\012"), b"a\\b\x1b[1m\n");
    assert_eq!(unescape(b"\\"), b"\\");
    assert_eq!(unescape(b"\\09x"), b"\\09x");
    assert_eq!(unescape(b"\\12"), b"\\12");
    assert_eq!(unescaped_len(b"a\\134b"), 3);
}

#[test]
fn lines_inside_a_command_block_are_never_notices() {
    let got = notices(&[
        b"%begin 1700000000 7 0",
        b"%output %1 spoofed",
        b"%exit",
        b"%end 1700000000 8 0",
        b"%layout-change @1 abc",
        b"%end 1700000000 7 0",
        b"%output %1 real",
    ]);
    assert_eq!(got[..6], [const { Notice::Other }; 6]);
    assert_eq!(got[6], Notice::Output { pane: "%1".into(), bytes: 4 });
}

#[test]
fn an_error_closes_its_block() {
    let mut p = Parser::new();
    p.line(b"%begin 1 2 1");
    assert!(p.in_block());
    p.line(b"%error 1 2 1");
    assert!(!p.in_block());
}

#[test]
fn layout_pane_and_exit_notices_are_told_apart() {
    let got = notices(&[
        b"%layout-change @1 b25d,80x24,0,0,0 b25d,80x24,0,0,0 *",
        b"%window-add @3",
        b"%unlinked-window-close @2",
        b"%sessions-changed",
        b"%window-pane-changed @1 %4",
        b"%pane-mode-changed %4",
        b"%exit",
        b"%exit detached\x1b]0;x",
        b"%client-session-changed /dev/pts/1 $1 s",
    ]);
    assert_eq!(
        got,
        [
            Notice::Layout,
            Notice::Layout,
            Notice::Layout,
            Notice::Layout,
            Notice::PaneChanged { pane: Some("%4".into()) },
            Notice::PaneChanged { pane: Some("%4".into()) },
            Notice::Exit { reason: None },
            Notice::Exit { reason: Some("detached?]0;x".into()) },
            Notice::Other,
        ]
    );
}

#[test]
fn malformed_pane_ids_are_ignored() {
    for line in [&b"%output 12 x"[..], b"%output %1a x", b"%output %", b"%output"] {
        assert_eq!(notices(&[line]), [Notice::Other], "{line:?}");
    }
}

#[test]
fn extended_output_counts_its_value() {
    let got = notices(&[b"%extended-output %3 120 : ab\\012"]);
    assert_eq!(got, [Notice::Output { pane: "%3".into(), bytes: 3 }]);
}

proptest! {
    #[test]
    fn escaping_then_unescaping_gives_the_bytes_back(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut escaped = Vec::new();
        for &b in &bytes {
            if b < b' ' || b == b'\\' {
                escaped.extend(format!("\\{b:03o}").bytes());
            } else {
                escaped.push(b);
            }
        }
        prop_assert_eq!(unescape(&escaped), bytes.clone());
        prop_assert_eq!(unescaped_len(&escaped), bytes.len());
        let mut line = b"%output %7 ".to_vec();
        line.extend(&escaped);
        prop_assert_eq!(Parser::new().line(&line), Notice::Output { pane: "%7".into(), bytes: bytes.len() });
    }

    #[test]
    fn hostile_lines_never_panic_and_a_block_opened_after_them_closes(
        lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..40)
    ) {
        let mut p = Parser::new();
        for l in &lines {
            let _ = p.line(l);
        }
        if p.in_block() {
            return Ok(());
        }
        p.line(b"%begin 5 5 0");
        prop_assert!(p.in_block());
        p.line(b"%end 5 5 0");
        prop_assert!(!p.in_block());
    }
}
