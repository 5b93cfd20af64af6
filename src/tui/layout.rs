//! Where the live view's panels go. Each panel is as tall as what it holds, within what
//! the terminal has, rather than a fixed quarter: three agents need five rows, not half
//! the screen. Pure arithmetic on rows and rectangles, tested without a terminal.
use ratatui::layout::Rect;

use super::app::Panel;

/// Narrower than this the panels stack in one column: two 40-column halves of an 80-column
/// terminal cut every task title.
pub const TWO_COLUMNS_FROM: u16 = 120;

/// Rows a panel never goes below while there is room: its title and one line.
const MIN_ROWS: u16 = 2;

/// How many rows one panel would like, and how much it matters when rows are short.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    pub panel: Panel,
    /// Its content plus its border rows; `u16::MAX` for a panel that takes what is left.
    pub rows: u16,
    /// Lower is served first.
    pub rank: u8,
}

/// Heights for `wants` stacked in `avail` rows, in their order. Every panel first gets
/// [`MIN_ROWS`] (by rank, while rows last), then by rank what it wants; rows still left
/// go to the last panel, so the column is always filled.
pub fn stack(wants: &[Want], avail: u16) -> Vec<u16> {
    let mut by_rank: Vec<usize> = (0..wants.len()).collect();
    by_rank.sort_by_key(|&i| wants[i].rank);
    let mut heights = vec![0u16; wants.len()];
    let mut left = avail;
    for &i in &by_rank {
        let h = MIN_ROWS.min(wants[i].rows).min(left);
        heights[i] = h;
        left -= h;
    }
    for &i in &by_rank {
        let more = wants[i].rows.saturating_sub(heights[i]).min(left);
        heights[i] += more;
        left -= more;
    }
    if let Some(last) = heights.last_mut() {
        *last += left;
    }
    heights
}

/// The panels of a column in `area`, top to bottom, each with its rectangle; a panel
/// given no rows is left out.
pub fn column(area: Rect, wants: &[Want]) -> Vec<(Panel, Rect)> {
    let mut y = area.y;
    let mut out = Vec::new();
    for (want, h) in wants.iter().zip(stack(wants, area.height)) {
        if h > 0 {
            out.push((want.panel, Rect { y, height: h, ..area }));
            y += h;
        }
    }
    out
}

/// Every panel's rectangle in `body`: one column when narrow (Mission, Agents, Queue,
/// Events), else Mission over Queue beside Agents over Events. `rows` says how many rows
/// each panel wants, borders included.
pub fn grid(body: Rect, rows: impl Fn(Panel) -> u16) -> Vec<(Panel, Rect)> {
    let want = |panel, rank| Want { panel, rows: rows(panel), rank };
    let events = Want { panel: Panel::Events, rows: u16::MAX, rank: 3 };
    if body.width < TWO_COLUMNS_FROM {
        // Who works on what first, then where the mission stands, then what waits.
        let wants =
            [want(Panel::Mission, 1), want(Panel::Agents, 0), want(Panel::Queue, 2), events];
        return column(body, &wants);
    }
    let left = Rect { width: body.width / 2, ..body };
    let right = Rect { x: body.x + left.width, width: body.width - left.width, ..body };
    let queue = Want { rows: u16::MAX, ..want(Panel::Queue, 1) };
    let mut out = column(left, &[want(Panel::Mission, 0), queue]);
    out.extend(column(right, &[want(Panel::Agents, 0), events]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(rows: u16, rank: u8) -> Want {
        Want { panel: Panel::Mission, rows, rank }
    }

    #[test]
    fn panels_get_what_they_hold_and_the_last_the_rest() {
        assert_eq!(stack(&[w(5, 0), w(4, 1), w(u16::MAX, 2)], 21), [5, 4, 12]);
    }

    #[test]
    fn short_rows_go_by_rank_after_every_panel_has_its_minimum() {
        // 12 rows: minimums 2+2+2, then rank 0 (the second) to 6, then 2 more for rank 1.
        assert_eq!(stack(&[w(8, 1), w(6, 0), w(u16::MAX, 2)], 12), [4, 6, 2]);
        assert_eq!(stack(&[w(8, 1), w(6, 0), w(u16::MAX, 2)], 3), [1, 2, 0]);
    }

    #[test]
    fn heights_always_add_up_to_the_rows_there_are() {
        for avail in 0..60 {
            for a in 0..12 {
                let h = stack(&[w(a, 2), w(7, 0), w(3, 1), w(u16::MAX, 3)], avail);
                assert_eq!(h.iter().sum::<u16>(), avail, "{avail} rows, {a}: {h:?}");
            }
        }
    }

    #[test]
    fn narrow_terminals_stack_one_column_and_wide_ones_two() {
        let rows = |_| 5;
        let narrow = grid(Rect::new(0, 2, 80, 21), rows);
        assert!(narrow.iter().all(|(_, r)| r.width == 80), "{narrow:?}");
        let order: Vec<Panel> = narrow.iter().map(|(p, _)| *p).collect();
        assert_eq!(order, Panel::ALL);
        let wide = grid(Rect::new(0, 2, 160, 40), rows);
        assert!(wide.iter().all(|(_, r)| r.width == 80), "{wide:?}");
        assert_eq!(wide.len(), 4);
    }
}
