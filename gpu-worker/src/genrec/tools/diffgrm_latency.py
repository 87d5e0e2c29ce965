"""Denoise latency per batch size: ``python -m genrec.tools.diffgrm_latency --artifact DIR``.

Times ``genrec.diffgrm.serve.denoise`` (id mapping, encoder, n CPD decoder passes, SID -> item
mapping; no HTTP) on histories drawn from the artifact's dataset (validation inputs), for each batch
size, after warm-up runs; writes p50/p90 to ``bench/results/diffgrm/latency-<device>.json``.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.data import leave_one_out, load_dataset
from genrec.diffgrm.config import config_dict
from genrec.diffgrm.serve import Served, denoise, read_served, serving_device
from genrec.diffgrm.train import DIFFGRM_RESULTS
from genrec.train.results import git_info, machine_info, write_result

BATCH_SIZES = (1, 8, 32, 128)


def sample_histories(served: Served, dataset: str, n: int, seed: int) -> list[list[str]]:
    """``n`` validation histories of ``dataset`` as item ids (oldest first), drawn with replacement."""
    ds, _ = load_dataset(dataset)
    split = leave_one_out(ds, served.config.model.max_len).valid
    rows = np.random.default_rng(seed).integers(0, len(split), size=n)
    return [[ds.item_ids[r] for r in split.histories[i] if r > 0] for i in rows]


def time_batches(
    served: Served, histories: list[list[str]], batch_size: int, k: int, beam: int, repeats: int
) -> list[float]:
    """Seconds per call, ``repeats`` calls on consecutive slices (after one untimed warm-up call)."""
    denoise(served, histories[:batch_size], k, beam)
    out = []
    for r in range(repeats):
        start = (r * batch_size) % max(1, len(histories) - batch_size)
        t0 = time.perf_counter()
        denoise(served, histories[start : start + batch_size], k, beam)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        out.append(time.perf_counter() - t0)
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.diffgrm_latency", description=__doc__.splitlines()[0]
    )
    p.add_argument(
        "--artifact", type=Path, required=True, help="DiffGRM artifact directory (manifest.json, ...)"
    )
    p.add_argument("--dataset", help="dataset to draw histories from (default: the artifact's)")
    p.add_argument("--batch-sizes", default=",".join(map(str, BATCH_SIZES)), help="comma-separated sizes")
    p.add_argument("--repeats", type=int, default=20, help="timed calls per batch size (default 20)")
    p.add_argument("--k", type=int, default=10, help="items per history (default 10)")
    p.add_argument("--beam", type=int, help="CPD beam (default: the artifact's decode.serve_beam)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--device", help="cpu | cuda (default: cuda when available)")
    p.add_argument("--out", type=Path, help=f"result file (default {DIFFGRM_RESULTS}/latency-<device>.json)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    device = args.device or serving_device()
    served = read_served(args.artifact, device)
    beam = max(args.beam or served.config.decode.serve_beam, args.k)
    sizes = [int(s) for s in args.batch_sizes.split(",")]
    histories = sample_histories(served, args.dataset or served.config.dataset, 4 * max(sizes), seed=0)
    per_size: dict[str, Any] = {}
    for size in sizes:
        seconds = np.array(time_batches(served, histories, size, args.k, beam, args.repeats)) * 1000
        per_size[str(size)] = {
            "p50_ms": round(float(np.percentile(seconds, 50)), 2),
            "p90_ms": round(float(np.percentile(seconds, 90)), 2),
            "per_history_p50_ms": round(float(np.percentile(seconds, 50)) / size, 3),
            "repeats": args.repeats,
        }
        print(f"batch {size}: p50 {per_size[str(size)]['p50_ms']} ms, p90 {per_size[str(size)]['p90_ms']} ms")
    result = {
        "kind": "diffgrm-denoise-latency",
        "artifact": args.artifact.name,
        "config": config_dict(served.config),
        "beam": beam,
        "k": args.k,
        "what": "serve.denoise in process: id mapping, encoder, CPD decoder passes, SID -> item mapping",
        "git": git_info(),
        "machine": machine_info(device),
        "threads": args.threads,
        "batch_sizes": per_size,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = args.out or DIFFGRM_RESULTS / f"latency-{device.split(':')[0]}.json"
    write_result(path, result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
