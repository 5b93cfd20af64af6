//! Layout windows: ide.yml's `windows:` (each a name and its own `rows:`) beside the
//! single-window form (top-level `rows:`, one window named `ide`), and the geometry rule
//! both `config validate` and the session builder apply: how a window's cells split
//! between its rows and panes, and whether every pane gets its minimum size.
use serde::{Deserialize, Serialize};

use super::model::{Config, Pane, Percent, Row};
use super::validate::Problem;

/// One window of the `windows:` form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// The tmux window name (unique; not `orchestrator` or `dashboard`).
    pub name: String,
    pub rows: Vec<Row>,
}

/// Name of the window holding a single-window layout (top-level `rows:`).
pub const SINGLE_WINDOW: &str = "ide";
/// Names of the helper windows, which layout windows may not take.
pub const HELPER_WINDOWS: [&str; 2] = ["orchestrator", "dashboard"];

/// A pane needs at least this many columns...
pub const MIN_PANE_WIDTH: u32 = 10;
/// ... and this many lines (its border line not counted).
pub const MIN_PANE_HEIGHT: u32 = 2;
/// The window size `up` builds at when neither `--size` nor a terminal says otherwise.
pub const DEFAULT_SIZE: (u32, u32) = (200, 50);

/// A layout window as the builder sees it, whichever form ide.yml uses.
#[derive(Debug, Clone, Copy)]
pub struct LayoutWindow<'a> {
    pub name: &'a str,
    pub rows: &'a [Row],
    /// Its index in `windows:`, `None` for the single-window form (error paths differ).
    pub index: Option<usize>,
}

impl LayoutWindow<'_> {
    /// Where this window's rows are in ide.yml: `rows` or `windows[1].rows`.
    pub fn rows_path(&self) -> String {
        match self.index {
            None => "rows".into(),
            Some(w) => format!("windows[{w}].rows"),
        }
    }

    /// The ide.yml path of one pane: `rows[0].panes[2]`, `windows[1].rows[0].panes[2]`.
    pub fn pane_path(&self, row: usize, pane: usize) -> String {
        format!("{}[{row}].panes[{pane}]", self.rows_path())
    }

    /// Its panes, row by row, left to right.
    pub fn panes(&self) -> impl Iterator<Item = &Pane> {
        self.rows.iter().flat_map(|row| row.panes.iter())
    }
}

impl Config {
    /// The layout windows in order: each of `windows:`, or the one window of `rows:`.
    pub fn layout_windows(&self) -> Vec<LayoutWindow<'_>> {
        if self.windows.is_empty() {
            return vec![LayoutWindow { name: SINGLE_WINDOW, rows: &self.rows, index: None }];
        }
        let each = self.windows.iter().enumerate();
        each.map(|(w, win)| LayoutWindow { name: &win.name, rows: &win.rows, index: Some(w) })
            .collect()
    }

    /// `6 panes in 2 rows`, or `60 panes in 3 windows`: what `config validate` reports.
    pub fn shape(&self) -> String {
        let panes = self.panes().count();
        if self.windows.is_empty() {
            format!("{panes} panes in {} rows", self.rows.len())
        } else {
            format!("{panes} panes in {} windows", self.windows.len())
        }
    }

    /// The name of the window holding the pane titled `title`.
    pub fn window_of(&self, title: &str) -> Option<&str> {
        let windows = self.layout_windows();
        windows.into_iter().find(|w| w.panes().any(|p| p.title == title)).map(|w| w.name)
    }
}

/// Splits `total` cells between siblings sized in percent (unsized ones share what the
/// others leave); the parts add up to `total` exactly (largest remainder).
pub fn cell_sizes(total: u32, sizes: &[Option<Percent>]) -> Vec<u32> {
    let explicit: u32 = sizes.iter().flatten().map(|p| u32::from(p.0)).sum();
    let unsized_count = sizes.iter().filter(|s| s.is_none()).count() as u32;
    let whole = if unsized_count > 0 { 100.max(explicit) } else { explicit.max(1) };
    let share = if unsized_count > 0 {
        f64::from(whole - explicit) / f64::from(unsized_count)
    } else {
        0.0
    };
    let targets: Vec<f64> = sizes
        .iter()
        .map(|s| {
            let pct = s.map(|p| f64::from(p.0)).unwrap_or(share);
            f64::from(total) * pct / f64::from(whole)
        })
        .collect();
    let mut cells: Vec<u32> = targets.iter().map(|t| t.floor() as u32).collect();
    let mut left = total.saturating_sub(cells.iter().sum());
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (targets[a] - targets[a].floor(), targets[b] - targets[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for i in order.into_iter().cycle().take(targets.len() * 2) {
        if left == 0 {
            break;
        }
        cells[i] += 1;
        left -= 1;
    }
    cells
}

/// How a window's cells are shared: each row's lines (without its border line) and,
/// per row, each pane's columns (without the separators between them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowCells {
    pub heights: Vec<u32>,
    pub widths: Vec<Vec<u32>>,
}

/// The cells of a `width`×`height` window holding `rows`, or why a pane would get less
/// than [`MIN_PANE_WIDTH`]×[`MIN_PANE_HEIGHT`]: the one rule of whether a window can be
/// built, applied by `config validate` and by `up` before it starts tmux.
pub fn window_cells(rows: &[Row], width: u32, height: u32) -> Result<WindowCells, String> {
    let n = rows.len() as u32;
    let row_sizes: Vec<Option<Percent>> = rows.iter().map(|r| r.size).collect();
    // Every row has one border line (pane-border-status top).
    let heights = cell_sizes(height.saturating_sub(n), &row_sizes);
    if let Some(r) = heights.iter().position(|&h| h < MIN_PANE_HEIGHT) {
        return Err(format!(
            "{n} rows do not fit {height} lines (row {r} would get {}; a pane needs at least \
             {MIN_PANE_HEIGHT} lines and a border line)",
            heights[r]
        ));
    }
    let mut widths = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let m = row.panes.len() as u32;
        let sizes: Vec<Option<Percent>> = row.panes.iter().map(|p| p.size).collect();
        let cells = cell_sizes(width.saturating_sub(m.saturating_sub(1)), &sizes);
        if let Some(p) = cells.iter().position(|&w| w < MIN_PANE_WIDTH) {
            return Err(format!(
                "row {r}: {m} panes do not fit {width} columns (pane {p} would get {}; a pane \
                 needs at least {MIN_PANE_WIDTH} columns and a separator)",
                cells[p]
            ));
        }
        widths.push(cells);
    }
    Ok(WindowCells { heights, widths })
}

/// Every layout window that cannot be built at `width`×`height`, as problems naming the
/// window's rows and the way out (fewer panes per window, more windows, a larger size).
pub fn fit_problems(config: &Config, width: u32, height: u32) -> Vec<Problem> {
    let mut problems = Vec::new();
    for window in config.layout_windows() {
        if let Err(why) = window_cells(window.rows, width, height) {
            problems.push(Problem {
                path: window.rows_path(),
                message: format!(
                    "{why}; spread the panes over more windows (`windows:`) or build larger \
                     than {width}x{height} (`up --size`)"
                ),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u8) -> Option<Percent> {
        Some(Percent(n))
    }

    #[test]
    fn cells_follow_percentages_and_add_up() {
        assert_eq!(cell_sizes(48, &[p(70), p(30)]), vec![34, 14]);
        assert_eq!(cell_sizes(198, &[None, None, None]), vec![66, 66, 66]);
        assert_eq!(cell_sizes(100, &[p(50), None, None]), vec![50, 25, 25]);
        assert_eq!(cell_sizes(10, &[p(30), p(30)]), vec![5, 5]);
        assert_eq!(cell_sizes(7, &[None, None]).iter().sum::<u32>(), 7);
    }

    fn rows(shape: &[usize]) -> Vec<Row> {
        let pane = Pane::default();
        shape.iter().map(|&m| Row { size: None, panes: vec![pane.clone(); m] }).collect()
    }

    #[test]
    fn a_window_fits_while_every_pane_gets_its_minimum() {
        let cells = window_cells(&rows(&[3, 2]), 200, 50).unwrap();
        assert_eq!(cells.heights, [24, 24]);
        assert_eq!(cells.widths, [vec![66, 66, 66], vec![100, 99]]);
        // 18 panes of 10 columns and 17 separators fill 197 columns; 19 do not fit.
        assert!(window_cells(&rows(&[18]), 200, 50).is_ok());
        let err = window_cells(&rows(&[19]), 200, 50).unwrap_err();
        assert!(err.starts_with("row 0: 19 panes do not fit 200 columns"), "{err}");
        // 16 rows of 2 lines and a border each fill 48 lines; 17 do not fit.
        assert!(window_cells(&rows(&[1; 16]), 200, 50).is_ok());
        let err = window_cells(&rows(&[1; 17]), 200, 50).unwrap_err();
        assert!(err.starts_with("17 rows do not fit 50 lines"), "{err}");
    }

    #[test]
    fn the_single_window_form_is_one_window_named_ide() {
        let c = Config::parse("rows:\n  - panes: [{title: A}]\n").unwrap();
        let windows = c.layout_windows();
        assert_eq!(windows.len(), 1);
        assert_eq!((windows[0].name, windows[0].index), (SINGLE_WINDOW, None));
        assert_eq!(windows[0].pane_path(0, 0), "rows[0].panes[0]");
        assert_eq!(c.window_of("A"), Some("ide"));
    }

    #[test]
    fn the_windows_form_numbers_untitled_panes_over_every_window() {
        let c = Config::parse(
            "windows:\n  - name: a\n    rows:\n      - panes: [{command: claude}, {}]\n  - name: b\n    rows:\n      - panes: [{}]\n",
        )
        .unwrap();
        let titles: Vec<&str> = c.panes().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Pane 1", "Pane 2", "Pane 3"]);
        assert_eq!(c.window_of("Pane 3"), Some("b"));
        assert_eq!(c.layout_windows()[1].pane_path(0, 0), "windows[1].rows[0].panes[0]");
        assert_eq!(c.shape(), "3 panes in 2 windows");
        assert!(c.rows.is_empty());
    }
}
