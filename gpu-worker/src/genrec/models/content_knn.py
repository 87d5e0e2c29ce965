"""Content kNN: score every item by the cosine between its text embedding and the user's history.

Nothing is learned. The history vector is the recency-weighted sum of the history items' embeddings
(weight ``decay ** age``, age 0 = the last item; ``decay`` 0 keeps the last item only), and an item's
score is its dot product with that vector (embeddings are L2-normalised). The history's own items
score -inf by default (``exclude_history``): a query item is its own nearest neighbour, and no user
in the Amazon 5-core data reviews an item twice, so this is part of the model, not a change to the
evaluation protocol (which still ranks every item). It measures how much of
next-item prediction the item text alone carries, so it is the floor every generative model built
on the same text must clear (issue 14; ALGORITHMS.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from genrec.data.dataset import Dataset
from genrec.embed import DEFAULT_MODEL, TEMPLATE_STYLES, TEXT_SOURCES, embed_cached, source_text
from genrec.models.base import Batch, SeqRecModel


@dataclass(frozen=True)
class ContentKNNConfig:
    encoder: str = DEFAULT_MODEL  # a packaged sentence-transformers model (genrec.embed)
    text: str = "meta"  # meta = title, price, brand, categories | phrase = the short phrase
    template: str = "rpg"  # rpg (values joined) | diffgrm ("Title: ... Price: ...")
    decay: float = 0.0  # history weight decay ** age; 0 = the last item only
    exclude_history: bool = True  # never recommend an item of the history

    def __post_init__(self) -> None:
        if self.text not in TEXT_SOURCES:
            raise ValueError(f"model.text must be one of {TEXT_SOURCES}: {self.text!r}")
        if self.template not in TEMPLATE_STYLES:
            raise ValueError(f"model.template must be one of {TEMPLATE_STYLES}: {self.template!r}")
        if not 0.0 <= self.decay <= 1.0:
            raise ValueError(f"model.decay must be in [0, 1]: {self.decay}")


class ContentKNN(SeqRecModel):
    def __init__(self, config: ContentKNNConfig, vectors: Tensor) -> None:
        super().__init__(len(vectors) - 1)
        assert vectors.ndim == 2 and not vectors[0].any(), "vectors [N+1, D] with row 0 = padding"
        self.config = config
        self.register_buffer("vectors", vectors.float())

    @classmethod
    def from_dataset(cls, config: ContentKNNConfig, ds: Dataset) -> ContentKNN:
        """Embed every item's text (disk-cached, genrec.embed) in dataset row order."""
        return cls(config, torch.from_numpy(item_vectors(ds, config.text, config.encoder, config.template)))

    def calculate_loss(self, batch: Batch) -> Tensor:
        raise NotImplementedError("ContentKNN learns nothing; it scores from text embeddings")

    def score_all(self, histories: Tensor) -> Tensor:
        L = histories.shape[1]
        age = torch.arange(L - 1, -1, -1, device=histories.device, dtype=torch.float32)  # [L], last = 0
        weights = (self.config.decay**age) if self.config.decay > 0 else (age == 0).float()  # [L]
        weights = weights * (histories > 0)  # [B, L]; histories are left-padded, so the last is real
        user = torch.einsum("bl,bld->bd", weights, self.vectors[histories])  # [B, D]
        scores = self.scores_with_padding(user @ self.vectors[1:].T)  # [B, N+1]
        if self.config.exclude_history:
            scores = scores.scatter(1, histories, float("-inf"))  # padding column 0 is -inf already
        return scores


def item_vectors(
    ds: Dataset, text: str = "meta", encoder: str = DEFAULT_MODEL, template: str = "rpg"
) -> np.ndarray:
    """Unit text embeddings of every item in dataset row order (disk-cached, genrec.embed):
    float32 [N+1, D], row 0 (padding) zero."""
    texts = [source_text(rec, template, text) for rec in ds.items[1:]]  # type: ignore[arg-type]
    vectors = embed_cached(texts, encoder, progress=True).vectors  # [N, D]
    return np.vstack([np.zeros((1, vectors.shape[1]), np.float32), vectors])  # [N+1, D]
