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
- ``new_ties``: ordered pairs that exchanged in the window and never before it, in that direction.
- ``hours_matrix``: minutes given, by the giver's kind × the receiver's kind.

For a group report, the pair figures use the edges with at least one end in the group; the
component figure uses the whole timebank's graph (a cycle through people outside the group still
connects the group's members) and counts the group's members in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypeVar

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from timebank.reports.inputs import Edge, PairTotals, ParticipantKind
from timebank.reports.statistics import ratio

__all__ = [
    "HoursMatrix",
    "MatrixCell",
    "Weights",
    "edges_touching",
    "giving_weights",
    "hours_matrix",
    "largest_scc_share",
    "new_ties",
    "pair_reciprocity",
    "pair_reciprocity_corrected",
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


# The giving graph: (giver, receiver) → minutes given. Pairs are unique and never a self-pair.
Weights = Mapping[tuple[int, int], int]

EdgeT = TypeVar("EdgeT", bound=Edge)


def edges_touching(edges: Iterable[EdgeT], group_ids: Collection[int]) -> list[EdgeT]:
    """The edges with a giver or a receiver in the group."""
    return [e for e in edges if e.giver_account_id in group_ids or e.receiver_account_id in group_ids]


def giving_weights(edges: Iterable[Edge]) -> dict[tuple[int, int], int]:
    """The giving graph as ``(giver, receiver) → minutes``: built once, read by every graph figure."""
    weights: dict[tuple[int, int], int] = {}
    for e in edges:
        key = (e.giver_account_id, e.receiver_account_id)
        assert key not in weights, f"the pair {key} is listed twice"
        assert e.giver_account_id != e.receiver_account_id
        weights[key] = e.minutes
    return weights


def pair_reciprocity(weights: Weights) -> Fraction | None:
    """Edges whose reverse is an edge ÷ edges."""
    returned = sum(1 for giver, receiver in weights if (receiver, giver) in weights)
    return ratio(returned, len(weights))


def pair_reciprocity_corrected(weights: Weights) -> Fraction | None:
    """ρ = (r − ā)/(1 − ā) with ā = L/(N(N−1)); None with no edges or a complete graph."""
    r = pair_reciprocity(weights)
    if r is None:
        return None
    nodes = {node for pair in weights for node in pair}
    n = len(nodes)
    assert n >= 2  # an edge joins two different accounts
    density = Fraction(len(weights), n * (n - 1))
    if density == 1:
        return None
    return (r - density) / (1 - density)


def weighted_reciprocity(weights: Weights) -> Fraction | None:
    """Σ min(w_ij, w_ji) ÷ Σ w_ij."""
    matched = sum(min(w, weights.get((receiver, giver), 0)) for (giver, receiver), w in weights.items())
    return ratio(matched, sum(weights.values()))


def largest_scc_share(
    edges: Iterable[tuple[int, int]], active_member_ids: Collection[int]
) -> Fraction | None:
    """Active members in the strongly connected component holding most of them ÷ active members.

    ``edges`` are the whole giving graph's (giver, receiver) pairs, each once (a ``Weights``
    mapping iterates over them); ``active_member_ids`` are the members counted (the group's active
    members). None when there are no active members.

    The components come from scipy's compiled graph routines over a sparse adjacency matrix: a
    giving graph of a year holds a third of a million edges, and a monthly series asks for one
    graph per month. (The property tests check the answer against networkx on random graphs.)
    """
    if not active_member_ids:
        return None
    largest = 0
    pairs = list(edges)
    if pairs:
        ends = np.fromiter(itertools.chain.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs))
        node_ids, ends_at = np.unique(ends, return_inverse=True)
        givers, receivers = ends_at[0::2], ends_at[1::2]
        nodes = len(node_ids)
        adjacency = csr_array(
            (np.ones(len(givers), dtype=np.int8), (givers, receivers)), shape=(nodes, nodes)
        )
        _, component_of = connected_components(adjacency, directed=True, connection="strong")
        sizes = np.bincount(component_of)
        is_active = np.isin(
            node_ids, np.fromiter(active_member_ids, dtype=np.int64, count=len(active_member_ids))
        )
        active_in = np.bincount(component_of[is_active], minlength=len(sizes))
        # A component of one node is a member on no cycle of giving: it never counts.
        on_a_cycle = active_in[sizes >= 2]
        largest = int(on_a_cycle.max()) if len(on_a_cycle) else 0
    return ratio(largest, len(active_member_ids))


def new_ties(pairs: Iterable[PairTotals], from_on: date) -> int:
    """Ordered pairs of the window whose first exchange ever, in that direction, is in the window.

    A member returning help for the first time to someone who helped them before makes a new tie:
    help now flows a way it never did.
    """
    return sum(1 for p in pairs if p.first_exchange_on >= from_on)


def hours_matrix(edges: Iterable[Edge], kinds: Mapping[int, ParticipantKind]) -> HoursMatrix:
    """Minutes given, summed by (giver's kind, receiver's kind)."""
    minutes = dict.fromkeys(((g, r) for g in ParticipantKind for r in ParticipantKind), 0)
    for e in edges:
        minutes[kinds[e.giver_account_id], kinds[e.receiver_account_id]] += e.minutes
    return HoursMatrix(tuple(MatrixCell(g, r, m) for (g, r), m in minutes.items()))
