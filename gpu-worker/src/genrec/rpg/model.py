"""RPG (Hou et al., KDD'25): long unordered semantic IDs predicted in parallel (ALGORITHMS.md §2).

Each item is a tuple of m codes (one per digit, 256 codes each); digit d, code c is token 256·d + c
of ONE shared embedding table. A history item is the mean of its m token embeddings; learned
absolute positions are added and a causal GPT-2 decoder reads the sequence. Per digit, a residual
head ``h + SiLU(W_d h)`` (W_d zero-initialised) maps the hidden state into digit d's space, and the
digit's logits are cosines with the (tied, L2-normalised) code embeddings over a temperature τ.
Training is multi-token prediction: cross-entropy per digit, averaged over digits and positions.
Beyond the paper (each off by default; new weights start at zero, so the model starts as RPG):
``item_negatives`` K > 0 adds an item-level sampled softmax on the same logits (``sampled_item_loss``):
the per-digit loss never compares whole items, the ranking does; ``history_negatives`` puts each
position's own history in that softmax; ``full_item_rows`` adds one over all N items at a few
positions per batch; ``item_ids`` adds an item-ID embedding to each history
item's input (outputs stay SIDs); ``text_head`` (and ``text_last``) add a trained term from the
items' frozen text vectors to every item's score; ``repeat_bias`` learns a score offset for the
history's own items. ``score_all`` is the one ranking that holds them all.

Positions follow GPT-2 (and the authors' right-padded batches): the oldest item in the window gets
position 0, whatever the left padding. ``user_logprobs`` is the serving contract (exported to ONNX):
histories [B, L] -> log-softmax per digit [B, m, 256]. Read top-down: blocks, config, model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from genrec.data.split import MAX_LEN
from genrec.embed import TEXT_SOURCES
from genrec.models.base import Batch, SeqRecModel
from genrec.models.functional import attention_mask, crop_left_padding
from genrec.models.layers import FeedForward, SelfAttention

CODEBOOK = 256
CODE_INITS = ("random", "centroids")
TEXT_HEADS = ("", *TEXT_SOURCES)  # "" = off


class Block(nn.Module):
    """GPT-2 block (pre-LN): x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(
        self, d: int, n_heads: int, d_ffn: int, attn_dropout: float, resid_dropout: float, eps: float
    ):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = SelfAttention(d, n_heads, attn_dropout, resid_dropout)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = FeedForward(d, d_ffn, resid_dropout, gelu="tanh")  # GPT-2's gelu_new

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class DigitHeads(nn.Module):
    """m residual heads ``h + SiLU(W_d h + b_d)``, as one matmul so it exports (and int8-quantizes) as one."""

    def __init__(self, d: int, n_digits: int) -> None:
        super().__init__()
        self.n_digits = n_digits
        self.proj = nn.Linear(d, n_digits * d)
        nn.init.zeros_(self.proj.weight)  # zero-init: every head starts as the identity
        nn.init.zeros_(self.proj.bias)

    def forward(self, h: Tensor) -> Tensor:
        """hidden [P, d] -> per-digit states [m, P, d] (digit-major: the layout the logits need)."""
        rows, d = h.shape  # [P, d]
        out = F.silu(self.proj(h)).view(rows, self.n_digits, d).transpose(0, 1)  # [P, m*d] -> [m, P, d]
        return h[None, :, :] + out  # [m, P, d]


@dataclass(frozen=True)
class RPGConfig:
    n_digits: int = 32  # m: SID length; must equal the SID table's width
    d: int = 448
    n_layers: int = 2
    n_heads: int = 4
    d_ffn: int = 1024
    emb_dropout: float = 0.5
    attn_dropout: float = 0.5
    resid_dropout: float = 0.0
    ln_eps: float = 1e-12
    init_std: float = 0.02
    temperature: float = 0.03  # τ of the cosine logits
    max_len: int = MAX_LEN  # number of learned positions
    # Code embeddings at init: random (the paper) | centroids (each digit's PQ centroid in its own
    # block of the quantiser's space, so an item's mean input is its reconstruction; see
    # ``centroid_init``), scaled so that items' mean input norm is ``code_init_norm``.
    code_init: str = "random"
    code_init_norm: float = 0.3
    # Beyond the paper: K > 0 adds a softmax over each target item and K items drawn uniformly per
    # step (shared by the batch), weighted ``item_loss_weight``, to the per-digit loss. 0 = the paper.
    item_negatives: int = 0
    item_loss_weight: float = 1.0
    # Beyond the paper: the item softmax also holds, for each position, the items already in its
    # history (the position's own input and everything before it) as negatives, so the model learns
    # that a user does not take an item twice (no Amazon 5-core user reviews an item twice) instead of
    # leaving it to a seen-item filter; it turns the item loss on even with item_negatives 0.
    history_negatives: bool = False
    # Beyond the paper: R > 0 adds, weighted ``item_loss_weight``, a softmax over ALL N items (the
    # ranking of ``score_all``, every option included) at R labelled positions drawn per batch. The K
    # uniform negatives above rarely hold the target's near neighbours (the items that compete with it
    # in the ranking); the full softmax always does, and for R rows it costs one embedding bag over
    # the score tables and one [R, D] x [D, N] product.
    full_item_rows: int = 0
    # Beyond the paper: an item-ID embedding added to the mean of the item's code embeddings on the
    # input side only (the output stays the SID digits, so decoding and serving do not change). It
    # starts at zero, so the model starts as RPG, and an item never trained (a cold item) keeps a
    # zero row and is read from its SID alone.
    item_ids: bool = False
    # Beyond the paper: "meta" or "phrase" adds a trained text term to every item's score, the dot
    # product of a projection of the user state (d -> D, zero-initialised, so training starts as RPG)
    # with the item's frozen unit text embedding (MiniLM over that text, as the content kNN). The item
    # loss trains it (item_negatives, history_negatives or full_item_rows). ``score_all`` includes it, and
    # the export serves it (a second ONNX output, the query, and the items' vectors; TextExport).
    text_head: str = ""
    # With text_head: the text query also holds a learned linear map (D x D, zero-initialised) of the
    # last history item's text vector, so the term can learn content-kNN-like transitions directly.
    text_last: bool = False
    # Beyond the paper: a learned scalar added to the score of every item already in the user's
    # history (seen-item handling, ALGORITHMS.md §5). It starts at 0 and is trained through the history
    # negatives or the full item softmax, so the model learns from the data how likely a repeat is
    # (on Amazon 5-core, never) instead of the evaluation filtering seen items; ``score_all`` applies it.
    repeat_bias: bool = False

    def __post_init__(self) -> None:
        assert self.code_init in CODE_INITS, f"model.code_init must be one of {CODE_INITS}"
        assert self.item_negatives >= 0, "model.item_negatives must be >= 0"
        assert self.full_item_rows >= 0, "model.full_item_rows must be >= 0"
        assert self.text_head in TEXT_HEADS, f"model.text_head must be one of {TEXT_HEADS}"
        assert not self.text_head or self.item_negatives or self.history_negatives or self.full_item_rows, (
            "model.text_head is trained by the item loss: set model.item_negatives, model.history_negatives"
            " or model.full_item_rows"
        )
        assert not self.text_last or self.text_head, "model.text_last needs model.text_head"
        assert not self.repeat_bias or self.history_negatives or self.full_item_rows, (
            "model.repeat_bias is trained by history items as negatives: set model.history_negatives"
            " or model.full_item_rows"
        )


class RPG(SeqRecModel):
    """RPG over items 1..N whose SIDs are ``sids`` uint8 [N+1, m] (row 0 = padding, never used)."""

    def __init__(
        self,
        config: RPGConfig,
        sids: np.ndarray | Tensor,
        code_vectors: np.ndarray | None = None,
        text_vectors: np.ndarray | Tensor | None = None,
    ) -> None:
        """``code_vectors`` [m, 256, D]: the quantiser's centroids per digit (genrec.sid.table), used
        when ``config.code_init == "centroids"``; a model about to load trained weights needs none.
        ``text_vectors`` [N+1, D]: the items' unit text embeddings (row 0 zero), required with
        ``config.text_head`` (genrec.models.content_knn.item_vectors; a checkpoint holds them too)."""
        sids = torch.as_tensor(np.asarray(sids), dtype=torch.int64)
        assert sids.ndim == 2 and sids.shape[1] == config.n_digits, (tuple(sids.shape), config.n_digits)
        assert int(sids.min()) >= 0 and int(sids.max()) < CODEBOOK
        super().__init__(sids.shape[0] - 1)
        self.config = config
        m = config.n_digits
        # The SID table itself (uint8) is a buffer: the ONNX export bakes it in as a constant gather.
        self.register_buffer("sids", sids.to(torch.uint8))  # [N+1, m]
        self.register_buffer("digit_offsets", torch.arange(m) * CODEBOOK, persistent=False)  # [m]
        self.tok_emb = nn.Embedding(m * CODEBOOK, config.d)
        self.pos_emb = nn.Embedding(config.max_len, config.d)
        self.emb_dropout = nn.Dropout(config.emb_dropout)
        self.blocks = nn.ModuleList(
            Block(
                config.d,
                config.n_heads,
                config.d_ffn,
                config.attn_dropout,
                config.resid_dropout,
                config.ln_eps,
            )
            for _ in range(config.n_layers)
        )
        self.ln_f = nn.LayerNorm(config.d, eps=config.ln_eps)
        self.heads = DigitHeads(config.d, m)
        self._init_weights()
        if config.code_init == "centroids" and code_vectors is not None:
            with torch.no_grad():
                self.tok_emb.weight.copy_(centroid_init(code_vectors, sids, config))
        # Built last, at zero: every other weight is drawn exactly as without it.
        self.id_emb = nn.Embedding(self.n_items + 1, config.d, padding_idx=0) if config.item_ids else None
        if self.id_emb is not None:
            nn.init.zeros_(self.id_emb.weight)
        self.text_proj: nn.Linear | None = None
        if config.text_head:
            assert text_vectors is not None, "model.text_head needs the items' text vectors"
            vectors = torch.as_tensor(np.asarray(text_vectors), dtype=torch.float32)
            assert vectors.ndim == 2 and len(vectors) == len(sids), (tuple(vectors.shape), len(sids))
            self.register_buffer("text_vectors", vectors)  # [N+1, D], saved with the weights
            self.text_proj = nn.Linear(config.d, vectors.shape[1])
            nn.init.zeros_(self.text_proj.weight)  # the text term starts at 0: training starts as RPG
            nn.init.zeros_(self.text_proj.bias)
        self.text_last: nn.Linear | None = None
        if config.text_last:
            dim = self.text_vectors.shape[1]
            self.text_last = nn.Linear(dim, dim, bias=False)
            nn.init.zeros_(self.text_last.weight)
        self.repeat = nn.Parameter(torch.zeros(())) if config.repeat_bias else None  # the repeat bias

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear) and module is not self.heads.proj:
                nn.init.normal_(module.weight, std=self.config.init_std)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=self.config.init_std)

    # --- encoder -------------------------------------------------------------------------------------
    def item_embeddings(self, items: Tensor) -> Tensor:
        """Mean of each item's m token embeddings (+ its ID embedding with ``item_ids``): [B, l] -> [B, l, d].

        Training uses an embedding bag (never materialises [B, l, m, d], nor its gradient); the ONNX
        export, which has no EmbeddingBag op, gathers and averages, the same numbers.
        """
        batch, length = items.shape
        tokens = self.item_tokens(items)  # [B, l, m]
        if torch.onnx.is_in_onnx_export():
            codes = self.tok_emb(tokens).mean(dim=2)  # [B, l, m, d] -> [B, l, d]
        else:
            bags = F.embedding_bag(tokens.view(batch * length, -1), self.tok_emb.weight, mode="mean")
            codes = bags.view(batch, length, -1)  # [B*l, d] -> [B, l, d]
        return codes if self.id_emb is None else codes + self.id_emb(items)  # [B, l, d]

    def forward(self, histories: Tensor, crop: bool = True) -> tuple[Tensor, int]:
        """Hidden states [B, l, d] and the crop offset (l = L - offset; ``crop=False`` keeps l = L).

        Cropping the all-padding left columns changes nothing (padding keys are masked and positions
        count from each row's oldest item) but saves most of the work on short Amazon histories;
        the ONNX export turns it off because the crop is data-dependent.
        """
        assert histories.ndim == 2 and histories.shape[1] <= self.config.max_len, tuple(histories.shape)
        offset = 0
        if crop:
            histories, offset = crop_left_padding(histories)  # [B, l]
        real = histories != 0  # [B, l]
        positions = (real.long().cumsum(dim=1) - 1).clamp(min=0)  # [B, l], oldest real item -> 0
        x = self.item_embeddings(histories) + self.pos_emb(positions)  # [B, l, d]
        x = self.emb_dropout(x)
        mask = attention_mask(histories)  # [B, 1, l, l]
        for block in self.blocks:
            x = block(x, mask)
        return self.ln_f(x), offset  # [B, l, d]

    def item_tokens(self, items: Tensor | None = None) -> Tensor:
        """Token ids 256·d + c (int64) of ``items`` [...] -> [..., m]; all rows [N+1, m] when None."""
        codes = self.sids if items is None else self.sids[items]  # [..., m] uint8
        return codes.long() + self.digit_offsets  # [..., m]

    def sid_table(self) -> np.ndarray:
        """The baked-in SIDs as codes: uint8 [N+1, m]."""
        return self.sids.cpu().numpy()

    # --- MTP head ------------------------------------------------------------------------------------
    def code_embeddings(self) -> Tensor:
        """L2-normalised code embeddings per digit, tied with the input table: [m, 256, d]."""
        m, d = self.config.n_digits, self.config.d
        return F.normalize(self.tok_emb.weight, dim=-1).view(m, CODEBOOK, d)  # [m*256, d] -> [m, 256, d]

    def digit_logits(self, h: Tensor) -> Tensor:
        """Cosine logits over τ, digit-major: hidden [P, d] -> [m, P, 256]."""
        heads = F.normalize(self.heads(h), dim=-1) / self.config.temperature  # [m, P, d], τ folded in
        codes = self.code_embeddings()  # [m, 256, d]
        return torch.bmm(heads, codes.transpose(1, 2))  # [m, P, d] @ [m, d, 256] -> [m, P, 256]

    def calculate_loss(self, batch: Batch) -> Tensor:
        """Mean over labelled positions and digits of the per-digit cross-entropy (+ the item term)."""
        hidden, offset = self(batch.inputs)  # [B, l, d]
        inputs, labels = batch.inputs[:, offset:], batch.labels[:, offset:]  # [B, l]
        labelled = labels > 0
        assert bool(labelled.any()), "a batch needs at least one labelled position"
        targets = labels[labelled]  # [P]
        states = hidden[labelled]  # [P, d]
        logits = self.digit_logits(states)  # [m, P, 256]
        codes = self.sids[targets].T.long()  # [P, m] -> [m, P]
        loss = F.cross_entropy(logits.reshape(-1, CODEBOOK), codes.reshape(-1))  # [m*P, 256] vs [m*P]
        if self.config.item_negatives or self.config.history_negatives:
            draws = (self.config.item_negatives,)
            negatives = torch.randint(1, self.n_items + 1, draws, device=targets.device)  # [K]
            seen = seen_items(inputs, labelled) if self.config.history_negatives else None  # [P, l]
            query = seen_text = None
            if self.text_proj is not None and seen is None:
                query = self.text_query(states, inputs[labelled])  # [P, D]
            elif self.text_proj is not None:  # seen items' term per sequence: [B, l, l], never [P, l, D]
                queries = self.text_query(hidden, inputs)  # [B, l, D]
                query = queries[labelled]  # [P, D]
                pairs = torch.bmm(queries, self.text_vectors[inputs].transpose(1, 2))  # [B, l, l]
                seen_text = pairs[labelled]  # [P, l], column j = the sequence's item j (masked as seen)
            item_loss = self.sampled_item_loss(logits, codes, targets, negatives, seen, query, seen_text)
            loss = loss + self.config.item_loss_weight * item_loss
        if self.config.full_item_rows:
            full_loss = self.full_item_loss(states, inputs, labelled, targets)
            loss = loss + self.config.item_loss_weight * full_loss
        return loss

    def full_item_loss(self, states: Tensor, inputs: Tensor, labelled: Tensor, targets: Tensor) -> Tensor:
        """Cross-entropy of ``score_all``'s ranking over all N items at ``full_item_rows`` of the P
        labelled positions, drawn without replacement: states [P, d], inputs and labelled [B, l],
        targets [P] -> scalar. Each row's repeat bias covers its own history (``seen_items``)."""
        rows = torch.randperm(len(targets), device=targets.device)[: self.config.full_item_rows]  # [R]
        history = seen_items(inputs, labelled)[rows] if self.repeat is not None else None  # [R, l]
        scores = self.item_scores(states[rows], inputs[labelled][rows], history)  # [R, N+1]
        return F.cross_entropy(scores, targets[rows])

    def sampled_item_loss(
        self,
        logits: Tensor,
        codes: Tensor,
        targets: Tensor,
        negatives: Tensor,
        seen: Tensor | None = None,
        query: Tensor | None = None,
        seen_text: Tensor | None = None,
    ) -> Tensor:
        """Cross-entropy of each target item against ``negatives`` [K] (shared by the P rows) and,
        with ``seen`` [P, l] (0 = none), each row's own history items.

        An item's logit is the mean of its digits' logits (+ ``query`` [P, D] · its text vector with
        the text head; ``seen_text`` [P, l] holds that term for ``seen`` when precomputed): RPG's
        ranking score, since the per-digit log-normalisers that ``score_all`` subtracts are the same
        for every item. A negative that is the row's own target is masked out.
        logits [m, P, 256], codes [m, P] (the targets') -> scalar.
        """
        m, rows, _ = logits.shape

        def item_logits(
            items: Tensor, item_codes: Tensor, exclude: bool = True, text: Tensor | None = None
        ) -> Tensor:
            """items [P|1, n] with codes [m, P, n] -> [P, n] (padding and, if ``exclude``, the row's
            own target at -inf)."""
            scores = logits.gather(2, item_codes).mean(dim=0)  # [m, P, n] -> [P, n]
            if query is not None and text is None:
                vectors = self.text_vectors[items]  # [P|1, n, D]
                shared = len(items) < rows  # one set for every row: a matmul, no [P, n, D] product
                text = query @ vectors[0].T if shared else torch.einsum("pd,pnd->pn", query, vectors)
            if text is not None:
                scores = scores + text  # [P, n]
            if not exclude:
                return scores
            return scores.masked_fill((items == 0) | (items == targets[:, None]), float("-inf"))

        positive = item_logits(targets[:, None], codes[:, :, None], exclude=False)  # [P, 1]: column 0
        shared = self.sids[negatives].T.long()[:, None, :].expand(m, rows, len(negatives))  # [m, P, K] view
        negative = item_logits(negatives[None, :], shared)  # [P, K]
        columns = [positive, negative]
        if seen is not None:
            history = item_logits(seen, self.sids[seen].long().permute(2, 0, 1), text=seen_text)  # [P, l]
            if self.repeat is not None:  # every seen item gets the bias, once (in the history columns)
                positive = positive + self.repeat * (seen == targets[:, None]).any(dim=1, keepdim=True)
                again = (negatives[None, :, None] == seen[:, None, :]).any(dim=2)  # [P, K]
                columns = [positive, negative.masked_fill(again, float("-inf")), history + self.repeat]
            else:
                columns.append(history)
        item_logits_all = torch.cat(columns, dim=1)  # [P, 1 + K (+ l)]
        return F.cross_entropy(item_logits_all, torch.zeros(rows, dtype=torch.long, device=logits.device))

    # --- serving contract ----------------------------------------------------------------------------
    def user_logprobs(self, histories: Tensor, crop: bool = True) -> Tensor:
        """Per-digit log-softmax at the newest position: histories [B, L] -> [B, m, 256]."""
        hidden, _ = self(histories, crop=crop)  # [B, l, d]
        return self.logprobs(hidden[:, -1])

    def text_query(self, h: Tensor, last: Tensor) -> Tensor:
        """The text head's query from user states [P, d] and their last items [P]: [P, D]."""
        return self.text_query_of(h, self.text_vectors[last])

    def text_query_of(self, h: Tensor, last_text: Tensor) -> Tensor:
        """The text head's query from user states [P, d] and their last items' text vectors [P, D]
        (what the served graph reads, so the vectors need not be baked into it): [P, D]."""
        assert self.text_proj is not None
        query = self.text_proj(h)  # [P, D]
        return query if self.text_last is None else query + self.text_last(last_text)

    def logprobs(self, h: Tensor) -> Tensor:
        """Per-digit log-softmax of user states [B, d] -> [B, m, 256]."""
        return F.log_softmax(self.digit_logits(h).transpose(0, 1), dim=-1)  # [m, B, 256] -> [B, m, 256]

    def score_all(self, histories: Tensor, dtype: torch.dtype = torch.float32) -> Tensor:
        """Exhaustive item scores of the newest position, in ``dtype``: histories [B, L] -> [B, N+1]."""
        hidden, _ = self(histories)  # [B, l, d]
        return self.item_scores(hidden[:, -1], histories[:, -1], histories, dtype)

    def item_scores(
        self, h: Tensor, last: Tensor, history: Tensor | None, dtype: torch.dtype = torch.float32
    ) -> Tensor:
        """Every item's score = mean over digits of the code log-probs (+ the text term with
        ``text_head``, + the repeat bias on ``history``'s items): user states [B, d], their last items
        [B] and histories [B, l] (0 = none) -> [B, N+1] in ``dtype``, column 0 -inf."""
        scores = table_scores(self.logprobs(h).to(dtype), self.item_tokens())  # [B, N+1]
        if self.text_proj is not None:
            query = self.text_query(h, last)  # [B, D]
            scores = scores + (query @ self.text_vectors.T).to(dtype)  # padding row 0: -inf + 0
        if self.repeat is not None and history is not None:  # scatter: an item seen twice gets it once
            scores = scores.scatter(1, history, scores.gather(1, history) + self.repeat.to(dtype))
        return scores


def seen_items(inputs: Tensor, labelled: Tensor) -> Tensor:
    """Each labelled position's history: inputs [B, l] and the mask ``labelled`` [B, l] -> [P, l],
    row p = its sequence's items up to and including the position's own input, 0 elsewhere."""
    rows, cols = labelled.nonzero(as_tuple=True)  # [P], [P] in the row-major order of x[labelled]
    window = torch.arange(inputs.shape[1], device=inputs.device)[None, :] <= cols[:, None]  # [P, l]
    return inputs[rows] * window  # [P, l]


def centroid_init(code_vectors: np.ndarray, sids: Tensor, config: RPGConfig) -> Tensor:
    """Token embeddings [m*256, d] that start RPG from the item text (ALGORITHMS.md §5).

    Code c of digit k becomes the D-vector holding PQ centroid c of sub-space k in block k and zeros
    elsewhere, so the mean of an item's m code vectors is its PQ reconstruction over m and the dot
    product of two items' inputs follows their text similarity. D-vectors go to the model width d
    by a seeded Gaussian projection (identity when d == D, zero-padded when d > D), then everything
    is scaled so that items' mean input norm is ``config.code_init_norm``.
    """
    m, codebook, dsub = code_vectors.shape
    assert (m, codebook) == (config.n_digits, CODEBOOK), (code_vectors.shape, config.n_digits)
    dim = m * dsub
    blocks = torch.zeros(m, CODEBOOK, dim)
    for k in range(m):
        blocks[k, :, k * dsub : (k + 1) * dsub] = torch.from_numpy(code_vectors[k])
    vectors = blocks.view(m * CODEBOOK, dim)  # [m*256, D]
    if config.d < dim:
        generator = torch.Generator().manual_seed(dim * 7919 + config.d)
        vectors = vectors @ torch.randn(dim, config.d, generator=generator) / config.d**0.5  # [m*256, d]
    elif config.d > dim:
        vectors = torch.cat([vectors, torch.zeros(m * CODEBOOK, config.d - dim)], dim=1)  # [m*256, d]
    tokens = sids[1:].long() + torch.arange(m) * CODEBOOK  # [N, m]
    items = vectors[tokens].mean(dim=1)  # [N, d]
    return vectors * (config.code_init_norm / items.norm(dim=1).mean().clamp(min=1e-12))


def table_scores(logprobs: Tensor, item_tokens: Tensor) -> Tensor:
    """Every item's score from score tables [B, m, 256] and token ids [N+1, m]: [B, N+1], column 0 -inf.

    An embedding bag over the transposed tables: item i's row is the mean of the m table rows its
    tokens name, each row holding all B users (contiguous reads, never [B, N, m] in memory).
    """
    batch, m, _ = logprobs.shape
    assert item_tokens.shape[1] == m, (tuple(item_tokens.shape), m)
    per_token = logprobs.reshape(batch, m * CODEBOOK).T.contiguous()  # [B, m*256] -> [m*256, B]
    scores = F.embedding_bag(item_tokens[1:], per_token, mode="mean").T  # [N, B] -> [B, N]
    pad = torch.full_like(scores[:, :1], float("-inf"))  # [B, 1]
    return torch.cat([pad, scores], dim=1)  # [B, N+1]


def sid_tokens(sids: np.ndarray | Tensor) -> Tensor:
    """SIDs [N+1, m] (codes) -> token ids 256·d + c [N+1, m] int64."""
    sids = torch.as_tensor(np.asarray(sids), dtype=torch.int64)
    return sids + torch.arange(sids.shape[1], dtype=torch.int64)[None, :] * CODEBOOK


class LogprobExport(nn.Module):
    """The exported graph: ``history`` int64 [B, L] -> ``logprobs`` float32 [B, m, 256] (no crop)."""

    def __init__(self, model: RPG) -> None:
        super().__init__()
        self.model = model

    def forward(self, history: Tensor) -> Tensor:
        return self.model.user_logprobs(history, crop=False)


class TextExport(nn.Module):
    """The exported graph of a set with a text term (docs/artifacts.md): ``history`` int64 [B, L]
    and, when the query reads it, ``last_text`` float32 [B, D] (the newest history item's text
    vector, 0 for none) -> ``logprobs`` [B, m, 256] and ``text_query`` [B, D]. An item's served score
    is then its mean code log-prob plus ``text_query · t_item``, as ``item_scores``.

    ``prior`` λ folds the content-kNN text prior of ``genrec.rpg.fuse`` (λ · t_last · t_item) into
    the query; it also serves a model without ``text_head`` (its query is then λ · t_last alone)."""

    def __init__(self, model: RPG, prior: float = 0.0) -> None:
        super().__init__()
        assert model.text_proj is not None or prior > 0, "nothing to export as a text term"
        self.model, self.prior = model, prior
        self.reads_last = reads_last_text(model, prior)

    def forward(self, history: Tensor, last_text: Tensor | None = None) -> tuple[Tensor, Tensor]:
        hidden, _ = self.model(history, crop=False)
        h = hidden[:, -1]  # [B, d]
        logprobs = self.model.logprobs(h)  # [B, m, 256]
        if self.model.text_proj is not None:
            query = self.model.text_query_of(h, last_text)  # reads last_text only with text_last
        else:
            query = torch.zeros_like(last_text)  # [B, D]
        if self.prior > 0:
            query = query + self.prior * last_text
        return logprobs, query  # [B, m, 256], [B, D]


def reads_last_text(model: RPG, prior: float) -> bool:
    """Whether the served query reads the newest history item's text vector (input ``last_text``):
    through the model's last-item map, or through a folded-in prior."""
    return model.text_last is not None or prior > 0
