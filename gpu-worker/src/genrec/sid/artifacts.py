"""A SID artifact version: one directory holding everything needed to encode a new item's text
without refitting, plus the catalogue's SID table.

    manifest.json       format, version, dataset, scheme, encoder model + dim, template style, text
                        source (meta | phrase; absent in older sets: meta), dims, digits m, seed
                        (the whole SidConfig), fit-set size, transform and quantizer files
    transform_<i>.faiss the fitted faiss VectorTransforms, applied in order (L2 / PCA / OPQ / centre)
    quantizer.faiss     the fitted faiss IndexPQ or IndexResidualQuantizer (its codebooks)
    sids.npy            uint8 [N+1, m]: row r is the SID of item row r; row 0 is padding (zeros)
    items.json          [N+1] item ids by row, items[0] == "" (padding); its inverse is ``row_of``
    fit_rows.npy        int64 rows of the items the transforms and codebooks were fitted on
    result.json         build statistics (same content as the bench result file)

Rows follow ``genrec.data.Dataset`` (internal id == row), as the edge's artifact set does.

Module-level state: ``_loaded`` caches each artifact read by ``load_artifact`` for the life of the
process, keyed by its resolved directory; versions are immutable, so a rebuilt directory needs a new
version name (or a restart).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from genrec.embed import TEXT_SOURCES, ItemFields, TemplateStyle, TextSource, embed_texts, source_text
from genrec.sid.tokenizer import CODEBOOK, SidConfig, SidTokenizer

FORMAT = 1
MANIFEST = "manifest.json"
ARTIFACTS_ENV = "GENREC_ARTIFACTS_DIR"
DEFAULT_ARTIFACTS_DIR = Path(__file__).resolve().parents[3] / "var" / "artifacts"  # gpu-worker/var/...


class ArtifactNotFoundError(LookupError):
    """No SID artifact under that version (missing directory or manifest, or another kind of set)."""


def artifacts_root() -> Path:
    """$GENREC_ARTIFACTS_DIR, else gpu-worker/var/artifacts."""
    return Path(os.environ.get(ARTIFACTS_ENV) or DEFAULT_ARTIFACTS_DIR)


@dataclass(frozen=True)
class SidManifest:
    version: str
    dataset: str
    config: SidConfig
    model: str
    template: TemplateStyle
    embedding_dim: int
    n_items: int
    fit_items: int
    transform_files: tuple[str, ...]
    pipeline: tuple[str, ...]  # human-readable steps, e.g. "PCAMatrix 384->256"
    created_at: str
    text: TextSource = "meta"  # the catalogue's texts: the real fields, or the short phrase where known

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": "sid",
            "version": self.version,
            "dataset": self.dataset,
            "scheme": self.config.scheme,
            "digits": self.config.m,
            "codebook": CODEBOOK,
            "encoder": {"model": self.model, "dim": self.embedding_dim},
            "template": self.template,
            "text": self.text,
            "dims": {"embedding": self.embedding_dim, "pca": self.config.pca_dim, "digits": self.config.m},
            "config": asdict(self.config),
            "n_items": self.n_items,
            "fit_items": self.fit_items,
            "files": {"transforms": list(self.transform_files), "quantizer": "quantizer.faiss"},
            "pipeline": list(self.pipeline),
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SidManifest:
        if obj.get("format") != FORMAT or obj.get("kind") != "sid":
            raise ValueError(f"not a SID artifact manifest of format {FORMAT}")
        text = obj.get("text", "meta")
        if text not in TEXT_SOURCES:
            raise ValueError(f"manifest text source {text!r} is not one of {TEXT_SOURCES}")
        return cls(
            version=obj["version"],
            dataset=obj["dataset"],
            config=SidConfig(**obj["config"]),
            model=obj["encoder"]["model"],
            template=obj["template"],
            embedding_dim=obj["encoder"]["dim"],
            n_items=obj["n_items"],
            fit_items=obj["fit_items"],
            transform_files=tuple(obj["files"]["transforms"]),
            pipeline=tuple(obj["pipeline"]),
            created_at=obj["created_at"],
            text=text,
        )


@dataclass(frozen=True)
class SidArtifact:
    directory: Path
    manifest: SidManifest
    tokenizer: SidTokenizer
    item_ids: tuple[str, ...]  # [N+1] by row, item_ids[0] == ""
    sids: np.ndarray  # uint8 [N+1, m]

    @property
    def digits(self) -> int:
        return self.manifest.config.m

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {item: row for row, item in enumerate(self.item_ids) if row > 0}

    def embed_items(self, items: Sequence[ItemFields]) -> tuple[list[str], np.ndarray]:
        """Items -> their texts, built as the catalogue's were (template style and text source: a
        ``phrase`` set reads an item's phrase where it has one, else its fields), and the stored
        encoder's unit vectors of them [n, D]: what ``encode`` reads."""
        texts = [source_text(item, self.manifest.template, self.manifest.text) for item in items]
        return texts, embed_texts(texts, self.manifest.model)

    def encode(self, vectors: np.ndarray) -> np.ndarray:
        """``embed_items``' vectors -> SIDs uint8 [n, m] with the stored codebooks."""
        return self.tokenizer.encode(vectors)


def write_artifact(
    directory: Path,
    manifest: SidManifest,
    tokenizer: SidTokenizer,
    item_ids: Sequence[str],
    sids: np.ndarray,
    fit_rows: np.ndarray,
) -> None:
    assert sids.dtype == np.uint8 and sids.shape == (len(item_ids), tokenizer.config.m), sids.shape
    assert item_ids[0] == "" and not sids[0].any(), "row 0 is padding"
    directory.mkdir(parents=True, exist_ok=True)
    files = tokenizer.save(directory)
    assert tuple(files[:-1]) == manifest.transform_files
    np.save(directory / "sids.npy", sids)
    np.save(directory / "fit_rows.npy", fit_rows.astype(np.int64))
    (directory / "items.json").write_text(json.dumps(list(item_ids)) + "\n")
    (directory / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2) + "\n")


def read_artifact(directory: Path) -> SidArtifact:
    if not (directory / MANIFEST).is_file():
        raise ArtifactNotFoundError(f"no SID artifact in {directory}")
    try:
        manifest = SidManifest.from_json(json.loads((directory / MANIFEST).read_text()))
    except ValueError as exc:  # e.g. a model artifact set without SID codebooks
        raise ArtifactNotFoundError(f"{directory} holds no SID artifact: {exc}") from None
    tokenizer = SidTokenizer.load(directory, manifest.config, manifest.transform_files)
    item_ids = tuple(json.loads((directory / "items.json").read_text()))
    sids = np.load(directory / "sids.npy")
    assert sids.shape == (len(item_ids), manifest.config.m), sids.shape
    return SidArtifact(directory, manifest, tokenizer, item_ids, sids)


_loaded: dict[Path, SidArtifact] = {}
_loaded_lock = threading.Lock()


def load_artifact(version: str, root: Path | None = None) -> SidArtifact:
    """The artifact ``<root>/<version>`` (root: ``artifacts_root()``), read once per process.
    ``version`` must be a plain name (the RPC schema's pattern): no path separators."""
    if not version or "/" in version or "\\" in version or version.startswith("."):
        raise ArtifactNotFoundError(f"bad artifact version {version[:128]!r}")
    directory = ((root or artifacts_root()) / version).resolve()
    with _loaded_lock:
        if directory not in _loaded:
            _loaded[directory] = read_artifact(directory)
        return _loaded[directory]
