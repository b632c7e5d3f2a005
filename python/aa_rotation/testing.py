"""Test helpers: the in-process Token Service simulator and pytest fixtures.

``Simulator`` runs the simulator on 127.0.0.1 inside this process. With pytest
installed, this module is a pytest plugin (registered by the package's
``pytest11`` entry point), so the fixtures below are available in any test
suite once ``aa-rotation`` is installed:

- ``aa_simulator``: a started ``Simulator``, stopped after the test;
- ``aa_entity``: a ``SimulatedEntity`` on that simulator, with a designated
  user, a secret that expires in 90 days, and ``client()`` to build a
  ``RotationClient`` for it::

      def test_my_service_gets_a_token(aa_entity):
          client = aa_entity.client()
          assert client.access_token().reveal()

It also exposes the two functions that the shared test vectors run through:
``parse_secret_body`` and ``policy_decision``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterator

from ._client import RotationClient
from ._native import Clock, Secret, Simulator, parse_secret_body, policy_decision

__all__ = [
    "Simulator",
    "Clock",
    "SimulatedEntity",
    "seed_entity",
    "parse_secret_body",
    "policy_decision",
]

_entity_numbers = itertools.count(1)


@dataclass
class SimulatedEntity:
    """An entity and its designated user, seeded into a ``Simulator``."""

    simulator: Simulator
    entity_id: str
    username: str
    password: Secret = field(repr=False)

    @property
    def base_url(self) -> str:
        """The simulator's IAM base URL."""
        return self.simulator.base_url

    def current_secret(self) -> Secret:
        """Return the entity's secret as the simulator stores it now."""
        secret = self.simulator.current_secret(self.entity_id)
        if secret is None:
            raise LookupError(f"the simulator does not know entity {self.entity_id}")
        return secret

    def client(self, **options: Any) -> RotationClient:
        """Build a ``RotationClient`` for this entity, with its designated user,
        an in-memory store and the simulator's clock; ``options`` override them."""
        settings: dict = {
            "entity_id": self.entity_id,
            "base_url": self.base_url,
            "username": self.username,
            "password": self.password,
            "store": "memory:",
            "clock": self.simulator.clock,
        }
        settings.update(options)
        return RotationClient(**settings)


def seed_entity(simulator: Simulator, *, expires_in_days: float = 90.0, prefix: str = "AA-SIM") -> SimulatedEntity:
    """Add a new entity and a designated user who manages it, and return them."""
    number = next(_entity_numbers)
    entity_id = f"{prefix}-{number}"
    username = f"ops{number}@example.in"
    password = Secret(f"sim-password-{number}-{id(simulator):x}")
    simulator.add_entity(entity_id, expires_in_days=expires_in_days)
    simulator.add_user(username, password, [entity_id])
    return SimulatedEntity(simulator=simulator, entity_id=entity_id, username=username, password=password)


try:
    import pytest
except ImportError:  # pragma: no cover - the simulator works without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def aa_simulator() -> Iterator[Simulator]:
        """A Token Service simulator on 127.0.0.1, stopped after the test."""
        simulator = Simulator()
        try:
            yield simulator
        finally:
            simulator.stop()

    @pytest.fixture
    def aa_entity(aa_simulator: Simulator) -> SimulatedEntity:
        """An entity whose secret expires in 90 days, with its designated user."""
        return seed_entity(aa_simulator)
