"""Rotation, status, recovery, entity tokens and events against the simulator."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest

from aa_rotation import (
    AccessToken,
    Event,
    EventKind,
    RecoveryAction,
    RotationAction,
    RotationClient,
    RotationConfig,
    SecretState,
    SecretStatus,
    TokenServiceClient,
)
from aa_rotation.testing import seed_entity


def test_status_bootstraps_from_service(aa_entity):
    client = aa_entity.client()
    status = client.status()
    assert isinstance(status, SecretStatus)
    assert status.entity_id == aa_entity.entity_id
    assert status.state is SecretState.HEALTHY
    assert status.fingerprint == aa_entity.current_secret().fingerprint
    assert status.expires_at.tzinfo is not None
    assert 89.9 < status.days_left <= 90.0
    assert status.journal == "idle"
    assert status.store == "memory:"


def test_rotate_not_due(aa_entity):
    client = aa_entity.client()
    outcome = client.rotate()
    assert outcome.action is RotationAction.NOT_DUE
    assert outcome.resets == 0
    assert outcome.due is False
    assert aa_entity.simulator.resets(aa_entity.entity_id) == 0


def test_rotate_sync_when_due(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    client = entity.client()
    before = entity.current_secret()
    outcome = client.rotate()
    after = entity.current_secret()
    assert outcome.action is RotationAction.ROTATED
    assert outcome.resets == 1
    assert outcome.old_fingerprint == before.fingerprint
    assert outcome.fingerprint == after.fingerprint
    assert after != before
    assert aa_simulator.resets(entity.entity_id) == 1
    assert client.status().fingerprint == after.fingerprint
    assert 179 < outcome.days_left <= 180


async def test_rotate_async_when_due(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    client = entity.client()
    outcome = await client.rotate_async()
    assert outcome.action is RotationAction.ROTATED
    assert outcome.fingerprint == entity.current_secret().fingerprint
    status = await client.status_async()
    assert status.state is SecretState.HEALTHY
    token = await client.access_token_async()
    assert token.secret_fingerprint == outcome.fingerprint


async def test_rotate_async_not_due(aa_entity):
    outcome = await aa_entity.client().rotate_async()
    assert outcome.action is RotationAction.NOT_DUE
    assert aa_entity.simulator.resets(aa_entity.entity_id) == 0


def test_force_rotates_healthy_secret(aa_entity):
    outcome = aa_entity.client().rotate(force=True)
    assert outcome.action is RotationAction.ROTATED
    assert aa_entity.simulator.resets(aa_entity.entity_id) == 1


def test_dry_run_changes_nothing(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    outcome = entity.client().rotate(dry_run=True)
    assert outcome.action is RotationAction.DRY_RUN
    assert outcome.due is True
    assert aa_simulator.resets(entity.entity_id) == 0


def test_ensure_fresh_rotates_only_when_due(aa_simulator):
    healthy = seed_entity(aa_simulator)
    due = seed_entity(aa_simulator, expires_in_days=5)
    assert healthy.client().ensure_fresh().action is RotationAction.NOT_DUE
    assert due.client().ensure_fresh().action is RotationAction.ROTATED


async def test_ensure_fresh_async(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=5)
    outcome = await entity.client().ensure_fresh_async()
    assert outcome.action is RotationAction.ROTATED


def test_recover_with_nothing_to_do(aa_entity):
    outcome = aa_entity.client().recover()
    assert outcome.action is RecoveryAction.NOTHING
    assert outcome.fingerprint == aa_entity.current_secret().fingerprint


async def test_recover_async_heals_drift(aa_entity):
    client = aa_entity.client()
    await client.status_async()
    # A reset made outside this client: the stored secret is now stale.
    service = TokenServiceClient(base_url=aa_entity.base_url)
    user_token = service.generate_user_token(aa_entity.username, aa_entity.password)
    service.reset_secret(user_token, aa_entity.entity_id)
    outcome = await client.recover_async()
    assert outcome.action is RecoveryAction.DRIFT_HEALED
    assert outcome.fingerprint == aa_entity.current_secret().fingerprint


def test_access_token_is_cached_as_one_object(aa_entity):
    client = aa_entity.client()
    assert client.cached_access_token() is None
    first = client.access_token()
    assert isinstance(first, AccessToken)
    assert client.access_token() is first
    assert client.cached_access_token() is first
    assert first.secret_fingerprint == aa_entity.current_secret().fingerprint
    assert first.expires_at > first.issued_at
    assert aa_entity.simulator.calls("entity_token") == 1


def test_invalidate_fetches_a_new_token(aa_entity):
    client = aa_entity.client()
    first = client.access_token()
    client.invalidate(first.reveal() + "-other")
    assert client.access_token() is first
    client.invalidate(first)
    second = client.access_token()
    assert second is not first
    assert aa_entity.simulator.calls("entity_token") == 2


def test_rotation_replaces_cached_token(aa_entity):
    client = aa_entity.client()
    before = client.access_token()
    client.rotate(force=True)
    after = client.access_token()
    assert after.secret_fingerprint == aa_entity.current_secret().fingerprint
    assert after.secret_fingerprint != before.secret_fingerprint


def test_events_reach_callbacks(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    client = entity.client()
    events = []
    subscription = client.on_event(events.append)
    client.rotate()
    rotated = [e for e in events if e.kind is EventKind.ROTATED]
    assert len(rotated) == 1
    event = rotated[0]
    assert isinstance(event, Event)
    assert event.entity_id == entity.entity_id
    assert event.new_fingerprint == entity.current_secret().fingerprint
    assert event.old_fingerprint is not None
    assert event.at.tzinfo is not None
    assert client.off_event(subscription) is True
    assert client.off_event(subscription) is False
    count = len(events)
    client.rotate(force=True)
    assert len(events) == count


def test_failing_callback_is_logged(aa_entity, caplog):
    client = aa_entity.client()
    seen = []

    def broken(event):
        raise ValueError("callback bug")

    client.on_event(broken)
    client.on_event(seen.append)
    with caplog.at_level("ERROR", logger="aa_rotation"):
        client.rotate()
    assert [e.kind for e in seen] == [EventKind.NOT_DUE]
    assert any("on_event callback raised ValueError" in r.getMessage() for r in caplog.records)


def test_on_event_rejects_non_callable(aa_entity):
    with pytest.raises(TypeError):
        aa_entity.client().on_event("not callable")


def test_clock_advance_makes_secret_due(aa_entity):
    client = aa_entity.client()
    assert client.status().state is SecretState.HEALTHY
    aa_entity.simulator.advance_clock(days=70)
    status = client.status()
    assert status.state is SecretState.DUE
    assert 19.9 < status.days_left <= 20.0
    assert client.ensure_fresh().action is RotationAction.ROTATED


def test_schedule_rotates_due_secret(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=3)
    # One check a second, the core's minimum interval.
    client = entity.client(check_interval_minutes=1 / 60)
    events = []
    client.on_event(events.append)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not any(e.kind is EventKind.ROTATED for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop()
    assert any(e.kind is EventKind.ROTATED for e in events)
    assert aa_simulator.resets(entity.entity_id) == 1


def test_context_managers_stop_schedule(aa_entity):
    with aa_entity.client(check_interval_minutes=1) as client:
        client.start()
        client.start()
    assert client.status().state is SecretState.HEALTHY


async def test_async_context_manager(aa_entity):
    async with aa_entity.client() as client:
        client.start()
        assert (await client.status_async()).entity_id == aa_entity.entity_id


def test_client_from_config_object(aa_entity):
    config = RotationConfig(
        entity_id=aa_entity.entity_id,
        base_url=aa_entity.base_url,
        username=aa_entity.username,
        password=aa_entity.password,
        store="memory:",
    )
    client = RotationClient(config)
    assert client.entity_id == aa_entity.entity_id
    assert client.access_token().reveal()


def test_token_service_raw_calls(aa_entity):
    service = aa_entity.client().token_service
    user_token = service.generate_user_token(aa_entity.username, aa_entity.password)
    assert user_token.expires_at > datetime.now(timezone.utc)
    info = service.read_secret(user_token, aa_entity.entity_id)
    assert info.secret == aa_entity.current_secret()
    assert info.expiry_source.value in ("epoch_millis", "epoch_seconds")
    token = service.generate_entity_token(aa_entity.entity_id, info.secret)
    assert token.secret_fingerprint == info.secret.fingerprint
    reset = service.reset_secret(user_token, aa_entity.entity_id, secret_expiry_days=90)
    assert reset.secret == aa_entity.current_secret()
    assert reset.secret != info.secret


async def test_token_service_async_calls(aa_entity):
    service = TokenServiceClient(base_url=aa_entity.base_url)
    user_token = await service.generate_user_token_async(aa_entity.username, aa_entity.password)
    info = await service.read_secret_async(user_token, aa_entity.entity_id)
    token = await service.generate_entity_token_async(aa_entity.entity_id, info.secret)
    assert token.secret_fingerprint == info.secret.fingerprint
    reset = await service.reset_secret_async(user_token, aa_entity.entity_id)
    assert reset.secret == aa_entity.current_secret()


async def test_sync_and_async_calls_mix_in_one_loop(aa_entity):
    client = aa_entity.client()
    statuses = await asyncio.gather(*(client.status_async() for _ in range(5)))
    assert {s.fingerprint for s in statuses} == {aa_entity.current_secret().fingerprint}


def test_callback_cycle_is_collected(aa_entity):
    import gc
    import weakref

    class Service:
        def __init__(self):
            self.client = aa_entity.client()
            self.client.on_event(self.handle)

        def handle(self, event):
            pass

    service = Service()
    reference = weakref.ref(service)
    del service
    gc.collect()
    assert reference() is None


def test_gateway_errors_are_retried(aa_entity):
    client = aa_entity.client()
    aa_entity.simulator.inject_fault("entity_token", "html", status=502, count=2)
    assert client.access_token().reveal()
    assert aa_entity.simulator.calls("entity_token") == 3


def test_simulator_example_of_the_docs():
    from aa_rotation.testing import Simulator

    with Simulator() as sim:
        sim.add_entity("AA-TEST-1", expires_in_days=10)
        sim.add_user("ops@example.in", "password", ["AA-TEST-1"])
        client = RotationClient(
            entity_id="AA-TEST-1",
            base_url=sim.base_url,
            username="ops@example.in",
            password="password",
            store="memory:",
            clock=sim.clock,
        )
        assert client.rotate().action == "rotated"
        assert sim.resets("AA-TEST-1") == 1
        assert client.status().fingerprint == sim.current_secret("AA-TEST-1").fingerprint
    with pytest.raises(RuntimeError, match="stopped"):
        sim.counters()
