"""Typed DiffGRM run configuration, layered in a fixed order (later wins), each layer dotted overrides:

  1. defaults  the dataclass defaults = the authors' settings (ALGORITHMS.md §3)
  2. preset    ``PRESETS[preset]``: tiny (tests, seconds), quick (1 CPU thread, ~25 min on Beauty), full
  3. dataset   ``DATASET_OVERRIDES[dataset]`` (lr, label smoothing), then
               ``DATASET_PRESET_OVERRIDES[(preset, dataset)]``
  4. ablation  ``ABLATIONS[name]`` (no-ocn: plain masked diffusion, one random view per sample;
               random-mask: OCN's probe order replaced by a random one, nested views kept;
               uniform-weight: every digit's loss weighs 1/m instead of OCN's nested weights;
               no-cpd: decoding fills digits left to right)
  5. CLI       ``--set section.field=value`` (then ``--threads``), parsed by the field's type

Sections: ``model`` (DiffGRMConfig), ``train``, ``ocn`` (OCNConfig), ``decode``. ``model.n_digits``
comes from the SID table. Unknown keys fail loudly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from genrec.diffgrm.cpd import ORDERS
from genrec.diffgrm.model import DiffGRMConfig
from genrec.diffgrm.ocn import OCNConfig
from genrec.train.overrides import Overrides
from genrec.train.overrides import apply_overrides as apply_section_overrides

PRESET_NAMES = ("tiny", "quick", "full")
ABLATION_NAMES = ("none", "no-ocn", "random-mask", "uniform-weight", "no-cpd")
SECTIONS = ("model", "train", "ocn", "decode")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 200  # upper bound; early stopping usually ends sooner
    batch_size: int = 1024
    lr: float = 0.01
    warmup_steps: int = 10_000  # linear warm-up, then cosine decay to 0 at the last step
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    patience: int = 15  # stop after this many evaluations without a better selection score
    eval_every: int = 1  # validate every k epochs (and after the last one)
    valid_users: int = 0  # validate on this many fixed random users during training (0 = all)
    bucket_by_length: bool = False  # batch similar history lengths together (CPU speed)
    seed: int = 2024
    threads: int = 1
    device: str = "auto"  # auto = cuda when available, else cpu
    eval_batch_size: int = 256

    def __post_init__(self) -> None:
        assert min(self.batch_size, self.eval_every, self.patience, self.threads, self.eval_batch_size) >= 1
        assert self.valid_users >= 0 and self.warmup_steps >= 0


@dataclass(frozen=True)
class DecodeConfig:
    valid_beam: int = 32  # CPD beam for validation (model selection)
    test_beam: int = 256
    serve_beam: int = 32  # default beam of the denoise RPC (a request may ask for another)
    k: int = 10  # items per user (>= the largest metric cut-off)
    order: str = "confidence"  # confidence = CPD; fixed = left-to-right digits (the no-CPD ablation)
    merge_duplicates: bool = False  # keep one copy of each partial SID per step (genrec.diffgrm.cpd)

    def __post_init__(self) -> None:
        assert self.order in ORDERS, f"decode.order must be one of {ORDERS}"
        assert min(self.valid_beam, self.test_beam, self.serve_beam, self.k) >= 1


@dataclass(frozen=True)
class RunConfig:
    dataset: str
    preset: str
    sids: str  # SID artifact directory, or random:<m> (synthetic, for tests)
    ablation: str = "none"
    model: DiffGRMConfig = field(default_factory=DiffGRMConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    ocn: OCNConfig = field(default_factory=OCNConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)


_TINY = {"model.d": 32, "model.n_heads": 2, "model.d_ffn": 64, "model.n_dec_layers": 1}
PRESETS: dict[str, Overrides] = {
    "tiny": {
        **_TINY,
        "train.epochs": 2,
        "train.batch_size": 64,
        "train.warmup_steps": 5,
        "train.lr": 0.003,
        "train.patience": 2,
        "decode.valid_beam": 10,
        "decode.test_beam": 16,
        "decode.serve_beam": 16,
    },
    # quick: sized from measured 1-thread epoch and CPD times on the shared 2-core Xeon (diffgrm/README.md).
    "quick": {
        "model.d": 64,
        "model.n_heads": 2,
        "model.d_ffn": 256,
        "model.n_dec_layers": 2,
        "train.epochs": 10,
        "train.batch_size": 256,
        "train.warmup_steps": 500,
        "train.eval_every": 2,
        "train.patience": 3,
        "train.valid_users": 2000,
        "train.bucket_by_length": True,
        "decode.test_beam": 64,
    },
    "full": {},
}
DATASET_OVERRIDES: dict[str, Overrides] = {
    "beauty": {"train.lr": 0.01, "ocn.label_smoothing": 0.2},
    "sports": {"train.lr": 0.003, "ocn.label_smoothing": 0.1},
}
DATASET_PRESET_OVERRIDES: dict[tuple[str, str], Overrides] = {}
ABLATIONS: dict[str, Overrides] = {
    "none": {},
    "no-ocn": {"ocn.masking": "single"},
    "random-mask": {"ocn.masking": "random"},
    "uniform-weight": {"ocn.weighting": "uniform"},
    "no-cpd": {"decode.order": "fixed"},
}


def apply_overrides(config: RunConfig, overrides: Overrides) -> RunConfig:
    """``config`` with dotted ``section.field`` overrides applied (section in ``SECTIONS``)."""
    return apply_section_overrides(config, overrides, SECTIONS)


def resolve_config(
    dataset: str, preset: str, sids: str, n_digits: int, ablation: str = "none", cli: Overrides | None = None
) -> RunConfig:
    """The run's config by the documented precedence (module docstring)."""
    if preset not in PRESET_NAMES:
        raise ValueError(f"unknown preset {preset!r}: use one of {PRESET_NAMES}")
    if ablation not in ABLATION_NAMES:
        raise ValueError(f"unknown ablation {ablation!r}: use one of {ABLATION_NAMES}")
    if cli and "model.n_digits" in cli:
        raise ValueError("model.n_digits comes from the SID table; choose another --sids instead")
    config = RunConfig(dataset, preset, sids, ablation)
    layers = (
        {"model.n_digits": n_digits},
        PRESETS[preset],
        DATASET_OVERRIDES.get(dataset, {}),
        DATASET_PRESET_OVERRIDES.get((preset, dataset), {}),
        ABLATIONS[ablation],
        cli or {},
    )
    for layer in layers:
        config = apply_overrides(config, layer)
    return config


def config_dict(config: RunConfig) -> dict[str, object]:
    """JSON-ready view, as stored in checkpoints, result files and artifact manifests."""
    return dataclasses.asdict(config)


def config_from_dict(data: Mapping[str, object]) -> RunConfig:
    """Inverse of ``config_dict``."""
    return RunConfig(
        dataset=str(data["dataset"]),
        preset=str(data["preset"]),
        sids=str(data["sids"]),
        ablation=str(data.get("ablation", "none")),
        model=DiffGRMConfig(**data["model"]),  # type: ignore[arg-type]
        train=TrainConfig(**data["train"]),  # type: ignore[arg-type]
        ocn=OCNConfig(**data["ocn"]),  # type: ignore[arg-type]
        decode=DecodeConfig(**data["decode"]),  # type: ignore[arg-type]
    )
