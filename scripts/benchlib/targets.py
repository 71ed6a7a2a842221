"""Sizes of the synthetic data and the targets each figure is judged against.

Targets come from two issues: "Foundation" item 11 (R1-R4, strict ``<``) and "Scale"
(issue 10, ``<=``). Where both cover one figure the stricter one is listed. A verdict
is only meaningful at the size the target was set for (``scale``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, NamedTuple

Scale = Literal["full", "national"]


class Sizes(NamedTuple):
    places: int
    segments: int
    events: int


FULL = Sizes(10_000, 15_000, 1_000_000)
QUICK = Sizes(400, 600, 20_000)
NATIONAL = Sizes(70_000, 100_000, 5_000_000)

FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 3 * 365 + 1  # 2023-01-01 .. 2025-12-31
#: The day the whole-network questions are asked about (path, plot map, snapshot).
QUESTION_DAY = dt.date(2025, 6, 1)
#: `changes` over one month: the last one of the data.
CHANGES_FROM, CHANGES_TO = dt.date(2025, 12, 1), dt.date(2025, 12, 31)


def day_iso(index: int) -> str:
    """The ISO text of the day ``index`` days after the first day of the data."""
    return (FIRST_DAY + dt.timedelta(days=index)).isoformat()


@dataclass(frozen=True)
class Target:
    """A requirement: the figure must be at most (or, ``strict``, below) ``limit``."""

    limit: float
    unit: str
    source: str
    scale: Scale = "full"
    strict: bool = False

    def met_by(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit

    def __str__(self) -> str:
        return f"{'<' if self.strict else '≤'} {self.limit:g} {self.unit} ({self.source})"


# Issue 10 ("Scale"), SQLite at full size, whole process, cold, medians.
VERSION_MS = Target(150, "ms", "#10")
IMPORT_PACKAGE_CPU_MS = Target(100, "ms", "#10")
WHO_HELD_ROAD_S = Target(0.25, "s", "#10")
TIMELINE_ROAD_S = Target(0.3, "s", "#10")
PATH_S = Target(1.0, "s", "#10")
CHANGES_MONTH_S = Target(1.0, "s", "#10")
PLOT_MAP_S = Target(3.0, "s", "#10")
SNAPSHOT_FIRST_MS = Target(300, "ms", "#10")
IMPORT_CSV_S = Target(8.0, "s", "#10")  # stricter than R1 (< 20 s)
IMPORT_CSV_RSS_MB = Target(300, "MB", "#10")
ENGINE_MEMORY_MB = Target(150, "MB", "#10")

# Issue 10 on PostgreSQL at national scale.
PG_IMPORT_S = Target(180, "s", "#10 pg", scale="national")
PG_WHO_HELD_S = Target(0.5, "s", "#10 pg", scale="national")
PG_PATH_S = Target(3.0, "s", "#10 pg", scale="national")
PG_CHANGES_MONTH_S = Target(2.0, "s", "#10 pg", scale="national")
SAME_ANSWERS = Target(0, "differences", "#10 pg", scale="national")

# Foundation item 11, for the figures issue 10 does not tighten.
WHO_HELD_S = Target(1.0, "s", "R2", strict=True)
LOOKUP_US = Target(5.0, "µs", "R3", strict=True)
ROUTE_US = Target(200.0, "µs", "R4", strict=True)
