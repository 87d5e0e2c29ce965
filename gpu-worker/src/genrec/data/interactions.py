"""Raw interaction rows -> chronological per-user sequences, shared by the raw-file loaders.

The order of operations is fixed because each step changes the next one's input: group by user
(users in order of first appearance) -> stable sort by timestamp (ties keep file order, which
matters at Amazon's day resolution) -> optional de-duplication of (user, item) pairs (the earliest
interaction is kept) -> optional iterative k-core filtering (counts are interactions, duplicates
included, repeated until no user or item falls below k) -> ids by first appearance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import LoadReport
from genrec.data.records import ItemRecord


@dataclass(frozen=True)
class Interaction:
    """One parsed row; ``line`` is kept so later checks can still point at the file."""

    user: str
    item: str
    timestamp: float
    line: int


Groups = dict[str, list[Interaction]]


def group_sorted(rows: Iterable[Interaction]) -> Groups:
    """Group by user in first-appearance order; per-user stable sort by timestamp."""
    groups: Groups = {}
    for row in rows:
        groups.setdefault(row.user, []).append(row)
    for seq in groups.values():
        seq.sort(key=lambda r: r.timestamp)  # list.sort is stable: ties keep file order
    return groups


def dedup_pairs(groups: Groups, report: LoadReport) -> Groups:
    """Keep each user's earliest interaction with an item; count the rest."""
    out: Groups = {}
    for user, seq in groups.items():
        seen: set[str] = set()
        kept = [r for r in seq if not (r.item in seen or seen.add(r.item))]
        report.removed["duplicate_user_item_pairs"] += len(seq) - len(kept)
        out[user] = kept
    return out


def k_core(groups: Groups, k: int, report: LoadReport) -> Groups:
    """Drop users and items with fewer than ``k`` interactions, repeatedly until stable."""
    before = sum(len(s) for s in groups.values())
    n_users, n_items = len(groups), len({r.item for s in groups.values() for r in s})
    while True:
        item_counts = Counter(r.item for seq in groups.values() for r in seq)
        filtered = {u: [r for r in seq if item_counts[r.item] >= k] for u, seq in groups.items()}
        filtered = {u: seq for u, seq in filtered.items() if len(seq) >= k}
        if sum(len(s) for s in filtered.values()) == sum(len(s) for s in groups.values()):
            break
        groups = filtered
    after_items = len({r.item for s in groups.values() for r in s})
    report.removed[f"{k}_core_interactions"] += before - sum(len(s) for s in groups.values())
    report.removed[f"{k}_core_users"] += n_users - len(groups)
    report.removed[f"{k}_core_items"] += n_items - after_items
    return groups


def groups_to_dataset(
    name: str,
    groups: Groups,
    records: Mapping[str, ItemRecord],
    report: LoadReport,
    keep_unseen_items: bool = False,
) -> Dataset:
    users = list(groups)
    seqs = [[r.item for r in groups[u]] for u in users]
    stamps = [[r.timestamp for r in groups[u]] for u in users]
    return build_dataset(name, users, seqs, records, report, stamps, keep_unseen_items)
