"""eSASRec (Tikhonovich et al., RecSys 2025) as in ALGORITHMS.md §4.

SASRec's embeddings and causal attention with LiGR blocks (LinkedIn's "From Features to
Transformers"): pre-LN attention and a SwiGLU feed-forward, each added back through a gated
residual ``x + sigmoid(W x + b) * dropout(f(ln(x)))`` whose gate reads the un-normalised stream.
No final LayerNorm. Trained with a sampled softmax: at every labelled position the positive
competes with 256 negatives drawn uniformly from the catalogue, with no logQ correction
(``n_negatives = 0``: a full softmax over every item instead, an experiment beyond the paper).
Read top-down: blocks, config, model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from genrec.data.split import MAX_LEN
from genrec.models import functional as fn
from genrec.models.base import Batch, SeqRecModel
from genrec.models.layers import SelfAttention
from genrec.models.sasrec import init_weights


class SwiGLU(nn.Module):
    """down(dropout(silu(gate(x)) * up(x))), bias-free as in LiGR."""

    def __init__(self, d: int, ffn_mult: int, dropout: float) -> None:
        super().__init__()
        self.gate = nn.Linear(d, ffn_mult * d, bias=False)
        self.up = nn.Linear(d, ffn_mult * d, bias=False)
        self.down = nn.Linear(ffn_mult * d, d, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.down(self.dropout(F.silu(self.gate(x)) * self.up(x)))  # [B, l, d]


class LiGRBlock(nn.Module):
    def __init__(self, d: int, n_heads: int, ffn_mult: int, dropout: float) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = SelfAttention(d, n_heads, dropout, dropout)  # output dropout = LiGR's dropout_1
        self.gate_1 = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.ffn = SwiGLU(d, ffn_mult, dropout)
        self.ffn_dropout = nn.Dropout(dropout)
        self.gate_2 = nn.Linear(d, d)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        x = x + torch.sigmoid(self.gate_1(x)) * self.attn(self.ln_1(x), mask)  # [B, l, d]
        return x + torch.sigmoid(self.gate_2(x)) * self.ffn_dropout(self.ffn(self.ln_2(x)))


@dataclass(frozen=True)
class ESASRecConfig:
    d: int = 256
    n_layers: int = 1
    n_heads: int = 1
    ffn_mult: int = 4  # SwiGLU hidden = ffn_mult * d
    dropout: float = 0.2
    n_negatives: int = 256  # uniform negatives per labelled position; 0 = full softmax over all items
    max_len: int = MAX_LEN


class ESASRec(SeqRecModel):
    def __init__(self, config: ESASRecConfig, n_items: int) -> None:
        super().__init__(n_items)
        self.config = config
        self.item_emb = nn.Embedding(n_items + 1, config.d, padding_idx=0)
        self.pos_emb = nn.Embedding(config.max_len, config.d)
        self.emb_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            LiGRBlock(config.d, config.n_heads, config.ffn_mult, config.dropout)
            for _ in range(config.n_layers)
        )
        self.apply(init_weights)

    def forward(self, inputs: Tensor, crop: bool = True) -> tuple[Tensor, int]:
        """Hidden states [B, l, d] for the cropped inputs, and the crop offset."""
        assert inputs.shape[1] <= self.config.max_len, f"history longer than max_len {self.config.max_len}"
        # the crop is data-dependent: the ONNX export (crop=False) keeps every column
        inputs, offset = fn.crop_left_padding(inputs) if crop else (inputs, 0)  # [B, l]
        base = self.config.max_len - inputs.shape[1]
        positions = torch.arange(base, self.config.max_len, device=inputs.device)  # [l]
        x = self.emb_dropout(self.item_emb(inputs) + self.pos_emb(positions))  # [B, l, d]
        mask = fn.attention_mask(inputs)  # [B, 1, l, l]
        for block in self.blocks:
            x = block(x, mask)
        return x, offset

    def calculate_loss(self, batch: Batch) -> Tensor:
        hidden, offset = self(batch.inputs)  # [B, l, d]
        labels = batch.labels[:, offset:]  # [B, l]
        labelled = labels > 0
        h = hidden[labelled]  # [P, d]
        targets = labels[labelled]  # [P]
        if self.config.n_negatives == 0:  # beyond the paper: every item is a negative, as in SASRec here
            return fn.full_softmax_loss(h, self.item_emb.weight, targets)
        negatives = fn.uniform_negatives((len(targets), self.config.n_negatives), self.n_items, h.device)
        pos_logits = (h * self.item_emb(targets)).sum(-1)  # [P]
        # [P, K, d] @ [P, d, 1] -> [P, K, 1] -> [P, K]
        neg_logits = torch.bmm(self.item_emb(negatives), h[:, :, None]).squeeze(-1)
        return fn.sampled_softmax_loss(pos_logits, neg_logits)

    def score_all(self, histories: Tensor) -> Tensor:
        hidden, _ = self(histories)
        return self.scores_with_padding(hidden[:, -1] @ self.item_emb.weight[1:].T)  # [B, N+1]
