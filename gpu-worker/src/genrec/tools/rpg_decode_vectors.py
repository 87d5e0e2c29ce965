"""Decoder test vectors for the TypeScript edge: ``python -m genrec.tools.rpg_decode_vectors --out FILE``.

One small catalogue (N items, m digits, random SIDs), the item graph built by genrec.rpg.graph from
a seeded random RPG model's digit embeddings, and a few cases, each a score table (that model's
``user_logprobs`` for a random history, rounded to 6 decimals: the JSON numbers ARE the inputs),
an explicit initial beam, b / q / n and excluded rows, with the expected exhaustive and graph top-n
(rows and float64 scores). Cases are drawn until no two of the top n+1 scores of either answer lie
within ``MIN_GAP``, so a float32 or float64 reimplementation cannot flip an order.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.rpg.decode import graph_decode, initial_beam, score_items, top_n
from genrec.rpg.graph import Graph, build_graph
from genrec.rpg.model import RPG, RPGConfig
from genrec.sid.table import random_sids

MIN_GAP = 1e-5  # smallest allowed gap between consecutive scores in an expected top-(n+1)
DECIMALS = 6
SCORE_RULE = (
    "score(row) = (sum over d = 0..m-1, in order, of logprobs[d][sids[row][d]]) / m in float64; "
    "rank by (score desc, row asc); graph decoding per docs/artifacts.md"
)


def _separated(scores: np.ndarray) -> bool:
    return len(scores) < 2 or bool(np.min(-np.diff(scores)) > MIN_GAP)


def decode_case(
    logprobs: np.ndarray,
    sids: np.ndarray,
    graph: Graph,
    beam: np.ndarray,
    b: int,
    q: int,
    n: int,
    exclude: np.ndarray,
) -> dict[str, Any]:
    """Expected answers for one case; ``separated`` says whether the top n+1 has clear gaps."""
    ex_rows, ex_scores = top_n(score_items(logprobs, sids), n + 1, exclude)
    dec = (
        graph_decode(logprobs, sids, graph.indptr, graph.indices, beam, b, q, n + 1, exclude)
        if b > n
        else None
    )
    g = graph_decode(logprobs, sids, graph.indptr, graph.indices, beam, b, q, n, exclude)
    separated = _separated(ex_scores) and _separated(dec.scores if dec is not None else g.scores)
    return {
        "exhaustive": {"rows": ex_rows[:n].tolist(), "scores": ex_scores[:n].tolist()},
        "graph": {"rows": g.rows.tolist(), "scores": g.scores.tolist(), "scored": g.scored},
        "separated": separated,
    }


def build_vectors(seed: int = 7, n_items: int = 300, m: int = 8, k: int = 20) -> dict[str, Any]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    sids = random_sids(n_items, m, seed)
    config = RPGConfig(n_digits=m, d=32, n_layers=1, n_heads=2, d_ffn=64)
    model = RPG(config, sids).eval()
    with torch.inference_mode():
        graph = build_graph(model.code_embeddings(), sids, k)
    popular = rng.permutation(np.arange(1, n_items + 1))[:50]
    specs = [  # name, b, q, n, beam init, number of excluded rows
        ("random-beam", 20, 3, 10, "random", 0),
        ("random-beam-excluded", 20, 3, 10, "random", 12),
        ("popular-beam", 10, 2, 10, "popular", 0),
        ("one-step", 15, 1, 10, "random", 5),
        ("no-steps", 12, 0, 10, "random", 3),
    ]
    cases = []
    for name, b, q, n, init, n_excluded in specs:
        for _ in range(100):  # redraw until the expected answers have no near-ties
            history = torch.from_numpy(rng.integers(1, n_items + 1, size=(1, config.max_len)))  # [1, L]
            history[0, : rng.integers(0, config.max_len)] = 0
            with torch.inference_mode():
                table = model.user_logprobs(history)[0].double().numpy().round(DECIMALS)  # [m, 256]
            beam = initial_beam(init, b, n_items, rng, popular)
            exclude = np.zeros(0, dtype=np.int64)
            if n_excluded:  # some of the beam, some of the unfiltered answer, the rest random
                plain = decode_case(table, sids, graph, beam, b, q, n, exclude)["graph"]["rows"]
                picks = [*beam[:2], *plain[:3], *rng.integers(1, n_items + 1, size=n_excluded)]
                exclude = np.array(list(dict.fromkeys(int(r) for r in picks))[:n_excluded], dtype=np.int64)
            expected = decode_case(table, sids, graph, beam, b, q, n, exclude)
            if expected.pop("separated"):
                break
        else:
            raise RuntimeError(f"no well-separated draw for case {name}")
        cases.append(
            {
                "name": name,
                "b": b,
                "q": q,
                "n": n,
                "initial_beam": beam.tolist(),
                "exclude": exclude.tolist(),
                "logprobs": table.tolist(),
                "expected": expected,
            }
        )
    return {
        "format": 1,
        "description": (
            "RPG decoder vectors: exhaustive and graph-constrained top-n (genrec.tools.rpg_decode_vectors)"
        ),
        "score_rule": SCORE_RULE,
        "score_tolerance": 1e-9,
        "n_items": n_items,
        "digits": m,
        "codebook": 256,
        "sids": sids.tolist(),
        "graph": {"k": k, "indptr": graph.indptr.tolist(), "indices": graph.indices.tolist()},
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.rpg_decode_vectors", description=__doc__.splitlines()[0]
    )
    p.add_argument(
        "--out", type=Path, required=True, help="JSON file to write (e.g. edge/test/vectors/rpg-decode.json)"
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the SIDs, model, histories and beams")
    args = p.parse_args(argv)
    vectors = build_vectors(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(vectors, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(vectors['cases'])} cases)")


if __name__ == "__main__":
    main()
