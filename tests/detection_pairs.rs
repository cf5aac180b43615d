//! Detection stays right as the table grows: for every variant of every built-in provider, a
//! request is built that carries what that variant's detection names (signed with `sign()` for
//! symmetric schemes, headers written by hand for the others), and detection must pick exactly
//! that provider — with no other provider matching as specifically — and that variant.

use hookscope::crypto::decode_key;
use hookscope::delivery::Delivery;
use hookscope::providers::scheme::{Algorithm, Provider};
use hookscope::providers::template::Token;
use hookscope::providers::{Registry, select_variant};
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, verify};
use serde_json::{Map, Value};

const NOW: i64 = 1_763_805_600;
const BASE: &str = "https://hooks.example.com";

/// Secrets tried in turn until one decodes in the variant's signing key form.
const SECRETS: &[&str] = &[
    "00112233445566778899aabbccddeeff",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "pairs-test-secret",
];

/// Set `value` at a dotted path, creating objects on the way.
fn set_path(root: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(part.to_string(), value);
            return;
        }
        let next = cur
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        cur = next.as_object_mut().expect("object");
    }
}

fn set_header(d: &mut Delivery, name: &str, value: &str) {
    d.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    d.headers
        .push((name.to_ascii_lowercase(), value.as_bytes().to_vec()));
}

/// A URL-encoded form body of these fields.
fn form_body(fields: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.finish()
}

/// A request carrying everything variant `vi` of `p` detects by and reads, signed when the
/// scheme can be signed: a form body when the scheme reads form fields, else JSON. Returns it
/// with the secret it verifies with (None: not signable).
fn request_for(p: &Provider, vi: usize) -> (Delivery, Option<&'static str>) {
    let v = &p.variants[vi];
    let s = &v.spec;
    let det = &s.detect;
    let mut body = Map::new();
    body.insert("event".into(), Value::String("pairs.test".into()));
    let mut paths: Vec<&str> = Vec::new();
    paths.extend(det.json_path.as_deref());
    paths.extend(s.signature.json_path.as_deref());
    let mut form: Vec<(String, String)> = Vec::new();
    form.extend(
        det.form_field
            .iter()
            .map(|f| (f.clone(), "pairs-value".into())),
    );
    for t in v.templates().flat_map(|t| &t.tokens) {
        match t {
            Token::Json(p) => paths.push(p),
            Token::Form(f) if !form.iter().any(|(k, _)| k == f) => {
                form.push((f.clone(), "pairs-value".into()));
            }
            _ => {}
        }
    }
    let is_form = !form.is_empty() || s.signature.form_field.is_some();
    // The signature field itself is written by sign(), not here.
    form.retain(|(k, _)| s.signature.form_field.as_deref() != Some(k.as_str()));
    for path in paths {
        set_path(&mut body, path, Value::String("pairs-value".into()));
    }
    if let Some(path) = s.timestamp.as_ref().and_then(|t| t.json_path.as_deref()) {
        set_path(&mut body, path, Value::String(NOW.to_string()));
    }
    let mut d = Delivery {
        method: "POST".into(),
        path: "/hooks/pairs".into(),
        headers: vec![
            ("host".into(), b"hooks.example.com".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
        ],
        ..Default::default()
    };
    let agent = det.user_agent.as_deref().unwrap_or("pairs-test/1.0");
    set_header(&mut d, "user-agent", agent);
    if let Some(sib) = &det.sibling {
        set_header(&mut d, sib, det.sibling_value.as_deref().unwrap_or("pairs"));
    }
    if let Some(q) = &det.query_param
        && s.body_sha256_param.as_deref() != Some(q.as_str())
    {
        d.query = format!("{q}=pairs");
    }
    for t in v.templates().flat_map(|t| &t.tokens) {
        if let Token::Header(h) = t
            && !d.has_header(h)
        {
            set_header(&mut d, h, "pairs-value");
        }
    }
    if is_form {
        set_header(&mut d, "content-type", "application/x-www-form-urlencoded");
    }
    let text = if is_form {
        form_body(&form)
    } else {
        Value::Object(body.clone()).to_string()
    };
    d.body_size = text.len() as u64;
    d.body = text.into();

    let symmetric = !s.algorithm.is_public_key() && s.algorithm != Algorithm::Certificate;
    let secret = SECRETS
        .iter()
        .copied()
        .find(|sec| decode_key(sec, s.key[0]).is_ok());
    if symmetric && let Some(secret) = secret {
        let opts = SignOptions {
            timestamp: NOW,
            variant: s.id.as_deref(),
            base_url: Some(BASE),
            ..Default::default()
        };
        if let Ok(signed) = sign(&d, p, &Secret::new(secret), &opts) {
            for (n, val) in &signed.headers {
                set_header(&mut d, n, val);
            }
            if let Some(field) = &signed.form_field {
                form.push(field.clone());
                let text = form_body(&form);
                d.body_size = text.len() as u64;
                d.body = text.into();
            }
            if let Some((path, value)) = &signed.body_field {
                set_path(&mut body, path, Value::String(value.clone()));
                let text = Value::Object(body).to_string();
                d.body_size = text.len() as u64;
                d.body = text.into();
            }
            let (path, query) = signed
                .path_and_query
                .split_once('?')
                .unwrap_or((&signed.path_and_query, ""));
            d.path = path.to_string();
            d.query = query.to_string();
            return (d, Some(secret));
        }
    }
    // Not signable here: write the fields by hand; only their presence and prefixes matter.
    if let Some(f) = &s.signature.form_field {
        form.push((f.clone(), "00".into()));
        let text = form_body(&form);
        d.body_size = text.len() as u64;
        d.body = text.into();
    }
    if let Some(h) = &s.signature.header {
        let prefix = det
            .prefix
            .clone()
            .filter(|_| det.header.as_deref() == Some(h.as_str()))
            .unwrap_or_else(|| s.signature.prefix.clone());
        set_header(&mut d, h, &format!("{prefix}00"));
    }
    if let Some(h) = &det.header
        && !d.has_header(h)
    {
        let prefix = det.prefix.as_deref().unwrap_or("");
        set_header(&mut d, h, &format!("{prefix}00"));
    }
    if let Some(h) = s.timestamp.as_ref().and_then(|t| t.header.as_deref()) {
        set_header(&mut d, h, &NOW.to_string());
    }
    if let Some(h) = &s.id_header {
        set_header(&mut d, h, "msg_pairs");
    }
    (d, None)
}

#[test]
fn every_variant_of_every_builtin_is_detected_as_itself_and_nothing_else() {
    let reg = Registry::builtin();
    let mut checked = 0;
    let mut signed = 0;
    let mut failures = Vec::new();
    let mut undetectable = Vec::new();
    for (pi, p) in reg.all().iter().enumerate() {
        for vi in 0..p.variants.len() {
            let what = format!(
                "{} variant {}",
                p.name,
                p.variants[vi].spec.id.as_deref().unwrap_or("#0")
            );
            if p.variants[vi].spec.detect.specificity() == 0 {
                // Reachable by a route or --provider only (its vector file says `detect: false`).
                undetectable.push(what);
                continue;
            }
            let (d, secret) = request_for(p, vi);
            checked += 1;
            match reg.detect(&d) {
                None => failures.push(format!("{what}: not detected")),
                Some(det) => {
                    let got = &reg.at(det.provider).name;
                    let also: Vec<&str> =
                        det.also.iter().map(|&i| reg.at(i).name.as_str()).collect();
                    if det.provider != pi || !also.is_empty() {
                        failures.push(format!(
                            "{what}: detected as {got} (also {also:?}) by {}",
                            det.detected_by
                        ));
                    }
                }
            }
            let chosen = select_variant(p, &d);
            if !std::ptr::eq(chosen, &p.variants[vi]) {
                failures.push(format!(
                    "{what}: the request selects variant {:?}",
                    chosen.spec.id
                ));
            }
            if let Some(secret) = secret {
                signed += 1;
                let ctx = Context {
                    now: NOW,
                    base_url: Some(BASE),
                    ..Default::default()
                };
                let out = verify(&d, p, &[Secret::new(secret)], &ctx);
                if out.signature.status != SigStatus::Valid {
                    failures.push(format!(
                        "{what}: signed by sign() but verifies {:?}: {:?}",
                        out.signature.status, out.hints
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked + undetectable.len() >= reg.all().len(),
        "{checked} variants checked"
    );
    println!("{checked} variants detected as themselves; by route only: {undetectable:?}");
    assert!(signed > checked / 2, "only {signed} of {checked} signed");
}

#[test]
fn a_custom_scheme_equal_to_a_builtin_is_reported_ambiguous_not_given_to_either() {
    // Same detection as Intercom (X-Hub-Signature, sha1=): neither may silently win.
    let cfg = hookscope::config::Config::parse(
        r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
detect = { header = "x-hub-signature", prefix = "sha1=" }
signature = { header = "x-hub-signature", prefix = "sha1=", encoding = "hex" }
algorithm = "hmac-sha1"
"#,
    )
    .unwrap();
    let reg = cfg.registry().unwrap();
    let d = Delivery {
        method: "POST".into(),
        path: "/".into(),
        headers: vec![("x-hub-signature".into(), b"sha1=00".to_vec())],
        body: "{}".into(),
        ..Default::default()
    };
    let det = reg.detect(&d).expect("detected");
    let mut names: Vec<&str> = std::iter::once(det.provider)
        .chain(det.also.iter().copied())
        .map(|i| reg.at(i).name.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["acme", "intercom"]);
    assert!(det.is_ambiguous());
}

mod ambiguity {
    use hookscope::checker::Checker;
    use hookscope::config::Config;
    use hookscope::delivery::Delivery;
    use hookscope::verify::{SigStatus, Verdict};

    /// A custom scheme with Intercom's detection: requests carrying it match both equally.
    const TWIN: &str = r#"
[[custom_providers]]
name = "acme"
[[custom_providers.variant]]
detect = { header = "x-hub-signature", prefix = "sha1=" }
signature = { header = "x-hub-signature", prefix = "sha1=", encoding = "hex" }
algorithm = "hmac-sha1"
"#;

    fn signed_with(secret: &str) -> Delivery {
        let body = b"{\"ping\":1}";
        let mac = hookscope::crypto::compute(
            hookscope::providers::scheme::Algorithm::HmacSha1,
            secret.as_bytes(),
            body,
        )
        .unwrap();
        Delivery {
            method: "POST".into(),
            path: "/hooks".into(),
            headers: vec![(
                "x-hub-signature".into(),
                format!("sha1={}", hex::encode(mac)).into_bytes(),
            )],
            body: bytes::Bytes::from_static(body),
            ..Default::default()
        }
    }

    #[test]
    fn ambiguous_headers_are_never_silently_given_to_one_provider() {
        let cfg = Config::parse(TWIN).unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        let v = c.check_received(&signed_with("s3cret"), 0);
        assert_eq!(v.provider, None);
        assert_eq!(v.ambiguous, ["intercom", "acme"]);
        assert_eq!(v.verdict, Verdict::Unverified);
        assert!(
            v.hints
                .iter()
                .any(|h| h.starts_with("ambiguous: the headers match intercom and acme equally")),
            "{:?}",
            v.hints
        );
    }

    #[test]
    fn the_one_secret_that_verifies_settles_an_ambiguous_delivery() {
        let text = format!(
            "{TWIN}\n[providers.acme]\nsecrets = [\"s3cret\"]\n[providers.intercom]\nsecrets = [\"other\"]\n"
        );
        let c = Checker::from_config(&Config::parse(&text).unwrap(), &[]).unwrap();
        let v = c.check_received(&signed_with("s3cret"), 0);
        assert_eq!(v.provider.as_deref(), Some("acme"));
        assert_eq!(v.signature.status, SigStatus::Valid);
        assert_eq!(v.ambiguous, ["intercom", "acme"]);
        assert!(v.detected_by.unwrap().ends_with("+ acme's secret"));
        // A route pins the path: no ambiguity at all.
        let routed = format!("{text}\n[[routes]]\npath = \"/hooks\"\nprovider = \"intercom\"\n");
        let c = Checker::from_config(&Config::parse(&routed).unwrap(), &[]).unwrap();
        let v = c.check_received(&signed_with("s3cret"), 0);
        assert_eq!(v.provider.as_deref(), Some("intercom"));
        assert!(v.ambiguous.is_empty());
    }

    #[test]
    fn settings_routes_and_secrets_use_the_providers_own_name() {
        let cfg = Config::parse(
            "[providers.clerk]\nsecrets = [\"whsec_a\"]\n[[routes]]\npath = \"/c\"\nprovider = \"clerk\"",
        )
        .unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        assert_eq!(c.secrets_for("svix").len(), 1);
        assert!(c.settings("svix").is_some());
        assert_eq!(c.routes()[0].provider, "svix");
        assert_eq!(c.config_key("svix"), "clerk");
        assert_eq!(c.config_key("stripe"), "stripe");
    }
}

mod zoom_token {
    use hookscope::checker::Checker;
    use hookscope::config::Config;
    use hookscope::delivery::Delivery;
    use hookscope::verify::Verdict;

    #[test]
    fn the_zoom_verification_token_is_masked_like_every_token_and_still_verifies_stored() {
        let token = "Wk9PTV9BVVRIT1JJWkFUSU9O";
        let cfg = Config::parse(&format!("[providers.zoom]\nsecrets = [\"{token}\"]\n")).unwrap();
        let c = Checker::from_config(&cfg, &[]).unwrap();
        let mut d = Delivery {
            method: "POST".into(),
            path: "/zoom".into(),
            headers: vec![
                ("user-agent".into(), b"Zoom Marketplace/1.0a".to_vec()),
                ("authorization".into(), token.as_bytes().to_vec()),
            ],
            body: bytes::Bytes::from_static(b"{\"event\":\"meeting.started\"}"),
            ..Default::default()
        };
        let v = c.check_received(&d, 0);
        assert_eq!(v.verdict, Verdict::Verified);
        assert_eq!(v.variant.as_deref(), Some("verification-token"));
        c.mask_tokens(&mut d);
        let stored = String::from_utf8(d.header("authorization").unwrap().to_vec()).unwrap();
        assert!(
            !stored.contains(token) && stored.contains("fp "),
            "{stored}"
        );
        assert_eq!(c.check(&d, 0).verdict, Verdict::Verified);
    }
}
