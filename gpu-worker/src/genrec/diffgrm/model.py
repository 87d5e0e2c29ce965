"""DiffGRM (ALGORITHMS.md §3): a history encoder and a 4-slot masked-diffusion decoder over PSE SIDs.

One embedding table holds every digit token (digit d, code c = token 256·d + c), a padding token and
one learned mask token per digit; it is tied to the output: digit d's logits are the decoder's
hidden state at slot d times the 256 embeddings of digit d. A history item is MLP(concat of its m
digit embeddings) plus a learned position (the newest item always gets position L-1, whatever the
left padding); a pre-LN bidirectional encoder reads the history with a key-padding mask.

The decoder has m slots, one per digit, without positions (the slot's token says which digit it
is): a slot holds its digit's token embedding when revealed, else its digit's mask embedding.
Blocks are pre-LN: non-causal self-attention over the m slots, cross-attention to the encoder,
FFN; a final LayerNorm. The encoder's keys/values are computed once per user (``Memory``) and
reused by every decoder pass (OCN's views, CPD's steps).

Decoder inputs are grouped by user: codes [U, V, m] (V = views in training, beams in decoding), so
cross-attention runs as one sequence of V·m queries per user against that user's keys (no copy of
the memory per beam). Read top-down: blocks, config, model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from genrec.data.split import MAX_LEN
from genrec.models.functional import crop_left_padding
from genrec.models.layers import FeedForward, SelfAttention, merge_heads, split_heads

CODEBOOK = 256
MASKED = -1  # a code of -1 in decoder inputs = that digit is masked


class CrossAttention(nn.Module):
    """Decoder slots read the encoder; ``memory`` turns encoder states into cached keys/values."""

    def __init__(self, d: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.n_heads, self.attn_dropout = n_heads, dropout
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.proj = nn.Linear(d, d)
        self.dropout = nn.Dropout(dropout)

    def memory(self, enc: Tensor) -> tuple[Tensor, Tensor]:
        k, v = self.kv(enc).chunk(2, dim=2)  # 2 x [U, L, d]
        return split_heads(k, self.n_heads), split_heads(v, self.n_heads)  # 2 x [U, h, L, d/h]

    def forward(self, x: Tensor, kv: tuple[Tensor, Tensor], mask: Tensor) -> Tensor:
        q = split_heads(self.q(x), self.n_heads)  # [U, h, V·m, d/h]
        p = self.attn_dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, kv[0], kv[1], attn_mask=mask, dropout_p=p)  # [U, h, V·m, d/h]
        return self.dropout(self.proj(merge_heads(y)))


class EncoderBlock(nn.Module):
    def __init__(self, d: int, n_heads: int, d_ffn: int, dropout: float) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = SelfAttention(d, n_heads, dropout, dropout)
        self.ffn = FeedForward(d, d_ffn, dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x), mask)
        return x + self.ffn(self.ln2(x))


class DecoderBlock(nn.Module):
    def __init__(self, d: int, n_heads: int, d_ffn: int, dropout: float) -> None:
        super().__init__()
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = SelfAttention(d, n_heads, dropout, dropout)
        self.cross = CrossAttention(d, n_heads, dropout)
        self.ffn = FeedForward(d, d_ffn, dropout)

    def forward(self, x: Tensor, kv: tuple[Tensor, Tensor], mask: Tensor) -> Tensor:
        users, views, m, d = x.shape  # [U, V, m, d]
        h = self.self_attn(self.ln1(x).view(users * views, m, d))  # non-causal within one view: [U·V, m, d]
        x = x + h.view(users, views, m, d)  # [U·V, m, d] -> [U, V, m, d]
        h = self.cross(self.ln2(x).view(users, views * m, d), kv, mask)  # one user's slots: [U, V·m, d]
        x = x + h.view(users, views, m, d)  # [U, V·m, d] -> [U, V, m, d]
        return x + self.ffn(self.ln3(x))


@dataclass(frozen=True)
class DiffGRMConfig:
    n_digits: int = 4  # m, from the SID table
    d: int = 256
    n_heads: int = 4
    d_ffn: int = 1024
    n_enc_layers: int = 1
    n_dec_layers: int = 4
    dropout: float = 0.1
    max_len: int = MAX_LEN  # learned history positions
    # Digit code embeddings at init: random | centroids (code c of digit k = the PSE quantiser's
    # centroid c of sub-space k, projected to d, at the random init's mean norm; see ``centroid_init``)
    code_init: str = "random"

    def __post_init__(self) -> None:
        assert self.code_init in ("random", "centroids"), f"model.code_init: {self.code_init!r}"
        assert self.d % self.n_heads == 0, "d must split evenly across heads"
        assert min(self.n_digits, self.n_enc_layers, self.n_dec_layers, self.max_len) >= 1


class Memory(NamedTuple):
    """What the decoder needs from the encoder, computed once per user batch."""

    kv: list[tuple[Tensor, Tensor]]  # per decoder layer: keys and values [U, h, L, d/h]
    mask: Tensor  # [U, 1, 1, L] True = a real history item


class DiffGRM(nn.Module):
    def __init__(
        self, config: DiffGRMConfig, sids: np.ndarray | Tensor, code_vectors: np.ndarray | None = None
    ) -> None:
        """``code_vectors`` [m, 256, D/m]: the SID quantiser's centroids (genrec.sid.table), used when
        ``config.code_init == "centroids"``; a model about to load trained weights needs none."""
        super().__init__()
        sids = torch.as_tensor(np.asarray(sids)).long()  # [N+1, m]
        assert sids.ndim == 2 and sids.shape[1] == config.n_digits, (sids.shape, config.n_digits)
        assert int(sids.max()) < CODEBOOK and not sids[0].any(), "codes < 256, row 0 = padding"
        self.config = config
        m, d = config.n_digits, config.d
        self.pad_token = m * CODEBOOK
        self.register_buffer("digit_offsets", torch.arange(m) * CODEBOOK, persistent=False)  # [m]
        self.register_buffer("mask_tokens", m * CODEBOOK + 1 + torch.arange(m), persistent=False)  # [m]
        item_tokens = sids + self.digit_offsets  # [N+1, m]
        item_tokens[0] = self.pad_token
        self.register_buffer("item_tokens", item_tokens, persistent=False)
        self.tokens = nn.Embedding(m * CODEBOOK + 1 + m, d)  # digit codes, padding, mask per digit
        self.item_mlp = nn.Sequential(nn.Linear(m * d, d), nn.ReLU(), nn.Linear(d, d))
        self.positions = nn.Embedding(config.max_len, d)
        self.dropout = nn.Dropout(config.dropout)
        args = (d, config.n_heads, config.d_ffn, config.dropout)
        self.encoder = nn.ModuleList(EncoderBlock(*args) for _ in range(config.n_enc_layers))
        self.enc_ln = nn.LayerNorm(d)
        self.decoder = nn.ModuleList(DecoderBlock(*args) for _ in range(config.n_dec_layers))
        self.dec_ln = nn.LayerNorm(d)
        self.apply(self._init_weights)
        if config.code_init == "centroids" and code_vectors is not None:
            with torch.no_grad():
                self.tokens.weight[: m * CODEBOOK] = centroid_init(code_vectors, d)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    @property
    def n_items(self) -> int:
        return self.item_tokens.shape[0] - 1

    def sid_table(self) -> np.ndarray:
        """uint8 [N+1, m], row 0 = zeros: the SIDs this model was built with."""
        sids = (self.item_tokens - self.digit_offsets).clamp(min=0)
        sids[0] = 0
        return sids.to("cpu", torch.uint8).numpy()

    def encode(self, histories: Tensor) -> Memory:
        """histories [U, L] item rows, left-padded with 0, >= 1 item each -> the decoder's Memory."""
        assert histories.ndim == 2 and histories.shape[1] <= self.config.max_len, histories.shape
        assert bool((histories != 0).any(dim=1).all()), "every history needs at least one item"
        histories, _ = crop_left_padding(histories)  # [U, l]: drop columns that are all padding
        users, length = histories.shape
        m, d = self.config.n_digits, self.config.d
        tokens = self.tokens(self.item_tokens[histories])  # [U, l, m, d]
        x = self.item_mlp(tokens.view(users, length, m * d))  # concat the digits: [U, l, m·d] -> [U, l, d]
        first = self.config.max_len - length  # newest item at position max_len - 1
        x = self.dropout(x + self.positions(torch.arange(first, first + length, device=x.device)))
        mask = (histories != 0)[:, None, None, :]  # [U, 1, 1, l]
        for block in self.encoder:
            x = block(x, mask)
        x = self.enc_ln(x)
        return Memory([block.cross.memory(x) for block in self.decoder], mask)

    def decode(self, memory: Memory, codes: Tensor) -> Tensor:
        """codes [U, V, m] int64 (a code, or MASKED) -> logits [U, V, m, 256] per digit."""
        users, _, m = codes.shape
        assert m == self.config.n_digits and users == memory.mask.shape[0], (codes.shape, memory.mask.shape)
        masked = codes == MASKED
        tokens = torch.where(masked, self.mask_tokens, codes + self.digit_offsets)  # [U, V, m]
        x = self.tokens(tokens)  # [U, V, m, d]
        for block, kv in zip(self.decoder, memory.kv, strict=True):
            x = block(x, kv, memory.mask)
        x = self.dec_ln(x)
        # tied output: the digit tokens' embeddings [m·256, d] -> [m, 256, d]
        codebooks = self.tokens.weight[: m * CODEBOOK].view(m, CODEBOOK, -1)  # [m, 256, d]
        return torch.einsum("uvmd,mcd->uvmc", x, codebooks)  # [U, V, m, 256]


def centroid_init(code_vectors: np.ndarray, d: int, std: float = 0.02) -> Tensor:
    """Code embeddings [m*256, d] from the quantiser's centroids [m, 256, dsub]: each digit's centroids
    as they are when dsub == d (PSE's 4 x 64 = 256-d space at d 64, so an item's 4 concatenated code
    embeddings are its reconstruction), a seeded Gaussian projection when dsub > d, zero-padded when
    dsub < d; scaled to the mean norm of the random init (std * sqrt(d)) so logits start at the same
    scale."""
    m, codebook, dsub = code_vectors.shape
    vectors = torch.from_numpy(np.ascontiguousarray(code_vectors)).reshape(
        m * codebook, dsub
    )  # [m*256, dsub]
    if dsub > d:
        generator = torch.Generator().manual_seed(dsub * 7919 + d)
        vectors = vectors @ torch.randn(dsub, d, generator=generator) / d**0.5  # [m*256, d]
    elif dsub < d:
        vectors = torch.cat([vectors, torch.zeros(m * codebook, d - dsub)], dim=1)  # [m*256, d]
    return vectors * (std * d**0.5 / vectors.norm(dim=1).mean().clamp(min=1e-12))
