"""One command line for every trainer: the flags they share, parsed the same way.

Each model's ``train`` module adds what is its own (``--sids``, ``--model``, ``--ablation``) to
``run_parser`` and turns the parsed flags into its run with ``cli_overrides``, ``run_dir`` and
``results_dir``.

Where result files go: ``--results-dir DIR`` writes exactly there (no checks); ``--publish`` writes
to the tracked ``bench/results/<kind>`` and only from a clean git tree; otherwise an ad-hoc run
writes to ``gpu-worker/var/results/<kind>`` (git-ignored), so trying things never dirties the tree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genrec.train.checkpoint import reopen
from genrec.train.config import PRESET_NAMES
from genrec.train.defaults import dataset_label
from genrec.train.overrides import parse_sets
from genrec.train.results import REPO_ROOT, RUN_RESULTS, git_info

DEFAULT_RUNS = REPO_ROOT / "gpu-worker" / "var" / "runs"
PRESET_HELP = (
    "tiny: seconds, for tests; quick: ~20-30 min on 1 CPU thread (Beauty); cpu: the best this CPU "
    "reaches in 1-2 h on 1 thread; full: the papers' settings (GPU)"
)


def run_parser(
    prog: str, doc: str, results_dir: Path, sids_example: str | None = None
) -> argparse.ArgumentParser:
    """The shared flags: --dataset --preset --set --threads --resume --out --results-dir / --publish
    --tag --print-config, and --sids for a generative model (``sids_example`` names a SID directory).
    ``results_dir`` is where ``--publish`` writes (bench/results/<kind>)."""
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
    p.add_argument(
        "--extend",
        action="store_true",
        help="with --resume: train on past the run's recorded stop (a STOP file, early stopping or the "
        "epoch budget), up to train.epochs",
    )
    p.add_argument("--out", type=Path, help=f"run directory for checkpoints (default under {DEFAULT_RUNS})")
    add_results_args(p, results_dir)
    p.add_argument("--tag", default="", help="suffix for the result file and run directory, e.g. e40")
    p.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    if sids_example is not None:
        p.add_argument(
            "--sids",
            required=True,
            help=f"SID artifact directory (e.g. {sids_example}) or random:<m> (synthetic)",
        )
    return p


def add_results_args(p: argparse.ArgumentParser, publish_dir: Path) -> None:
    """``--results-dir`` / ``--publish`` (module docstring); ``results_dir`` reads them."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--results-dir",
        type=Path,
        help=f"result JSON folder, used as given (default {_shown(RUN_RESULTS / publish_dir.name)})",
    )
    where.add_argument(
        "--publish",
        action="store_true",
        help=f"write the result JSON to {_shown(publish_dir)} (tracked; clean git tree only)",
    )
    p.set_defaults(publish_dir=publish_dir)


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


class DirtyTreeError(SystemExit):
    """``--publish`` from a tree with changes: a published result must name the code it ran."""


def results_dir(args: argparse.Namespace) -> Path:
    """The folder for this run's result file; ``--publish`` refuses (exit status 2) unless the git
    tree is clean, checked before any work is done."""
    if args.results_dir is not None:
        return args.results_dir
    if not args.publish:
        return RUN_RESULTS / args.publish_dir.name
    dirty = git_info()["dirty"]
    if dirty is not False:
        state = "has uncommitted or untracked changes" if dirty else "is not a git checkout"
        print(
            f"--publish writes to {args.publish_dir}, which takes result files from a clean git tree "
            f"only, and this tree {state} (git status). Commit or stash them, or leave out --publish "
            f"(the result then goes to {RUN_RESULTS / args.publish_dir.name}).",
            file=sys.stderr,
        )
        raise DirtyTreeError(2)
    return args.publish_dir


def cli_overrides(args: argparse.Namespace) -> dict[str, object]:
    """``--set`` pairs (values still strings) plus ``--threads``."""
    overrides: dict[str, object] = dict(parse_sets(args.sets))
    if args.threads is not None:
        overrides["train.threads"] = args.threads
    return overrides


def run_name(dataset: str, *parts: str) -> str:
    """``beauty-quick``, ``beauty-quick-e40``: the dataset's name (``dataset_label``: a holdout copy
    is ``toys-cold5``) then the non-empty parts."""
    return "-".join([dataset_label(dataset), *(p for p in parts if p)])


def run_dir(args: argparse.Namespace, model: str) -> Path:
    """``--out``, else ``var/runs/<dataset>-<model>-<preset>[-<tag>]``."""
    return args.out or DEFAULT_RUNS / run_name(args.dataset, model, args.preset, args.tag)


def extend_run(args: argparse.Namespace, path: Path) -> None:
    """``--extend``: reopen the run in ``path`` (genrec.train.checkpoint.reopen) before resuming it."""
    if not getattr(args, "extend", False):
        return
    if not args.resume:
        raise SystemExit("--extend continues a stopped run: it needs --resume")
    stopped = reopen(path)
    print(f"{path}: " + (f"recorded stop '{stopped}' cleared; training on" if stopped else "had not stopped"))
