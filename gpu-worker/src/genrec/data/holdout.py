"""Held-out items for the cold-start benchmark: a copy of a dataset in which a random fraction of
the items never occurs before a test target.

Per user with items s_1..s_T, the copy keeps ``[x for x in s_1..s_{T-1} if x not held out] + [s_T]``.
Leave-one-out on the copy (genrec.data.split) then trains and validates on items that exist at
training time only, while the test targets are exactly the original ones: a held-out item is
still the target where it was, and reaches the model only as an item added after training (its
SIDs from the codebooks fitted without it). Held-out items that are nobody's test target leave the
copy altogether. Test histories lose their held-out items, the same for every model compared.

The copy is written in the canonical format under a folder named like the source dataset (e.g.
``var/data/cold5/toys``), so every trainer resolves it to that dataset's tuned settings; its
``holdout.json`` records the source, fraction, seed and the held-out ids. Files made from a copy
(runs, result files, SID artifacts) are named by genrec.train.defaults.dataset_label
(``toys-cold5``), apart from the source's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import LoadReport

RECORD = "holdout.json"  # genrec.train.defaults.dataset_label recognises a copy by it


@dataclass(frozen=True)
class Holdout:
    dataset: Dataset  # the copy
    held_out: tuple[str, ...]  # every held-out item id, sorted
    summary: dict[str, object]  # what holdout.json records besides the ids


def hold_out_items(ds: Dataset, fraction: float, seed: int) -> Holdout:
    """Hold out ``round(fraction * N)`` items drawn uniformly with ``seed`` (see the module docstring)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    n_held = max(1, round(fraction * ds.n_items))
    held = np.zeros(ds.n_items + 1, dtype=bool)
    held[1 + rng.choice(ds.n_items, size=n_held, replace=False)] = True
    sequences: list[list[str]] = []
    timestamps: list[list[float]] | None = None if ds.timestamps is None else []
    removed = 0
    for u, seq in enumerate(ds.sequences):
        keep = ~held[seq]
        keep[-1] = True  # the test target stays, held out or not
        removed += int((~keep).sum())
        sequences.append([ds.item_ids[i] for i in seq[keep]])
        if timestamps is not None and ds.timestamps is not None:
            timestamps.append(ds.timestamps[u][keep].tolist())
    records = {rec.id: rec for rec in ds.items[1:]}
    report = LoadReport(f"holdout of {ds.name}")
    copy = build_dataset(ds.name, ds.user_ids, sequences, records, report, timestamps)
    targets = np.array([s[-1] for s in ds.sequences if len(s) >= 2], dtype=np.int64)
    ids = tuple(sorted(ds.item_ids[i] for i in np.flatnonzero(held)))
    summary = {
        "source": ds.name,
        "fraction": fraction,
        "seed": seed,
        "items": ds.n_items,
        "held_out_items": n_held,
        "held_out_items_as_test_targets": len(np.unique(targets[held[targets]])),
        "test_rows_with_held_out_target": int(held[targets].sum()),
        "interactions_removed": removed,
        "copy": {"users": copy.n_users, "items": copy.n_items, "interactions": copy.n_interactions},
        "rule": "per user: s_1..s_{T-1} without held-out items, then s_T",
    }
    return Holdout(copy, ids, summary)
