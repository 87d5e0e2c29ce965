"""Batched evaluation loops on a hand-built split and on the checked-in sample."""

import numpy as np
import pytest
import torch

from genrec.data import EvalSplit, leave_one_out, load_dataset
from genrec.eval import INVALID, evaluate_lists, evaluate_scores

N = 6


def split() -> EvalSplit:
    histories = np.array([[0, 1, 2], [0, 0, 4], [5, 6, 3]], dtype=np.int64)
    return EvalSplit(np.arange(3), histories, np.array([3, 1, 6], dtype=np.int64))


def fixed_scores(histories: torch.Tensor) -> torch.Tensor:
    # Item i scores -i: item 1 first, item 6 last; same for every user. [B, N+1]
    return -torch.arange(N + 1, dtype=torch.float32).repeat(len(histories), 1)


def test_evaluate_scores_plain_and_seen_filtered() -> None:
    result = evaluate_scores(fixed_scores, split(), n_items=N, ks=(1, 3), batch_size=2)
    # Plain ranks: 3, 1, 6. Filtered: user 0 loses items 1, 2 -> 1; user 1 -> 1; user 2 saw 6 -> miss.
    assert result.count == 3
    assert result.metrics["recall@1"] == pytest.approx(1 / 3)
    assert result.metrics["recall@3"] == pytest.approx(2 / 3)
    assert result.seen_filtered["recall@1"] == pytest.approx(2 / 3)
    assert result.seen_filtered["recall@3"] == pytest.approx(2 / 3)


def test_evaluate_lists() -> None:
    def lists(histories: torch.Tensor) -> torch.Tensor:
        return torch.tensor([[3, INVALID], [2, 1], [INVALID, INVALID]])[: len(histories)]

    m = evaluate_lists(lists, split(), ks=(1, 2), batch_size=3)
    assert m["recall@1"] == pytest.approx(1 / 3) and m["recall@2"] == pytest.approx(2 / 3)
    assert m["invalid@1"] == pytest.approx(1 / 3) and m["invalid@2"] == pytest.approx((0.5 + 0 + 1) / 3)


def test_popularity_on_the_sample_runs_end_to_end() -> None:
    ds, _ = load_dataset("sample")
    loo = leave_one_out(ds)
    counts = np.bincount(np.concatenate(loo.train), minlength=ds.n_items + 1).astype(np.float32)
    pop = torch.from_numpy(counts)

    def score(histories: torch.Tensor) -> torch.Tensor:
        return pop.expand(len(histories), -1)

    result = evaluate_scores(score, loo.test, ds.n_items, batch_size=128)
    assert result.count == 300
    assert set(result.metrics) == {"recall@5", "ndcg@5", "recall@10", "ndcg@10"}
    assert 0.0 <= result.metrics["ndcg@10"] <= result.metrics["recall@10"] <= 1.0
