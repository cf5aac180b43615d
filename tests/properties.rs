//! Property tests of the signature engine: for every symmetric scheme, `verify(sign(x))` is
//! valid on random inputs; and nothing a sender can put in a request makes it panic.

use base64::Engine as _;
use hookscope::delivery::Delivery;
use hookscope::providers::Registry;
use hookscope::providers::scheme::{Algorithm, KeyForm, TimeUnit};
use hookscope::providers::template::{Template, Token};
use hookscope::secret::Secret;
use hookscope::sign::{SignOptions, sign};
use hookscope::verify::{Context, SigStatus, parse_timestamp, verify};
use proptest::prelude::*;

const NOW: i64 = 1_763_805_600;

/// A secret string in the form the scheme's first key form expects.
fn secret_for(form: KeyForm, raw: &[u8], text: &str) -> String {
    match form {
        KeyForm::Utf8 => format!("s{text}"),
        KeyForm::Hex => hex::encode(raw),
        KeyForm::Base64 => base64::engine::general_purpose::STANDARD.encode(raw),
        KeyForm::Whsec => format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ),
        // Hashed into the key, or a public key (never signed): any text.
        KeyForm::Sha1Digest | KeyForm::Sha256Digest | KeyForm::Jwk => format!("s{text}"),
    }
}

/// A body that carries what body-sourced schemes need (Mailgun, Linear), around random bytes.
fn body_for(provider: &str, random: &[u8], ts: i64) -> Vec<u8> {
    let text = String::from_utf8_lossy(random);
    match provider {
        "mailgun" => serde_json::json!({
            "signature": {"timestamp": ts.to_string(), "token": hex::encode(random)},
            "event-data": {"note": text},
        })
        .to_string()
        .into_bytes(),
        "linear" => {
            serde_json::json!({"action": "create", "note": text, "webhookTimestamp": ts * 1000})
                .to_string()
                .into_bytes()
        }
        "adyen" => serde_json::json!({"live": "false", "notificationItems": [{"NotificationRequestItem": {
            "pspReference": hex::encode(random), "merchantReference": text, "eventCode": "AUTHORISATION",
            "amount": {"value": random.len(), "currency": "EUR"}, "success": "true", "additionalData": {},
        }}]})
        .to_string()
        .into_bytes(),
        "braintree" => form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "bt_payload",
                &format!("{}\n", base64::engine::general_purpose::STANDARD.encode(random)),
            )
            .finish()
            .into_bytes(),
        "microsoft-graph" => serde_json::json!({"value": [{"subscriptionId": text, "changeType": "created"}]})
            .to_string()
            .into_bytes(),
        "okta" => serde_json::json!({"cloudEventsVersion": "0.1", "data": {"note": text}})
            .to_string()
            .into_bytes(),
        "vonage" => serde_json::json!({"message_uuid": hex::encode(random), "text": text})
            .to_string()
            .into_bytes(),
        _ => random.to_vec(),
    }
}

/// Set the value at a dotted JSON path (object keys and array indexes) in a JSON body.
fn set_json(body: &[u8], path: &str, value: String) -> Vec<u8> {
    let mut json: serde_json::Value = serde_json::from_slice(body).unwrap();
    let mut cur = &mut json;
    for part in path.split('.') {
        cur = match part.parse::<usize>() {
            Ok(i) if cur.is_array() => &mut cur[i],
            _ => &mut cur[part],
        };
    }
    *cur = serde_json::Value::String(value);
    json.to_string().into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_is_valid_for_every_symmetric_scheme(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        key in proptest::collection::vec(any::<u8>(), 24..48),
        text in "[ -~]{1,40}",
        skew in -60i64..60,
        id in "[a-zA-Z0-9_]{1,30}",
        path in "/[a-z0-9/]{0,20}",
    ) {
        let reg = Registry::builtin();
        for p in reg.all() {
            for v in &p.variants {
                let alg = v.spec.algorithm;
                if alg.is_public_key() || alg == Algorithm::Certificate {
                    continue;
                }
                let ts = NOW + skew;
                let secret = Secret::new(secret_for(v.spec.key[0], &key, &text));
                let mut d = Delivery {
                    method: "POST".into(),
                    path: path.clone(),
                    body: body_for(&p.name, &body, ts).into(),
                    headers: vec![("host".into(), b"hooks.example.dev".to_vec())],
                    ..Default::default()
                };
                // Variants told apart by a sibling header or query need it present.
                if let Some(s) = &v.spec.detect.sibling {
                    let value = v.spec.detect.sibling_value.clone().unwrap_or_else(|| "x".into());
                    d.headers.push((s.clone(), value.into_bytes()));
                }
                // Headers the template signs (`{header:NAME}`) are the sender's: give them a value.
                for t in &v.template.tokens {
                    if let Token::Header(h) = t {
                        d.headers.push((h.clone(), format!("{text} {ts}").into_bytes()));
                    }
                }
                let opts = SignOptions {
                    timestamp: ts,
                    id: Some(id.clone()),
                    base_url: Some("https://hooks.example.dev"),
                    variant: v.spec.id.as_deref(),
                    ..Default::default()
                };
                let signed = sign(&d, p, &secret, &opts).unwrap();
                let (path_only, query) = signed.path_and_query.split_once('?').unwrap_or((&signed.path_and_query, ""));
                d.path = path_only.to_string();
                d.query = query.to_string();
                for (n, val) in signed.headers {
                    d.headers.retain(|(x, _)| !x.eq_ignore_ascii_case(&n));
                    d.headers.push((n.to_ascii_lowercase(), val.into_bytes()));
                }
                if let Some((path, value)) = signed.body_field {
                    d.body = set_json(&d.body, &path, value).into();
                }
                if let Some((field, value)) = signed.form_field {
                    let mut form = form_urlencoded::Serializer::new(String::from_utf8(d.body.to_vec()).unwrap());
                    form.append_pair(&field, &value);
                    d.body = form.finish().into_bytes().into();
                }
                let ctx = Context { now: NOW, base_url: Some("https://hooks.example.dev"), ..Default::default() };
                let mut only = p.clone();
                only.variants.retain(|x| x.spec.id == v.spec.id);
                let out = verify(&d, &only, std::slice::from_ref(&secret), &ctx);
                prop_assert_eq!(out.signature.status, SigStatus::Valid, "{} {:?}: {:?}", p.name, v.spec.id, out.hints);
            }
        }
    }

    #[test]
    fn arbitrary_requests_never_panic(
        values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 6),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        json_body in "\\{\"signature\":\\{\"timestamp\":\"[0-9a-z]{0,12}\",\"token\":\"[ -~]{0,8}\",\"signature\":\"[0-9a-fA-Fz]{0,70}\"\\},\"webhookTimestamp\":[0-9]{0,20}\\}",
        query in "[ -~]{0,40}",
    ) {
        let reg = Registry::builtin();
        let secrets = [Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Secret::new("00ff")];
        for p in reg.all() {
            for v in &p.variants {
                let mut names: Vec<String> = Vec::new();
                names.extend(v.spec.signature.header.clone());
                names.extend(v.spec.timestamp.as_ref().and_then(|t| t.header.clone()));
                names.extend(v.spec.id_header.clone());
                names.extend(v.spec.detect.sibling.clone());
                names.push("host".into());
                let headers: Vec<(String, Vec<u8>)> = names.iter().zip(values.iter()).map(|(n, v)| (n.clone(), v.clone())).collect();
                for b in [&body[..], json_body.as_bytes()] {
                    let d = Delivery {
                        method: "POST".into(),
                        path: "/x".into(),
                        query: query.clone(),
                        headers: headers.clone(),
                        body: b.to_vec().into(),
                        ..Default::default()
                    };
                    let _ = reg.detect(&d);
                    let out = verify(&d, p, &secrets, &Context { now: NOW, ..Default::default() });
                    prop_assert!(out.provider.is_some());
                }
            }
        }
    }

    #[test]
    fn templates_and_timestamps_never_panic(t in "[ -~]{0,60}", ts in "[ -~]{0,40}") {
        let _ = Template::parse(&t);
        for unit in [TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Rfc3339] {
            let _ = parse_timestamp(&ts, unit);
        }
        let _ = hookscope::config::Config::parse(&t);
    }
}
