"""Property tests of the report engine: graph figures against networkx and brute force, invariants.

On random weighted directed edge sets: ``pair_reciprocity`` equals ``networkx.overall_reciprocity``;
``pair_reciprocity_corrected`` equals (r − ā)/(1 − ā) computed from networkx's own counts;
``weighted_reciprocity`` equals a brute-force sum over every ordered pair of nodes; and
``largest_scc_share`` equals the same share computed from components found two other ways (mutual
reachability by breadth-first search, and networkx's Kosaraju algorithm). On random lists of minutes,
the Gini coefficient equals the O(n²) mean absolute difference Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean) exactly.

On random timebanks (members, staff, organisations, tags, groups, multi-receiver exchanges, history
before the window, windows of any length), the report keeps its invariants: the role mix adds up to
the members; every share lies in [0, 1] and ρ in [−1, 1]; the balance shares add up to 1; the hours
matrix adds up to the hours; the months add up to the window; and the JSON is plain JSON.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import date, timedelta
from fractions import Fraction

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.test_report_inputs import Help, Person, aggregate
from timebank.reports.consistency import check_inputs
from timebank.reports.inputs import ParticipantKind, TagGroup
from timebank.reports.networks import (
    GivingGraph,
    largest_scc_share,
    pair_reciprocity,
    pair_reciprocity_corrected,
    weighted_reciprocity,
)
from timebank.reports.report import build_report
from timebank.reports.report_json import report_json
from timebank.reports.statistics import gini, top_share


def weighted_edge_sets(max_nodes: int = 12) -> st.SearchStrategy[dict[tuple[int, int], int]]:
    node = st.integers(0, max_nodes - 1)
    pair = st.tuples(node, node).filter(lambda p: p[0] != p[1])
    return st.dictionaries(pair, st.integers(1, 600), max_size=40)


def as_edges(weights: dict[tuple[int, int], int]) -> GivingGraph:
    return GivingGraph.of_weights(weights)


def as_graph(weights: dict[tuple[int, int], int]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_edges_from(weights)
    return graph


@given(weighted_edge_sets())
def test_the_giving_graph_holds_each_pairs_minutes(weights: dict[tuple[int, int], int]) -> None:
    graph = as_edges(weights)
    edges = zip(graph.giver_account_id.tolist(), graph.receiver_account_id.tolist(), strict=True)

    assert dict(zip(edges, graph.minutes.tolist(), strict=True)) == weights
    # Each edge's returned minutes are what its receiver gave its giver.
    assert graph.returned_minutes.tolist() == [weights.get((r, g), 0) for g, r in weights]
    assert graph.node_count == len({node for pair in weights for node in pair})


@given(weighted_edge_sets())
def test_pair_reciprocity_is_networkx_overall_reciprocity(weights: dict[tuple[int, int], int]) -> None:
    ours = pair_reciprocity(as_edges(weights))

    if not weights:
        assert ours is None
    else:
        assert ours is not None
        assert float(ours) == nx.overall_reciprocity(as_graph(weights))


@given(weighted_edge_sets())
def test_corrected_reciprocity_follows_from_networkx_counts(weights: dict[tuple[int, int], int]) -> None:
    ours = pair_reciprocity_corrected(as_edges(weights))
    if not weights:
        assert ours is None
        return
    graph = as_graph(weights)
    n, edges = graph.number_of_nodes(), graph.number_of_edges()
    density = Fraction(edges, n * (n - 1))
    if density == 1:
        assert ours is None
        return
    r = Fraction(nx.overall_reciprocity(graph)).limit_denominator(edges)

    assert ours == (r - density) / (1 - density)
    assert -1 <= ours <= 1


@given(weighted_edge_sets())
def test_weighted_reciprocity_is_the_brute_force_sum(weights: dict[tuple[int, int], int]) -> None:
    nodes = {node for pair in weights for node in pair}
    matched = sum(min(weights.get((i, j), 0), weights.get((j, i), 0)) for i in nodes for j in nodes if i != j)
    total = sum(weights.values())

    ours = weighted_reciprocity(as_edges(weights))

    assert ours == (Fraction(matched, total) if total else None)


def reachable_from(start: int, weights: dict[tuple[int, int], int]) -> set[int]:
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        for giver, receiver in weights:
            if giver == node and receiver not in seen:
                seen.add(receiver)
                queue.append(receiver)
    return seen


def components_by_reachability(weights: dict[tuple[int, int], int]) -> list[set[int]]:
    nodes = {node for pair in weights for node in pair}
    reach = {node: reachable_from(node, weights) for node in nodes}
    return [{m for m in nodes if m in reach[n] and n in reach[m]} for n in nodes]


def share_in_components(components: list[set[int]], active: set[int]) -> Fraction | None:
    if not active:
        return None
    largest = max((len(c & active) for c in components if len(c) >= 2), default=0)
    return Fraction(largest, len(active))


@given(weighted_edge_sets(), st.sets(st.integers(0, 11)))
def test_largest_scc_share_matches_reachability_and_kosaraju(
    weights: dict[tuple[int, int], int], counted: set[int]
) -> None:
    nodes = {node for pair in weights for node in pair}
    active = counted & nodes  # the counted members are active: each is on an edge

    ours = largest_scc_share(as_edges(weights), active)

    assert ours == share_in_components(components_by_reachability(weights), active)
    kosaraju = [set(c) for c in nx.kosaraju_strongly_connected_components(as_graph(weights))]
    assert ours == share_in_components(kosaraju, active)


@given(st.lists(st.integers(0, 10_000), max_size=40))
def test_gini_is_the_mean_absolute_difference(values: list[int]) -> None:
    n, total = len(values), sum(values)
    ours = gini(values)

    if n == 0 or total == 0:
        assert ours is None
        return
    mean = Fraction(total, n)
    absolute_differences = sum(abs(x - y) for x in values for y in values)
    assert ours == absolute_differences / (2 * n * n * mean)
    assert 0 <= ours <= Fraction(n - 1, n)


@given(st.lists(st.integers(0, 10_000), max_size=40))
def test_the_top_share_is_at_least_the_top_fifths_fair_share(values: list[int]) -> None:
    share = top_share(values)
    if share is None:
        return
    top = -(-len(values) // 5)

    # The largest values hold at least their proportion of the total, and never more than all of it.
    assert Fraction(top, len(values)) <= share <= 1


# --- random timebanks --------------------------------------------------------------------------

KINDS = [ParticipantKind.MEMBER, ParticipantKind.MEMBER, ParticipantKind.STAFF, ParticipantKind.ORGANISATION]
EARLIEST = date(2023, 9, 1)


@st.composite
def timebanks(draw: st.DrawFn) -> tuple[list[Person], list[Help], date, date, TagGroup | None]:
    has_group = draw(st.booleans())
    size = draw(st.integers(1, 9))
    people = []
    for account_id in range(1, size + 1):
        kind = draw(st.sampled_from(KINDS))
        is_member = kind is not ParticipantKind.ORGANISATION
        joined = draw(st.none() | st.integers(0, 300)) if is_member else None
        people.append(
            Person(
                account_id,
                kind=kind,
                uses_services=is_member and draw(st.booleans()),
                in_group=not has_group or draw(st.booleans()),
                floor_minutes=draw(st.sampled_from([0, -60, -600])),
                joined_on=None if joined is None else EARLIEST + timedelta(days=joined),
            )
        )
    exchanges = []
    for _ in range(draw(st.integers(0, 25))):
        on = EARLIEST + timedelta(days=draw(st.integers(0, 330)))
        # Only people who have joined by the day can take part.
        ids = [p.account_id for p in people if p.joined_on is None or p.joined_on <= on]
        if len(ids) < 2:
            continue
        giver = draw(st.sampled_from(ids))
        others = [i for i in ids if i != giver]
        receivers = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        exchanges.append(Help(on, giver, tuple((r, draw(st.integers(1, 300))) for r in receivers)))
    from_on = EARLIEST + timedelta(days=draw(st.integers(30, 250)))
    to_on = from_on + timedelta(days=draw(st.integers(1, 120)))
    return people, exchanges, from_on, to_on, TagGroup("youth") if has_group else None


def in_unit_interval(value: Fraction | None) -> bool:
    return value is None or 0 <= value <= 1


@given(timebanks())
def test_a_random_timebanks_report_keeps_its_invariants(
    timebank: tuple[list[Person], list[Help], date, date, TagGroup | None],
) -> None:
    people, exchanges, from_on, to_on, group = timebank
    inputs = aggregate(people, exchanges, from_on, to_on, group=group)
    assert check_inputs(inputs) == []

    report = build_report(inputs, group_minimum=1)
    f = report.figures
    members = [a for a in inputs.accounts if a.in_group and a.is_member]
    if group is not None and not members:
        assert f is None
        return
    assert f is not None
    h = f.headline

    assert f.role_mix.members == h.members == len(members)
    assert f.role_mix.active == h.active_members
    assert f.hours_matrix.total_minutes == h.total_minutes
    for share in (
        h.active_rate.value,
        h.two_way_rate.value,
        h.uses_services_giving_rate.value,
        h.top20_share.value,
        h.largest_scc_share.value,
        f.gini_given,
        f.give_and_get_index,
        f.pair_reciprocity,
        f.weighted_reciprocity,
        f.retention,
    ):
        assert in_unit_interval(share)
    rho = f.pair_reciprocity_corrected
    assert rho is None or -1 <= rho <= 1
    balances = f.balance_distribution
    if members:
        assert balances.above_zero_share is not None
        assert balances.at_zero_share is not None
        assert balances.below_zero_share is not None
        assert balances.above_zero_share + balances.at_zero_share + balances.below_zero_share == 1
    assert 0 <= f.dormant_members <= len(members)
    assert 0 <= f.new_ties <= len(inputs.pairs)
    in_group_members = {m.account_id for m in members}
    for month_inputs, month in zip(inputs.months, f.monthly, strict=True):
        month_members = sum(1 for a in month_inputs.accounts.rows() if a.account_id in in_group_members)
        # With group_minimum=1, only a group's month without a member of the group is withheld.
        assert (month.headline is None) == (group is not None and month_members == 0)
        assert month.headline is None or month.headline.members == month_members <= h.members
    shown = [m.headline for m in f.monthly if m.headline is not None]
    if len(shown) == len(f.monthly):
        assert sum(m.total_minutes for m in shown) == h.total_minutes
        assert sum(m.exchanges for m in shown) == h.exchanges
    document = report_json(report)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
