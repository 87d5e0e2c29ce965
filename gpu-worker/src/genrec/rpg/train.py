"""Train and test RPG: ``python -m genrec.rpg.train --dataset beauty --preset quick --sids DIR``.

The run reads like the experiment: load -> split -> SIDs -> fit (exhaustive validation, NDCG@10
selection, early stop) -> reload best -> valid/test exhaustive -> build the graph from the learned
digit embeddings -> valid/test graph-constrained decoding (every beam init on test) -> result file
``bench/results/rpg/<dataset>-<preset>.json``. Config precedence: see genrec.rpg.config.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from genrec.data import leave_one_out, load_dataset
from genrec.rpg.config import PRESET_NAMES, RunConfig, config_dict, resolve_config
from genrec.rpg.data import SIDTable, load_sids, popularity, training_rows
from genrec.rpg.decode import BEAM_INITS
from genrec.rpg.evaluate import DecodeContext, exhaustive, graph, model_logprobs
from genrec.rpg.graph import build_graph
from genrec.rpg.loop import fit
from genrec.rpg.model import RPG
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.overrides import parse_sets
from genrec.train.results import (
    REPO_ROOT,
    git_info,
    machine_info,
    resolve_device,
    source_fingerprint,
    write_result,
)

DEFAULT_RUNS = REPO_ROOT / "gpu-worker" / "var" / "runs"
RPG_RESULTS = REPO_ROOT / "bench" / "results" / "rpg"


RPG_PACKAGES = ("data", "eval", "models", "rpg", "train")  # the code an RPG result depends on


def sid_summary(table: SIDTable) -> dict[str, Any]:
    unique = len(np.unique(table.sids[1:], axis=0))
    return {
        "source": table.source,
        "encoder": table.encoder,
        "scheme": table.scheme,
        "digits": table.n_digits,
        "unique_sids": unique,
        "items_sharing_a_sid": len(table.sids) - 1 - unique,
    }


def run(
    config: RunConfig, table: SIDTable, run_dir: Path, results_dir: Path, resume: bool = False, tag: str = ""
) -> dict[str, Any]:
    """Train (or resume), test the best validation checkpoint, write and return the result
    (``<dataset>-<preset>[-<tag>].json``)."""
    started = time.perf_counter()
    torch.set_num_threads(config.train.threads)
    device = resolve_device(config.train.device)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    torch.manual_seed(config.train.seed)
    model = RPG(config.model, table.sids).to(device)
    saved = load_meta(run_dir, "last") if resume else None
    prior_seconds = saved["state"]["elapsed_seconds"] if saved else 0.0
    inputs, labels = (torch.from_numpy(a) for a in training_rows(loo.train, config.model.max_len))
    sid_info = {"sid": sid_summary(table), "item_ids": "dataset order"}
    state = fit(model, inputs, labels, loo.valid, config, run_dir, resume, extra_meta=sid_info)
    load_checkpoint(run_dir, "best", model)
    model.to(device)

    bs, decode = config.train.eval_batch_size, config.decode
    logprobs = model_logprobs(model, device)
    valid_ex = exhaustive(logprobs, loo.valid, table.sids, bs)
    test_ex = exhaustive(logprobs, loo.test, table.sids, bs)
    t0 = time.perf_counter()
    item_graph = build_graph(model.code_embeddings().cpu(), table.sids, decode.neighbours)
    graph_seconds = time.perf_counter() - t0
    ctx = DecodeContext(table.sids, item_graph, popularity(loo.train, loo.n_items))
    valid_graph = graph(logprobs, loo.valid, ctx, decode, bs)
    test_graph = graph(logprobs, loo.test, ctx, decode, bs)
    inits = {  # the paper's random beam vs the suggested alternatives (unfiltered, to save time)
        init: graph(logprobs, loo.test, ctx, dataclasses.replace(decode, init=init), bs, seen_filtered=False)
        for init in BEAM_INITS
        if init != decode.init
    }
    inits[decode.init] = test_graph
    result = {
        "dataset": Path(config.dataset).name,
        "model": "rpg",
        "preset": config.preset,
        "config": config_dict(config),
        "sids": sid_summary(table),
        "git": git_info(),
        "source_sha256": source_fingerprint(packages=RPG_PACKAGES),
        "machine": machine_info(device),
        "threads": config.train.threads,
        "data": {
            "users": ds.n_users,
            "items": ds.n_items,
            "interactions": ds.n_interactions,
            "training_rows": len(inputs),
            "training_targets": int((labels > 0).sum()),
        },
        "n_params": sum(p.numel() for p in model.parameters()),
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "stopped": state.stopped,
        "seconds_per_epoch": round(state.train_seconds / max(1, state.epoch), 2),
        "graph_build_seconds": round(graph_seconds, 2),
        # Summed over resumed sessions (time between a session's last checkpoint and its kill is lost).
        "wall_seconds": round(prior_seconds + time.perf_counter() - started, 1),
        "valid": {"exhaustive": valid_ex, "graph": valid_graph},
        "test": {"exhaustive": test_ex, "graph": test_graph},
        "test_graph_by_beam_init": {
            k: {"metrics": v["metrics"], "items_scored_per_user": v["items_scored_per_user_metrics"]}
            for k, v in inits.items()
        },
        "invalid_note": "graph decoding answers only graph nodes (real items): invalid@k = 0 by construction",
        "history": state.history,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if state.best_valid is not None and state.best_valid["metrics"] != valid_ex["metrics"]:
        tqdm.write("warning: re-loaded best checkpoint does not reproduce its validation metrics")
    path = results_dir / f"{Path(config.dataset).name}-{config.preset}{f'-{tag}' if tag else ''}.json"
    write_result(path, result)
    tqdm.write(f"wrote {path}")
    return result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m genrec.rpg.train", description=__doc__.splitlines()[0])
    p.add_argument(
        "--dataset", required=True, help="beauty | sports | sample, or a canonical dataset directory"
    )
    p.add_argument(
        "--preset",
        default="quick",
        choices=PRESET_NAMES,
        help="tiny: seconds, for tests; quick: ~20 min on 1 CPU thread (Beauty); full: the paper (GPU)",
    )
    p.add_argument(
        "--sids",
        required=True,
        help="SID directory (sids.u8 + items.json, e.g. var/artifacts/beauty-rpg-m32) or random:<m>",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config field, e.g. --set model.d=64 --set decode.init=history (repeatable)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (same as --set train.threads=N; default 1)")
    p.add_argument("--resume", action="store_true", help="continue from the run directory's last checkpoint")
    p.add_argument("--out", type=Path, help=f"run directory (default {DEFAULT_RUNS}/<dataset>-rpg-<preset>)")
    p.add_argument(
        "--results-dir", type=Path, default=RPG_RESULTS, help=f"result JSON folder (default {RPG_RESULTS})"
    )
    p.add_argument("--tag", default="", help="suffix for the result file, e.g. e40 for a longer schedule")
    p.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    overrides: dict[str, object] = dict(parse_sets(args.sets))
    if args.threads is not None:
        overrides["train.threads"] = args.threads
    ds, _ = load_dataset(args.dataset)
    table = load_sids(args.sids, ds)
    config = resolve_config(Path(args.dataset).name, args.preset, args.sids, table.n_digits, overrides)
    config = dataclasses.replace(config, dataset=args.dataset)
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    suffix = f"-{args.tag}" if args.tag else ""
    run_dir = args.out or DEFAULT_RUNS / f"{Path(args.dataset).name}-rpg-{args.preset}{suffix}"
    result = run(config, table, run_dir, args.results_dir, resume=args.resume, tag=args.tag)
    for name in ("exhaustive", "graph"):
        test = result["test"][name]["metrics"]
        print(f"test {name}: ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}")
    print(f"best epoch {result['best_epoch']} of {result['epochs_run']}")


if __name__ == "__main__":
    main()
