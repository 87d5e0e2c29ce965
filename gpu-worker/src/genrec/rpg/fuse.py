"""RPG + text prior (beyond the paper): a trained RPG's item scores plus λ times the content-kNN
cosine between the last history item and each item, λ chosen on validation.

``python -m genrec.rpg.fuse --run var/runs/beauty-rpg-cpu`` re-loads the run's best checkpoint,
scores validation and test once with each part, evaluates every λ of ``--lambdas`` on both splits
in the same pass (exhaustive, full ranking), selects λ on validation N@10 (unfiltered and
seen-filtered separately) and writes ``bench/results/rpg/<run name>-fused.json``. λ = 0 is plain
RPG, so the file also shows what the prior adds. The kNN part is the untrained text similarity of
genrec.models.content_knn (meta text, MiniLM by default), not a change to RPG's training.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import torch

from genrec.data import EvalSplit, leave_one_out, load_dataset
from genrec.eval.ranking import KS, RankingMetrics, target_ranks
from genrec.models.content_knn import ContentKNN, ContentKNNConfig
from genrec.rpg.evaluate import by_length
from genrec.rpg.export import add_run_tool_options, load_run
from genrec.rpg.model import RPG
from genrec.train.results import git_info, machine_info, write_result

LAMBDAS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0)


@torch.inference_mode()
def sweep(
    rpg: RPG, knn: ContentKNN, split: EvalSplit, lambdas: tuple[float, ...], batch_size: int
) -> dict[float, dict[str, dict[str, float]]]:
    """Per λ: {metrics, seen_filtered} of scores = RPG + λ·kNN over every item."""
    split = by_length(split)
    plain = {lam: RankingMetrics(KS) for lam in lambdas}
    filtered = {lam: RankingMetrics(KS) for lam in lambdas}
    for start in range(0, len(split), batch_size):
        histories = torch.from_numpy(split.histories[start : start + batch_size])
        targets = torch.from_numpy(split.targets[start : start + batch_size])
        model_scores = rpg.score_all(histories)  # [B, N+1], column 0 -inf
        prior = knn.score_all(histories)  # [B, N+1]
        prior[:, 0] = 0.0  # padding is -inf in the model's scores already (and 0 * -inf is NaN)
        for lam in lambdas:
            scores = model_scores + lam * prior
            plain[lam].update(target_ranks(scores, targets))
            filtered[lam].update(target_ranks(scores, targets, exclude=histories))
    return {
        lam: {"metrics": plain[lam].compute(), "seen_filtered": filtered[lam].compute()} for lam in lambdas
    }


def best(results: dict[float, dict[str, dict[str, float]]], view: str) -> float:
    return max(results, key=lambda lam: results[lam][view]["ndcg@10"])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.rpg.fuse", description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True, help="a finished RPG run directory (best.json)")
    p.add_argument("--lambdas", default=",".join(map(str, LAMBDAS)), help="comma-separated λ grid")
    p.add_argument("--encoder", default=ContentKNNConfig.encoder, help="text encoder of the prior")
    p.add_argument("--text", default="meta", choices=("meta", "phrase"), help="item text of the prior")
    add_run_tool_options(p)
    args = p.parse_args(argv)
    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    rpg, config, meta = load_run(args.run)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    knn_config = ContentKNNConfig(encoder=args.encoder, text=args.text, exclude_history=False)
    knn = ContentKNN.from_dataset(knn_config, ds)
    lambdas = tuple(float(x) for x in args.lambdas.split(","))
    valid = sweep(rpg, knn, loo.valid, lambdas, args.batch_size)
    test = sweep(rpg, knn, loo.test, lambdas, args.batch_size)
    chosen = {view: best(valid, view) for view in ("metrics", "seen_filtered")}
    result: dict[str, Any] = {
        "model": "rpg+text-prior",
        "dataset": ds.name,
        "run": str(args.run),
        "best_epoch": meta["state"]["best_epoch"],
        "config": meta["config"],
        "prior": {"encoder": args.encoder, "text": args.text, "history": "last item"},
        "lambda_selected_on_valid": chosen,
        "test": {view: test[lam][view] for view, lam in chosen.items()},
        "valid": {view: valid[lam][view] for view, lam in chosen.items()},
        "test_rpg_alone": test.get(0.0),
        "by_lambda": {str(lam): {"valid": valid[lam], "test": test[lam]} for lam in lambdas},
        "git": git_info(),
        "machine": machine_info("cpu"),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    for view, lam in chosen.items():
        fused, alone = test[lam][view]["ndcg@10"], test[0.0][view]["ndcg@10"] if 0.0 in test else float("nan")
        print(f"{view}: λ {lam} test ndcg@10 {fused:.4f} (RPG alone {alone:.4f})")
    name = args.run.name.removeprefix(f"{ds.name}-rpg-")  # var/runs/beauty-rpg-cpu -> cpu
    write_result(args.results_dir / f"{ds.name}-{name}-fused.json", result, announce=True)


if __name__ == "__main__":
    main()
