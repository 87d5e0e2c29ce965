"""Full-ranking ranks and metrics on hand-computed cases."""

import math

import pytest
import torch

from genrec.eval import MISS, RankingMetrics, metrics_from_ranks, target_ranks

N = 12


def descending_scores(batch: int) -> torch.Tensor:
    """Item i (1..N) scores N + 1 - i, so item i has rank i; padding column 0 scores highest of all."""
    scores = torch.arange(N + 1, 0, -1, dtype=torch.float32).repeat(batch, 1)  # [B, N+1]
    scores[:, 0] = 1e9
    return scores


def test_ranks_1_10_11_and_padding_never_counted() -> None:
    ranks = target_ranks(descending_scores(3), torch.tensor([1, 10, 11]))
    assert ranks.tolist() == [1, 10, 11]


def test_metrics_at_5_and_10() -> None:
    m = metrics_from_ranks(torch.tensor([1, 10, 11]), ks=(5, 10))
    assert m["recall@5"] == pytest.approx(1 / 3)
    assert m["ndcg@5"] == pytest.approx(1 / 3)
    assert m["recall@10"] == pytest.approx(2 / 3)
    assert m["ndcg@10"] == pytest.approx((1 + 1 / math.log2(11)) / 3)
    assert metrics_from_ranks(torch.tensor([3]), ks=(5,))["ndcg@5"] == pytest.approx(0.5)  # 1/log2(4)


def test_ties_are_pessimistic() -> None:
    scores = torch.zeros(2, N + 1)
    scores[1, 1:4] = 5.0  # 3 items strictly higher
    scores[1, 4:7] = 1.0  # target 5 ties with items 4 and 6
    ranks = target_ranks(scores, torch.tensor([7, 5]))
    assert ranks.tolist() == [N, 6]  # a constant scorer ranks every target last, not first


def test_seen_filtering_masks_history_including_the_target() -> None:
    scores = descending_scores(3)
    history = torch.tensor([[0, 1, 2], [0, 0, 0], [3, 4, 1]])  # 0 = padding
    ranks = target_ranks(scores, torch.tensor([5, 5, 4]), exclude=history)
    assert ranks.tolist() == [3, 5, MISS]  # items 1, 2 removed ahead of 5; target 4 was seen -> miss
    assert scores[0, 1] == N  # the caller's scores are not modified
    assert metrics_from_ranks(ranks, ks=(10,))["recall@10"] == pytest.approx(2 / 3)


def test_nan_scores_and_padding_targets_are_rejected() -> None:
    scores = descending_scores(1)
    with pytest.raises(AssertionError):
        target_ranks(scores, torch.tensor([0]))
    scores[0, 3] = math.nan
    with pytest.raises(ValueError, match="NaN"):
        target_ranks(scores, torch.tensor([1]))


def test_accumulator_over_batches_equals_one_shot() -> None:
    ranks = torch.tensor([1, 2, 7, 10, 11, MISS, 4])
    acc = RankingMetrics((5, 10))
    acc.update(ranks[:3])
    acc.update(ranks[3:])
    assert acc.count == 7
    assert acc.compute() == pytest.approx(metrics_from_ranks(ranks, (5, 10)))
    assert "invalid@5" not in acc.compute()
