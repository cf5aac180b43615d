//! The HAR export against the HAR 1.2 structure: every required field present with its type.

use hookscope::checker::Checker;
use hookscope::delivery::{Delivery, ResponseRecord};
use hookscope::export::{Item, Redact, har};
use serde_json::Value;

fn obj<'a>(v: &'a Value, at: &str) -> &'a serde_json::Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| panic!("{at} must be an object"))
}

fn field<'a>(o: &'a serde_json::Map<String, Value>, at: &str, k: &str) -> &'a Value {
    o.get(k).unwrap_or_else(|| panic!("{at}.{k} is required"))
}

fn string(o: &serde_json::Map<String, Value>, at: &str, k: &str) {
    assert!(field(o, at, k).is_string(), "{at}.{k} must be a string");
}

fn integer(o: &serde_json::Map<String, Value>, at: &str, k: &str) {
    assert!(field(o, at, k).is_i64(), "{at}.{k} must be an integer");
}

fn number(o: &serde_json::Map<String, Value>, at: &str, k: &str) {
    assert!(field(o, at, k).is_number(), "{at}.{k} must be a number");
}

fn name_values(o: &serde_json::Map<String, Value>, at: &str, k: &str) {
    for (i, nv) in field(o, at, k)
        .as_array()
        .unwrap_or_else(|| panic!("{at}.{k} must be an array"))
        .iter()
        .enumerate()
    {
        let here = format!("{at}.{k}[{i}]");
        let nv = obj(nv, &here);
        string(nv, &here, "name");
        string(nv, &here, "value");
    }
}

/// Check a document against HAR 1.2's required structure.
fn check_har(doc: &Value) {
    let log = obj(field(obj(doc, "root"), "root", "log"), "log");
    assert_eq!(field(log, "log", "version"), "1.2");
    let creator = obj(field(log, "log", "creator"), "log.creator");
    string(creator, "log.creator", "name");
    string(creator, "log.creator", "version");
    let entries = field(log, "log", "entries")
        .as_array()
        .expect("log.entries must be an array");
    assert!(!entries.is_empty());
    for (i, e) in entries.iter().enumerate() {
        let at = format!("entries[{i}]");
        let e = obj(e, &at);
        string(e, &at, "startedDateTime");
        let started = e["startedDateTime"].as_str().unwrap();
        assert!(
            started.parse::<jiff::Timestamp>().is_ok(),
            "{at}.startedDateTime must be ISO 8601: {started}"
        );
        number(e, &at, "time");
        let req = obj(field(e, &at, "request"), "request");
        for k in ["method", "url", "httpVersion"] {
            string(req, "request", k);
        }
        assert!(field(req, "request", "cookies").is_array());
        name_values(req, "request", "headers");
        name_values(req, "request", "queryString");
        integer(req, "request", "headersSize");
        integer(req, "request", "bodySize");
        if let Some(p) = req.get("postData") {
            let p = obj(p, "request.postData");
            string(p, "request.postData", "mimeType");
            string(p, "request.postData", "text");
        }
        let resp = obj(field(e, &at, "response"), "response");
        integer(resp, "response", "status");
        string(resp, "response", "statusText");
        string(resp, "response", "httpVersion");
        assert!(field(resp, "response", "cookies").is_array());
        name_values(resp, "response", "headers");
        let content = obj(field(resp, "response", "content"), "response.content");
        integer(content, "response.content", "size");
        string(content, "response.content", "mimeType");
        string(resp, "response", "redirectURL");
        integer(resp, "response", "headersSize");
        integer(resp, "response", "bodySize");
        assert!(field(e, &at, "cache").is_object());
        let timings = obj(field(e, &at, "timings"), "timings");
        for k in ["send", "wait", "receive"] {
            number(timings, "timings", k);
        }
    }
}

#[test]
fn har_export_has_the_har_1_2_structure() {
    let checker = Checker::builtin();
    let plain = Delivery {
        id: 1,
        received_at_ms: 1_763_805_600_123,
        method: "POST".into(),
        path: "/hooks/stripe".into(),
        query: "a=1&b=two".into(),
        headers: vec![
            ("host".into(), b"127.0.0.1:4545".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
            ("stripe-signature".into(), b"t=1,v1=00".to_vec()),
        ],
        body: bytes::Bytes::from_static(b"{\"id\":\"evt_1\"}"),
        body_size: 14,
        response: Some(ResponseRecord {
            status: 200,
            source: "app".into(),
            latency_ms: Some(12),
            headers: vec![("content-type".into(), "text/plain".into())],
            body: "ok".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let binary = Delivery {
        id: 2,
        received_at_ms: 1_763_805_601_000,
        method: "PUT".into(),
        path: "/bin".into(),
        headers: vec![("x-raw".into(), vec![0xfe, 0x41])],
        body: bytes::Bytes::from_static(b"\x00\x01\xff"),
        body_size: 3,
        ..Default::default()
    };
    let empty = Delivery {
        id: 3,
        method: "GET".into(),
        path: "/".into(),
        ..Default::default()
    };
    let items: Vec<_> = [plain, binary, empty]
        .into_iter()
        .map(|d| Item::judged_now(d, &checker))
        .collect();
    let doc = har(&items, None, &Redact::none());
    check_har(&doc);
    let e = &doc["log"]["entries"];
    assert_eq!(
        e[0]["request"]["url"],
        "http://127.0.0.1:4545/hooks/stripe?a=1&b=two"
    );
    assert_eq!(e[0]["request"]["queryString"][1]["value"], "two");
    assert_eq!(e[0]["response"]["status"], 200);
    assert_eq!(e[0]["_hookscope"]["provider"], "stripe");
    assert_eq!(e[0]["_hookscope"]["judged"], "reverified");
    assert!(e[0]["_hookscope"]["verification"]["signature"].is_object());
    assert_eq!(e[1]["request"]["postData"]["encoding"], "base64");
    assert_eq!(e[1]["request"]["postData"]["text"], "AAH/");
    assert!(e[2]["request"].get("postData").is_none());
}
