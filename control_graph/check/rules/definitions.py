"""Rules about definitions: bloc memberships that overlap, blocs without members, and
parties and sources that nothing names."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator

from control_graph.check.catalogue import Code, Severity
from control_graph.check.report import Finding
from control_graph.model.records import Bloc, Membership, Party, Source

__all__ = ["empty_bloc", "overlapping_bloc_membership", "unused_party", "unused_source"]


def _span(m: Membership) -> str:
    return f"{m.start or 'always'} to {m.end or 'open'}"


def _overlap(a: Membership, b: Membership, since: dt.date | None) -> Finding:
    """The finding about two memberships of one party that overlap from ``since``
    (``None``: from the start)."""
    when = f"from {since}" if since else "from the start"
    code, party, periods = Code.OVERLAPPING_BLOC_MEMBERSHIP, a.party, [_span(a), _span(b)]
    if a.bloc != b.bloc:
        return Finding(
            code,
            Severity.WARNING,
            f"Party {party} is in two blocs at once {when}: {a.bloc} ({_span(a)}) "
            f"and {b.bloc} ({_span(b)}). Answers --by bloc count it in {a.bloc} "
            "only; correct the 'from'/'to' dates.",
            party,
            "party",
            since,
            (a.bloc, b.bloc),
            {"blocs": [a.bloc, b.bloc], "periods": periods},
        )
    return Finding(
        code,
        Severity.INFO,
        f"Party {party} is listed twice in bloc {a.bloc} with overlapping periods "
        f"{when}: {_span(a)} and {_span(b)}. Harmless for answers, but one of the "
        "entries is probably a mistake.",
        party,
        "party",
        since,
        (a.bloc,),
        {"blocs": [a.bloc], "periods": periods},
    )


def overlapping_bloc_membership(blocs: Iterable[Bloc]) -> Iterator[Finding]:
    """Each pair of a party's memberships that overlap in time: a warning when they are
    of two blocs, info when the party is listed twice in one."""
    by_party: dict[str, list[Membership]] = defaultdict(list)
    for bloc in blocs:
        for membership in bloc.members:
            by_party[membership.party].append(membership)
    for _, memberships in sorted(by_party.items()):
        for a, b in itertools.combinations(memberships, 2):
            start = max(a.start or dt.date.min, b.start or dt.date.min)
            if start < min(a.end or dt.date.max, b.end or dt.date.max):
                yield _overlap(a, b, None if start == dt.date.min else start)


def empty_bloc(blocs: Iterable[Bloc]) -> Iterator[Finding]:
    """Blocs without members.

    >>> member = Membership("north", "pact")
    >>> [f.element for f in empty_bloc([Bloc("pact", members=(member,)), Bloc("hollow")])]
    ['hollow']
    """
    for bloc in blocs:
        if not bloc.members:
            yield Finding(
                Code.EMPTY_BLOC,
                Severity.INFO,
                f"Bloc {bloc.id} has no members: answers --by bloc never show it.",
                bloc.id,
                "bloc",
            )


def unused_party(
    parties: Iterable[Party], used: Collection[str], blocs: Iterable[Bloc]
) -> Iterator[Finding]:
    """Parties that no record names (``used``); the message says which blocs they belong
    to."""
    member_of: dict[str, list[str]] = defaultdict(list)
    for bloc in blocs:
        for membership in bloc.members:
            if bloc.id not in member_of[membership.party]:
                member_of[membership.party].append(bloc.id)
    for party in parties:
        if party.id not in used:
            blocs_of = member_of.get(party.id, [])
            member = f" (a member of {', '.join(blocs_of)})" if blocs_of else ""
            yield Finding(
                Code.UNUSED_PARTY,
                Severity.INFO,
                f"Party {party.id}{member} is named by no event, incident or access record. "
                "Perhaps they name it under another id, or it is not needed.",
                party.id,
                "party",
                related=tuple(blocs_of),
            )


def unused_source(sources: Iterable[Source], used: Collection[str]) -> Iterator[Finding]:
    """Sources that no record cites (``used``)."""
    for source in sources:
        if source.id not in used:
            yield Finding(
                Code.UNUSED_SOURCE,
                Severity.INFO,
                f"Source {source.id} is cited by no event, incident, access record or "
                "retraction. Perhaps they cite it under another id, or it is not needed.",
                source.id,
                "source",
            )
