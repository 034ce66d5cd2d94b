"""Network figures: the giving graph and how much of it runs both ways.

The *giving graph* of a window has an edge i → j, weighted ``w_ij`` minutes, when account i gave
account j help in it. Its nodes are the accounts with at least one edge (members, staff and
organisations alike); a member with no exchange in the window is not in the graph.

- ``pair_reciprocity`` r: the share of edges whose reverse is also an edge. None with no edges.
- ``pair_reciprocity_corrected`` ρ = (r − ā)/(1 − ā), with density ā = L/(N(N−1)) for L edges
  among N nodes (Garlaschelli and Loffredo, 2004). r alone rises with density, since a dense graph
  reciprocates by chance; ρ is 0 for a graph no more reciprocal than chance, positive above it,
  negative below, and 1 when every edge is returned. N is the graph's nodes, not all members: an
  inactive member adds no chance of a returned edge. None with no edges (and so whenever N < 2)
  and when ā = 1 (every possible edge exists, so every edge is returned whatever people do).
- ``weighted_reciprocity``: Σ min(w_ij, w_ji) ÷ Σ w_ij over edges, with w_ji = 0 where j gave i
  nothing: the share of minutes matched by minutes back along the same pair. None with no edges.
- ``largest_scc_share``: the share of active members inside the strongly connected component of
  the giving graph that holds the most active members. Within a strongly connected component
  help can flow from anyone to anyone and back. A component of one node is a member on no cycle
  of giving at all, so it never counts: with no cycle anywhere the share is 0, not ``1/n``.
  Components are found by scipy's sparse graph routines (``scipy.sparse.csgraph``). "Largest"
  is measured in active members of the group, which is what the share counts, so organisations
  in a component never make it larger.
- ``hours_matrix``: minutes given, by the giver's kind × the receiver's kind.

The graph is held as numpy columns (``GivingGraph``): a year's window has a third of a million
edges, and every figure here is a sort, a lookup or a sum over all of them, done in compiled loops.
Sums are of 64-bit integers and end as Python integers, so every figure stays an exact fraction.

For a group report, the pair figures use the edges with at least one end in the group; the
component figure uses the whole timebank's graph (a cycle through people outside the group still
connects the group's members) and counts the group's members in it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from timebank.reports.account_index import AccountIndex, distinct
from timebank.reports.inputs import BoolColumn, IntColumn, MonthPairColumns, PairColumns, ParticipantKind
from timebank.reports.statistics import ratio

__all__ = [
    "KINDS",
    "GivingGraph",
    "HoursMatrix",
    "MatrixCell",
    "hours_matrix",
    "largest_scc_share",
    "pair_reciprocity",
    "pair_reciprocity_corrected",
    "partner_counts",
    "touching",
    "weighted_reciprocity",
]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    giver_kind: ParticipantKind
    receiver_kind: ParticipantKind
    minutes: int


@dataclass(frozen=True, slots=True)
class HoursMatrix:
    """Minutes given between kinds of account: every giver kind × receiver kind, zeros included."""

    cells: tuple[MatrixCell, ...]

    def minutes_between(self, giver_kind: ParticipantKind, receiver_kind: ParticipantKind) -> int:
        for cell in self.cells:
            if cell.giver_kind is giver_kind and cell.receiver_kind is receiver_kind:
                return cell.minutes
        raise KeyError((giver_kind, receiver_kind))

    @property
    def total_minutes(self) -> int:
        return sum(cell.minutes for cell in self.cells)


def partner_counts(index: AccountIndex, giver_at: IntColumn, receiver_at: IntColumn) -> IntColumn:
    """Distinct partners per indexed account, given each edge's ends as positions in ``index``.

    A partner is anyone an account gave to or received from; a pair that exchanged both ways is one
    partner, so the count is the number of distinct unordered pairs the account is an end of.
    """
    low, high = np.minimum(giver_at, receiver_at), np.maximum(giver_at, receiver_at)
    unordered = distinct(low * max(len(index), 1) + high)
    width = max(len(index), 1)
    return index.counts_at(np.concatenate((unordered // width, unordered % width)))


def touching(
    index: AccountIndex, in_group: BoolColumn, giver_at: IntColumn, receiver_at: IntColumn
) -> BoolColumn:
    """Which edges have a giver or a receiver in the group (``in_group`` per indexed account)."""
    touches: BoolColumn = in_group[giver_at] | in_group[receiver_at]
    return touches


@dataclass(frozen=True, eq=False)
class GivingGraph:
    """The giving graph: each ordered pair (giver, receiver) once, with the minutes given.

    Its ends are positions in an ``AccountIndex`` (``giver_at``, ``receiver_at``): the nodes are
    numbered by the index, which is what scipy's routines and the reverse-edge lookup want. An
    indexed account with no edge is not a node of the graph.
    """

    index: AccountIndex
    giver_at: IntColumn
    receiver_at: IntColumn
    minutes: IntColumn

    def __post_init__(self) -> None:
        assert len(self.giver_at) == len(self.receiver_at) == len(self.minutes)
        assert not (self.giver_at == self.receiver_at).any(), "an edge gives to itself"

    @classmethod
    def of(cls, edges: PairColumns | MonthPairColumns, index: AccountIndex) -> GivingGraph:
        """The graph of ``edges``, every end of which ``index`` holds."""
        giver_at, giver_known = index.positions(edges.giver_account_id)
        receiver_at, receiver_known = index.positions(edges.receiver_account_id)
        assert giver_known.all() and receiver_known.all(), "an edge's end is not indexed"
        return cls(index, giver_at, receiver_at, edges.minutes)

    @classmethod
    def of_weights(cls, weights: Mapping[tuple[int, int], int]) -> GivingGraph:
        """A graph from ``(giver, receiver) → minutes`` (small graphs, tests)."""
        n = len(weights)
        givers = np.fromiter((g for g, _ in weights), dtype=np.int64, count=n)
        receivers = np.fromiter((r for _, r in weights), dtype=np.int64, count=n)
        index = AccountIndex(np.concatenate((givers, receivers)))
        return cls(
            index,
            index.positions(givers)[0],
            index.positions(receivers)[0],
            np.fromiter(weights.values(), dtype=np.int64, count=n),
        )

    @property
    def giver_account_id(self) -> IntColumn:
        return self.index.ids[self.giver_at]

    @property
    def receiver_account_id(self) -> IntColumn:
        return self.index.ids[self.receiver_at]

    @property
    def edge_count(self) -> int:
        return len(self.minutes)

    @property
    def node_count(self) -> int:
        """The accounts on at least one edge."""
        ends = np.concatenate((self.giver_at, self.receiver_at))
        return int(np.count_nonzero(np.bincount(ends, minlength=len(self.index))))

    @cached_property
    def returned_minutes(self) -> IntColumn:
        """For each edge i → j, the minutes j gave i (0 where j gave i nothing)."""
        n = max(len(self.index), 1)
        keys = self.giver_at * n + self.receiver_at
        order = np.argsort(keys)
        sorted_keys = keys[order]
        assert not (sorted_keys[1:] == sorted_keys[:-1]).any(), "an edge is listed twice"
        back = np.zeros(self.edge_count, dtype=np.int64)
        if self.edge_count:
            reverse = self.receiver_at * n + self.giver_at
            at = np.minimum(np.searchsorted(sorted_keys, reverse), len(sorted_keys) - 1)
            found = sorted_keys[at] == reverse
            back[found] = self.minutes[order[at[found]]]
        return back


def pair_reciprocity(graph: GivingGraph) -> Fraction | None:
    """Edges whose reverse is an edge ÷ edges."""
    return ratio(int(np.count_nonzero(graph.returned_minutes)), graph.edge_count)


def pair_reciprocity_corrected(graph: GivingGraph) -> Fraction | None:
    """ρ = (r − ā)/(1 − ā) with ā = L/(N(N−1)); None with no edges or a complete graph."""
    r = pair_reciprocity(graph)
    if r is None:
        return None
    n = graph.node_count
    assert n >= 2  # an edge joins two different accounts
    density = Fraction(graph.edge_count, n * (n - 1))
    if density == 1:
        return None
    return (r - density) / (1 - density)


def weighted_reciprocity(graph: GivingGraph) -> Fraction | None:
    """Σ min(w_ij, w_ji) ÷ Σ w_ij."""
    matched = int(np.minimum(graph.minutes, graph.returned_minutes).sum())
    return ratio(matched, int(graph.minutes.sum()))


def largest_scc_share(graph: GivingGraph, active_member_ids: Collection[int] | IntColumn) -> Fraction | None:
    """Active members in the strongly connected component holding most of them ÷ active members.

    ``graph`` is the whole giving graph; ``active_member_ids`` are the members counted (the
    group's active members, each of them on an edge of the graph). None when there are none.

    The components come from scipy's compiled graph routines over a sparse adjacency matrix: a
    giving graph of a year holds a third of a million edges, and a monthly series asks for one
    graph per month. (The property tests check the answer against networkx on random graphs.)
    """
    if not isinstance(active_member_ids, np.ndarray):
        active_member_ids = np.fromiter(active_member_ids, dtype=np.int64, count=len(active_member_ids))
    if len(active_member_ids) == 0:
        return None
    largest = 0
    if graph.edge_count:
        nodes = len(graph.index)
        adjacency = csr_array(
            (np.ones(graph.edge_count, dtype=np.int8), (graph.giver_at, graph.receiver_at)),
            shape=(nodes, nodes),
        )
        _, component_of = connected_components(adjacency, directed=True, connection="strong")
        sizes = np.bincount(component_of)
        active_at, known = graph.index.positions(active_member_ids)
        active_in = np.bincount(component_of[active_at[known]], minlength=len(sizes))
        # A component of one node is a member on no cycle of giving: it never counts.
        on_a_cycle = active_in[sizes >= 2]
        largest = int(on_a_cycle.max()) if len(on_a_cycle) else 0
    return ratio(largest, len(active_member_ids))


# The kinds in a fixed order: an account's kind code is its place here.
KINDS = tuple(ParticipantKind)


def hours_matrix(graph: GivingGraph, kind_codes: IntColumn) -> HoursMatrix:
    """Minutes given, summed by (giver's kind, receiver's kind).

    ``kind_codes`` holds each indexed account's kind as its place in ``ParticipantKind``.
    """
    cells = kind_codes[graph.giver_at] * len(KINDS) + kind_codes[graph.receiver_at]
    minutes = np.zeros(len(KINDS) ** 2, dtype=np.int64)
    np.add.at(minutes, cells, graph.minutes)
    return HoursMatrix(
        tuple(
            MatrixCell(g, r, int(minutes[i * len(KINDS) + j]))
            for i, g in enumerate(KINDS)
            for j, r in enumerate(KINDS)
        )
    )
