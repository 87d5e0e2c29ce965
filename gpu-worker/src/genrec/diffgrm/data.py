"""DiffGRM's training samples (the SID table is genrec.sid.table's, popularity genrec.data's).

Samples follow the authors' code (ALGORITHMS.md §3): a training sequence s_1..s_T gives one sample
per target position t = 2..min(T, L) (so only the first L = 50 positions are ever targets), with
input s_1..s_{t-1} (left-padded to L). The encoder is bidirectional, so every sample is its own
encoder pass; there is no teacher forcing over positions as in a causal model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genrec.data.split import pad_left


def training_samples(train: Sequence[np.ndarray], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """histories [S, L] int64 (left-padded with 0) and targets [S] int64 item rows."""
    histories: list[np.ndarray] = []
    targets: list[int] = []
    for seq in train:
        for t in range(1, min(len(seq), max_len)):  # 0-based target index: positions 2..min(T, L)
            histories.append(seq[:t])
            targets.append(int(seq[t]))
    return pad_left(histories, max_len), np.array(targets, dtype=np.int64)
