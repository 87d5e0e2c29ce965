"""One experiment in its own folder: the trainers' command line (``python -m genrec.<model>.train``)
run with its checkpoints, result file and serving artifacts under ``<root>``, plus a status file.

The Modal app's ``experiment`` function calls ``run_experiment`` on a Volume folder; ``status`` and
``files`` let a client follow the run and bring its outputs home. Layout of ``<root>``::

    status.json      {"state": running | succeeded | failed, "error": ..., "results": [...]}
    run/             checkpoints (``last.json`` carries the epoch and validation history)
    results/         the trainer's result JSON (its ``--results-dir``)
    artifacts/       serving artifact sets a trainer exports (DiffGRM)

Library code: no modal import; the local command line and the Modal shell run the same trainer.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genrec.baselines.config import MODELS as BASELINES
from genrec.train.config import PRESET_NAMES

# model -> (trainer module, the arguments that pick the model in it, the bench/results kind)
TRAINERS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "rpg": ("genrec.rpg.train", (), "rpg"),
    "diffgrm": ("genrec.diffgrm.train", (), "diffgrm"),
    **{name: ("genrec.baselines.train", ("--model", name), "baselines") for name in BASELINES},
}
NEEDS_SIDS = frozenset({"rpg", "diffgrm"})
RUN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
STATUS = "status.json"


class ExperimentError(ValueError):
    """A spec field a trainer would refuse; the message names the field."""


class ExperimentFailed(RuntimeError):
    """The trainer stopped with an error (its own, or argparse's exit); the status file has the trace."""


@dataclass(frozen=True)
class ExperimentSpec:
    run_id: str
    model: str
    dataset: str
    preset: str
    sets: tuple[str, ...] = field(default=())
    sids: str | None = None
    tag: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExperimentSpec:
        known = {"run_id", "model", "dataset", "preset", "sets", "sids", "tag"}
        if unknown := sorted(set(raw) - known):
            raise ExperimentError(f"unknown field(s): {', '.join(unknown)}")
        spec = cls(**{**raw, "sets": tuple(raw.get("sets") or ())})
        spec.check()
        return spec

    def check(self) -> None:
        if not isinstance(self.run_id, str) or not RUN_ID.match(self.run_id):
            raise ExperimentError(f"run_id {self.run_id!r}: lowercase letters, digits and '-' (at most 80)")
        if self.model not in TRAINERS:
            raise ExperimentError(f"model {self.model!r}: one of {', '.join(TRAINERS)}")
        if self.preset not in PRESET_NAMES:
            raise ExperimentError(f"preset {self.preset!r}: one of {', '.join(PRESET_NAMES)}")
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ExperimentError("dataset: a dataset name or directory")
        if self.model in NEEDS_SIDS and not self.sids:
            raise ExperimentError(f"sids: {self.model} needs a SID artifact directory or random:<m>")
        for item in self.sets:
            if not isinstance(item, str) or "=" not in item:
                raise ExperimentError(f"sets {item!r}: KEY=VALUE, e.g. train.epochs=5")

    @property
    def kind(self) -> str:
        """The bench/results folder a result of this model belongs in."""
        return TRAINERS[self.model][2]


def trainer_argv(spec: ExperimentSpec, root: Path) -> tuple[str, list[str]]:
    """The trainer module and the command line a local run would use, pointed into ``root``."""
    module, pick, _ = TRAINERS[spec.model]
    argv = [*pick, "--dataset", spec.dataset, "--preset", spec.preset]
    argv += [arg for item in spec.sets for arg in ("--set", item)]
    argv += ["--out", str(root / "run"), "--results-dir", str(root / "results")]
    if spec.tag:
        argv += ["--tag", spec.tag]
    if spec.model in NEEDS_SIDS:
        argv += ["--sids", str(spec.sids)]
    if spec.model == "diffgrm":
        argv += ["--artifact-dir", str(root / "artifacts" / f"diffgrm-{spec.run_id}")]
    return module, argv


def run_experiment(spec: ExperimentSpec, root: Path) -> dict[str, Any]:
    """Train and test as the local command line does; the status file says how it ended. Returns the
    final status; a failure is recorded, then raised as ExperimentFailed so the caller's platform sees it."""
    module, argv = trainer_argv(spec, root)
    root.mkdir(parents=True, exist_ok=True)
    spec_dict = spec.__dict__ | {"sets": list(spec.sets)}
    write_status(root, {"state": "running", "kind": spec.kind, "spec": spec_dict, "argv": argv})
    try:
        importlib.import_module(module).main(argv)
    except BaseException as exc:  # SystemExit from argparse included: it is the trainer's refusal
        why = f"{type(exc).__name__}: {exc}"
        write_status(root, {**read_status(root), "state": "failed", "error": why, "trace": trace(exc)})
        raise ExperimentFailed(f"run {spec.run_id} failed: {why}") from exc
    results = sorted(p.name for p in (root / "results").glob("*.json"))
    return write_status(root, {**read_status(root), "state": "succeeded", "results": results})


def trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)[-5:])


def write_status(root: Path, status: dict[str, Any]) -> dict[str, Any]:
    tmp = root / f"{STATUS}.tmp"
    tmp.write_text(json.dumps(status, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, root / STATUS)
    return status


def read_status(root: Path) -> dict[str, Any]:
    path = root / STATUS
    return json.loads(path.read_text()) if path.exists() else {"state": "unknown"}


def experiment_status(root: Path) -> dict[str, Any]:
    """The status file plus the training progress from the last checkpoint's meta."""
    status = {k: v for k, v in read_status(root).items() if k != "trace"}
    last = root / "run" / "last.json"
    if last.exists():
        meta = json.loads(last.read_text())
        state = meta["state"]
        status["progress"] = {
            "epoch": state["epoch"],
            "epochs": meta["config"]["train"]["epochs"],
            "best_epoch": state["best_epoch"],
            "best_score": state["best_score"],
            "elapsed_seconds": round(state["elapsed_seconds"], 1),
        }
    return status


def experiment_files(root: Path) -> dict[str, bytes]:
    """What a client brings home, by path under ``root``: the status, the result files, the best
    checkpoint (meta + weights) and any exported artifact set."""
    paths = [root / STATUS, *sorted((root / "results").glob("*.json"))]
    best = root / "run" / "best.json"
    if best.exists():
        paths += [best, root / "run" / json.loads(best.read_text())["weights"]]
    paths += sorted(p for p in (root / "artifacts").rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in paths if p.exists()}
