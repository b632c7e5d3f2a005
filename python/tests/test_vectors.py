"""The shared cases of tests/vectors/, run through the Python API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aa_rotation.testing import parse_secret_body, policy_decision

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(name):
    return json.loads((VECTORS / name).read_text())


EXPIRY_CASES = load("expiry.json")["cases"]
POLICY = load("policy.json")


def test_vector_files_have_cases():
    assert len(EXPIRY_CASES) >= 10
    assert len(POLICY["cases"]) >= 10


@pytest.mark.parametrize("case", EXPIRY_CASES, ids=[c["name"] for c in EXPIRY_CASES])
def test_expiry_vector(case):
    expected = case["expected"]
    body = json.dumps(case["body"])
    if "error" in expected:
        with pytest.raises(ValueError) as caught:
            parse_secret_body(body)
        assert expected["error"] in str(caught.value)
        return
    parsed = parse_secret_body(body)
    assert parsed["source"] == expected["source"]
    if expected.get("expiresAt") is None:
        assert parsed["expires_at"] is None
    else:
        want = datetime.fromisoformat(expected["expiresAt"].replace("Z", "+00:00"))
        assert parsed["expires_at"] == want
        assert parsed["epoch_seconds"] == expected["epochSeconds"]
    if "messageKind" in expected:
        assert parsed["message_kind"] == expected["messageKind"]


@pytest.mark.parametrize("case", POLICY["cases"], ids=[str(c["offsetDays"]) for c in POLICY["cases"]])
def test_policy_vector(case):
    now = datetime.fromisoformat(POLICY["now"].replace("Z", "+00:00"))
    offset = case["offsetDays"]
    expires_at = None if offset is None else now + timedelta(seconds=offset * 86_400)
    decision = policy_decision(
        expires_at,
        now,
        rotate_before_days=POLICY["policy"]["rotateBeforeDays"],
        grace_period_days=POLICY["policy"]["gracePeriodDays"],
    )
    expected = case["expected"]
    assert decision["state"] == expected["state"]
    assert decision["due"] is expected["due"]
    assert decision["emergency"] is expected["emergency"]
    assert decision["check_exit_code"] == expected["checkExitCode"]
    if expected.get("daysLeft") is None:
        assert decision["days_left"] is None
    else:
        assert decision["days_left"] == pytest.approx(expected["daysLeft"], abs=1e-9)
