"""Train and test DiffGRM: ``python -m genrec.diffgrm.train --dataset beauty --preset quick --sids DIR``.

The run reads like the experiment: load -> split -> SIDs -> fit (OCN loss; CPD validation with the
valid beam, 0.8·N@10 + 0.2·R@10 selection, early stop) -> reload best -> valid (valid beam) and test
(test beam) on every user -> serving artifact ``var/artifacts/diffgrm-<dataset>-<preset>[-<ablation>]``
-> result file ``var/results/diffgrm/<dataset>-<preset>[-<ablation>].json`` (``--publish``:
bench/results/diffgrm). A dataset without tuned settings gets genrec.train.defaults.

The final evaluation also reads the same beams with a grid of item mappings (``READINGS``: the
bucket prior's weight, see genrec.diffgrm.cpd.to_items) and reports the one validation selects;
``--fuse`` adds a text prior to the grid (the content-kNN cosine between the last history item and
each item, genrec.models.content_knn; beyond the paper, reported apart as DiffGRM + text prior).

``--ablation no-cpd`` is a decoding switch: when the plain run of the same dataset and preset has
finished, its best checkpoint is evaluated with left-to-right digit filling, without retraining.
Config precedence: see genrec.diffgrm.config.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch

from genrec.data import Dataset, item_counts, leave_one_out, load_dataset, subsample
from genrec.diffgrm.config import ABLATION_NAMES, RunConfig, config_dict, dataset_defaults, resolve_config
from genrec.diffgrm.cpd import DigitOrder, bucket_map
from genrec.diffgrm.data import training_samples
from genrec.diffgrm.evaluate import ItemRanking, Prior, evaluate, select_reading, selection_score
from genrec.diffgrm.model import DiffGRM
from genrec.diffgrm.ocn import ocn_loss
from genrec.diffgrm.serve import export_artifact
from genrec.models.content_knn import ContentKNN, ContentKNNConfig
from genrec.sid.artifacts import artifacts_root
from genrec.sid.table import SIDTable, code_vectors, load_sids, with_collision_digit
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.cli import DEFAULT_RUNS, cli_overrides, extend_run, results_dir, run_name, run_parser
from genrec.train.defaults import DatasetDefaults, data_shape
from genrec.train.loop import EpochCallback, ResumeRule, Task, Validation, fit
from genrec.train.results import REPO_ROOT, resolve_device, run_footer, run_header, save_run

DIFFGRM_RESULTS = REPO_ROOT / "bench" / "results" / "diffgrm"
DIFFGRM_PACKAGES = ("diffgrm", "sid")  # the code a DiffGRM result depends on, besides genrec.train's
# Settings that may differ between a run and its resumption without changing what it trains.
RESUME = ResumeRule(
    ("model", "train", "ocn", "decode"),
    frozenset(
        {
            *("threads", "device", "eval_batch_size", "test_beam", "serve_beam", "order"),
            *("merge_duplicates", "bucket_prior"),
        }
    ),
    ("dataset", "sids"),
)
BUCKET_PRIORS = (0.0, 0.5, 1.0, 2.0)  # the final evaluation's readings (ItemRanking.bucket_prior)
TEXT_PRIORS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # ... and, with --fuse, their text prior weights


def readings(fuse: bool) -> tuple[ItemRanking, ...]:
    return tuple(ItemRanking(b, t) for b in BUCKET_PRIORS for t in (TEXT_PRIORS if fuse else (0.0,)))


def text_prior(ds: Dataset) -> Prior:
    """The content-kNN cosine between the last history item and every item (meta text, MiniLM)."""
    knn = ContentKNN.from_dataset(ContentKNNConfig(exclude_history=False), ds)

    def scores(histories: torch.Tensor) -> torch.Tensor:
        out = knn.score_all(histories)
        out[:, 0] = 0.0  # the padding row is never an item
        return out

    return scores


def run(
    config: RunConfig,
    table: SIDTable,
    run_dir: Path,
    results_dir: Path,
    resume: bool = False,
    artifact_dir: Path | None = None,
    reused: bool = False,
    tag: str = "",
    on_epoch_end: EpochCallback | None = None,
    defaults: DatasetDefaults | None = None,
    fuse: bool = False,
) -> dict[str, Any]:
    """Train (or resume, or reuse a finished run), test the best checkpoint, write the result.
    ``defaults``: the dataset layer the config was resolved with, recorded in the result.
    ``fuse``: the final readings include the text prior (module doc).
    ``reused``: ``run_dir`` is a finished training re-decoded (no-cpd, --tag); wall time excludes it."""
    started = time.perf_counter()
    torch.set_num_threads(config.train.threads)
    device, cfg, dec = resolve_device(config.train.device), config.train, config.decode
    order: DigitOrder = dec.order  # type: ignore[assignment]
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds, config.model.max_len)
    counts = item_counts(loo.train, loo.n_items)
    buckets = bucket_map(table.sids, counts)
    torch.manual_seed(cfg.seed)
    centroids = code_vectors(table.source) if config.model.code_init == "centroids" else None
    model = DiffGRM(config.model, table.sids, centroids).to(device)
    saved = load_meta(run_dir, "last") if resume else None
    prior_seconds = saved["state"]["elapsed_seconds"] if saved and not reused else 0.0
    histories, targets = (torch.from_numpy(a) for a in training_samples(loo.train, config.model.max_len))
    target_codes = torch.from_numpy(table.sids).long()[targets]  # [S, m]
    valid_subset = subsample(loo.valid, cfg.valid_users, cfg.seed)

    def validate() -> Validation:
        bs = cfg.eval_batch_size
        result = evaluate(
            model,
            valid_subset,
            buckets,
            dec.valid_beam,
            order,
            dec.k,
            bs,
            dec.merge_duplicates,
            bucket_prior=dec.bucket_prior,
        )
        best = {k: result[k] for k in ("metrics", "seen_filtered", "sid_level", "users")}
        return Validation(selection_score(result["metrics"]), result["metrics"], best)

    def loss_of(rows: torch.Tensor) -> torch.Tensor:
        return ocn_loss(model, histories[rows].to(device), target_codes[rows].to(device), config.ocn)

    task = Task(model, (histories > 0).sum(dim=1), loss_of, validate)
    meta = {"sid": table.summary(), "item_ids": "dataset order"}
    state = fit(task, cfg, run_dir, config_dict(config), RESUME, resume, meta, on_epoch_end, started)
    load_checkpoint(run_dir, "best", model)
    model.to(device)

    bs, merge = cfg.eval_batch_size, dec.merge_duplicates
    final = {
        "bucket_prior": dec.bucket_prior,
        "readings": readings(fuse),
        "prior": text_prior(ds) if fuse else None,
    }
    valid = evaluate(model, loo.valid, buckets, dec.valid_beam, order, dec.k, bs, merge, **final)
    test = evaluate(model, loo.test, buckets, dec.test_beam, order, dec.k, bs, merge, **final)
    selected = {
        f"{name}, {view}": select_reading(valid, test, view, text=name != "diffgrm")
        for name in (("diffgrm", "diffgrm+text-prior") if fuse else ("diffgrm",))
        for view in ("metrics", "seen_filtered")
    }
    name = run_name(config.dataset, config.preset, "" if config.ablation == "none" else config.ablation, tag)
    data = {
        "users": ds.n_users,
        "items": ds.n_items,
        "interactions": ds.n_interactions,
        "training_samples": len(targets),
    }
    result = {
        **run_header("diffgrm", config, DIFFGRM_PACKAGES, device, data, model, tag, defaults),
        "ablation": config.ablation,
        "training_reused_from": str(run_dir) if reused else None,
        "sids": table.summary(),
        "metric_notes": {
            "metrics": "item-level hits, no seen filtering (papers' protocol; the headline)",
            "seen_filtered": "item-level, history items skipped when expanding SID buckets",
            "sid_level": "DiffGRM code's protocol: a hit when a decoded SID equals the target's SID",
            "invalid@k": "share of the first k decoded SIDs (sorted beams) that map to no item",
            "readings": "the same beams mapped to items by other rules (bucket prior, text prior)",
            "readings_selected": "per model and view, the reading validation selects, with its test "
            "figures; diffgrm+text-prior adds the untrained content-kNN cosine (beyond the paper)",
        },
        "valid": valid,
        "test": test,
        "readings_selected": selected,
        **run_footer(state, prior_seconds + time.perf_counter() - started),
    }
    if artifact_dir is not None and config.ablation != "no-cpd":  # no-cpd shares the plain run's weights
        summary = {"sid": table.summary(), "test": test["metrics"], "result": f"{name}.json"}
        export_artifact(artifact_dir, model.cpu(), config, ds.item_ids, counts, summary)
        result["artifact"] = artifact_dir.name
    return save_run(results_dir, name, result)


def parser() -> argparse.ArgumentParser:
    p = run_parser("python -m genrec.diffgrm.train", __doc__, DIFFGRM_RESULTS, "var/artifacts/beauty-pse-m4")
    p.add_argument(
        "--ablation",
        default="none",
        choices=ABLATION_NAMES,
        help="no-ocn: plain masked diffusion (one random view per sample); random-mask: random digit "
        "order instead of OCN's probe; uniform-weight: plain per-digit loss "
        "weights instead of the nested views'; no-cpd: left-to-right decoding",
    )
    p.add_argument(
        "--collision-digit",
        action="store_true",
        help="append a digit that tells apart the items sharing a SID (0 = the most trained), so every "
        "item has its own SID (beyond the paper; the SID artifact's cold-start mapping does not apply)",
    )
    p.add_argument(
        "--fuse",
        action="store_true",
        help="the final readings also weigh a text prior (content-kNN cosine with the last item, "
        "meta text, MiniLM; beyond the paper), selected on validation",
    )
    p.add_argument(
        "--artifact-dir",
        type=Path,
        help="serving artifact directory (default <artifacts root>/diffgrm-<dataset>-<preset>[-<ablation>])",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    ds, _ = load_dataset(args.dataset)
    table = load_sids(args.sids, ds)
    if args.collision_digit:
        table = with_collision_digit(table, item_counts(leave_one_out(ds).train, ds.n_items))
    defaults = dataset_defaults(args.dataset, args.preset, data_shape(ds))
    config = resolve_config(
        args.dataset, args.preset, table.source, table.n_digits, args.ablation, cli_overrides(args), defaults
    )
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    out = results_dir(args)
    defaults.announce()
    ablation = "" if args.ablation == "none" else args.ablation
    runs = DEFAULT_RUNS / run_name(args.dataset, "diffgrm", args.preset)
    # the tag names its own run directory (as for RPG), so two variants never share checkpoints
    run_dir, resume = args.out or DEFAULT_RUNS / run_name(runs.name, ablation, args.tag), args.resume
    if args.ablation == "no-cpd" and args.out is None:
        plain = load_meta(runs, "last")
        if plain is not None and plain["state"]["stopped"]:  # reuse the finished plain run's weights
            run_dir, resume = runs, True
    extend_run(args, run_dir)
    last = load_meta(run_dir, "last") if resume else None
    # decode-only variants re-evaluate a finished run; their wall time leaves its training out
    reused = bool(last and last["state"]["stopped"] and (args.tag or args.ablation == "no-cpd"))
    stem = run_name(args.dataset, args.preset, ablation, args.tag)
    artifact_dir = args.artifact_dir or artifacts_root() / f"diffgrm-{stem}"
    result = run(
        config, table, run_dir, out, resume, artifact_dir, reused, args.tag, defaults=defaults, fuse=args.fuse
    )
    for split in ("valid", "test"):
        m = result[split]["metrics"]
        print(
            f"{split} (beam {result[split]['beam']}, {result[split]['order']}): ndcg@10 {m['ndcg@10']:.4f} "
            f"recall@10 {m['recall@10']:.4f} invalid@10 {m['invalid@10']:.4f}"
        )
    for name, chosen in result["readings_selected"].items():
        print(
            f"{name}: {chosen['reading']} (selected on valid): test ndcg@10 {chosen['test']['ndcg@10']:.4f} "
            f"(valid {chosen['valid']['ndcg@10']:.4f})"
        )
    print(f"best epoch {result['best_epoch']} of {result['epochs_run']}")


if __name__ == "__main__":
    main()
