//! What differs between two deliveries: the request line, the headers (removed, added,
//! changed, in arrival order), the body (a JSON diff of values when both parse, else a line
//! diff of text or a byte diff; the first differing byte offset always), and for deliveries of
//! the same provider the two signed strings and timestamps. Pure: no clock, no I/O.
//!
//! [`compare`] builds a [`Comparison`] (serialized as is for `hookscope diff --json`);
//! [`render::rows`] lays it out as tagged text rows that the command prints and the dashboard's
//! diff pane colours.

mod body;
mod json;
mod lines;
pub mod render;
mod tree;

pub use body::{BodyChanges, BodyDiff, ByteRange, Hunk, HunkLine, ValueChange};

use crate::delivery::Delivery;
use crate::verify::{Verdict, Verification};
use serde::Serialize;

/// One side of the comparison, in a few facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Side {
    pub id: u64,
    pub received_at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub provider: Option<String>,
    pub verdict: Verdict,
    pub body_bytes: usize,
    /// The id of the original, when this side is a replay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<u64>,
}

/// A request-line field that differs (`method`, `path`, `query`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub left: String,
    pub right: String,
}

/// A header difference. Names as they arrived, paired without regard to case (HTTP's rule);
/// values shown as text (invalid UTF-8 replaced).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum HeaderChange {
    /// Only in the left delivery.
    Removed { name: String, value: String },
    /// Only in the right delivery.
    Added { name: String, value: String },
    /// In both, with different values (`name` as the left one wrote it).
    Changed {
        name: String,
        left: String,
        right: String,
    },
    /// In both with the same value, the name written in another case (`Content-Type` and
    /// `content-type`): the same header to HTTP, but something between rewrote the head.
    Recased {
        left: String,
        right: String,
        value: String,
    },
}

/// The signature side of one delivery (same provider on both sides).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureSide {
    pub status: &'static str,
    /// The signature as received.
    pub received: Option<String>,
    /// The signed string as hookscope built it (`{secret}` masked; invalid UTF-8 replaced).
    pub signed: Option<String>,
    /// The signed timestamp, unix seconds.
    pub timestamp: Option<i64>,
    /// Its skew at arrival, seconds (negative: in the past).
    pub skew_secs: Option<i64>,
}

/// The two signed strings and timestamps of deliveries of the same provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureDiff {
    pub provider: String,
    pub left: SignatureSide,
    pub right: SignatureSide,
    /// Byte offset of the first difference between the signed strings.
    pub signed_first_difference: Option<usize>,
    /// `right.timestamp - left.timestamp`.
    pub timestamp_delta_secs: Option<i64>,
}

/// Everything that differs between two deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub left: Side,
    pub right: Side,
    pub request: Vec<FieldChange>,
    pub headers: Vec<HeaderChange>,
    /// Headers equal on both sides.
    pub headers_same: usize,
    pub body: BodyDiff,
    /// Only when both deliveries are attributed to the same provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureDiff>,
}

impl Comparison {
    /// Request line, headers and body are all the same.
    pub fn is_same(&self) -> bool {
        self.request.is_empty()
            && self.headers.is_empty()
            && matches!(self.body.changes, BodyChanges::Identical)
    }
}

/// Compare two deliveries, each with its verification.
pub fn compare(
    (a, va): (&Delivery, &Verification),
    (b, vb): (&Delivery, &Verification),
) -> Comparison {
    let mut request = Vec::new();
    for (field, l, r) in [
        ("method", &a.method, &b.method),
        ("path", &a.path, &b.path),
        ("query", &a.query, &b.query),
    ] {
        if l != r {
            request.push(FieldChange {
                field,
                left: l.clone(),
                right: r.clone(),
            });
        }
    }
    let (headers, headers_same) = headers(&a.headers, &b.headers);
    Comparison {
        left: side(a, va),
        right: side(b, vb),
        request,
        headers,
        headers_same,
        body: body::diff(&a.body, &b.body),
        signature: signature(va, vb),
    }
}

fn side(d: &Delivery, v: &Verification) -> Side {
    Side {
        id: d.id,
        received_at_ms: d.received_at_ms,
        method: d.method.clone(),
        path: d.path.clone(),
        query: d.query.clone(),
        provider: v.provider.clone(),
        verdict: v.verdict,
        body_bytes: d.body.len(),
        replay_of: d.replay_of,
    }
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

/// Headers aligned by name (a diff of the two name sequences keeps arrival order); a name in
/// both is the same or changed, by its values in order.
fn headers(
    a: &[crate::delivery::Header],
    b: &[crate::delivery::Header],
) -> (Vec<HeaderChange>, usize) {
    use similar::{DiffOp, capture_diff_slices};
    let lower = |hs: &[crate::delivery::Header]| -> Vec<String> {
        hs.iter().map(|(n, _)| n.to_ascii_lowercase()).collect()
    };
    let (names_a, names_b) = (lower(a), lower(b));
    let mut out = Vec::new();
    let mut same = 0;
    for op in capture_diff_slices(similar::Algorithm::Myers, &names_a, &names_b) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    let ((name, l), (right_name, r)) = (&a[old_index + i], &b[new_index + i]);
                    if l != r {
                        out.push(HeaderChange::Changed {
                            name: name.clone(),
                            left: text(l),
                            right: text(r),
                        });
                    } else if name != right_name {
                        out.push(HeaderChange::Recased {
                            left: name.clone(),
                            right: right_name.clone(),
                            value: text(l),
                        });
                    } else {
                        same += 1;
                    }
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => removed(&a[old_index..old_index + old_len], &mut out),
            DiffOp::Insert {
                new_index, new_len, ..
            } => added(&b[new_index..new_index + new_len], &mut out),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                removed(&a[old_index..old_index + old_len], &mut out);
                added(&b[new_index..new_index + new_len], &mut out);
            }
        }
    }
    (out, same)
}

fn removed(hs: &[crate::delivery::Header], out: &mut Vec<HeaderChange>) {
    out.extend(hs.iter().map(|(n, v)| HeaderChange::Removed {
        name: n.clone(),
        value: text(v),
    }));
}

fn added(hs: &[crate::delivery::Header], out: &mut Vec<HeaderChange>) {
    out.extend(hs.iter().map(|(n, v)| HeaderChange::Added {
        name: n.clone(),
        value: text(v),
    }));
}

fn signature(va: &Verification, vb: &Verification) -> Option<SignatureDiff> {
    let provider = va.provider.as_ref()?;
    if vb.provider.as_ref() != Some(provider) {
        return None;
    }
    let sig = |v: &Verification| SignatureSide {
        status: v.signature.status.as_str(),
        received: v.signature.received.clone(),
        signed: v.signed_preview.as_deref().map(text),
        timestamp: v.timestamp.value,
        skew_secs: v.timestamp.skew_secs,
    };
    let signed_first_difference = match (&va.signed_preview, &vb.signed_preview) {
        (Some(l), Some(r)) => body::first_difference(l, r),
        _ => None,
    };
    let timestamp_delta_secs = match (va.timestamp.value, vb.timestamp.value) {
        (Some(l), Some(r)) => Some(r - l),
        _ => None,
    };
    Some(SignatureDiff {
        provider: provider.clone(),
        left: sig(va),
        right: sig(vb),
        signed_first_difference,
        timestamp_delta_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(headers: &[(&str, &str)]) -> Delivery {
        Delivery {
            method: "POST".into(),
            path: "/x".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn headers_are_removed_added_and_changed_in_arrival_order() {
        let a = d(&[
            ("host", "h"),
            ("x-sig", "1"),
            ("x-proxy", "p"),
            ("accept", "*/*"),
        ]);
        let b = d(&[
            ("host", "h"),
            ("x-sig", "2"),
            ("accept", "*/*"),
            ("x-new", "n"),
        ]);
        let v = Verification::no_provider();
        let c = compare((&a, &v), (&b, &v));
        assert_eq!(c.headers_same, 2);
        assert_eq!(
            c.headers,
            vec![
                HeaderChange::Changed {
                    name: "x-sig".into(),
                    left: "1".into(),
                    right: "2".into()
                },
                HeaderChange::Removed {
                    name: "x-proxy".into(),
                    value: "p".into()
                },
                HeaderChange::Added {
                    name: "x-new".into(),
                    value: "n".into()
                },
            ]
        );
        assert!(c.request.is_empty() && c.signature.is_none());
        assert!(!c.is_same());
        let same = compare((&a, &v), (&a, &v));
        assert!(same.is_same());
    }

    #[test]
    fn header_names_pair_without_case_and_a_case_change_is_reported() {
        let a = d(&[("Host", "h"), ("Content-Type", "a/b"), ("X-Sig", "1")]);
        let b = d(&[("host", "h"), ("content-type", "a/b"), ("x-sig", "2")]);
        let v = Verification::no_provider();
        let c = compare((&a, &v), (&b, &v));
        assert_eq!(c.headers_same, 0);
        assert_eq!(
            c.headers,
            vec![
                HeaderChange::Recased {
                    left: "Host".into(),
                    right: "host".into(),
                    value: "h".into()
                },
                HeaderChange::Recased {
                    left: "Content-Type".into(),
                    right: "content-type".into(),
                    value: "a/b".into()
                },
                HeaderChange::Changed {
                    name: "X-Sig".into(),
                    left: "1".into(),
                    right: "2".into()
                },
            ]
        );
        assert!(!c.is_same());
        let text = render::text(&c);
        assert!(text.contains("0 same · 3 changed"), "{text}");
        assert!(
            text.contains("  ~ Host → host: h (name case only)\n"),
            "{text}"
        );
    }
}
