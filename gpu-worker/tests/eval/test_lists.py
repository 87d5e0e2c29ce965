"""Ranked-list metrics for generative models: item-level ranks, invalid@k, SID-level hits."""

import pytest
import torch

from genrec.eval import INVALID, MISS, RankingMetrics, list_ranks, ranks_from_hits, sid_list_ranks

X = INVALID


def test_list_ranks_first_occurrence_and_invalid_never_matches() -> None:
    lists = torch.tensor([[3, X, 5, 5], [X, X, X, X], [5, 5, 2, 9]])
    assert list_ranks(lists, torch.tensor([5, 7, 2])).tolist() == [3, MISS, 3]
    assert ranks_from_hits(torch.zeros(1, 4, dtype=torch.bool)).tolist() == [MISS]


def test_invalid_at_k() -> None:
    lists = torch.tensor([[3, X, 5, 6], [X, X, X, X], [5, 4, 2, X]])
    acc = RankingMetrics((2, 4))
    acc.update(list_ranks(lists, torch.tensor([5, 7, 2])))
    acc.update_invalid(lists == INVALID)
    m = acc.compute()
    assert m["invalid@2"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert m["invalid@4"] == pytest.approx((0.25 + 1.0 + 0.25) / 3)
    assert m["recall@2"] == 0.0 and m["recall@4"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="invalid@10"):
        RankingMetrics((10,)).update_invalid(lists == INVALID)


def test_sid_level_hit_counts_colliding_items() -> None:
    # Items 7 and 8 share SID (1, 2). The target is 7; the model generated SID (1, 2) and mapped it to 8.
    generated_sids = torch.tensor([[[4, 4], [1, 2]]])  # [B=1, K=2, m=2]
    generated_items = torch.tensor([[9, 8]])
    target_sid = torch.tensor([[1, 2]])
    assert list_ranks(generated_items, torch.tensor([7])).tolist() == [MISS]
    assert sid_list_ranks(generated_sids, target_sid).tolist() == [2]
    assert sid_list_ranks(generated_sids, torch.tensor([[1, 3]])).tolist() == [MISS]  # all digits must match
