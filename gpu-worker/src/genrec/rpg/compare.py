"""Two RPG runs on the same test users, paired: is B's NDCG@10 really above A's?

``python -m genrec.rpg.compare --runs var/runs/toys-rpg-cpu var/runs/toys-rpg-cpu-items256`` re-loads
each run's best checkpoint, scores every test (and validation) user exhaustively (full ranking, as the
result files' ``exhaustive`` figures), and reports per split and view (unfiltered, seen-filtered) the
mean NDCG@10 of both, their difference B - A and its paired bootstrap 95% interval over users. Both
runs must be on the same dataset. Writes ``bench/results/rpg/compare-<A>-vs-<B>.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.data import EvalSplit, leave_one_out, load_dataset
from genrec.eval.ranking import ndcg_gains, target_ranks
from genrec.rpg.evaluate import by_length
from genrec.rpg.export import add_run_tool_options, load_run
from genrec.rpg.model import RPG
from genrec.train.results import git_info, machine_info, write_result

VIEWS = ("metrics", "seen_filtered")


def paired_bootstrap(a: np.ndarray, b: np.ndarray, resamples: int, seed: int) -> dict[str, float]:
    """Mean of b - a over users and its percentile 95% interval from ``resamples`` user resamples."""
    assert a.shape == b.shape and a.ndim == 1, (a.shape, b.shape)
    diff = b - a
    rng = np.random.default_rng(seed)
    means = np.array([diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(resamples)])
    low, high = np.percentile(means, [2.5, 97.5])
    return {"diff": float(diff.mean()), "ci95_low": float(low), "ci95_high": float(high)}


@torch.inference_mode()
def per_user_ndcg(rpg: RPG, split: EvalSplit, batch_size: int) -> dict[str, np.ndarray]:
    """Per-user NDCG@10 in ``split``'s order (by_length sorts it; callers pass the same split)."""
    out: dict[str, list[np.ndarray]] = {view: [] for view in VIEWS}
    for start in range(0, len(split), batch_size):
        histories = torch.from_numpy(split.histories[start : start + batch_size])
        targets = torch.from_numpy(split.targets[start : start + batch_size])
        scores = rpg.score_all(histories)  # [B, N+1]
        out["metrics"].append(ndcg_gains(target_ranks(scores, targets), 10).numpy())
        out["seen_filtered"].append(ndcg_gains(target_ranks(scores, targets, exclude=histories), 10).numpy())
    return {view: np.concatenate(parts) for view, parts in out.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.rpg.compare", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=Path, nargs=2, required=True, metavar=("A", "B"), help="two run dirs")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=2024)
    add_run_tool_options(p)
    args = p.parse_args(argv)
    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    (model_a, config_a, meta_a), (model_b, config_b, meta_b) = (load_run(run) for run in args.runs)
    dataset = config_a.dataset
    if config_b.dataset != dataset:
        raise SystemExit(f"the runs are on different datasets: {dataset} and {config_b.dataset}")
    ds, _ = load_dataset(dataset)
    loo = leave_one_out(ds, model_a.config.max_len)
    result: dict[str, Any] = {"dataset": dataset, "runs": list(map(str, args.runs)), "metric": "ndcg@10"}
    for name, split in (("valid", by_length(loo.valid)), ("test", by_length(loo.test))):
        a, b = per_user_ndcg(model_a, split, args.batch_size), per_user_ndcg(model_b, split, args.batch_size)
        result[name] = {
            view: {
                "a": float(a[view].mean()),
                "b": float(b[view].mean()),
                **paired_bootstrap(a[view], b[view], args.resamples, args.seed),
                "users": len(a[view]),
            }
            for view in VIEWS
        }
        for view, row in result[name].items():
            print(
                f"{name} {view}: A {row['a']:.4f} B {row['b']:.4f} B-A {row['diff']:+.4f} "
                f"[{row['ci95_low']:+.4f}, {row['ci95_high']:+.4f}]"
            )
    result.update(
        best_epochs=[meta_a["state"]["best_epoch"], meta_b["state"]["best_epoch"]],
        configs=[meta_a["config"], meta_b["config"]],
        resamples=args.resamples,
        git=git_info(),
        machine=machine_info("cpu"),
        wall_seconds=round(time.perf_counter() - started, 1),
    )
    names = [run.name.removeprefix(f"{ds.name}-rpg-") for run in args.runs]  # var/runs/toys-rpg-cpu -> cpu
    write_result(args.results_dir / f"{ds.name}-compare-{names[0]}-vs-{names[1]}.json", result, announce=True)


if __name__ == "__main__":
    main()
