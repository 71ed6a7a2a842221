"""The synthetic road network and its control events, deterministic from a seed.

For a given seed and sizes the files are byte-identical to those of every earlier
version of the benchmark, so that old figures stay comparable. The events are written
as a stream (bucketed by date range on disk, then each bucket sorted), so that memory
stays flat in the number of events: five million rows never sit in memory at once.

With ``trust`` (``--trust``), the events carry contract section 4 as well, in files of
their own names (``events-...-trust.csv``, ``access-...-trust.csv``): the same rows,
drawn in the same order, with rough dates, lapsing reports, claimants and ids added
from a random stream of their own, and rival claims inserted a few days from
independent reports (so that disputes exist). See :class:`TrustShares`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib.targets import DAYS, Sizes, day_iso

PARTIES = [
    ("alpha-front", "Alpha Front"),
    ("bravo-army", "Bravo Army"),
    ("charlie-militia", "Charlie Militia"),
    ("delta-force", "Delta Force"),
    ("echo-brigade", "Echo Brigade"),
    ("foxtrot-guard", "Foxtrot Guard"),
    ("golf-police", "Golf Border Police"),
    ("hotel-rebels", "Hotel Rebels"),
]
KINDS = ["capture", "recapture", "withdrawal", "patrol", "report", "handover"]
NOTES = ['report from "local sources", unconfirmed', "shelling nearby; roads closed"]
#: The columns of the events CSV, in the order written (contract section 1.3).
EVENT_COLUMNS = (
    "date",
    "place",
    "segment",
    "road",
    "party",
    "status",
    "kind",
    "source",
    "confidence",
    "recorded",
    "note",
)
#: The section 4 columns a ``--trust`` events CSV has after those (contract 4.1-4.3).
TRUST_COLUMNS = ("id", "date_latest", "until", "claimant")
#: The kind of the rival claims inserted by ``--trust`` (the base rows never use it).
CLAIM_KIND = "claim"
ROW_ROAD_CHUNKS = [50, 17, 16, 16]  # segments per road along a row of 100 places
EARTH_RADIUS_KM = 6371.0088
#: Days per bucket file while sorting the events by date.
BUCKET_DAYS = 32


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Network:
    """What the generator made, and what the measurements need to know about it."""

    width: int
    rows: int
    place_ids: list[str]
    coords: list[tuple[float, float]]
    row_of: list[int]
    #: road id -> its row (roads along a row only)
    road_rows: dict[str, int] = field(default_factory=dict)
    road_segments: dict[str, list[str]] = field(default_factory=dict)
    #: road id -> place indexes along it (roads given by places only)
    road_places: dict[str, list[int]] = field(default_factory=dict)
    #: segment id -> (start index, end index)
    segment_ends: dict[str, tuple[int, int]] = field(default_factory=dict)
    band_centres: list[int] = field(default_factory=list)

    def band(self, row: int, day: int) -> int:
        """Which party holds ``row`` on day index ``day``: bands of rows, one per party,
        whose borders sway by up to 3 rows over a year (so there are fronts)."""
        shift = round(3 * math.sin(2 * math.pi * day / 365))
        return min(len(PARTIES) - 1, max(0, (row + shift) * len(PARTIES) // self.rows))

    def is_core(self, row: int) -> bool:
        """Band centre rows: always held by their band's party, no noise (so that a
        held route along the row exists for path questions)."""
        return row in self.band_centres

    def owner(self, row: int, day: int) -> str:
        """The id of the party whose band covers ``row`` on day index ``day``."""
        return PARTIES[self.band(row, day)][0]


def build_network(places: int, segments: int, rng: random.Random) -> Network:
    """Places on a jittered grid, roads along the rows, extra segments between rows."""
    width = max(2, math.ceil(math.sqrt(places)))
    rows = math.ceil(places / width)
    digits = len(str(places - 1))
    place_ids = [f"p{i:0{digits}d}" for i in range(places)]
    coords = []
    for i in range(places):
        r, c = divmod(i, width)
        coords.append(
            (
                round(10.0 + r * 0.02 + rng.uniform(-0.004, 0.004), 5),
                round(95.0 + c * 0.02 + rng.uniform(-0.004, 0.004), 5),
            )
        )
    net = Network(width, rows, place_ids, coords, [i // width for i in range(places)])
    net.band_centres = sorted({int((b + 0.5) * rows / len(PARTIES)) for b in range(len(PARTIES))})
    # Roads along the rows, generated from their places, in chunks of 50, 17, 16, 16 ...
    budget = segments
    road_number = 0
    for r in range(rows):
        row = list(range(r * width, min(places, (r + 1) * width)))
        start, k = 0, 0
        while start < len(row) - 1 and budget > 0:
            size = min(ROW_ROAD_CHUNKS[k % len(ROW_ROAD_CHUNKS)], len(row) - 1 - start, budget)
            k += 1
            road_number += 1
            road = f"r{road_number:04d}"
            chain = row[start : start + size + 1]
            net.road_rows[road] = r
            net.road_places[road] = chain
            net.road_segments[road] = [f"{road}/{i}" for i in range(1, len(chain))]
            for i, seg in enumerate(net.road_segments[road]):
                net.segment_ends[seg] = (chain[i], chain[i + 1])
            budget -= size
            start += size
    # Extra segments between rows (vertical, then diagonal if more are needed).
    candidates = [(i, i + width) for i in range(places) if i + width < places]
    rng.shuffle(candidates)
    diagonal = [
        (i, i + width + 1) for i in range(places) if i + width + 1 < places and (i + 1) % width
    ]
    rng.shuffle(diagonal)
    candidates += diagonal
    if budget > len(candidates):
        raise SystemExit(f"cannot make {segments} segments from {places} places; use fewer")
    chosen = sorted(candidates[:budget])
    extra_ids: dict[tuple[int, int], str] = {}
    for k, (a, b) in enumerate(chosen, start=1):
        seg = f"s{k:05d}"
        net.segment_ends[seg] = (a, b)
        extra_ids[(a, b)] = seg
    # Roads given by `segments`: runs of at least 3 consecutive vertical extras in a column.
    target_roads = max(1, round(len(net.road_segments) / 4))
    made = 0
    for c in range(width):
        run: list[str] = []
        for r in range(rows):
            vertical = extra_ids.get((r * width + c, (r + 1) * width + c))
            if vertical is not None:
                run.append(vertical)
                continue
            if len(run) >= 3 and made < target_roads:
                made += 1
                net.road_segments[f"v{made:04d}"] = run
            run = []
        if made >= target_roads:
            break
    return net


def write_yaml(net: Network, path: Path, rng: random.Random) -> None:
    """The dataset without events: parties, blocs, sources, places, segments, roads."""
    out: list[str] = [
        "format: control-graph/1",
        'name: "Synthetic benchmark network"',
        "parties:",
    ]
    for ident, name in PARTIES:
        out.append(
            f'  - {{id: {ident}, name: "{name}", aliases: ["{ident.split("-")[0].upper()}"]}}'
        )
    east, west = PARTIES[:3], PARTIES[3:6]
    out += [
        "blocs:",
        "  - id: eastern-alliance",
        '    name: "Eastern Alliance"',
        "    members:",
        f"      - {{party: {east[0][0]}, from: 2022-01-01}}",
        f"      - {{party: {east[1][0]}}}",
        f"      - {{party: {east[2][0]}, from: 2024-06-01}}",
        "  - id: western-pact",
        '    name: "Western Pact"',
        "    members:",
        f"      - {{party: {west[0][0]}}}",
        f"      - {{party: {west[1][0]}, to: 2025-03-01}}",
        f"      - {{party: {west[2][0]}}}",
        f"      - {{party: {east[2][0]}, to: 2024-06-01}}",
        "sources:",
    ]
    for k in range(1, 51):
        out.append(
            f'  - {{id: src-{k:02d}, name: "Monitor {k}", '
            f'url: "https://example.org/reports/{k}", published: {day_iso(k * 20)}}}'
        )
    out.append("places:")
    kinds = ["village"] * 8 + ["town", "checkpoint"]
    for i, ident in enumerate(net.place_ids):
        lat, lon = net.coords[i]
        alias = f', aliases: ["Place {i} Alt"]' if i % 20 == 0 else ""
        out.append(
            f'  - {{id: {ident}, name: "Place {i}"{alias}, kind: {kinds[i % len(kinds)]}, '
            f"lat: {lat}, lon: {lon}}}"
        )
    out.append("segments:")
    for seg, (a, b) in net.segment_ends.items():
        if "/" in seg:
            continue
        length = ""
        if rng.random() < 0.3:
            length = f", length_km: {round(_km(net.coords[a], net.coords[b]) * 1.3, 2)}"
        out.append(f"  - {{id: {seg}, from: {net.place_ids[a]}, to: {net.place_ids[b]}{length}}}")
    out.append("roads:")
    for road, segs in net.road_segments.items():
        if road in net.road_places:
            chain = net.road_places[road]
            places = ", ".join(net.place_ids[i] for i in chain)
            out.append(f'  - id: {road}\n    name: "Road {road[1:]}"\n    places: [{places}]')
            if rng.random() < 0.1:
                lengths = ", ".join(
                    str(round(_km(net.coords[a], net.coords[b]) * 1.2, 2))
                    for a, b in itertools.pairwise(chain)
                )
                out.append(f"    lengths_km: [{lengths}]")
        else:
            out.append(
                f'  - id: {road}\n    name: "Cross road {road[1:]}"\n'
                f"    segments: [{', '.join(segs)}]"
            )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _csv_field(value: str) -> str:
    """``value`` as the csv module writes it (quoted only where it must be)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value, ""])
    return buffer.getvalue()[:-1]


#: Days past the last day of the data that a trust row's dates may reach: date_latest
#: up to 30 days after date, until up to 60 after that (recorded: up to 45 after date).
TRUST_DAYS_AFTER = 1 + 30 + 60


@dataclass(frozen=True)
class TrustShares:
    """How much of contract section 4 the ``--trust`` events carry."""

    #: Rows with a rough date: ``date_latest`` 1 to 30 days after ``date`` (never after
    #: a ``recorded`` the row has: the range is known when the row is recorded).
    rough: float = 0.11
    #: Contested rows that lapse: ``until`` 7 to 60 days after ``date_latest`` or ``date``.
    lapsing: float = 0.05
    #: Held or contested rows that are a party's own claim (``claimant``: the holder,
    #: or the party named on a contested row, else a neighbouring band's).
    claimed: float = 0.23
    #: Independent held rows off the band centres that a neighbouring party's claim to
    #: hold the same element contradicts, from 3 days before to 3 days after: disputes.
    rival: float = 0.08
    #: One access record (``blocked`` or ``taxed``) per this many segments.
    segments_per_access: int = 50


class TrustRows:
    """The section 4 columns of each base row, and the rival claims inserted after some,
    from a random stream of their own (so that the base rows stay those of the plain
    file)."""

    def __init__(self, rng: random.Random, shares: TrustShares = TrustShares()) -> None:
        self.rng = rng
        self.shares = shares
        self.parties = [p for p, _ in PARTIES]

    def neighbour(self, owner: int, not_party: str = "") -> str:
        """A party of a band next to band ``owner``, other than ``not_party``."""
        step = 1 if self.rng.random() < 0.5 else -1
        party = self.parties[(owner + step) % len(PARTIES)]
        return party if party != not_party else self.parties[(owner - step) % len(PARTIES)]

    def rows(
        self,
        line: str,
        day: int,
        late: int,
        target: str,
        status: str,
        party: str,
        owner: int,
        core: bool,
        iso: list[str],
    ) -> list[tuple[int, str]]:
        """``(day, line)`` of the base row with its section 4 columns (but its id, given
        in file order), then of a rival claim if there is one. ``late`` is how many days
        after ``day`` the row is recorded (-1: no ``recorded``)."""
        rand, randint, shares = self.rng.random, self.rng.randint, self.shares
        latest, until, claimant, after = "", "", "", 0
        if rand() < shares.rough and late != 0:
            after = randint(1, 30 if late < 0 else min(30, late))
            latest = iso[day + after]
        if status == "contested" and rand() < shares.lapsing:
            until = iso[day + after + randint(7, 60)]
        if status != "unknown" and rand() < shares.claimed:
            claimant = party or self.neighbour(owner)
        found = [(day, f"{line[:-2]},{latest},{until},{claimant}\r\n")]
        if status == "held" and not claimant and not core and rand() < shares.rival:
            rival = self.neighbour(owner, party)
            when = min(DAYS - 1, max(0, day + randint(-3, 3)))
            cells = (iso[when], target, rival, "held", CLAIM_KIND, "", "low", "", "", "", "")
            found.append((when, f"{','.join(cells)},{rival}\r\n"))
        return found


def write_events(
    net: Network,
    path: Path,
    count: int,
    rng: random.Random,
    trust: TrustRows | None = None,
) -> None:
    """Events: 62% on places, 33% on segments, 5% on roads; dates over 3 years, sorted;
    held (by the band's party, sometimes another), contested or unknown; a quarter
    recorded later than their date.

    The random draws are made in exactly the order of the first version, and rows of one
    day keep the order they were drawn in, so the file does not depend on how it is
    sorted: each row goes to the bucket file of its date range, then each bucket is
    sorted (stably, by date) and appended.

    With ``trust``, each row also gets the section 4 columns (from ``trust``'s own
    random stream, so the base columns are those of the plain file) and some are
    followed by a rival claim; the file still has ``count`` rows (fewer rows are drawn)
    and each row gets the id ``e0000001``, ... in file order.
    """
    segments = list(net.segment_ends)
    roads = list(net.road_segments)
    n_places, n_segments, n_roads = len(net.place_ids), len(segments), len(roads)
    # Everything that depends only on a row, a day or a choice is computed once.
    segment_row = [net.row_of[net.segment_ends[s][0]] for s in segments]
    road_row = [
        net.road_rows.get(road, net.row_of[net.segment_ends[net.road_segments[road][0]][0]])
        for road in roads
    ]
    place_targets = [f"{p},," for p in net.place_ids]
    segment_targets = [f",{s}," for s in segments]
    road_targets = [f",,{r}" for r in roads]
    core = [net.is_core(r) for r in range(net.rows)]
    owners = [[net.band(r, d) for r in range(net.rows)] for d in range(DAYS)]
    parties = [p for p, _ in PARTIES]
    iso = [day_iso(d) for d in range(DAYS + (TRUST_DAYS_AFTER if trust else 46))]
    kinds = [f",{k}" for k in KINDS]
    sources = [f",src-{k:02d}" for k in range(1, 51)]
    confidences = (",high", ",medium", ",low", ",")
    notes = [f",{_csv_field(n)}\r\n" for n in NOTES]
    rand = rng.random
    randrange = rng.randrange
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".buckets-") as tmp:
        names = [Path(tmp) / f"{b:03d}.csv" for b in range(-(-DAYS // BUCKET_DAYS))]
        with contextlib.ExitStack() as stack:
            buckets = [
                stack.enter_context(name.open("w", encoding="utf-8", newline="")) for name in names
            ]
            written = 0
            for _ in range(count):
                if written >= count:
                    break
                day = randrange(DAYS)
                which = rand()
                if which < 0.62:
                    index = randrange(n_places)
                    target, row = place_targets[index], net.row_of[index]
                elif which < 0.95:
                    index = randrange(n_segments)
                    target, row = segment_targets[index], segment_row[index]
                else:
                    index = randrange(n_roads)
                    target, row = road_targets[index], road_row[index]
                owner = owners[day][row]
                status, party = "held", parties[owner]
                if not core[row]:
                    roll = rand()
                    if roll < 0.20:
                        status = "contested"
                        party = parties[owner] if rand() < 0.5 else ""
                    elif roll < 0.25:
                        status, party = "unknown", ""
                    elif roll < 0.35:
                        party = parties[(owner + (1 if rand() < 0.5 else -1)) % len(PARTIES)]
                roll = rand()
                recorded, late = "", -1
                if roll < 0.25:
                    late = 1 + randrange(45)
                    recorded = iso[day + late]
                elif roll < 0.30:
                    recorded, late = iso[day], 0
                kind = kinds[randrange(6)] if rand() < 0.7 else ","
                source = sources[randrange(50)] if rand() < 0.5 else ","
                confidence = confidences[randrange(4)]
                note = notes[randrange(2)] if rand() < 0.03 else ",\r\n"
                line = (
                    f"{iso[day]},{target},{party},{status}{kind}{source}{confidence},"
                    f"{recorded}{note}"
                )
                if trust is None:
                    buckets[day // BUCKET_DAYS].write(line)
                    written += 1
                    continue
                rows = trust.rows(line, day, late, target, status, party, owner, core[row], iso)
                for when, text in rows[: count - written]:
                    buckets[when // BUCKET_DAYS].write(text)
                written += min(len(rows), count - written)
        partial = path.with_name(path.name + ".partial")
        columns = EVENT_COLUMNS + (TRUST_COLUMNS if trust else ())
        digits = max(7, len(str(count)))
        number = 0
        with partial.open("w", encoding="utf-8", newline="") as out:
            out.write(",".join(columns) + "\r\n")
            for name in names:
                with name.open(encoding="utf-8", newline="") as bucket:
                    lines = bucket.readlines()
                lines.sort(key=lambda line: line[:10])  # ISO dates sort as days; stable
                if trust is not None:  # the id goes before the last three columns
                    for k, line in enumerate(lines):
                        head, rest = _split_trust(line)
                        lines[k] = f"{head},e{number + k + 1:0{digits}d},{rest}"
                    number += len(lines)
                out.writelines(lines)
                name.unlink()
        partial.replace(path)


def _split_trust(line: str) -> tuple[str, str]:
    """A bucket line of a trust row: the base columns, and date_latest, until and
    claimant (which hold no comma), the line end included."""
    cut = line.rfind(",", 0, line.rfind(",", 0, line.rfind(",")))
    return line[:cut], line[cut + 1 :]


def write_access(net: Network, path: Path, count: int, rng: random.Random) -> None:
    """Access records (contract 4.5) on random segments and days, sorted by date:
    ``blocked`` (40%) or ``taxed``, imposed by the party whose band covers the
    segment's row that day; ids ``a000001``, ... in file order."""
    segments = list(net.segment_ends)
    drawn = []
    for _ in range(count):
        day, segment = rng.randrange(DAYS), rng.choice(segments)
        access = "blocked" if rng.random() < 0.4 else "taxed"
        party = net.owner(net.row_of[net.segment_ends[segment][0]], day)
        drawn.append((day, segment, access, party, f"src-{rng.randrange(1, 51):02d}"))
    drawn.sort(key=lambda row: row[0])
    digits = max(6, len(str(count)))
    lines = ["id,date,segment,access,party,source"]
    for n, (day, segment, access, party, source) in enumerate(drawn, start=1):
        lines.append(f"a{n:0{digits}d},{day_iso(day)},{segment},{access},{party},{source}")
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    partial.replace(path)


@dataclass(frozen=True)
class TrustSummary:
    """What the section 4 data of a ``--trust`` run holds, counted from its files."""

    rows: int
    ids: int
    date_latest: int
    until: int
    contested: int
    claimant: int
    rival_claims: int
    access: int

    def share(self, count: int, of: int | None = None) -> float:
        """``count`` as a percentage of ``of`` (default: every row)."""
        whole = self.rows if of is None else of
        return 100 * count / whole if whole else 0.0

    def describe(self) -> str:
        """One line for the report's header."""
        return (
            f"with section 4 (--trust): {self.share(self.date_latest):.1f}% date_latest, "
            f"{self.share(self.until):.1f}% until "
            f"({self.share(self.until, self.contested):.1f}% of contested), "
            f"{self.share(self.claimant):.1f}% claimant (of which "
            f"{self.share(self.rival_claims):.1f}% rival claims within 3 days of an "
            f"independent report), id on {self.share(self.ids):.0f}%; "
            f"{self.access:,} access records"
        )

    def as_dict(self) -> dict[str, float | int]:
        """The counts and shares (percent of rows), for the JSON output."""
        counts = {
            "rows": self.rows,
            "id": self.ids,
            "date_latest": self.date_latest,
            "until": self.until,
            "contested": self.contested,
            "claimant": self.claimant,
            "rival_claims": self.rival_claims,
            "access_records": self.access,
        }
        shares = {
            f"{key}_pct": round(self.share(getattr(self, key)), 2)
            for key in ("ids", "date_latest", "until", "claimant", "rival_claims")
        }
        return {**counts, **shares}


def summarize_trust(csv_path: Path, access_path: Path | None) -> TrustSummary:
    """Count the section 4 cells of a trust events CSV (and its access records)."""
    counts = dict.fromkeys(("rows", "id", "date_latest", "until", "contested", "claimant"), 0)
    rivals = 0
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        at = {name: header.index(name) for name in (*TRUST_COLUMNS, "status", "kind")}
        for row in rows:
            counts["rows"] += 1
            for name in TRUST_COLUMNS:
                if row[at[name]]:
                    counts[name] += 1
            if row[at["status"]] == "contested":
                counts["contested"] += 1
            if row[at["kind"]] == CLAIM_KIND:
                rivals += 1
    access = 0
    if access_path is not None:
        with access_path.open(encoding="utf-8", newline="") as handle:
            access = sum(1 for _ in handle) - 1
    return TrustSummary(
        counts["rows"],
        counts["id"],
        counts["date_latest"],
        counts["until"],
        counts["contested"],
        counts["claimant"],
        rivals,
        access,
    )


@dataclass(frozen=True)
class Dataset:
    """The generated files and the network they describe."""

    net: Network
    yaml_path: Path
    csv_path: Path
    seconds: float
    written: bool
    #: With ``--trust``: the access records, imported with the network.
    access_path: Path | None = None
    #: With ``--trust``: what the section 4 data holds.
    trust: TrustSummary | None = None

    @property
    def network_files(self) -> tuple[Path, ...]:
        """What goes into a database before the events: the YAML, and the access
        records of a trust run (they name segments only)."""
        return (self.yaml_path,) if self.access_path is None else (self.yaml_path, self.access_path)


def generate(
    sizes: Sizes, seed: int, workdir: Path, *, regenerate: bool = False, trust: bool = False
) -> Dataset:
    """Build the network (always: it is quick) and write its files unless they exist.

    With ``trust``, the events CSV with section 4 and the access records, under names of
    their own: the files of a plain run are neither read nor written.
    """
    key = f"{sizes.places}p-{sizes.segments}s-{sizes.events}e-seed{seed}"
    yaml_path = workdir / f"network-{key}.yaml"
    csv_path = workdir / f"events-{key}{'-trust' if trust else ''}.csv"
    access_path = workdir / f"access-{key}-trust.csv" if trust else None
    started = time.perf_counter()
    net = build_network(sizes.places, sizes.segments, random.Random(seed))
    write_network = regenerate or not yaml_path.exists()
    write_data = regenerate or not (csv_path.exists() and (access_path or csv_path).exists())
    if write_network:
        partial = yaml_path.with_name(yaml_path.name + ".partial")
        write_yaml(net, partial, random.Random(seed + 1))
        partial.replace(yaml_path)
    if write_data:
        rows = TrustRows(random.Random(seed + 5)) if trust else None
        write_events(net, csv_path, sizes.events, random.Random(seed + 2), rows)
        if access_path is not None:
            count = max(10, sizes.segments // TrustShares().segments_per_access)
            write_access(net, access_path, count, random.Random(seed + 6))
    seconds = time.perf_counter() - started
    summary = summarize_trust(csv_path, access_path) if trust else None
    written = write_network or write_data
    return Dataset(net, yaml_path, csv_path, seconds, written, access_path, summary)
