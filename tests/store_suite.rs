//! The store suite: every test runs against both backends, SQLite (a temp data dir) and
//! PostgreSQL (a database of its own on a throwaway server, see support/pg_cluster.rs).

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use bytes::Bytes;
use hookscope::checker::Judgement;
use hookscope::delivery::{Delivery, ResponseRecord};
use hookscope::listing::{Anchor, ListRequest, window_of};
use hookscope::store::{Generations, Store};
use hookscope::tui::filter::Query;
use hookscope::verify::Verdict;
use pg_cluster::Cluster;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One server for the whole test binary, stopped when the process exits.
fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        extern "C" fn stop() {
            if let Some(c) = CLUSTER.get() {
                c.remove();
            }
        }
        // SAFETY: registers a plain function to run at exit; no state is shared unsafely.
        unsafe { libc::atexit(stop) };
        Cluster::start()
    })
}

/// Where a test's store lives; [`Backend::open`] gives another handle on the same data
/// (another process, or a restart).
enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Backend {
    fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().unwrap())
    }

    fn postgres() -> Backend {
        Backend::Postgres(cluster().new_database())
    }

    fn open(&self) -> Store {
        match self {
            Backend::Sqlite(dir) => Store::open(dir.path()).unwrap(),
            Backend::Postgres(url) => Store::open_postgres(url).unwrap(),
        }
    }
}

/// One test run against each backend.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::sqlite()).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::Backend::postgres()).await
            }
        }
    )*};
}

suite!(
    bytes_headers_and_answers_round_trip,
    concurrent_inserts_get_distinct_ids,
    retention_keeps_the_newest_and_ids_are_never_reused,
    delete_clear_and_import,
    windows_and_filters_match_the_memory_listing,
    stale_rows_are_found_and_rejudged,
    another_handle_sees_changes_through_the_feed,
    replays_and_matching_ids,
);

fn unjudged() -> Judgement {
    Judgement {
        verdict: Verdict::Unverified,
        provider: None,
        generation: None,
    }
}

fn judged(verdict: Verdict, provider: &str, generation: Option<&str>) -> Judgement {
    Judgement {
        verdict,
        provider: Some(provider.into()),
        generation: generation.map(String::from),
    }
}

fn delivery(path: &str, body: &[u8]) -> Delivery {
    Delivery {
        received_at_ms: 1_763_805_600_123,
        method: "POST".into(),
        path: path.into(),
        query: "a=1&b=%20".into(),
        headers: vec![
            ("Content-Type".into(), b"application/json".to_vec()),
            ("X-Dup".into(), b"1".to_vec()),
            ("x-dup".into(), b"2".to_vec()),
            ("X-Odd".into(), b"a\\b\r\n\xff\x00".to_vec()),
        ],
        body: Bytes::copy_from_slice(body),
        body_size: body.len() as u64,
        peer: Some("127.0.0.1:5000".into()),
        response: Some(ResponseRecord {
            status: 200,
            source: "hookscope".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn bytes_headers_and_answers_round_trip(b: Backend) {
    let store = b.open();
    let body = b"\x00\xff{\"a\":1}\n\r\\";
    let id1 = store
        .insert_judged(
            delivery("/hooks/x", body),
            judged(Verdict::Verified, "zoom", Some("g1")),
        )
        .await
        .unwrap();
    let mut second = delivery("/hooks/y", b"");
    second.rejected = Some("body_too_large".into());
    second.body_size = 99;
    second.replay_of = Some(id1);
    second.response = Some(ResponseRecord {
        status: 502,
        source: "error".into(),
        error: Some("connection refused".into()),
        latency_ms: Some(3),
        headers: vec![("x-app".into(), "1".into())],
        body: "nope".into(),
        rule: Some("refuse-ping".into()),
    });
    let id2 = store
        .insert(second.clone(), Verdict::Failed, None)
        .await
        .unwrap();
    assert!(id2 > id1);
    assert_eq!(
        store.get(id1).unwrap().unwrap(),
        Delivery {
            id: id1,
            ..delivery("/hooks/x", body)
        }
    );
    assert_eq!(
        store.get(id2).unwrap().unwrap(),
        Delivery { id: id2, ..second }
    );
    assert!(store.get(id2 + 1000).unwrap().is_none());
    let rows = store.summaries().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].provider.as_deref(), Some("zoom"));
    assert_eq!(rows[0].verdict, Verdict::Verified);
    assert_eq!((rows[1].status, rows[1].replay_of), (Some(502), Some(id1)));
    assert!(rows[1].rejected && !rows[0].rejected);
    assert_eq!(store.count().unwrap(), 2);
    // A second handle (another process, or a restart) reads the same bytes.
    let other = b.open();
    assert_eq!(
        other.get(id1).unwrap().unwrap().body,
        Bytes::from(&body[..])
    );
}

async fn concurrent_inserts_get_distinct_ids(b: Backend) {
    let (one, two) = (b.open(), b.open());
    let mut tasks = Vec::new();
    for i in 0..300u32 {
        let s = if i % 2 == 0 { one.clone() } else { two.clone() };
        tasks.push(tokio::spawn(async move {
            let d = delivery("/c", &i.to_be_bytes());
            (s.insert(d, Verdict::Unverified, None).await.unwrap(), i)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (id, i) = t.await.unwrap();
        assert_eq!(
            one.get(id).unwrap().unwrap().body,
            Bytes::copy_from_slice(&i.to_be_bytes())
        );
        ids.push(id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 300);
    assert_eq!(one.count().unwrap(), 300);
    assert_eq!(one.counts().unwrap().all.unverified, 300);
}

async fn retention_keeps_the_newest_and_ids_are_never_reused(b: Backend) {
    let store = b.open();
    store.set_keep(3);
    let mut ids = Vec::new();
    for i in 0..10u8 {
        ids.push(
            store
                .insert(delivery("/r", &[i]), Verdict::Unverified, None)
                .await
                .unwrap(),
        );
    }
    store.flush().await.unwrap();
    let kept: Vec<u64> = store.summaries().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(kept, ids[7..]);
    assert_eq!(
        store.get(ids[9]).unwrap().unwrap().body,
        Bytes::from_static(&[9])
    );
    assert!(store.get(ids[6]).unwrap().is_none());
    assert_eq!(store.counts().unwrap().all.total(), 3);
    drop(store);
    let store = b.open();
    let id = store
        .insert(delivery("/r", b"x"), Verdict::Unverified, None)
        .await
        .unwrap();
    assert!(id > ids[9], "ids keep increasing after a reopen");
}

async fn delete_clear_and_import(b: Backend) {
    let store = b.open();
    let mut ids = Vec::new();
    for body in [b"1", b"2", b"3"] {
        ids.push(
            store
                .insert(delivery("/d", body), Verdict::Unverified, None)
                .await
                .unwrap(),
        );
    }
    assert!(store.delete(ids[1]).await.unwrap());
    assert!(!store.delete(ids[1]).await.unwrap());
    let left: Vec<u64> = store.summaries().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(left, vec![ids[0], ids[2]]);
    assert!(store.get(ids[1]).unwrap().is_none());
    let imported = store
        .import(vec![
            (
                delivery("/i", b"\x00a"),
                judged(Verdict::Verified, "stripe", None),
            ),
            (delivery("/i", b"\xffb"), unjudged()),
        ])
        .await
        .unwrap();
    assert_eq!(imported.len(), 2);
    assert!(imported[0] > ids[2] && imported[1] > imported[0]);
    assert_eq!(&store.get(imported[1]).unwrap().unwrap().body[..], b"\xffb");
    assert_eq!(store.counts().unwrap().by_provider["stripe"].verified, 1);
    assert_eq!(store.clear().await.unwrap(), 4);
    assert_eq!(store.count().unwrap(), 0);
    assert_eq!(store.counts().unwrap().all.total(), 0);
    let id = store
        .insert(delivery("/d", b"4"), Verdict::Unverified, None)
        .await
        .unwrap();
    assert!(id > imported[1], "ids are not reused after a clear");
    // Nor after the newest row is deleted and the store reopened (the table is empty then).
    assert!(store.delete(id).await.unwrap());
    drop(store);
    let store = b.open();
    let next = store
        .insert(delivery("/d", b"5"), Verdict::Unverified, None)
        .await
        .unwrap();
    assert!(next > id, "ids are not reused after a reopen");
    assert_eq!(store.counts().unwrap().all.total(), 1);
}

async fn windows_and_filters_match_the_memory_listing(b: Backend) {
    let store = b.open();
    let bodies: [&[u8]; 7] = [
        b"{\"type\":\"Invoice.Paid\"}",
        b"\x00\x01binary\xff\xfeTAIL",
        b"plain text with a \\ backslash",
        b"caf\xc3\xa9 CR\r\nLF",
        b"",
        b"{\"type\":\"charge.failed\"}",
        // Bytes PostgreSQL's escape encoding writes as octal digits (`\312`, `\000`) and
        // backslashes: a search for those digits must not find them.
        b"\xca\x00 \\\\ 7",
    ];
    for (i, body) in bodies.iter().enumerate() {
        let mut d = delivery(if i % 2 == 0 { "/Hooks/Stripe" } else { "/zoom" }, body);
        d.method = if i == 3 { "put".into() } else { "POST".into() };
        if let Some(r) = &mut d.response {
            r.status = [200, 401, 200, 500, 200, 404, 200][i];
        }
        let j = match i {
            0 | 5 => judged(Verdict::Verified, "stripe", None),
            1 => judged(Verdict::Failed, "zoom", None),
            _ => unjudged(),
        };
        store.insert_judged(d, j).await.unwrap();
    }
    let rows = store.summaries().unwrap();
    let body_of = |id: u64| store.get(id).unwrap().map(|d| d.body);
    for text in [
        "",
        "invoice",
        "paid",
        "tail",
        "binary",
        "\\",
        "café",
        "cr",
        "stripe",
        "!stripe",
        "failed",
        "verified",
        "unverified",
        "PUT",
        "401",
        "status:200",
        "path:hooks",
        "body:type",
        "!body:type",
        "p:zo",
        "hooks type",
        "312",
        "body:312",
        "body:000",
        "body:377",
        "body:12",
        "body:7",
        "body:\\7",
        "\\\\",
    ] {
        for newest_first in [true, false] {
            for anchor in [Anchor::Newest, Anchor::Pos(1), Anchor::Id(rows[2].id)] {
                let req = ListRequest {
                    seq: 1,
                    query: (!text.is_empty()).then(|| Query::parse(text).unwrap()),
                    newest_first,
                    anchor,
                    len: 3,
                };
                let got = store.window(&req).unwrap();
                let want = window_of(&rows, &body_of, &req);
                assert_eq!(
                    (got.start, &got.rows, got.matching, got.selected),
                    (want.start, &want.rows, want.matching, want.selected),
                    "filter {text:?}, newest first {newest_first}, {anchor:?}"
                );
                assert_eq!(got.counts, want.counts);
            }
        }
    }
}

async fn stale_rows_are_found_and_rejudged(b: Backend) {
    let store = b.open();
    let a = store
        .insert_judged(
            delivery("/s", b"1"),
            judged(Verdict::Failed, "zoom", Some("old")),
        )
        .await
        .unwrap();
    let c = store
        .insert_judged(
            delivery("/s", b"2"),
            judged(Verdict::Verified, "zoom", Some("new")),
        )
        .await
        .unwrap();
    let n = store
        .insert(delivery("/s", b"3"), Verdict::Unverified, None)
        .await
        .unwrap();
    let current = Generations {
        by_provider: vec![("zoom".into(), "new".into())],
        none: "none-gen".into(),
    };
    assert_eq!(store.count_stale(&current).unwrap(), 2);
    let stale: Vec<u64> = store
        .stale_batch(&current, u64::MAX, 10)
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(stale, vec![n, a]);
    assert_eq!(store.stored_providers().unwrap(), vec!["zoom".to_string()]);
    let s = store.clone();
    tokio::task::spawn_blocking(move || {
        s.update_judgements(vec![
            (a, judged(Verdict::Verified, "zoom", Some("new"))),
            (
                n,
                Judgement {
                    verdict: Verdict::Unverified,
                    provider: None,
                    generation: Some("none-gen".into()),
                },
            ),
            (c + 1000, judged(Verdict::Verified, "zoom", Some("new"))),
        ])
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(store.count_stale(&current).unwrap(), 0);
    let counts = store.counts().unwrap();
    assert_eq!((counts.all.verified, counts.all.failed), (2, 0));
    let mut seen = Vec::new();
    store.for_each_delivery(|d| seen.push(d.id)).unwrap();
    assert_eq!(seen, vec![a, c, n]);
}

async fn another_handle_sees_changes_through_the_feed(b: Backend) {
    let reader = b.open();
    let writer = b.open();
    let seen = |before: i64| {
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if reader.data_version().unwrap() != before {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    let v = reader.data_version().unwrap();
    let id = writer
        .insert(delivery("/f", b"new"), Verdict::Unverified, None)
        .await
        .unwrap();
    assert!(
        seen(v),
        "an insert by another handle was not seen within a second"
    );
    let v = reader.data_version().unwrap();
    let w = writer.clone();
    tokio::task::spawn_blocking(move || {
        w.update_judgements(vec![(id, judged(Verdict::Verified, "x", None))])
    })
    .await
    .unwrap()
    .unwrap();
    assert!(seen(v), "a re-verification was not seen within a second");
    let v = reader.data_version().unwrap();
    assert!(writer.delete(id).await.unwrap());
    assert!(seen(v), "a delete was not seen within a second");
    assert_eq!(reader.count().unwrap(), 0);
}

async fn replays_and_matching_ids(b: Backend) {
    let store = b.open();
    let orig = store
        .insert(delivery("/o", b"o"), Verdict::Unverified, None)
        .await
        .unwrap();
    let mut replay = delivery("/o", b"o");
    replay.replay_of = Some(orig);
    let r1 = store
        .insert(replay.clone(), Verdict::Unverified, None)
        .await
        .unwrap();
    let r2 = store
        .insert(replay, Verdict::Unverified, None)
        .await
        .unwrap();
    let ids: Vec<u64> = store
        .replays_of(orig)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec![r1, r2]);
    assert!(store.replays_of(r1).unwrap().is_empty());
    assert_eq!(store.matching_ids(None, true).unwrap(), vec![r2, r1, orig]);
    assert_eq!(
        store
            .matching_ids(Some(&Query::parse("body:o").unwrap()), false)
            .unwrap(),
        vec![orig, r1, r2]
    );
    assert!(
        store
            .matching_ids(Some(&Query::parse("body:zz").unwrap()), false)
            .unwrap()
            .is_empty()
    );
}
