"""Layers shared by the sequence models (SASRec, eSASRec, RPG, DiffGRM)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


def split_heads(x: Tensor, n_heads: int) -> Tensor:
    batch, length, d = x.shape
    return x.view(batch, length, n_heads, d // n_heads).transpose(1, 2)  # [B, l, d] -> [B, h, l, d/h]


def merge_heads(x: Tensor) -> Tensor:
    batch, n_heads, length, dh = x.shape
    return x.transpose(1, 2).reshape(batch, length, n_heads * dh)  # [B, h, l, d/h] -> [B, l, d]


class SelfAttention(nn.Module):
    """Multi-head self-attention under the caller's boolean mask (True = may attend; causal for
    SASRec and RPG, key padding only for DiffGRM's encoder and decoder), with dropout on the
    attention weights and on the output projection."""

    def __init__(self, d: int, n_heads: int, attn_dropout: float, resid_dropout: float) -> None:
        super().__init__()
        assert d % n_heads == 0, "d must split evenly across heads"
        self.n_heads, self.attn_dropout = n_heads, attn_dropout
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.resid_dropout = nn.Dropout(resid_dropout)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        q, k, v = (split_heads(t, self.n_heads) for t in self.qkv(x).chunk(3, dim=2))  # 3 x [B, h, l, d/h]
        p = self.attn_dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # [B, h, l, d/h]
        return self.resid_dropout(self.proj(merge_heads(y)))  # [B, l, d]


class FeedForward(nn.Module):
    """Linear(d -> d_ffn), GELU, Linear(d_ffn -> d), dropout. ``gelu="tanh"`` is GPT-2's gelu_new."""

    def __init__(self, d: int, d_ffn: int, dropout: float, gelu: str = "none") -> None:
        super().__init__()
        self.fc = nn.Linear(d, d_ffn)
        self.proj = nn.Linear(d_ffn, d)
        self.dropout = nn.Dropout(dropout)
        self.gelu = gelu

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x), approximate=self.gelu)))  # [B, l, d]
