"""RPG's inputs: training rows (every position a target, sliding windows), SID tables, popularity.

Training rows follow the authors' tokenizer: a sequence s_1..s_T gives one teacher-forcing row
over its first min(T, L+1) items (every position labelled), and for T > L+1 one extra row per later
target s_t, t > L+1, whose input is the L items before it and whose only label is the last one.
So every item s_2..s_T is a target exactly once, always with up to L items of context.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genrec.data import Dataset
from genrec.data.split import pad_left

RANDOM_PREFIX = "random:"


def training_rows(train: Sequence[np.ndarray], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """inputs [M, L] and labels [M, L] int64, left-padded with 0 (label 0 = no target there)."""
    inputs: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    tail_inputs: list[np.ndarray] = []
    tail_targets: list[int] = []
    for seq in train:
        if len(seq) < 2:
            continue
        head = seq[: max_len + 1]
        inputs.append(head[:-1])
        labels.append(head[1:])
        for t in range(max_len + 1, len(seq)):  # later targets: a window of max_len items before each
            tail_inputs.append(seq[t - max_len : t])
            tail_targets.append(int(seq[t]))
    head_in, head_lab = pad_left(inputs, max_len), pad_left(labels, max_len)  # [H, L] each
    tail_in = pad_left(tail_inputs, max_len)  # [T, L]
    tail_lab = np.zeros_like(tail_in)
    tail_lab[:, -1] = tail_targets
    return np.concatenate([head_in, tail_in]), np.concatenate([head_lab, tail_lab])


@dataclass(frozen=True)
class SIDTable:
    sids: np.ndarray  # uint8 [N+1, m], row 0 = padding (all zeros), rows in the dataset's item order
    encoder: str  # text encoder that produced the embeddings ("none" for synthetic SIDs)
    scheme: str  # e.g. "rpg-opq32" or "random"
    source: str  # where it came from (directory or random:<m>)

    def __post_init__(self) -> None:
        assert self.sids.dtype == np.uint8 and self.sids.ndim == 2, (self.sids.dtype, self.sids.shape)
        assert not self.sids[0].any(), "row 0 is padding"

    @property
    def n_digits(self) -> int:
        return self.sids.shape[1]


def random_sids(n_items: int, m: int, seed: int = 0) -> np.ndarray:
    """Synthetic SIDs uint8 [N+1, m] (row 0 zeros): uniform codes, for tests and smoke runs."""
    sids = np.random.default_rng(seed).integers(0, 256, size=(n_items + 1, m), dtype=np.uint8)
    sids[0] = 0
    return sids


def load_sids(spec: str, ds: Dataset) -> SIDTable:
    """``random:<m>``, or a SID directory: ``items.json`` (row -> item id, index 0 = padding) with
    ``sids.npy`` (genrec.sid's artifact) or a raw ``sids.u8`` [rows, m]; metadata from genrec.sid's
    ``manifest.json`` and/or a ``meta.json`` (``digits``, ``encoder``, ``sid_scheme``; it wins, as the
    training jobs write it). Rows are re-ordered to the dataset's item order by item id."""
    if spec.startswith(RANDOM_PREFIX):
        m = int(spec[len(RANDOM_PREFIX) :])
        return SIDTable(random_sids(ds.n_items, m), "none", "random", spec)
    root = Path(spec)
    meta: dict[str, Any] = {}
    for name in ("manifest.json", "meta.json"):
        if (root / name).exists():
            meta |= json.loads((root / name).read_text())
    item_ids = json.loads((root / "items.json").read_text())
    if (root / "sids.npy").exists():
        table = np.load(root / "sids.npy")
    else:
        raw = np.fromfile(root / "sids.u8", dtype=np.uint8)
        table = raw.reshape(len(item_ids), int(meta.get("digits") or raw.size // len(item_ids)))
    assert table.dtype == np.uint8 and table.shape[0] == len(item_ids), (table.dtype, table.shape)
    row_of = {item: r for r, item in enumerate(item_ids)}
    missing = [item for item in ds.item_ids[1:] if item not in row_of]
    if missing:
        raise ValueError(f"{len(missing)} dataset items have no SID in {root} (e.g. {missing[:3]})")
    sids = np.zeros((ds.n_items + 1, table.shape[1]), dtype=np.uint8)
    sids[1:] = table[[row_of[item] for item in ds.item_ids[1:]]]
    encoder = meta.get("encoder", "unknown")
    encoder = str(encoder.get("model", "unknown") if isinstance(encoder, dict) else encoder)
    scheme = meta.get("sid_scheme") or f"{meta.get('scheme', 'unknown')}:{meta.get('version', root.name)}"
    return SIDTable(sids, encoder, str(scheme), str(root))


def popularity(train: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Rows seen in training by count desc, then row asc: int32 [P] (P <= N, unseen rows left out)."""
    counts = np.bincount(np.concatenate([*train, np.zeros(0, np.int64)]), minlength=n_items + 1)  # [N+1]
    counts[0] = 0
    rows = np.flatnonzero(counts)
    return rows[np.lexsort((rows, -counts[rows]))].astype(np.int32)
