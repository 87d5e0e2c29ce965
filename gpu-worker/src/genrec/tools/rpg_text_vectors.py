"""Parity vectors for an RPG set with a text term: ``python -m genrec.tools.rpg_text_vectors --out
../edge/test/vectors/rpg-text-topk.json``.

A seeded random RPG over N items with every serving option on (``model.text_head``, ``text_last``
and ``repeat_bias``), exported as ``genrec.rpg.export`` writes it: the ONNX user side that answers
``logprobs`` and ``text_query`` from ``history`` and ``last_text`` (base64), the items' text vectors
(``text.f32``, base64), the SIDs and the repeat bias. Each case is a history with PyTorch's top-n by
``score_all`` (seen items excluded or not). The edge serves the set in workerd and must rank the same
items with the same scores. Histories are redrawn until no two of the top n+1 scores lie within
``MIN_GAP``, so float rounding cannot flip an order.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.rpg.decode import top_n
from genrec.rpg.export import export_onnx
from genrec.rpg.model import RPG, RPGConfig
from genrec.sid.table import random_sids

MIN_GAP = 1e-4
N = 5
DIGITS = 2
TEXT_DIM = 8
REPEAT_BIAS = 1.5  # large enough that a seen item can rank first when seen items are kept
RANK_RULE = (
    "score(row) = mean over digits of logprobs[d][sids[row][d]] + text_query . text[row] (+ repeat_bias "
    "on the rows of the model's input); rank by (score desc, row asc); seen rows never answer when excluded"
)


def text_model(seed: int = 17, n_items: int = 60) -> RPG:
    """A random RPG with a text head, a last-item map and a repeat bias, all away from their zero init."""
    torch.manual_seed(seed)
    config = RPGConfig(
        n_digits=DIGITS,
        d=16,
        n_layers=1,
        n_heads=2,
        d_ffn=32,
        emb_dropout=0.0,
        attn_dropout=0.0,
        history_negatives=True,
        text_head="meta",
        text_last=True,
        repeat_bias=True,
    )
    gen = torch.Generator().manual_seed(seed)
    texts = torch.nn.functional.normalize(torch.randn(n_items + 1, TEXT_DIM, generator=gen), dim=1)
    texts[0] = 0
    model = RPG(config, random_sids(n_items, DIGITS, seed=seed), text_vectors=texts)
    with torch.no_grad():
        model.tok_emb.weight.normal_(0, 0.5)
        model.text_proj.weight.normal_(0, 1.0)
        model.text_last.weight.normal_(0, 1.0)
        model.repeat.fill_(REPEAT_BIAS)
    return model.eval()


def text_top(model: RPG, rows: list[int], exclude_seen: bool, n: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's top-n rows and float64 scores for one history (oldest first)."""
    recent = rows[-model.config.max_len :]  # the model reads the newest max_len; all are excluded
    history = torch.zeros(1, model.config.max_len, dtype=torch.int64)
    history[0, model.config.max_len - len(recent) :] = torch.tensor(recent, dtype=torch.int64)
    with torch.inference_mode():
        scores = model.score_all(history)[0].double().numpy()  # [N+1], column 0 -inf
    return top_n(scores, n, np.array(rows, dtype=np.int64) if exclude_seen else None)


def _bias_matters(model: RPG, rows: list[int], expected: np.ndarray) -> bool:
    """Whether the top-n of a history whose seen items are kept changes without the repeat bias."""
    bias = float(model.repeat.detach())
    with torch.no_grad():
        model.repeat.fill_(0.0)
        without, _ = text_top(model, rows, False, len(expected))
        model.repeat.fill_(bias)
    return without.tolist() != expected.tolist()


def _separated(scores: np.ndarray) -> bool:
    return len(scores) < 2 or bool(np.min(-np.diff(scores)) > MIN_GAP)


def vectors(seed: int = 17) -> dict[str, Any]:
    model = text_model(seed)
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        export_onnx(model, path, model.text_vectors)
        onnx = path.read_bytes()
    cases = []
    for name, length, exclude in (
        ("one", 1, True),
        ("short", 4, True),
        ("long", 70, True),
        ("kept", 3, False),
    ):
        for _ in range(500):
            rows = [int(r) for r in rng.integers(1, model.n_items + 1, size=length)]
            got_rows, got_scores = text_top(model, rows, exclude, N + 1)
            if _separated(got_scores) and (exclude or _bias_matters(model, rows, got_rows[:N])):
                break
        else:
            raise RuntimeError(f"no well-separated history for case {name}")
        cases.append(
            {
                "name": name,
                "n": N,
                "exclude_seen": exclude,
                "history": rows,
                "expected": {"rows": got_rows[:N].tolist(), "scores": got_scores[:N].tolist()},
            }
        )
    return {
        "format": 1,
        "description": "RPG with a text term and a repeat bias: exhaustive top-n from PyTorch's score_all "
        "(genrec.tools.rpg_text_vectors)",
        "rank_rule": RANK_RULE,
        "n_items": model.n_items,
        "digits": DIGITS,
        "text_dim": TEXT_DIM,
        "max_len": model.config.max_len,
        "repeat_bias": float(model.repeat.detach()),
        "seed": seed,
        "sids": model.sid_table().reshape(-1).tolist(),
        "onnx_base64": base64.b64encode(onnx).decode(),
        "text_base64": base64.b64encode(model.text_vectors.numpy().astype("<f4").tobytes()).decode(),
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.rpg_text_vectors", description=__doc__.splitlines()[0]
    )
    p.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    args = p.parse_args(argv)
    data = vectors()
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(data['cases'])} cases)")


if __name__ == "__main__":
    main()
