//! The text half of a body comparison: a line diff (Myers, by `similar`) in hunks with
//! [`CONTEXT`] lines of context.
//!
//! Lines are split and hashed here, once each, and compared by hash first. `similar`'s own text diff would split them char by char and then
//! intern every line in a SipHash map, which was most of the cost on megabyte bodies; the diff
//! itself is the same (a test compares the two).

use super::body::{BodyChanges, DIFF_DEADLINE, Hunk, HunkLine, MAX_HUNK_LINES};
use similar::{Algorithm, DiffTag};
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Instant;

/// Lines of context around a changed line.
const CONTEXT: usize = 3;

/// One line of a text body (with its line ending) and a hash of it, so that the diff compares
/// two different lines in one step; equal hashes are confirmed on the text.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    hash: u64,
    text: &'a str,
}

impl PartialEq for Line<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Line<'_> {}

impl Hash for Line<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialOrd for Line<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Line<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(other.text)
    }
}

/// The lines of `s`, each ending after `\n`, `\r\n` or a lone `\r` (the last one may have no
/// ending), as `similar`'s line diff splits them.
fn split_lines<'a>(s: &'a str, hasher: &impl BuildHasher) -> Vec<Line<'a>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    let mut start = 0;
    let mut push = |text: &'a str| {
        out.push(Line {
            hash: hasher.hash_one(text),
            text,
        })
    };
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if i < start {
            continue; // the \n of a \r\n
        }
        let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
        push(&s[start..end]);
        start = end;
    }
    if start < bytes.len() {
        push(&s[start..]);
    }
    out
}

/// Both bodies as lines of text, compared.
pub(super) fn lines(a: &str, b: &str) -> BodyChanges {
    let hasher = foldhash::fast::FixedState::default();
    let (la, lb) = (split_lines(a, &hasher), split_lines(b, &hasher));
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &la,
        &lb,
        Some(Instant::now() + DIFF_DEADLINE),
    );
    let (mut added, mut removed) = (0, 0);
    for op in &ops {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        removed += old.len();
        added += new.len();
    }
    let mut hunks = Vec::new();
    let mut listed = 0;
    let mut more = 0;
    for group in similar::group_diff_ops(ops, CONTEXT) {
        let Some(first) = group.first() else { continue };
        let mut hunk = Hunk {
            left_line: first.old_range().start + 1,
            right_line: first.new_range().start + 1,
            lines: Vec::new(),
        };
        for op in &group {
            let (tag, old, new) = op.as_tag_tuple();
            let (left, right): (&[Line], &[Line]) = match tag {
                DiffTag::Equal => (&la[old], &[]),
                _ => (&la[old], &lb[new]),
            };
            let left_tag = if tag == DiffTag::Equal { " " } else { "-" };
            let tagged = left
                .iter()
                .map(|l| (left_tag, l))
                .chain(right.iter().map(|l| ("+", l)));
            for (tag, line) in tagged {
                if listed >= MAX_HUNK_LINES {
                    more += 1;
                    continue;
                }
                listed += 1;
                hunk.lines.push(HunkLine {
                    tag,
                    text: line
                        .text
                        .trim_end_matches('\n')
                        .trim_end_matches('\r')
                        .to_string(),
                });
            }
        }
        if !hunk.lines.is_empty() {
            hunks.push(hunk);
        }
    }
    BodyChanges::Lines {
        hunks,
        added,
        removed,
        more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hunks `similar`'s own text diff gives (what `lines` computed before it split and
    /// hashed the lines itself).
    fn text_diff_hunks(a: &str, b: &str) -> (Vec<Hunk>, usize, usize) {
        let diff = similar::TextDiff::configure()
            .algorithm(Algorithm::Myers)
            .diff_lines(a, b);
        let (mut added, mut removed) = (0, 0);
        let mut hunks = Vec::new();
        for group in diff.grouped_ops(CONTEXT) {
            let mut hunk = Hunk {
                left_line: group[0].old_range().start + 1,
                right_line: group[0].new_range().start + 1,
                lines: Vec::new(),
            };
            for op in &group {
                for change in diff.iter_changes(op) {
                    let tag = match change.tag() {
                        similar::ChangeTag::Equal => " ",
                        similar::ChangeTag::Delete => "-",
                        similar::ChangeTag::Insert => "+",
                    };
                    removed += usize::from(tag == "-");
                    added += usize::from(tag == "+");
                    let text = change.value().trim_end_matches('\n');
                    hunk.lines.push(HunkLine {
                        tag,
                        text: text.trim_end_matches('\r').to_string(),
                    });
                }
            }
            hunks.push(hunk);
        }
        (hunks, added, removed)
    }

    #[test]
    fn line_diff_agrees_with_similars_text_diff() {
        let mut rng = fastrand::Rng::with_seed(18);
        let endings = ["\n", "\r\n", "\r", ""];
        for round in 0..200 {
            // Few distinct words, so lines repeat and the diff has choices to make.
            let n = rng.usize(0..if round % 2 == 0 { 20 } else { 300 });
            let line = |rng: &mut fastrand::Rng| {
                let word = ["alpha", "beta", "", "gamma", "δέλτα"][rng.usize(..5)];
                format!("{word}{}", endings[rng.usize(..endings.len())])
            };
            let a: Vec<String> = (0..n).map(|_| line(&mut rng)).collect();
            let mut b = a.clone();
            for _ in 0..rng.usize(0..6) {
                match rng.usize(..3) {
                    0 if !b.is_empty() => {
                        b.remove(rng.usize(..b.len()));
                    }
                    1 => {
                        let at = rng.usize(..=b.len());
                        b.insert(at, line(&mut rng));
                    }
                    _ if !b.is_empty() => {
                        let at = rng.usize(..b.len());
                        b[at] = line(&mut rng);
                    }
                    _ => {}
                }
            }
            let (a, b) = (a.concat(), b.concat());
            let BodyChanges::Lines {
                hunks,
                added,
                removed,
                more,
            } = lines(&a, &b)
            else {
                panic!("lines")
            };
            let (want, want_added, want_removed) = text_diff_hunks(&a, &b);
            assert_eq!(
                (hunks, added, removed, more),
                (want, want_added, want_removed, 0),
                "{a:?} vs {b:?}"
            );
        }
    }
}
