"""One command line for every trainer: the flags they share, parsed the same way.

Each model's ``train`` module adds what is its own (``--sids``, ``--model``, ``--ablation``) to
``run_parser`` and turns the parsed flags into its run with ``cli_overrides`` and ``run_dir``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genrec.train.config import PRESET_NAMES
from genrec.train.overrides import parse_sets
from genrec.train.results import REPO_ROOT

DEFAULT_RUNS = REPO_ROOT / "gpu-worker" / "var" / "runs"
PRESET_HELP = (
    "tiny: seconds, for tests; quick: ~20-30 min on 1 CPU thread (Beauty); cpu: the best this CPU "
    "reaches in 1-2 h on 1 thread; full: the papers' settings (GPU)"
)


def run_parser(
    prog: str, doc: str, results_dir: Path, sids_example: str | None = None
) -> argparse.ArgumentParser:
    """The shared flags: --dataset --preset --set --threads --resume --out --results-dir --tag
    --print-config, and --sids for a generative model (``sids_example`` names a SID directory)."""
    p = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    p.add_argument(
        "--dataset", required=True, help="beauty | sports | toys | sample, or a canonical dataset directory"
    )
    p.add_argument("--preset", default="quick", choices=PRESET_NAMES, help=PRESET_HELP)
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config field, e.g. --set model.d=64 --set train.epochs=5 (repeatable)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (same as --set train.threads=N; default 1)")
    p.add_argument("--resume", action="store_true", help="continue from the run directory's last checkpoint")
    p.add_argument("--out", type=Path, help=f"run directory for checkpoints (default under {DEFAULT_RUNS})")
    p.add_argument(
        "--results-dir", type=Path, default=results_dir, help=f"result JSON folder (default {results_dir})"
    )
    p.add_argument("--tag", default="", help="suffix for the result file and run directory, e.g. e40")
    p.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    if sids_example is not None:
        p.add_argument(
            "--sids",
            required=True,
            help=f"SID artifact directory (e.g. {sids_example}) or random:<m> (synthetic)",
        )
    return p


def cli_overrides(args: argparse.Namespace) -> dict[str, object]:
    """``--set`` pairs (values still strings) plus ``--threads``."""
    overrides: dict[str, object] = dict(parse_sets(args.sets))
    if args.threads is not None:
        overrides["train.threads"] = args.threads
    return overrides


def run_name(dataset: str, *parts: str) -> str:
    """``beauty-quick``, ``beauty-quick-e40``: the dataset's name then the non-empty parts."""
    return "-".join([Path(dataset).name, *(p for p in parts if p)])


def run_dir(args: argparse.Namespace, model: str) -> Path:
    """``--out``, else ``var/runs/<dataset>-<model>-<preset>[-<tag>]``."""
    return args.out or DEFAULT_RUNS / run_name(args.dataset, model, args.preset, args.tag)
