"""The library keeps working in a child process made by os.fork()."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from aa_rotation import RotationAction, RotationClient

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    # Python 3.12+ warns on any fork of a process with threads; forking one is the point here.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


def run_in_child(work, timeout=30.0):
    """Run ``work()`` in a forked child; return what it reported as JSON.

    The child reports through a pipe and leaves with os._exit, so that it
    never returns into pytest. A child that hangs is killed after ``timeout``.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        code = 0
        try:
            report = {"ok": True, "result": work()}
        except BaseException as error:  # noqa: BLE001 - everything goes back to the parent
            report = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            code = 1
        with os.fdopen(write_end, "w") as pipe:
            pipe.write(json.dumps(report))
        os._exit(code)

    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the child process did not finish within {timeout} s")
        time.sleep(0.05)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    report = json.loads(text) if text else {"ok": False, "error": "no report"}
    assert report["ok"], report.get("error")
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
    return report["result"]


def test_child_rotates_and_gets_tokens(aa_entity):
    client = aa_entity.client()
    # Used before the fork: the parent's runtime, pool and cache exist.
    parent_token = client.access_token()

    def child():
        outcome = client.rotate(force=True)
        client.invalidate()
        token = client.access_token()
        return {
            "action": outcome.action.value,
            "fingerprint": outcome.fingerprint,
            "token_fingerprint": token.secret_fingerprint,
            "pid": os.getpid(),
        }

    result = run_in_child(child)
    assert result["action"] == RotationAction.ROTATED.value
    assert result["pid"] != os.getpid()
    new_secret = aa_entity.current_secret()
    assert result["fingerprint"] == new_secret.fingerprint
    assert result["token_fingerprint"] == new_secret.fingerprint
    assert aa_entity.simulator.resets(aa_entity.entity_id) == 1

    # The parent keeps working: its stored secret is stale now, and the
    # client finds the service's current one.
    assert client.access_token() is parent_token
    client.invalidate()
    assert client.access_token().secret_fingerprint == new_secret.fingerprint


def test_child_builds_new_client_and_awaits(aa_entity):
    aa_entity.client().status()

    def child():
        import asyncio

        fresh = RotationClient(
            entity_id=aa_entity.entity_id,
            base_url=aa_entity.base_url,
            username=aa_entity.username,
            password=aa_entity.password,
            store="memory:",
        )

        async def work():
            status = await fresh.status_async()
            token = await fresh.access_token_async()
            return status.fingerprint, token.secret_fingerprint

        status_fingerprint, token_fingerprint = asyncio.run(work())
        return {"status": status_fingerprint, "token": token_fingerprint}

    result = run_in_child(child)
    assert result["status"] == aa_entity.current_secret().fingerprint
    assert result["token"] == aa_entity.current_secret().fingerprint


def test_two_generations_of_children(aa_entity):
    client = aa_entity.client()
    client.status()

    def grandchild():
        return client.access_token().secret_fingerprint

    def child():
        client.access_token()
        return run_in_child(grandchild)

    assert run_in_child(child) == aa_entity.current_secret().fingerprint
