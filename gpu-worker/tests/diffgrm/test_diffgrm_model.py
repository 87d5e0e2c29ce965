"""Model shapes and invariants: tied output, padding invariance, slot semantics, cached memory."""

import numpy as np
import pytest
import torch

from genrec.diffgrm.model import CODEBOOK, MASKED, DiffGRM, DiffGRMConfig
from genrec.sid.table import random_sids


def model_for(config: DiffGRMConfig, n_items: int = 30) -> DiffGRM:
    torch.manual_seed(0)
    return DiffGRM(config, random_sids(n_items, config.n_digits, seed=1)).eval()


def test_shapes_and_sid_table_round_trip(tiny_config: DiffGRMConfig) -> None:
    sids = random_sids(30, 4, seed=1)
    model = DiffGRM(tiny_config, sids).eval()
    assert np.array_equal(model.sid_table(), sids) and model.n_items == 30
    histories = torch.tensor([[0, 0, 3, 4], [1, 2, 3, 4], [0, 0, 0, 7]])  # [U=3, L=4]
    memory = model.encode(histories)
    assert len(memory.kv) == tiny_config.n_dec_layers
    assert memory.kv[0][0].shape == (3, 2, 4, 8)  # [U, h, l, d/h]
    codes = torch.full((3, 5, 4), MASKED)
    assert model.decode(memory, codes).shape == (3, 5, 4, CODEBOOK)


def test_output_is_tied_to_the_digit_embeddings(tiny_config: DiffGRMConfig) -> None:
    model = model_for(tiny_config)
    memory = model.encode(torch.tensor([[1, 2]]))
    logits = model.decode(memory, torch.full((1, 1, 4), MASKED))
    with torch.no_grad():
        model.tokens.weight[2 * CODEBOOK + 5] += 1.0  # digit 2, code 5
    changed = model.decode(memory, torch.full((1, 1, 4), MASKED)) != logits  # [1, 1, 4, 256]
    assert changed[0, 0, 2, 5] and changed[0, 0, 2].sum() == 1 and not changed[0, 0, [0, 1, 3]].any()


def test_left_padding_does_not_change_the_answer(tiny_config: DiffGRMConfig) -> None:
    model = model_for(tiny_config)
    codes = torch.tensor([[[MASKED, 3, MASKED, 200]]])
    short = model.decode(model.encode(torch.tensor([[5, 6, 7]])), codes)
    padded = model.decode(model.encode(torch.tensor([[0, 0, 0, 0, 0, 5, 6, 7]])), codes)
    torch.testing.assert_close(short, padded)
    # batched with a longer history: each row keeps its own answer
    both = model.decode(model.encode(torch.tensor([[0, 5, 6, 7], [1, 2, 3, 4]])), codes.expand(2, 1, 4))
    torch.testing.assert_close(both[:1], short)


def test_views_are_independent_and_revealing_a_digit_matters(tiny_config: DiffGRMConfig) -> None:
    model = model_for(tiny_config)
    memory = model.encode(torch.tensor([[1, 2, 3]]))
    masked = torch.full((1, 1, 4), MASKED)
    revealed = torch.tensor([[[MASKED, 17, MASKED, MASKED]]])
    alone = model.decode(memory, masked)
    together = model.decode(memory, torch.cat([masked, revealed], dim=1))  # [1, 2, 4, 256]
    torch.testing.assert_close(together[:, :1], alone)  # one view never reads another
    assert not torch.allclose(together[:, 1], alone[:, 0])


def test_mask_embedding_is_per_digit_and_learned(tiny_config: DiffGRMConfig) -> None:
    model = model_for(tiny_config)
    assert model.mask_tokens.tolist() == [4 * CODEBOOK + 1 + d for d in range(4)]
    assert model.tokens.num_embeddings == 4 * CODEBOOK + 1 + 4  # digit codes, padding, 4 masks
    histories = torch.tensor([[1, 2, 3]])
    codes = torch.full((1, 1, 4), MASKED)
    loss = model.decode(model.encode(histories), codes).logsumexp(dim=-1).sum()
    loss.backward()
    grad = model.tokens.weight.grad
    assert grad is not None and bool(grad[model.mask_tokens].abs().sum(dim=1).gt(0).all())


def test_centroid_init_puts_each_digits_centroids_in_the_code_table() -> None:
    from genrec.diffgrm.model import centroid_init

    rng = np.random.default_rng(0)
    centroids = rng.normal(size=(4, 256, 8)).astype(np.float32)
    sids = random_sids(30, 4, seed=1)
    config = DiffGRMConfig(d=8, n_heads=2, d_ffn=16, n_dec_layers=1, code_init="centroids")
    model = DiffGRM(config, sids, centroids)
    table = model.tokens.weight[: 4 * 256].detach().view(4, 256, 8)
    scale = table.norm(dim=-1).mean().item()
    assert scale == pytest.approx(0.02 * 8**0.5, rel=1e-5)  # the random init's mean norm
    ratio = table / torch.from_numpy(centroids)
    assert torch.allclose(ratio, ratio.flatten()[0].expand_as(ratio), rtol=1e-4)  # one common scale
    assert centroid_init(centroids, 6).shape == (1024, 6) and centroid_init(centroids, 12).shape == (1024, 12)
