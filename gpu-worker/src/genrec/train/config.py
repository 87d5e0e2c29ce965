"""Typed run configuration shared by every trainer: ``TrainConfig`` (the optimisation) and one
layered resolver.

Precedence (later wins), each layer a set of dotted overrides such as ``model.d`` or ``train.epochs``:
  1. defaults   the model's config dataclasses with the papers' settings
  2. preset     tiny (tests, seconds), quick (CPU, ~20 min), cpu (one CPU thread, <= 1-2 h), full (papers)
  3. dataset    per (preset, dataset) for what the papers tune per dataset (lr, decoding); a dataset
                without a table entry gets the stated defaults of genrec.train.defaults instead
  4. extra      model-specific layers (DiffGRM's ablations)
  5. CLI        ``--set section.field=value`` (then ``--threads``), parsed by the field's type
Unknown keys fail loudly, so a typo never silently trains the default. Preset names come from the
wire schema (``TrainRequest.preset``), so the API, the CLI and every trainer accept the same ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

from genrec.rpc.models import TrainRequest
from genrec.train.overrides import Overrides, apply_overrides

PRESET_NAMES: tuple[str, ...] = get_args(TrainRequest.model_fields["preset"].annotation)
SELECT_METRICS = ("ndcg@10", "recall@10", "ndcg@5", "recall@5")
Optimizer = Literal["adam", "adamw"]
Schedule = Literal["constant", "cosine"]
C = TypeVar("C")


@dataclass(frozen=True)
class TrainConfig:
    """The optimisation, the same fields for every model; each model states its own defaults."""

    epochs: int = 200  # upper bound; early stopping usually ends sooner
    batch_size: int = 256
    lr: float = 1e-3
    optimizer: str = "adam"  # adam | adamw (identical at weight_decay 0)
    beta1: float = 0.9
    beta2: float = 0.999
    weight_decay: float = 0.0
    schedule: str = "constant"  # constant | cosine (linear warm-up, then cosine decay to 0 at the end)
    warmup_steps: int = 0
    grad_clip: float = 0.0  # max gradient norm; 0 = no clipping
    patience: int = 20  # stop after this many evaluations without a better selection score
    eval_every: int = 1  # validate every k epochs (and after the last one)
    valid_users: int = 0  # validate on this many fixed random users during training (0 = all)
    select_metric: str = "ndcg@10"  # validation metric for early stopping and selection
    bucket_by_length: bool = False  # batch similar lengths together (CPU speed; see loop.epoch_batches)
    seed: int = 42
    threads: int = 1  # torch intra-op threads; 1 keeps a shared CPU usable by others
    device: str = "auto"  # auto = cuda when available, else cpu
    eval_batch_size: int = 256

    def __post_init__(self) -> None:
        if self.select_metric not in SELECT_METRICS:
            raise ValueError(f"train.select_metric must be one of {SELECT_METRICS}: {self.select_metric!r}")
        if self.optimizer not in get_args(Optimizer):
            raise ValueError(f"train.optimizer must be one of {get_args(Optimizer)}: {self.optimizer!r}")
        if self.schedule not in get_args(Schedule):
            raise ValueError(f"train.schedule must be one of {get_args(Schedule)}: {self.schedule!r}")
        if min(self.batch_size, self.eval_every, self.patience, self.threads, self.eval_batch_size) < 1:
            raise ValueError("batch sizes, eval_every, patience and threads must be >= 1")
        if min(self.epochs, self.warmup_steps, self.valid_users, self.grad_clip, self.lr) < 0:
            raise ValueError("epochs, warmup_steps, valid_users, grad_clip and lr must be >= 0")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        """From a checkpoint's or result's ``train`` section; sections written before the trainers
        shared this class lack some fields (their defaults then) and may hold ``grad_clip: null``."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        return cls(**values)


# The optimisation both generative papers' code shares (DiffGRM's code is a fork of RPG's): AdamW
# (weight decay 0), 10k linear warm-up steps then cosine decay, gradient clipping at 1.0, seed 2024.
GENERATIVE_TRAIN = TrainConfig(
    optimizer="adamw", schedule="cosine", warmup_steps=10_000, grad_clip=1.0, seed=2024
)


def check_preset(preset: str) -> None:
    if preset not in PRESET_NAMES:
        raise ValueError(f"unknown preset {preset!r}: use one of {PRESET_NAMES}")


def resolve_layers(config: C, sections: Sequence[str], layers: Sequence[Overrides]) -> C:
    """``config`` with each layer of dotted overrides applied in order (later wins)."""
    for layer in layers:
        config = apply_overrides(config, layer, sections)
    return config


def preset_layers(
    preset: str,
    dataset: str,
    presets: Mapping[str, Overrides],
    datasets: Mapping[tuple[str, str], Overrides],
    derived: Overrides | None = None,
) -> list[Overrides]:
    """The preset layer, then the dataset layers: ``derived`` (genrec.train.defaults, for a dataset
    nobody tuned), ``("*", dataset)`` for every preset, then ``(preset, dataset)``. ``dataset`` may be
    a path; its last component names it. A model that has presets must define every one of
    ``PRESET_NAMES`` (an empty layer for the papers' ``full``)."""
    check_preset(preset)
    if presets and preset not in presets:  # a model with nothing to tune has no presets at all
        raise ValueError(f"this model has no {preset!r} preset: it has {sorted(presets)}")
    name = dataset.rstrip("/").rsplit("/", 1)[-1]
    tables = [datasets.get(("*", name), {}), datasets.get((preset, name), {})]
    return [presets.get(preset, {}), derived or {}, *tables]


def config_dict(config: object) -> dict[str, Any]:
    """JSON-ready view of a run config (a dataclass), as stored in checkpoints and result files."""
    return dataclasses.asdict(config)  # type: ignore[call-overload]
