//! The body half of a comparison: JSON values when both bodies parse, else lines of text when
//! both are UTF-8, else bytes. The first differing byte offset is computed in every case.
//!
//! JSON is compared in `json.rs`, lines in `lines.rs`, bytes here.
//!
//! Sizes: a 5 MiB pair is compared within 200 ms (see `benches/diff.rs`). The line and byte
//! diffs (`similar`, Myers) stop refining after [`DIFF_DEADLINE`] and then report a coarser,
//! still correct, set of changes; lists are capped and say how many were left out.

use super::json::json;
use super::lines::lines;
use serde::Serialize;
use serde_json::Value;
use similar::{Algorithm, DiffTag};
use std::time::{Duration, Instant};

/// How long a line or byte diff may refine before it settles for a coarser answer.
pub const DIFF_DEADLINE: Duration = Duration::from_millis(500);
/// JSON value changes listed at most.
pub const MAX_VALUE_CHANGES: usize = 500;
/// Lines of line-diff hunks listed at most.
pub const MAX_HUNK_LINES: usize = 2_000;
/// Differing byte ranges listed at most.
pub const MAX_BYTE_RANGES: usize = 200;

/// The body comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BodyDiff {
    pub left_bytes: usize,
    pub right_bytes: usize,
    /// Offset of the first byte that differs (the shorter length when one is a prefix of the
    /// other); `None` when the bodies are identical.
    pub first_difference: Option<usize>,
    #[serde(flatten)]
    pub changes: BodyChanges,
}

/// How the bodies differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BodyChanges {
    /// Byte for byte the same.
    Identical,
    /// Both parse as JSON: the values that differ, by JSON Pointer. None with different bytes
    /// means the same values written differently (re-serialized).
    Json {
        changes: Vec<ValueChange>,
        /// Changes beyond [`MAX_VALUE_CHANGES`], not listed.
        more: usize,
    },
    /// Both are text: hunks of a line diff.
    Lines {
        hunks: Vec<Hunk>,
        added: usize,
        removed: usize,
        /// Hunk lines beyond [`MAX_HUNK_LINES`], not listed.
        more: usize,
    },
    /// Binary: the ranges that differ.
    Bytes {
        ranges: Vec<ByteRange>,
        /// Ranges beyond [`MAX_BYTE_RANGES`], not listed.
        more: usize,
    },
}

/// A JSON value that differs; `left` is absent for an added value, `right` for a removed one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueChange {
    /// JSON Pointer (RFC 6901), `""` for the whole document.
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<Value>,
}

/// A group of changed lines with context; line numbers are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub left_line: usize,
    pub right_line: usize,
    pub lines: Vec<HunkLine>,
}

/// One line of a hunk: `" "` context, `"-"` only left, `"+"` only right.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HunkLine {
    pub tag: &'static str,
    /// Without its line ending.
    pub text: String,
}

/// Bytes that differ: `left_len` bytes at `left_offset` became `right_len` at `right_offset`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub left_offset: usize,
    pub left_len: usize,
    pub right_offset: usize,
    pub right_len: usize,
    /// Hex of the range (at most 16 bytes) in `[…]`, with up to 4 bytes on each side.
    pub left_hex: String,
    pub right_hex: String,
}

/// Bytes of context on each side of a hex excerpt.
const HEX_CONTEXT: usize = 4;
/// Bytes of a range shown in a hex excerpt.
const HEX_RANGE: usize = 16;

/// `61 62 [41 42] 63`: the range in brackets with context around.
fn hex_excerpt(data: &[u8], offset: usize, len: usize) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>();
    let start = offset.saturating_sub(HEX_CONTEXT);
    let shown = len.min(HEX_RANGE);
    let end = (offset + len).min(data.len());
    let mut parts = hex(&data[start..offset]);
    let range = hex(&data[offset..offset + shown]);
    parts.push(format!(
        "[{}{}]",
        range.join(" "),
        if len > shown { " …" } else { "" }
    ));
    parts.extend(hex(&data[end..(end + HEX_CONTEXT).min(data.len())]));
    parts.join(" ")
}

fn range(a: &[u8], b: &[u8], (lo, ll): (usize, usize), (ro, rl): (usize, usize)) -> ByteRange {
    ByteRange {
        left_offset: lo,
        left_len: ll,
        right_offset: ro,
        right_len: rl,
        left_hex: hex_excerpt(a, lo, ll),
        right_hex: hex_excerpt(b, ro, rl),
    }
}

/// Offset of the first differing byte; `None` when equal.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    // Compare in blocks first: on 5 MiB this is a memcmp, not a byte loop.
    const BLOCK: usize = 4096;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    match a[i..n].iter().zip(&b[i..n]).position(|(x, y)| x != y) {
        Some(p) => Some(i + p),
        None if a.len() == b.len() => None,
        None => Some(n),
    }
}

/// Compare two bodies.
pub fn diff(a: &[u8], b: &[u8]) -> BodyDiff {
    let first = first_difference(a, b);
    let changes = if first.is_none() {
        BodyChanges::Identical
    } else if let Some(changes) = json(a, b) {
        changes
    } else if let (Ok(ta), Ok(tb)) = (std::str::from_utf8(a), std::str::from_utf8(b)) {
        lines(ta, tb)
    } else {
        bytes(a, b)
    };
    BodyDiff {
        left_bytes: a.len(),
        right_bytes: b.len(),
        first_difference: first,
        changes,
    }
}

fn bytes(a: &[u8], b: &[u8]) -> BodyChanges {
    let mut ranges = Vec::new();
    let mut more = 0;
    let mut push = |r: ByteRange| {
        if ranges.len() < MAX_BYTE_RANGES {
            ranges.push(r);
        } else {
            more += 1;
        }
    };
    if a.len() == b.len() {
        // Same length: position by position (a diff could only find the same or worse).
        let mut i = 0;
        while let Some(p) = first_difference(&a[i..], &b[i..]) {
            let start = i + p;
            let end = (start..a.len()).find(|&j| a[j] == b[j]).unwrap_or(a.len());
            push(range(a, b, (start, end - start), (start, end - start)));
            i = end;
        }
    } else {
        let ops = similar::capture_diff_slices_deadline(
            Algorithm::Myers,
            a,
            b,
            Some(Instant::now() + DIFF_DEADLINE),
        );
        for op in ops {
            let (tag, old, new) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                continue;
            }
            push(range(a, b, (old.start, old.len()), (new.start, new.len())));
        }
    }
    BodyChanges::Bytes { ranges, more }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_is_exact_across_blocks() {
        let a = vec![7u8; 10_000];
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b[9_001] = 8;
        assert_eq!(first_difference(&a, &b), Some(9_001));
        assert_eq!(first_difference(&a[..5], &a), Some(5));
    }

    #[test]
    fn text_gets_line_hunks_and_binary_gets_byte_ranges() {
        let d = diff(b"one\ntwo\nthree\n", b"one\n2\nthree\nfour\n");
        let BodyChanges::Lines {
            hunks,
            added,
            removed,
            ..
        } = d.changes
        else {
            panic!("lines")
        };
        assert_eq!((added, removed), (2, 1));
        let tags: String = hunks[0].lines.iter().map(|l| l.tag).collect();
        assert_eq!(tags, " -+ +");
        let d = diff(b"\x00\x01\x02\x03\xff", b"\x00\x01\x09\x03\xff");
        assert_eq!(d.first_difference, Some(2));
        assert_eq!(
            d.changes,
            BodyChanges::Bytes {
                ranges: vec![ByteRange {
                    left_offset: 2,
                    left_len: 1,
                    right_offset: 2,
                    right_len: 1,
                    left_hex: "00 01 [02] 03 ff".into(),
                    right_hex: "00 01 [09] 03 ff".into(),
                }],
                more: 0
            }
        );
        let d = diff(b"\x00\xffabc", b"\x00\xff\x01abc");
        let BodyChanges::Bytes { ranges, .. } = d.changes else {
            panic!("bytes")
        };
        assert_eq!(
            ranges,
            vec![ByteRange {
                left_offset: 2,
                left_len: 0,
                right_offset: 2,
                right_len: 1,
                left_hex: "00 ff [] 61 62 63".into(),
                right_hex: "00 ff [01] 61 62 63".into(),
            }]
        );
    }
}
