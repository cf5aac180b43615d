//! Cryptographic primitives behind every scheme: MACs, hashes, public-key checks, key and
//! signature encodings, and constant-time comparison.

use crate::providers::scheme::{Algorithm, Encoding, KeyForm};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Digest;
use subtle::ConstantTimeEq;

/// Why a secret could not be turned into key bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the secret is not valid hex")]
    NotHex,
    #[error("the secret is not valid base64")]
    NotBase64,
    #[error("the key is not a valid {0} public key")]
    BadPublicKey(&'static str),
    #[error("the secret is not a usable public JWK: {0}")]
    BadJwk(&'static str),
}

/// Turn a configured secret string into key bytes.
pub fn decode_key(secret: &str, form: KeyForm) -> Result<Vec<u8>, KeyError> {
    match form {
        KeyForm::Utf8 => Ok(secret.as_bytes().to_vec()),
        KeyForm::Hex => hex::decode(secret.trim()).map_err(|_| KeyError::NotHex),
        KeyForm::Base64 => decode_base64(secret.trim()).ok_or(KeyError::NotBase64),
        KeyForm::Whsec => {
            let s = secret.trim();
            decode_base64(s.strip_prefix("whsec_").unwrap_or(s)).ok_or(KeyError::NotBase64)
        }
        KeyForm::Sha1Digest => Ok(sha1::Sha1::digest(secret.as_bytes()).to_vec()),
        KeyForm::Sha256Digest => Ok(sha2::Sha256::digest(secret.as_bytes()).to_vec()),
        KeyForm::Jwk => jwk_public_key(secret),
    }
}

/// The public key bytes of a JWK: SEC1 uncompressed (`04 || x || y`) for EC P-256, the raw
/// 32 bytes for OKP Ed25519.
fn jwk_public_key(text: &str) -> Result<Vec<u8>, KeyError> {
    let v: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|_| KeyError::BadJwk("not JSON"))?;
    let field = |name: &str| -> Result<Vec<u8>, KeyError> {
        v.get(name)
            .and_then(|x| x.as_str())
            .and_then(decode_base64)
            .ok_or(KeyError::BadJwk("a coordinate is missing or not base64url"))
    };
    match (
        v.get("kty").and_then(|x| x.as_str()),
        v.get("crv").and_then(|x| x.as_str()),
    ) {
        (Some("EC"), Some("P-256")) => {
            let (x, y) = (field("x")?, field("y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err(KeyError::BadJwk("P-256 coordinates are 32 bytes"));
            }
            Ok([&[4u8][..], &x, &y].concat())
        }
        (Some("OKP"), Some("Ed25519")) => field("x"),
        _ => Err(KeyError::BadJwk(
            "only EC P-256 and OKP Ed25519 keys are supported",
        )),
    }
}

/// Base64 in any common flavour: standard or URL-safe, padded or not.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// Decode a signature written in `enc`. Hex is case-insensitive; surrounding space is ignored.
pub fn decode_sig(enc: Encoding, s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match enc {
        Encoding::Hex => hex::decode(s).ok(),
        Encoding::Base64 | Encoding::Base64url => decode_base64(s),
    }
}

/// Encode signature bytes the way the provider writes them.
pub fn encode_sig(enc: Encoding, bytes: &[u8]) -> String {
    match enc {
        Encoding::Hex => hex::encode(bytes),
        Encoding::Base64 => STANDARD.encode(bytes),
        Encoding::Base64url => URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Compute a symmetric signature (MAC or plain hash); `None` for public-key and token schemes.
pub fn compute(alg: Algorithm, key: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    Some(match alg {
        Algorithm::HmacMd5 => hmac_bytes::<Hmac<md5::Md5>>(key, msg),
        Algorithm::HmacSha1 => hmac_bytes::<Hmac<sha1::Sha1>>(key, msg),
        Algorithm::HmacSha256 => hmac_bytes::<Hmac<sha2::Sha256>>(key, msg),
        Algorithm::HmacSha512 => hmac_bytes::<Hmac<sha2::Sha512>>(key, msg),
        Algorithm::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        Algorithm::Token => key.to_vec(),
        Algorithm::Ed25519 | Algorithm::EcdsaP256 | Algorithm::Certificate => return None,
    })
}

fn hmac_bytes<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// Check a public-key signature. `Err` when the key itself is unusable.
pub fn verify_public(alg: Algorithm, key: &[u8], msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
    match alg {
        Algorithm::Ed25519 => {
            use ed25519_dalek::{Signature, Verifier, VerifyingKey};
            let key: [u8; 32] = key
                .try_into()
                .map_err(|_| KeyError::BadPublicKey("Ed25519"))?;
            let vk =
                VerifyingKey::from_bytes(&key).map_err(|_| KeyError::BadPublicKey("Ed25519"))?;
            let Ok(sig) = Signature::from_slice(sig) else {
                return Ok(false);
            };
            Ok(vk.verify(msg, &sig).is_ok())
        }
        Algorithm::EcdsaP256 => {
            use p256::ecdsa::signature::Verifier;
            use p256::ecdsa::{Signature, VerifyingKey};
            use p256::pkcs8::DecodePublicKey;
            let vk = VerifyingKey::from_public_key_der(key)
                .or_else(|_| VerifyingKey::from_sec1_bytes(key))
                .map_err(|_| KeyError::BadPublicKey("P-256"))?;
            let Ok(sig) = Signature::from_der(sig).or_else(|_| Signature::from_slice(sig)) else {
                return Ok(false);
            };
            Ok(vk.verify(msg, &sig).is_ok())
        }
        _ => Ok(false),
    }
}

/// Whether key bytes are a usable public key for a public-key algorithm.
pub fn check_public_key(alg: Algorithm, key: &[u8]) -> Result<(), KeyError> {
    match alg {
        Algorithm::Ed25519 => {
            let bytes: [u8; 32] = key
                .try_into()
                .map_err(|_| KeyError::BadPublicKey("Ed25519"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(|_| ())
                .map_err(|_| KeyError::BadPublicKey("Ed25519"))
        }
        Algorithm::EcdsaP256 => {
            use p256::pkcs8::DecodePublicKey;
            p256::ecdsa::VerifyingKey::from_public_key_der(key)
                .or_else(|_| p256::ecdsa::VerifyingKey::from_sec1_bytes(key))
                .map(|_| ())
                .map_err(|_| KeyError::BadPublicKey("P-256"))
        }
        _ => Ok(()),
    }
}

/// Constant-time equality of two byte strings (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_forms() {
        assert_eq!(decode_key("abc", KeyForm::Utf8).unwrap(), b"abc");
        assert_eq!(decode_key("0aff", KeyForm::Hex).unwrap(), vec![0x0a, 0xff]);
        assert_eq!(decode_key("zz", KeyForm::Hex), Err(KeyError::NotHex));
        assert_eq!(
            decode_key("whsec_AAEC", KeyForm::Whsec).unwrap(),
            vec![0, 1, 2]
        );
        assert_eq!(decode_key("AAEC", KeyForm::Whsec).unwrap(), vec![0, 1, 2]);
        assert_eq!(decode_key("AAE", KeyForm::Base64).unwrap(), vec![0, 1]);
        assert_eq!(decode_key("!!", KeyForm::Base64), Err(KeyError::NotBase64));
        assert_eq!(
            hex::encode(decode_key("abc", KeyForm::Sha1Digest).unwrap()),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(decode_key("abc", KeyForm::Sha256Digest).unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_md5_rfc2104_vector() {
        // RFC 2104 appendix / RFC 2202 test case 2.
        let mac = compute(Algorithm::HmacMd5, b"Jefe", b"what do ya want for nothing?").unwrap();
        assert_eq!(hex::encode(mac), "750c783e6ab0b503eaa86e310a5db738");
    }

    #[test]
    fn jwk_keys_decode_to_public_key_bytes() {
        // RFC 7515 appendix A.3 (ES256 example key, public part).
        let jwk = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
        let key = decode_key(jwk, KeyForm::Jwk).unwrap();
        assert_eq!((key.len(), key[0]), (65, 4));
        check_public_key(Algorithm::EcdsaP256, &key).unwrap();
        assert!(matches!(
            decode_key(r#"{"kty":"RSA"}"#, KeyForm::Jwk),
            Err(KeyError::BadJwk(_))
        ));
        assert!(matches!(
            decode_key("nope", KeyForm::Jwk),
            Err(KeyError::BadJwk(_))
        ));
    }

    #[test]
    fn github_docs_vector() {
        let mac = compute(
            Algorithm::HmacSha256,
            b"It's a Secret to Everybody",
            b"Hello, World!",
        )
        .unwrap();
        assert_eq!(
            hex::encode(mac),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn p256_accepts_high_s_and_low_s_signatures() {
        // SendGrid's SDK (and most ECDSA signers) emit either form of s; both must verify.
        use p256::ecdsa::Signature;
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/vectors.json")).unwrap();
        let sg = v
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["provider"] == "sendgrid")
            .unwrap();
        let key = decode_base64(sg["secret"].as_str().unwrap()).unwrap();
        let ts = sg["headers"]["X-Twilio-Email-Event-Webhook-Timestamp"]
            .as_str()
            .unwrap();
        let msg = [ts.as_bytes(), sg["body"].as_str().unwrap().as_bytes()].concat();
        let der = decode_base64(sg["expected_signature_header_value"].as_str().unwrap()).unwrap();
        let sig = Signature::from_der(&der).unwrap();
        let (r, s) = (sig.r(), sig.s());
        let flipped = Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
        assert_ne!(flipped, sig);
        for form in [sig, flipped] {
            let der = form.to_der();
            assert!(verify_public(Algorithm::EcdsaP256, &key, &msg, der.as_bytes()).unwrap());
        }
        assert!(!verify_public(Algorithm::EcdsaP256, &key, b"other", &der).unwrap());
    }

    #[test]
    fn ct_eq_checks_length_and_content() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn signature_decoding_is_lenient_about_case_and_space() {
        assert_eq!(decode_sig(Encoding::Hex, " 0A \t"), Some(vec![10]));
        assert_eq!(decode_sig(Encoding::Hex, ""), None);
        assert_eq!(decode_sig(Encoding::Base64, "AAEC"), Some(vec![0, 1, 2]));
        assert_eq!(
            decode_sig(Encoding::Base64url, "-_8"),
            Some(vec![0xfb, 0xff])
        );
        assert_eq!(encode_sig(Encoding::Base64url, &[0xfb, 0xff]), "-_8");
    }
}
