"""Popularity: every user gets the items ranked by how often they occur in the training sequences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from genrec.data.split import item_counts
from genrec.models.base import Batch, SeqRecModel


class Popularity(SeqRecModel):
    """Scores = training-set counts, ties broken by lower item id (earlier first appearance).

    The tie-break makes the ranking a strict order, as a served top-k list would be; without it the
    evaluator's pessimistic ties would rank a target behind every equally popular item.
    Scores are float64 so that ``count * (N + 1) + (N + 1 - id)`` stays exact.
    """

    def __init__(self, counts: Tensor) -> None:
        super().__init__(len(counts) - 1)
        assert counts.ndim == 1 and counts[0] == 0, "counts [N+1] with column 0 = padding"
        n1 = len(counts)
        ids = torch.arange(n1, dtype=torch.float64)
        scores = counts.to(torch.float64) * n1 + (n1 - ids)  # [N+1]
        scores[0] = float("-inf")
        self.register_buffer("counts", counts.to(torch.int64))
        self.register_buffer("item_scores", scores)

    @classmethod
    def from_train(cls, train: Sequence[np.ndarray], n_items: int) -> Popularity:
        """Count occurrences (duplicates included) of every item in the training sequences."""
        counts = item_counts(train, n_items)
        return cls(torch.from_numpy(counts))

    def calculate_loss(self, batch: Batch) -> Tensor:
        raise NotImplementedError("Popularity is fit by counting (Popularity.from_train), not by gradient")

    def score_all(self, histories: Tensor) -> Tensor:
        return self.item_scores.expand(len(histories), -1)  # [B, N+1]
