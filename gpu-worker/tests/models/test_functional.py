"""Pure tensor helpers: padding crop, attention mask, losses."""

import math

import pytest
import torch
import torch.nn.functional as F

from genrec.models.functional import (
    attention_mask,
    crop_left_padding,
    full_softmax_loss,
    sampled_softmax_loss,
    uniform_negatives,
)


def test_crop_left_padding_keeps_every_real_column() -> None:
    x = torch.tensor([[0, 0, 0, 3, 4], [0, 0, 1, 2, 5]])
    cropped, offset = crop_left_padding(x)
    assert offset == 2 and cropped.tolist() == [[0, 3, 4], [1, 2, 5]]


def test_attention_mask_is_causal_and_hides_padding_keys() -> None:
    mask = attention_mask(torch.tensor([[0, 7, 8]]))[0, 0]  # [l, l]
    assert mask.tolist() == [
        [True, False, False],  # a padding query sees itself only (no NaN row)
        [False, True, False],  # item 7 never reads the padding key
        [False, True, True],
    ]


def test_sampled_softmax_equals_log_k_plus_one_when_all_logits_tie() -> None:
    pos, neg = torch.zeros(4), torch.zeros(4, 9)
    assert float(sampled_softmax_loss(pos, neg)) == pytest.approx(math.log(10))


def test_sampled_softmax_vanishes_for_a_large_margin_and_grows_with_hard_negatives() -> None:
    easy = sampled_softmax_loss(torch.full((3,), 50.0), torch.zeros(3, 5))
    hard = sampled_softmax_loss(torch.zeros(3), torch.full((3, 5), 50.0))
    assert float(easy) < 1e-6 and float(hard) > 49.0


def test_sampled_softmax_with_all_other_items_is_the_full_softmax() -> None:
    torch.manual_seed(0)
    hidden, weight = torch.randn(5, 8), torch.randn(11, 8)  # 10 items + padding row
    labels = torch.tensor([1, 4, 10, 7, 2])
    others = torch.stack([torch.tensor([i for i in range(1, 11) if i != y]) for y in labels])  # [5, 9]
    pos = (hidden * weight[labels]).sum(-1)
    neg = torch.bmm(weight[others], hidden[:, :, None]).squeeze(-1)
    full = full_softmax_loss(hidden, weight, labels)
    assert float(sampled_softmax_loss(pos, neg)) == pytest.approx(float(full), rel=1e-5)
    assert float(full) == pytest.approx(float(F.cross_entropy(hidden @ weight[1:].T, labels - 1)))


def test_uniform_negatives_cover_items_and_never_padding() -> None:
    torch.manual_seed(0)
    draws = uniform_negatives((2000, 4), n_items=5)
    assert draws.min() == 1 and draws.max() == 5
    assert torch.bincount(draws.flatten(), minlength=6)[1:].min() > 1400  # ~1600 each
