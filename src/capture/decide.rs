//! Choosing the answer to a delivery: 413/408/503/508/400 for a rejected one, else the first
//! response rule that applies, a handshake, forwarding, or the configured local answer.
//!
//! Only the choice is made here; the caller commits the delivery before any answer leaves (see
//! the module doc of [`crate::capture`]).

use super::{RETRY_AFTER_SECS, Shared, challenge};
use crate::checker::Checker;
use crate::delivery::{Delivery, ResponseRecord};
use crate::verify::Verification;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// How a delivery is answered.
pub(super) enum Answer {
    /// This response (a rejection, a handshake, the configured local answer).
    Ready(Box<(Response, ResponseRecord)>),
    /// The response rule at this index, once the delivery is committed.
    Rule(usize),
    /// The app's answer.
    Forward,
}

/// Verify the delivery and choose its answer.
pub(super) fn decide(shared: &Shared, checker: &Checker, d: &Delivery) -> (Verification, Answer) {
    let ready = |answer: (Response, ResponseRecord)| Answer::Ready(Box::new(answer));
    if let Some(why) = d.rejected.as_deref() {
        // A rejected body is never answered by a rule: its answer says what went wrong.
        return (checker.attribute_only(d), ready(rejection(shared, why)));
    }
    let now = jiff::Timestamp::now().as_second();
    let mut v = checker.check_received(d, now);
    let forwarding = shared.forward.is_some();
    let handshake = challenge::answer(checker, d, &v, forwarding);
    if let Some((index, _)) = shared.rules.pick(d, &v, handshake.is_some(), forwarding) {
        return (v, Answer::Rule(index));
    }
    if let Some(h) = handshake {
        let status = StatusCode::from_u16(h.status).unwrap_or(StatusCode::OK);
        let mut answer = local(
            status,
            h.content_type.unwrap_or("text/plain"),
            h.body.into(),
            "challenge",
        );
        if h.content_type.is_none() {
            answer.0.headers_mut().remove("content-type");
        }
        for (name, value) in &h.headers {
            if let (Ok(n), Ok(val)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                axum::http::HeaderValue::from_str(value),
            ) {
                answer.0.headers_mut().insert(n, val);
            }
        }
        v.hints.extend(h.note);
        return (v, ready(answer));
    }
    if forwarding {
        return (v, Answer::Forward);
    }
    let l = &shared.local;
    (
        v,
        ready(local(l.status, l.content_type, l.body.clone(), "hookscope")),
    )
}

/// The answer to a delivery recorded as rejected for `why`.
fn rejection(shared: &Shared, why: &str) -> (Response, ResponseRecord) {
    let (status, text) = match why {
        "body_too_large" => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "hookscope: the body is larger than --max-body ({} bytes)\n",
                shared.max_body
            ),
        ),
        "body_timeout" => (
            StatusCode::REQUEST_TIMEOUT,
            "hookscope: the body did not arrive in time\n".to_string(),
        ),
        "busy" => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "hookscope: too many body bytes are in flight (--max-in-flight {}); retry later\n",
                shared.in_flight.max()
            ),
        ),
        "forward_loop" => (
            StatusCode::LOOP_DETECTED,
            "hookscope: this request was forwarded by this listener itself (a forwarding loop); \
             not forwarded again\n"
                .to_string(),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            "hookscope: the body's framing is malformed or it ended early\n".to_string(),
        ),
    };
    let mut answer = local(
        status,
        "text/plain; charset=utf-8",
        text.into(),
        "hookscope",
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        answer
            .0
            .headers_mut()
            .insert("retry-after", RETRY_AFTER_SECS.into());
    }
    answer
}

/// A response of hookscope's own with the record of it.
pub(super) fn local(
    status: StatusCode,
    content_type: &'static str,
    body: bytes::Bytes,
    source: &str,
) -> (Response, ResponseRecord) {
    let record = ResponseRecord {
        status: status.as_u16(),
        source: source.to_string(),
        ..Default::default()
    };
    (
        (status, [("content-type", content_type)], body).into_response(),
        record,
    )
}
