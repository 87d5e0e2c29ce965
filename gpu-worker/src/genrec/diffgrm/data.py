"""DiffGRM's inputs: training samples, the SID table in dataset row order, training popularity.

Samples follow the authors' code (ALGORITHMS.md §3): a training sequence s_1..s_T gives one sample
per target position t = 2..min(T, L) (so only the first L = 50 positions are ever targets), with
input s_1..s_{t-1} (left-padded to L). The encoder is bidirectional, so every sample is its own
encoder pass; there is no teacher forcing over positions as in a causal model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genrec.data import Dataset
from genrec.data.split import pad_left

RANDOM_PREFIX = "random:"


def training_samples(train: Sequence[np.ndarray], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """histories [S, L] int64 (left-padded with 0) and targets [S] int64 item rows."""
    histories: list[np.ndarray] = []
    targets: list[int] = []
    for seq in train:
        for t in range(1, min(len(seq), max_len)):  # 0-based target index: positions 2..min(T, L)
            histories.append(seq[:t])
            targets.append(int(seq[t]))
    return pad_left(histories, max_len), np.array(targets, dtype=np.int64)


def item_counts(train: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Occurrences of each row in the training sequences: int64 [N+1], row 0 = 0."""
    counts = np.bincount(np.concatenate([*train, np.zeros(0, np.int64)]), minlength=n_items + 1)
    counts[0] = 0
    return counts.astype(np.int64)


@dataclass(frozen=True)
class SIDTable:
    sids: np.ndarray  # uint8 [N+1, m], row 0 = padding (zeros), rows in the dataset's item order
    encoder: str  # text encoder behind the SIDs ("none" for synthetic ones)
    scheme: str  # e.g. "pse:beauty-pse-m4" or "random"
    source: str  # directory or random:<m>

    def __post_init__(self) -> None:
        assert self.sids.dtype == np.uint8 and self.sids.ndim == 2, (self.sids.dtype, self.sids.shape)
        assert not self.sids[0].any(), "row 0 is padding"

    @property
    def n_digits(self) -> int:
        return self.sids.shape[1]

    def summary(self) -> dict[str, object]:
        unique = len(np.unique(self.sids[1:], axis=0))
        return {
            "source": self.source,
            "encoder": self.encoder,
            "scheme": self.scheme,
            "digits": self.n_digits,
            "unique_sids": unique,
            "items_sharing_a_sid": len(self.sids) - 1 - unique,
        }


def random_sids(n_items: int, m: int, seed: int = 0, codes: int = 256) -> np.ndarray:
    """Synthetic SIDs uint8 [N+1, m] (row 0 zeros); fewer ``codes`` per digit force collisions."""
    sids = np.random.default_rng(seed).integers(0, codes, size=(n_items + 1, m), dtype=np.uint8)
    sids[0] = 0
    return sids


def load_sids(spec: str, ds: Dataset) -> SIDTable:
    """``random:<m>`` or a genrec.sid artifact directory (``manifest.json``, ``items.json`` row -> id
    with index 0 = padding, ``sids.npy`` uint8 [rows, m]); rows re-ordered to the dataset's by id."""
    if spec.startswith(RANDOM_PREFIX):
        return SIDTable(random_sids(ds.n_items, int(spec[len(RANDOM_PREFIX) :])), "none", "random", spec)
    root = Path(spec)
    meta = json.loads((root / "manifest.json").read_text())
    item_ids = json.loads((root / "items.json").read_text())
    table = np.load(root / "sids.npy")
    assert table.dtype == np.uint8 and table.shape[0] == len(item_ids), (table.dtype, table.shape)
    row_of = {item: r for r, item in enumerate(item_ids) if r > 0}
    missing = [item for item in ds.item_ids[1:] if item not in row_of]
    if missing:
        raise ValueError(f"{len(missing)} dataset items have no SID in {root} (e.g. {missing[:3]})")
    sids = np.zeros((ds.n_items + 1, table.shape[1]), dtype=np.uint8)
    sids[1:] = table[[row_of[item] for item in ds.item_ids[1:]]]
    encoder = str(meta.get("encoder", {}).get("model", "unknown"))
    return SIDTable(sids, encoder, f"{meta.get('scheme', 'unknown')}:{meta.get('version', root.name)}", spec)
