"""Training entry point (``python -m genrec.train``), typed run configs, the epoch loop and result files."""

from genrec.train.config import RunConfig, TrainConfig, resolve_config
from genrec.train.pipeline import run

__all__ = ["RunConfig", "TrainConfig", "resolve_config", "run"]
