"""Checkpoints: weights + optimizer state in a ``.pt`` beside a ``<name>.json`` meta (config, progress).

``last`` is rewritten after every epoch so a killed run resumes (``--resume``); ``best`` holds the
weights of the best validation epoch, re-loaded for the test evaluation. The weights go to a new
epoch-tagged file (``last-e0003.pt``), then the JSON naming it is renamed into place (the commit
point), then older weight files are removed: a kill at any moment leaves a consistent pair.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn


def save_checkpoint(
    run_dir: Path,
    name: str,
    epoch: int,
    model: nn.Module,
    meta: dict[str, Any],
    optimizer: torch.optim.Optimizer | None = None,
) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    weights = f"{name}-e{epoch:04d}.pt"
    blob = {"model": model.state_dict()}
    if optimizer is not None:
        blob["optimizer"] = optimizer.state_dict()
    torch.save(blob, run_dir / weights)
    tmp = run_dir / f"{name}.json.tmp"
    tmp.write_text(json.dumps({**meta, "weights": weights}, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, run_dir / f"{name}.json")
    for old in run_dir.glob(f"{name}-e*.pt"):
        if old.name != weights:
            old.unlink()


def load_meta(run_dir: Path, name: str) -> dict[str, Any] | None:
    path = run_dir / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def load_checkpoint(
    run_dir: Path, name: str, model: nn.Module, optimizer: torch.optim.Optimizer | None = None
) -> dict[str, Any]:
    """Load weights (and optimizer state) in place; returns the JSON meta."""
    meta = load_meta(run_dir, name)
    if meta is None:
        raise FileNotFoundError(f"no checkpoint {name!r} in {run_dir}")
    blob = torch.load(run_dir / meta["weights"], map_location="cpu", weights_only=True)
    model.load_state_dict(blob["model"])
    if optimizer is not None:
        optimizer.load_state_dict(blob["optimizer"])
    return meta


def reopen(run_dir: Path) -> str | None:
    """Clear the recorded stop of ``run_dir``'s ``last`` checkpoint so that a resumed run trains on
    (``--extend``); returns the stop it cleared (None when the run had not stopped)."""
    path = run_dir / "last.json"
    meta = load_meta(run_dir, "last")
    if meta is None:
        raise FileNotFoundError(f"no 'last' checkpoint in {run_dir} to extend")
    stopped = meta["state"].get("stopped")
    if stopped is not None:
        meta["state"]["stopped"] = None
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)
    return stopped
