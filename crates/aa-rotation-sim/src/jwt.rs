//! Ed25519-signed JWTs (`alg: EdDSA`, RFC 8037) and the JWKS that publishes the key.
//!
//! Tokens are built by hand as `base64url(header).base64url(claims).base64url(signature)`.
//! One key pair is generated when the simulator starts and lives as long as it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Reason for rejecting a presented token. Every reason becomes the same 401
/// for the client, and only the log shows which one it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    Malformed,
    UnknownKey,
    BadSignature,
}

impl TokenRejection {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TokenRejection::Malformed => "malformed token",
            TokenRejection::UnknownKey => "token not signed by this simulator's key",
            TokenRejection::BadSignature => "signature does not verify",
        }
    }
}

/// The simulator's signing key and its key id.
pub(crate) struct TokenSigner {
    signing_key: SigningKey,
    verifying_key: VerifyingKey,
    /// RFC 7638 JWK thumbprint of the public key, base64url.
    key_id: String,
    /// Public key, base64url (the JWK `x` member).
    public_x: String,
}

impl TokenSigner {
    pub(crate) fn generate() -> Self {
        let seed: [u8; 32] = rand::random();
        let signing_key = SigningKey::from_bytes(&seed);
        let verifying_key = signing_key.verifying_key();
        let public_x = URL_SAFE_NO_PAD.encode(verifying_key.as_bytes());

        // RFC 7638: hash the required members in lexicographic order, without whitespace.
        let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{public_x}"}}"#);
        let key_id = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));

        TokenSigner {
            signing_key,
            verifying_key,
            key_id,
            public_x,
        }
    }

    /// Signs `claims` (a JSON object) into a compact JWS.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": self.key_id });
        let signing_input = format!("{}.{}", encode_json(&header), encode_json(claims));
        let signature = self.signing_key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// Verifies a compact JWS signed by this key and returns its claims.
    /// Checks only the header and signature: the caller checks `typ`, `iss` and `exp`.
    pub(crate) fn verify(&self, token: &str) -> Result<Map<String, Value>, TokenRejection> {
        let mut segments = token.split('.');
        let (Some(header_segment), Some(payload_segment), Some(signature_segment), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(TokenRejection::Malformed);
        };

        let header = decode_json_object(header_segment)?;
        let algorithm = header.get("alg").and_then(Value::as_str);
        let key_id = header.get("kid").and_then(Value::as_str);
        if algorithm != Some("EdDSA") || key_id != Some(self.key_id.as_str()) {
            return Err(TokenRejection::UnknownKey);
        }

        let signature_bytes = URL_SAFE_NO_PAD
            .decode(signature_segment)
            .map_err(|_| TokenRejection::Malformed)?;
        let signature =
            Signature::from_slice(&signature_bytes).map_err(|_| TokenRejection::Malformed)?;
        let signing_input = &token[..header_segment.len() + 1 + payload_segment.len()];
        self.verifying_key
            .verify_strict(signing_input.as_bytes(), &signature)
            .map_err(|_| TokenRejection::BadSignature)?;

        decode_json_object(payload_segment)
    }

    /// Returns the JWKS document that publishes the public key.
    pub(crate) fn jwks(&self) -> Value {
        json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "x": self.public_x,
                "kid": self.key_id,
                "use": "sig",
                "alg": "EdDSA",
            }]
        })
    }
}

fn encode_json(value: &Value) -> String {
    // serde_json fails only on non-string map keys, and a `Value` has none.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

fn decode_json_object(segment: &str) -> Result<Map<String, Value>, TokenRejection> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenRejection::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenRejection::Malformed),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn signed_token_verifies() {
        let signer = TokenSigner::generate();
        let token = signer.sign(&json!({ "sub": "AA-1", "exp": 1 }));
        let claims = signer.verify(&token).unwrap();
        assert_eq!(claims["sub"], "AA-1");
    }

    #[test]
    fn token_from_other_key_is_rejected() {
        let token = TokenSigner::generate().sign(&json!({ "sub": "AA-1" }));
        let rejection = TokenSigner::generate().verify(&token).unwrap_err();
        assert_eq!(rejection, TokenRejection::UnknownKey);
    }

    #[test]
    fn altered_claims_fail_signature() {
        let signer = TokenSigner::generate();
        let token = signer.sign(&json!({ "sub": "AA-1" }));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"AA-2"}"#);
        parts[1] = &forged;
        let rejection = signer.verify(&parts.join(".")).unwrap_err();
        assert_eq!(rejection, TokenRejection::BadSignature);
    }

    #[test]
    fn garbage_is_malformed() {
        let signer = TokenSigner::generate();
        assert_eq!(signer.verify("abc").unwrap_err(), TokenRejection::Malformed);
        assert_eq!(
            signer.verify("a.b.c").unwrap_err(),
            TokenRejection::Malformed
        );
    }
}
