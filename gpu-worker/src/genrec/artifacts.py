"""Writing an artifact set (docs/artifacts.md), whatever its model: a staging folder beside the
output, every file's size and sha256 in the manifest, the manifest checked against the shared schema,
then one rename, so a reader never sees half a set. Also the ONNX helpers every exporter shares.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn

from genrec.rpc.models import ArtifactManifest

OPSET = 17
VERSION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def check_version(version: str) -> str:
    if not (version and version[0].isalnum() and set(version) <= VERSION_CHARS and len(version) <= 128):
        raise ValueError(f"bad artifact version {version!r}: use ^[A-Za-z0-9][A-Za-z0-9._-]*$")
    return version


def file_entry(path: Path) -> dict[str, Any]:
    return {"bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def staging(out: Path) -> Path:
    """An empty folder beside ``out`` to write the set into before ``publish_folder``."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def publish_folder(tmp: Path, out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Adds ``files`` (every file in ``tmp``) to ``manifest``, validates it against the shared
    schema (fail here, not at the edge), writes manifest.json and moves ``tmp`` to ``out``."""
    manifest = {**manifest, "files": {p.name: file_entry(p) for p in sorted(tmp.iterdir())}}
    ArtifactManifest.model_validate(manifest)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return manifest


def random_histories(n_items: int, batch: int, max_len: int, seed: int = 0) -> torch.Tensor:
    """Left-padded random histories of random lengths 0..max_len (rows 1..N): [B, L] int64."""
    gen = torch.Generator().manual_seed(seed)
    rows = torch.randint(1, n_items + 1, (batch, max_len), generator=gen)  # [B, L]
    lengths = torch.randint(0, max_len + 1, (batch, 1), generator=gen)  # [B, 1]
    keep = torch.arange(max_len)[None, :] >= max_len - lengths  # [B, L], True on the newest `length`
    return torch.where(keep, rows, torch.zeros_like(rows))


def export_history_model(
    module: nn.Module,
    path: Path,
    max_len: int,
    n_items: int,
    output: str | tuple[str, ...],
    vectors: dict[str, int] | None = None,
) -> None:
    """fp32 ONNX of ``module``: ``history`` int64 [B, max_len] (then one float32 [B, dim] input per
    entry of ``vectors``, in order) -> ``output`` (one name, or several), dynamic batch axis."""
    outputs = (output,) if isinstance(output, str) else output
    example = torch.zeros(2, max_len, dtype=torch.int64)
    example[:, -3:] = torch.tensor([1, 2, min(3, n_items)])
    extra = {
        name: torch.randn(2, dim, generator=torch.Generator().manual_seed(0))
        for name, dim in (vectors or {}).items()
    }
    with warnings.catch_warnings():  # the legacy exporter's deprecation and tracer notes
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            (example, *extra.values()),
            str(path),
            input_names=["history", *extra],
            output_names=list(outputs),
            opset_version=OPSET,
            dynamic_axes={name: {0: "batch"} for name in ("history", *extra, *outputs)},
            dynamo=False,
        )
