"""The Python half of the bridge from the library's Rust logs to ``logging``.

Records go to the logger ``aa_rotation`` and its children (``aa_rotation.engine``,
``aa_rotation.client.http``, ``aa_rotation.sim.server`` ...), named after the
Rust module that logged. Each record has the event's fields as the dict
``record.fields`` too. Rust's TRACE level is logged as level 5.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

LOGGER_NAME = "aa_rotation"

#: Python's level number for Rust's TRACE, below ``logging.DEBUG``.
TRACE = 5

logger = logging.getLogger(LOGGER_NAME)
# A library leaves output to the application: without a handler configured,
# records stop here instead of reaching logging's last-resort stderr handler.
logger.addHandler(logging.NullHandler())


def threshold() -> int:
    """Return the lowest effective level among the ``aa_rotation`` loggers."""
    lowest = logger.getEffectiveLevel()
    prefix = LOGGER_NAME + "."
    for name, child in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith(prefix) and isinstance(child, logging.Logger):
            lowest = min(lowest, child.getEffectiveLevel())
    return max(1, min(lowest, 255))


def emit(name: str, level: int, message: str, pathname: str, lineno: int, module_path: str, fields: Dict[str, Any]) -> None:
    """Log one Rust event on the logger ``name`` if that logger is enabled for ``level``."""
    target = logging.getLogger(name)
    if not target.isEnabledFor(level):
        return
    record = target.makeRecord(name, level, pathname, lineno, message, None, None, module_path, {"fields": fields})
    target.handle(record)


def callback_failed(callback: Any, error: BaseException) -> None:
    """Log an exception raised by an ``on_event`` callback."""
    logger.error(
        "an on_event callback raised %s; the other callbacks still ran",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__),
        extra={"fields": {"callback": repr(callback)}},
    )
