"""A stand-in pipeline for job tests: it sleeps instead of training, then writes a synthetic artifact
set (random SIDs, a placeholder model.onnx) and publishes it with the real code. It exercises the job
machinery (process, progress, logs, cancel, publish) in a fraction of a second.

In-process tests pass ``FakePipeline(...)`` to ``run_job``; a job process runs it as a script,
``python tests/jobs/fake_pipeline.py --steps N [--step-s S] [--fail] --job-dir DIR``, through
``LocalLauncher(command=FakePipeline(...).command())``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from genrec.jobs.pipeline import Outcome, Workspace, publish
from genrec.jobs.progress import Reporter
from genrec.jobs.runner import main as runner_main
from genrec.jobs.settings import JobSettings
from genrec.jobs.validation import dataset_name, parse_options
from genrec.rpc.models import ArtifactManifest, TrainRequest

N_ITEMS, DIGITS = 4, 2


@dataclass(frozen=True)
class FakePipeline:
    steps: int
    step_seconds: float = 0.1
    fail: bool = False  # raise half-way

    def __call__(self, request: TrainRequest, ws: Workspace, settings: JobSettings, rep: Reporter) -> Outcome:
        options = parse_options(request)  # not validate(): the trainers' configs import torch
        rep.phase("dataset")
        rep.log("fake dataset: 4 items")
        rep.phase("train")
        for step in range(1, self.steps + 1):
            time.sleep(self.step_seconds)
            if self.fail and step > self.steps // 2:
                raise RuntimeError(f"fake failure at step {step}")
            rep.log(f"fake step {step}/{self.steps}")
            rep.fraction(step / self.steps)
        rep.phase("export")
        version = ws.version(dataset_name(request))
        out = write_fake_artifacts(ws.root / "artifacts" / version, version, dataset_name(request))
        rep.phase("publish")
        publish(out, options, settings, rep)
        return Outcome(version, {"fake_steps": float(self.steps)})

    def command(self) -> list[str]:
        """This pipeline's job process, for ``LocalLauncher(command=...)``."""
        flags = ["--steps", str(self.steps), "--step-s", str(self.step_seconds)]
        return [sys.executable, __file__, *flags, *(["--fail"] if self.fail else [])]


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


def main(argv: list[str] | None = None) -> int:
    """The job runner's entry point with this pipeline: fake options first, the runner's after."""
    p = argparse.ArgumentParser(description="the job runner with a fake pipeline (tests only)")
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--step-s", type=float, default=0.1)
    p.add_argument("--fail", action="store_true")
    args, rest = p.parse_known_args(argv)
    return runner_main(rest, pipeline=FakePipeline(args.steps, args.step_s, args.fail))


if __name__ == "__main__":
    sys.exit(main())
