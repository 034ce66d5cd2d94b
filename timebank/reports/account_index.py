"""Finding accounts in columns: each account id's position among a report's accounts.

The report's pairs name accounts by id; its per-account figures are columns in the order of the
accounts' ids. ``AccountIndex`` turns a column of ids into a column of positions once, so that
summing minutes by giver, counting partners or reading each end's kind is an indexed ``add`` in
compiled code rather than a dictionary lookup per pair.

A timebank's account ids are close together (accounts are numbered as they are opened), so the
index is usually a dense table from id to position, one array read per lookup. Where the ids are
spread too thin for that (several timebanks opening accounts in turn), it falls back to a binary
search over the sorted ids. Ids not in the index are reported as unknown, never given a position.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from timebank.reports.inputs import BoolColumn, IntColumn

__all__ = ["AccountIndex", "distinct", "repeated"]

# A dense table may hold up to this many slots per account (and a few thousand besides) before the
# index falls back to binary search: memory stays within a small multiple of the accounts'.
_DENSE_SLOTS_PER_ACCOUNT = 8
_DENSE_SLACK = 4096


def distinct(values: IntColumn) -> IntColumn:
    """The distinct values, ascending (by a sort: faster than ``np.unique`` on large columns)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=np.bool_)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def repeated(values: IntColumn) -> tuple[IntColumn, IntColumn]:
    """The values that occur more than once, ascending, and how many times each occurs."""
    ordered = np.sort(values)
    if len(ordered) < 2 or not (ordered[1:] == ordered[:-1]).any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    twice = counts > 1
    return ordered[starts[twice]], counts[twice].astype(np.int64)


class AccountIndex:
    """The positions of a set of account ids, in ascending id."""

    def __init__(self, account_ids: Collection[int] | IntColumn) -> None:
        if not isinstance(account_ids, np.ndarray):
            account_ids = np.fromiter(account_ids, dtype=np.int64, count=len(account_ids))
        self.ids: IntColumn = np.unique(account_ids)
        self._dense: IntColumn | None = None
        if len(self.ids):
            self._lowest = int(self.ids[0])
            span = int(self.ids[-1]) - self._lowest + 1
            if span <= _DENSE_SLOTS_PER_ACCOUNT * len(self.ids) + _DENSE_SLACK:
                dense = np.full(span, -1, dtype=np.int64)
                dense[self.ids - self._lowest] = np.arange(len(self.ids), dtype=np.int64)
                self._dense = dense

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, account_ids: IntColumn) -> tuple[IntColumn, BoolColumn]:
        """Each id's position (0 where unknown) and whether it is known at all."""
        if len(self.ids) == 0:
            return np.zeros(len(account_ids), dtype=np.int64), np.zeros(len(account_ids), dtype=np.bool_)
        if self._dense is not None:
            offsets = account_ids - self._lowest
            inside = (offsets >= 0) & (offsets < len(self._dense))
            at = np.where(inside, self._dense[np.where(inside, offsets, 0)], -1)
            known: BoolColumn = at >= 0
            return np.where(known, at, 0), known
        at = np.minimum(np.searchsorted(self.ids, account_ids), len(self.ids) - 1)
        found: BoolColumn = self.ids[at] == account_ids
        return at, found

    def contains(self, account_ids: IntColumn) -> BoolColumn:
        return self.positions(account_ids)[1]

    def sums(self, account_ids: IntColumn, values: IntColumn) -> IntColumn:
        """``values`` summed by account, one per indexed account (ids not indexed are left out)."""
        at, known = self.positions(account_ids)
        return self.sums_at(at[known], values[known])

    def sums_at(self, positions: IntColumn, values: IntColumn) -> IntColumn:
        """``values`` summed by position, one per indexed account (whole numbers, never floats)."""
        totals = np.zeros(len(self.ids), dtype=np.int64)
        np.add.at(totals, positions, values)
        return totals

    def counts_at(self, positions: IntColumn) -> IntColumn:
        """How many times each indexed account's position occurs."""
        return np.bincount(positions, minlength=len(self.ids)).astype(np.int64)

    def spread(self, account_ids: IntColumn, values: IntColumn) -> IntColumn:
        """One value per indexed account: ``values[i]`` where ``account_ids[i]`` is it, else 0."""
        at, known = self.positions(account_ids)
        placed = np.zeros(len(self.ids), dtype=np.int64)
        placed[at[known]] = values[known]
        return placed

    def maxima(self, account_ids: IntColumn, values: IntColumn) -> IntColumn:
        """The largest of ``values`` per indexed account (0 where it has none)."""
        at, known = self.positions(account_ids)
        highest = np.zeros(len(self.ids), dtype=np.int64)
        np.maximum.at(highest, at[known], values[known])
        return highest

    def as_dict(self, values: IntColumn) -> dict[int, int]:
        """One value per indexed account, by account id."""
        return dict(zip(self.ids.tolist(), values.tolist(), strict=True))
