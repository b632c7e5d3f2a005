"""Cost of a cached ``access_token()`` call, beside the cheapest calls there are.

Measures, per call, in nanoseconds:

- ``_native._noop()``: a PyO3 function that does nothing (the sync baseline);
- ``client.access_token()`` and ``client.cached_access_token()`` with a fresh
  token in the cache;
- ``await noop()`` for an ``async def noop()`` (the async baseline);
- ``await client.access_token_async()`` with a fresh token in the cache.

Each figure is the best of ``--repeat`` runs of ``--number`` calls, as
``timeit`` recommends: slower runs measure other load on the machine. The
client talks to the in-process simulator on 127.0.0.1 once, to fill the
cache; every measured call is served from the cache.

Usage: python bench_access_token.py [--number N] [--repeat R] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import timeit
from time import perf_counter_ns

import aa_rotation
from aa_rotation import _native
from aa_rotation.testing import Simulator, seed_entity


def measure_sync(call, number: int, repeat: int) -> float:
    """Return the best time per call of ``call()``, in nanoseconds."""
    timer = timeit.Timer(call)
    runs = timer.repeat(repeat=repeat, number=number)
    return min(runs) / number * 1e9


def measure_async(make_awaitable, number: int, repeat: int) -> float:
    """Return the best time per ``await make_awaitable()`` inside one coroutine, in nanoseconds."""

    async def run() -> float:
        started = perf_counter_ns()
        for _ in range(number):
            await make_awaitable()
        return (perf_counter_ns() - started) / number

    async def runs() -> list:
        await run()  # warm-up
        return [await run() for _ in range(repeat)]

    return min(asyncio.run(runs()))


async def noop() -> None:
    """Do nothing, as the async baseline."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000, help="calls per run (default 200000)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    with Simulator() as simulator:
        entity = seed_entity(simulator)
        client = entity.client()
        first = client.access_token()
        requests_before = simulator.calls("entity_token")

        results = {
            "_native._noop() (no-op PyO3 call)": measure_sync(_native._noop, args.number, args.repeat),
            "client.access_token(), cached": measure_sync(client.access_token, args.number, args.repeat),
            "client.cached_access_token()": measure_sync(client.cached_access_token, args.number, args.repeat),
            "await noop() (async def no-op)": measure_async(noop, args.number, args.repeat),
            "await client.access_token_async(), cached": measure_async(
                client.access_token_async, args.number, args.repeat
            ),
        }
        requests = simulator.calls("entity_token") - requests_before
        same_object = client.access_token() is first

    sync_ratio = results["client.access_token(), cached"] / results["_native._noop() (no-op PyO3 call)"]
    async_ratio = results["await client.access_token_async(), cached"] / results["await noop() (async def no-op)"]

    if args.markdown:
        print("| call | ns per call |")
        print("|---|---|")
        for name, value in results.items():
            print(f"| `{name}` | {value:.0f} |")
        print()
        print(f"- sync ratio, cached `access_token()` / no-op PyO3 call: {sync_ratio:.2f} (goal: at most 3)")
        print(f"- async ratio, cached `access_token_async()` / `async def` no-op: {async_ratio:.2f} (goal: at most 3)")
        print(f"- upstream entity-token requests during the measured calls: {requests}")
        print(f"- same token object on every call: {same_object}")
        print(
            f"- aa-rotation {aa_rotation.__version__}, CPython {platform.python_version()}, "
            f"{platform.machine()}, best of {args.repeat} runs of {args.number} calls"
        )
    else:
        for name, value in results.items():
            print(f"{name:45s} {value:8.1f} ns")
        print(f"sync ratio {sync_ratio:.2f}, async ratio {async_ratio:.2f}, requests {requests}")

    ok = sync_ratio <= 3 and async_ratio <= 3 and requests == 0 and same_object
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
