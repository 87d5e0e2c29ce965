"""Dataset statistics, checked against the papers' table and written as a result file.

``python -m genrec.data.stats --dataset beauty`` prints the stats and writes them to
``var/stats/<dataset>.json`` (relative to the working directory) unless ``--out`` says otherwise.
The target-in-history shares tell how much seen-item filtering can cost: with filtering, such a
target can never be hit (see genrec.eval.ranking).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from genrec.data.canonical import basic_stats
from genrec.data.dataset import Dataset
from genrec.data.registry import load_dataset
from genrec.data.split import MAX_LEN, EvalSplit, leave_one_out


@dataclass(frozen=True)
class DatasetStats:
    name: str
    users: int
    items: int  # items with at least one interaction
    interactions: int
    density: float
    mean_length: float
    median_length: float
    min_length: int
    max_length: int
    repeated_pairs: int  # interactions whose (user, item) pair occurred earlier
    items_without_text: int
    valid_target_in_history: float  # share of validation rows whose target is in the (<= 50) history
    test_target_in_history: float


def target_in_history(split: EvalSplit) -> float:
    """Share of rows whose target occurs in the (padded, truncated) history."""
    if not len(split):
        return 0.0
    return float((split.histories == split.targets[:, None]).any(axis=1).mean())


def compute_stats(ds: Dataset, max_len: int = MAX_LEN) -> DatasetStats:
    lengths = np.array([len(s) for s in ds.sequences])
    basic = basic_stats(ds)
    loo = leave_one_out(ds, max_len)
    return DatasetStats(
        name=ds.name,
        **basic,
        density=basic["interactions"] / max(1, basic["users"] * basic["items"]),
        mean_length=float(lengths.mean()),
        median_length=float(np.median(lengths)),
        min_length=int(lengths.min()),
        max_length=int(lengths.max()),
        repeated_pairs=int(sum(len(s) - len(np.unique(s)) for s in ds.sequences)),
        items_without_text=sum(not rec.has_text for rec in ds.items[1:]),
        valid_target_in_history=target_in_history(loo.valid),
        test_target_in_history=target_in_history(loo.test),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dataset", required=True, help="beauty, sports, sample or a canonical dataset directory"
    )
    parser.add_argument("--out", type=Path, help="output JSON path (default var/stats/<dataset>.json)")
    parser.add_argument(
        "--max-len", type=int, default=MAX_LEN, help="history length for the split (default 50)"
    )
    args = parser.parse_args(argv)
    ds, report = load_dataset(args.dataset)
    stats = compute_stats(ds, args.max_len)
    out = args.out or Path("var/stats") / f"{stats.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {**asdict(stats), "load_report": report.summary()}
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
