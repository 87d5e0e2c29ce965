"""The in-memory dataset every model and evaluator consumes.

Internal item ids are 1..N, assigned by first appearance when walking the users' chronological
sequences in user order; 0 is padding (so a score tensor ``[B, N+1]`` has column 0 = padding).
``item_ids`` and ``items`` therefore have length N+1 with a padding entry at index 0, which keeps
``item_ids[i]`` / ``items[i]`` free of off-by-one arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from genrec.data.io import LoadReport
from genrec.data.records import PAD_ID, ItemRecord


@dataclass(frozen=True)
class Dataset:
    """Users' chronological item sequences (internal int ids) plus the items' text records."""

    name: str
    item_ids: tuple[str, ...]  # [N+1] external ids, item_ids[0] == PAD_ID
    items: tuple[ItemRecord, ...]  # [N+1] aligned with item_ids, items[0] is the padding record
    user_ids: tuple[str, ...]  # [U]
    sequences: tuple[np.ndarray, ...]  # [U] int64 arrays with values in 1..N, oldest first
    timestamps: tuple[np.ndarray, ...] | None = None  # [U] float64 unix seconds, aligned

    def __post_init__(self) -> None:
        assert self.item_ids and self.item_ids[0] == PAD_ID, "index 0 must be padding"
        assert len(self.items) == len(self.item_ids)
        assert all(rec.id == ext for rec, ext in zip(self.items[1:], self.item_ids[1:], strict=True))
        assert len(self.sequences) == len(self.user_ids)
        if self.sequences:
            flat = np.concatenate(self.sequences)
            assert flat.dtype == np.int64 and flat.min() >= 1 and flat.max() <= self.n_items
        if self.timestamps is not None:
            assert [len(t) for t in self.timestamps] == [len(s) for s in self.sequences]

    @property
    def n_items(self) -> int:
        return len(self.item_ids) - 1

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_interactions(self) -> int:
        return sum(len(s) for s in self.sequences)

    @cached_property
    def item_index(self) -> dict[str, int]:
        """External id -> internal id (1..N)."""
        return {ext: i for i, ext in enumerate(self.item_ids) if i > 0}


def build_dataset(
    name: str,
    users: Sequence[str],
    sequences: Sequence[Sequence[str]],
    records: Mapping[str, ItemRecord],
    report: LoadReport,
    timestamps: Sequence[Sequence[float]] | None = None,
    keep_unseen_items: bool = False,
) -> Dataset:
    """Assign internal ids by first appearance and attach text records.

    Items that appear in sequences but have no record get an id-only record (counted in
    ``report.notes``); records of items nobody interacted with are dropped and counted unless
    ``keep_unseen_items``, in which case they get the ids after all interacted items.
    """
    index: dict[str, int] = {}
    int_seqs = []
    for seq in sequences:
        assert len(seq) > 0, "every user needs at least one interaction"
        int_seqs.append(np.fromiter((index.setdefault(x, len(index) + 1) for x in seq), np.int64, len(seq)))
    unseen = [ext for ext in records if ext not in index]
    if keep_unseen_items:
        for ext in unseen:
            index[ext] = len(index) + 1
    elif unseen:
        report.removed["item_records_without_interactions"] += len(unseen)
    item_ids = (PAD_ID, *index)
    missing = [ext for ext in item_ids[1:] if ext not in records]
    if missing:
        report.notes["items_without_record"] += len(missing)
    items = (ItemRecord(id=PAD_ID), *(records.get(ext) or ItemRecord(id=ext) for ext in item_ids[1:]))
    ts = None if timestamps is None else tuple(np.asarray(t, dtype=np.float64) for t in timestamps)
    return Dataset(name, item_ids, items, tuple(users), tuple(int_seqs), ts)
