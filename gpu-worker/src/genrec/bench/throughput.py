"""Training throughput side by side: targets per second of one model's optimisation step under
several settings, measured in one process on the same batches (issue 14, item 3).

``python -m genrec.bench.throughput --model rpg --dataset beauty --sids var/artifacts/beauty-rpg-m32``
profiles one step (where the time goes, by operator), then times ``--steps`` steps per setting
(preset, batch size, threads, torch.compile), interleaved round-robin so machine load hits every
setting alike, and writes ``bench/results/throughput/<model>-<dataset>-<configs>.json``. Several
presets (``--preset cpu,full``) time configs side by side, e.g. what the paper's width costs here;
``--set K=V`` changes every config and ``--variant LABEL:K=V,K=V`` adds the first preset with those
changes, e.g. what an option beyond the paper costs per target.
Timings on the shared 2-core machine are only comparable within one file: read the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from genrec.data import leave_one_out, load_dataset, next_item_arrays
from genrec.models.base import Batch
from genrec.train.loop import epoch_batches, make_optimizer
from genrec.train.overrides import Overrides, parse_sets
from genrec.train.results import REPO_ROOT, git_info, machine_info, write_result

RESULTS = REPO_ROOT / "bench" / "results" / "throughput"
Step = Callable[[torch.Tensor], torch.Tensor]  # row indices -> loss


def build(
    model_name: str, dataset: str, sids: str | None, preset: str, cli: Overrides
) -> tuple[torch.nn.Module, Step, torch.Tensor, Any]:
    """The model of ``preset`` changed by ``cli``, its loss of a batch of row indices, and each
    row's target count."""
    ds, _ = load_dataset(dataset)
    if model_name == "rpg":
        from genrec.models.content_knn import item_vectors
        from genrec.rpg.config import resolve_config
        from genrec.rpg.data import training_rows
        from genrec.rpg.model import RPG
        from genrec.sid.table import load_sids

        table = load_sids(sids or "random:32", ds)
        config = resolve_config(dataset, preset, table.source, table.n_digits, cli)
        loo = leave_one_out(ds, config.model.max_len)
        texts = item_vectors(ds, config.model.text_head) if config.model.text_head else None
        model = RPG(config.model, table.sids, text_vectors=texts)
        inputs, labels = (torch.from_numpy(a) for a in training_rows(loo.train, config.model.max_len))
        return model, lambda rows: model.calculate_loss(Batch(inputs[rows], labels[rows])), labels, config
    if model_name == "diffgrm":
        from genrec.diffgrm.config import resolve_config
        from genrec.diffgrm.data import training_samples
        from genrec.diffgrm.model import DiffGRM
        from genrec.diffgrm.ocn import ocn_loss
        from genrec.sid.table import load_sids

        table = load_sids(sids or "random:4", ds)
        config = resolve_config(dataset, preset, table.source, table.n_digits, cli=cli)
        loo = leave_one_out(ds, config.model.max_len)
        model = DiffGRM(config.model, table.sids)
        histories, targets = (torch.from_numpy(a) for a in training_samples(loo.train, config.model.max_len))
        codes = torch.from_numpy(table.sids).long()[targets]  # [S, m]
        return (
            model,
            lambda rows: ocn_loss(model, histories[rows], codes[rows], config.ocn),
            targets[:, None],
            config,
        )
    from genrec.baselines.config import resolve_config
    from genrec.baselines.train import build_model

    config = resolve_config(model_name, dataset, preset, cli)
    loo = leave_one_out(ds)
    model = build_model(config, ds, loo)
    inputs, labels = (torch.from_numpy(a) for a in next_item_arrays(loo.train, loo.max_len))
    return model, lambda rows: model.calculate_loss(Batch(inputs[rows], labels[rows])), labels, config


def profile(
    model: torch.nn.Module, step: Step, rows: torch.Tensor, optimizer: torch.optim.Optimizer
) -> list[dict[str, Any]]:
    """The 12 operators with the most self CPU time in one forward + backward + optimizer step."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        loss = step(rows)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events)
    return [
        {
            "op": e.key,
            "self_ms": round(e.self_cpu_time_total / 1000, 2),
            "share": round(e.self_cpu_time_total / total, 3),
        }
        for e in events[:12]
    ]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.bench.throughput", description=__doc__.splitlines()[0])
    p.add_argument(
        "--model", required=True, choices=("rpg", "diffgrm", "sasrec", "esasrec"), help="which model's step"
    )
    p.add_argument("--dataset", required=True, help="beauty | sports | toys | sample")
    p.add_argument("--sids", help="SID directory for rpg/diffgrm (default random SIDs of the authors' width)")
    p.add_argument(
        "--preset", default="quick", help="comma-separated model configs to time side by side (default quick)"
    )
    p.add_argument("--set", dest="sets", action="append", default=[], help="K=V, every config (repeatable)")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        help="LABEL:K=V,K=V: the first preset with these changes, timed beside the others (repeatable)",
    )
    p.add_argument("--batch-sizes", default="256,1024", help="comma-separated batch sizes (default 256,1024)")
    p.add_argument("--threads", default="1,2", help="comma-separated torch thread counts (default 1,2)")
    p.add_argument("--compile", action="store_true", help="also time torch.compile'd steps")
    p.add_argument("--steps", type=int, default=20, help="timed steps per setting (default 20)")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"result folder (default {RESULTS})")
    args = p.parse_args(argv)

    common, named = parse_sets(args.sets), args.preset.split(",")
    configs = {name: (name, common) for name in named}  # label -> (preset, changes)
    for spec in args.variant:
        label, sep, changes = spec.partition(":")
        if not sep or not label or label in configs:
            raise SystemExit(f"--variant expects a new LABEL:K=V,K=V, got {spec!r}")
        configs[label] = (named[0], {**common, **parse_sets(changes.split(","))})
    presets = list(configs)
    torch.set_num_threads(1)
    built, top_ops, n_params = {}, {}, {}
    for name, (preset, cli) in configs.items():
        torch.manual_seed(0)
        model, step, labels, config = build(args.model, args.dataset, args.sids, preset, cli)
        optimizer = make_optimizer(model, config.train)
        model.train()
        lengths = (labels > 0).sum(dim=1)
        top_ops[name] = profile(model, step, epoch_batches(lengths, 256, bucket=True)[0], optimizer)
        n_params[name] = sum(w.numel() for w in model.parameters())
        steps = {False: step, **({True: torch.compile(step)} if args.compile else {})}
        built[name] = (steps, optimizer, labels, lengths)

    settings = [
        {"preset": name, "batch_size": int(b), "threads": int(t), "compile": c}
        for name in presets
        for b in args.batch_sizes.split(",")
        for t in args.threads.split(",")
        for c in ((False, True) if args.compile else (False,))
    ]
    batches = {
        (s["preset"], s["batch_size"]): epoch_batches(built[s["preset"]][3], s["batch_size"], bucket=True)
        for s in settings
    }
    seconds: dict[int, list[float]] = {i: [] for i in range(len(settings))}
    targets: dict[int, int] = {i: 0 for i in range(len(settings))}
    for k in range(args.steps + 2):  # round robin; the first two rounds warm up (and compile)
        for i, s in enumerate(settings):
            steps, optimizer, labels, _ = built[s["preset"]]
            torch.set_num_threads(s["threads"])
            epoch = batches[s["preset"], s["batch_size"]]
            rows = epoch[k % len(epoch)]
            start = time.perf_counter()
            loss = steps[s["compile"]](rows)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if k >= 2:
                seconds[i].append(time.perf_counter() - start)
                targets[i] += int((labels[rows] > 0).sum())
    table = [
        {
            **s,
            "targets_per_s": round(targets[i] / sum(seconds[i]), 1),
            "median_step_ms": round(1000 * statistics.median(seconds[i]), 1),
        }
        for i, s in enumerate(settings)
    ]
    base = table[0]["targets_per_s"]
    for row in table:
        row["vs_first"] = round(row["targets_per_s"] / base, 2)
        print(row)
    result = {
        "model": args.model,
        "dataset": args.dataset,
        "presets": presets,
        "overrides": {name: cli for name, (_, cli) in configs.items()},
        "n_params": n_params,
        "sids": args.sids,
        "git": git_info(),
        "machine": machine_info("cpu"),
        "steps_per_setting": args.steps,
        "note": "settings interleaved round-robin in one process; bucketed batches; ratios only",
        "profile_one_step_batch_256_1_thread": top_ops,  # per preset
        "settings": table,
    }
    path = args.out / f"{args.model}-{args.dataset}-{'-'.join(presets)}.json"
    write_result(path, result, announce=True)


if __name__ == "__main__":
    main()
