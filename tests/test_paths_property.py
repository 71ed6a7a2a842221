"""A* over the adjacency lists finds paths exactly as long as networkx's Dijkstra, on
random networks: with and without coordinates, with given lengths shorter than the
straight line, with parallel segments and self-loops."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from control_graph.errors import NoPathError
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Place, Segment


@st.composite
def networks(draw: st.DrawFn) -> RoadNetwork:
    count = draw(st.integers(2, 9))
    with_coordinates = draw(st.booleans())
    places = []
    for i in range(count):
        located = with_coordinates or draw(st.booleans())
        lat = draw(st.floats(10, 11)) if located else None
        lon = draw(st.floats(20, 21)) if located else None
        places.append(Place(f"p{i}", lat=lat, lon=lon))
    segments = [
        Segment(
            f"s{i}",
            f"p{draw(st.integers(0, count - 1))}",
            f"p{draw(st.integers(0, count - 1))}",
            draw(st.one_of(st.none(), st.floats(0, 200))),
        )
        for i in range(draw(st.integers(0, 16)))
    ]
    return RoadNetwork(places, segments)


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_a_star_matches_dijkstra(network: RoadNetwork, data: st.DataObject) -> None:
    nodes = sorted(network.graph.nodes)
    source = data.draw(st.sampled_from(nodes))
    target = data.draw(st.sampled_from(nodes))
    try:
        expected = nx.dijkstra_path_length(network.graph, source, target, weight="length")
    except nx.NetworkXNoPath:
        with pytest.raises(NoPathError):
            network.shortest_path(source, target)
        return
    route = network.shortest_path(source, target)
    assert route.length_km == pytest.approx(expected, abs=1e-9)
    assert route.places[0] == source and route.places[-1] == target
    assert sum(network.length_of(s) for s in route.segments) == pytest.approx(route.length_km)
    for (start, end), segment in zip(
        zip(route.places, route.places[1:], strict=False), route.segments, strict=True
    ):
        assert {start, end} == set(network.ends_of(segment))
