"""Typed run configuration: one dataclass per model plus ``TrainConfig``, layered in a fixed order.

Precedence (later wins), each layer a set of dotted overrides such as ``model.d`` or ``train.epochs``:
  1. defaults    the dataclass defaults: the papers' settings (``MODEL_DEFAULTS``)
  2. preset      ``PRESETS[(model, preset)]``: tiny (tests), quick (CPU, <= 20 min), full (= papers, GPU)
  3. dataset     ``DATASET_OVERRIDES[(model, preset, dataset)]``
  4. CLI         ``--set key=value`` (then ``--threads``), parsed by the field's type
Unknown keys fail loudly, so a typo never silently trains the default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal, get_args

from genrec.models.content_knn import ContentKNNConfig
from genrec.models.esasrec import ESASRecConfig
from genrec.models.sasrec import SASRecConfig
from genrec.train.overrides import Overrides
from genrec.train.overrides import apply_overrides as apply_section_overrides

ModelName = Literal["popularity", "content-knn", "sasrec", "esasrec"]
PresetName = Literal["tiny", "quick", "full"]
MODELS: tuple[str, ...] = get_args(ModelName)
PRESETS_NAMES: tuple[str, ...] = get_args(PresetName)
SELECT_METRICS = ("ndcg@10", "recall@10", "ndcg@5", "recall@5")


@dataclass(frozen=True)
class PopularityConfig:
    """Popularity has nothing to tune; the class exists so every model has a config."""


ModelConfig = PopularityConfig | ContentKNNConfig | SASRecConfig | ESASRecConfig


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 200  # upper bound; early stopping usually ends sooner
    batch_size: int = 256
    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    weight_decay: float = 0.0
    patience: int = 20  # stop when the best validation metric is this many epochs old
    eval_every: int = 1  # validate every k epochs (and after the last one)
    select_metric: str = "ndcg@10"  # unfiltered validation metric for early stopping and selection
    bucket_by_length: bool = False  # batch similar lengths together (CPU speed; see loop.epoch_batches)
    seed: int = 42
    threads: int = 1  # torch intra-op threads; 1 keeps a shared CPU usable by others
    device: str = "auto"  # auto = cuda when available, else cpu
    eval_batch_size: int = 256

    def __post_init__(self) -> None:
        if self.select_metric not in SELECT_METRICS:
            raise ValueError(f"train.select_metric must be one of {SELECT_METRICS}: {self.select_metric!r}")
        if min(self.batch_size, self.eval_every, self.patience, self.threads, self.eval_batch_size) < 1:
            raise ValueError("batch sizes, eval_every, patience and threads must be >= 1")


@dataclass(frozen=True)
class RunConfig:
    model_name: str
    dataset: str
    preset: str
    model: ModelConfig
    train: TrainConfig = field(default_factory=TrainConfig)


MODEL_DEFAULTS: dict[str, tuple[ModelConfig, TrainConfig]] = {
    "popularity": (PopularityConfig(), TrainConfig(epochs=0)),
    "content-knn": (ContentKNNConfig(), TrainConfig(epochs=0)),
    # S3-Rec's SASRec setup: d 64, 2 blocks, 2 heads, dropout 0.5, Adam 1e-3, batch 256.
    "sasrec": (SASRecConfig(), TrainConfig()),
    # eSASRec (ALGORITHMS.md §4): Adam 1e-3, betas (0.9, 0.98), batch 128.
    "esasrec": (ESASRecConfig(), TrainConfig(batch_size=128, beta2=0.98)),
}

_TINY = {"train.epochs": 2, "train.batch_size": 64, "train.patience": 2, "model.d": 16}
PRESETS: dict[tuple[str, str], Overrides] = {
    ("sasrec", "tiny"): {**_TINY, "model.n_layers": 1, "model.n_heads": 1},
    ("esasrec", "tiny"): {**_TINY, "model.n_negatives": 16},
    # quick: <= 20 min per run on 1 thread of the shared 2-core Xeon, evaluation included. Sized from
    # measured epochs (Beauty, bucketed, uncontended / with the other core busy): SASRec d 64 ~25 / 35 s,
    # eSASRec d 256 ~80 / 120 s, d 128 ~34 / 50 s; Sports ~1.5-2x. Pilots on Beauty: batch 128 with
    # lr 2e-3 reached in 10 epochs what batch 256 / lr 1e-3 had not, and eSASRec d 128 matched d 256 at
    # equal epochs for half the time. Lower dropout because the runs stop long before overfitting.
    ("sasrec", "quick"): {
        "model.dropout": 0.3,
        "train.batch_size": 128,
        "train.lr": 2e-3,
        "train.epochs": 24,
        "train.eval_every": 2,
        "train.patience": 6,
        "train.bucket_by_length": True,
    },
    ("esasrec", "quick"): {
        "model.d": 128,
        "train.lr": 2e-3,
        "train.epochs": 20,
        "train.eval_every": 2,
        "train.patience": 6,
        "train.bucket_by_length": True,
    },
}
DATASET_OVERRIDES: dict[tuple[str, str, str], Overrides] = {
    # Sports: 1.6x the training rows and 1.5x the items (the full softmax costs ~2.2x Beauty's).
    ("sasrec", "quick", "sports"): {"train.epochs": 12, "train.patience": 4},
    ("esasrec", "quick", "sports"): {"train.epochs": 14},
}


def apply_overrides(config: RunConfig, overrides: Overrides) -> RunConfig:
    """``config`` with dotted ``section.field`` overrides applied (section = model | train)."""
    return apply_section_overrides(config, overrides, ("model", "train"))


def resolve_config(model: str, dataset: str, preset: str, cli: Overrides | None = None) -> RunConfig:
    """Build the run's config by the documented precedence (module docstring)."""
    if model not in MODEL_DEFAULTS:
        raise ValueError(f"unknown model {model!r}: use one of {MODELS}")
    if preset not in PRESETS_NAMES:
        raise ValueError(f"unknown preset {preset!r}: use one of {PRESETS_NAMES}")
    model_cfg, train_cfg = MODEL_DEFAULTS[model]
    config = RunConfig(model, dataset, preset, model_cfg, train_cfg)
    preset_layer = PRESETS.get((model, preset), {})
    dataset_layer = DATASET_OVERRIDES.get((model, preset, dataset), {})
    for layer in (preset_layer, dataset_layer, cli or {}):
        config = apply_overrides(config, layer)
    return config


def config_dict(config: RunConfig) -> dict[str, object]:
    """JSON-ready view of the config, as stored in checkpoints and result files."""
    return dataclasses.asdict(config)
