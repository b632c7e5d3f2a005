//! Shared fixtures: a seeded simulator, an HTTP client, request builders and
//! a JWT checker that verifies signatures against the published JWKS.

use std::time::Duration;

use aa_rotation_sim::{EntitySeed, SimConfig, Simulator, UserSeed};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, VerifyingKey};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

/// Designated user who manages `ENTITY`, `NO_EXPIRY_ENTITY` and `UNKNOWN_ENTITY`.
pub const USERNAME: &str = "ops@example.in";
pub const PASSWORD: &str = "user-password-1";
/// Entity with a secret that expires in 100 days.
pub const ENTITY: &str = "AA-SIM-1";
pub const SECRET: &str = "initial-secret-aa-sim-1";
/// Entity whose secret predates the expiry policy.
pub const NO_EXPIRY_ENTITY: &str = "FIP-SIM-3";
pub const NO_EXPIRY_SECRET: &str = "legacy-secret-fip-sim-3";
/// Entity that exists but that `USERNAME` does not manage.
pub const OTHER_ENTITY: &str = "FIU-SIM-2";
pub const OTHER_SECRET: &str = "initial-secret-fiu-sim-2";
/// Entity id listed in the user's rights but never registered.
pub const UNKNOWN_ENTITY: &str = "AA-NOT-REGISTERED";

pub const DAY: i64 = 86_400;

/// A seeded simulator with an HTTP client that follows no redirects.
pub struct Harness {
    pub sim: Simulator,
    pub http: reqwest::Client,
}

pub async fn start() -> Harness {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> Harness {
    let sim = Simulator::start(config).await.unwrap();
    let now = sim.now().as_second();
    sim.add_entity(EntitySeed {
        entity_id: ENTITY.into(),
        secret: SECRET.into(),
        expires_at: Some(now + 100 * DAY),
    });
    sim.add_entity(EntitySeed {
        entity_id: OTHER_ENTITY.into(),
        secret: OTHER_SECRET.into(),
        expires_at: Some(now + 100 * DAY),
    });
    sim.add_entity(EntitySeed {
        entity_id: NO_EXPIRY_ENTITY.into(),
        secret: NO_EXPIRY_SECRET.into(),
        expires_at: None,
    });
    sim.add_user(UserSeed {
        username: USERNAME.into(),
        password: PASSWORD.into(),
        entities: vec![
            ENTITY.into(),
            NO_EXPIRY_ENTITY.into(),
            UNKNOWN_ENTITY.into(),
        ],
        password_expires_at: None,
    });
    Harness {
        sim,
        http: client(Duration::from_secs(20)),
    }
}

pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .unwrap()
}

/// Builds a Read or Reset body with a fresh txnId and the current time.
pub fn secret_body(entity_id: &str) -> Value {
    json!({
        "ver": "1.0.0",
        "timestamp": format!("{:.3}", Timestamp::now()),
        "txnId": uuid::Uuid::new_v4().to_string(),
        "entityId": entity_id,
    })
}

/// Status, `Content-Type` and JSON body of a response.
pub struct JsonReply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl JsonReply {
    pub fn field(&self, name: &str) -> &Value {
        &self.body[name]
    }

    pub fn str_field(&self, name: &str) -> &str {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("field {name} is not a string in {}", self.body))
    }

    pub fn has(&self, name: &str) -> bool {
        self.body.get(name).is_some()
    }

    /// Asserts the Token Service error envelope with this status, code and message.
    pub fn assert_error(&self, status: StatusCode, error_code: &str, error_msg: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.content_type, "application/json");
        assert_eq!(self.str_field("errorCode"), error_code);
        assert_eq!(self.str_field("errorMsg"), error_msg);
        assert_eq!(self.str_field("ver"), "1.0.0");
        assert_rfc3339_millis(self.str_field("timestamp"));
        assert_uuid_v4(self.str_field("txnId"));
    }
}

pub async fn json_reply(response: reqwest::Response) -> JsonReply {
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("body is not JSON ({error}): {text:?}"));
    JsonReply {
        status,
        content_type,
        body,
    }
}

pub fn assert_rfc3339_millis(text: &str) {
    assert!(text.parse::<Timestamp>().is_ok(), "not RFC 3339: {text}");
    let fraction = text
        .rsplit_once('.')
        .map(|(_, fraction)| fraction)
        .unwrap_or_default();
    assert_eq!(fraction.len(), 4, "expected .mmmZ in {text}");
    assert!(fraction.ends_with('Z'), "expected UTC in {text}");
}

pub fn assert_uuid_v4(text: &str) {
    let uuid = uuid::Uuid::parse_str(text).unwrap_or_else(|_| panic!("not a UUID: {text}"));
    assert_eq!(uuid.get_version_num(), 4, "{text}");
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    pub fn root(&self, path: &str) -> String {
        format!("{}{path}", self.sim.root_url())
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    pub async fn user_token_reply(&self, username: &str, password: &str) -> JsonReply {
        let response = self
            .post_form(
                "/v1/user/token/generate",
                &[("username", username), ("password", password)],
            )
            .await;
        json_reply(response).await
    }

    /// Returns a user token for `USERNAME`.
    pub async fn user_token(&self) -> String {
        let reply = self.user_token_reply(USERNAME, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.str_field("accessToken").to_owned()
    }

    /// Sends a raw body to Read (`operation = "read"`) or Reset (`"reset"`).
    pub async fn secret_call_raw(
        &self,
        operation: &str,
        bearer: Option<&str>,
        body: &[u8],
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(&format!("/v1/entity/secret/{operation}")))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn secret_call(
        &self,
        operation: &str,
        bearer: Option<&str>,
        body: &Value,
    ) -> JsonReply {
        let bytes = serde_json::to_vec(body).unwrap();
        json_reply(self.secret_call_raw(operation, bearer, &bytes).await).await
    }

    /// Reads `entity_id` with a fresh user token.
    pub async fn read(&self, entity_id: &str) -> JsonReply {
        let token = self.user_token().await;
        self.secret_call("read", Some(&token), &secret_body(entity_id))
            .await
    }

    /// Resets `entity_id` with a fresh user token and an optional `secretExpiryDays`.
    pub async fn reset(&self, entity_id: &str, secret_expiry_days: Option<i64>) -> JsonReply {
        let token = self.user_token().await;
        let mut body = secret_body(entity_id);
        if let Some(days) = secret_expiry_days {
            body["secretExpiryDays"] = json!(days);
        }
        self.secret_call("reset", Some(&token), &body).await
    }

    pub async fn entity_token_reply(&self, entity_id: &str, secret: &str) -> JsonReply {
        let response = self
            .post_form(
                "/v1/entity/token/generate",
                &[("id", entity_id), ("secret", secret)],
            )
            .await;
        json_reply(response).await
    }

    /// Fetches the JWKS and verifies `token` against it; returns the claims.
    pub async fn verify_token(&self, token: &str) -> Map<String, Value> {
        let jwks: Value = self
            .http
            .get(self.root("/iam/.well-known/jwks.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        verify_with_jwks(&jwks, token)
    }
}

/// Verifies an EdDSA JWT against the key in `jwks` named by its `kid`; returns the claims.
pub fn verify_with_jwks(jwks: &Value, token: &str) -> Map<String, Value> {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "not a compact JWS: {token}");
    let header = decode_segment(segments[0]);
    assert_eq!(header["alg"], "EdDSA");

    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("no JWKS key with kid {}", header["kid"]));
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let verifying_key = VerifyingKey::from_bytes(&x).unwrap();

    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(segments[2]).unwrap()).unwrap();
    let signing_input = format!("{}.{}", segments[0], segments[1]);
    verifying_key
        .verify_strict(signing_input.as_bytes(), &signature)
        .expect("token signature verifies against the JWKS");

    match decode_segment(segments[1]) {
        Value::Object(claims) => claims,
        other => panic!("claims are not an object: {other}"),
    }
}

pub fn decode_segment(segment: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}
