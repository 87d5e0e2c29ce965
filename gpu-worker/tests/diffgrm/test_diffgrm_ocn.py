"""OCN: probe order, nested views, the loss's weighting, and the ablation switches."""

import pytest
import torch
import torch.nn.functional as F

from genrec.diffgrm import ocn
from genrec.diffgrm.model import MASKED, DiffGRM, DiffGRMConfig
from genrec.diffgrm.ocn import OCNConfig, confidence_order, nested_masks, ocn_loss
from genrec.sid.table import random_sids


def test_nested_masks_grow_from_the_least_confident_digit() -> None:
    masks = nested_masks(torch.tensor([[2, 0, 3, 1]]))  # digit 2 least confident, digit 1 most
    assert masks[0].int().tolist() == [
        [0, 0, 1, 0],  # view 1: digit 2
        [1, 0, 1, 0],  # view 2: + digit 0
        [1, 0, 1, 1],  # view 3: + digit 3
        [1, 1, 1, 1],  # view 4: all
    ]
    assert masks.sum() == 10


def test_probe_runs_in_eval_mode_without_grad_and_restores_training(tiny_config: DiffGRMConfig) -> None:
    model = DiffGRM(DiffGRMConfig(**{**tiny_config.__dict__, "dropout": 0.5}), random_sids(20, 4))
    model.train()
    memory = model.encode(torch.tensor([[1, 2, 3], [0, 4, 5]]))
    first, second = confidence_order(model, memory), confidence_order(model, memory)
    assert torch.equal(first, second)  # no dropout in the probe
    assert model.training
    masked = torch.full((2, 1, 4), MASKED)
    model.eval()
    with torch.no_grad():
        conf = model.decode(memory, masked)[:, 0].softmax(-1).amax(-1)  # [2, 4]
    assert torch.equal(first, conf.argsort(dim=1, stable=True))


class SpyModel(DiffGRM):
    """Records the decoder inputs of the last training pass."""

    seen: list[torch.Tensor]

    def decode(self, memory, codes):  # type: ignore[no-untyped-def]
        self.seen.append(codes.clone())
        return super().decode(memory, codes)


def test_loss_is_label_smoothed_ce_over_masked_slots_divided_by_their_count(
    tiny_config: DiffGRMConfig,
) -> None:
    torch.manual_seed(0)
    model = SpyModel(tiny_config, random_sids(20, 4))
    model.seen = []
    model.eval()  # no dropout: the loss can be recomputed from the recorded inputs
    histories, targets = torch.tensor([[1, 2], [0, 3]]), torch.tensor([[5, 6, 7, 8], [1, 2, 3, 4]])
    loss = ocn_loss(model, histories, targets, OCNConfig(label_smoothing=0.2))
    probe, views = model.seen  # one probe pass, then all 4 views in one pass
    assert probe.shape == (2, 1, 4) and bool((probe == MASKED).all()) and views.shape == (2, 4, 4)
    masked = views == MASKED
    assert masked.sum(dim=(1, 2)).tolist() == [10, 10]
    assert bool((views[~masked] == targets[:, None, :].expand_as(views)[~masked]).all())  # rest revealed
    with torch.no_grad():
        logits = model.decode(model.encode(histories), views)  # [2, 4, 4, 256]
        labels = targets[:, None, :].expand_as(views)
        ce = F.cross_entropy(logits[masked], labels[masked], label_smoothing=0.2, reduction="sum")
    torch.testing.assert_close(loss.detach(), ce / 20)


def test_uniform_weighting_gives_every_digit_the_same_weight(tiny_config: DiffGRMConfig) -> None:
    order = torch.tensor([[0, 1, 2, 3]])
    masked = nested_masks(order)  # digit 0 masked in 4 views, digit 3 in 1
    ce = torch.ones(1, 4, 4) * torch.tensor([1.0, 2.0, 3.0, 4.0])  # CE 1..4 per digit, every view
    nested = (ce * masked).sum() / masked.sum()
    uniform = ((ce * masked).sum(dim=1) / masked.sum(dim=1)).mean()
    assert nested == pytest.approx((4 * 1 + 3 * 2 + 2 * 3 + 1 * 4) / 10)
    assert uniform == pytest.approx(2.5)
    # and the switch reaches the loss
    model = DiffGRM(tiny_config, random_sids(20, 4)).eval()
    h, t = torch.tensor([[1, 2]]), torch.tensor([[5, 6, 7, 8]])
    a = ocn_loss(model, h, t, OCNConfig(weighting="nested"))
    b = ocn_loss(model, h, t, OCNConfig(weighting="uniform"))
    assert not torch.isclose(a, b)


def test_random_masking_skips_the_probe_and_is_seeded(
    tiny_config: DiffGRMConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_probe(*args: object) -> None:
        raise AssertionError("random masking must not run the probe")

    monkeypatch.setattr(ocn, "confidence_order", no_probe)
    model = DiffGRM(tiny_config, random_sids(20, 4)).eval()
    h, t = torch.tensor([[1, 2], [3, 4]]), torch.tensor([[5, 6, 7, 8], [1, 2, 3, 4]])
    torch.manual_seed(3)
    a = ocn_loss(model, h, t, OCNConfig(masking="random"))
    torch.manual_seed(3)
    b = ocn_loss(model, h, t, OCNConfig(masking="random"))
    torch.testing.assert_close(a, b)


def test_single_view_masking_is_plain_masked_diffusion(
    tiny_config: DiffGRMConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_probe(*args: object) -> None:
        raise AssertionError("single-view masking must not run the probe")

    monkeypatch.setattr(ocn, "confidence_order", no_probe)
    torch.manual_seed(0)
    model = SpyModel(tiny_config, random_sids(20, 4))
    model.seen = []
    model.eval()
    histories = torch.arange(1, 401).view(200, 2) % 20
    targets = torch.randint(0, 256, (200, 4))
    loss = ocn_loss(model, histories, targets, OCNConfig(masking="single"))
    (views,) = model.seen  # no probe: one pass with one view per sample
    assert views.shape == (200, 1, 4)
    masked = views == MASKED
    counts = masked.sum(dim=(1, 2))
    assert counts.min() >= 1 and set(counts.tolist()) == {1, 2, 3, 4}  # t ~ U{1..4}
    assert masked[:, 0].float().mean(dim=0).min() > 0.4  # every digit gets masked, none favoured
    with torch.no_grad():
        logits = model.decode(model.encode(histories), views)
        labels = targets[:, None, :].expand_as(views)
        ce = F.cross_entropy(logits[masked], labels[masked], label_smoothing=0.1, reduction="sum")
    torch.testing.assert_close(loss.detach(), ce / masked.sum())
    with pytest.raises(AssertionError, match="unmasked"):
        OCNConfig(masking="single", weighting="uniform")


def test_training_lowers_the_loss(tiny_config: DiffGRMConfig) -> None:
    torch.manual_seed(0)
    model = DiffGRM(tiny_config, random_sids(20, 4))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    h = torch.tensor([[1, 2, 3], [0, 4, 5], [0, 0, 6]])
    t = torch.from_numpy(model.sid_table()).long()[torch.tensor([7, 8, 9])]
    losses = []
    for _ in range(30):
        loss = ocn_loss(model, h, t, OCNConfig())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 1.0
