//! How rows encode what is not a plain SQL value: the header list and the verdict.
//!
//! Headers are one BLOB, one line per header in arrival order: `name: value\n`. It reads well in
//! `sqlite3` (`SELECT CAST(headers AS TEXT) FROM payloads`) and costs 3 bytes per header. The
//! bytes `\`, `\n` and `\r` (and `:` inside a name) are written as `\xHH`, so any value round-trips
//! byte for byte even though HTTP itself never sends them.

use crate::delivery::Header;
use crate::verify::Verdict;

/// Encode headers as `name: value\n` lines (escaped as described in the module docs).
pub(crate) fn encode_headers(headers: &[Header]) -> Vec<u8> {
    let size: usize = headers.iter().map(|(n, v)| n.len() + v.len() + 3).sum();
    let mut out = Vec::with_capacity(size);
    for (name, value) in headers {
        escape_into(&mut out, name.as_bytes(), true);
        out.extend_from_slice(b": ");
        escape_into(&mut out, value, false);
        out.push(b'\n');
    }
    out
}

fn escape_into(out: &mut Vec<u8>, bytes: &[u8], is_name: bool) {
    let special = |b: &u8| *b == b'\\' || *b == b'\n' || *b == b'\r' || (is_name && *b == b':');
    if !bytes.iter().any(special) {
        out.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        if b == b'\\' || b == b'\n' || b == b'\r' || (is_name && b == b':') {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

/// Decode what `encode_headers` wrote; `None` if the blob is not in that form.
pub(crate) fn decode_headers(blob: &[u8]) -> Option<Vec<Header>> {
    let mut out = Vec::new();
    for line in blob.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let sep = line.windows(2).position(|w| w == b": ")?;
        let name = String::from_utf8(unescape(&line[..sep])?).ok()?;
        let value = unescape(&line[sep + 2..])?;
        out.push((name, value));
    }
    Some(out)
}

fn unescape(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let hex = bytes.get(i + 2..i + 4)?;
            if bytes.get(i + 1) != Some(&b'x') {
                return None;
            }
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The verdict as stored (`verified`, `failed`, `unverified`).
pub(crate) fn verdict_from_str(s: &str) -> Verdict {
    match s {
        "verified" => Verdict::Verified,
        "failed" => Verdict::Failed,
        _ => Verdict::Unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_any_bytes() {
        let headers: Vec<Header> = vec![
            ("content-type".into(), b"application/json".to_vec()),
            ("x-dup".into(), b"one".to_vec()),
            ("x-dup".into(), b"two".to_vec()),
            ("x-odd".into(), b"a\\b\nc\rd: e\xff\x00".to_vec()),
            ("we:ird".into(), b"".to_vec()),
        ];
        let blob = encode_headers(&headers);
        assert_eq!(decode_headers(&blob).unwrap(), headers);
        assert!(blob.starts_with(b"content-type: application/json\nx-dup: one\n"));
    }

    #[test]
    fn each_special_byte_is_escaped_exactly_where_it_is() {
        let headers: Vec<Header> = vec![
            ("a:b:".into(), b"\\x\r\n: \\".to_vec()),
            ("k".into(), (0..=255u8).collect()),
        ];
        let blob = encode_headers(&headers);
        assert!(blob.starts_with(b"a\\x3ab\\x3a: \\x5cx\\x0d\\x0a: \\x5c\nk: "));
        assert_eq!(decode_headers(&blob).unwrap(), headers);
    }

    #[test]
    fn plain_headers_cost_three_bytes_each() {
        let headers: Vec<Header> = vec![("a".into(), b"b".to_vec()), ("cc".into(), b"dd".to_vec())];
        assert_eq!(encode_headers(&headers), b"a: b\ncc: dd\n");
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(decode_headers(b"no separator\n").is_none());
        assert!(decode_headers(b"a: \\q1\n").is_none());
    }
}
