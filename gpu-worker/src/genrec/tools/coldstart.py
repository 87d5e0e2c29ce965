"""Cold-start benchmark (issue 16, item 2): how often items added after training are recommended
and hit, by a model that never saw them against the same model trained with them.

    python -m genrec.tools.coldstart --holdout var/data/cold5/toys \\
        --cold-rpg var/runs/toys-rpg-cpu-cold5 --warm-rpg var/runs/toys-rpg-cpu \\
        --warm-sasrec var/runs/toys-sasrec-cpu --out ../bench/results/coldstart/toys.json

The holdout copy (genrec.data.holdout) fixes the test split: the original test targets, histories
without the held-out items. Every model ranks the same catalogue, the copy's items, with its
best checkpoint, on the full test split (the papers' protocol: every item scored, unfiltered):

- ``rpg-cold``: RPG trained on the copy. The held-out items were never in training, and their SIDs
  come from codebooks fitted without them: exactly what the GPU worker's ``assign_sids`` gives an
  item upserted after training (the edge's cold-start path, bench/edge/coldstart.ts).
- ``rpg-warm``: RPG trained on the whole dataset, so with the held-out items; the upper reference.
- ``sasrec-warm``: an ID model trained with them. An ID model trained without an item has no row
  for it and cannot score it: its cold-target hits are 0 by construction, not measured here.
- ``content-knn``: the untrained text scorer (the last item's nearest neighbours by text), which
  needs no training to cover a new item.
- ``rpg-cold+text``: ``rpg-cold`` plus λ times the content-kNN cosine (genrec.rpg.fuse), λ chosen on
  the copy's validation split, which holds no held-out item.

Per model: metrics over all test users, over those whose target is a held-out item
(``cold_targets``) and over the rest, and exposure: the share of top-10 slots that held-out items
take, and how many distinct held-out items reach any top 10.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from genrec.baselines.export import load_embedding_run
from genrec.data import Dataset, leave_one_out, load_dataset
from genrec.eval.ranking import metrics_from_ranks, target_ranks
from genrec.models import ContentKNN, ContentKNNConfig
from genrec.progress import progress
from genrec.rpg.evaluate import by_length
from genrec.rpg.export import load_run
from genrec.rpg.fuse import LAMBDAS, best, sweep
from genrec.rpg.model import RPG
from genrec.train.results import git_info, machine_info, write_result

Scorer = Callable[[Tensor], Tensor]  # copy-numbered histories [B, L] -> scores [B, N+1] over the copy
TOP = 10


def row_map(copy: Dataset, other: Dataset) -> np.ndarray:
    """``other``'s row of each of the copy's rows: int64 [N+1], 0 where ``other`` lacks the item."""
    return np.array([0, *(other.item_index.get(i, 0) for i in copy.item_ids[1:])], dtype=np.int64)


def in_copy_numbering(scores: Tensor, to_other: Tensor) -> Tensor:
    """Scores over another numbering [B, M+1] -> over the copy [B, N+1]; items it lacks get -inf."""
    out = scores[:, to_other]
    out[:, to_other == 0] = float("-inf")
    return out


def load_rpg(run_dir: Path, copy: Dataset) -> tuple[RPG, Tensor, str]:
    """A run's best RPG, its row of each of the copy's items, and the dataset it trained on."""
    model, config, _ = load_run(run_dir)
    return model, torch.from_numpy(row_map(copy, load_dataset(config.dataset)[0])), config.dataset


def rpg_scorer(model: RPG, to_run: Tensor) -> Scorer:
    """The run's ranking as served: ``score_all`` (the code log-probs, and the text term and repeat
    bias of a run trained with them), in the copy's numbering."""

    def score(histories: Tensor) -> Tensor:
        with torch.inference_mode():
            return in_copy_numbering(model.score_all(to_run[histories]), to_run)

    return score


def embedding_scorer(run_dir: Path, copy: Dataset) -> tuple[Scorer, str]:
    model, config, _ = load_embedding_run(run_dir)
    to_run = torch.from_numpy(row_map(copy, load_dataset(config["dataset"])[0]))

    def score(histories: Tensor) -> Tensor:
        with torch.inference_mode():
            return in_copy_numbering(model.score_all(to_run[histories]), to_run)

    return score, str(config["dataset"])


def copy_knn(copy: Dataset, source: Dataset, config: ContentKNNConfig) -> ContentKNN:
    """Content kNN over the copy's items, from the source's (disk-cached) text embeddings."""
    full = ContentKNN.from_dataset(config, source)
    return ContentKNN(config, full.vectors[torch.from_numpy(row_map(copy, source))])


def knn_scorer(knn: ContentKNN) -> Scorer:
    def score(histories: Tensor) -> Tensor:
        with torch.inference_mode():
            return knn.score_all(histories)

    return score


def fused_scorer(model: RPG, copy: Dataset, knn: ContentKNN) -> tuple[Scorer, float]:
    """RPG trained on the copy + λ·(last item's text cosine), λ chosen on the copy's validation."""
    lam = best(sweep(model, knn, leave_one_out(copy).valid, LAMBDAS, 512), "metrics")

    def score(histories: Tensor) -> Tensor:
        with torch.inference_mode():
            prior = knn.score_all(histories)
            prior[:, 0] = 0.0  # the model's padding column is -inf already
            return model.score_all(histories) + lam * prior

    return score, lam


def evaluate(score: Scorer, copy: Dataset, held: np.ndarray, name: str, batch: int = 256) -> dict[str, Any]:
    """Ranks of every test target, split by held-out or not, and the held-out items' top-10 share."""
    split = by_length(leave_one_out(copy).test)
    ranks, cold_rows, cold_slots, reached = [], [], 0, set()
    with progress(total=len(split), desc=f"{name}: test users", unit="user") as bar:
        for start in range(0, len(split), batch):
            histories = torch.from_numpy(split.histories[start : start + batch])
            targets = torch.from_numpy(split.targets[start : start + batch])
            scores = score(histories)
            ranks.append(target_ranks(scores, targets))
            top = scores[:, 1:].topk(TOP, dim=1).indices.numpy() + 1  # [B, 10] rows
            is_cold = held[top]
            cold_slots += int(is_cold.sum())
            reached.update(top[is_cold].tolist())
            cold_rows.append(held[targets.numpy()])
            bar.update(len(histories))
    rank, cold = torch.cat(ranks), torch.from_numpy(np.concatenate(cold_rows))
    return {
        "all": {**metrics_from_ranks(rank), "users": len(rank)},
        "cold_targets": {**metrics_from_ranks(rank[cold]), "users": int(cold.sum())},
        "other_targets": {**metrics_from_ranks(rank[~cold]), "users": int((~cold).sum())},
        "exposure": {
            "cold_share_of_top10_slots": cold_slots / (TOP * len(rank)),
            "cold_items_in_catalogue": int(held.sum()),
            "cold_items_in_some_top10": len(reached),
        },
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.tools.coldstart", description=__doc__.splitlines()[0])
    p.add_argument("--holdout", type=Path, required=True, help="the holdout copy (genrec.data holdout)")
    p.add_argument("--cold-rpg", type=Path, required=True, help="RPG run trained on the copy")
    p.add_argument("--warm-rpg", type=Path, help="RPG run trained on the whole dataset")
    p.add_argument("--warm-sasrec", type=Path, help="SASRec or eSASRec run trained on the whole dataset")
    p.add_argument("--out", type=Path, required=True, help="result JSON")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    record = json.loads((args.holdout / "holdout.json").read_text())
    copy, _ = load_dataset(str(args.holdout))
    source, _ = load_dataset(record["source"])
    held_ids = set(record["held_out"])
    held = np.array([False, *(i in held_ids for i in copy.item_ids[1:])])
    cold, to_cold, cold_data = load_rpg(args.cold_rpg, copy)
    assert (to_cold == torch.arange(copy.n_items + 1)).all(), "--cold-rpg must be trained on the copy"
    scorers: dict[str, tuple[Scorer, str]] = {"rpg-cold": (rpg_scorer(cold, to_cold), cold_data)}
    runs = {"rpg-cold": str(args.cold_rpg)}
    if args.warm_rpg:
        warm, to_warm, warm_data = load_rpg(args.warm_rpg, copy)
        scorers["rpg-warm"], runs["rpg-warm"] = (rpg_scorer(warm, to_warm), warm_data), str(args.warm_rpg)
    if args.warm_sasrec:
        scorers["sasrec-warm"] = embedding_scorer(args.warm_sasrec, copy)
        runs["sasrec-warm"] = str(args.warm_sasrec)
    scorers["content-knn"] = knn_scorer(copy_knn(copy, source, ContentKNNConfig())), record["source"]
    fused, lam = fused_scorer(cold, copy, copy_knn(copy, source, ContentKNNConfig(exclude_history=False)))
    scorers["rpg-cold+text"], runs["rpg-cold+text"] = (fused, str(args.holdout)), str(args.cold_rpg)
    extra = {"rpg-cold+text": {"lambda": lam, "lambda_chosen_on": "the copy's validation N@10 (unfiltered)"}}
    models = {}
    for name, (score, trained_on) in scorers.items():
        models[name] = {
            **evaluate(score, copy, held, name),
            "trained_on": trained_on,
            "run": runs.get(name),
            **extra.get(name, {}),
        }
        m = models[name]
        print(
            f"{name:12} N@10 all {m['all']['ndcg@10']:.4f}  cold targets {m['cold_targets']['ndcg@10']:.4f} "
            f"(R@10 {m['cold_targets']['recall@10']:.4f})  other {m['other_targets']['ndcg@10']:.4f}  "
            f"cold share of top-10 slots {m['exposure']['cold_share_of_top10_slots']:.4f}"
        )
    result = {
        "benchmark": "coldstart",
        "dataset": record["source"],
        "holdout": {k: v for k, v in record.items() if k != "held_out"},
        "catalogue_items": copy.n_items,
        "protocol": "leave-one-out test split of the holdout copy; every catalogue item scored; unfiltered",
        "models": models,
        "git": git_info(),
        "machine": machine_info("cpu"),
    }
    write_result(args.out, result, announce=True)


if __name__ == "__main__":
    main()
