"""SASRec (Kang & McAuley 2018) with full-softmax cross-entropy, as in ALGORITHMS.md §4.

Item-ID embeddings + learned positions -> causal self-attention blocks -> dot product with the
(tied) item embeddings. Every position predicts the next item; the loss is a softmax over all N
items at every labelled position. Pre-LN blocks with a GELU MLP and a final LayerNorm; the sizes
of the common S3-Rec setup are the defaults (d 64, 2 blocks, 2 heads). Read top-down: blocks,
config, model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from genrec.data.split import MAX_LEN
from genrec.models.base import Batch, SeqRecModel
from genrec.models.functional import attention_mask, crop_left_padding, full_softmax_loss
from genrec.models.layers import FeedForward, SelfAttention


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, d: int, n_heads: int, ffn_mult: int, dropout: float) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = SelfAttention(d, n_heads, dropout, dropout)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = FeedForward(d, ffn_mult * d, dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


def init_weights(module: nn.Module) -> None:
    """N(0, 0.02) weights, zero biases, zero padding embedding (BERT / S3-Rec initialisation)."""
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)
        if module.padding_idx is not None:
            nn.init.zeros_(module.weight[module.padding_idx])


@dataclass(frozen=True)
class SASRecConfig:
    d: int = 64  # embedding and hidden size
    n_layers: int = 2
    n_heads: int = 2
    ffn_mult: int = 4  # MLP hidden = ffn_mult * d
    dropout: float = 0.5  # embeddings, attention probabilities, residual branches
    max_len: int = MAX_LEN  # history length = number of learned positions


class SASRec(SeqRecModel):
    def __init__(self, config: SASRecConfig, n_items: int) -> None:
        super().__init__(n_items)
        self.config = config
        self.item_emb = nn.Embedding(n_items + 1, config.d, padding_idx=0)
        self.pos_emb = nn.Embedding(config.max_len, config.d)
        self.emb_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            Block(config.d, config.n_heads, config.ffn_mult, config.dropout) for _ in range(config.n_layers)
        )
        self.ln_f = nn.LayerNorm(config.d)
        self.apply(init_weights)

    def forward(self, inputs: Tensor, crop: bool = True) -> tuple[Tensor, int]:
        """Hidden states [B, l, d] for the cropped inputs, and the crop offset (see crop_left_padding)."""
        assert inputs.shape[1] <= self.config.max_len, f"history longer than max_len {self.config.max_len}"
        # the crop is data-dependent: the ONNX export (crop=False) keeps every column
        inputs, offset = crop_left_padding(inputs) if crop else (inputs, 0)  # [B, l]
        base = self.config.max_len - inputs.shape[1]  # newest item always gets position max_len - 1
        positions = torch.arange(base, self.config.max_len, device=inputs.device)  # [l]
        x = self.emb_dropout(self.item_emb(inputs) + self.pos_emb(positions))  # [B, l, d]
        mask = attention_mask(inputs)  # [B, 1, l, l]
        for block in self.blocks:
            x = block(x, mask)
        return self.ln_f(x), offset  # [B, l, d]

    def calculate_loss(self, batch: Batch) -> Tensor:
        hidden, offset = self(batch.inputs)  # [B, l, d]
        labels = batch.labels[:, offset:]  # [B, l]
        labelled = labels > 0
        return full_softmax_loss(hidden[labelled], self.item_emb.weight, labels[labelled])

    def score_all(self, histories: Tensor) -> Tensor:
        hidden, _ = self(histories)
        last = hidden[:, -1]  # [B, d], the newest position
        return self.scores_with_padding(last @ self.item_emb.weight[1:].T)  # [B, N+1]
