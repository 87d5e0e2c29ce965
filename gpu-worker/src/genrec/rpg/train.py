"""Train and test RPG: ``python -m genrec.rpg.train --dataset beauty --preset quick --sids DIR``.

The run reads like the experiment: load -> split -> SIDs -> fit (genrec.train: exhaustive
validation, NDCG@10 selection, early stop) -> reload best -> valid/test exhaustive -> build the
graph from the learned digit embeddings -> valid/test graph-constrained decoding (every beam init
on test) -> ``var/results/rpg/<dataset>-<preset>[-<tag>].json`` (``--publish``: bench/results/rpg).
Config: genrec.rpg.config; a dataset without tuned settings gets genrec.train.defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import torch

from genrec.data import leave_one_out, load_dataset, subsample
from genrec.models.base import Batch
from genrec.models.content_knn import item_vectors
from genrec.rpg.config import RPG_RESULTS, RunConfig, config_dict, dataset_defaults, resolve_config
from genrec.rpg.data import popularity, training_rows
from genrec.rpg.decode import BEAM_INITS
from genrec.rpg.evaluate import DecodeContext, exhaustive, graph, model_scores
from genrec.rpg.graph import build_graph
from genrec.rpg.model import RPG
from genrec.sid.table import SIDTable, code_vectors, load_sids
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.cli import cli_overrides, extend_run, results_dir, run_dir, run_name, run_parser
from genrec.train.defaults import DatasetDefaults, data_shape
from genrec.train.loop import EpochCallback, ResumeRule, Task, Validation, fit
from genrec.train.results import resolve_device, run_footer, run_header, save_run

RPG_PACKAGES = ("rpg", "sid")  # the code an RPG result depends on, besides genrec.train's
# Settings that may differ between a run and its resumption without changing the result's meaning.
RESUME = ResumeRule(
    ("model", "train", "decode"), frozenset({"threads", "device", "eval_batch_size"}), ("dataset", "sids")
)


def run(
    config: RunConfig,
    table: SIDTable,
    run_dir: Path,
    results_dir: Path,
    resume: bool = False,
    tag: str = "",
    on_epoch_end: EpochCallback | None = None,
    defaults: DatasetDefaults | None = None,
) -> dict[str, Any]:
    """Train (or resume), test the best validation checkpoint, write and return the result
    (``defaults``: the dataset layer the config was resolved with, recorded in the result)."""
    started = time.perf_counter()
    torch.set_num_threads(config.train.threads)
    device, cfg = resolve_device(config.train.device), config.train
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    torch.manual_seed(cfg.seed)
    centroids = code_vectors(table.source) if config.model.code_init == "centroids" else None
    texts = item_vectors(ds, config.model.text_head) if config.model.text_head else None
    model = RPG(config.model, table.sids, centroids, texts).to(device)
    saved = load_meta(run_dir, "last") if resume else None
    prior_seconds = saved["state"]["elapsed_seconds"] if saved else 0.0
    inputs, labels = (torch.from_numpy(a) for a in training_rows(loo.train, config.model.max_len))
    valid_subset = subsample(loo.valid, cfg.valid_users, cfg.seed)

    def validate() -> Validation:
        result = exhaustive(model_scores(model, device), valid_subset, ds.n_items, cfg.eval_batch_size)
        best = {"metrics": result["metrics"], "seen_filtered": result["seen_filtered"]}
        return Validation(result["metrics"][cfg.select_metric], result["metrics"], best)

    task = Task(
        model,
        (inputs > 0).sum(dim=1),
        lambda rows: model.calculate_loss(Batch(inputs[rows].to(device), labels[rows].to(device))),
        validate,
    )
    meta = {"sid": table.summary(), "item_ids": "dataset order"}
    state = fit(task, cfg, run_dir, config_dict(config), RESUME, resume, meta, on_epoch_end, started)
    load_checkpoint(run_dir, "best", model)
    model.to(device)

    bs, decode = cfg.eval_batch_size, config.decode
    scores = model_scores(model, device)
    valid_ex = exhaustive(scores, loo.valid, ds.n_items, bs)
    test_ex = exhaustive(scores, loo.test, ds.n_items, bs)
    t0 = time.perf_counter()
    item_graph = build_graph(model.code_embeddings().cpu(), table.sids, decode.neighbours)
    graph_seconds = time.perf_counter() - t0
    ctx = DecodeContext(table.sids, item_graph, popularity(loo.train, loo.n_items))
    valid_graph = graph(scores, loo.valid, ctx, decode, bs)
    test_graph = graph(scores, loo.test, ctx, decode, bs)
    inits = {  # the paper's random beam vs the suggested alternatives (unfiltered, to save time)
        init: graph(scores, loo.test, ctx, dataclasses.replace(decode, init=init), bs, seen_filtered=False)
        for init in BEAM_INITS
        if init != decode.init
    }
    inits[decode.init] = test_graph
    data = {
        "users": ds.n_users,
        "items": ds.n_items,
        "interactions": ds.n_interactions,
        "training_rows": len(inputs),
        "training_targets": int((labels > 0).sum()),
    }
    result = {
        **run_header("rpg", config, RPG_PACKAGES, device, data, model, tag, defaults),
        "sids": table.summary(),
        "graph_build_seconds": round(graph_seconds, 2),
        "valid": {"exhaustive": valid_ex, "graph": valid_graph},
        "test": {"exhaustive": test_ex, "graph": test_graph},
        "test_graph_by_beam_init": {
            k: {"metrics": v["metrics"], "items_scored_per_user": v["items_scored_per_user_metrics"]}
            for k, v in inits.items()
        },
        "invalid_note": "graph decoding answers only graph nodes (real items): invalid@k = 0 by construction",
        **run_footer(state, prior_seconds + time.perf_counter() - started),
    }
    return save_run(results_dir, run_name(config.dataset, config.preset, tag), result)


def parser() -> argparse.ArgumentParser:
    return run_parser("python -m genrec.rpg.train", __doc__, RPG_RESULTS, "var/artifacts/beauty-rpg-m32")


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    ds, _ = load_dataset(args.dataset)
    table = load_sids(args.sids, ds)
    defaults = dataset_defaults(args.dataset, args.preset, data_shape(ds))
    cli = cli_overrides(args)
    config = resolve_config(args.dataset, args.preset, args.sids, table.n_digits, cli, defaults)
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    out = results_dir(args)
    defaults.announce()
    runs = run_dir(args, "rpg")
    extend_run(args, runs)
    result = run(config, table, runs, out, args.resume, args.tag, defaults=defaults)
    for name in ("exhaustive", "graph"):
        test = result["test"][name]["metrics"]
        print(f"test {name}: ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}")
    print(f"best epoch {result['best_epoch']} of {result['epochs_run']}")


if __name__ == "__main__":
    main()
