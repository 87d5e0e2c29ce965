"""Build a SID artifact for a dataset: item texts -> embeddings (disk-cached) -> tokenizer fitted on
the items seen in training -> every item encoded -> artifact directory + result file.

Result files: ``bench/results/sid/<dataset>-<scheme>-m<m>.json`` at the repository root, with the
config, code version, machine, wall times and the stats of ``genrec.sid.stats``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from genrec.data import Dataset, leave_one_out
from genrec.embed import (
    DEFAULT_CACHE_DIR,
    DEFAULT_MODEL,
    TemplateStyle,
    TextSource,
    canonical_model,
    embed_cached,
    source_text,
)
from genrec.progress import stage
from genrec.sid.artifacts import SidManifest, write_artifact
from genrec.sid.stats import collision_stats, reconstruction_stats
from genrec.sid.tokenizer import SidConfig, fit_tokenizer
from genrec.train.defaults import dataset_label
from genrec.train.results import git_info, write_result
from genrec.train.results import machine_info as base_machine_info

REPO_ROOT = Path(__file__).resolve().parents[4]
RESULTS_DIR = REPO_ROOT / "bench" / "results" / "sid"
DEFAULT_TEMPLATE: dict[str, TemplateStyle] = {"rpg": "rpg", "pse": "diffgrm", "rq": "diffgrm"}


@dataclass(frozen=True)
class BuildOptions:
    model: str = DEFAULT_MODEL
    template: TemplateStyle | None = None  # None: the scheme's paper (rpg -> rpg, pse/rq -> diffgrm)
    text: TextSource = "meta"  # meta: the real fields | phrase: the shared copy's short phrase
    cache_dir: Path = DEFAULT_CACHE_DIR
    batch_size: int = 64
    progress: bool = False


def artifact_name(dataset: str, config: SidConfig, text: TextSource = "meta") -> str:
    """``<dataset>-<scheme>-m<m>[-phrase]``, the dataset by ``dataset_label`` (a holdout copy:
    ``toys-cold5-rpg-m16``)."""
    return f"{dataset_label(dataset)}-{config.scheme}-m{config.m}" + ("-phrase" if text == "phrase" else "")


def fit_rows(ds: Dataset) -> np.ndarray:
    """Rows (1..N) of the items in any training sequence (leave-one-out), sorted."""
    train = [s for s in leave_one_out(ds).train if len(s)]
    return np.unique(np.concatenate(train)) if train else np.zeros(0, dtype=np.int64)


def build_sids(ds: Dataset, config: SidConfig, out_dir: Path, options: BuildOptions) -> dict[str, Any]:
    """Fit, encode and write the artifact set to ``out_dir``; returns the result (also written there)."""
    t_start = time.perf_counter()
    model = canonical_model(options.model, allow_paths=True)
    template = options.template or DEFAULT_TEMPLATE[config.scheme]
    texts = [source_text(rec, template, options.text) for rec in ds.items[1:]]
    embedded = embed_cached(texts, model, options.cache_dir, options.batch_size, options.progress)
    vectors = embedded.vectors
    t_embed = time.perf_counter()

    rows = fit_rows(ds)
    steps = "PCA -> RQ" if config.scheme == "rq" else "PCA -> OPQ -> PQ"
    with stage(f"fit {steps} on {len(rows):,} items (m {config.m})", quiet=not options.progress):
        tokenizer = fit_tokenizer(vectors[rows - 1], config)
    t_fit = time.perf_counter()
    with stage(f"encode {ds.n_items:,} items and measure the SIDs", quiet=not options.progress):
        codes = tokenizer.encode(vectors)  # [N, m]
        sids = np.zeros((ds.n_items + 1, config.m), dtype=np.uint8)
        sids[1:] = codes
        stats = {**collision_stats(codes), **reconstruction_stats(tokenizer, vectors, codes, config.seed)}
    t_encode = time.perf_counter()

    manifest = SidManifest(
        version=out_dir.name,
        dataset=ds.name,
        config=config,
        model=model,
        template=template,
        text=options.text,
        embedding_dim=vectors.shape[1],
        n_items=ds.n_items,
        fit_items=len(rows),
        transform_files=tuple(f"transform_{i}.faiss" for i in range(len(tokenizer.transforms))),
        pipeline=tuple(tokenizer.describe()),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_artifact(out_dir, manifest, tokenizer, ds.item_ids, sids, rows)
    result = {
        "kind": "sid",
        "dataset": ds.name,
        "artifact_version": out_dir.name,
        "config": {
            **asdict(config),
            "model": model,
            "template": template,
            "text": options.text,
            "batch_size": options.batch_size,
        },
        "pipeline": list(manifest.pipeline),
        "items": ds.n_items,
        "fit_items": len(rows),
        "texts_empty": sum(not t for t in texts),
        # Items whose text matches another's but for case: an uncased encoder (MiniLM) gives them one
        # embedding, so one SID at any m.
        "texts_shared_ignoring_case": sum(n for n in Counter(t.lower() for t in texts).values() if n > 1),
        "embedding": {
            "dim": int(vectors.shape[1]),
            "from_cache": embedded.from_cache,
            "encode_seconds": round(embedded.seconds, 2),  # when computed, model load excluded
            "texts_per_s": round(embedded.texts_per_s, 1),
        },
        "wall_s": {
            "embed": round(t_embed - t_start, 2),
            "fit": round(t_fit - t_embed, 2),
            "encode_and_stats": round(t_encode - t_fit, 2),
            "total": round(time.perf_counter() - t_start, 2),
        },
        "stats": stats,
        "git": git_info(),
        "machine": machine_info(),
        "created_at": manifest.created_at,
    }
    write_result(out_dir / "result.json", result)
    return result


def machine_info() -> dict[str, Any]:
    """genrec.train.results' machine record plus faiss's version and thread count."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    faiss_info = {"faiss_threads": faiss.omp_get_max_threads(), "faiss": faiss.__version__}
    return {**base_machine_info(device), **faiss_info}
