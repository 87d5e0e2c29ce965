"""Full-ranking metrics: the rank of one target per user among all N items, then Recall@k / NDCG@k.

Conventions (pinned by tests/eval):
- Scores are ``[B, N+1]``; column 0 is padding and never competes (it is ignored, not scored).
- Ties are PESSIMISTIC: rank = number of items (target included) whose score is >= the target's.
  The optimistic rule (1 + strictly higher) lets a model that outputs a constant score rank every
  target first; pessimistic ties make degenerate or saturated scorers (e.g. -inf for many items)
  score no better than their worst reading. NaN scores are rejected.
- Seen-item filtering (eSASRec's protocol, reported beside the papers' unfiltered headline) masks
  EVERY item in the given history, the target included: if the target was already seen it can
  never be recommended, so it is a miss (rank ``MISS``), as in eSASRec's filter-viewed inference.
  On the shared Amazon data no user has a target in their history (0.0% on Beauty and Sports).
- NDCG@k = 1 / log2(rank + 1) when rank <= k, else 0 (one relevant item, so IDCG = 1).
  Recall@k = 1 when rank <= k (equals HR@k with one target).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import Tensor

KS = (5, 10)
MISS = torch.iinfo(torch.int64).max  # rank of a target that cannot be recommended at all


def target_ranks(scores: Tensor, targets: Tensor, exclude: Tensor | None = None) -> Tensor:
    """1-based pessimistic rank of ``targets`` [B] under ``scores`` [B, N+1]; [B] int64.

    ``exclude`` [B, L] (0 = padding) lists items to mask (seen-item filtering); a target inside it
    gets rank ``MISS``. ``scores`` is not modified.
    """
    assert scores.ndim == 2 and targets.shape == (scores.shape[0],), (scores.shape, targets.shape)
    if torch.isnan(scores).any():
        raise ValueError("scores contain NaN; ranks would be meaningless")
    targets = targets.to(scores.device, torch.int64)
    assert bool(((targets >= 1) & (targets < scores.shape[1])).all()), "targets must be item ids in 1..N"
    masked_target = torch.zeros_like(targets, dtype=torch.bool)
    if exclude is not None:
        exclude = exclude.to(scores.device, torch.int64)
        scores = scores.scatter(1, exclude, float("-inf"))  # a copy: [B, N+1]
        masked_target = (exclude == targets[:, None]).any(dim=1)
    target_score = scores.gather(1, targets[:, None])  # [B, 1]
    ranks = (scores[:, 1:] >= target_score).sum(dim=1)  # target counts itself -> ranks start at 1
    return torch.where(masked_target, torch.full_like(ranks, MISS), ranks)


@dataclass
class RankingMetrics:
    """Accumulates per-user ranks (and invalid counts for generated lists) across batches."""

    ks: tuple[int, ...] = KS
    count: int = 0
    hits: dict[int, float] = field(default_factory=dict)
    gains: dict[int, float] = field(default_factory=dict)
    invalid: dict[int, float] = field(default_factory=dict)
    invalid_rows: int = 0

    def update(self, ranks: Tensor) -> None:
        """Add a batch of 1-based ranks [B] (``MISS`` for targets that cannot be hit)."""
        ranks = ranks.detach().to("cpu", torch.int64)
        for k in self.ks:
            self.hits[k] = self.hits.get(k, 0.0) + float((ranks <= k).sum())
            self.gains[k] = self.gains.get(k, 0.0) + float(ndcg_gains(ranks, k).sum())
        self.count += len(ranks)

    def update_invalid(self, invalid: Tensor) -> None:
        """Add a batch of generated-list validity flags [B, K] (True = maps to no item); K >= max(ks)."""
        if invalid.shape[1] < max(self.ks):
            raise ValueError(f"lists of length {invalid.shape[1]} cannot give invalid@{max(self.ks)}")
        invalid = invalid.detach().to("cpu", torch.bool)
        for k in self.ks:
            self.invalid[k] = self.invalid.get(k, 0.0) + float(invalid[:, :k].double().mean(dim=1).sum())
        self.invalid_rows += len(invalid)

    def compute(self) -> dict[str, float]:
        """``recall@k``, ``ndcg@k`` (and ``invalid@k`` if lists were added) averaged over users."""
        out: dict[str, float] = {}
        for k in self.ks:
            out[f"recall@{k}"] = self.hits.get(k, 0.0) / self.count if self.count else math.nan
            out[f"ndcg@{k}"] = self.gains.get(k, 0.0) / self.count if self.count else math.nan
        if self.invalid_rows:
            for k in self.ks:
                out[f"invalid@{k}"] = self.invalid[k] / self.invalid_rows
        return out


def ndcg_gains(ranks: Tensor, k: int) -> Tensor:
    """Per-user NDCG@k [B] float64 of 1-based ranks [B]: 1 / log2(rank + 1) inside the top k, else 0."""
    ranks = ranks.to(torch.int64)
    return torch.where(ranks <= k, 1.0 / torch.log2(ranks.clamp(max=k).double() + 1.0), 0.0)


def metrics_from_ranks(ranks: Tensor, ks: tuple[int, ...] = KS) -> dict[str, float]:
    """One-shot helper: Recall@k and NDCG@k for a single tensor of ranks."""
    acc = RankingMetrics(ks)
    acc.update(ranks)
    return acc.compute()
