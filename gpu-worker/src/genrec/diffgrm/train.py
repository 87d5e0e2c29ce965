"""Train and test DiffGRM: ``python -m genrec.diffgrm.train --dataset beauty --preset quick --sids DIR``.

The run reads like the experiment: load -> split -> SIDs -> fit (OCN loss; CPD validation with the
valid beam, 0.8·N@10 + 0.2·R@10 selection, early stop) -> reload best -> valid (valid beam) and test
(test beam) on every user -> serving artifact ``var/artifacts/diffgrm-<dataset>-<preset>[-<ablation>]``
-> result file ``bench/results/diffgrm/<dataset>-<preset>[-<ablation>].json``.

``--ablation no-cpd`` is a decoding switch: when the plain run of the same dataset and preset has
finished, its best checkpoint is evaluated with left-to-right digit filling, without retraining.
Config precedence: see genrec.diffgrm.config.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from genrec.data import leave_one_out, load_dataset
from genrec.diffgrm.config import ABLATION_NAMES, PRESET_NAMES, RunConfig, config_dict, resolve_config
from genrec.diffgrm.cpd import bucket_map
from genrec.diffgrm.data import SIDTable, item_counts, load_sids, training_samples
from genrec.diffgrm.evaluate import evaluate
from genrec.diffgrm.loop import fit
from genrec.diffgrm.model import DiffGRM
from genrec.diffgrm.serve import export_artifact
from genrec.sid.artifacts import artifacts_root
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
DIFFGRM_RESULTS = REPO_ROOT / "bench" / "results" / "diffgrm"
DIFFGRM_PACKAGES = ("data", "eval", "models", "diffgrm", "train")  # the code a DiffGRM result depends on


def run_name(dataset: str, preset: str, ablation: str) -> str:
    """``beauty-quick``, ``beauty-quick-random-mask``: result file stem and artifact suffix."""
    return f"{Path(dataset).name}-{preset}" + ("" if ablation == "none" else f"-{ablation}")


def run(
    config: RunConfig,
    table: SIDTable,
    run_dir: Path,
    results_dir: Path,
    resume: bool = False,
    artifact_dir: Path | None = None,
    reused: bool = False,
    tag: str = "",
) -> dict[str, Any]:
    """Train (or resume, or reuse a finished run), test the best checkpoint, write the result.
    ``reused``: ``run_dir`` is a finished training re-decoded (no-cpd, --tag); wall time excludes it."""
    started = time.perf_counter()
    torch.set_num_threads(config.train.threads)
    device = resolve_device(config.train.device)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    counts = item_counts(loo.train, loo.n_items)
    buckets = bucket_map(table.sids, counts)
    torch.manual_seed(config.train.seed)
    model = DiffGRM(config.model, table.sids).to(device)
    saved = load_meta(run_dir, "last") if resume else None
    prior_seconds = saved["state"]["elapsed_seconds"] if saved and not reused else 0.0
    histories, targets = (torch.from_numpy(a) for a in training_samples(loo.train, config.model.max_len))
    meta = {"sid": table.summary(), "item_ids": "dataset order"}
    state = fit(model, histories, targets, loo.valid, buckets, config, run_dir, resume, extra_meta=meta)
    load_checkpoint(run_dir, "best", model)
    model.to(device)

    dec, bs = config.decode, config.train.eval_batch_size
    order = dec.order
    merge = dec.merge_duplicates
    valid = evaluate(model, loo.valid, buckets, dec.valid_beam, order, dec.k, bs, merge)  # type: ignore[arg-type]
    test = evaluate(model, loo.test, buckets, dec.test_beam, order, dec.k, bs, merge)  # type: ignore[arg-type]
    name = run_name(config.dataset, config.preset, config.ablation) + (f"-{tag}" if tag else "")
    result = {
        "dataset": Path(config.dataset).name,
        "model": "diffgrm",
        "preset": config.preset,
        "ablation": config.ablation,
        "tag": tag or None,
        "training_reused_from": str(run_dir) if reused else None,
        "config": config_dict(config),
        "sids": table.summary(),
        "git": git_info(),
        "source_sha256": source_fingerprint(packages=DIFFGRM_PACKAGES),
        "machine": machine_info(device),
        "threads": config.train.threads,
        "data": {
            "users": ds.n_users,
            "items": ds.n_items,
            "interactions": ds.n_interactions,
            "training_samples": len(targets),
        },
        "n_params": sum(p.numel() for p in model.parameters()),
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "stopped": state.stopped,
        "seconds_per_epoch": round(state.train_seconds / max(1, state.epoch), 2),
        "valid_eval_seconds_in_training": round(state.eval_seconds, 1),
        # Summed over resumed sessions (time between a session's last checkpoint and its kill is lost).
        "wall_seconds": round(prior_seconds + time.perf_counter() - started, 1),
        "metric_notes": {
            "metrics": "item-level hits, no seen filtering (papers' protocol; the headline)",
            "seen_filtered": "item-level, history items skipped when expanding SID buckets",
            "sid_level": "DiffGRM code's protocol: a hit when a decoded SID equals the target's SID",
            "invalid@k": "share of the first k decoded SIDs (sorted beams) that map to no item",
        },
        "valid": valid,
        "test": test,
        "best_valid_in_training": state.best_valid,
        "history": state.history,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if artifact_dir is not None and config.ablation != "no-cpd":  # no-cpd shares the plain run's weights
        summary = {"sid": table.summary(), "test": test["metrics"], "result": f"{name}.json"}
        export_artifact(artifact_dir, model.cpu(), config, ds.item_ids, counts, summary)
        result["artifact"] = artifact_dir.name
    path = results_dir / f"{name}.json"
    write_result(path, result)
    tqdm.write(f"wrote {path}")
    return result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m genrec.diffgrm.train", description=__doc__.splitlines()[0])
    p.add_argument(
        "--dataset", required=True, help="beauty | sports | sample, or a canonical dataset directory"
    )
    p.add_argument(
        "--preset",
        default="quick",
        choices=PRESET_NAMES,
        help="tiny: seconds, for tests; quick: ~25 min on 1 CPU thread (Beauty); full: the paper (GPU)",
    )
    p.add_argument(
        "--sids",
        required=True,
        help="SID artifact directory (e.g. var/artifacts/beauty-pse-m4) or random:<m> (synthetic)",
    )
    p.add_argument(
        "--ablation",
        default="none",
        choices=ABLATION_NAMES,
        help="no-ocn: plain masked diffusion (one random view per sample); random-mask: random digit "
        "order instead of OCN's probe; uniform-weight: plain per-digit loss "
        "weights instead of the nested views'; no-cpd: left-to-right decoding",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config field, e.g. --set model.d=64 --set decode.test_beam=128 (repeatable)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (same as --set train.threads=N; default 1)")
    p.add_argument("--resume", action="store_true", help="continue from the run directory's last checkpoint")
    p.add_argument("--out", type=Path, help=f"run directory (default {DEFAULT_RUNS}/<dataset>-diffgrm-...)")
    p.add_argument(
        "--results-dir",
        type=Path,
        default=DIFFGRM_RESULTS,
        help=f"result JSON folder (default {DIFFGRM_RESULTS})",
    )
    p.add_argument(
        "--artifact-dir",
        type=Path,
        help="serving artifact directory (default <artifacts root>/diffgrm-<dataset>-<preset>[-<ablation>])",
    )
    p.add_argument(
        "--tag",
        help="suffix for the result and artifact names, e.g. a decode-only variant of a finished run: "
        "--resume --out var/runs/beauty-diffgrm-quick --set decode.merge_duplicates=true --tag merge",
    )
    p.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    overrides: dict[str, object] = dict(parse_sets(args.sets))
    if args.threads is not None:
        overrides["train.threads"] = args.threads
    ds, _ = load_dataset(args.dataset)
    table = load_sids(args.sids, ds)
    name = Path(args.dataset).name
    config = resolve_config(name, args.preset, args.sids, table.n_digits, args.ablation, overrides)
    config = dataclasses.replace(config, dataset=args.dataset)
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    runs = DEFAULT_RUNS / f"{name}-diffgrm-{args.preset}"
    run_dir, resume = args.out or runs.with_name(runs.name + f"-{args.ablation}"), args.resume
    if args.ablation == "none":
        run_dir = args.out or runs
    elif args.ablation == "no-cpd" and args.out is None:
        plain = load_meta(runs, "last")
        if plain is not None and plain["state"]["stopped"]:  # reuse the finished plain run's weights
            run_dir, resume = runs, True
    last = load_meta(run_dir, "last") if resume else None
    # decode-only variants re-evaluate a finished run; their wall time leaves its training out
    reused = bool(last and last["state"]["stopped"] and (args.tag or args.ablation == "no-cpd"))
    stem = run_name(name, args.preset, args.ablation) + (f"-{args.tag}" if args.tag else "")
    artifact_dir = args.artifact_dir or artifacts_root() / f"diffgrm-{stem}"
    result = run(config, table, run_dir, args.results_dir, resume, artifact_dir, reused, args.tag or "")
    for split in ("valid", "test"):
        m = result[split]["metrics"]
        print(
            f"{split} (beam {result[split]['beam']}, {result[split]['order']}): ndcg@10 {m['ndcg@10']:.4f} "
            f"recall@10 {m['recall@10']:.4f} invalid@10 {m['invalid@10']:.4f}"
        )
    print(f"best epoch {result['best_epoch']} of {result['epochs_run']}")


if __name__ == "__main__":
    main()
