"""Secret stores written in Python, synchronous and async."""

from __future__ import annotations

import asyncio
import json
from typing import Dict, Optional, Tuple

import pytest

from aa_rotation import (
    HostError,
    RecoveryAction,
    RotationAction,
    RotationFailed,
    StoreRecord,
)
from aa_rotation.testing import seed_entity


def test_sync_store_receives_new_secret(aa_simulator, dict_store):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    client = entity.client(store=dict_store)
    assert client.store == "dict-store"
    before = entity.current_secret().reveal()
    client.status()
    assert dict_store.current_value(entity.entity_id) == before
    outcome = client.rotate()
    assert outcome.action is RotationAction.ROTATED
    after = entity.current_secret().reveal()
    assert after != before
    document = dict_store.document(entity.entity_id)
    assert document["current"]["value"] == after
    assert document["pending"] is None
    assert document["journal"]["state"] == "idle"
    assert document["version"] == dict_store.records[entity.entity_id][0]
    assert client.status().store == "dict-store"


def test_store_get_may_return_the_record(aa_entity):
    class RecordStore:
        def __init__(self):
            self.records: Dict[str, StoreRecord] = {}

        def get(self, entity_id):
            return self.records.get(entity_id)

        def put(self, record, expected_version):
            stored = self.records.get(record.entity_id)
            if (stored.version if stored else None) != expected_version:
                return False
            self.records[record.entity_id] = record
            return True

    store = RecordStore()
    client = aa_entity.client(store=store)
    client.rotate(force=True)
    assert store.records[aa_entity.entity_id].version >= 3
    assert repr(store.records[aa_entity.entity_id]).startswith("StoreRecord(entity_id=")
    assert client.access_token().secret_fingerprint == aa_entity.current_secret().fingerprint


class AsyncDictStore:
    """The dict store with coroutine methods, recording the loop they ran on."""

    def __init__(self) -> None:
        self.records: Dict[str, Tuple[int, str]] = {}
        self.loops = set()

    async def get(self, entity_id: str) -> Optional[str]:
        self.loops.add(asyncio.get_running_loop())
        await asyncio.sleep(0)
        entry = self.records.get(entity_id)
        return entry[1] if entry else None

    async def put(self, record: StoreRecord, expected_version: Optional[int]) -> bool:
        self.loops.add(asyncio.get_running_loop())
        await asyncio.sleep(0)
        stored = self.records.get(record.entity_id)
        if (stored[0] if stored else None) != expected_version:
            return False
        self.records[record.entity_id] = (record.version, record.to_json())
        return True


async def test_async_store_runs_on_the_callers_loop(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    store = AsyncDictStore()
    client = entity.client(store=store)
    outcome = await client.rotate_async()
    assert outcome.action is RotationAction.ROTATED
    assert store.loops == {asyncio.get_running_loop()}
    stored = json.loads(store.records[entity.entity_id][1])
    assert stored["current"]["value"] == entity.current_secret().reveal()


async def test_blocking_call_on_async_store_loop_is_refused(aa_entity):
    client = aa_entity.client(store=AsyncDictStore())
    with pytest.raises(RuntimeError, match="rotate_async"):
        client.status()
    assert (await client.status_async()).entity_id == aa_entity.entity_id


def test_async_store_from_sync_code_uses_private_loop(aa_simulator):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    store = AsyncDictStore()
    client = entity.client(store=store)
    assert client.rotate().action is RotationAction.ROTATED
    assert len(store.loops) == 1
    stored = json.loads(store.records[entity.entity_id][1])
    assert stored["current"]["value"] == entity.current_secret().reveal()


def test_failed_put_leaves_rotation_recoverable(aa_entity, dict_store):
    class FailingStore(type(dict_store)):
        fail_pending_write = False

        def put(self, record, expected_version):
            # The write that stores the new secret as pending, right after
            # the Reset: the service has a new secret that the store lacks.
            if self.fail_pending_write and json.loads(record.to_json())["pending"] is not None:
                self.fail_pending_write = False
                raise ConnectionError("vault unreachable")
            return super().put(record, expected_version)

    store = FailingStore()
    client = aa_entity.client(store=store)
    old = client.status()
    store.fail_pending_write = True
    with pytest.raises(HostError) as caught:
        client.rotate(force=True)
    error = caught.value
    assert isinstance(error, RotationFailed)
    assert error.step == "persist"
    assert "vault unreachable" in str(error)
    new_secret = aa_entity.current_secret()
    assert new_secret.fingerprint != old.fingerprint
    assert new_secret.reveal() not in str(error)
    assert store.document(aa_entity.entity_id)["journal"]["state"] == "resetting"

    outcome = client.recover()
    assert outcome.action is RecoveryAction.COMPLETED
    assert outcome.fingerprint == new_secret.fingerprint
    assert store.current_value(aa_entity.entity_id) == new_secret.reveal()
    assert store.document(aa_entity.entity_id)["journal"]["state"] == "idle"
    token = client.access_token()
    assert token.secret_fingerprint == new_secret.fingerprint
    assert aa_entity.simulator.resets(aa_entity.entity_id) == 1


def test_store_missing_methods_is_rejected(aa_entity):
    class NoPut:
        def get(self, entity_id):
            return None

    with pytest.raises(TypeError, match="put"):
        aa_entity.client(store=NoPut())


def test_store_returning_wrong_type(aa_entity):
    class WrongType:
        def get(self, entity_id):
            return {"not": "text"}

        def put(self, record, expected_version):
            return True

    with pytest.raises(HostError, match="returned a dict"):
        aa_entity.client(store=WrongType()).status()


def test_store_put_returning_none(aa_entity):
    class NoAnswer:
        def get(self, entity_id):
            return None

        def put(self, record, expected_version):
            return None

    with pytest.raises(HostError, match="True or False"):
        aa_entity.client(store=NoAnswer()).status()


def test_file_store_is_private(aa_simulator, tmp_path):
    entity = seed_entity(aa_simulator)
    path = tmp_path / "secret.json"
    client = entity.client(store=path)
    client.rotate(force=True)
    assert path.stat().st_mode & 0o777 == 0o600
    assert entity.current_secret().reveal() in path.read_text()
    assert client.store == f"file://{path}"
