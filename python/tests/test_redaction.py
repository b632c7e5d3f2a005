"""No secret, password or token reaches str, repr, formatting or logs."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from aa_rotation import (
    AccessToken,
    RotationConfig,
    Secret,
    TokenServiceClient,
    UserToken,
)
from aa_rotation import _native
from aa_rotation.testing import seed_entity

CANARY = "canary-Secret-Value-42"


def renderings(value):
    """Every way a value commonly ends up as text."""
    texts = [str(value), repr(value), f"{value}", f"{value!r}", "%s" % (value,), "%r" % (value,)]
    if isinstance(value, Secret):
        texts.append(f"{value:>40}")
    texts.append(repr([value]))
    texts.append(str({"key": value}))
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "value %s %r", (value, value), None)
    texts.append(record.getMessage())
    return texts


def assert_absent(values, texts):
    for value in values:
        for text in texts:
            assert value not in text, f"leaked into: {text!r}"


def test_secret_renderings_are_redacted():
    secret = Secret(CANARY)
    assert_absent([CANARY], renderings(secret))
    assert str(secret) == "[redacted]"
    assert f"{secret:>12}" == "  [redacted]"
    assert repr(secret) == f"Secret(fingerprint='{secret.fingerprint}')"
    assert secret.reveal() == CANARY
    assert secret.fingerprint.startswith("sha256:")
    assert len(secret.fingerprint) == 23


def test_secret_equality_and_copies():
    secret = Secret(CANARY)
    assert secret == Secret(CANARY)
    assert secret != Secret(CANARY + "x")
    assert secret != CANARY
    assert hash(secret) == hash(Secret(CANARY))
    assert copy.copy(secret) is secret
    assert copy.deepcopy(secret) is secret


def test_secret_cannot_be_pickled():
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(CANARY))


def test_empty_secret_is_rejected():
    with pytest.raises(ValueError):
        Secret("")


def test_tokens_and_infos_are_redacted(aa_entity):
    service = TokenServiceClient(base_url=aa_entity.base_url)
    user_token = service.generate_user_token(aa_entity.username, aa_entity.password)
    info = service.read_secret(user_token, aa_entity.entity_id)
    entity_token = service.generate_entity_token(aa_entity.entity_id, info.secret)
    assert isinstance(user_token, UserToken) and isinstance(user_token, Secret)
    assert isinstance(entity_token, AccessToken) and isinstance(entity_token, Secret)
    values = [user_token.reveal(), entity_token.reveal(), info.secret.reveal(), aa_entity.password.reveal()]
    for thing in (user_token, entity_token, info, aa_entity):
        assert_absent(values, renderings(thing))
    with pytest.raises(TypeError):
        pickle.dumps(entity_token)


def test_config_and_client_reprs_hide_credentials(aa_entity):
    config = RotationConfig(
        entity_id=aa_entity.entity_id,
        base_url=aa_entity.base_url,
        username=aa_entity.username,
        password=CANARY,
        secret=CANARY + "-secret",
        store="memory:",
    )
    assert_absent([CANARY], renderings(config))
    assert "password='[redacted]'" in repr(config)
    client = aa_entity.client(password=CANARY)
    assert_absent([CANARY], renderings(client))


def test_store_record_repr_hides_secret(aa_entity, dict_store):
    records = []

    class Recording(type(dict_store)):
        def put(self, record, expected_version):
            records.append(record)
            return super().put(record, expected_version)

    aa_entity.client(store=Recording()).status()
    secret = aa_entity.current_secret().reveal()
    assert records
    assert_absent([secret], renderings(records[-1]))
    assert secret in records[-1].to_json()
    with pytest.raises(TypeError):
        pickle.dumps(records[-1])


@pytest.mark.parametrize("code", list(_native.ERROR_CODES))
def test_errors_render_no_canary(code):
    error = _native._sample_error(code)
    assert_absent([CANARY], renderings(error))


class Capture(logging.Handler):
    """Keeps every record, formatted and with its fields."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.texts = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.texts.append(repr(getattr(record, "fields", None)))


def test_debug_logs_of_whole_rotation_hold_no_secret(aa_simulator, dict_store):
    entity = seed_entity(aa_simulator, expires_in_days=10)
    capture = Capture()
    logger = logging.getLogger("aa_rotation")
    previous_level = logger.level
    logger.addHandler(capture)
    logger.setLevel(1)
    tokens = []
    try:
        old_secret = entity.current_secret().reveal()
        client = entity.client(store=dict_store)
        client.status()
        tokens.append(client.access_token().reveal())
        client.rotate()
        tokens.append(client.access_token().reveal())
        client.recover()
        user_token = client.token_service.generate_user_token(entity.username, entity.password)
        tokens.append(user_token.reveal())
        aa_simulator.inject_fault("entity_token", "html", status=502, count=1)
        client.invalidate()
        tokens.append(client.access_token().reveal())
        new_secret = entity.current_secret().reveal()
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous_level)

    assert new_secret != old_secret
    assert any("rotation event" in t or "rotated" in t for t in capture.texts)
    assert any(t.startswith("DEBUG aa_rotation.") for t in capture.texts)
    assert_absent([old_secret, new_secret, entity.password.reveal(), *tokens], capture.texts)
