"""What a check returns: :class:`Finding` values gathered in a :class:`CheckReport`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from control_graph.check.catalogue import CODES, Code, Severity
from control_graph.check.words import iso

__all__ = ["CheckReport", "Finding", "ordered"]

_ORDER = {code: i for i, code in enumerate(CODES)}


@dataclass(frozen=True)
class Finding:
    """One problem (or point worth knowing) found in the data.

    ``element`` and ``type`` name what the finding is about (a place, segment, road,
    party, bloc or source); ``related`` lists other elements involved; ``details``
    holds further JSON-ready values specific to the code (the reports that disagree,
    where an event is in which file, ...).
    """

    code: Code
    severity: Severity
    message: str
    element: str | None = None
    type: str | None = None
    date: dt.date | None = None
    related: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready values."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "element": self.element,
            "type": self.type,
            "date": iso(self.date),
            "message": self.message,
            "related": list(self.related),
            **self.details,
        }


@dataclass(frozen=True)
class CheckReport:
    """The findings of :func:`~control_graph.check.check_dataset`, ordered by code,
    element and date.

    ``codes`` are the checks that ran (all of them unless some were chosen), so a code
    with no finding is known to have been checked.
    """

    findings: tuple[Finding, ...]
    today: dt.date
    codes: tuple[Code, ...]

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def has_warnings(self) -> bool:
        return self.warnings > 0

    def counts(self) -> dict[str, int]:
        """Findings per code, for every code checked (zero included)."""
        counts = dict.fromkeys((code.value for code in self.codes), 0)
        for finding in self.findings:
            counts[finding.code.value] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        """The report as the JSON document ``control-graph check --json`` prints."""
        return {
            "today": self.today.isoformat(),
            "findings": [finding.as_dict() for finding in self.findings],
            "counts": self.counts(),
            "severities": {
                Severity.WARNING.value: self.warnings,
                Severity.INFO.value: len(self.findings) - self.warnings,
            },
        }


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings in the order reports list them: by code (in the order of
    :data:`~control_graph.check.catalogue.CODES`), element, date and message."""
    return tuple(
        sorted(
            findings,
            key=lambda f: (_ORDER[f.code], f.element or "", f.date or dt.date.min, f.message),
        )
    )
