"""Semantic IDs: faiss tokenizers (``tokenizer``: RPG OPQ+PQ, DiffGRM PSE, residual k-means),
quality stats (``stats``), versioned artifact sets (``artifacts``) and the build pipeline
(``build``; CLI ``python -m genrec.sid build``)."""

from genrec.sid.artifacts import (
    ArtifactNotFoundError,
    SidArtifact,
    SidManifest,
    artifacts_root,
    load_artifact,
    read_artifact,
    write_artifact,
)
from genrec.sid.build import BuildOptions, artifact_name, build_sids, fit_rows
from genrec.sid.stats import collision_stats, reconstruction_stats
from genrec.sid.tokenizer import (
    CODEBOOK,
    SCHEMES,
    Scheme,
    SidConfig,
    SidTokenizer,
    default_config,
    fit_tokenizer,
)

__all__ = [
    "CODEBOOK",
    "SCHEMES",
    "ArtifactNotFoundError",
    "BuildOptions",
    "Scheme",
    "SidArtifact",
    "SidConfig",
    "SidManifest",
    "SidTokenizer",
    "artifact_name",
    "artifacts_root",
    "build_sids",
    "collision_stats",
    "default_config",
    "fit_rows",
    "fit_tokenizer",
    "load_artifact",
    "read_artifact",
    "reconstruction_stats",
    "write_artifact",
]
