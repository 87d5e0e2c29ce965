"""SASRec and eSASRec: shapes, causality, padding invariance and a loss that learns."""

import pytest
import torch

from genrec.models import Batch, ESASRec, ESASRecConfig, SASRec, SASRecConfig, SeqRecModel

N, L = 30, 8


def sasrec() -> SeqRecModel:
    return SASRec(SASRecConfig(d=16, n_layers=2, n_heads=2, dropout=0.1, max_len=L), N)


def esasrec() -> SeqRecModel:
    return ESASRec(ESASRecConfig(d=16, n_layers=2, n_heads=2, dropout=0.1, n_negatives=8, max_len=L), N)


def esasrec_full() -> SeqRecModel:
    return ESASRec(ESASRecConfig(d=16, n_layers=2, n_heads=2, dropout=0.1, n_negatives=0, max_len=L), N)


MODELS = [
    pytest.param(sasrec, id="sasrec"),
    pytest.param(esasrec, id="esasrec"),
    pytest.param(esasrec_full, id="esasrec-full-softmax"),
]


def test_esasrec_with_no_negatives_takes_the_softmax_over_every_item() -> None:
    torch.manual_seed(0)
    model = esasrec_full().eval()
    hidden, _ = model(batch().inputs)
    labels = batch().labels
    logits = hidden[labels > 0] @ model.item_emb.weight[1:].T  # [P, N]
    expected = torch.nn.functional.cross_entropy(logits, labels[labels > 0] - 1)
    assert torch.allclose(model.calculate_loss(batch()), expected)
    assert torch.allclose(model.calculate_loss(batch()), model.calculate_loss(batch()))  # no sampling


def batch() -> Batch:
    inputs = torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7, 8]])
    labels = torch.tensor([[0, 0, 0, 0, 0, 4, 5, 6], [2, 3, 4, 5, 6, 7, 8, 9]])
    return Batch(inputs, labels)


@pytest.mark.parametrize("make", MODELS)
def test_shapes_and_padding_column(make) -> None:
    torch.manual_seed(0)
    model = make().eval()
    hidden, offset = model(batch().inputs)
    assert hidden.shape == (2, L, 16) and offset == 0
    scores = model.score_all(batch().inputs)
    assert scores.shape == (2, N + 1)
    assert torch.isinf(scores[:, 0]).all() and torch.isfinite(scores[:, 1:]).all()
    assert model.calculate_loss(batch()).ndim == 0


@pytest.mark.parametrize("make", MODELS)
def test_future_items_do_not_change_earlier_outputs(make) -> None:
    torch.manual_seed(0)
    model = make().eval()
    x = torch.randint(1, N + 1, (3, L))
    y = x.clone()
    y[:, 5:] = torch.randint(1, N + 1, (3, L - 5))
    hx, _ = model(x)
    hy, _ = model(y)
    torch.testing.assert_close(hx[:, :5], hy[:, :5])
    assert not torch.allclose(hx[:, 5:], hy[:, 5:])


@pytest.mark.parametrize("make", MODELS)
def test_left_padding_does_not_change_scores(make) -> None:
    torch.manual_seed(0)
    model = make().eval()
    padded = torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5]])
    short = torch.tensor([[3, 4, 5]])  # same history, no padding
    with_other_row = torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5], [9] * L])  # no column is all padding
    torch.testing.assert_close(model.score_all(padded), model.score_all(short))
    torch.testing.assert_close(model.score_all(padded), model.score_all(with_other_row)[:1])


@pytest.mark.parametrize("make", MODELS)
def test_loss_decreases_when_overfitting_one_batch(make) -> None:
    torch.manual_seed(0)
    model = make().train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(40):
        loss = model.calculate_loss(batch())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_sasrec_loss_ignores_padding_labels() -> None:
    torch.manual_seed(0)
    model = sasrec().eval()
    b = batch()
    labels = b.labels.clone()
    labels[1, :4] = 0  # drop four labelled positions of row 1
    full = model.calculate_loss(Batch(b.inputs, labels))
    hidden, _ = model(b.inputs)
    kept = labels > 0
    logits = hidden[kept] @ model.item_emb.weight[1:].T
    expected = torch.nn.functional.cross_entropy(logits, labels[kept] - 1)
    torch.testing.assert_close(full, expected)
