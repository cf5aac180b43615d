//! A failing delivery's verified twin: another stored delivery of the same event (the scheme's
//! id header, else the body's top-level JSON `id`) that verified. It tells the secret and the
//! bytes apart: same body bytes, so the secret (or a signed header) differs; other bytes, so they
//! changed on the way. The store is asked off the drawing path ([`super::Effect::FindTwin`]), once
//! per selected delivery; the Overview and Signature tabs show the answer as a hint
//! (docs/dashboard.md, "Quick start"; docs/architecture.md, who owns what).

use super::filter::Query;
use super::source::DeliverySource;
use crate::checker::Checker;
use crate::delivery::Delivery;
use crate::verify::{SigStatus, Verification};
use bytes::Bytes;

/// Candidates read from the store at most (newest first) when looking for a twin.
pub const MAX_CANDIDATES: usize = 200;
/// Largest body whose JSON `id` is read.
const MAX_JSON: usize = 1 << 20;

/// What the same event carries in every delivery of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKey {
    /// The scheme's id header (`webhook-id`, …) and its value.
    Header { name: String, value: Vec<u8> },
    /// The body's top-level JSON `id`.
    EventId(String),
}

impl EventKey {
    /// `the same webhook-id` / `the same event id evt_1…`, for the hint.
    pub fn describe(&self) -> String {
        match self {
            EventKey::Header { name, value } => {
                format!("the same {name} ({})", String::from_utf8_lossy(value))
            }
            EventKey::EventId(id) => format!("the same event id ({id})"),
        }
    }

    fn matches(&self, d: &Delivery) -> bool {
        match self {
            EventKey::Header { name, value } => d.header(name) == Some(value.as_slice()),
            EventKey::EventId(id) => json_id(&d.body).as_deref() == Some(id.as_str()),
        }
    }
}

/// A question for the store: a verified delivery of `provider` with `key`, other than `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwinQuery {
    pub id: u64,
    pub provider: String,
    pub key: EventKey,
    pub body: Bytes,
}

/// The store's answer: the twin's id, what it shares, and whether its body bytes are the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Twin {
    pub id: u64,
    pub key: EventKey,
    pub same_body: bool,
}

impl Twin {
    /// The hint line shown with the failing delivery.
    pub fn hint(&self) -> String {
        let id = self.id;
        let shared = self.key.describe();
        if self.same_body {
            format!(
                "#{id} has {shared} and verified with the same body bytes: so the secret this one \
                 was signed with differs (or a signed header, such as its timestamp)"
            )
        } else {
            format!(
                "#{id} has {shared} and verified, with other body bytes: this body changed on the \
                 way (m on one, D on the other compares them)"
            )
        }
    }
}

/// The event key of a delivery whose signature is invalid (no question otherwise).
pub fn query(d: &Delivery, v: &Verification, checker: &Checker) -> Option<TwinQuery> {
    if v.signature.status != SigStatus::Invalid || d.replay_of.is_some() {
        return None;
    }
    let name = v.provider.as_ref()?;
    let provider = checker.registry().get(name)?;
    let spec = &crate::providers::select_variant(provider, d).spec;
    let key = spec
        .id_header
        .as_deref()
        .and_then(|h| {
            d.header(h).map(|value| EventKey::Header {
                name: h.to_ascii_lowercase(),
                value: value.to_vec(),
            })
        })
        .or_else(|| json_id(&d.body).map(EventKey::EventId))?;
    Some(TwinQuery {
        id: d.id,
        provider: name.clone(),
        key,
        body: d.body.clone(),
    })
}

/// Look for the twin in the store: verified rows of the provider (narrowed by the event id in
/// the body when there is one), newest first, at most [`MAX_CANDIDATES`]; replays are skipped
/// (hookscope signed those itself).
pub fn find(source: &dyn DeliverySource, q: &TwinQuery) -> anyhow::Result<Option<Twin>> {
    let mut filter = format!("verified provider:{}", q.provider);
    if let EventKey::EventId(id) = &q.key
        && !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        filter.push_str(&format!(" body:{id}"));
    }
    let query = Query::parse(&filter).map_err(|e| anyhow::anyhow!("{e}"))?;
    for id in source
        .matching_ids(Some(&query), true)?
        .into_iter()
        .filter(|id| *id != q.id)
        .take(MAX_CANDIDATES)
    {
        let Some(d) = source.get(id)? else { continue };
        if d.replay_of.is_none() && q.key.matches(&d) {
            return Ok(Some(Twin {
                id,
                key: q.key.clone(),
                same_body: d.body == q.body,
            }));
        }
    }
    Ok(None)
}

/// The top-level JSON `id` of a body (a string, or a number as written).
fn json_id(body: &[u8]) -> Option<String> {
    if body.len() > MAX_JSON || !body.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<Id>(body).ok()?.id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The twin question and answer of the selected delivery.
#[derive(Clone, Debug, Default)]
pub struct TwinLookup {
    asked: Option<u64>,
    found: Option<Twin>,
}

impl TwinLookup {
    /// The question to ask about `d`, once per delivery (`None` when already asked or none fits).
    pub fn ask(&mut self, d: &Delivery, v: &Verification, checker: &Checker) -> Option<TwinQuery> {
        if self.asked == Some(d.id) {
            return None;
        }
        let q = query(d, v, checker)?;
        self.asked = Some(d.id);
        self.found = None;
        Some(q)
    }

    /// The store answered about delivery `id`.
    pub fn answered(&mut self, id: u64, twin: Option<Twin>) {
        if self.asked == Some(id) {
            self.found = twin;
        }
    }

    /// The verified twin of delivery `id`, if one was found.
    pub fn of(&self, id: u64) -> Option<&Twin> {
        self.found.as_ref().filter(|_| self.asked == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_id_is_the_top_level_json_id() {
        assert_eq!(
            json_id(br#"{"id":"evt_1","data":{"id":"x"}}"#).as_deref(),
            Some("evt_1")
        );
        assert_eq!(json_id(br#" {"id":42}"#).as_deref(), Some("42"));
        assert_eq!(json_id(br#"{"data":{"id":"x"}}"#), None);
        assert_eq!(json_id(b"id=1"), None);
        assert_eq!(json_id(br#"{"id":"a""#), None);
    }
}
