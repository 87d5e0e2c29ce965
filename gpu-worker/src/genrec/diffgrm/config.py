"""Typed DiffGRM run configuration: the authors' settings as defaults (ALGORITHMS.md §3), then the
layers of genrec.train.config (preset < dataset < ablation < --set). Ablations: ``ABLATIONS[name]``
(no-ocn: plain masked diffusion, one random view per sample; random-mask: OCN's probe order replaced
by a random one, nested views kept; uniform-weight: every digit's loss weighs 1/m instead of OCN's
nested weights; no-cpd: decoding fills digits left to right).

Sections: ``model`` (DiffGRMConfig), ``train``, ``ocn`` (OCNConfig), ``decode``. ``model.n_digits``
comes from the SID table. Unknown keys fail loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from genrec.diffgrm.cpd import ORDERS
from genrec.diffgrm.model import DiffGRMConfig
from genrec.diffgrm.ocn import OCNConfig
from genrec.train.config import GENERATIVE_TRAIN, TrainConfig, preset_layers, resolve_layers
from genrec.train.config import config_dict as config_dict  # re-exported: checkpoints and artifacts
from genrec.train.defaults import DatasetDefaults, DataShape, derive
from genrec.train.overrides import Overrides

ABLATION_NAMES = ("none", "no-ocn", "random-mask", "uniform-weight", "no-cpd")
SECTIONS = ("model", "train", "ocn", "decode")


# The authors' schedule length and lr: batch 1024, up to 200 epochs, early stop after 15 evaluations
# without a better 0.8·N@10 + 0.2·R@10.
TRAIN_DEFAULTS = replace(GENERATIVE_TRAIN, epochs=200, batch_size=1024, lr=0.01, patience=15)


@dataclass(frozen=True)
class DecodeConfig:
    valid_beam: int = 32  # CPD beam for validation (model selection)
    test_beam: int = 256
    serve_beam: int = 32  # default beam of the denoise RPC (a request may ask for another)
    k: int = 10  # items per user (>= the largest metric cut-off)
    order: str = "confidence"  # confidence = CPD; fixed = left-to-right digits (the no-CPD ablation)
    merge_duplicates: bool = False  # keep one copy of each partial SID per step (genrec.diffgrm.cpd)
    # weight of log P(item | SID) in an item's score (genrec.diffgrm.cpd.to_items): 1 = the joint
    # log-prob, chosen on validation on Beauty and Toys (diffgrm/README.md, "Collisions"); 0 = each
    # SID's whole bucket before the next SID, by popularity (results before this option)
    bucket_prior: float = 1.0

    def __post_init__(self) -> None:
        assert self.order in ORDERS, f"decode.order must be one of {ORDERS}"
        assert min(self.valid_beam, self.test_beam, self.serve_beam, self.k) >= 1
        assert self.bucket_prior >= 0, f"decode.bucket_prior must be >= 0: {self.bucket_prior}"


@dataclass(frozen=True)
class RunConfig:
    dataset: str
    preset: str
    sids: str  # SID artifact directory, or random:<m> (synthetic, for tests)
    ablation: str = "none"
    model: DiffGRMConfig = field(default_factory=DiffGRMConfig)
    train: TrainConfig = TRAIN_DEFAULTS
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
    # cpu: the quick recipe for about 2 h of one thread on Beauty (3x the epochs; validation on a
    # fixed 2,000 users, full validation and test at the end with the paper's test beam).
    "cpu": {
        "model.d": 64,
        "model.n_heads": 2,
        "model.d_ffn": 256,
        "model.n_dec_layers": 2,
        "train.epochs": 30,
        "train.batch_size": 256,
        "train.warmup_steps": 500,
        "train.eval_every": 2,
        "train.patience": 4,
        "train.valid_users": 2000,
        "train.bucket_by_length": True,
        "decode.test_beam": 256,
    },
    "full": {},
}
DATASETS: dict[tuple[str, str], Overrides] = {  # ("*", dataset) for every preset, then (preset, dataset)
    ("*", "beauty"): {"train.lr": 0.01, "ocn.label_smoothing": 0.2},
    ("*", "sports"): {"train.lr": 0.003, "ocn.label_smoothing": 0.1},
    ("*", "toys"): {"train.lr": 0.003, "ocn.label_smoothing": 0.15},
    # Sports: ~140 s an epoch on one thread (quick, measured) and a 35k-user test beam: 2 h holds ~24.
    ("cpu", "sports"): {"train.epochs": 24},
}
ABLATIONS: dict[str, Overrides] = {
    "none": {},
    "no-ocn": {"ocn.masking": "single"},
    "random-mask": {"ocn.masking": "random"},
    "uniform-weight": {"ocn.weighting": "uniform"},
    "no-cpd": {"decode.order": "fixed"},
}


def dataset_defaults(dataset: str, preset: str, shape: DataShape) -> DatasetDefaults:
    """The dataset layer for DiffGRM on ``dataset`` (the tables', or genrec.train.defaults' rules)."""
    return derive("diffgrm", dataset, preset, shape, PRESETS.get(preset, {}), TRAIN_DEFAULTS)


def resolve_config(
    dataset: str,
    preset: str,
    sids: str,
    n_digits: int,
    ablation: str = "none",
    cli: Overrides | None = None,
    defaults: DatasetDefaults | None = None,
) -> RunConfig:
    """The run's config by the documented precedence (module docstring, genrec.train.config);
    ``defaults`` is the dataset layer of an untuned dataset (``dataset_defaults``)."""
    if ablation not in ABLATION_NAMES:
        raise ValueError(f"unknown ablation {ablation!r}: use one of {ABLATION_NAMES}")
    if cli and "model.n_digits" in cli:
        raise ValueError("model.n_digits comes from the SID table; choose another --sids instead")
    layers = [
        {"model.n_digits": n_digits},
        *preset_layers(preset, dataset, PRESETS, DATASETS, defaults.overrides if defaults else None),
        ABLATIONS[ablation],
        cli or {},
    ]
    return resolve_layers(RunConfig(dataset, preset, sids, ablation), SECTIONS, layers)


def config_from_dict(data: Mapping[str, object]) -> RunConfig:
    """Inverse of ``config_dict``."""
    return RunConfig(
        dataset=str(data["dataset"]),
        preset=str(data["preset"]),
        sids=str(data["sids"]),
        ablation=str(data.get("ablation", "none")),
        model=DiffGRMConfig(**data["model"]),  # type: ignore[arg-type]
        train=TrainConfig.from_dict(data["train"]),  # type: ignore[arg-type]
        ocn=OCNConfig(**data["ocn"]),  # type: ignore[arg-type]
        decode=DecodeConfig(**data["decode"]),  # type: ignore[arg-type]
    )
