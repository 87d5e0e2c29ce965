"""Parity vectors for the edge's SASRec and content-kNN scorers: ``python -m genrec.tools.baseline_vectors
--out-dir ../edge/test/vectors``.

``sasrec-topk.json``: a seeded random SASRec over N items exported as an artifact set would be (the
ONNX user side and the item embeddings, base64), and fixed histories with PyTorch's top-n (seen items
excluded or not). The edge runs the ONNX model in workerd and must rank the same items.
``knn-topk.json``: neighbour lists of seeded random unit vectors (genrec.models.knn_lists) and
histories with their top-n for several decays. Histories are redrawn until no two of the top n+1
scores lie within ``MIN_GAP``, so float rounding cannot flip an order.
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

from genrec.artifacts import export_history_model
from genrec.baselines.export import UserExport
from genrec.models import SASRec, SASRecConfig
from genrec.models.knn_lists import NeighbourLists, list_scores, neighbour_lists
from genrec.rpg.decode import top_n

MIN_GAP = 1e-4
N = 10
RANK_RULE = "rank by (score desc, row asc); history rows never answer when excluded"


def sasrec_model(seed: int = 11, n_items: int = 60) -> SASRec:
    """A random SASRec with weights large enough that scores spread (N(0, 0.02) would tie)."""
    torch.manual_seed(seed)
    model = SASRec(SASRecConfig(d=16, n_layers=1, n_heads=2, dropout=0.0), n_items)
    with torch.no_grad():
        model.item_emb.weight.normal_(0, 1.0)
        model.item_emb.weight[0] = 0
    return model.eval()


def sasrec_top(model: SASRec, rows: list[int], exclude_seen: bool, n: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's top-(n) rows and float64 scores for one history (oldest first)."""
    recent = rows[-model.config.max_len :]  # every seen row is excluded, the newest max_len are read
    history = torch.zeros(1, model.config.max_len, dtype=torch.int64)
    history[0, model.config.max_len - len(recent) :] = torch.tensor(recent, dtype=torch.int64)
    with torch.inference_mode():
        user = UserExport(model)(history)[0]  # [d]
        scores = torch.cat([torch.zeros(1), model.item_emb.weight[1:] @ user]).double().numpy()  # [N+1]
    return top_n(scores, n, np.array(rows, dtype=np.int64) if exclude_seen else None)


def _separated(scores: np.ndarray) -> bool:
    return len(scores) < 2 or bool(np.min(-np.diff(scores)) > MIN_GAP)


def _draw(rng: np.random.Generator, n_items: int, length: int, expect) -> dict[str, Any]:
    """A history of ``length`` random rows whose expected top-(N+1) is well separated."""
    for _ in range(200):
        rows = [int(r) for r in rng.integers(1, n_items + 1, size=length)]
        got_rows, got_scores = expect(rows, N + 1)
        if _separated(got_scores):
            return {
                "history": rows,
                "expected": {"rows": got_rows[:N].tolist(), "scores": got_scores[:N].tolist()},
            }
    raise RuntimeError("no well-separated history")


def sasrec_vectors(seed: int = 11) -> dict[str, Any]:
    model = sasrec_model(seed)
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        export_history_model(UserExport(model), path, model.config.max_len, model.n_items, "user")
        onnx = path.read_bytes()
    cases = []
    for name, length, exclude in (
        ("one", 1, True),
        ("short", 5, True),
        ("long", 70, True),
        ("kept", 8, False),
    ):
        case = _draw(rng, model.n_items, length, lambda rows, n, e=exclude: sasrec_top(model, rows, e, n))
        cases.append({"name": name, "n": N, "exclude_seen": exclude, **case})
    emb = model.item_emb.weight.detach().numpy().astype("<f4")
    return {
        "format": 1,
        "description": "SASRec exhaustive top-n from PyTorch (genrec.tools.baseline_vectors)",
        "rank_rule": RANK_RULE + "; score = user . embeddings[row]; only the newest max_len rows are read",
        "n_items": model.n_items,
        "dim": model.config.d,
        "max_len": model.config.max_len,
        "seed": seed,
        "onnx_base64": base64.b64encode(onnx).decode(),
        "embeddings_base64": base64.b64encode(emb.tobytes()).decode(),
        "cases": cases,
    }


def knn_lists(seed: int = 13, n_items: int = 80, dim: int = 8, k: int = 12) -> NeighbourLists:
    gen = torch.Generator().manual_seed(seed)
    vectors = torch.nn.functional.normalize(torch.randn(n_items, dim, generator=gen), dim=1)
    return neighbour_lists(torch.cat([torch.zeros(1, dim), vectors]), k)


def knn_vectors(seed: int = 13) -> dict[str, Any]:
    lists = knn_lists(seed)
    n_items = len(lists.indptr) - 2
    rng = np.random.default_rng(seed)
    cases = []
    for name, length, decay in (("newest-only", 6, 0.0), ("decay-half", 6, 0.5), ("decay-long", 30, 0.9)):
        case = _draw(
            rng,
            n_items,
            length,
            lambda rows, n, d=decay: top_n(list_scores(lists, np.array(rows), d, n_items), n),
        )
        cases.append({"name": name, "n": N, "decay": decay, **case})
    return {
        "format": 1,
        "description": "content-kNN top-n from neighbour lists (genrec.models.knn_lists.list_scores)",
        "rank_rule": RANK_RULE + "; score = sum over history items of decay^age x list similarity",
        "n_items": n_items,
        "seed": seed,
        "indptr": lists.indptr.tolist(),
        "indices": lists.indices.tolist(),
        "scores": lists.scores.astype(np.float64).tolist(),
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.baseline_vectors", description=__doc__.splitlines()[0]
    )
    p.add_argument(
        "--out-dir", type=Path, required=True, help="folder for sasrec-topk.json and knn-topk.json"
    )
    args = p.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, vectors in (("sasrec-topk.json", sasrec_vectors()), ("knn-topk.json", knn_vectors())):
        path = args.out_dir / name
        path.write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(vectors['cases'])} cases)")


if __name__ == "__main__":
    main()
