//! The JSON half of a body comparison: both documents parsed (into [`Node`] trees) and walked
//! side by side; each value that differs is reported by its JSON Pointer, which is only spelled
//! out for a reported change (the walk keeps the path as steps).

use super::body::{BodyChanges, MAX_VALUE_CHANGES, ValueChange};
use super::tree::{self, Node};
use std::collections::{HashMap, HashSet};

/// Both bodies as JSON documents (objects or arrays), compared value by value; `None` when
/// either is not one.
pub(super) fn json(a: &[u8], b: &[u8]) -> Option<BodyChanges> {
    fn is_document(s: &[u8]) -> bool {
        matches!(
            s.iter().find(|c| !c.is_ascii_whitespace()),
            Some(b'{' | b'[')
        )
    }
    if !is_document(a) || !is_document(b) {
        return None;
    }
    let (na, nb) = (tree::parse(a)?, tree::parse(b)?);
    let mut walk = Walk::default();
    walk.values(&na, &nb);
    Some(BodyChanges::Json {
        changes: walk.out,
        more: walk.more,
    })
}

/// A step from a value to one inside it.
#[derive(Clone, Copy)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// The walk over both trees: where it is, and what it found.
#[derive(Default)]
struct Walk<'n> {
    path: Vec<Step<'n>>,
    out: Vec<ValueChange>,
    /// Changes beyond [`MAX_VALUE_CHANGES`].
    more: usize,
}

impl<'n> Walk<'n> {
    fn values(&mut self, a: &'n Node<'_>, b: &'n Node<'_>) {
        match (a, b) {
            (Node::Obj(fa), Node::Obj(fb)) => self.objects(fa, fb),
            (Node::Arr(xa), Node::Arr(xb)) => {
                for i in 0..xa.len().max(xb.len()) {
                    self.path.push(Step::Index(i));
                    match (xa.get(i), xb.get(i)) {
                        (Some(x), Some(y)) => self.values(x, y),
                        (x, y) => self.report(x, y),
                    }
                    self.path.pop();
                }
            }
            _ if a != b => self.report(Some(a), Some(b)),
            _ => {}
        }
    }

    fn objects(
        &mut self,
        fa: &'n [(std::borrow::Cow<'_, str>, Node<'_>)],
        fb: &'n [(std::borrow::Cow<'_, str>, Node<'_>)],
    ) {
        // Same keys in the same order is the common case: pair them by position.
        if fa.len() == fb.len() && fa.iter().zip(fb).all(|(x, y)| x.0 == y.0) {
            for ((k, x), (_, y)) in fa.iter().zip(fb) {
                self.path.push(Step::Key(k));
                self.values(x, y);
                self.path.pop();
            }
            return;
        }
        let index: HashMap<&str, &Node> = fb.iter().map(|(k, v)| (k.as_ref(), v)).collect();
        for (k, x) in fa {
            self.path.push(Step::Key(k));
            match index.get(k.as_ref()) {
                Some(y) => self.values(x, y),
                None => self.report(Some(x), None),
            }
            self.path.pop();
        }
        let in_a: HashSet<&str> = fa.iter().map(|(k, _)| k.as_ref()).collect();
        for (k, y) in fb {
            if !in_a.contains(k.as_ref()) {
                self.path.push(Step::Key(k));
                self.report(None, Some(y));
                self.path.pop();
            }
        }
    }

    /// A value that differs at the current path (absent on one side when added or removed).
    fn report(&mut self, left: Option<&Node>, right: Option<&Node>) {
        if self.out.len() < MAX_VALUE_CHANGES {
            self.out.push(ValueChange {
                pointer: pointer(&self.path),
                left: left.map(Node::to_value),
                right: right.map(Node::to_value),
            });
        } else {
            self.more += 1;
        }
    }
}

/// The JSON Pointer (RFC 6901) of a path: `/key/0`, with `~` → `~0` and `/` → `~1` in keys.
fn pointer(path: &[Step]) -> String {
    let mut at = String::new();
    for step in path {
        at.push('/');
        match step {
            Step::Index(i) => at.push_str(&i.to_string()),
            Step::Key(key) => {
                for c in key.chars() {
                    match c {
                        '~' => at.push_str("~0"),
                        '/' => at.push_str("~1"),
                        c => at.push(c),
                    }
                }
            }
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::super::body::{BodyChanges, diff};

    #[test]
    fn reserialized_json_has_no_value_changes_but_a_first_offset() {
        let d = diff(
            br#"{"a":1,"b":[1,2]}"#,
            b"{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n",
        );
        assert_eq!(d.first_difference, Some(1));
        assert_eq!(
            d.changes,
            BodyChanges::Json {
                changes: vec![],
                more: 0
            }
        );
    }

    #[test]
    fn json_values_are_changed_added_and_removed_by_pointer() {
        let d = diff(
            br#"{"a":1,"b":[1,2],"c/d":true,"gone":0}"#,
            br#"{"a":2,"b":[1],"c/d":true,"new":{"x":1}}"#,
        );
        let BodyChanges::Json { changes, .. } = d.changes else {
            panic!("json")
        };
        let pointers: Vec<(&str, bool, bool)> = changes
            .iter()
            .map(|c| (c.pointer.as_str(), c.left.is_some(), c.right.is_some()))
            .collect();
        assert_eq!(
            pointers,
            vec![
                ("/a", true, true),
                ("/b/1", true, false),
                ("/gone", true, false),
                ("/new", false, true)
            ]
        );
    }

    #[test]
    fn pointers_escape_tilde_and_slash_and_count_array_positions() {
        let d = diff(
            br#"{"c/d~":[0,{"x":1}],"same":true}"#,
            br#"{"c/d~":[0,{"x":2}],"same":true}"#,
        );
        let BodyChanges::Json { changes, more } = d.changes else {
            panic!("json")
        };
        assert_eq!(more, 0);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].pointer, "/c~1d~0/1/x");
        assert_eq!(changes[0].left, Some(serde_json::json!(1)));
        assert_eq!(changes[0].right, Some(serde_json::json!(2)));
    }
}
