"""The contract every recommender model meets: a training loss and full-catalogue scores.

Modeled on action_piece's abstract model (``calculate_loss`` / ``generate``): the trainer only
calls ``calculate_loss``; the evaluator only calls ``score_all``. Models that learn nothing by
gradient (Popularity) report ``trainable == False`` and the trainer skips the epoch loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class Batch:
    """Teacher-forcing rows from ``genrec.data.next_item_arrays``."""

    inputs: Tensor  # [B, L] int64 item ids, left-padded with 0
    labels: Tensor  # [B, L] int64 the item after inputs[:, t]; 0 = no label at t

    def __post_init__(self) -> None:
        assert self.inputs.shape == self.labels.shape and self.inputs.ndim == 2, (
            self.inputs.shape,
            self.labels.shape,
        )


class SeqRecModel(nn.Module, ABC):
    """A next-item model over items 1..N (0 = padding)."""

    def __init__(self, n_items: int) -> None:
        super().__init__()
        assert n_items >= 1
        self.n_items = n_items

    @property
    def trainable(self) -> bool:
        return any(p.requires_grad for p in self.parameters())

    @abstractmethod
    def calculate_loss(self, batch: Batch) -> Tensor:
        """Scalar training loss for one batch."""

    @abstractmethod
    def score_all(self, histories: Tensor) -> Tensor:
        """Scores [B, N+1] for histories [B, L] (left-padded); column 0 (padding) is -inf."""

    def scores_with_padding(self, item_scores: Tensor) -> Tensor:
        """Prepend the -inf padding column to item scores [B, N] -> [B, N+1]."""
        pad = torch.full_like(item_scores[:, :1], float("-inf"))  # [B, 1]
        return torch.cat([pad, item_scores], dim=1)
