//! The simulator clock drives every expiry.

use std::time::Duration;

use aa_rotation_sim::{EntitySeed, UserSeed};
use reqwest::StatusCode;

use crate::support::*;

fn days(count: u64) -> Duration {
    Duration::from_secs(count * 86_400)
}

#[tokio::test]
async fn advance_moves_now() {
    let harness = start().await;
    let before = harness.sim.now().as_second();
    harness.sim.advance_clock(days(3));
    let after = harness.sim.now().as_second();
    assert!((after - before - 3 * DAY).abs() <= 2, "{before} -> {after}");
}

#[tokio::test]
async fn secret_expires_as_clock_moves() {
    let harness = start().await;
    let expires_at = harness.sim.now().as_second() + DAY;
    harness.sim.add_entity(EntitySeed {
        entity_id: "AA-CLOCK".into(),
        secret: "clock-secret".into(),
        expires_at: Some(expires_at),
    });

    let fresh = harness.entity_token_reply("AA-CLOCK", "clock-secret").await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(!fresh.has("message"));

    harness.sim.advance_clock(days(2));
    let in_grace = harness.entity_token_reply("AA-CLOCK", "clock-secret").await;
    assert_eq!(in_grace.status, StatusCode::OK);
    assert!(in_grace.has("message"), "{}", in_grace.body);

    harness.sim.advance_clock(days(5));
    let expired = harness.entity_token_reply("AA-CLOCK", "clock-secret").await;
    expired.assert_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Invalid entity id/secret or secret is expired",
    );
}

#[tokio::test]
async fn user_token_expires_as_clock_moves() {
    let harness = start().await;
    let token = harness.user_token().await;
    let reply = harness
        .secret_call("read", Some(&token), &secret_body(ENTITY))
        .await;
    assert_eq!(reply.status, StatusCode::OK);

    harness.sim.advance_clock(Duration::from_secs(86_400 + 1));
    let reply = harness
        .secret_call("read", Some(&token), &secret_body(ENTITY))
        .await;
    reply.assert_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Invalid or expired user token",
    );
}

#[tokio::test]
async fn password_expires_as_clock_moves() {
    let harness = start().await;
    harness.sim.add_user(UserSeed {
        username: "soon@example.in".into(),
        password: "pw".into(),
        entities: vec![],
        password_expires_at: Some(harness.sim.now().as_second() + 3600),
    });
    let reply = harness.user_token_reply("soon@example.in", "pw").await;
    assert_eq!(reply.status, StatusCode::OK);

    harness.sim.advance_clock(Duration::from_secs(7200));
    let reply = harness.user_token_reply("soon@example.in", "pw").await;
    reply.assert_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Invalid username/password or password is expired",
    );
}

#[tokio::test]
async fn timestamps_follow_clock() {
    let harness = start().await;
    harness.sim.advance_clock(days(400));
    let reply = harness.user_token_reply(USERNAME, PASSWORD).await;
    let timestamp: jiff::Timestamp = reply.str_field("timestamp").parse().unwrap();
    let gap = timestamp.as_second() - jiff::Timestamp::now().as_second();
    assert!(
        (gap - 400 * DAY).abs() <= 5,
        "timestamp {timestamp} is not 400 days ahead"
    );
}
