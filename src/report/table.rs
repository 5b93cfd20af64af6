//! Plain aligned text tables for every text listing: columns padded to their widest cell
//! in terminal columns (CJK and emoji count two), two spaces apart, no trailing spaces.
//! Cells are escaped here, so no listing can print a newline or an escape sequence.
use super::text::{one_line, width};

/// Renders `rows` under `headers`; columns whose index is in `right` are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let cols = headers.len();
    let header: Vec<String> = headers.iter().map(|h| one_line(h)).collect();
    let rows: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().take(cols).map(|c| one_line(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - width(cell);
            if i > 0 {
                line.push_str("  ");
            }
            if right.contains(&i) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Rows aligned as by [`table`] with no header line.
pub fn rows_only(rows: &[Vec<String>], right: &[usize]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let text = table(&vec![""; cols], rows, right);
    text.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_to_the_widest_cell_without_trailing_spaces() {
        let rows = vec![
            vec!["Backend".into(), "3".into(), "".into()],
            vec!["Fé".into(), "12".into(), "x".into()],
        ];
        assert_eq!(
            table(&["PANE", "N", "NOTE"], &rows, &[1]),
            "PANE      N  NOTE\nBackend   3\nFé       12  x\n"
        );
    }

    #[test]
    fn wide_titles_align_by_terminal_columns() {
        let rows = vec![
            vec!["001".into(), "認証スキーマ".into(), "todo".into()],
            vec!["002".into(), "Ship 🚀 it".into(), "done".into()],
            vec!["003".into(), "plain".into(), "todo".into()],
        ];
        insta::assert_snapshot!(table(&["ID", "TITLE", "STATUS"], &rows, &[]), @r"
        ID   TITLE         STATUS
        001  認証スキーマ  todo
        002  Ship 🚀 it    done
        003  plain         todo
        ");
    }

    #[test]
    fn a_cell_with_a_newline_or_an_escape_stays_on_its_row() {
        let rows = vec![
            vec!["001".into(), "two\nlines".into(), "x".into()],
            vec!["002".into(), "\u{1b}]0;pwned\u{7}".into(), "y".into()],
        ];
        let out = table(&["ID", "TITLE", "N"], &rows, &[]);
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
        assert!(out.contains("two\\nlines"), "{out}");
    }
}
