"""Keeps an Account Aggregator participant's Central Registry client secret alive.

``RotationClient`` rotates the secret before it expires through the Sahamati
Token Service, stores it, verifies it and hands out entity tokens.
``TokenServiceClient`` makes the Token Service's four raw calls. Errors are
subclasses of ``AaRotationError``; secrets and tokens are ``Secret`` objects
that print as ``[redacted]``.

Blocking methods (``rotate()``) and awaitable ones (``rotate_async()``) come in
pairs. Logs go to the ``logging`` logger ``aa_rotation``. The test helpers
(the simulator and pytest fixtures) are in ``aa_rotation.testing``.
"""

from __future__ import annotations

from . import _logging  # noqa: F401  (installs the NullHandler before any record)
from ._client import RotationClient
from ._errors import (
    AaRotationError,
    BadRequest,
    ConfigError,
    ConnectionFailed,
    EntityNotPermitted,
    GatewayError,
    HostError,
    InvalidEntitySecret,
    InvalidUserCredentials,
    LeaseHeld,
    LeaseLost,
    MalformedResponse,
    NotBootstrapped,
    RateLimited,
    Redirected,
    RotationFailed,
    ServerError,
    StoreConflict,
    StoreError,
    Timeout,
    UserTokenRejected,
)
from ._native import (
    AccessToken,
    Clock,
    RotationConfig,
    Secret,
    StoreRecord,
    TokenServiceClient,
    UserToken,
    __version__,
)
from ._types import (
    Event,
    EventKind,
    ExpirySource,
    LastRotation,
    LeaseInfo,
    RecoveryAction,
    RecoveryOutcome,
    RotationAction,
    RotationOutcome,
    SecretInfo,
    SecretState,
    SecretStatus,
)

__all__ = [
    "__version__",
    "RotationClient",
    "RotationConfig",
    "TokenServiceClient",
    "Secret",
    "AccessToken",
    "UserToken",
    "StoreRecord",
    "Clock",
    "SecretStatus",
    "RotationOutcome",
    "RecoveryOutcome",
    "Event",
    "SecretInfo",
    "LastRotation",
    "LeaseInfo",
    "SecretState",
    "ExpirySource",
    "RotationAction",
    "RecoveryAction",
    "EventKind",
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
