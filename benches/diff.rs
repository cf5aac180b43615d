//! The diff of two 5 MiB bodies: `cargo bench --bench diff`.
//!
//! Reports the median of 5 runs of `diff::compare` plus laying out its rows (what
//! `hookscope diff` and the dashboard's diff pane do once per comparison) for JSON with one
//! value changed, JSON re-serialized, text lines with a few edits, and binary bodies with one
//! byte changed or inserted. The budget is 200 ms per comparison.

use bytes::Bytes;
use hookscope::delivery::Delivery;
use hookscope::diff::{compare, render};
use hookscope::verify::Verification;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZE: usize = 5 << 20;
const BUDGET: Duration = Duration::from_millis(200);

fn delivery(id: u64, body: Vec<u8>) -> Delivery {
    Delivery {
        id,
        method: "POST".into(),
        path: "/hooks/big".into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
        ],
        body_size: body.len() as u64,
        body: Bytes::from(body),
        ..Default::default()
    }
}

/// A JSON array of small objects, about 5 MiB.
fn json_doc() -> serde_json::Value {
    let mut items = Vec::new();
    let mut size = 0;
    let mut i = 0u64;
    while size < SIZE {
        let item = serde_json::json!({"id": format!("item_{i:07}"), "qty": i % 97, "note": "lorem ipsum dolor", "ok": i % 3 == 0});
        size += item.to_string().len() + 1;
        items.push(item);
        i += 1;
    }
    serde_json::json!({"event": "bulk.export", "items": items})
}

fn text_lines() -> Vec<u8> {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < SIZE {
        s.push_str(&format!(
            "line {i:07}: the quick brown fox jumps over the lazy dog\n"
        ));
        i += 1;
    }
    s.into_bytes()
}

fn binary() -> Vec<u8> {
    (0..SIZE as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect()
}

fn median_ms(left: &Delivery, right: &Delivery) -> f64 {
    let v = Verification::no_provider();
    let mut samples: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let c = compare((left, &v), (right, &v));
            black_box(render::rows(&c));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[2]
}

fn main() {
    let doc = json_doc();
    let compact = serde_json::to_vec(&doc).unwrap();
    let mut changed = doc.clone();
    changed["items"][40_000]["qty"] = serde_json::json!(1_000_000);
    let changed = serde_json::to_vec(&changed).unwrap();
    let pretty = serde_json::to_vec_pretty(&doc).unwrap();
    let text = text_lines();
    let mut edited = text.clone();
    for at in [10_000usize, 2_500_000, 5_000_000] {
        edited[at] = b'#';
    }
    let bin = binary();
    let mut one_byte = bin.clone();
    one_byte[3_000_000] ^= 0x01;
    let mut inserted = bin.clone();
    inserted.insert(2_000_000, 0x00);
    let cases: [(&str, Vec<u8>, Vec<u8>); 5] = [
        ("JSON, one value changed", compact.clone(), changed),
        ("JSON, re-serialized (compact vs pretty)", compact, pretty),
        ("text, 3 lines edited", text, edited),
        ("binary, one byte changed", bin.clone(), one_byte),
        ("binary, one byte inserted", bin, inserted),
    ];
    println!(
        "diff of two bodies, compare + rows, median of 5 (budget {} ms):",
        BUDGET.as_millis()
    );
    for (name, a, b) in cases {
        let (la, lb) = (a.len(), b.len());
        let ms = median_ms(&delivery(1, a), &delivery(2, b));
        let verdict = if ms <= BUDGET.as_secs_f64() * 1000.0 {
            "within"
        } else {
            "OVER"
        };
        println!(
            "  {name:<42} {:>5.2} + {:>5.2} MiB  {ms:>8.1} ms  {verdict} budget",
            la as f64 / (1 << 20) as f64,
            lb as f64 / (1 << 20) as f64,
        );
    }
}
