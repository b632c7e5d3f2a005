//! One HTTP exchange with the Token Service: send, read a capped body, and turn
//! an error status into the matching [`Error`] kind.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use zeroize::Zeroizing;

use super::wire::ErrorEnvelope;
use crate::error::{Endpoint, Error, Result, ServiceDetail};
use crate::secret::scrub;

/// What a call knows that error messages may use.
pub(crate) struct CallContext<'a> {
    pub endpoint: Endpoint,
    pub entity_id: Option<&'a str>,
    pub txn_id: &'a str,
    /// Credential values sent in this request, scrubbed from any text that the
    /// service sends back.
    pub sensitive: &'a [&'a str],
}

/// A successful response: the status and the body bytes, zeroized on drop
/// because they may carry a secret or a token.
pub(crate) struct Reply {
    pub body: Zeroizing<Vec<u8>>,
}

/// Sends `request` and returns a 2xx body, or the error the response means.
pub(crate) async fn exchange(
    request: RequestBuilder,
    max_bytes: usize,
    ctx: &CallContext<'_>,
) -> Result<Reply> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(ctx.endpoint, &e))?;
    let status = response.status();
    tracing::Span::current().record("status", status.as_u16());

    if status.is_redirection() {
        return Err(Error::Redirected {
            endpoint: ctx.endpoint,
            status: status.as_u16(),
        });
    }
    let headers = response.headers().clone();
    let body = read_capped(response, max_bytes, ctx.endpoint).await?;
    if status.is_success() {
        return Ok(Reply { body });
    }
    Err(classify(status, &headers, &body, ctx))
}

async fn read_capped(
    mut response: reqwest::Response,
    max_bytes: usize,
    endpoint: Endpoint,
) -> Result<Zeroizing<Vec<u8>>> {
    let too_large = || Error::MalformedResponse {
        endpoint,
        detail: format!("the response body is larger than the {max_bytes}-byte limit"),
    };
    if response
        .content_length()
        .is_some_and(|len| len > max_bytes as u64)
    {
        return Err(too_large());
    }
    let mut body = Zeroizing::new(Vec::new());
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(endpoint, &e))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a reqwest failure to [`Error::Timeout`] or [`Error::Connection`], with
/// the innermost cause as a short detail (never a URL's query or a header).
pub(crate) fn transport_error(endpoint: Endpoint, error: &reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout { endpoint };
    }
    let mut detail = if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "transport error".to_owned()
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = innermost {
        detail = format!("{detail}: {}", excerpt(&cause, 160));
    }
    Error::Connection { endpoint, detail }
}

fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8], ctx: &CallContext<'_>) -> Error {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body).ok();
    let code = status.as_u16();
    let endpoint = ctx.endpoint;
    let detail = service_detail(code, envelope.as_ref(), ctx);
    let entity_id = ctx.entity_id.unwrap_or_default().to_owned();
    // "Invalid entity id" (400 or 401 in the published examples) and "User is
    // not authorised for entity X" are about the entity, not the user token.
    let msg_mentions_entity = detail.error_msg.as_deref().is_some_and(|m| {
        let lower = m.to_ascii_lowercase();
        lower.contains("entity")
            && [
                "invalid",
                "unknown",
                "not authori",
                "not permitted",
                "not mapped",
                "not found",
            ]
            .iter()
            .any(|word| lower.contains(word))
    });

    match (code, endpoint) {
        (429, _) => Error::RateLimited {
            endpoint,
            retry_after: parse_retry_after(headers),
            detail,
        },
        (401, Endpoint::UserToken) => Error::InvalidUserCredentials { detail },
        (401 | 403, Endpoint::EntityToken | Endpoint::OidcToken) => {
            Error::InvalidEntitySecret { entity_id, detail }
        }
        (403, Endpoint::SecretRead | Endpoint::SecretReset) => {
            Error::EntityNotPermitted { entity_id, detail }
        }
        // The published examples answer "Invalid entity id" with 401 on read
        // and reset: that is about the entity, not about the user token.
        (400 | 401, Endpoint::SecretRead | Endpoint::SecretReset) if msg_mentions_entity => {
            Error::EntityNotPermitted { entity_id, detail }
        }
        (401, Endpoint::SecretRead | Endpoint::SecretReset) => {
            Error::UserTokenRejected { endpoint, detail }
        }
        _ if envelope.is_none() => Error::GatewayError {
            endpoint,
            status: code,
            excerpt: body_excerpt(body, ctx),
        },
        (400, _) => Error::BadRequest { endpoint, detail },
        _ => Error::ServerError { endpoint, detail },
    }
}

fn service_detail(
    status: u16,
    envelope: Option<&ErrorEnvelope>,
    ctx: &CallContext<'_>,
) -> ServiceDetail {
    let text = |value: &Option<serde_json::Value>| -> Option<String> {
        let raw = match value.as_ref()? {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => return None,
            other => other.to_string(),
        };
        Some(excerpt(&scrub(&raw, ctx.sensitive), 200))
    };
    ServiceDetail {
        status,
        error_code: envelope.and_then(|e| text(&e.error_code)),
        error_msg: envelope.and_then(|e| text(&e.error_msg)),
        txn_id: envelope
            .and_then(|e| e.txn_id.as_deref())
            .map(|t| excerpt(t, 64))
            .or_else(|| Some(ctx.txn_id.to_owned())),
    }
}

/// A short, printable excerpt of a non-JSON body: tags removed, whitespace
/// collapsed, credentials scrubbed, at most 120 characters.
fn body_excerpt(body: &[u8], ctx: &CallContext<'_>) -> String {
    let text = String::from_utf8_lossy(body);
    let mut plain = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars().take(8192) {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let scrubbed = scrub(&plain, ctx.sensitive);
    let excerpt = excerpt(&scrubbed, 120);
    if excerpt.is_empty() {
        "empty body".to_owned()
    } else {
        excerpt
    }
}

/// Collapses whitespace, drops control characters and cuts to `max` characters.
fn excerpt(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    if collapsed.chars().count() > max {
        out.push('…');
    }
    out
}

/// Reads `Retry-After` as delay seconds or as an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let delta = at.as_second() - jiff::Timestamp::now().as_second();
    Some(Duration::from_secs(delta.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> CallContext<'static> {
        CallContext {
            endpoint: Endpoint::SecretReset,
            entity_id: Some("FIU-1"),
            txn_id: "t-1",
            sensitive: &["hunter2"],
        }
    }

    #[test]
    fn html_gateway_page_becomes_short_excerpt() {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let error = classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), page, &ctx());
        match error {
            Error::GatewayError {
                status, excerpt, ..
            } => {
                assert_eq!(status, 502);
                assert_eq!(excerpt, "502 Bad Gateway 502 Bad Gateway nginx");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn echoed_credential_is_scrubbed() {
        let body = br#"{"errorCode":"Bad Request","errorMsg":"secret hunter2 is invalid"}"#;
        let error = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body, &ctx());
        let text = error.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&headers), None);
    }

    #[test]
    fn empty_body_excerpt() {
        let error = classify(
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"",
            &ctx(),
        );
        assert!(error.to_string().contains("empty body"), "{error}");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long, 10).chars().count(), 11);
    }
}
