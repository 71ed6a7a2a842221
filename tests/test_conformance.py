"""The public conformance cases (tests/data/conformance-cases.json and
conformance-cases-v2.json, copies of shared/conformance/cases.json and cases-v2.json)
through the command line, on both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import DATA, Cli

CASES = json.loads((DATA / "conformance-cases.json").read_text())
CASES_V2 = json.loads((DATA / "conformance-cases-v2.json").read_text())


def matches(got: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(matches(got.get(k), v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(matches, got, want))
    if isinstance(want, float):
        return isinstance(got, int | float) and abs(got - want) <= 0.005 * abs(want) + 0.01
    return bool(got == want)


def failures_of(cli: Cli, cases: list[dict[str, Any]]) -> list[Any]:
    failures = []
    for case in cases:
        result = cli(*case["args"], "--json")
        got = json.loads(result.stdout) if result.stdout.strip() else None
        ok = result.exit_code == case["exit"] and (
            case["exit"] != 0 or matches(got, case["expect"])
        )
        if not ok:
            failures.append((case["args"], result.exit_code, got, result.stderr))
    return failures


def test_every_case_on_one_database(valley_cli: Cli) -> None:
    assert not failures_of(valley_cli, CASES)


def test_every_section_4_case_after_the_second_dataset(valley_cli: Cli) -> None:
    # As run.py --all does: valley-v2.yaml into the same database (it shares no id).
    result = valley_cli("import", str(DATA / "valley-v2.yaml"))
    assert result.exit_code == 0, result.output
    assert not failures_of(valley_cli, CASES_V2)
    assert not failures_of(valley_cli, CASES)


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: " ".join(c["args"]))
def test_matcher_rejects_a_wrong_answer(valley_cli: Cli, case: dict[str, Any]) -> None:
    # Guard against a matcher that accepts anything.
    result = valley_cli(*case["args"], "--json")
    got = json.loads(result.stdout)
    got["status"] = "wrong"
    assert not matches(got, case["expect"])
