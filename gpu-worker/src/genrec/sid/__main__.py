"""`python -m genrec.sid build --dataset beauty --scheme rpg --m 32`: build a SID artifact set under
gpu-worker/var/artifacts/<dataset>-<scheme>-m<m>/ and its result file under gpu-worker/var/results/sid/
(``--publish``: bench/results/sid/, from a clean tree only; ``--results-dir``: exactly there).
Without ``--m``, RPG's m is the authors' for beauty / sports / toys, else chosen from the item count
(genrec.train.defaults.sid_digits), and printed."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from genrec.data import load_dataset
from genrec.embed import DEFAULT_CACHE_DIR, DEFAULT_MODEL, TEMPLATE_STYLES, TEXT_SOURCES
from genrec.sid.artifacts import artifacts_root
from genrec.sid.build import RESULTS_DIR, BuildOptions, artifact_name, build_sids
from genrec.sid.tokenizer import SCHEMES, default_config
from genrec.train.cli import add_results_args, results_dir
from genrec.train.defaults import sid_digits
from genrec.train.results import write_result


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m genrec.sid", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="embed item texts, fit a SID tokenizer, write artifacts + result")
    build.add_argument(
        "--dataset", required=True, help="beauty | sports | toys | sample, an imported name or a path"
    )
    build.add_argument("--scheme", choices=SCHEMES, required=True, help="rpg (OPQ+PQ), pse (DiffGRM), rq")
    build.add_argument(
        "--m",
        type=int,
        help="digits (256 codes each); default pse 4, rq 4, rpg from the dataset (beauty 32, sports and "
        "toys 16; else 16 below 30k items, 32 below 60k, 64 above)",
    )
    build.add_argument(
        "--pca-dim", type=int, default=256, help="PCA output dim, divisible by m (default 256)"
    )
    build.add_argument("--no-whiten", action="store_true", help="plain PCA instead of whitened PCA")
    build.add_argument("--seed", type=int, default=2024, help="seed of k-means and OPQ init (default 2024)")
    build.add_argument("--pq-iters", type=int, default=25, help="k-means iterations per codebook")
    build.add_argument("--opq-iters", type=int, default=50, help="OPQ alternations (rpg, pse)")
    build.add_argument("--model", default=DEFAULT_MODEL, help=f"embedding model (default {DEFAULT_MODEL})")
    build.add_argument(
        "--template", choices=TEMPLATE_STYLES, help="item text style (default: rpg for rpg, else diffgrm)"
    )
    build.add_argument(
        "--text",
        choices=TEXT_SOURCES,
        default="meta",
        help="item text: meta = title, price, brand, categories (default); phrase = the short phrase",
    )
    build.add_argument("--batch-size", type=int, default=64, help="texts per encoder batch (default 64)")
    build.add_argument("--threads", type=int, default=1, help="torch and faiss threads (default 1)")
    build.add_argument(
        "--out", type=Path, help="artifact dir (default var/artifacts/<dataset>-<scheme>-m<m>)"
    )
    add_results_args(build, RESULTS_DIR)
    build.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="embedding cache root")
    build.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import faiss
    import torch

    torch.set_num_threads(args.threads)
    faiss.omp_set_num_threads(args.threads)
    out_dir = results_dir(args)
    ds, _ = load_dataset(args.dataset)
    m = args.m
    if m is None and args.scheme == "rpg":
        m, why = sid_digits(args.dataset, ds.n_items)
        logging.info("SID length m = %d (%s; --m chooses another)", m, why)
    config = default_config(
        args.scheme,
        m,
        pca_dim=args.pca_dim,
        whiten=not args.no_whiten,
        seed=args.seed,
        pq_iters=args.pq_iters,
        opq_iters=args.opq_iters,
    )
    name = artifact_name(args.dataset, config, args.text)
    out = args.out or artifacts_root() / name
    table = out / "items.json"
    if table.is_file() and json.loads(table.read_text()) != list(ds.item_ids):
        # models trained on those SIDs need them: never replace another catalogue's artifact
        raise SystemExit(f"{out} holds the SIDs of another catalogue than {args.dataset}'s; choose --out")
    options = BuildOptions(
        args.model, args.template, args.text, args.cache_dir, args.batch_size, not args.no_progress
    )
    logging.info("building %s: %d items -> %s", name, ds.n_items, out)
    result = build_sids(ds, config, out, options)
    result_path = out_dir / f"{name}.json"
    write_result(result_path, result)
    logging.info("stats %s", json.dumps(result["stats"]))
    logging.info("wrote %s and %s", out, result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
