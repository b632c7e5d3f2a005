"""``RotationClient``: the native client plus what is best written in Python."""

from __future__ import annotations

from typing import Any

from . import _native
from ._native import AccessToken

__all__ = ["RotationClient"]


class RotationClient(_native.RotationClient):
    """Rotation, status and entity tokens for one entity.

    Build it from the keyword arguments of ``RotationConfig``, from a
    ``RotationConfig``, or with ``RotationClient.from_env()``::

        client = RotationClient(entity_id="AA-1", environment="uat",
                                username="ops@example.in", password=password,
                                store="file:///var/lib/aa/secret.json")

    Every I/O method has a blocking form (``rotate()``) and an awaitable form
    (``rotate_async()``); both release the GIL while they wait.
    """

    __slots__ = ()

    async def access_token_async(self) -> AccessToken:
        """Return a valid entity token, like ``access_token()``, without blocking.

        A fresh cached token is returned at once, without a Rust future or a
        trip through the event loop. Otherwise one request goes upstream,
        however many coroutines wait.
        """
        token = self.cached_access_token()
        if token is not None:
            return token
        return await self._fetch_access_token()

    async def __aenter__(self) -> "RotationClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self.stop()
