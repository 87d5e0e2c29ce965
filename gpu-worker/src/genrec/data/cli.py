"""``python -m genrec.data import|validate|stats|split|holdout``: bring a dataset in, check it, describe it.

A DATASET is a builtin name (beauty, sports, toys, sample), the name of an imported dataset, or a
path in any format of genrec.data.formats (canonical, amazon-shared, amazon-raw, events), detected
unless ``--format`` names it.

- ``import``   reads every row, and writes the canonical format to ``var/data/<name>`` (or ``--out``)
               only when no row is bad (``--skip-bad`` drops and counts them instead). The result
               is then addressable as ``--dataset <name>`` by every trainer.
- ``validate`` reads every row and names each bad one as ``file:line: reason``; writes nothing.
- ``stats``    users, items, interactions, density, lengths, and the defaults an untuned dataset gets.
- ``split``    the leave-one-out sizes every trainer and evaluator uses.
- ``holdout``  a copy with a random fraction of the items held out of training, for the cold-start
               benchmark (genrec.data.holdout), under ``var/data/cold<percent>/<name>``.

Exit status: 0 ok, 1 bad data (every bad row printed), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from genrec.data.amazon_shared import TEXT_SOURCES
from genrec.data.canonical import write_canonical
from genrec.data.dataset import Dataset
from genrec.data.formats import FORMATS, LoadOptions, load_source
from genrec.data.holdout import RECORD, hold_out_items
from genrec.data.io import DataFormatError, LoadReport
from genrec.data.registry import imports_root, source_of
from genrec.data.split import MAX_LEN, leave_one_out
from genrec.data.stats import compute_stats


class DataError(Exception):
    """Bad data or a missing file: printed as one line (plus the bad rows), exit status 1."""


def add_source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", help="beauty | sports | toys | sample, an imported dataset's name, or a path")
    p.add_argument("--format", choices=FORMATS, help="the format at the path (default: detected)")
    p.add_argument("--items", help="events format: the items file (JSONL or CSV), if not beside the events")
    p.add_argument("--meta", help="amazon-raw format: the meta_<Cat>.json.gz file, if not beside the reviews")
    p.add_argument(
        "--text", choices=TEXT_SOURCES, default="meta", help="amazon-shared item text (default meta)"
    )
    p.add_argument("--core", type=int, help="amazon-raw / events: iterative k-core filter (e.g. 5)")
    p.add_argument(
        "--dedup", action="store_true", help="amazon-raw / events: keep a user's first (user, item)"
    )
    p.add_argument(
        "--keep-unseen-items", action="store_true", help="keep catalogue items nobody interacted with"
    )


def load(args: argparse.Namespace, skip_bad: bool = True) -> tuple[Dataset, LoadReport]:
    """Read the dataset named by ``args``; with ``skip_bad`` every bad row is collected, not raised."""
    if args.items and args.meta:
        raise DataError("--items (events) and --meta (amazon-raw) do not go together")
    try:
        source, name = source_of(args.dataset, args.format, args.items or args.meta)
        options = LoadOptions(
            name=getattr(args, "name", None) or name,
            text=args.text,
            core=args.core,
            dedup=args.dedup,
            skip_bad=skip_bad,
            keep_unseen_items=args.keep_unseen_items,
        )
        print(f"reading {source.describe()}", file=sys.stderr)
        return load_source(source, options)
    except (DataFormatError, FileNotFoundError, ValueError) as e:
        raise DataError(str(e)) from None


def print_bad_rows(report: LoadReport) -> None:
    for line in report.examples:
        print(line, file=sys.stderr)
    reasons = ", ".join(f"{k} {v}" for k, v in report.skipped.items())
    print(f"{report.total_skipped} bad rows ({reasons})", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    ds, report = load(args)
    if report.total_skipped:
        print_bad_rows(report)
        return 1
    print(report.summary())
    print(f"ok: {ds.n_users} users, {ds.n_items} items, {ds.n_interactions} interactions")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    ds, report = load(args)
    if report.total_skipped and not args.skip_bad:
        print_bad_rows(report)
        print("nothing written (fix the rows, or --skip-bad to drop them)", file=sys.stderr)
        return 1
    if ds.n_users == 0:
        raise DataError("no users with interactions: nothing to import")
    out: Path = args.out or imports_root() / (args.name or ds.name)
    if out.exists() and not args.force:
        raise DataError(f"{out} exists (--force replaces it)")
    # Written beside the target, then renamed: a failed write leaves no half dataset behind.
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    write_canonical(ds, tmp, compress=args.compress)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    print(report.summary())
    if report.total_skipped:
        print(f"skipped {report.total_skipped} bad rows (--skip-bad)")
    print(f"wrote {out}: {ds.n_users} users, {ds.n_items} items, {ds.n_interactions} interactions")
    # absolute paths: `npm run genrec -- data import` runs from the caller's directory, not gpu-worker/
    hint = ds.name if args.out is None else str(out.resolve())
    print(f"next, in gpu-worker/: uv run python -m genrec.sid build --dataset {hint} --scheme rpg")
    print(f"the edge's copy (stack running; repository root): npm run genrec -- import --dir {out.resolve()}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from genrec.train.defaults import sid_digits

    ds, report = load(args, skip_bad=False)
    payload: dict[str, Any] = {**asdict(compute_stats(ds, args.max_len)), "load_report": report.summary()}
    m, why = sid_digits(ds.name, ds.n_items)
    lines = [  # the models' layers come from the model packages, which sit above genrec.data
        f"RPG SID length m = {m} ({why})",
        f"each model's lr, epochs and decoding: python -m genrec.tools.dataset_defaults {args.dataset}",
    ]
    defaults = {"sid_m": m, "lines": lines}
    payload["defaults"] = defaults
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        for key, value in payload.items():
            if key != "defaults":
                print(f"{key:26} {_fmt(value)}")
        print("defaults:")
        for line in defaults["lines"]:
            print(f"  {line}")
    return 0


def split_summary(ds: Dataset, max_len: int = MAX_LEN) -> dict[str, Any]:
    """Sizes of the leave-one-out split (genrec.data.split) as every trainer sees it."""
    loo = leave_one_out(ds, max_len)
    train_items = np.unique(np.concatenate([*loo.train, np.zeros(0, np.int64)]))
    seen = np.zeros(ds.n_items + 1, dtype=bool)
    seen[train_items] = True

    def unseen(targets: np.ndarray) -> float:
        return round(float((~seen[targets]).mean()), 4) if len(targets) else 0.0

    return {
        "users": ds.n_users,
        "train_users": sum(len(s) > 0 for s in loo.train),
        "train_interactions": int(sum(len(s) for s in loo.train)),
        "train_targets": int(sum(max(0, len(s) - 1) for s in loo.train)),
        "train_items": len(train_items),
        "valid_rows": len(loo.valid),
        "test_rows": len(loo.test),
        "users_without_test_row": ds.n_users - len(loo.test),
        "valid_targets_unseen_in_train": unseen(loo.valid.targets),
        "test_targets_unseen_in_train": unseen(loo.test.targets),
        "max_len": max_len,
    }


def cmd_split(args: argparse.Namespace) -> int:
    ds, _ = load(args, skip_bad=False)
    summary = split_summary(ds, args.max_len)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"leave-one-out split of {ds.name} (last item = test, second-to-last = validation)")
        for key, value in summary.items():
            print(f"{key:30} {_fmt(value)}")
    return 0


def cmd_holdout(args: argparse.Namespace) -> int:
    ds, _ = load(args, skip_bad=False)
    held = hold_out_items(ds, args.fraction, args.seed)
    out: Path = args.out or imports_root() / f"cold{round(args.fraction * 100)}" / ds.name
    if out.exists() and not args.force:
        raise DataError(f"{out} exists (--force replaces it)")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    write_canonical(held.dataset, tmp)
    record = {**held.summary, "held_out": list(held.held_out)}
    (tmp / RECORD).write_text(json.dumps(record, indent=1) + "\n")
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(out)
    for key, value in held.summary.items():
        print(f"{key:34} {_fmt(value)}")
    print(f"wrote {out} (train on it as --dataset {out.resolve()})")
    return 0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m genrec.data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="convert a dataset to the canonical format under var/data/<name>")
    add_source_args(imp)
    imp.add_argument("--name", help="dataset name (default: from the source); the folder is var/data/<name>")
    imp.add_argument("--out", type=Path, help="output directory instead of var/data/<name>")
    imp.add_argument("--skip-bad", action="store_true", help="drop bad rows (counted) instead of failing")
    imp.add_argument("--force", action="store_true", help="replace an existing output directory")
    imp.add_argument("--compress", action="store_true", help="gzip the JSONL files")
    imp.set_defaults(run=cmd_import)
    val = sub.add_parser("validate", help="read every row; name each bad one as file:line; write nothing")
    add_source_args(val)
    val.set_defaults(run=cmd_validate)
    for name, run, help_text in (
        ("stats", cmd_stats, "dataset statistics and the defaults an untuned dataset gets"),
        ("split", cmd_split, "leave-one-out split sizes"),
    ):
        p = sub.add_parser(name, help=help_text)
        add_source_args(p)
        p.add_argument("--max-len", type=int, default=MAX_LEN, help="history length (default 50)")
        p.add_argument("--json", action="store_true", help="print JSON")
        if name == "stats":
            p.add_argument("--out", type=Path, help="also write the JSON here")
        p.set_defaults(run=run)
    hold = sub.add_parser("holdout", help="a copy with a fraction of the items held out of training")
    add_source_args(hold)
    hold.add_argument("--fraction", type=float, default=0.05, help="share of items held out (default 0.05)")
    hold.add_argument("--seed", type=int, default=2024, help="seed of the draw (default 2024)")
    hold.add_argument("--out", type=Path, help="output directory (default var/data/cold<percent>/<name>)")
    hold.add_argument("--force", action="store_true", help="replace an existing output directory")
    hold.set_defaults(run=cmd_holdout)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DataError as e:
        print(f"genrec data {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
