//! Wrapper types for credentials: client secrets, passwords and bearer tokens.
//!
//! Each wrapper keeps its value in zeroizing memory, prints as `[redacted]` in
//! `Debug` and `Display`, and hands the value out only through
//! `expose_secret()`, so that a value reaches a log line or an error message only
//! through a call that a reviewer can find by name. None of them implements
//! `Serialize`: the secret store serializes values explicitly (see
//! [`expose_for_serde`]).

use std::fmt;

use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A short, stable identifier of a secret value: `sha256:` and the first 16 hex
/// characters of the SHA-256 digest of its UTF-8 bytes.
///
/// Safe to log and to store in audit records. The Token Service simulator
/// computes the same string, so tests can compare the two.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes the fingerprint of `value`.
    pub fn of(value: &str) -> Self {
        let digest = Sha256::digest(value.as_bytes());
        let mut text = String::with_capacity(23);
        text.push_str("sha256:");
        for byte in &digest[..8] {
            text.push_str(&format!("{byte:02x}"));
        }
        Fingerprint(text)
    }

    /// The fingerprint as text, for example `sha256:9f86d081884c7d65`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.0)
    }
}

macro_rules! sensitive_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wraps a value. The caller's copy is not zeroized: pass an owned
            /// `String` where possible.
            pub fn new(value: impl Into<String>) -> Self {
                Self(Zeroizing::new(value.into()))
            }

            /// Returns the value itself. Never log or format the result.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }

            /// Returns the fingerprint of the value, safe to log.
            pub fn fingerprint(&self) -> Fingerprint {
                Fingerprint::of(&self.0)
            }

            /// Returns true when the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Zeroizing::new(String::deserialize(deserializer)?);
                Ok(Self::new(value.as_str()))
            }
        }
    };
}

sensitive_string!(
    /// An entity's client secret, issued by the Token Service.
    ClientSecret
);
sensitive_string!(
    /// The designated user's password.
    Password
);
sensitive_string!(
    /// A bearer token: a user token or an entity token.
    BearerToken
);

/// Serde helpers that write a credential's value. Only the secret store uses
/// them, on fields marked `#[serde(with = "crate::secret::expose_for_serde")]`.
pub mod expose_for_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::ClientSecret;

    /// Writes the secret's value.
    pub fn serialize<S: Serializer>(
        secret: &ClientSecret,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose_secret())
    }

    /// Reads a secret's value.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ClientSecret, D::Error> {
        ClientSecret::deserialize(deserializer)
    }
}

/// Replaces every occurrence of each non-empty `values` entry in `text` by
/// `[redacted]`. Used on text that came from outside (a server's error message)
/// before it goes into an error, in case the server echoed a credential back.
pub(crate) fn scrub(text: &str, values: &[&str]) -> String {
    let mut out = text.to_owned();
    for value in values {
        if !value.is_empty() && out.contains(value) {
            out = out.replace(value, "[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "canary-Secret-Value-42";

    fn assert_redacted(debug: String, display: String) {
        assert!(!debug.contains(CANARY), "Debug leaked: {debug}");
        assert!(!display.contains(CANARY), "Display leaked: {display}");
        assert!(debug.contains("redacted"));
        assert_eq!(display, "[redacted]");
    }

    #[test]
    fn client_secret_is_redacted() {
        let secret = ClientSecret::new(CANARY);
        assert_redacted(format!("{secret:?}"), format!("{secret}"));
        assert_redacted(
            format!("{secret:#?}"),
            format!("{secret:>30}").trim().to_owned(),
        );
        assert_eq!(secret.expose_secret(), CANARY);
    }

    #[test]
    fn password_is_redacted() {
        let password = Password::new(CANARY);
        assert_redacted(format!("{password:?}"), format!("{password}"));
        assert_eq!(
            format!("{:?}", Some(&password)),
            "Some(Password([redacted]))"
        );
    }

    #[test]
    fn bearer_token_is_redacted() {
        let token = BearerToken::new(CANARY);
        assert_redacted(format!("{token:?}"), format!("{token}"));
    }

    #[test]
    fn fingerprint_matches_known_digest() {
        // SHA-256("test") = 9f86d081884c7d659a2feaa0c55ad015...
        assert_eq!(Fingerprint::of("test").as_str(), "sha256:9f86d081884c7d65");
        assert_eq!(
            ClientSecret::new("test").fingerprint(),
            Fingerprint::of("test")
        );
    }

    #[test]
    fn deserialized_secret_keeps_value() {
        let secret: ClientSecret = serde_json::from_str(&format!("\"{CANARY}\"")).unwrap();
        assert_eq!(secret.expose_secret(), CANARY);
    }

    #[test]
    fn scrub_removes_echoed_values() {
        let text = format!("bad secret {CANARY} given");
        assert_eq!(scrub(&text, &[CANARY, ""]), "bad secret [redacted] given");
    }
}
