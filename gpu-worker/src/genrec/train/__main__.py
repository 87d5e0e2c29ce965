"""Train and evaluate one baseline: ``python -m genrec.train --model sasrec --dataset beauty --preset quick``.

Config precedence (later wins): model defaults < --preset < per-dataset overrides < --set key=value
(< --threads); see genrec.train.config.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from genrec.train.config import MODELS, PRESETS_NAMES, config_dict, resolve_config
from genrec.train.overrides import parse_sets
from genrec.train.pipeline import run
from genrec.train.results import BASELINE_RESULTS, REPO_ROOT

DEFAULT_RUNS = REPO_ROOT / "gpu-worker" / "var" / "runs"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m genrec.train", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, choices=MODELS, help="which baseline to train")
    p.add_argument(
        "--dataset", required=True, help="beauty | sports | sample, or a canonical dataset directory"
    )
    p.add_argument(
        "--preset",
        default="quick",
        choices=PRESETS_NAMES,
        help="tiny: seconds, for tests; quick: <= 20 min on 1 CPU thread; full: the papers' settings (GPU)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config field, e.g. --set model.d=32 --set train.epochs=5 (repeatable)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (same as --set train.threads=N; default 1)")
    p.add_argument("--resume", action="store_true", help="continue from the run directory's last checkpoint")
    p.add_argument(
        "--out",
        type=Path,
        help=f"run directory for checkpoints (default {DEFAULT_RUNS}/<dataset>-<model>-<preset>)",
    )
    p.add_argument(
        "--results-dir",
        type=Path,
        default=BASELINE_RESULTS,
        help=f"where the result JSON goes (default {BASELINE_RESULTS})",
    )
    p.add_argument("--tag", default="", help="suffix for the result file, e.g. phrase for a text variant")
    p.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    overrides: dict[str, object] = dict(parse_sets(args.sets))
    if args.threads is not None:
        overrides["train.threads"] = args.threads
    config = resolve_config(args.model, args.dataset, args.preset, overrides)
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    suffix = f"-{args.tag}" if args.tag else ""
    run_dir = args.out or DEFAULT_RUNS / f"{Path(args.dataset).name}-{args.model}-{args.preset}{suffix}"
    result = run(config, run_dir, args.results_dir, resume=args.resume, tag=args.tag)
    test = result["test"]["metrics"]
    print(f"test ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}", end=" ")
    print(f"(best epoch {result['best_epoch']} of {result['epochs_run']})")


if __name__ == "__main__":
    main()
