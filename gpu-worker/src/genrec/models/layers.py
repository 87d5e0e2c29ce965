"""Layers shared by the sequence models (SASRec, eSASRec, RPG)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention under a boolean mask [B, 1, l, l] (True = may attend), with
    dropout on the attention weights and on the output projection."""

    def __init__(self, d: int, n_heads: int, attn_dropout: float, resid_dropout: float) -> None:
        super().__init__()
        assert d % n_heads == 0, "d must split evenly across heads"
        self.n_heads, self.attn_dropout = n_heads, attn_dropout
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.resid_dropout = nn.Dropout(resid_dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        batch, length, d = x.shape  # [B, l, d]
        q, k, v = self.qkv(x).split(d, dim=2)  # 3 x [B, l, d]
        # [B, l, d] -> [B, h, l, d/h]
        q, k, v = (t.view(batch, length, self.n_heads, d // self.n_heads).transpose(1, 2) for t in (q, k, v))
        p = self.attn_dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # [B, h, l, d/h]
        y = y.transpose(1, 2).reshape(batch, length, d)  # [B, l, d]
        return self.resid_dropout(self.proj(y))
