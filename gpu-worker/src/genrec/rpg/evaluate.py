"""Evaluate RPG from any item-score function (the PyTorch model, or an ONNX session's score tables).

Exhaustive: every item scored (N per user), full-ranking metrics through genrec.eval with the
papers' unfiltered protocol and the seen-filtered variant. Graph: the pure decoder of
genrec.rpg.decode run per user on its score table; its lists go through ``evaluate_lists``, which
also reports invalid@k: always 0 here, because the beam only ever holds graph nodes (real items),
so the decoder cannot produce an ID that maps to no item. Seen filtering for graph decoding
excludes the history rows inside the decoder (they never enter the beam), as the edge does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from genrec.data.split import EvalSplit
from genrec.eval import evaluate_lists, evaluate_scores
from genrec.progress import progress
from genrec.rpg.config import DecodeConfig
from genrec.rpg.decode import graph_search, initial_beam
from genrec.rpg.graph import Graph
from genrec.rpg.model import sid_tokens, table_scores

LogprobFn = Callable[[Tensor], Tensor]  # histories [B, L] int64 -> logprobs [B, m, 256]
ScoreFn = Callable[[Tensor, torch.dtype], Tensor]  # histories [B, L] int64, dtype -> scores [B, N+1]


@dataclass(frozen=True)
class DecodeContext:
    """What graph decoding needs besides the score table (all numpy, as shipped in the artifact set)."""

    sids: np.ndarray  # uint8 [N+1, m]
    graph: Graph
    popular: np.ndarray  # int32 [P]


def by_length(split: EvalSplit) -> EvalSplit:
    """The same users ordered by history length: batches crop to their longest history, so similar
    lengths save most of the forward pass. Metrics are means over users, so order does not matter."""
    order = np.argsort((split.histories > 0).sum(axis=1), kind="stable")
    return EvalSplit(split.users[order], split.histories[order], split.targets[order])


def exhaustive(score_fn: ScoreFn, split: EvalSplit, n_items: int, batch_size: int) -> dict[str, Any]:
    """Full ranking over all N items: {metrics, seen_filtered, users, items_scored_per_user}."""
    split = by_length(split)
    with progress(total=len(split), desc="exhaustive scoring", unit="user") as bar:

        def score(histories: Tensor) -> Tensor:
            bar.update(len(histories))
            return score_fn(histories, torch.float32)  # [B, N+1]

        result = evaluate_scores(score, split, n_items, batch_size=batch_size)
    return {
        "metrics": result.metrics,
        "seen_filtered": result.seen_filtered,
        "users": result.count,
        "items_scored_per_user": n_items,
    }


def graph(
    score_fn: ScoreFn,
    split: EvalSplit,
    ctx: DecodeContext,
    decode: DecodeConfig,
    batch_size: int,
    seen_filtered: bool = True,
) -> dict[str, Any]:
    """Graph-constrained decoding per user, unfiltered (and seen-filtered), with its decode cost."""
    split = by_length(split)
    degree = int(np.diff(ctx.graph.indptr).max())
    out: dict[str, Any] = {
        "decode": {"beam": decode.beam, "neighbours": degree, "steps": decode.steps, "init": decode.init},
    }
    for name, filter_seen in (("metrics", False), ("seen_filtered", True))[: 1 + seen_filtered]:
        rng = np.random.default_rng(decode.seed)  # same beams for every evaluation of a split
        scored: list[int] = []
        with progress(total=len(split), desc=f"graph decoding ({name})", unit="user") as bar:

            def lists(histories: Tensor, rng=rng, scored=scored, filter_seen=filter_seen, bar=bar) -> Tensor:
                # float64 item scores once per batch; the walk only looks them up (same answers as
                # scoring candidates one by one, several times faster in Python)
                all_scores = score_fn(histories, torch.float64).numpy()  # [B, N+1]
                answers = np.zeros((len(all_scores), decode.n), dtype=np.int64)  # 0 = no answer (never a hit)
                for row, (user_scores, history) in enumerate(zip(all_scores, histories.numpy(), strict=True)):
                    seen = history[history > 0] if filter_seen else None
                    beam = initial_beam(
                        decode.init,
                        decode.beam,
                        len(ctx.sids) - 1,
                        rng,
                        ctx.popular,
                        history,
                        ctx.graph.indptr,
                        ctx.graph.indices,
                        seen,
                    )
                    result = graph_search(
                        user_scores.__getitem__,
                        ctx.graph.indptr,
                        ctx.graph.indices,
                        beam,
                        decode.beam,
                        decode.steps,
                        decode.n,
                        seen,
                    )
                    answers[row, : len(result.rows)] = result.rows
                    scored.append(result.scored)
                bar.update(len(histories))
                return torch.from_numpy(answers)

            out[name] = evaluate_lists(lists, split, batch_size=batch_size)
        out[f"items_scored_per_user_{name}"] = {"mean": float(np.mean(scored)), "max": int(np.max(scored))}
    out["users"] = len(split)
    return out


def model_scores(model: torch.nn.Module, device: str = "cpu") -> ScoreFn:
    """The PyTorch model's item scores (``score_all``), in eval mode and without autograd."""

    def fn(histories: Tensor, dtype: torch.dtype) -> Tensor:
        model.eval()
        with torch.inference_mode():
            return model.score_all(histories.to(device), dtype).cpu()  # type: ignore[operator]

    return fn


def table_scorer(logprob_fn: LogprobFn, sids: np.ndarray) -> ScoreFn:
    """Item scores from a score-table function (an ONNX session): the mean of each item's m entries."""
    tokens = sid_tokens(sids)  # [N+1, m]

    def fn(histories: Tensor, dtype: torch.dtype) -> Tensor:
        return table_scores(logprob_fn(histories).to(dtype), tokens)  # [B, N+1]

    return fn
