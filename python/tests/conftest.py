"""Shared helpers. The fixtures ``aa_simulator`` and ``aa_entity`` come from
the installed package's pytest plugin, ``aa_rotation.testing``."""

from __future__ import annotations

import json
import socket
import threading
from typing import Dict, Optional, Tuple

import pytest

from aa_rotation import StoreRecord


class DictStore:
    """A compare-and-set store in a dict, as a user would write one."""

    def __init__(self) -> None:
        self.records: Dict[str, Tuple[int, str]] = {}
        self.lock = threading.Lock()
        self.puts = 0

    def get(self, entity_id: str) -> Optional[str]:
        entry = self.records.get(entity_id)
        return entry[1] if entry else None

    def put(self, record: StoreRecord, expected_version: Optional[int]) -> bool:
        with self.lock:
            stored = self.records.get(record.entity_id)
            if (stored[0] if stored else None) != expected_version:
                return False
            self.records[record.entity_id] = (record.version, record.to_json())
            self.puts += 1
            return True

    def describe(self) -> str:
        return "dict-store"

    def document(self, entity_id: str) -> dict:
        """The stored record of ``entity_id``, parsed."""
        return json.loads(self.records[entity_id][1])

    def current_value(self, entity_id: str) -> str:
        """The current secret's value in the stored record."""
        return self.document(entity_id)["current"]["value"]


@pytest.fixture
def dict_store() -> DictStore:
    return DictStore()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
