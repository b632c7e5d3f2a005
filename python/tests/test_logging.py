"""Rust logs reach Python's logging under the aa_rotation logger tree."""

from __future__ import annotations

import logging

import pytest


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=1)
        self.records = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collect():
    handler = Collect()
    root = logging.getLogger("aa_rotation")
    saved = {name: logging.getLogger(name).level for name in ("aa_rotation", "aa_rotation.client")}
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_records_carry_module_logger_and_fields(aa_entity, collect):
    logging.getLogger("aa_rotation").setLevel(logging.DEBUG)
    client = aa_entity.client()
    client.rotate(force=True)
    names = {r.name for r in collect.records}
    assert "aa_rotation.engine" in names
    assert "aa_rotation.client" in names
    call = next(r for r in collect.records if r.getMessage().startswith("Token Service call succeeded"))
    assert call.levelno == logging.DEBUG
    assert call.fields["endpoint"] in {"user_token", "secret_read", "secret_reset", "entity_token"}
    assert call.fields["txn_id"]
    assert call.pathname.endswith(".rs")
    event = next(r for r in collect.records if r.getMessage().startswith("rotation event"))
    assert event.levelno == logging.INFO
    assert event.fields["entity_id"] == aa_entity.entity_id
    assert event.fields["event"] == "rotated"


def test_level_is_honoured(aa_entity, collect):
    logging.getLogger("aa_rotation").setLevel(logging.WARNING)
    aa_entity.client().rotate(force=True)
    assert all(r.levelno >= logging.WARNING for r in collect.records)


def test_child_logger_level_lowers_the_threshold(aa_entity, collect):
    logging.getLogger("aa_rotation").setLevel(logging.WARNING)
    logging.getLogger("aa_rotation.client").setLevel(logging.DEBUG)
    aa_entity.client().rotate(force=True)
    debug = [r for r in collect.records if r.levelno < logging.WARNING]
    assert debug
    assert all(r.name.startswith("aa_rotation.client") for r in debug)


def test_warning_from_a_retry_is_logged(aa_entity, collect):
    logging.getLogger("aa_rotation").setLevel(logging.WARNING)
    client = aa_entity.client()
    client.status()
    aa_entity.simulator.inject_fault("entity_token", "html", status=503, count=1)
    assert client.access_token().reveal()
    retries = [r for r in collect.records if "retrying" in r.getMessage()]
    assert retries
    assert retries[0].levelno == logging.WARNING
    assert retries[0].fields["attempt"] == "1"
