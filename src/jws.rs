//! Compact JWS tokens (RFC 7515) as signature fields: read one apart, check its claims against
//! the request, and build one for `sign`. The signature itself is checked like any other entry
//! (HMAC or public key over the token's `header.payload`), so no JWT library is involved.

use crate::crypto;
use crate::providers::scheme::{Algorithm, TimeUnit, VariantSpec};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// A compact JWS, read apart (not yet verified).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: String,
    /// The protected header.
    pub header: Value,
    /// The payload as JSON claims.
    pub claims: Value,
    /// The third segment as written.
    pub signature_text: String,
}

/// Read a compact JWS; `Err` says what is wrong with it.
pub fn parse(text: &str) -> Result<Token, String> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err(format!(
            "a JWS has three dot-separated parts; this has {}",
            parts.len()
        ));
    };
    let json = |seg: &str, what: &str| -> Result<Value, String> {
        let bytes = crypto::decode_base64(seg).ok_or(format!("the JWS {what} is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| format!("the JWS {what} is not JSON"))
    };
    Ok(Token {
        signing_input: format!("{h}.{p}"),
        header: json(h, "header")?,
        claims: json(p, "payload")?,
        signature_text: s.to_string(),
    })
}

impl Token {
    /// Why the token's header does not fit the scheme's algorithm, if it does not.
    pub fn alg_problem(&self, alg: Algorithm) -> Option<String> {
        let want = alg.jws_name()?;
        match self.header.get("alg").and_then(Value::as_str) {
            Some(got) if got == want => None,
            Some(got) => Some(format!(
                "the JWS says alg {got}; this scheme is {want} (a token with another alg is refused)"
            )),
            None => Some("the JWS header names no alg".into()),
        }
    }

    /// A claim as text: strings unquoted, numbers as written.
    pub fn claim(&self, name: &str) -> Option<String> {
        match self.claims.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Why the claims do not fit this request (body hash, fixed claims), if they do not.
    pub fn claim_problems(&self, spec: &VariantSpec, body: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(name) = &spec.body_hash_claim {
            let actual = crypto::sha256_hex(body);
            match self.claim(name) {
                Some(sent) if sent.eq_ignore_ascii_case(&actual) => {}
                Some(sent) => out.push(format!(
                    "the {name} claim ({sent}) is not the body's SHA-256 ({actual}): the body changed after signing"
                )),
                None => out.push(format!("the JWS has no {name} claim (the body's SHA-256)")),
            }
        }
        for (name, want) in &spec.claims {
            match self.claim(name) {
                Some(got) if got == *want => {}
                Some(got) => out.push(format!("the {name} claim is {got:?}, not {want:?}")),
                None => out.push(format!("the JWS has no {name} claim ({want:?} expected)")),
            }
        }
        out
    }
}

/// The claims `sign` writes: the fixed ones, the time claim, the body hash.
pub fn claims_for(spec: &VariantSpec, body: &[u8], timestamp: i64) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in &spec.claims {
        m.insert(k.clone(), Value::String(v.clone()));
    }
    if let Some(ts) = &spec.timestamp
        && let Some(claim) = &ts.claim
    {
        let value = match ts.unit {
            TimeUnit::Millis => Value::from(timestamp.saturating_mul(1000)),
            TimeUnit::Seconds => Value::from(timestamp),
            TimeUnit::Rfc3339 => Value::from(crate::verify::format_timestamp(timestamp, ts.unit)),
        };
        m.insert(claim.clone(), value);
    }
    if let Some(name) = &spec.body_hash_claim {
        m.insert(name.clone(), Value::String(crypto::sha256_hex(body)));
    }
    Value::Object(m)
}

/// `header.payload` for a new token with these claims.
pub fn signing_input(alg: Algorithm, claims: &Value) -> String {
    let header = serde_json::json!({ "alg": alg.jws_name().unwrap_or("none"), "typ": "JWT" });
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::scheme::KeyForm;

    #[test]
    fn rfc7515_es256_example_verifies() {
        // RFC 7515 appendix A.3: the ES256 example JWS and its public key.
        let jwk = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
        let jws = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
        let t = parse(jws).unwrap();
        assert_eq!(t.alg_problem(Algorithm::EcdsaP256), None);
        assert!(t.alg_problem(Algorithm::HmacSha256).is_some());
        assert_eq!(t.claim("iss").as_deref(), Some("joe"));
        assert_eq!(t.claim("exp").as_deref(), Some("1300819380"));
        let key = crypto::decode_key(jwk, KeyForm::Jwk).unwrap();
        let sig = crypto::decode_base64(&t.signature_text).unwrap();
        let msg = t.signing_input.as_bytes();
        assert!(crypto::verify_public(Algorithm::EcdsaP256, &key, msg, &sig).unwrap());
        assert!(!crypto::verify_public(Algorithm::EcdsaP256, &key, b"x.y", &sig).unwrap());
    }

    #[test]
    fn rfc7515_hs256_example_verifies() {
        // RFC 7515 appendix A.1: the HS256 example JWS and its symmetric key.
        let k = crypto::decode_base64(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        )
        .unwrap();
        let jws = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let t = parse(jws).unwrap();
        let mac = crypto::compute(Algorithm::HmacSha256, &k, t.signing_input.as_bytes()).unwrap();
        assert_eq!(crypto::decode_base64(&t.signature_text).unwrap(), mac);
    }

    #[test]
    fn malformed_tokens_say_why() {
        assert!(parse("a.b").unwrap_err().contains("three"));
        assert!(
            parse("!!.e30.x")
                .unwrap_err()
                .contains("header is not base64url")
        );
        assert!(
            parse("e30.bm9wZQ.x")
                .unwrap_err()
                .contains("payload is not JSON")
        );
        let t = parse("e30.e30.x").unwrap();
        assert!(
            t.alg_problem(Algorithm::HmacSha256)
                .unwrap()
                .contains("no alg")
        );
    }
}
