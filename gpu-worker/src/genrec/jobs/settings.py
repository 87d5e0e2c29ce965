"""Job settings, read from the environment once by each entry point and passed on explicitly.

GENREC_JOBS_DIR          job store root (default gpu-worker/var/jobs; Modal: the Volume's jobs/)
GENREC_EDGE_URL          the edge a finished job publishes to, e.g. http://127.0.0.1:8787
GENREC_EDGE_ADMIN_KEY    an edge admin API key: publishing and fetching snapshots
GENREC_JOBS_NO_PUBLISH   1: train and export, then stop (the artifact set stays in the job dir)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

JOBS_DIR_ENV = "GENREC_JOBS_DIR"
EDGE_URL_ENV = "GENREC_EDGE_URL"
EDGE_KEY_ENV = "GENREC_EDGE_ADMIN_KEY"
NO_PUBLISH_ENV = "GENREC_JOBS_NO_PUBLISH"
DEFAULT_JOBS_DIR = Path(__file__).resolve().parents[3] / "var" / "jobs"  # gpu-worker/var/jobs


# RPG jobs copy their SID artifact (encoder, codebooks) here as ``<artifact version>.sid``, so that
# assign_sids finds it (cold start). A dot is in no job id, so the store never lists it as a job.
SIDS_DIR = ".sids"


def jobs_root(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get(JOBS_DIR_ENV) or DEFAULT_JOBS_DIR)


def job_sids_root(env: Mapping[str, str] = os.environ) -> Path:
    """Where training jobs keep the SID artifacts of the versions they published."""
    return jobs_root(env) / SIDS_DIR


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class JobSettings:
    edge_url: str | None = None  # no trailing slash
    admin_key: str | None = None
    publish: bool = True
    embed_cache_dir: Path | None = None  # None: genrec.embed's default

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, embed_cache_dir: Path | None = None
    ) -> JobSettings:
        url = (env.get(EDGE_URL_ENV) or "").strip().rstrip("/") or None
        return cls(
            edge_url=url,
            admin_key=(env.get(EDGE_KEY_ENV) or "").strip() or None,
            publish=not _flag(env.get(NO_PUBLISH_ENV)),
            embed_cache_dir=embed_cache_dir,
        )

    def publish_problem(self) -> str | None:
        """Why publishing cannot work with these settings (checked before any training), else None."""
        if not self.publish:
            return None
        if not self.edge_url:
            return f"${EDGE_URL_ENV} is not set: nowhere to publish (set {NO_PUBLISH_ENV}=1 to train only)"
        if urlsplit(self.edge_url).scheme not in ("http", "https"):
            return f"${EDGE_URL_ENV} must be an http(s) URL, got {self.edge_url[:200]!r}"
        if not self.admin_key:
            return f"${EDGE_KEY_ENV} is not set: the edge's publish routes need an admin key"
        return None
