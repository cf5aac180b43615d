//! Body views: raw (exact bytes, non-printables escaped), pretty JSON and form-decoded (display
//! only), hex dump. Work is lazy and bounded: the raw view indexes wrapped rows only as far as the
//! user scrolls, the hex view computes rows on demand, and the derived views refuse bodies over
//! [`DERIVED_CAP`] instead of freezing the dashboard.

use super::fmt::{Unit, unit};
use super::theme::Theme;
use bytes::Bytes;
use ratatui::text::{Line, Span};

/// Largest body the pretty-JSON and form views process.
pub const DERIVED_CAP: usize = 4 * 1024 * 1024;

/// How the body is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyView {
    #[default]
    Raw,
    Pretty,
    Form,
    Hex,
}

impl BodyView {
    /// The next view in the cycle.
    pub fn next(self) -> BodyView {
        match self {
            BodyView::Raw => BodyView::Pretty,
            BodyView::Pretty => BodyView::Form,
            BodyView::Form => BodyView::Hex,
            BodyView::Hex => BodyView::Raw,
        }
    }

    /// Label shown in the Body tab.
    pub fn label(self) -> &'static str {
        match self {
            BodyView::Raw => "raw",
            BodyView::Pretty => "pretty JSON",
            BodyView::Form => "form",
            BodyView::Hex => "hex",
        }
    }
}

impl BodyView {
    /// The view a body opens in, from its content type: pretty for JSON (`application/json`,
    /// `text/json`, `…+json`), form for `application/x-www-form-urlencoded`, raw otherwise and
    /// for bodies over [`DERIVED_CAP`] (the derived views refuse those).
    pub fn for_content(content_type: Option<&[u8]>, len: usize) -> BodyView {
        if len == 0 || len > DERIVED_CAP {
            return BodyView::Raw;
        }
        let Some(ct) = content_type else {
            return BodyView::Raw;
        };
        let media = ct.split(|b| *b == b';').next().unwrap_or_default();
        let media = String::from_utf8_lossy(media).trim().to_ascii_lowercase();
        match media.as_str() {
            "application/json" | "text/json" => BodyView::Pretty,
            m if m.ends_with("+json") => BodyView::Pretty,
            "application/x-www-form-urlencoded" => BodyView::Form,
            _ => BodyView::Raw,
        }
    }
}

/// Which body view shows: each delivery opens in its content type's view; a view the user
/// picks (`v`) stays for that delivery only, so the next one is not shown in the last one's view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BodyChoice {
    picked: Option<(u64, BodyView)>,
}

impl BodyChoice {
    /// The view of `d` (raw while nothing is loaded).
    pub fn current(&self, d: Option<&crate::delivery::Delivery>) -> BodyView {
        let Some(d) = d else {
            return BodyView::Raw;
        };
        match self.picked {
            Some((id, view)) if id == d.id => view,
            _ => BodyView::for_content(d.header("content-type"), d.body.len()),
        }
    }

    /// The user picked `view` for delivery `id`.
    pub fn pick(&mut self, id: Option<u64>, view: BodyView) {
        self.picked = id.map(|id| (id, view));
    }
}

/// Text shown wrapped at a width, with the wrapped rows indexed lazily.
#[derive(Clone, Debug)]
pub struct TextDoc {
    bytes: Bytes,
    width: usize,
    /// Start offset of every row indexed so far.
    starts: Vec<usize>,
    /// Whether `starts` covers the whole text.
    complete: bool,
    /// Show each line feed as `↵` (raw bytes) or not (derived, display-only text).
    mark_newlines: bool,
}

impl TextDoc {
    /// A document over exact bytes: line feeds are marked `↵` (not indexed yet).
    pub fn new(bytes: Bytes) -> TextDoc {
        TextDoc {
            complete: bytes.is_empty(),
            bytes,
            width: 0,
            starts: Vec::new(),
            mark_newlines: true,
        }
    }

    /// A document over derived text (pretty JSON, form pairs): line feeds just end lines.
    pub fn derived(bytes: Bytes) -> TextDoc {
        TextDoc {
            mark_newlines: false,
            ..TextDoc::new(bytes)
        }
    }

    /// Set the wrap width; a new width drops the index.
    pub fn set_width(&mut self, width: usize) {
        let width = width.max(8);
        if width != self.width {
            self.width = width;
            self.starts.clear();
            self.complete = self.bytes.is_empty();
        }
    }

    fn row_end(&self, start: usize) -> usize {
        let mut i = start;
        let mut w = 0;
        while i < self.bytes.len() {
            // Fast path: a run of printable ASCII, one cell per byte.
            let run = self.bytes[i..]
                .iter()
                .take(self.width.saturating_sub(w))
                .take_while(|b| (0x20..0x7f).contains(*b))
                .count();
            if run > 0 {
                w += run;
                i += run;
                continue;
            }
            let (u, n) = unit(&self.bytes[i..]);
            if u == Unit::Newline {
                // A marked line feed needs a cell: at the edge it starts the next row.
                if self.mark_newlines && w + 1 > self.width && i > start {
                    return i;
                }
                return i + 1;
            }
            let uw = u.width();
            if w + uw > self.width && i > start {
                return i;
            }
            w += uw;
            i += n;
        }
        i
    }

    /// Index rows until row `row` is known or the text ends.
    pub fn ensure(&mut self, row: usize) {
        if self.starts.is_empty() && !self.bytes.is_empty() {
            self.starts.push(0);
        }
        while !self.complete && self.starts.len() <= row {
            let last = *self.starts.last().expect("non-empty");
            let end = self.row_end(last);
            if end >= self.bytes.len() {
                self.complete = true;
            } else {
                self.starts.push(end);
            }
        }
    }

    /// Rows indexed so far (all rows once [`TextDoc::is_complete`]).
    pub fn known_rows(&self) -> usize {
        self.starts.len()
    }

    /// Whether every row is indexed.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Row `i` (must be indexed) as styled spans.
    pub fn row(&self, i: usize, theme: &Theme) -> Line<'static> {
        let Some(&start) = self.starts.get(i) else {
            return Line::default();
        };
        let end = self
            .starts
            .get(i + 1)
            .copied()
            .unwrap_or_else(|| self.row_end(start));
        let mut spans = Vec::new();
        let mut run = String::new();
        let mut j = start;
        while j < end {
            let (u, n) = unit(&self.bytes[j..]);
            match u {
                Unit::Char(c, _) => run.push(c),
                other => {
                    if !run.is_empty() {
                        spans.push(Span::styled(std::mem::take(&mut run), theme.text));
                    }
                    match other {
                        Unit::Escape(e) => spans.push(Span::styled(e.text(), theme.escape)),
                        _ if self.mark_newlines => spans.push(Span::styled("↵", theme.muted)),
                        _ => {}
                    }
                }
            }
            j += n;
        }
        if !run.is_empty() {
            spans.push(Span::styled(run, theme.text));
        }
        Line::from(spans)
    }
}

/// Rows of a hex dump of `len` bytes.
pub fn hex_rows(len: usize) -> usize {
    len.div_ceil(16)
}

/// Row `i` of a hex dump: offset, 16 bytes in hex, the same bytes as ASCII.
pub fn hex_row(bytes: &[u8], i: usize, theme: &Theme) -> Line<'static> {
    let start = i * 16;
    let chunk = &bytes[start.min(bytes.len())..(start + 16).min(bytes.len())];
    let mut hex = String::with_capacity(50);
    for k in 0..16 {
        if k == 8 {
            hex.push(' ');
        }
        match chunk.get(k) {
            Some(b) => hex.push_str(&format!("{b:02x} ")),
            None => hex.push_str("   "),
        }
    }
    let ascii: String = chunk
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    Line::from(vec![
        Span::styled(format!("{start:08x}  "), theme.muted),
        Span::styled(hex, theme.text),
        Span::styled(format!("|{ascii}|"), theme.accent),
    ])
}

/// JSON re-indented for display. Tokens (strings, numbers) are copied verbatim, so nothing is
/// re-encoded; invalid JSON and bodies over [`DERIVED_CAP`] are refused with the reason.
pub fn pretty_json(body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() > DERIVED_CAP {
        return Err(over_cap(body.len()));
    }
    // A byte order mark is no JSON token: it is kept in front (the view shows it as `\u{feff}`)
    // and the JSON after it is indented.
    let (bom, body) = match body.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => (&[][..], body),
    };
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(|e| format!("not JSON: {e}"))?;
    let mut out = Vec::with_capacity(bom.len() + body.len() + body.len() / 2);
    out.extend(bom);
    let mut depth = 0usize;
    let (mut in_str, mut esc) = (false, false);
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                out.push(c);
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let mut j = i + 1;
                while j < body.len() && matches!(body[j], b' ' | b'\t' | b'\n' | b'\r') {
                    j += 1;
                }
                if body.get(j) == Some(&close) {
                    out.extend([c, close]);
                    i = j + 1;
                    continue;
                }
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            b',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            b':' => out.extend(b": "),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// `key = value` per pair of an `application/x-www-form-urlencoded` body (display only: invalid
/// UTF-8 shows as U+FFFD, a line feed inside a key or value as `␤`).
pub fn form_decoded(body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() > DERIVED_CAP {
        return Err(over_cap(body.len()));
    }
    if body.is_empty() {
        return Err("the body is empty".into());
    }
    let mut out = Vec::new();
    for (k, v) in form_urlencoded::parse(body) {
        out.extend(k.replace('\n', "␤").as_bytes());
        out.extend(b" = ");
        out.extend(v.replace('\n', "␤").as_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

fn over_cap(len: usize) -> String {
    format!(
        "the body is {}, over the {} limit of this view; the raw and hex views show all of it",
        super::fmt::size(len as u64),
        super::fmt::size(DERIVED_CAP as u64)
    )
}

/// The views of one body, computed on first use.
#[derive(Clone, Debug)]
pub struct BodyDocs {
    bytes: Bytes,
    raw: TextDoc,
    pretty: Option<Result<TextDoc, String>>,
    form: Option<Result<TextDoc, String>>,
}

impl BodyDocs {
    /// Views over a body.
    pub fn new(bytes: Bytes) -> BodyDocs {
        BodyDocs {
            raw: TextDoc::new(bytes.clone()),
            bytes,
            pretty: None,
            form: None,
        }
    }

    /// The exact body bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The text document of a text view (`Raw`, `Pretty`, `Form`), or why it cannot be shown.
    /// `Hex` has no text document.
    pub fn doc(&mut self, view: BodyView) -> Result<&mut TextDoc, &str> {
        let slot = match view {
            BodyView::Raw => return Ok(&mut self.raw),
            BodyView::Hex => return Err("hex view"),
            BodyView::Pretty => {
                let bytes = &self.bytes;
                self.pretty
                    .get_or_insert_with(|| pretty_json(bytes).map(|t| TextDoc::derived(t.into())))
            }
            BodyView::Form => {
                let bytes = &self.bytes;
                self.form
                    .get_or_insert_with(|| form_decoded(bytes).map(|t| TextDoc::derived(t.into())))
            }
        };
        slot.as_mut().map_err(|e| e.as_str())
    }

    /// The text document of a text view as [`BodyDocs::doc`] built it (drawing reads this; a
    /// view not built yet says so).
    pub fn built(&self, view: BodyView) -> Result<&TextDoc, &str> {
        let slot = match view {
            BodyView::Raw => return Ok(&self.raw),
            BodyView::Hex => return Err("hex view"),
            BodyView::Pretty => &self.pretty,
            BodyView::Form => &self.form,
        };
        match slot {
            Some(r) => r.as_ref().map_err(|e| e.as_str()),
            None => Err("not laid out yet"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(doc: &mut TextDoc) -> Vec<String> {
        doc.ensure(usize::MAX - 1);
        (0..doc.known_rows())
            .map(|i| doc.row(i, &Theme::default()).to_string())
            .collect()
    }

    #[test]
    fn raw_rows_wrap_and_mark_newlines_and_escapes() {
        let mut d = TextDoc::new(Bytes::from_static(
            b"{\"a\":1}\n\tx\x00\r\n\n0123456789abcdef",
        ));
        d.set_width(10);
        assert_eq!(
            rows(&mut d),
            vec!["{\"a\":1}↵", "\\tx\\x00\\r↵", "↵", "0123456789", "abcdef"]
        );
        assert!(d.is_complete());
        let mut d = TextDoc::new(Bytes::from_static(b"0123456789\nab"));
        d.set_width(10);
        assert_eq!(rows(&mut d), vec!["0123456789", "↵", "ab"]);
        let mut d = TextDoc::derived(Bytes::from_static(b"0123456789\nab"));
        d.set_width(10);
        assert_eq!(rows(&mut d), vec!["0123456789", "ab"]);
    }

    #[test]
    fn raw_index_is_lazy() {
        let big = Bytes::from(vec![b'a'; 10 * 1024 * 1024]);
        let mut d = TextDoc::new(big);
        d.set_width(100);
        d.ensure(50);
        assert_eq!(d.known_rows(), 51);
        assert!(!d.is_complete());
        assert_eq!(d.row(50, &Theme::default()).to_string(), "a".repeat(100));
    }

    #[test]
    fn pretty_keeps_tokens_verbatim() {
        let body = br#"{"n":12345678901234567890123,"s":"a\u00e9\"}","e":{},"l":[1, 2]}"#;
        let p = String::from_utf8(pretty_json(body).unwrap()).unwrap();
        assert_eq!(
            p,
            "{\n  \"n\": 12345678901234567890123,\n  \"s\": \"a\\u00e9\\\"}\",\n  \"e\": {},\n  \"l\": [\n    1,\n    2\n  ]\n}"
        );
        assert!(pretty_json(b"{nope").unwrap_err().starts_with("not JSON"));
        assert_eq!(
            pretty_json(b"\xef\xbb\xbf{\"a\":[1]}").unwrap(),
            b"\xef\xbb\xbf{\n  \"a\": [\n    1\n  ]\n}"
        );
        assert!(
            pretty_json(b"\xef\xbb\xbf\xef\xbb\xbf{}").is_err(),
            "one mark only"
        );
        assert!(
            pretty_json(&vec![b' '; DERIVED_CAP + 1])
                .unwrap_err()
                .contains("limit")
        );
    }

    #[test]
    fn the_content_type_chooses_the_view() {
        let v = |ct: &str, len| BodyView::for_content(Some(ct.as_bytes()), len);
        assert_eq!(v("application/json; charset=utf-8", 9), BodyView::Pretty);
        assert_eq!(v("Application/JSON", 9), BodyView::Pretty);
        assert_eq!(v("application/cloudevents+json", 9), BodyView::Pretty);
        assert_eq!(v("application/x-www-form-urlencoded", 9), BodyView::Form);
        assert_eq!(v("text/plain", 9), BodyView::Raw);
        assert_eq!(v("application/json", DERIVED_CAP + 1), BodyView::Raw);
        assert_eq!(v("application/json", 0), BodyView::Raw);
        assert_eq!(BodyView::for_content(None, 9), BodyView::Raw);
    }

    #[test]
    fn form_and_hex() {
        assert_eq!(
            form_decoded(b"a=1&b=x%20y+z%0A").unwrap(),
            "a = 1\nb = x y z␤\n".as_bytes()
        );
        let mut d = TextDoc::derived(Bytes::from_static(b"a = 1\nb = 2\n"));
        d.set_width(20);
        assert_eq!(rows(&mut d), vec!["a = 1", "b = 2"]);
        let t = Theme::default();
        assert_eq!(hex_rows(17), 2);
        assert_eq!(
            hex_row(b"0123456789abcdef\x00", 1, &t).to_string(),
            format!("00000010  00{}|.|", " ".repeat(47))
        );
    }
}
