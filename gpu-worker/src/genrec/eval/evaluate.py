"""Batched evaluation loops over an ``EvalSplit`` for score-based and list-based models.

One pass over the scores yields both the papers' protocol (no filtering, the headline) and the
seen-filtered variant (eSASRec), so the expensive forward pass is never run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from genrec.data.split import EvalSplit
from genrec.eval.lists import INVALID, list_ranks
from genrec.eval.ranking import KS, RankingMetrics, target_ranks

ScoreFn = Callable[[Tensor], Tensor]  # histories [B, L] int64 -> scores [B, N+1]
ListFn = Callable[[Tensor], Tensor]  # histories [B, L] int64 -> item ids [B, K], INVALID = -1


@dataclass(frozen=True)
class EvalResult:
    """``metrics``: papers' protocol (headline); ``seen_filtered``: history items masked."""

    metrics: dict[str, float]
    seen_filtered: dict[str, float]
    count: int


def _batches(split: EvalSplit, batch_size: int, device: torch.device | str):
    for start in range(0, len(split), batch_size):
        histories = torch.from_numpy(split.histories[start : start + batch_size]).to(device)
        targets = torch.from_numpy(split.targets[start : start + batch_size]).to(device)
        yield histories, targets


@torch.inference_mode()
def evaluate_scores(
    score_fn: ScoreFn,
    split: EvalSplit,
    n_items: int,
    ks: tuple[int, ...] = KS,
    batch_size: int = 256,
    device: torch.device | str = "cpu",
) -> EvalResult:
    """Full ranking over all ``n_items`` items; ``score_fn`` must return [B, n_items + 1]."""
    plain, filtered = RankingMetrics(ks), RankingMetrics(ks)
    for histories, targets in _batches(split, batch_size, device):
        scores = score_fn(histories)
        assert scores.shape == (len(targets), n_items + 1), (
            f"scores {tuple(scores.shape)} != [B, {n_items + 1}]"
        )
        plain.update(target_ranks(scores, targets))
        filtered.update(target_ranks(scores, targets, exclude=histories))
    return EvalResult(plain.compute(), filtered.compute(), plain.count)


@torch.inference_mode()
def evaluate_lists(
    list_fn: ListFn,
    split: EvalSplit,
    ks: tuple[int, ...] = KS,
    batch_size: int = 256,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Item-level Recall/NDCG@k and invalid@k for a model that generates ranked id lists."""
    acc = RankingMetrics(ks)
    for histories, targets in _batches(split, batch_size, device):
        lists = list_fn(histories)
        assert lists.ndim == 2 and lists.shape[0] == len(targets), tuple(lists.shape)
        acc.update(list_ranks(lists, targets))
        acc.update_invalid(lists == INVALID)
    return acc.compute()
