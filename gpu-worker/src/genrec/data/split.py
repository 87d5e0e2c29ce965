"""Leave-one-out split as in SASRec, RPG and DiffGRM, in arrays ready for batched evaluation.

Per user with items s_1..s_T (oldest first): test target = s_T with input s_1..s_{T-1}; validation
target = s_{T-1} with input s_1..s_{T-2}; training sequence = s_1..s_{T-2}, where every prefix is a
next-item example. Inputs keep only the last ``max_len`` (50) items before the target.

Padding is on the LEFT with 0: row ``h`` ends with the most recent item (``h[-1]``), so a causal
model reads its prediction from the last position whatever the history length. A user needs two
items to get a test row and three to get a validation row (the target needs a non-empty history);
``EvalSplit.users`` says which users each split holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genrec.data.dataset import Dataset

MAX_LEN = 50


@dataclass(frozen=True)
class EvalSplit:
    """One target per user: row r is user ``users[r]``, history ``histories[r]``, target ``targets[r]``."""

    users: np.ndarray  # [U'] int64 indices into Dataset.user_ids
    histories: np.ndarray  # [U', L] int64, left-padded with 0
    targets: np.ndarray  # [U'] int64 in 1..N

    def __post_init__(self) -> None:
        assert self.histories.ndim == 2 and len(self.histories) == len(self.targets) == len(self.users)
        assert (self.targets > 0).all(), "targets are real items, never padding"

    def __len__(self) -> int:
        return len(self.targets)


@dataclass(frozen=True)
class LeaveOneOut:
    """The three splits of one dataset; ``train[u]`` is user u's sequence minus its last two items."""

    train: tuple[np.ndarray, ...]  # [U] int64, possibly empty for users with < 3 items
    valid: EvalSplit
    test: EvalSplit
    n_items: int
    max_len: int


def pad_left(seqs: Sequence[np.ndarray], length: int) -> np.ndarray:
    """Stack the last ``length`` items of each sequence into [len(seqs), length], left-padded with 0."""
    out = np.zeros((len(seqs), length), dtype=np.int64)
    for row, seq in enumerate(seqs):
        tail = seq[-length:] if length > 0 else seq[:0]
        if len(tail):
            out[row, length - len(tail) :] = tail
    return out


def _eval_split(ds: Dataset, offset: int, max_len: int) -> EvalSplit:
    """Target = the item ``offset`` places from the end (1 = last), input = everything before it."""
    users = [u for u, s in enumerate(ds.sequences) if len(s) >= offset + 1]
    histories = [ds.sequences[u][: len(ds.sequences[u]) - offset] for u in users]
    targets = np.array([ds.sequences[u][-offset] for u in users], dtype=np.int64)
    return EvalSplit(np.array(users, dtype=np.int64), pad_left(histories, max_len), targets)


def leave_one_out(ds: Dataset, max_len: int = MAX_LEN) -> LeaveOneOut:
    """Split ``ds`` per the papers' protocol (see the module docstring)."""
    train = tuple(s[:-2] if len(s) > 2 else s[:0] for s in ds.sequences)
    return LeaveOneOut(train, _eval_split(ds, 2, max_len), _eval_split(ds, 1, max_len), ds.n_items, max_len)


def next_item_arrays(train: Sequence[np.ndarray], max_len: int = MAX_LEN) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forcing arrays for causal models: inputs [M, L] and labels [M, L], left-padded with 0.

    One row per training sequence with >= 2 items, built from its last ``max_len + 1`` items
    (SASRec's truncation): ``labels[r, t]`` is the item after ``inputs[r, t]``; label 0 = ignore.
    Longer sequences lose their oldest items here; sliding windows (RPG) are the caller's choice.
    """
    usable = [s[-(max_len + 1) :] for s in train if len(s) >= 2]
    return pad_left([s[:-1] for s in usable], max_len), pad_left([s[1:] for s in usable], max_len)


def item_counts(train: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Occurrences of each row in the training sequences (duplicates included): int64 [N+1], row 0 = 0."""
    counts = np.bincount(np.concatenate([*train, np.zeros(0, np.int64)]), minlength=n_items + 1)
    counts[0] = 0
    return counts.astype(np.int64)


def subsample(split: EvalSplit, n: int, seed: int) -> EvalSplit:
    """A fixed random subset of ``n`` users (all of them when n = 0 or n >= len), in split order."""
    if n <= 0 or n >= len(split):
        return split
    rows = np.sort(np.random.default_rng(seed).choice(len(split), size=n, replace=False))
    return EvalSplit(split.users[rows], split.histories[rows], split.targets[rows])
