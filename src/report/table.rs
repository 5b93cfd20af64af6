//! Plain aligned text tables for the reports: columns padded to their widest cell
//! (counted in characters), two spaces apart, no trailing spaces.

/// Renders `rows` under `headers`; columns whose index is in `right` are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let cols = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate().take(cols) {
            let pad = widths[i] - cell.chars().count();
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
}
