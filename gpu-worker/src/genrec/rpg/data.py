"""RPG's inputs: training rows (every position a target, sliding windows) and training popularity.

Training rows follow the authors' tokenizer: a sequence s_1..s_T gives one teacher-forcing row
over its first min(T, L+1) items (every position labelled), and for T > L+1 one extra row per later
target s_t, t > L+1, whose input is the L items before it and whose only label is the last one.
So every item s_2..s_T is a target exactly once, always with up to L items of context.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genrec.data.split import item_counts, pad_left


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


def popularity(train: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Rows seen in training by count desc, then row asc: int32 [P] (P <= N, unseen rows left out)."""
    counts = item_counts(train, n_items)  # [N+1]
    rows = np.flatnonzero(counts)
    return rows[np.lexsort((rows, -counts[rows]))].astype(np.int32)
