"""Many callers on a cold cache make one upstream entity-token request."""

from __future__ import annotations

import asyncio
import threading

from aa_rotation import AccessToken


async def test_200_concurrent_async_calls_make_one_request(aa_entity):
    client = aa_entity.client()
    # Bootstrap the store first, so that only entity-token requests remain.
    await client.status_async()
    before = aa_entity.simulator.calls("entity_token")
    tokens = await asyncio.gather(*(client.access_token_async() for _ in range(200)))
    assert aa_entity.simulator.calls("entity_token") - before == 1
    assert all(isinstance(token, AccessToken) for token in tokens)
    assert len({id(token) for token in tokens}) == 1


def test_concurrent_threads_make_one_request(aa_entity):
    client = aa_entity.client()
    client.status()
    before = aa_entity.simulator.calls("entity_token")
    results = []
    start = threading.Barrier(16)

    def worker():
        start.wait()
        results.append(client.access_token())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 16
    assert aa_entity.simulator.calls("entity_token") - before == 1
    assert len({token.reveal() for token in results}) == 1


async def test_cancelled_await_leaves_client_usable(aa_entity):
    client = aa_entity.client()
    aa_entity.simulator.inject_fault("entity_token", "latency", ms=2000, count=1)
    task = asyncio.ensure_future(client.access_token_async())
    await asyncio.sleep(0.2)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    token = await asyncio.wait_for(client.access_token_async(), timeout=10)
    assert token.reveal()
