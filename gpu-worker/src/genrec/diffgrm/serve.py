"""DiffGRM serving artifacts and the work behind the ``denoise`` RPC.

A version is a directory ``<root>/<version>/`` (root: ``genrec.sid.artifacts_root()``, i.e.
$GENREC_ARTIFACTS_DIR or gpu-worker/var/artifacts), written by ``export_artifact`` at the end of
training, e.g. ``diffgrm-beauty-quick/``:

    manifest.json  format, kind "diffgrm", version, dataset, the whole RunConfig, SID summary, metrics
    model.pt       the weights (state_dict)
    sids.npy       uint8 [N+1, m]: row r is item r's SID; row 0 = padding
    items.json     [N+1] item ids by row, items[0] == ""
    counts.npy     int64 [N+1] training occurrences per row (order inside a SID's collision bucket)

Module-level state: ``_loaded`` caches each version read by ``load_served`` (model on the process's
device, in eval mode) for the life of the process, keyed by its resolved directory; versions are
immutable, so a retrained model needs a new version name (or a restart).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.diffgrm.config import RunConfig, config_dict, config_from_dict
from genrec.diffgrm.cpd import BucketMap, bucket_map, to_items
from genrec.diffgrm.evaluate import decode_histories
from genrec.diffgrm.model import DiffGRM
from genrec.sid.artifacts import ArtifactNotFoundError, artifacts_root

FORMAT = 1
KIND = "diffgrm"


class EmptyHistoryError(ValueError):
    """History ``index`` holds no item the artifact knows."""

    def __init__(self, index: int) -> None:
        super().__init__(f"history {index} has no item known to the model")
        self.index = index


@dataclass(frozen=True)
class Served:
    version: str
    config: RunConfig
    model: DiffGRM  # eval mode, on the serving device
    item_ids: tuple[str, ...]  # [N+1] by row, item_ids[0] == ""
    buckets: BucketMap

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {item: row for row, item in enumerate(self.item_ids) if row > 0}


def export_artifact(
    directory: Path,
    model: DiffGRM,
    config: RunConfig,
    item_ids: Sequence[str],
    counts: np.ndarray,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write a serving version (see the module docstring); the manifest is written last."""
    sids = model.sid_table()
    assert len(item_ids) == len(sids) == len(counts) and item_ids[0] == "", (len(item_ids), sids.shape)
    directory.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), directory / "model.pt")
    np.save(directory / "sids.npy", sids)
    np.save(directory / "counts.npy", np.asarray(counts, dtype=np.int64))
    (directory / "items.json").write_text(json.dumps(list(item_ids)) + "\n")
    manifest = {
        "format": FORMAT,
        "kind": KIND,
        "version": directory.name,
        "dataset": Path(config.dataset).name,
        "config": config_dict(config),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def serving_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def read_served(directory: Path, device: str | None = None) -> Served:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text()) if path.is_file() else {}
    if manifest.get("kind") != KIND or manifest.get("format") != FORMAT:
        raise ArtifactNotFoundError(f"no DiffGRM artifact in {directory}")
    config = config_from_dict(manifest["config"])
    sids = np.load(directory / "sids.npy")
    model = DiffGRM(config.model, sids)
    model.load_state_dict(torch.load(directory / "model.pt", map_location="cpu", weights_only=True))
    model.to(device or serving_device()).eval()
    item_ids = tuple(json.loads((directory / "items.json").read_text()))
    assert len(item_ids) == len(sids), (len(item_ids), sids.shape)
    buckets = bucket_map(sids, np.load(directory / "counts.npy"))
    return Served(directory.name, config, model, item_ids, buckets)


_loaded: dict[Path, Served] = {}
_loaded_lock = threading.Lock()


def load_served(version: str, root: Path | None = None) -> Served:
    """The DiffGRM version ``<root>/<version>``, read once per process (a plain name, no separators)."""
    if not version or "/" in version or "\\" in version or version.startswith("."):
        raise ArtifactNotFoundError(f"bad artifact version {version[:128]!r}")
    directory = ((root or artifacts_root()) / version).resolve()
    with _loaded_lock:
        if directory not in _loaded:
            _loaded[directory] = read_served(directory)
        return _loaded[directory]


def history_rows(served: Served, histories: Sequence[Sequence[str]]) -> torch.Tensor:
    """Item ids (oldest first) -> rows [U, L], left-padded, the last L known items; unknown ids dropped."""
    length = served.config.model.max_len
    out = torch.zeros(len(histories), length, dtype=torch.int64)
    for i, history in enumerate(histories):
        rows = [r for item in history if (r := served.row_of.get(item))][-length:]
        if not rows:
            raise EmptyHistoryError(i)
        out[i, length - len(rows) :] = torch.tensor(rows)
    return out


Unmatched = list[tuple[list[int], float]]  # decoded SIDs of no item: (codes, SID log-prob), best first


def denoise(
    served: Served, histories: Sequence[Sequence[str]], k: int, beam: int | None = None
) -> list[tuple[list[tuple[str, float]], int, Unmatched]]:
    """Per history: top-``k`` (item id, score: its SID log-prob, plus ``decode.bucket_prior`` times
    log P(item | SID)), the number of the ``beam`` decoded SIDs that
    map to no item, and the best ``k`` distinct such SIDs with their log-probs (the edge maps them to
    items added after training: cold start). ``beam`` defaults to the artifact's
    ``decode.serve_beam`` and is at least ``k``."""
    rows = history_rows(served, histories)
    beam = max(beam or served.config.decode.serve_beam, k)
    dec = served.config.decode
    beams = decode_histories(served.model, rows, beam, dec.order, dec.merge_duplicates)  # type: ignore[arg-type]
    ranked = to_items(beams, served.buckets, k, bucket_prior=dec.bucket_prior)
    codes, beam_scores = beams.codes.cpu().numpy(), beams.scores.float().cpu().numpy()  # [U, B, m], [U, B]
    out = []
    per_user = zip(ranked.items, ranked.scores, ranked.invalid, strict=True)
    for u, (items, scores, invalid) in enumerate(per_user):
        found = items > 0
        answer = [(served.item_ids[r], float(s)) for r, s in zip(items[found], scores[found], strict=True)]
        out.append((answer, int(invalid.sum()), unmatched(codes[u], beam_scores[u], invalid, k)))
    return out


def unmatched(codes: np.ndarray, scores: np.ndarray, invalid: np.ndarray, k: int) -> Unmatched:
    """One history's beams (sorted, codes [B, m], scores [B]) -> its best ``k`` distinct SIDs of no item."""
    out: Unmatched = []
    seen: set[tuple[int, ...]] = set()
    for j in np.flatnonzero(invalid).tolist():
        key = tuple(codes[j].tolist())
        if key not in seen and len(out) < k:
            seen.add(key)
            out.append((list(key), float(scores[j])))
    return out
