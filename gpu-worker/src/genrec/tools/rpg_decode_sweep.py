"""Decode-cost sweep on a trained run: ``python -m genrec.tools.rpg_decode_sweep --checkpoint RUN``.

Graph-constrained decoding of one split for a grid of (b, k, q) and every initial-beam strategy,
beside exhaustive scoring: NDCG/Recall@5/10 (unfiltered) against items scored per user. The graph is
built once with the largest k; smaller k are its prefixes (lists are sorted by similarity). Writes
``bench/results/rpg/<dataset>-<preset>-decode.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from genrec.data import leave_one_out, load_dataset
from genrec.rpg.data import popularity
from genrec.rpg.decode import BEAM_INITS
from genrec.rpg.evaluate import DecodeContext, exhaustive, graph, model_scores
from genrec.rpg.export import load_run
from genrec.rpg.graph import build_graph
from genrec.rpg.train import RPG_PACKAGES, RPG_RESULTS
from genrec.train.results import git_info, machine_info, source_fingerprint, write_result

DEFAULT_GRID = ((20, 200, 3), (20, 50, 3), (10, 30, 3), (10, 10, 3), (10, 10, 5))


def parse_grid(items: list[str]) -> list[tuple[int, int, int]]:
    grid = []
    for item in items:
        b, k, q = (int(x) for x in item.split(","))
        grid.append((b, k, q))
    return grid


def sweep(
    run_dir: Path, split_name: str, grid: list[tuple[int, int, int]], inits: tuple[str, ...]
) -> dict[str, Any]:
    torch.set_num_threads(1)
    model, config, _ = load_run(run_dir)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    split = loo.valid if split_name == "valid" else loo.test
    sids, bs, scores = model.sid_table(), config.train.eval_batch_size, model_scores(model)
    with torch.inference_mode():
        full = build_graph(model.code_embeddings(), sids, max(k for _, k, _ in grid))
    popular = popularity(loo.train, loo.n_items)
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    ex = exhaustive(scores, split, model.n_items, bs)
    rows.append(
        {
            "mode": "exhaustive",
            "metrics": ex["metrics"],
            "items_scored_per_user": ex["items_scored_per_user"],
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    for b, k, q in grid:
        ctx = DecodeContext(sids, full.truncate(k), popular)
        for init in inits:
            decode = dataclasses.replace(config.decode, beam=b, neighbours=k, steps=q, init=init)
            t0 = time.perf_counter()
            res = graph(scores, split, ctx, decode, bs, seen_filtered=False)
            rows.append(
                {
                    "mode": "graph",
                    "b": b,
                    "k": k,
                    "q": q,
                    "init": init,
                    "metrics": res["metrics"],
                    "items_scored_per_user": res["items_scored_per_user_metrics"],
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            print(
                f"b {b} k {k} q {q} {init}: ndcg@10 {res['metrics']['ndcg@10']:.4f} "
                f"scored {res['items_scored_per_user_metrics']['mean']:.0f}",
                flush=True,
            )
    return {
        "dataset": Path(config.dataset).name,
        "preset": config.preset,
        "split": split_name,
        "checkpoint": str(run_dir),
        "n_items": ds.n_items,
        "git": git_info(),
        "source_sha256": source_fingerprint(packages=RPG_PACKAGES),
        "machine": machine_info("cpu"),
        "rows": rows,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.rpg_decode_sweep", description=__doc__.splitlines()[0]
    )
    p.add_argument("--checkpoint", type=Path, required=True, help="run directory holding best.json")
    p.add_argument("--split", choices=("valid", "test"), default="test", help="which split to decode")
    p.add_argument("--grid", nargs="+", metavar="B,K,Q", help=f"decode settings (default {DEFAULT_GRID})")
    p.add_argument("--inits", nargs="+", choices=BEAM_INITS, default=list(BEAM_INITS), help="initial beams")
    p.add_argument(
        "--results-dir", type=Path, default=RPG_RESULTS, help=f"result folder (default {RPG_RESULTS})"
    )
    args = p.parse_args(argv)
    grid = parse_grid(args.grid) if args.grid else list(DEFAULT_GRID)
    result = sweep(args.checkpoint, args.split, grid, tuple(args.inits))
    path = args.results_dir / f"{result['dataset']}-{result['preset']}-decode.json"
    write_result(path, result)
    print(json.dumps({"wrote": str(path)}))


if __name__ == "__main__":
    main()
