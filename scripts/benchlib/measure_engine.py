"""The engine inside this process (section d): the whole timeline, point lookups cold
and warm, a road's state and routes. Public API only."""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from typing import Any

from benchlib import targets as t
from benchlib.context import Bench
from benchlib.runner import rss_mb
from benchlib.targets import DAYS, FIRST_DAY


def per_call_us(function: Callable[..., Any], items: Sequence[Any], repeat: int = 5) -> float:
    """Best of ``repeat`` passes over ``items`` calling ``function(*item)``, µs per call."""

    def one_pass() -> None:
        for item in items:
            function(*item)

    one_pass()  # warm-up
    best = min(timeit.repeat(one_pass, number=1, repeat=repeat))
    return best / len(items) * 1e6


def cold_us(function: Callable[..., Any], items: Sequence[Any]) -> float:
    """Mean µs per call of the first call on each item."""
    started = time.perf_counter()
    for item in items:
        function(*item)
    return (time.perf_counter() - started) / len(items) * 1e6


def measure_engine(bench: Bench, url: str) -> None:
    import control_graph as cg

    args, report, net = bench.args, bench.report, bench.net
    rng = random.Random(args.seed + 4)
    before = rss_mb()
    model = cg.open(url)
    started = time.perf_counter()
    timeline = model.control_timeline()
    report.add(
        "d",
        "control-timeline",
        "Model.control_timeline() (whole db)",
        time.perf_counter() - started,
        "s",
        note=f"RSS +{rss_mb() - before:.0f} MB",
    )
    started = time.perf_counter()
    network = model.network()
    report.add("d", "network", "Model.network() (graph)", time.perf_counter() - started, "s")

    # Disjoint samples so that "cold" really is the first computation.
    core = bench.picks.core_road
    roads50 = [r for r, s in net.road_segments.items() if len(s) == len(net.road_segments[core])]
    rng.shuffle(roads50)
    cold_roads = [r for r in roads50 if r != core][: max(1, min(20, len(roads50) // 10))]
    reserved_places: set[int] = set(net.road_places[core])
    reserved_segments: set[str] = set(net.road_segments[core])
    for r in cold_roads:
        reserved_segments.update(net.road_segments[r])
        for s in net.road_segments[r]:
            reserved_places.update(net.segment_ends[s])
    k = max(10, min(2000, len(net.segment_ends) // 8))
    seg_pool = [s for s in net.segment_ends if s not in reserved_segments]
    seg_sample = rng.sample(seg_pool, min(k, len(seg_pool)))
    for s in seg_sample:
        reserved_places.update(net.segment_ends[s])
    place_pool = [net.place_ids[i] for i in range(len(net.place_ids)) if i not in reserved_places]
    place_pool = place_pool or net.place_ids
    place_sample = rng.sample(place_pool, min(k, len(place_pool)))
    n = 10_000 if args.quick else 100_000

    def day() -> dt.date:
        return FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))

    cold = cold_us(timeline.place_state, [(p, day()) for p in place_sample])
    report.add(
        "d",
        "place-cold",
        "place_state, cold",
        cold,
        "µs",
        note=f"first lookup of {len(place_sample)} places (computes history)",
    )
    warm = per_call_us(timeline.place_state, [(rng.choice(place_sample), day()) for _ in range(n)])
    report.add(
        "d",
        "place-warm",
        "place_state, warm",
        warm,
        "µs",
        target=t.LOOKUP_US,
        note=f"{n:,} random (place, day), best of 5",
    )
    cold = cold_us(timeline.segment_state, [(s, day()) for s in seg_sample])
    report.add(
        "d",
        "segment-cold",
        "segment_state, cold",
        cold,
        "µs",
        note=f"first lookup of {len(seg_sample)} segments (+ their endpoints)",
    )
    warm = per_call_us(timeline.segment_state, [(rng.choice(seg_sample), day()) for _ in range(n)])
    report.add(
        "d",
        "segment-warm",
        "segment_state, warm",
        warm,
        "µs",
        target=t.LOOKUP_US,
        note=f"{n:,} random (segment, day)",
    )
    warm = per_call_us(timeline.state, [(rng.choice(seg_sample), day()) for _ in range(n)])
    report.add(
        "d",
        "state-warm",
        "state(SEGMENT), warm",
        warm,
        "µs",
        note="generic entry point (type_of first)",
    )
    warm = per_call_us(
        lambda s, d: timeline.segment_state(s, d, "bloc"),
        [(rng.choice(seg_sample), day()) for _ in range(n)],
    )
    report.add("d", "segment-bloc-warm", "segment_state by bloc, warm", warm, "µs")

    if cold_roads:
        length = len(net.road_segments[cold_roads[0]])
        times = []
        for r in cold_roads:
            started = time.perf_counter()
            timeline.road_state(r, day())
            times.append((time.perf_counter() - started) * 1e6)
        report.add(
            "d",
            "road-cold",
            f"road_state ({length} segments), cold",
            statistics.median(times),
            "µs",
            note=f"median over {len(cold_roads)} roads, first lookup",
        )
        warm = per_call_us(
            timeline.road_state, [(rng.choice(cold_roads), day()) for _ in range(n // 20)]
        )
        report.add(
            "d",
            "road-warm",
            f"road_state ({length} segments), warm",
            warm,
            "µs",
            target=t.ROUTE_US,
            note="if item 11's route means a road's state",
        )
    measure_routes(bench, network, timeline, cg.NoPathError)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.add("d", "engine-peak-rss", "peak RSS of this process (engine)", peak, "MB")
    model.close()


def measure_routes(bench: Bench, network: Any, timeline: Any, no_path: type[Exception]) -> None:
    """Shortest paths between the two ends of a 50-segment road on a band's centre row."""
    report, net = bench.report, bench.net
    chain = net.road_places[bench.picks.core_road]
    source, target = net.place_ids[chain[0]], net.place_ids[chain[-1]]
    started = time.perf_counter()
    route = network.shortest_path(source, target)
    first = (time.perf_counter() - started) * 1e6
    repeat = 5 if bench.args.quick else 20

    def best_us(call: Callable[[], object]) -> float:
        return min(timeit.repeat(call, number=1, repeat=repeat)) * 1e6

    report.add(
        "d",
        "route-any",
        f"shortest_path, any ground ({len(route.segments)} segments)",
        best_us(lambda: network.shortest_path(source, target)),
        "µs",
        target=t.ROUTE_US,
        note=f"first call {first:,.0f} µs; best of {repeat}",
    )
    day = t.QUESTION_DAY
    owner = timeline.place_state(source, day).controller
    if owner is None:
        return

    def held_route() -> Any:
        return network.shortest_path(source, target, timeline=timeline, day=day, controller=owner)

    started = time.perf_counter()
    try:
        route = held_route()
    except no_path as error:
        what = "shortest_path, one party's ground"
        report.add("d", "route-held", what, None, "µs", note=str(error))
        return
    first = (time.perf_counter() - started) * 1e6
    report.add(
        "d",
        "route-held",
        f"shortest_path, held by {owner} ({len(route.segments)} segments)",
        best_us(held_route),
        "µs",
        target=t.ROUTE_US,
        note=f"cold (histories computed) {first:,.0f} µs; warm best of {repeat}",
    )
