"""On-policy Coherent Noising (OCN, ALGORITHMS.md §3): DiffGRM's training loss.

Per sample: the encoder runs once; a probe decoder pass with every digit masked (eval mode, no
grad) gives each digit's confidence = its max softmax probability; digits are ordered least
confident first; view t (t = 1..m) masks the t least-confident digits and reveals the rest, so the
views are nested and the hardest digit is masked in all m of them. The loss is label-smoothed
cross-entropy on the masked slots, summed over the views and divided by the number of masked tokens
(m(m+1)/2 = 10 per sample for m = 4): the least-confident digit carries 4/10 of the weight.

Switches (ablations):
- ``masking="random"``: the order is a random permutation per sample instead of the probe's
  (no probe pass; the nested views stay), i.e. DiffGRM without OCN's on-policy ordering.
- ``masking="single"``: plain masked diffusion, i.e. DiffGRM without OCN altogether: one view per
  sample that masks a uniform random number t ~ U{1..m} of random digits (no probe, no nested views).
- ``weighting="uniform"``: plain per-digit weighting: each digit's CE is averaged over the views
  that mask it, then the m digits are averaged, so every digit weighs 1/m whatever its confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from genrec.diffgrm.model import CODEBOOK, MASKED, DiffGRM, Memory

MASKINGS = ("ocn", "random", "single")
WEIGHTINGS = ("nested", "uniform")


@dataclass(frozen=True)
class OCNConfig:
    label_smoothing: float = 0.1
    masking: Literal["ocn", "random", "single"] = "ocn"
    weighting: Literal["nested", "uniform"] = "nested"

    def __post_init__(self) -> None:
        assert self.masking in MASKINGS and self.weighting in WEIGHTINGS, (self.masking, self.weighting)
        assert not (self.masking == "single" and self.weighting == "uniform"), (
            "single views leave digits unmasked"
        )
        assert 0.0 <= self.label_smoothing < 1.0


def confidence_order(model: DiffGRM, memory: Memory) -> Tensor:
    """Digits least confident first [B, m], from one all-masked probe pass (eval mode, no grad)."""
    users, m = memory.mask.shape[0], model.config.n_digits
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            codes = torch.full((users, 1, m), MASKED, dtype=torch.int64, device=memory.mask.device)
            probs = model.decode(memory, codes)[:, 0].softmax(dim=-1)  # [B, m, 256]
    finally:
        model.train(was_training)
    return probs.amax(dim=-1).argsort(dim=1, stable=True)  # [B, m]


def nested_masks(order: Tensor) -> Tensor:
    """``order`` [B, m] (digits, first = masked first) -> masks [B, V=m, m]: view t masks order[:t+1]."""
    rank = order.argsort(dim=1)  # [B, m]: position of each digit in the order
    views = torch.arange(order.shape[1], device=order.device)  # [V]
    return rank[:, None, :] <= views[None, :, None]  # [B, V, m]


def ocn_loss(model: DiffGRM, histories: Tensor, targets: Tensor, config: OCNConfig) -> Tensor:
    """histories [B, L] item rows, targets [B, m] the target items' codes -> scalar loss."""
    batch, m = targets.shape
    assert m == model.config.n_digits and histories.shape[0] == batch, (histories.shape, targets.shape)
    memory = model.encode(histories)
    if config.masking == "single":
        rank = torch.rand(batch, m, device=targets.device).argsort(dim=1).argsort(dim=1)  # [B, m]
        count = torch.randint(1, m + 1, (batch, 1), device=targets.device)  # [B, 1] digits to mask
        masked = (rank < count)[:, None, :]  # [B, V=1, m]
    else:
        if config.masking == "ocn":
            order = confidence_order(model, memory)  # [B, m]
        else:
            order = torch.rand(batch, m, device=targets.device).argsort(dim=1)  # [B, m]
        masked = nested_masks(order)  # [B, V, m]
    labels = targets[:, None, :].expand_as(masked)  # [B, V, m]
    logits = model.decode(memory, torch.where(masked, MASKED, labels))  # [B, V, m, 256]
    ce = F.cross_entropy(
        logits.reshape(-1, CODEBOOK),  # [B·V·m, 256]
        labels.reshape(-1),  # [B·V·m]
        label_smoothing=config.label_smoothing,
        reduction="none",
    ).view_as(masked)  # [B, V, m]
    ce = ce * masked
    if config.weighting == "nested":
        return ce.sum() / masked.sum()
    per_digit = ce.sum(dim=1) / masked.sum(dim=1)  # [B, m]; every digit is masked in >= 1 view
    return per_digit.mean()
