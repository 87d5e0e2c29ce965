"""Build the in-repo sample (gpu-worker/data/sample) from the shared Beauty data, deterministically.

The sample is the first ``--users`` users of Beauty's sequences file (file order, no randomness)
with exactly the items they touch and those items' text, in the canonical format (gzipped JSONL).
It lets tests and demos run on real data without the shared directory; it is NOT 5-core (items
are rare within it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genrec.data.amazon_shared import load_shared_amazon
from genrec.data.canonical import write_canonical
from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import LoadReport
from genrec.data.registry import SAMPLE_DIR, shared_dir


def take_first_users(ds: Dataset, n_users: int, name: str = "sample") -> Dataset:
    """The first ``n_users`` users with re-numbered item ids and only the items they touch."""
    users = ds.user_ids[:n_users]
    seqs = [[ds.item_ids[i] for i in s] for s in ds.sequences[:n_users]]
    touched = {x for s in seqs for x in s}
    records = {rec.id: rec for rec in ds.items[1:] if rec.id in touched}
    stamps = None if ds.timestamps is None else [list(t) for t in ds.timestamps[:n_users]]
    return build_dataset(name, users, seqs, records, LoadReport(source=ds.name), stamps)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", default="beauty", help="shared category to sample (default beauty)")
    parser.add_argument("--users", type=int, default=300, help="number of users, taken in file order")
    parser.add_argument(
        "--out", type=Path, default=SAMPLE_DIR, help=f"output directory (default {SAMPLE_DIR})"
    )
    args = parser.parse_args(argv)
    # The phrase text keeps the checked-in sample (and the test vectors built from it) as it was.
    full, _ = load_shared_amazon(shared_dir(args.source), name=args.source, text="phrase")
    sample = take_first_users(full, args.users)
    write_canonical(sample, args.out, compress=True)  # gzip keeps the checked-in sample under 300 KB
    counts = f"{sample.n_users} users, {sample.n_items} items, {sample.n_interactions} interactions"
    print(f"wrote {args.out}: {counts}")


if __name__ == "__main__":
    main()
