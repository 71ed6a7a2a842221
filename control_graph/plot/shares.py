"""Shares over time: how much of the road network (or how many places) each party or
bloc held, as a stacked area, with contested and unknown on top."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from control_graph.errors import InvalidArgumentError
from control_graph.model.states import State, Status
from control_graph.model.timeline import ControlTimeline
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR
from control_graph.plot.data import (
    DateLike,
    NetworkData,
    SpanLike,
    Step,
    Trust,
    latest_change,
    load_network,
    parse_step,
    source_line,
    step_days,
    to_day,
    trust_notes,
)
from control_graph.plot.fonts import with_script_fonts
from control_graph.plot.furniture import draw_source_line
from control_graph.plot.style import (
    axes_and_figure,
    date_axis,
    date_number,
    fit_figure,
    hatched_patch,
    new_axes,
    outside_legend,
)

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["plot_shares", "share_series"]

CONTESTED, UNKNOWN = "contested", "unknown"
#: More readings than this is almost certainly a mistake (a step of 1 day over decades).
MAX_STEPS = 5000


def _key(state: State) -> str:
    if state.status is Status.HELD and state.controller is not None:
        return state.controller
    return CONTESTED if state.status is Status.CONTESTED else UNKNOWN


def share_series(
    model: Model,
    *,
    by: str = "party",
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
    measure: str = "km",
    step: SpanLike | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
) -> tuple[list[dt.date], dict[str, list[float]], float]:
    """How much each party (or bloc), ``"contested"`` and ``"unknown"`` held over time.

    Returns the days on which the totals change (the first is the window's start; each
    total holds until the next day listed; the last day closes the window), the totals
    on each of those days keyed by controller, and the grand total (km or places).
    With ``step`` (days, ``"2w"``, or calendar ``"1m"``/``"1y"``) the totals are read
    on the window's start and every step after it instead of on every change.
    ``as_of``, ``min_confidence`` and ``independent_only`` choose the reports that
    count, as in the questions.

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> days, totals, whole = share_series(model, measure="places", end="2026-02-06")
    >>> totals["kia"][-1], whole
    (9.0, 19.0)
    """
    trust = Trust(min_confidence, bool(independent_only))
    data, engine, start_day, end_day = _read(model, by, start, end, as_of, measure, trust)
    series = _series(data, engine, start_day, end_day, measure)
    return series if step is None else _sampled(series, parse_step(step, "step"))


def _read(
    model: Model,
    by: str,
    start: DateLike | None,
    end: DateLike | None,
    as_of: DateLike | None,
    measure: str,
    trust: Trust,
) -> tuple[NetworkData, ControlTimeline, dt.date | None, dt.date | None]:
    if measure not in ("km", "places"):
        raise InvalidArgumentError(f"measure must be 'km' or 'places', not {measure!r}")
    start_day = None if start is None else to_day(start, "from")
    end_day = None if end is None else to_day(end, "to")
    if start_day is not None and end_day is not None and end_day < start_day:
        raise InvalidArgumentError(f"--to {end_day} is before --from {start_day}")
    data = load_network(model, by=by)
    engine = model.control_timeline(
        as_of=None if as_of is None else to_day(as_of, "as_of"),
        min_confidence=trust.min_confidence,
        independent_only=trust.independent_only,
    )
    return data, engine, start_day, end_day


def weights_of(data: NetworkData, measure: str) -> dict[str, float]:
    """What each element counts for: its length in km, or 1 for each place."""
    return dict(data.lengths) if measure == "km" else dict.fromkeys(data.places, 1.0)


def _series(
    data: NetworkData,
    engine: ControlTimeline,
    start_day: dt.date | None,
    end_day: dt.date | None,
    measure: str,
) -> tuple[list[dt.date], dict[str, list[float]], float]:
    weights = weights_of(data, measure)
    # Each change moves an element's weight from its old holder to its new one.
    deltas: dict[dt.date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for element, weight in weights.items():
        for change in engine.element_changes(element, data.by):
            bucket = deltas[change.date]
            bucket[_key(change.before)] -= weight
            bucket[_key(change.after)] += weight
    whole = float(sum(weights.values()))
    change_days = sorted(deltas)
    first = start_day or (change_days[0] if change_days else dt.date.today())
    last = end_day or (change_days[-1] if change_days else first)
    if end_day is None:
        last += max(dt.timedelta(days=(last - first).days // 25), dt.timedelta(days=7))
    current: dict[str, float] = defaultdict(float)
    current[UNKNOWN] = whole
    days: list[dt.date] = [first]
    rows: list[dict[str, float]] = []
    for day in change_days:
        if day > first:
            break
        for key, amount in deltas[day].items():
            current[key] += amount
    rows.append(dict(current))
    for day in change_days:
        if day <= first or day > last:
            continue
        for key, amount in deltas[day].items():
            current[key] += amount
        days.append(day)
        rows.append(dict(current))
    days.append(last + dt.timedelta(days=1))
    rows.append(dict(current))
    keys = {k for row in rows for k, v in row.items() if abs(v) > 1e-9}
    keys |= {CONTESTED, UNKNOWN}
    totals = {k: [max(round(row.get(k, 0.0), 9), 0.0) for row in rows] for k in sorted(keys)}
    return days, totals, whole


def _sampled(
    series: tuple[list[dt.date], dict[str, list[float]], float], step: Step
) -> tuple[list[dt.date], dict[str, list[float]], float]:
    """The totals read on the first day and every ``step`` after it, each holding until
    the next reading (the last day listed still closes the window)."""
    days, totals, whole = series
    samples = step_days(days[0], days[-1] - dt.timedelta(days=1), step, MAX_STEPS)
    if len(samples) > 1 and samples[-1] != step.after(days[0], len(samples) - 1):
        samples.pop()  # the window's last day, not a step: the last reading runs to it
    rows = [bisect.bisect_right(days, day) - 1 for day in samples]
    rows.append(rows[-1])
    sampled = {key: [values[row] for row in rows] for key, values in totals.items()}
    return [*samples, days[-1]], sampled, whole


@with_script_fonts
def plot_shares(
    model: Model,
    *,
    by: str = "party",
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
    measure: str = "km",
    step: SpanLike | None = None,
    title: str | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """A stacked area of road length (or places) held by each party or bloc over time.

    Parameters
    ----------
    model
        The model to read.
    by
        ``"party"`` or ``"bloc"``.
    start, end
        The days to show (both inclusive); default the whole history.
    as_of
        Use the data as it stood then (events recorded on or before it).
    measure
        ``"km"`` (length of road segments) or ``"places"`` (number of places).
    step
        Read the totals every step (``"1m"``: on the same day of each calendar month;
        ``"1y"``, ``"2w"``, a number of days) instead of on every change.
    title
        Replaces the default title.
    min_confidence
        Ignore reports below this confidence: ``"low"``, ``"medium"`` or ``"high"``; a
        report without one counts as medium.
    independent_only
        Ignore every report that is a side's own claim (has a ``claimant``).
    ax
        Draw into this axes instead of a new figure.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.plot import plot_shares
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> fig, ax = plot_shares(model, by="bloc")
    >>> ax.get_ylabel()
    'road length held (km)'
    """
    trust = Trust(min_confidence, bool(independent_only))
    data, engine, start_day, end_day = _read(model, by, start, end, as_of, measure, trust)
    series = _series(data, engine, start_day, end_day, measure)
    days, totals, whole = series if step is None else _sampled(series, parse_step(step, "step"))
    controllers = sorted(
        (k for k in totals if k not in (CONTESTED, UNKNOWN)),
        key=lambda c: (-float(np.mean(totals[c])), data.label_of(c).lower()),
    )
    order = [*controllers, CONTESTED, UNKNOWN]
    colors = [data.color_of(c) for c in controllers] + ["white", UNKNOWN_COLOR]
    own_figure = ax is None
    fig, ax = axes_and_figure(ax, lambda: new_axes((12.0, 5.6), (0.9, 0.8, 7.6, 4.0)))
    x = [date_number(day) for day in days]
    areas = ax.stackplot(
        x,
        [totals[k] for k in order],
        colors=colors,
        step="post",
        linewidth=0.0,
        zorder=2,
    )
    for key, area in zip(order, areas, strict=True):
        if key == CONTESTED:
            area.set_hatch("////")
            area.set_edgecolor(CONTESTED_COLOR)
            area.set_linewidth(0.0)
    unit = "km" if measure == "km" else "places"
    noun = "road length held (km)" if measure == "km" else "places held"
    ax.set_ylabel(noun, fontsize=9)
    if measure == "places":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, whole if whole > 0 else 1)
    if whole > 0:

        def to_percent(value: Any) -> Any:
            return np.asarray(value) / whole * 100

        def from_percent(value: Any) -> Any:
            return np.asarray(value) * whole / 100

        percent = ax.secondary_yaxis("right", functions=(to_percent, from_percent))
        percent.set_ylabel("share of the network (%)", fontsize=9)
        percent.tick_params(labelsize=8, colors="#444444")
        percent.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    date_axis(ax.xaxis, days[0], days[-1] - dt.timedelta(days=1))
    ax.tick_params(labelsize=8, colors="#444444")
    ax.grid(True, color="white", linewidth=0.5, alpha=0.6, zorder=3)
    for side in ("top",):
        ax.spines[side].set_visible(False)
    what = "Road length" if measure == "km" else "Places"
    who = "bloc" if data.by == "bloc" else "party"
    ax.set_title(
        title or f"{what} held by each {who} over time",
        loc="left",
        fontsize=11.5,
        fontweight="bold",
        pad=20,
    )
    note = f"total {whole:,.0f} {unit}" if measure == "km" else f"{whole:,.0f} places"
    if step is not None:
        note += f", read every {parse_step(step, 'step').describe()}"
    note = " \u00b7 ".join([note, *trust_notes(trust)])
    as_of_day = None if as_of is None else to_day(as_of, "as_of")
    latest = latest_change(engine, weights_of(data, measure), data.by)
    draw_source_line(ax, source_line(data, as_of=as_of_day, latest=latest), below=30)
    ax.annotate(
        " \u00b7 ".join(n for n in (data.name, note) if n),
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        va="bottom",
        fontsize=8.5,
        color="#444444",
    )
    entries: list[tuple[Any, str]] = [
        (Patch(facecolor=UNKNOWN_COLOR), "unknown"),
        (hatched_patch(), "contested"),
        *(
            (Patch(facecolor=data.color_of(c), edgecolor="none"), data.label_of(c))
            for c in reversed(controllers)
        ),
    ]
    heading = "Held by" + (" (bloc or party)" if who == "bloc" else "")
    outside_legend(ax, [(heading, entries)], x=1.16 if whole > 0 else 1.03)
    if own_figure:
        fit_figure(fig)
    return fig, ax
