//! Where each pane goes for a terminal size. The views draw into these areas and the `App` uses
//! the same areas for paging and mouse hit-testing, so they always agree.

use ratatui::layout::Rect;

/// Which pane has the keys (the detail pane is wider while it has them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// Below this width the list and the detail take turns (Enter / Esc) instead of sitting side by side.
pub const SPLIT_MIN_WIDTH: u16 = 100;

/// The detail tabs, in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Overview,
    Headers,
    Body,
    Signature,
    Replay,
}

impl Tab {
    /// All tabs, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Overview,
        Tab::Headers,
        Tab::Body,
        Tab::Signature,
        Tab::Replay,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Headers => "Headers",
            Tab::Body => "Body",
            Tab::Signature => "Signature",
            Tab::Replay => "Replay",
        }
    }

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).expect("listed")
    }

    /// The label drawn in the tab bar.
    pub fn label(self) -> String {
        format!(" {} {} ", self.index() + 1, self.title())
    }
}

/// The areas of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// Top bar: listen address, forward target, counts.
    pub header: Rect,
    /// The list pane with its border, when shown.
    pub list: Option<Rect>,
    /// The list's column header row.
    pub list_head: Rect,
    /// The list's rows.
    pub list_rows: Rect,
    /// The skew panel with its border, when shown.
    pub skew: Option<Rect>,
    /// The detail pane with its border, when shown.
    pub detail: Option<Rect>,
    /// The tab bar inside the detail pane.
    pub tabs: Rect,
    /// The detail content under the tab bar.
    pub content: Rect,
    /// Bottom bar: hints, status or the filter input.
    pub bottom: Rect,
}

/// Compute the areas. `detail_focus` matters only on narrow terminals, where the detail replaces
/// the list; `skew_lines` is the skew panel's content height.
/// The skew panel's first provider after `p`: a page on (one row stays for the `1–3 of 6` line),
/// back to the first after the last. `rows` is the panel's inner height.
pub fn next_skew_page(offset: usize, providers: usize, rows: usize) -> usize {
    if providers <= rows {
        return 0;
    }
    let next = offset + rows.saturating_sub(1).max(1);
    if next >= providers { 0 } else { next }
}

pub fn areas(size: Rect, detail_focus: bool, skew_lines: u16) -> Areas {
    let mut a = Areas::default();
    if size.width < 20 || size.height < 8 {
        a.bottom = size;
        return a;
    }
    a.header = Rect { height: 1, ..size };
    a.bottom = Rect {
        y: size.bottom() - 1,
        height: 1,
        ..size
    };
    let middle = Rect {
        y: size.y + 1,
        height: size.height - 2,
        ..size
    };
    let split = size.width >= SPLIT_MIN_WIDTH;
    let (left, right) = if split {
        let lw = (size.width * 45 / 100).max(46).min(size.width - 40);
        (
            Some(Rect {
                width: lw,
                ..middle
            }),
            Some(Rect {
                x: middle.x + lw,
                width: middle.width - lw,
                ..middle
            }),
        )
    } else if detail_focus {
        (None, Some(middle))
    } else {
        (Some(middle), None)
    };
    if let Some(left) = left {
        let skew_h = (skew_lines + 2).min(left.height / 3);
        let list = Rect {
            height: left.height - skew_h,
            ..left
        };
        if skew_h >= 3 {
            a.skew = Some(Rect {
                y: list.bottom(),
                height: skew_h,
                ..left
            });
        }
        let inner = inset(list);
        a.list = Some(list);
        a.list_head = Rect {
            height: inner.height.min(1),
            ..inner
        };
        a.list_rows = Rect {
            y: inner.y + a.list_head.height,
            height: inner.height - a.list_head.height,
            ..inner
        };
    }
    if let Some(right) = right {
        let inner = inset(right);
        a.detail = Some(right);
        a.tabs = Rect {
            height: inner.height.min(1),
            ..inner
        };
        let skip = inner.height.min(2);
        a.content = Rect {
            y: inner.y + skip,
            height: inner.height - skip,
            ..inner
        };
    }
    a
}

/// The area inside a border.
pub fn inset(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// What is under a mouse position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// A row of the list (0 = the top visible row).
    ListRow(usize),
    /// The list pane outside its rows (its border, its title).
    List,
    /// A detail tab's label.
    Tab(Tab),
    /// The detail pane elsewhere.
    Detail,
    Nothing,
}

/// What is under column `x`, row `y`.
pub fn hit(a: &Areas, x: u16, y: u16) -> Hit {
    if contains(a.list_rows, x, y) {
        Hit::ListRow((y - a.list_rows.y) as usize)
    } else if contains(a.tabs, x, y) {
        tab_at(a.tabs, x).map_or(Hit::Detail, Hit::Tab)
    } else if a.detail.is_some_and(|r| contains(r, x, y)) {
        Hit::Detail
    } else if a.list.is_some_and(|r| contains(r, x, y)) {
        Hit::List
    } else {
        Hit::Nothing
    }
}

/// The tab under column `x` of the tab bar.
pub fn tab_at(tabs: Rect, x: u16) -> Option<Tab> {
    let mut left = tabs.x;
    for t in Tab::ALL {
        let w = t.label().len() as u16;
        if x >= left && x < left + w {
            return Some(t);
        }
        left += w + 1;
    }
    None
}

/// Whether a cell is inside a rectangle.
pub fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.right() && y >= r.y && y < r.bottom()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_narrow_layouts() {
        let a = areas(Rect::new(0, 0, 160, 48), false, 3);
        let (list, detail) = (a.list.unwrap(), a.detail.unwrap());
        assert_eq!(list.width + detail.width, 160);
        assert_eq!(a.list_rows.height, 48 - 2 - 5 - 3);
        assert!(a.skew.is_some());
        let n = areas(Rect::new(0, 0, 80, 24), false, 3);
        assert!(n.detail.is_none() && n.list.is_some());
        let n = areas(Rect::new(0, 0, 80, 24), true, 3);
        assert!(n.detail.is_some() && n.list.is_none());
        assert_eq!(n.content.height, 24 - 2 - 2 - 2);
    }

    #[test]
    fn tab_hit_test() {
        let tabs = Rect::new(10, 1, 60, 1);
        assert_eq!(tab_at(tabs, 10), Some(Tab::Overview));
        let body_x =
            10 + Tab::Overview.label().len() as u16 + 1 + Tab::Headers.label().len() as u16 + 1;
        assert_eq!(tab_at(tabs, body_x), Some(Tab::Body));
        assert_eq!(tab_at(tabs, 69), None);
    }
}
