"""RPG model: shapes, causal and padding behaviour, zero-init heads, and an MTP loss that learns."""

import dataclasses

import numpy as np
import pytest
import torch

from genrec.models.base import Batch
from genrec.rpg.decode import score_items
from genrec.rpg.model import RPG, RPGConfig, seen_items, table_scores
from genrec.sid.table import random_sids

N, M, L = 40, 4, 8


def model(dropout: float = 0.0, seed: int = 0, text: torch.Tensor | None = None, **options: object) -> RPG:
    """The test RPG; ``options`` (RPGConfig fields beyond the paper) change no draw of the others, so
    ``model(**options)`` and ``model()`` differ only in what the options add."""
    torch.manual_seed(seed)
    config = RPGConfig(
        n_digits=M,
        d=16,
        n_layers=2,
        n_heads=2,
        d_ffn=32,
        emb_dropout=dropout,
        attn_dropout=dropout,
        max_len=L,
        **options,
    )
    return RPG(config, random_sids(N, M, seed=1), text_vectors=text)


def batch() -> Batch:
    inputs = torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7, 8]])
    labels = torch.tensor([[0, 0, 0, 0, 0, 4, 5, 6], [2, 3, 4, 5, 6, 7, 8, 9]])
    return Batch(inputs, labels)


def fit(rpg: RPG, steps: int, lr: float = 3e-3, weight_decay: float = 0.0) -> list[float]:
    """``steps`` AdamW steps on ``batch()``; the losses."""
    optimizer = torch.optim.AdamW(rpg.parameters(), lr=lr, weight_decay=weight_decay)
    losses = []
    for _ in range(steps):
        loss = rpg.calculate_loss(batch())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_shapes() -> None:
    rpg = model().eval()
    hidden, offset = rpg(batch().inputs)
    assert hidden.shape == (2, L, 16) and offset == 0
    logprobs = rpg.user_logprobs(batch().inputs)
    assert logprobs.shape == (2, M, 256)
    assert torch.allclose(logprobs.exp().sum(dim=2), torch.ones(2, M), atol=1e-5)
    scores = rpg.score_all(batch().inputs)
    assert scores.shape == (2, N + 1) and torch.isinf(scores[:, 0]).all()
    assert rpg.calculate_loss(batch()).ndim == 0


def test_item_embedding_is_the_mean_of_its_digit_tokens() -> None:
    rpg = model()
    sids = rpg.sid_table()
    tokens = torch.from_numpy(sids[5].astype(np.int64)) + 256 * torch.arange(M)
    expected = rpg.tok_emb.weight[tokens].mean(dim=0)
    assert torch.allclose(rpg.item_embeddings(torch.tensor([[5]]))[0, 0], expected)


def test_causal_a_later_item_does_not_change_earlier_outputs() -> None:
    rpg = model().eval()
    a = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])
    b = a.clone()
    b[0, -1] = 30
    ha, hb = rpg(a)[0], rpg(b)[0]
    assert torch.allclose(ha[:, :-1], hb[:, :-1], atol=1e-6)
    assert not torch.allclose(ha[:, -1], hb[:, -1])


def test_left_padding_and_crop_do_not_change_the_newest_output() -> None:
    rpg = model().eval()
    short = torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5]])
    full = rpg.user_logprobs(short, crop=False)
    cropped = rpg.user_logprobs(short, crop=True)
    # Batched with a longer row, the short row's output must not move either.
    both = rpg.user_logprobs(torch.cat([short, batch().inputs[1:]]), crop=True)
    assert torch.allclose(full, cropped, atol=1e-5) and torch.allclose(full, both[:1], atol=1e-5)


def test_positions_count_from_the_oldest_item() -> None:
    rpg = model().eval()
    # The same 3 items, newest last, give the same output at the last column however much padding.
    assert torch.allclose(
        rpg.user_logprobs(torch.tensor([[0, 0, 0, 0, 0, 3, 4, 5]])),
        rpg.user_logprobs(torch.tensor([[0, 0, 0, 3, 4, 5]])),
        atol=1e-5,
    )


def test_heads_start_as_identity() -> None:
    rpg = model()
    h = torch.randn(3, 16)
    assert torch.equal(rpg.heads(h), h[None, :, :].expand(M, 3, 16))


def test_table_scores_match_the_numpy_decoder() -> None:
    rpg = model().eval()
    with torch.inference_mode():
        logprobs = rpg.user_logprobs(batch().inputs)  # [2, M, 256]
        scores = table_scores(logprobs, rpg.item_tokens())
    for user in range(2):
        expected = score_items(logprobs[user].numpy(), rpg.sid_table())
        assert np.allclose(scores[user].numpy()[1:], expected[1:], atol=1e-5)


def test_mtp_loss_is_finite_and_overfits_a_tiny_batch() -> None:
    rpg = model(dropout=0.1)
    losses = fit(rpg, 60)
    assert all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])


def test_sampled_item_loss_is_the_softmax_of_score_all_over_target_and_negatives() -> None:
    rpg = model().eval()
    histories = batch().inputs[:, :-1]  # the newest position's target is labels[:, -1]
    targets = batch().labels[:, -1]  # [2]
    negatives = torch.tensor([7, 11, 5, 30])  # the targets are 6 and 9
    negatives = torch.cat([negatives, targets[:1]])  # row 0's own target is also drawn: masked there
    hidden, _ = rpg(histories)
    logits = rpg.digit_logits(hidden[:, -1])  # [m, 2, 256]
    codes = rpg.sids[targets].T.long()  # [m, 2]
    loss = rpg.sampled_item_loss(logits, codes, targets, negatives)
    # score_all subtracts per-digit log-normalisers, equal for every item, so softmaxes agree.
    scores = rpg.score_all(histories)  # [2, N+1]
    expected = []
    for row in range(2):
        others = [int(item) for item in negatives if item != targets[row]]
        row_scores = scores[row, [int(targets[row]), *others]]
        expected.append(-torch.log_softmax(row_scores, dim=0)[0])
    assert loss.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)


def test_seen_items_are_each_positions_own_history() -> None:
    inputs = torch.tensor([[0, 3, 4, 5], [1, 2, 3, 4]])
    labelled = torch.tensor([[False, True, False, True], [True, False, True, False]])
    assert seen_items(inputs, labelled).tolist() == [[0, 3, 0, 0], [0, 3, 4, 5], [1, 0, 0, 0], [1, 2, 3, 0]]


def test_history_negatives_are_the_softmax_over_target_negatives_and_the_history() -> None:
    rpg = model().eval()
    histories, targets = batch().inputs[:, :-1], batch().labels[:, -1]  # targets 6 and 9
    negatives = torch.tensor([7, 11])
    seen = torch.cat([histories, targets[:1, None].expand(2, 1)], dim=1)  # row 0 also "saw" its target
    hidden, _ = rpg(histories)
    logits = rpg.digit_logits(hidden[:, -1])  # [m, 2, 256]
    loss = rpg.sampled_item_loss(logits, rpg.sids[targets].T.long(), targets, negatives, seen)
    scores = rpg.score_all(histories)  # [2, N+1]
    expected = []
    for row in range(2):
        others = [int(i) for i in (*negatives, *seen[row]) if i != 0 and i != targets[row]]
        row_scores = scores[row, [int(targets[row]), *others]]
        expected.append(-torch.log_softmax(row_scores, dim=0)[0])
    assert loss.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)


def test_the_repeat_bias_is_the_item_loss_of_score_all_and_learns_against_repeats() -> None:
    with pytest.raises(AssertionError, match="repeat_bias"):
        dataclasses.replace(model().config, repeat_bias=True)
    rpg = model(history_negatives=True, repeat_bias=True).eval()
    histories, targets = batch().inputs[:, :-1], batch().labels[:, -1]  # targets 6 and 9
    assert torch.equal(rpg.score_all(histories), model().eval().score_all(histories))  # starts at 0
    with torch.no_grad():
        rpg.repeat.fill_(-2.0)
    negatives = torch.tensor([7, 4, 11])  # 4 is in both histories, 7 in row 1's
    seen = torch.cat([histories, torch.tensor([[6], [0]])], dim=1)  # row 0 "saw" its target 6
    hidden, _ = rpg(seen)
    logits = rpg.digit_logits(hidden[:, -1])
    loss = rpg.sampled_item_loss(logits, rpg.sids[targets].T.long(), targets, negatives, seen)
    scores = rpg.score_all(seen)  # the bias on each row's history, the target 6 included in row 0
    assert scores[0, 6].item() == pytest.approx(model().eval().score_all(seen)[0, 6].item() - 2.0, abs=1e-5)
    expected = []
    for row in range(2):
        others = {int(i) for i in (*negatives, *seen[row]) if i != 0 and i != targets[row]}
        row_scores = scores[row, [int(targets[row]), *sorted(others)]]
        expected.append(-torch.log_softmax(row_scores, dim=0)[0])
    assert loss.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)
    trained = model(history_negatives=True, repeat_bias=True)
    fit(trained, 20, lr=1e-2)
    assert trained.repeat.item() < -0.1  # no target in the batch repeats an item of its history


def test_history_negatives_alone_turn_the_item_loss_on() -> None:
    with_history = model(history_negatives=True)
    assert with_history.calculate_loss(batch()).item() > model().calculate_loss(batch()).item()


def test_item_negatives_add_the_item_term_to_the_loss() -> None:
    with_items = model(item_negatives=8)
    assert with_items.calculate_loss(batch()).item() > model().calculate_loss(batch()).item()
    losses = fit(with_items, 60)
    assert all(np.isfinite(losses)) and losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])


def text_vectors(dim: int = 12, seed: int = 5) -> torch.Tensor:
    vectors = torch.nn.functional.normalize(
        torch.randn(N + 1, dim, generator=torch.Generator().manual_seed(seed))
    )
    vectors[0] = 0.0
    return vectors


@pytest.mark.parametrize("text_last", [False, True])
def test_the_text_head_starts_as_rpg_and_is_the_item_loss_of_score_all(text_last: bool) -> None:
    options = {"text_head": "meta", "item_negatives": 4, "history_negatives": True, "text_last": text_last}
    with_text = model(text=text_vectors(), **options).eval()
    histories = batch().inputs[:, :-1]
    assert torch.allclose(with_text.score_all(histories), model().eval().score_all(histories))
    torch.nn.init.normal_(with_text.text_proj.weight)  # a trained text term
    if text_last:
        torch.nn.init.normal_(with_text.text_last.weight)
    histories, targets = batch().inputs[:, :-1], batch().labels[:, -1]
    negatives, seen = torch.tensor([7, 11]), histories
    hidden, _ = with_text(histories)
    logits = with_text.digit_logits(hidden[:, -1])
    query = with_text.text_query(hidden[:, -1], histories[:, -1])
    assert text_last == (not torch.allclose(query, with_text.text_proj(hidden[:, -1])))
    loss = with_text.sampled_item_loss(
        logits, with_text.sids[targets].T.long(), targets, negatives, seen, query
    )
    scores = with_text.score_all(histories)  # [2, N+1], the text term included
    assert not torch.allclose(scores, model().eval().score_all(histories))
    expected = []
    for row in range(2):
        others = [int(i) for i in (*negatives, *seen[row]) if i != 0 and i != targets[row]]
        expected.append(-torch.log_softmax(scores[row, [int(targets[row]), *others]], dim=0)[0])
    assert loss.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)
    assert torch.allclose(with_text.score_all(histories, torch.float64), scores.double(), atol=1e-5)


@pytest.mark.parametrize("history", [True, False])
def test_the_training_loss_scores_items_per_sequence_as_the_item_loss_does_per_row(history: bool) -> None:
    options = {"text_head": "meta", "text_last": True, "item_negatives": 4, "history_negatives": history}
    rpg = model(text=text_vectors(), repeat_bias=history, **options).eval()
    for weight in (rpg.text_proj.weight, rpg.text_last.weight):
        torch.nn.init.normal_(weight)
    torch.manual_seed(7)
    loss = rpg.calculate_loss(batch())  # seen items' text term from one [B, l, l] product
    hidden, _ = rpg(batch().inputs)
    labelled = batch().labels > 0
    targets, codes = batch().labels[labelled], rpg.sids[batch().labels[labelled]].T.long()
    logits = rpg.digit_logits(hidden[labelled])
    digit_loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 256), codes.reshape(-1))
    torch.manual_seed(7)
    negatives = torch.randint(1, N + 1, (4,))  # the same draw
    query = rpg.text_query(hidden[labelled], batch().inputs[labelled])
    seen = seen_items(batch().inputs, labelled) if history else None
    per_row = rpg.sampled_item_loss(logits, codes, targets, negatives, seen, query)  # [P, l, D] gather
    assert loss.item() == pytest.approx((digit_loss + per_row).item(), rel=1e-5)


def test_the_text_head_learns_and_needs_the_item_loss() -> None:
    with pytest.raises(AssertionError, match="text_head"):
        dataclasses.replace(model().config, text_head="meta")
    with pytest.raises(AssertionError, match="text_head"):
        dataclasses.replace(model().config, text_head="title", item_negatives=4)
    with pytest.raises(AssertionError, match="text_last needs"):
        dataclasses.replace(model().config, text_last=True)
    rpg = model(text=text_vectors(), text_head="phrase", item_negatives=8, text_last=True)
    losses = fit(rpg, 40)
    assert losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])
    assert rpg.text_proj.weight.abs().sum() > 0  # the zero-initialised projection was trained
    assert rpg.text_last.weight.abs().sum() > 0  # and the last item's map


def test_centroid_init_makes_item_inputs_follow_the_pq_reconstruction() -> None:

    m, dsub, n = 4, 2, 50
    rng = np.random.default_rng(0)
    centroids = rng.normal(size=(m, 256, dsub)).astype(np.float32)
    sids = random_sids(n, m, seed=1)
    config = RPGConfig(n_digits=m, d=m * dsub, n_heads=2, code_init="centroids", code_init_norm=0.5)
    model = RPG(config, sids, centroids)
    items = model.item_embeddings(torch.arange(1, n + 1)[None, :])[0]  # [N, d]
    recon = np.concatenate([centroids[k][sids[1:, k]] for k in range(m)], axis=1)  # [N, D]
    scale = items.norm(dim=1).mean().item() / np.linalg.norm(recon, axis=1).mean()
    assert items.norm(dim=1).mean().item() == pytest.approx(0.5, rel=1e-5)
    assert np.allclose(items.detach().numpy(), recon * scale, atol=1e-5)  # d == D: no projection
    narrow = RPG(dataclasses.replace(config, d=6), sids, centroids)  # projected to d < D, still scaled
    assert narrow.item_embeddings(torch.arange(1, n + 1)[None, :])[0].norm(dim=1).mean().item() == (
        pytest.approx(0.5, rel=1e-5)
    )
    assert not torch.equal(RPG(config, sids).tok_emb.weight, model.tok_emb.weight)  # no vectors: random


def test_item_ids_start_at_zero_learn_and_leave_untrained_items_to_their_sids() -> None:
    hybrid, plain = model(item_ids=True), model()
    assert hybrid.id_emb.weight.shape == (N + 1, 16) and not hybrid.id_emb.weight.any()
    histories = batch().inputs
    assert torch.equal(hybrid.eval().user_logprobs(histories), plain.eval().user_logprobs(histories))
    fit(hybrid.train(), 20, weight_decay=0.01)
    seen = torch.unique(histories)
    rows = hybrid.id_emb.weight.detach()
    assert rows[seen[seen > 0]].abs().sum(dim=1).gt(0).all()  # every history item learned a row
    unseen = torch.tensor(sorted(set(range(N + 1)) - set(seen.tolist())))
    assert not rows[unseen].any()  # padding and items never in a history stay at zero: SID only
    tokens = torch.from_numpy(hybrid.sid_table()[5].astype(np.int64)) + 256 * torch.arange(M)
    expected = hybrid.tok_emb.weight[tokens].mean(dim=0) + rows[5]
    assert torch.allclose(hybrid.item_embeddings(torch.tensor([[5]]))[0, 0], expected)


def test_the_full_item_loss_is_the_softmax_of_score_all_over_every_item_at_drawn_rows() -> None:
    options = {"text_head": "meta", "text_last": True, "history_negatives": True, "repeat_bias": True}
    rpg = model(text=text_vectors(), full_item_rows=3, **options).eval()
    for weight in (rpg.text_proj.weight, rpg.text_last.weight):
        torch.nn.init.normal_(weight)
    with torch.no_grad():
        rpg.repeat.fill_(-1.5)
    inputs, labels = batch().inputs, batch().labels
    labelled = labels > 0
    hidden, _ = rpg(inputs)
    torch.manual_seed(3)
    loss = rpg.full_item_loss(hidden[labelled], inputs, labelled, labels[labelled])
    torch.manual_seed(3)
    rows = torch.randperm(int(labelled.sum()))[:3]  # the same draw
    positions = labelled.nonzero().tolist()  # row-major, as x[labelled]
    expected = []
    for p in rows.tolist():
        row, col = positions[p]
        history = inputs[row : row + 1, : col + 1]  # the position's own history, as a user's
        scores = rpg.score_all(history)[0]  # [N+1]: every item, the text term and the repeat bias
        expected.append(-torch.log_softmax(scores, dim=0)[int(labels[row, col])])
    assert loss.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)


def test_full_item_rows_alone_train_the_text_head_and_add_the_item_term() -> None:
    plain = model().calculate_loss(batch()).item()
    full = model(text=text_vectors(), text_head="meta", full_item_rows=4)
    assert full.calculate_loss(batch()).item() > plain  # the full term starts at log(N) per row
    losses = fit(full, 60)
    assert all(np.isfinite(losses)) and losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])
    assert full.text_proj.weight.abs().sum().item() > 0  # trained through the full softmax alone
    repeats = model(full_item_rows=8, repeat_bias=True)
    fit(repeats, 20, lr=1e-2)
    assert repeats.repeat.item() < -0.1  # every history item is a negative of the full softmax
