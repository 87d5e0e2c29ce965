"""Result files: one JSON per run with the config, code version, machine and metrics.

``bench/results/baselines/<dataset>-<model>-<preset>.json`` at the repository root; the table in
that folder's README is regenerated from these files by ``python -m genrec.bench.baseline_table``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import torch

REPO_ROOT = Path(__file__).resolve().parents[4]
BASELINE_RESULTS = REPO_ROOT / "bench" / "results" / "baselines"
SOURCE_ROOT = Path(__file__).resolve().parents[1]  # src/genrec
RESULT_PACKAGES = ("data", "eval", "models", "train")  # the code a baseline result depends on


def git_info(root: Path = REPO_ROOT) -> dict[str, Any]:
    """HEAD commit and whether tracked or untracked files differ from it (None outside a checkout)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def source_fingerprint(root: Path = SOURCE_ROOT, packages: tuple[str, ...] = RESULT_PACKAGES) -> str:
    """sha256 over the .py files (path + bytes) of ``packages``: ties a dirty-tree result to its code.

    Recompute it on a checkout to check that a result file came from that checkout's code.
    """
    digest = hashlib.sha256()
    for path in sorted(p for package in packages for p in (root / package).rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def resolve_device(name: str) -> str:
    """``auto`` -> cuda when available, else cpu; any other name as given."""
    return ("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(device: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "device": device,
        # Other processes share the CPU: the 1/5/15-minute load averages when the run ended put the
        # timings in context (15 min ~ the whole of a quick run).
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def result_path(results_dir: Path, dataset: str, model: str, preset: str, tag: str = "") -> Path:
    return results_dir / f"{Path(dataset).name}-{model}-{preset}{f'-{tag}' if tag else ''}.json"


def write_result(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, path)
