"""Each core error kind becomes its own exception class with its fields."""

from __future__ import annotations

import pickle

import pytest

import aa_rotation
from aa_rotation import (
    AaRotationError,
    BadRequest,
    ConfigError,
    ConnectionFailed,
    EntityNotPermitted,
    GatewayError,
    HostError,
    InvalidEntitySecret,
    InvalidUserCredentials,
    MalformedResponse,
    NotBootstrapped,
    RateLimited,
    Redirected,
    RotationClient,
    RotationConfig,
    RotationFailed,
    ServerError,
    Timeout,
    TokenServiceClient,
)
from aa_rotation import _native
from aa_rotation._errors import _BY_CODE
from aa_rotation.testing import seed_entity

ALL_CODES = list(_native.ERROR_CODES)


def test_every_core_kind_has_a_class():
    assert len(ALL_CODES) == 20
    assert sorted(_BY_CODE) == sorted(ALL_CODES)
    for code in ALL_CODES:
        cls = _BY_CODE[code]
        assert issubclass(cls, AaRotationError)
        assert getattr(aa_rotation, cls.__name__) is cls


@pytest.mark.parametrize("code", ALL_CODES)
def test_sample_error_has_class_and_fields(code):
    error = _native._sample_error(code)
    assert isinstance(error, _BY_CODE[code])
    assert isinstance(error, AaRotationError)
    assert error.code == code
    assert str(error)
    assert str(error) == error.message
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy).__name__ == type(error).__name__
    assert copy.code == error.code
    assert copy.status == error.status


def test_sample_service_detail_fields():
    error = _native._sample_error("ENTITY_NOT_PERMITTED")
    assert error.status == 403
    assert error.error_code == "SampleCode"
    assert error.error_msg == "sample message"
    assert error.txn_id == "00000000-0000-4000-8000-000000000000"
    assert error.entity_id == "SAMPLE-ENTITY"


def test_sample_rotation_failed_carries_its_cause():
    error = _native._sample_error("ROTATION_FAILED")
    assert isinstance(error, RotationFailed)
    assert isinstance(error, RateLimited)
    assert error.code == "ROTATION_FAILED"
    assert error.root_code == "RATE_LIMITED"
    assert error.step == "reset"
    assert error.retry_after == 7.0
    assert error.status == 429
    assert isinstance(error.__cause__, RateLimited)
    assert not isinstance(error.__cause__, RotationFailed)
    assert error.transient is True
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, RotationFailed) and isinstance(copy, RateLimited)


def test_wrong_password_raises_invalid_user_credentials(aa_entity):
    client = aa_entity.client(password="wrong-password")
    with pytest.raises(InvalidUserCredentials) as caught:
        client.status()
    error = caught.value
    assert error.code == "INVALID_USER_CREDENTIALS"
    assert error.status == 401
    assert error.endpoint == "user_token"
    assert error.error_code
    assert error.txn_id
    assert "wrong-password" not in str(error)
    assert "wrong-password" not in repr(error)


async def test_wrong_password_async(aa_entity):
    client = aa_entity.client(password="wrong-password")
    with pytest.raises(InvalidUserCredentials) as caught:
        await client.rotate_async(force=True)
    assert caught.value.status == 401


def test_wrong_password_during_rotation_step(aa_entity):
    client = aa_entity.client()
    client.status()
    # The password changes and the cached user token expires, so the rotation
    # fails when it requests a new user token, at its reset step.
    aa_entity.simulator.add_user(aa_entity.username, "changed-password", [aa_entity.entity_id])
    aa_entity.simulator.advance_clock(days=2)
    with pytest.raises(InvalidUserCredentials) as caught:
        client.rotate(force=True)
    error = caught.value
    assert isinstance(error, RotationFailed)
    assert error.code == "ROTATION_FAILED"
    assert error.root_code == "INVALID_USER_CREDENTIALS"
    assert error.step == "reset"
    assert error.status == 401
    assert isinstance(error.__cause__, InvalidUserCredentials)


def test_entity_not_permitted(aa_simulator):
    entity = seed_entity(aa_simulator)
    aa_simulator.add_user("other@example.in", "other-password", [])
    client = entity.client(username="other@example.in", password="other-password")
    with pytest.raises(EntityNotPermitted) as caught:
        client.status()
    assert caught.value.status == 403
    assert caught.value.entity_id == entity.entity_id


def test_unknown_entity_is_not_permitted(aa_entity):
    client = aa_entity.client(entity_id="AA-NOT-SEEDED")
    with pytest.raises(EntityNotPermitted) as caught:
        client.status()
    assert caught.value.status == 400
    assert caught.value.error_msg == "Invalid entity id"


def test_service_400_is_bad_request(aa_entity):
    aa_entity.simulator.inject_fault("secret_read", "error", status=400, error_msg="the request body is malformed")
    with pytest.raises(BadRequest) as caught:
        aa_entity.client().status()
    assert caught.value.status == 400
    assert caught.value.endpoint == "secret_read"
    assert caught.value.transient is False


def test_rate_limit_with_retry_after(aa_entity):
    client = aa_entity.client()
    # Longer than the core's 60-second cap on waiting: fails at once.
    aa_entity.simulator.inject_fault("entity_token", "rate_limit", retry_after=120)
    with pytest.raises(RateLimited) as caught:
        client.access_token()
    error = caught.value
    assert error.retry_after == 120.0
    assert error.status == 429
    assert error.transient is True
    assert error.endpoint == "entity_token"


def test_html_502_is_gateway_error(aa_entity):
    client = aa_entity.client()
    client.status()
    aa_entity.simulator.inject_fault("entity_token", "html", status=502)
    with pytest.raises(GatewayError) as caught:
        client.access_token()
    assert caught.value.status == 502
    assert caught.value.error_code is None


async def test_gateway_error_async(aa_entity):
    client = aa_entity.client()
    await client.status_async()
    aa_entity.simulator.inject_fault("entity_token", "html", status=502)
    with pytest.raises(GatewayError):
        await client.access_token_async()


def test_server_error_on_reset_fails_rotation(aa_entity):
    client = aa_entity.client()
    aa_entity.simulator.inject_fault("secret_reset", "error", status=500, error_code="InternalError", count=1)
    with pytest.raises(ServerError) as caught:
        client.rotate(force=True)
    error = caught.value
    assert isinstance(error, RotationFailed)
    assert error.status == 500
    assert error.error_code == "InternalError"
    assert error.step


def test_closed_port_raises_connection_failed(closed_port):
    client = RotationClient(
        entity_id="AA-1", base_url=f"http://127.0.0.1:{closed_port}/iam", secret="some-secret", store="memory:"
    )
    with pytest.raises(ConnectionFailed) as caught:
        client.access_token()
    assert caught.value.code == "CONNECTION"
    assert caught.value.transient is True


def test_plain_http_to_remote_host_is_config_error():
    with pytest.raises(ConfigError) as caught:
        RotationClient(entity_id="AA-1", base_url="http://10.0.0.1/iam", secret="some-secret", store="memory:")
    assert "plain http://" in str(caught.value)
    with pytest.raises(ConfigError):
        TokenServiceClient(base_url="http://10.0.0.1/iam")


def test_redirect_is_not_followed(aa_entity):
    aa_entity.simulator.inject_fault("user_token", "redirect", location="/elsewhere")
    with pytest.raises(Redirected) as caught:
        aa_entity.client().status()
    assert caught.value.status == 307


def test_malformed_json_response(aa_entity):
    client = aa_entity.client()
    client.status()
    aa_entity.simulator.inject_fault("entity_token", "malformed_json", count=1)
    with pytest.raises(MalformedResponse):
        client.access_token()


def test_request_timeout(aa_entity):
    service = TokenServiceClient(base_url=aa_entity.base_url, request_timeout_seconds=0.3)
    aa_entity.simulator.inject_fault("entity_token", "hang_after_apply")
    with pytest.raises(Timeout) as caught:
        service.generate_entity_token(aa_entity.entity_id, aa_entity.current_secret())
    assert caught.value.endpoint == "entity_token"


def test_wrong_secret_raises_invalid_entity_secret(aa_entity):
    client = aa_entity.client(username=None, password=None, secret="not-the-secret")
    with pytest.raises(InvalidEntitySecret) as caught:
        client.access_token()
    assert caught.value.status == 401
    assert "not-the-secret" not in str(caught.value)


def test_empty_store_without_credentials_is_not_bootstrapped(aa_entity):
    client = aa_entity.client(username=None, password=None)
    with pytest.raises(NotBootstrapped) as caught:
        client.status()
    assert caught.value.entity_id == aa_entity.entity_id


def test_failing_store_raises_host_error(aa_entity):
    class BrokenStore:
        def get(self, entity_id):
            raise KeyError("vault sealed")

        def put(self, record, expected_version):
            return True

    client = aa_entity.client(store=BrokenStore())
    with pytest.raises(HostError) as caught:
        client.status()
    assert "KeyError" in str(caught.value)
    assert "vault sealed" in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"username": "ops@example.in"},
        {"window": "weekdays 10-16"},
        {"base_url": None, "environment": "staging"},
        {"rotate_before_days": 5000},
        {"store": "s3://bucket/key"},
    ],
)
def test_invalid_settings_raise_config_error(options):
    settings = {"entity_id": "AA-1", "base_url": "http://127.0.0.1:9/iam", "store": "memory:"}
    settings.update(options)
    with pytest.raises(ConfigError):
        RotationConfig(**settings)
