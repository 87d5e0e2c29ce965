"""Validation curves: NDCG@10 against epoch and against wall-clock, one PNG per dataset.

``python -m genrec.bench.curves [--results-dir bench/results] [--out bench/results/curves]``. Every
trained run under ``baselines/``, ``rpg/`` and ``diffgrm/`` draws its per-epoch validation history
(from its result file); the content-kNN floor (the best text variant's validation N@10) and the
papers' test figures (dashed; ALGORITHMS.md, with the independent RPG re-runs dotted) are horizontal
lines. Validation is evaluated during training on the preset's users (a fixed subset for ``cpu``),
so curves compare runs, and the final full validation and test live in the result files.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from genrec.train.results import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"
KINDS = ("baselines", "rpg", "diffgrm")
# Published test NDCG@10 (ALGORITHMS.md §2-4) and the independent re-runs of RPG's code (§5).
PAPERS: dict[str, dict[str, float]] = {
    "beauty": {"RPG": 0.0464, "DiffGRM": 0.0502, "SASRec": 0.0318, "eSASRec (seen-filt.)": 0.0523},
    "sports": {"RPG": 0.0263, "DiffGRM": 0.0305, "SASRec": 0.0192, "eSASRec (seen-filt.)": 0.0323},
    "toys": {"RPG": 0.0490, "DiffGRM": 0.0524, "SASRec": 0.0374, "eSASRec (seen-filt.)": 0.0538},
}
RERUNS: dict[str, tuple[float, ...]] = {
    "beauty": (0.0436, 0.0454),
    "sports": (0.0194, 0.0241),
    "toys": (0.0506,),
}


def load_runs(results: Path) -> list[dict[str, Any]]:
    runs = []
    for kind in KINDS:
        for path in sorted((results / kind).glob("*.json")):
            result = json.loads(path.read_text())
            if isinstance(result, dict) and "history" in result:
                runs.append({**result, "_name": f"{kind}/{path.stem}"})
    return runs


def curve(result: dict[str, Any]) -> tuple[list[int], list[float], list[float]]:
    """(epochs, minutes of training and validation so far, validation N@10) at each evaluation."""
    epochs, minutes, ndcg, seconds = [], [], [], 0.0
    for record in result["history"]:
        seconds += record.get("train_seconds", 0.0) + record.get("eval_seconds", 0.0)
        if "valid" in record:
            epochs.append(record["epoch"])
            minutes.append(seconds / 60)
            ndcg.append(record["valid"]["ndcg@10"])
    return epochs, minutes, ndcg


def knn_floor(runs: list[dict[str, Any]], dataset: str) -> float | None:
    knn = [r for r in runs if r["dataset"] == dataset and r["model"] == "content-knn"]
    return max((r["valid"]["metrics"]["ndcg@10"] for r in knn), default=None)


def plot(runs: list[dict[str, Any]], dataset: str, out: Path, pattern: re.Pattern[str]) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trained = [r for r in runs if r["dataset"] == dataset and r["history"] and pattern.search(r["_name"])]
    if not trained:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(15, 6), sharey=True)
    colours = plt.get_cmap("tab20").colors
    for i, r in enumerate(trained):
        epochs, minutes, ndcg = curve(r)
        style = {"color": colours[i % len(colours)], "marker": ".", "linewidth": 1.2}
        axes[0].plot(epochs, ndcg, label=r["_name"], **style)
        axes[1].plot(minutes, ndcg, **style)
    for ax in axes:
        for i, (name, value) in enumerate(PAPERS.get(dataset, {}).items()):
            ax.axhline(value, color=f"C{i}", linestyle="--", linewidth=0.8)
            ax.annotate(
                f"{name} paper (test)",
                (1.0, value),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=7,
                color=f"C{i}",
            )
        for value in RERUNS.get(dataset, ()):
            ax.axhline(value, color="grey", linestyle=":", linewidth=0.8)
        if (floor := knn_floor(runs, dataset)) is not None:
            ax.axhline(floor, color="black", linewidth=1.2)
            ax.annotate(
                "content kNN (valid, untrained)",
                (0.0, floor),
                xycoords=("axes fraction", "data"),
                ha="left",
                va="bottom",
                fontsize=7,
            )
        ax.grid(alpha=0.3)
    axes[0].set(xlabel="epoch", ylabel="validation NDCG@10", title=f"{dataset}: validation NDCG@10 by epoch")
    axes[1].set(xlabel="minutes (one CPU thread, training + validation)", title="by wall-clock")
    # beside the plots, never over them: the saved image widens to hold the run names
    fig.legend(fontsize=7, loc="center left", bbox_to_anchor=(0.8, 0.5), frameon=False)
    fig.text(0.01, 0.01, "dotted grey: independent re-runs of RPG's code (test)", fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 0.8, 1))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"curves-{dataset}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.bench.curves", description=__doc__.splitlines()[0])
    p.add_argument("--results-dir", type=Path, default=RESULTS, help=f"results root (default {RESULTS})")
    p.add_argument("--out", type=Path, help="PNG folder (default <results-dir>/curves)")
    p.add_argument("--only", default="", help="regex on <kind>/<file stem>: draw matching runs only")
    args = p.parse_args(argv)
    runs = load_runs(args.results_dir)
    for dataset in sorted({r["dataset"] for r in runs}):
        out = args.out or args.results_dir / "curves"
        if (path := plot(runs, dataset, out, re.compile(args.only))) is not None:
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
