"""The paired comparison's statistics: per-user NDCG from ranks and the bootstrap interval."""

import numpy as np
import pytest
import torch

from genrec.eval.ranking import MISS, ndcg_gains
from genrec.rpg.compare import paired_bootstrap


def test_ndcg_from_ranks_counts_only_the_top_k() -> None:
    gains = ndcg_gains(torch.tensor([1, 3, 10, 11, 2**31, MISS]), 10).numpy()
    assert np.allclose(gains, [1.0, 0.5, 1 / np.log2(11), 0.0, 0.0, 0.0])


def test_bootstrap_of_a_constant_shift_is_that_shift_and_of_equal_runs_zero() -> None:
    a = np.random.default_rng(0).random(500)
    shifted = paired_bootstrap(a, a + 0.01, resamples=200, seed=1)
    assert shifted["diff"] == pytest.approx(0.01) and shifted["ci95_low"] == pytest.approx(0.01)
    assert paired_bootstrap(a, a, resamples=200, seed=1) == {"diff": 0.0, "ci95_low": 0.0, "ci95_high": 0.0}


def test_bootstrap_interval_covers_the_mean_and_excludes_zero_only_for_a_real_gap() -> None:
    rng = np.random.default_rng(3)
    a = (rng.random(20_000) < 0.05).astype(float)  # hits at 5%
    better = np.maximum(a, (rng.random(20_000) < 0.01).astype(float))  # ~1 point more hits
    noise = (rng.random(20_000) < 0.05).astype(float)  # another 5% draw: no real gap
    gap = paired_bootstrap(a, better, resamples=300, seed=2)
    assert gap["ci95_low"] > 0 and gap["ci95_low"] <= gap["diff"] <= gap["ci95_high"]
    same = paired_bootstrap(a, noise, resamples=300, seed=2)
    assert same["ci95_low"] < 0 < same["ci95_high"]
