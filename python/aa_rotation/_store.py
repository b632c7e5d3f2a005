"""The adapter between a secret store written in Python and the library.

A store is any object with two methods, synchronous or ``async``:

- ``get(entity_id)`` returns ``None`` or the text that ``put`` received as
  ``record.to_json()`` (a ``StoreRecord`` is accepted too);
- ``put(record, expected_version)`` stores ``record`` only if the stored
  record's version equals ``expected_version`` (``None``: only if nothing is
  stored), and returns True, or False on a mismatch.

An optional ``describe()`` returns a short text for status output, with no
password in it.

The library calls the adapter on a thread of its blocking pool. Synchronous
methods run there. Coroutine methods run on the event loop that was running
in the thread that created the client, so that an asyncio application's
loop-bound clients keep working. When no loop was running then, or that loop
has stopped since, they run on one event loop that this module runs in a
daemon thread.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
from typing import Any, Optional

__all__ = ["StoreAdapter"]

#: How long one coroutine store call may take before the library gives up on
#: it, in seconds. A vault or cloud API replies in well under a second, so a
#: minute covers a slow one without hanging a rotation forever.
CALL_TIMEOUT_SECONDS = 60.0


class _PrivateLoop:
    """An event loop in a daemon thread, started on first use and again in
    a child process after ``fork()``, where the parent's thread is gone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="aa-rotation-store-loop", daemon=True)
                thread.start()
                self._loop = loop
            return self._loop

    def forget(self) -> None:
        # In a fork child: the lock may be held by a thread that no longer
        # exists, and the loop's thread is gone.
        self._lock = threading.Lock()
        self._loop = None


_private_loop = _PrivateLoop()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_private_loop.forget)


class StoreAdapter:
    """Wraps a store object so that the library can call it synchronously."""

    def __init__(self, store: Any) -> None:
        for name in ("get", "put"):
            if not callable(getattr(store, name, None)):
                raise TypeError(
                    f"a secret store needs a {name}() method; got a {type(store).__name__} without one"
                )
        self._store = store
        self._async_get = inspect.iscoroutinefunction(store.get)
        self._async_put = inspect.iscoroutinefunction(store.put)
        try:
            self._home_loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            self._home_loop = None

    @property
    def is_async(self) -> bool:
        """True when ``get`` or ``put`` is a coroutine function."""
        return self._async_get or self._async_put

    def describe(self) -> str:
        """Return the store's own description, or its class name."""
        describe = getattr(self._store, "describe", None)
        if callable(describe):
            return str(describe())
        cls = type(self._store)
        return f"python:{cls.__module__}.{cls.__qualname__}"

    def get(self, entity_id: str) -> Any:
        """Call the store's ``get`` and wait for it."""
        return self._call(self._store.get, self._async_get, entity_id)

    def put(self, record: Any, expected_version: Optional[int]) -> Any:
        """Call the store's ``put`` and wait for it."""
        return self._call(self._store.put, self._async_put, record, expected_version)

    def check_blocking_call(self) -> None:
        """Raise if a blocking client method would wait for this thread's own
        event loop, which has to run the store's coroutines: a deadlock."""
        if not self.is_async or self._home_loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is self._home_loop:
            raise RuntimeError(
                "this client's secret store is async and runs on this event loop, so a blocking call here "
                "would wait forever; use the *_async method (await client.rotate_async(), say)"
            )

    def _call(self, method: Any, is_async: bool, *args: Any) -> Any:
        if not is_async:
            return method(*args)
        loop = self._home_loop
        if loop is None or loop.is_closed() or not loop.is_running():
            loop = _private_loop.get()
        future = asyncio.run_coroutine_threadsafe(method(*args), loop)
        return future.result(timeout=CALL_TIMEOUT_SECONDS)
