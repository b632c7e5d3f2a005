"""The exception hierarchy: one class per error kind of the core.

Every exception carries the core's stable ``code``. Errors that came from an
HTTP response also carry ``status``, ``error_code``, ``error_msg`` and
``txn_id``, and ``RateLimited`` carries ``retry_after``. Messages never contain
a secret, a password or a token.

A failed rotation step raises ``RotationFailed``. Its class also derives from
the class of the step's cause, so ``except InvalidUserCredentials`` catches a
rotation that failed on a wrong password, and ``__cause__`` holds that cause.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "AaRotationError",
    "InvalidUserCredentials",
    "UserTokenRejected",
    "EntityNotPermitted",
    "InvalidEntitySecret",
    "BadRequest",
    "RateLimited",
    "ServerError",
    "GatewayError",
    "Redirected",
    "Timeout",
    "ConnectionFailed",
    "MalformedResponse",
    "ConfigError",
    "StoreError",
    "StoreConflict",
    "LeaseHeld",
    "LeaseLost",
    "NotBootstrapped",
    "RotationFailed",
    "HostError",
]


class AaRotationError(Exception):
    """Base class of every error raised by aa_rotation.

    Attributes:
        code: the stable code of the error kind, such as ``RATE_LIMITED``.
        status: the HTTP status, when the error came from a response.
        error_code: the Token Service's ``errorCode``.
        error_msg: the Token Service's ``errorMsg``, scrubbed of credentials.
        txn_id: the ``txnId`` of the failed request.
        retry_after: the ``Retry-After`` delay in seconds (``RateLimited``).
        endpoint: the Token Service call that failed, such as ``secret_reset``.
        entity_id: the entity concerned, when the error names one.
        transient: True when a later attempt may succeed (rate limiting, 5xx,
            gateway pages, timeouts, connection failures).
    """

    code: str = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        error_code: Optional[str] = None,
        error_msg: Optional[str] = None,
        txn_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        endpoint: Optional[str] = None,
        entity_id: Optional[str] = None,
        transient: bool = False,
        step: Optional[str] = None,
        root_code: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.txn_id = txn_id
        self.retry_after = retry_after
        self.endpoint = endpoint
        self.entity_id = entity_id
        self.transient = transient
        self.step = step
        self.root_code = root_code

    def _fields(self) -> Dict[str, Any]:
        names = (
            "status",
            "error_code",
            "error_msg",
            "txn_id",
            "retry_after",
            "endpoint",
            "entity_id",
            "transient",
            "step",
            "root_code",
        )
        return {name: getattr(self, name) for name in names}

    def __reduce__(self) -> Tuple[Any, ...]:
        # Rebuilt by code: the combined RotationFailed classes are made at
        # run time and cannot be found by name.
        return (_rebuild, (self.code, self.root_code, self.message, self._fields()))


class InvalidUserCredentials(AaRotationError):
    """The Token Service rejected the designated user's username or password."""

    code = "INVALID_USER_CREDENTIALS"


class UserTokenRejected(AaRotationError):
    """The Token Service rejected the user token on a secret Read or Reset."""

    code = "USER_TOKEN_REJECTED"


class EntityNotPermitted(AaRotationError):
    """The designated user has no rights over the entity."""

    code = "ENTITY_NOT_PERMITTED"


class InvalidEntitySecret(AaRotationError):
    """The Token Service rejected the entity id and secret."""

    code = "INVALID_ENTITY_SECRET"


class BadRequest(AaRotationError):
    """The Token Service rejected a request as malformed (HTTP 400)."""

    code = "BAD_REQUEST"


class RateLimited(AaRotationError):
    """The Token Service replied 429; ``retry_after`` is its delay in seconds."""

    code = "RATE_LIMITED"


class ServerError(AaRotationError):
    """The Token Service replied with an error status and its JSON envelope."""

    code = "SERVER_ERROR"


class GatewayError(AaRotationError):
    """A gateway replied with an error status and a non-JSON body (an HTML page)."""

    code = "GATEWAY_ERROR"


class Redirected(AaRotationError):
    """The Token Service answered with a redirect, which is never followed."""

    code = "REDIRECTED"


class Timeout(AaRotationError):
    """No complete response arrived within the request timeout."""

    code = "TIMEOUT"


class ConnectionFailed(AaRotationError):
    """The connection failed or closed before a complete response arrived."""

    code = "CONNECTION"


class MalformedResponse(AaRotationError):
    """The Token Service's response could not be understood."""

    code = "MALFORMED_RESPONSE"


class ConfigError(AaRotationError):
    """Invalid configuration or input."""

    code = "CONFIG"


class StoreError(AaRotationError):
    """The secret store failed."""

    code = "STORE"


class StoreConflict(AaRotationError):
    """A compare-and-set write to the store lost against another writer."""

    code = "STORE_CONFLICT"


class LeaseHeld(AaRotationError):
    """Another instance holds the rotation lease of the entity."""

    code = "LEASE_HELD"


class LeaseLost(AaRotationError):
    """The rotation lease expired or was taken over during a rotation."""

    code = "LEASE_LOST"


class NotBootstrapped(AaRotationError):
    """The store contains no secret, and neither credentials nor a secret are configured."""

    code = "NOT_BOOTSTRAPPED"


class RotationFailed(AaRotationError):
    """A rotation step failed; ``step`` names it, ``root_code`` its cause."""

    code = "ROTATION_FAILED"


class HostError(AaRotationError):
    """Python code called by the library (a store or a callback) raised."""

    code = "HOST"


_BY_CODE: Dict[str, Type[AaRotationError]] = {
    cls.code: cls
    for cls in (
        InvalidUserCredentials,
        UserTokenRejected,
        EntityNotPermitted,
        InvalidEntitySecret,
        BadRequest,
        RateLimited,
        ServerError,
        GatewayError,
        Redirected,
        Timeout,
        ConnectionFailed,
        MalformedResponse,
        ConfigError,
        StoreError,
        StoreConflict,
        LeaseHeld,
        LeaseLost,
        NotBootstrapped,
        RotationFailed,
        HostError,
    )
}

_ROTATION_FAILED_BY_CAUSE: Dict[str, Type[RotationFailed]] = {}


def _exception_class(code: str, root_code: Optional[str] = None) -> Type[AaRotationError]:
    """Return the class for ``code``; for ``ROTATION_FAILED`` with a cause,
    a subclass of both ``RotationFailed`` and the cause's class."""
    cls = _BY_CODE.get(code, AaRotationError)
    if cls is not RotationFailed or root_code is None or root_code not in _BY_CODE:
        return cls
    combined = _ROTATION_FAILED_BY_CAUSE.get(root_code)
    if combined is None:
        cause = _BY_CODE[root_code]
        combined = type("RotationFailed", (RotationFailed, cause), {"__module__": __name__, "__doc__": RotationFailed.__doc__})
        _ROTATION_FAILED_BY_CAUSE[root_code] = combined
    return combined


def _rebuild(code: str, root_code: Optional[str], message: str, fields: Dict[str, Any]) -> AaRotationError:
    return _exception_class(code, root_code)(message, **fields)
