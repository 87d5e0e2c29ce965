"""A dataset's SID table, as models train on it: uint8 [N+1, m] in the dataset's item row order.

Loaded from a genrec.sid artifact directory (``manifest.json``, ``items.json`` row -> item id with
index 0 = padding, ``sids.npy``), from a training job's directory (a raw ``sids.u8`` [rows, m] with a
``meta.json``: ``digits``, ``encoder``, ``sid_scheme``; it wins over the manifest), or made up
(``random:<m>``, for tests and for measuring what the text adds). Rows are re-ordered to the
dataset's order by item id, so an artifact built from another copy of the items still lines up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genrec.data import Dataset

RANDOM_PREFIX = "random:"


@dataclass(frozen=True)
class SIDTable:
    sids: np.ndarray  # uint8 [N+1, m], row 0 = padding (all zeros), rows in the dataset's item order
    encoder: str  # text encoder that produced the embeddings ("none" for synthetic SIDs)
    scheme: str  # e.g. "rpg:beauty-rpg-m32" or "random"
    source: str  # where it came from (directory or random:<m>)

    def __post_init__(self) -> None:
        assert self.sids.dtype == np.uint8 and self.sids.ndim == 2, (self.sids.dtype, self.sids.shape)
        assert not self.sids[0].any(), "row 0 is padding"

    @property
    def n_digits(self) -> int:
        return self.sids.shape[1]

    def summary(self) -> dict[str, object]:
        """Where the SIDs came from and how many items share one (result files record it)."""
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
    """Synthetic SIDs uint8 [N+1, m] (row 0 zeros): uniform codes; fewer ``codes`` force collisions."""
    sids = np.random.default_rng(seed).integers(0, codes, size=(n_items + 1, m), dtype=np.uint8)
    sids[0] = 0
    return sids


def load_sids(spec: str, ds: Dataset) -> SIDTable:
    """``random:<m>`` or a SID directory (module docstring), in ``ds``'s row order."""
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
    row_of = {item: r for r, item in enumerate(item_ids) if r > 0}
    missing = [item for item in ds.item_ids[1:] if item not in row_of]
    if missing:
        raise ValueError(f"{len(missing)} dataset items have no SID in {root} (e.g. {missing[:3]})")
    sids = np.zeros((ds.n_items + 1, table.shape[1]), dtype=np.uint8)
    sids[1:] = table[[row_of[item] for item in ds.item_ids[1:]]]
    encoder = meta.get("encoder", "unknown")
    encoder = str(encoder.get("model", "unknown") if isinstance(encoder, dict) else encoder)
    scheme = meta.get("sid_scheme") or f"{meta.get('scheme', 'unknown')}:{meta.get('version', root.name)}"
    return SIDTable(sids, encoder, str(scheme), spec)


def rank_in_group(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of the sorted ``groups``: int64, same length."""
    return np.arange(len(groups)) - np.searchsorted(groups, groups, side="left")


def with_collision_digit(table: SIDTable, counts: np.ndarray) -> SIDTable:
    """``table`` plus one last digit that tells apart the items sharing a SID (as TIGER's collision
    token): 0 for the SID's most trained item (``counts`` [N+1], training occurrences per row), 1 for
    the next, and so on (ties by row). Every item then has its own SID."""
    rows = np.arange(1, len(table.sids))
    _, bucket = np.unique(table.sids[1:], axis=0, return_inverse=True)
    bucket = bucket.ravel()
    order = np.lexsort((rows, -np.asarray(counts)[1:], bucket))  # by SID, then count desc, then row
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = rank_in_group(bucket[order])
    if rank.max(initial=0) > 255:
        raise ValueError(f"a SID is shared by {rank.max() + 1} items: more than one digit's 256 codes")
    extra = np.zeros((len(table.sids), 1), dtype=np.uint8)
    extra[1:, 0] = rank
    sids = np.hstack([table.sids, extra])
    return SIDTable(sids, table.encoder, f"{table.scheme}+collision", f"{table.source}+collision")


def code_vectors(spec: str) -> np.ndarray:
    """The PQ centroids behind a SID directory's codes: float32 [m, 256, D/m] (the quantiser's
    sub-space vectors, digit by digit); models may start their code embeddings from them."""
    if spec.startswith(RANDOM_PREFIX):
        raise ValueError("random SIDs have no centroids: build SIDs with `python -m genrec.sid build`")
    import faiss

    from genrec.sid.artifacts import read_artifact

    quantizer = read_artifact(Path(spec)).tokenizer.quantizer
    pq = faiss.downcast_index(quantizer).pq
    return faiss.vector_to_array(pq.centroids).reshape(pq.M, pq.ksub, pq.dsub).astype(np.float32)
