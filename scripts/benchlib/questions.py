"""What the benchmark asks: the elements and days it picks, and the command lines.

The same questions are timed on SQLite, on PostgreSQL and under the profiler, so they
are built in one place. Picks are deterministic from the seed (and the same as in
earlier versions of the benchmark, so old figures stay comparable).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from benchlib import targets as t
from benchlib.synth import Network
from benchlib.targets import DAYS, FIRST_DAY, Target


def day_index(day: dt.date) -> int:
    return (day - FIRST_DAY).days


@dataclass(frozen=True)
class Picks:
    """The elements and days the questions are about."""

    long_road: str  # a 50-segment road (or the longest)
    short_road: str  # a road of 10 to 20 segments
    segment: str
    place: str
    days: tuple[str, ...]  # random days, one per run of a dated question
    core_road: str  # a 50-segment road on a band's centre row: held throughout
    across: tuple[str, str, str]  # the two ends of a centre row and its holder on the day


def pick(net: Network, seed: int, runs: int) -> Picks:
    """Choose, from ``seed``, what to ask about."""
    rng = random.Random(seed + 3)
    roads = net.road_segments
    roads50 = [r for r, segs in roads.items() if len(segs) == 50]
    long_road = rng.choice(roads50) if roads50 else max(roads, key=lambda r: len(roads[r]))
    short_road = rng.choice([r for r, s in roads.items() if 10 <= len(s) <= 20] or [long_road])
    segment = rng.choice([s for s in net.segment_ends if "/" not in s] or list(net.segment_ends))
    place = rng.choice(net.place_ids)
    days = tuple(
        (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).isoformat() for _ in range(runs)
    )
    core = [r for r, row in net.road_rows.items() if net.is_core(row)]
    core_road = max(core, key=lambda r: len(roads[r]))
    # Across the whole width of the grid, along the middle band's centre row: its places
    # are held by the band's party every day, so the path through its ground exists.
    row = net.band_centres[len(net.band_centres) // 2]
    first, last = row * net.width, min(len(net.place_ids), (row + 1) * net.width) - 1
    holder = net.owner(row, day_index(t.QUESTION_DAY))
    across = (net.place_ids[first], net.place_ids[last], holder)
    return Picks(long_road, short_road, segment, place, days, core_road, across)


@dataclass(frozen=True)
class Question:
    """A command-line question: ``control-graph --db URL *args`` (dated: ``--on DAY``,
    a different day each run)."""

    key: str
    label: str
    args: tuple[str, ...]
    target: Target | None = None
    dated: bool = False
    ok: tuple[int, ...] = (0,)  # exit statuses that are answers (path: 1 = no path)
    slow: bool = False  # whole-network questions: fewer runs (--slow-runs)

    def argv(self, cli: list[str], url: str, run: int, picks: Picks) -> list[str]:
        on = ["--on", picks.days[run % len(picks.days)]] if self.dated else []
        return [*cli, "--db", url, *self.args, *on]


#: The questions a smoke run (``--quick``) keeps: one of each kind.
QUICK_KEYS = ("who-held", "who-held-place", "timeline", "path", "changes", "plot-map")


def cli_questions(net: Network, picks: Picks, workdir: Path, *, quick: bool) -> list[Question]:
    """The questions timed on the command line."""
    long_n = len(net.road_segments[picks.long_road])
    short_n = len(net.road_segments[picks.short_road])
    source, target, party = picks.across
    road = picks.long_road
    day = t.QUESTION_DAY.isoformat()
    month = ("--from", t.CHANGES_FROM.isoformat(), "--to", t.CHANGES_TO.isoformat())
    every = [
        Question(
            "who-held",
            f"who-held ROAD ({long_n} segments)",
            ("who-held", road),
            t.WHO_HELD_ROAD_S,
            dated=True,
        ),
        Question(
            "who-held-short",
            f"who-held ROAD ({short_n} segments)",
            ("who-held", picks.short_road),
            t.WHO_HELD_S,
            dated=True,
        ),
        Question(
            "who-held-segment",
            "who-held SEGMENT",
            ("who-held", picks.segment),
            t.WHO_HELD_S,
            dated=True,
        ),
        Question(
            "who-held-place", "who-held PLACE", ("who-held", picks.place), t.WHO_HELD_S, dated=True
        ),
        Question(
            "who-held-json",
            "who-held ROAD --json",
            ("who-held", road, "--json"),
            t.WHO_HELD_S,
            dated=True,
        ),
        Question(
            "who-held-bloc",
            "who-held ROAD --by bloc --as-of",
            ("who-held", road, "--by", "bloc", "--as-of", "2025-06-30"),
            t.WHO_HELD_S,
            dated=True,
        ),
        Question(
            "timeline", f"timeline ROAD ({long_n} segments)", ("timeline", road), t.TIMELINE_ROAD_S
        ),
        Question(
            "path",
            f"path across the network --party {party}",
            ("path", source, target, "--on", day, "--party", party),
            t.PATH_S,
            ok=(0, 1),
            slow=True,
        ),
        Question(
            "changes",
            "changes --from D --to D+30",
            ("changes", *month),
            t.CHANGES_MONTH_S,
            slow=True,
        ),
        Question(
            "plot-map",
            f"plot map ({len(net.place_ids):,} places)",
            ("plot", "map", "--on", day, "-o", str(workdir / "map.png")),
            t.PLOT_MAP_S,
            slow=True,
        ),
    ]
    return [q for q in every if q.key in QUICK_KEYS] if quick else every


def extra_questions(net: Network, picks: Picks) -> list[Question]:
    """With ``--extras``: the whole-network path of earlier versions (no party)."""
    chain = net.road_places[picks.core_road]
    a, b = net.place_ids[chain[0]], net.place_ids[chain[-1]]
    return [
        Question(
            "path-any",
            f"path, any ground ({len(chain) - 1}-segment road's ends)",
            ("path", a, b, "--on", t.QUESTION_DAY.isoformat()),
            ok=(0, 1),
            slow=True,
        )
    ]
