"""Tests only ($GENREC_JOBS_FAKE_STEPS): a pipeline that sleeps instead of training, then writes a
synthetic artifact set (random SIDs, a placeholder model.onnx) and publishes it with the real code.
It exercises the job machinery (process, progress, logs, cancel, publish) in a fraction of a second."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from genrec.jobs.config import JobSettings
from genrec.jobs.options import JobOptions, dataset_name
from genrec.jobs.pipeline import Outcome, Workspace, publish
from genrec.jobs.progress import Reporter
from genrec.rpc.models import ArtifactManifest, TrainRequest

N_ITEMS, DIGITS = 4, 2


def run_fake(
    request: TrainRequest, options: JobOptions, ws: Workspace, settings: JobSettings, rep: Reporter
) -> Outcome:
    fake = settings.fake
    assert fake is not None
    rep.phase("dataset")
    rep.log("fake dataset: 4 items")
    rep.phase("train")
    for step in range(1, fake.steps + 1):
        time.sleep(fake.step_seconds)
        if fake.fail and step > fake.steps // 2:
            raise RuntimeError(f"fake failure at step {step}")
        rep.log(f"fake step {step}/{fake.steps}")
        rep.fraction(step / fake.steps)
    rep.phase("export")
    version = ws.version(dataset_name(request))
    out = write_fake_artifacts(ws.root / "artifacts" / version, version, dataset_name(request))
    rep.phase("publish")
    publish(out, options, settings, rep)
    return Outcome(version, {"fake_steps": float(fake.steps)})


def write_fake_artifacts(out: Path, version: str, dataset: str) -> Path:
    """A schema-valid artifact set whose model is not a model: for publish tests, never for an edge."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    sids = rng.integers(0, 256, (N_ITEMS + 1, DIGITS), dtype=np.uint8)
    sids[0] = 0
    (out / "items.json").write_text(json.dumps(["", *(f"i{i}" for i in range(1, N_ITEMS + 1))]))
    sids.tofile(out / "sids.u8")
    np.array([0, 0, *range(1, N_ITEMS + 1)], "<i4").tofile(out / "graph.indptr.i32")  # self only
    np.arange(1, N_ITEMS + 1, dtype="<i4").tofile(out / "graph.indices.i32")
    np.arange(1, N_ITEMS + 1, dtype="<i4").tofile(out / "popular.i32")
    (out / "model.onnx").write_bytes(b"not an onnx model")
    files = {
        p.name: {"bytes": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in sorted(out.iterdir())
        if p.name != "manifest.json"
    }
    manifest = ArtifactManifest.model_validate(
        {
            "format": 1,
            "version": version,
            "model": "rpg",
            "dataset": dataset,
            "created_at": datetime.now(UTC),
            "n_items": N_ITEMS,
            "digits": DIGITS,
            "codebook": 256,
            "max_len": 50,
            "encoder": "none",
            "sid_scheme": "random",
            "decode": {"beam": 2, "neighbours": 1, "steps": 1},
            "onnx": {
                "file": "model.onnx",
                "input": "history",
                "output": "logprobs",
                "opset": 17,
                "quantized": False,
            },
            "metrics": {},
            "files": files,
        }
    )
    (out / "manifest.json").write_text(manifest.model_dump_json(indent=2, exclude_none=True) + "\n")
    return out
