//! HAR 1.2 (<http://www.softwareishard.com/blog/har-12-spec/>) as typed structs: the export of
//! deliveries and the import of any tool's HAR requests.
//!
//! hookscope's own entries carry `_hookscope` (the exact path and query, the verdict the store
//! holds and how it was judged); header values that are not UTF-8 carry `_valueBase64` beside
//! a lossy `value`. Other tools' HAR has neither: the URL gives path and query, and the import
//! judges the deliveries.

use crate::checker::Judgement;
use crate::delivery::Delivery;
use crate::export::{ImportError, Imported, Item, Redact, url_of};
use crate::headless::rfc3339_millis;
use crate::record::{Check, Judged, parse_time};
use crate::verify::Verdict;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// A HAR document.
#[derive(Debug, Serialize, Deserialize)]
pub struct Har {
    pub log: Log,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Log {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub creator: Creator,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Creator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(default)]
    pub started_date_time: Option<String>,
    #[serde(default)]
    pub time: f64,
    pub request: Request,
    #[serde(default)]
    pub response: Option<Response>,
    #[serde(default)]
    pub cache: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub timings: Timings,
    #[serde(
        rename = "serverIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub server_ip_address: Option<String>,
    #[serde(
        rename = "_hookscope",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hookscope: Option<Extra>,
}

/// A name/value pair (headers, query string); `_valueBase64` holds bytes that are not UTF-8.
#[derive(Debug, Serialize, Deserialize)]
pub struct NameValue {
    pub name: Option<String>,
    pub value: Option<String>,
    #[serde(
        rename = "_valueBase64",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub value_base64: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub method: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub http_version: String,
    #[serde(default)]
    pub cookies: Vec<serde_json::Value>,
    pub headers: Option<Vec<NameValue>>,
    #[serde(default)]
    pub query_string: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    #[serde(default)]
    pub headers_size: i64,
    #[serde(default)]
    pub body_size: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub status: u16,
    pub status_text: String,
    pub http_version: String,
    pub cookies: Vec<serde_json::Value>,
    pub headers: Vec<NameValue>,
    pub content: Content,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub size: i64,
    pub mime_type: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Timings {
    pub send: f64,
    pub wait: f64,
    pub receive: f64,
}

/// hookscope's own fields of an entry.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Extra {
    #[serde(default)]
    pub id: u64,
    pub path: Option<String>,
    pub query: Option<String>,
    #[serde(default)]
    pub response_source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Judged>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Check>,
}

fn name_value(name: &str, value: &[u8]) -> NameValue {
    match std::str::from_utf8(value) {
        Ok(s) => NameValue {
            name: Some(name.to_string()),
            value: Some(s.to_string()),
            value_base64: None,
        },
        Err(_) => NameValue {
            name: Some(name.to_string()),
            value: Some(String::from_utf8_lossy(value).into_owned()),
            value_base64: Some(B64.encode(value)),
        },
    }
}

fn entry(item: &Item, base: Option<&str>, redact: &Redact) -> Entry {
    let d = &item.delivery;
    let post_data = (!d.body.is_empty()).then(|| {
        let mime = d
            .header_str("content-type")
            .unwrap_or("application/octet-stream");
        let (text, encoding) = match std::str::from_utf8(&d.body) {
            Ok(s) => (s.to_string(), None),
            Err(_) => (B64.encode(&d.body), Some("base64".to_string())),
        };
        PostData {
            mime_type: mime.to_string(),
            text,
            encoding,
        }
    });
    let r = d.response.clone().unwrap_or_default();
    let wait = r.latency_ms.unwrap_or(0) as f64;
    let mime = r
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map_or("text/plain", |(_, v)| v.as_str());
    Entry {
        started_date_time: Some(rfc3339_millis(d.received_at_ms)),
        time: wait,
        request: Request {
            method: Some(d.method.clone()),
            url: Some(url_of(d, base)),
            http_version: "HTTP/1.1".into(),
            cookies: Vec::new(),
            headers: Some(
                d.headers
                    .iter()
                    .map(|(n, v)| name_value(n, redact.value(n, v)))
                    .collect(),
            ),
            query_string: form_urlencoded::parse(d.query.as_bytes())
                .map(|(k, v)| name_value(&k, v.as_bytes()))
                .collect(),
            post_data,
            headers_size: -1,
            body_size: d.body.len() as i64,
        },
        response: Some(Response {
            status: r.status,
            status_text: String::new(),
            http_version: "HTTP/1.1".into(),
            cookies: Vec::new(),
            headers: r
                .headers
                .iter()
                .map(|(n, v)| name_value(n, v.as_bytes()))
                .collect(),
            content: Content {
                size: r.body.len() as i64,
                mime_type: mime.to_string(),
                text: r.body.clone(),
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
        }),
        cache: Default::default(),
        timings: Timings {
            send: 0.0,
            wait,
            receive: 0.0,
        },
        server_ip_address: d.peer.clone(),
        hookscope: Some(Extra {
            id: d.id,
            path: Some(d.path.clone()),
            query: Some(d.query.clone()),
            response_source: r.source,
            provider: item.judgement.provider.clone(),
            verdict: Some(item.judgement.verdict),
            judged: Some(item.judged),
            generation: item.judgement.generation.clone(),
            verification: item.check.as_ref().map(Check::of),
        }),
    }
}

/// A HAR 1.2 document of deliveries (hookscope's fields under `_hookscope`).
pub fn document(items: &[Item], base: Option<&str>, redact: &Redact) -> Har {
    Har {
        log: Log {
            version: "1.2".into(),
            creator: Creator {
                name: "hookscope".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            entries: items.iter().map(|i| entry(i, base, redact)).collect(),
        },
    }
}

/// Read a HAR file's requests. Nothing is returned unless every entry is good.
pub fn parse(text: &str) -> Result<Vec<Imported>, ImportError> {
    let doc: Har = serde_json::from_str(text).map_err(|e| ImportError {
        place: "HAR".into(),
        message: format!("not a HAR document: {e}"),
    })?;
    doc.log
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            imported(e).map_err(|message| ImportError {
                place: format!("entry {i}"),
                message,
            })
        })
        .collect()
}

fn imported(e: &Entry) -> Result<Imported, String> {
    let req = &e.request;
    let method = req.method.as_deref().ok_or("request.method is missing")?;
    let url = req.url.as_deref().ok_or("request.url is missing")?;
    let after_scheme = url
        .split_once("://")
        .map(|x| x.1)
        .ok_or_else(|| format!("request.url {url:?} is not absolute"))?;
    let pq = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let (url_path, url_query) = pq.split_once('?').unwrap_or((pq, ""));
    let extra = e.hookscope.as_ref();
    // hookscope's own HAR keeps the exact path and query; other tools' HAR has only the URL.
    let path = extra.and_then(|x| x.path.clone());
    let query = extra.and_then(|x| x.query.clone());
    let mut headers = Vec::new();
    for h in req.headers.as_ref().ok_or("request.headers is missing")? {
        let name = h.name.as_deref().ok_or("a header has no name")?;
        let value = match &h.value_base64 {
            Some(b) => B64
                .decode(b)
                .map_err(|_| format!("header {name}: bad _valueBase64"))?,
            None => h
                .value
                .as_deref()
                .ok_or_else(|| format!("header {name} has no value"))?
                .as_bytes()
                .to_vec(),
        };
        headers.push((name.to_string(), value));
    }
    let body = match &req.post_data {
        None => Vec::new(),
        Some(p) if p.encoding.as_deref() == Some("base64") => B64
            .decode(&p.text)
            .map_err(|_| "postData.text is not base64".to_string())?,
        Some(p) => p.text.as_bytes().to_vec(),
    };
    let started = e
        .started_date_time
        .as_deref()
        .and_then(parse_time)
        .ok_or("startedDateTime is missing or not ISO 8601")?;
    let judgement = extra.and_then(|x| {
        x.verdict.map(|verdict| Judgement {
            verdict,
            provider: x.provider.clone(),
            generation: x.generation.clone(),
        })
    });
    let d = Delivery {
        received_at_ms: started,
        method: method.to_string(),
        path: path.unwrap_or_else(|| url_path.to_string()),
        query: query.unwrap_or_else(|| url_query.to_string()),
        headers,
        body_size: body.len() as u64,
        body: body.into(),
        peer: e.server_ip_address.clone(),
        ..Default::default()
    };
    Ok((d, judgement))
}
