"""The public conformance cases (tests/data/conformance-cases.json, a copy of
shared/conformance/cases.json) through the command line, on both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import DATA, Cli

CASES = json.loads((DATA / "conformance-cases.json").read_text())


def matches(got: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(matches(got.get(k), v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(matches, got, want))
    if isinstance(want, float):
        return isinstance(got, int | float) and abs(got - want) <= 0.005 * abs(want) + 0.01
    return bool(got == want)


def test_every_case_on_one_database(valley_cli: Cli) -> None:
    failures = []
    for case in CASES:
        result = valley_cli(*case["args"], "--json")
        got = json.loads(result.stdout) if result.stdout.strip() else None
        ok = result.exit_code == case["exit"] and (
            case["exit"] != 0 or matches(got, case["expect"])
        )
        if not ok:
            failures.append((case["args"], result.exit_code, got, result.stderr))
    assert not failures, failures


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: " ".join(c["args"]))
def test_matcher_rejects_a_wrong_answer(valley_cli: Cli, case: dict[str, Any]) -> None:
    # Guard against a matcher that accepts anything.
    result = valley_cli(*case["args"], "--json")
    got = json.loads(result.stdout)
    got["status"] = "wrong"
    assert not matches(got, case["expect"])
