"""Results of the library's calls, as frozen dataclasses.

Timestamps are timezone-aware ``datetime`` objects in UTC. Fingerprints are
``sha256:`` and 16 hex digits of the secret's SHA-256, safe to log. The state,
action and kind names are ``str`` enums, so they compare equal to their
stable text (``status.state == "due"``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from ._native import Secret

__all__ = [
    "SecretState",
    "ExpirySource",
    "RotationAction",
    "RecoveryAction",
    "EventKind",
    "LastRotation",
    "LeaseInfo",
    "SecretStatus",
    "RotationOutcome",
    "RecoveryOutcome",
    "Event",
    "SecretInfo",
]


class SecretState(str, enum.Enum):
    """The state of a secret at one instant."""

    HEALTHY = "healthy"
    DUE = "due"
    GRACE_PERIOD = "grace_period"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


class ExpirySource(str, enum.Enum):
    """The Token Service field that a secret's expiry came from."""

    EPOCH_SECONDS = "epoch_seconds"
    EPOCH_MILLIS = "epoch_millis"
    EXPIRATION_DATE = "expiration_date"
    UNKNOWN = "unknown"
    CONFIGURED = "configured"

    def __str__(self) -> str:
        return self.value


class RotationAction(str, enum.Enum):
    """The action that a ``rotate`` or ``ensure_fresh`` call took."""

    ROTATED = "rotated"
    NOT_DUE = "not_due"
    DEFERRED = "deferred"
    ROTATED_ELSEWHERE = "rotated_elsewhere"
    DRY_RUN = "dry_run"

    def __str__(self) -> str:
        return self.value


class RecoveryAction(str, enum.Enum):
    """The action that a ``recover`` call took."""

    NOTHING = "nothing"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"
    DRIFT_HEALED = "drift_healed"

    def __str__(self) -> str:
        return self.value


class EventKind(str, enum.Enum):
    """The kinds of ``Event``."""

    ROTATED = "rotated"
    NOT_DUE = "not_due"
    ROTATION_FAILED = "rotation_failed"
    EXPIRY_WARNING = "expiry_warning"
    GRACE_PERIOD_WARNING = "grace_period_warning"
    DRIFT_HEALED = "drift_healed"
    RECOVERED = "recovered"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class LastRotation:
    """The last rotation attempt recorded in the store."""

    at: datetime
    #: ``rotated``, ``recovered``, ``drift_healed`` or ``failed``.
    result: str
    #: The error message of a failed attempt; never contains a secret.
    error: Optional[str]
    #: Fingerprint of the secret in use afterwards.
    fingerprint: Optional[str]


@dataclass(frozen=True)
class LeaseInfo:
    """The holder of the rotation lease, and its expiry."""

    #: ``host:pid:random`` of the holder.
    holder: str
    fence: int
    acquired_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SecretStatus:
    """The state of an entity's stored secret."""

    entity_id: str
    #: The store of the record, as text safe to log.
    store: str
    fingerprint: Optional[str]
    obtained_at: Optional[datetime]
    expires_at: Optional[datetime]
    expiry_source: Optional[ExpirySource]
    #: Seconds until expiry; negative once expired.
    seconds_left: Optional[int]
    days_left: Optional[float]
    state: SecretState
    due: bool
    #: True for an expired secret or one in its grace period.
    emergency: bool
    #: When a scheduled rotation becomes due.
    due_at: Optional[datetime]
    #: Whether now is inside the rotation window (None: no window set).
    in_window: Optional[bool]
    reason: str
    #: ``idle``, ``resetting`` or ``verifying``.
    journal: str
    #: True while a new secret is stored but not yet promoted.
    pending: bool
    last_rotation: Optional[LastRotation]
    lease_holder: Optional[LeaseInfo]


@dataclass(frozen=True)
class RotationOutcome:
    """The result of a ``rotate`` or ``ensure_fresh`` call."""

    entity_id: str
    action: RotationAction
    #: The secret before the call.
    old_fingerprint: Optional[str]
    #: The secret after the call.
    fingerprint: Optional[str]
    expires_at: Optional[datetime]
    days_left: Optional[float]
    #: True when the policy considers the secret due.
    due: bool
    #: Resets sent by this call: 0, 1, or 2 after a lost reply.
    resets: int
    reason: str


@dataclass(frozen=True)
class RecoveryOutcome:
    """The result of a ``recover`` call."""

    entity_id: str
    action: RecoveryAction
    fingerprint: Optional[str]
    message: str


@dataclass(frozen=True)
class Event:
    """Something that happened to an entity's secret."""

    kind: EventKind
    entity_id: str
    at: datetime
    old_fingerprint: Optional[str]
    new_fingerprint: Optional[str]
    expires_at: Optional[datetime]
    #: A short explanation: the decision's reason or the error's message.
    message: str


@dataclass(frozen=True)
class SecretInfo:
    """The result of ``TokenServiceClient.read_secret`` or ``reset_secret``."""

    entity_id: str
    #: The secret; ``secret.reveal()`` returns its value.
    secret: Secret
    expires_at: Optional[datetime]
    expiry_source: ExpirySource
    #: The service's ``message``, if any.
    message: Optional[str]
    txn_id: Optional[str]
