"""Result files: one JSON per run with the config, code version, machine, progress and metrics.

Every trainer writes ``<results dir>/<run name>.json`` through ``run_header`` + its own metrics +
``run_footer``. The results dir is ``gpu-worker/var/results/<kind>`` (git-ignored) for an ad-hoc
run, ``bench/results/<kind>`` with ``--publish`` (from a clean tree only), or ``--results-dir``
(genrec.train.cli). The baselines table is regenerated from its folder by
``python -m genrec.bench.baseline_table``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from genrec.train.defaults import DatasetDefaults
    from genrec.train.loop import FitState

REPO_ROOT = Path(__file__).resolve().parents[4]
BASELINE_RESULTS = REPO_ROOT / "bench" / "results" / "baselines"
RUN_RESULTS = REPO_ROOT / "gpu-worker" / "var" / "results"  # ad-hoc runs: outside the tracked tree
SOURCE_ROOT = Path(__file__).resolve().parents[1]  # src/genrec
RESULT_PACKAGES = ("data", "eval", "models", "train")  # the code every result depends on


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


def command_line() -> str:
    """The process's full command line (interpreter, ``-m module`` and every flag), shell-quoted."""
    return shlex.join(getattr(sys, "orig_argv", sys.argv))


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


def write_result(path: Path, result: dict[str, Any], announce: bool = False) -> None:
    """Write ``result`` as JSON atomically (a reader never sees half a file); ``announce`` says where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, path)
    if announce:
        print(f"wrote {path}", file=sys.stderr)


def save_run(results_dir: Path, name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Write ``result`` to ``<results_dir>/<name>.json`` (announced on stderr) and return it."""
    write_result(results_dir / f"{name}.json", result, announce=True)
    return result


def run_header(
    model_name: str,
    config: Any,
    packages: tuple[str, ...],
    device: str,
    data: dict[str, Any],
    model: torch.nn.Module,
    tag: str = "",
    defaults: DatasetDefaults | None = None,
) -> dict[str, Any]:
    """The first fields of every run's result: what ran (the process's command line), on which code
    and machine, on what data. ``config`` is the run's config dataclass (with ``dataset``, ``preset``
    and ``train``); ``defaults`` the dataset layer it was resolved with (genrec.train.defaults)."""
    from genrec.train.config import config_dict

    return {
        "dataset": Path(config.dataset).name,
        "model": model_name,
        "preset": config.preset,
        "tag": tag or None,
        "command": command_line(),
        "config": config_dict(config),
        "dataset_defaults": defaults.record() if defaults else None,
        "git": git_info(),
        "source_sha256": source_fingerprint(packages=RESULT_PACKAGES + packages),
        "machine": machine_info(device),
        "threads": config.train.threads,
        "data": data,
        "n_params": sum(p.numel() for p in model.parameters()),
    }


def run_footer(state: FitState, wall_seconds: float) -> dict[str, Any]:
    """The last fields of every run's result: how training went, then its per-epoch history.
    ``wall_seconds`` is summed over resumed sessions (the time between a session's last checkpoint
    and its kill is lost)."""
    return {
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "stopped": state.stopped or "no_training",
        "seconds_per_epoch": round(state.train_seconds / state.epoch, 2) if state.epoch else None,
        "valid_eval_seconds_in_training": round(state.eval_seconds, 1),
        "wall_seconds": round(wall_seconds, 1),
        "best_valid_in_training": state.best_valid,
        "history": state.history,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
