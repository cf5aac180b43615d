//! Every vector in `tests/data/providers/*.json` (format in that folder's README.md) verifies
//! with its secret, is detected as its provider, and fails `invalid` once tampered.

use base64::Engine;
use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::secret::Secret;
use hookscope::verify::{Context, SigStatus, Verdict, Verification, verify};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    provider: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Vector {
    name: String,
    source_kind: SourceKind,
    source: String,
    #[serde(default)]
    variant: Option<String>,
    secret: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    url: Option<String>,
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_base64: Option<String>,
    #[serde(default)]
    now_unix: Option<i64>,
    #[serde(default)]
    tamper: Option<String>,
    #[serde(default = "yes")]
    detect: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Clone, Copy, Debug)]
#[serde(rename_all = "kebab-case")]
enum SourceKind {
    OfficialDocs,
    OfficialSdk,
    Computed,
}

fn files() -> Vec<(PathBuf, File)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/providers");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let f: File =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, f)
        })
        .collect()
}

fn delivery(v: &Vector) -> (Delivery, Option<String>) {
    let (base_url, path, query) = match &v.url {
        Some(u) => {
            let (scheme, rest) = u.split_once("://").expect("url with a scheme");
            let host_end = rest.find('/').unwrap_or(rest.len());
            let pq = &rest[host_end..];
            let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
            let path = if path.is_empty() { "/" } else { path };
            (
                Some(format!("{scheme}://{}", &rest[..host_end])),
                path.to_string(),
                query.to_string(),
            )
        }
        None => (None, "/webhook".to_string(), String::new()),
    };
    let body: Vec<u8> = match (&v.body, &v.body_base64) {
        (Some(b), None) => b.as_bytes().to_vec(),
        (None, Some(b)) => base64::engine::general_purpose::STANDARD
            .decode(b)
            .expect("body_base64"),
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => panic!("{}: body and body_base64 both given", v.name),
    };
    let d = Delivery {
        id: 1,
        method: v.method.clone().unwrap_or_else(|| "POST".into()),
        path,
        query,
        headers: v
            .headers
            .iter()
            .map(|(n, val)| (n.to_ascii_lowercase(), val.as_bytes().to_vec()))
            .collect(),
        body_size: body.len() as u64,
        body: body.into(),
        ..Default::default()
    };
    (d, base_url)
}

fn check(
    reg: &Registry,
    provider: &str,
    v: &Vector,
    d: &Delivery,
    base: Option<&str>,
) -> Verification {
    let p = reg
        .get(provider)
        .unwrap_or_else(|| panic!("{}: no built-in provider {provider}", v.name));
    let ctx = Context {
        now: v.now_unix.unwrap_or(1_800_000_000),
        base_url: base,
        ..Default::default()
    };
    verify(d, p, &[Secret::new(v.secret.clone())], &ctx)
}

fn tampered(v: &Vector, d: &Delivery) -> Delivery {
    let mut d = d.clone();
    match v.tamper.as_deref().unwrap_or("body") {
        "body" => {
            let mut body = d.body.to_vec();
            assert!(!body.is_empty(), "{}: empty body: tamper a header", v.name);
            let mid = body.len() / 2;
            body[mid] ^= 0x01;
            d.body = body.into();
        }
        other => {
            let name = other
                .strip_prefix("header:")
                .unwrap_or_else(|| panic!("{}: tamper is body or header:NAME", v.name))
                .to_ascii_lowercase();
            let (_, value) = d
                .headers
                .iter_mut()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{}: no header {name} to tamper", v.name));
            let last = value.len() - 1;
            value[last] = if value[last] == b'A' { b'B' } else { b'A' };
        }
    }
    d
}

#[test]
fn every_provider_vector_verifies_is_detected_and_fails_when_tampered() {
    let reg = Registry::builtin();
    let all = files();
    assert!(!all.is_empty(), "no vector files in tests/data/providers");
    let mut count = 0;
    for (path, f) in &all {
        let stem = path.file_stem().unwrap().to_string_lossy();
        assert_eq!(
            stem,
            f.provider,
            "{}: file name must be the provider",
            path.display()
        );
        assert!(!f.vectors.is_empty(), "{}: no vectors", path.display());
        for v in &f.vectors {
            count += 1;
            let what = format!(
                "{} / {} ({:?}: {})",
                f.provider, v.name, v.source_kind, v.source
            );
            let (d, base) = delivery(v);
            let out = check(&reg, &f.provider, v, &d, base.as_deref());
            assert_eq!(
                out.signature.status,
                SigStatus::Valid,
                "{what}: {:?}",
                out.hints
            );
            if let Some(want) = &v.variant {
                assert_eq!(out.variant.as_deref(), Some(want.as_str()), "{what}");
            }
            if v.now_unix.is_some() {
                assert_eq!(out.verdict, Verdict::Verified, "{what}: {out:?}");
            }
            if v.detect {
                let det = reg
                    .detect(&d)
                    .unwrap_or_else(|| panic!("{what}: not detected"));
                assert_eq!(reg.at(det.provider).name, f.provider, "{what}");
            }
            let bad = tampered(v, &d);
            let out = check(&reg, &f.provider, v, &bad, base.as_deref());
            assert_eq!(
                out.signature.status,
                SigStatus::Invalid,
                "{what} tampered: {:?}",
                out.hints
            );
            assert_eq!(out.verdict, Verdict::Failed, "{what} tampered");
        }
    }
    assert!(count > 0);
}

#[test]
fn every_verifiable_builtin_has_a_vector() {
    // Here, or in the shared set (tests/data/vectors.json, tagged `NAME` or `NAME-…`).
    let shared: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("data/vectors.json")).unwrap();
    let tags: Vec<&str> = shared
        .iter()
        .filter_map(|v| v.get("provider")?.as_str())
        .collect();
    let here: Vec<String> = files().into_iter().map(|(_, f)| f.provider).collect();
    let reg = Registry::builtin();
    let missing: Vec<&str> = reg
        .all()
        .iter()
        .filter(|p| p.unverifiable.is_none())
        .map(|p| p.name.as_str())
        .filter(|name| {
            !here.iter().any(|h| h == name)
                && !tags
                    .iter()
                    .any(|t| t == name || t.starts_with(&format!("{name}-")))
        })
        .collect();
    assert!(missing.is_empty(), "no test vector for {missing:?}");
}
