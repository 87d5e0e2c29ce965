"""Popularity ranks items by training-set counts, exactly."""

import numpy as np
import pytest
import torch

from genrec.data import EvalSplit
from genrec.eval import evaluate_scores
from genrec.models import Popularity


def test_ranking_on_a_hand_made_dataset() -> None:
    # Training counts over items 1..5: 1 -> 2, 2 -> 1, 3 -> 4, 4 -> 0, 5 -> 2 (duplicates count).
    train = (np.array([3, 1, 3]), np.array([5, 3, 2]), np.array([1, 5, 3]), np.array([], dtype=np.int64))
    model = Popularity.from_train(train, n_items=5)
    assert model.counts.tolist() == [0, 2, 1, 4, 0, 2]
    assert not model.trainable
    scores = model.score_all(torch.zeros(2, 3, dtype=torch.int64))
    assert scores.shape == (2, 6) and torch.isinf(scores[:, 0]).all()
    order = torch.argsort(scores[0, 1:], descending=True) + 1
    assert order.tolist() == [3, 1, 5, 2, 4]  # 1 and 5 tie at 2: the lower id first

    split = EvalSplit(np.arange(5), np.zeros((5, 3), dtype=np.int64), np.array([3, 1, 5, 2, 4]))
    result = evaluate_scores(model.score_all, split, n_items=5, ks=(1, 2, 3))
    assert result.metrics["recall@1"] == pytest.approx(1 / 5)
    assert result.metrics["recall@2"] == pytest.approx(2 / 5)
    assert result.metrics["ndcg@3"] == pytest.approx((1 + 1 / np.log2(3) + 1 / np.log2(4)) / 5)


def test_calculate_loss_is_refused() -> None:
    model = Popularity.from_train((np.array([1, 2]),), n_items=2)
    with pytest.raises(NotImplementedError):
        model.calculate_loss(None)  # type: ignore[arg-type]
