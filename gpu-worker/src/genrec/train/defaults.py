"""Defaults for a dataset nobody tuned, chosen from its size and density, stated and recorded.

The per-dataset tables (``DATASETS`` in genrec.rpg.config, genrec.diffgrm.config,
genrec.baselines.config) hold the authors' settings for ``beauty``, ``sports`` and ``toys``. Any
other dataset (``sample``, an imported one, a path) gets this layer instead, in the dataset slot of
genrec.train.config's precedence (defaults < preset < **dataset** < extra < ``--set``), so ``--set``
still wins. Every trainer prints it at start and writes it to the result file
(``dataset_defaults``) beside the full command line. The ``tiny`` preset is a fixed smoke test and
gets no dataset layer.

The rules, each from the authors' settings of the dataset nearest in the property that matters
(ALGORITHMS.md §2-3; N items, I interactions, density I / (users·N)):

- RPG SID length m (``sid build``): 16 below 30k items, 32 below 60k, else 64 (Sports 18k and
  Toys 12k: 16; CDs 64k: 64).
- lr (RPG, DiffGRM): 0.003 below 50k items (Sports, Toys), else 0.001 (CDs).
- RPG decoding b / k / q: below 15k items Beauty's 20 / 200 / 3; below 50k Sports' 100 / 30 / 5;
  else CDs' 20 / 500 / 5; b and k at most N.
- DiffGRM label smoothing: 0.1 at density below 6e-4 (Sports, 4.5e-4), else 0.15 (Toys, 7.2e-4).
- epochs (quick, cpu): the preset's times Beauty's interactions / I, within 0.25x-2x (the presets
  are sized on Beauty's time per epoch).
- warm-up steps: at most a tenth of all training steps (Beauty: 10k of ~90k RPG steps).

The epoch rule keeps a time-budget preset near its budget (a 4x larger dataset gets a quarter of
the epochs, a small one up to twice as many); ``full`` keeps the papers' epoch caps, where early
stopping decides. Popularity and content kNN have nothing to tune.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genrec.train.overrides import Overrides

TUNED_DATASETS = ("beauty", "sports", "toys")  # the names the DATASETS tables are keyed by
AUTHORS_M = {"beauty": 32, "sports": 16, "toys": 16}  # RPG's SID length per dataset (ALGORITHMS.md §2)
BEAUTY_INTERACTIONS = 198_502  # the presets' epoch counts are sized on Beauty's time per epoch
BUDGET_PRESETS = ("quick", "cpu")  # presets sized to a time budget
NO_LAYER_PRESETS = ("tiny",)


@dataclass(frozen=True)
class DataShape:
    """What the rules look at."""

    users: int
    items: int
    interactions: int
    train_targets: int  # next-item examples in the leave-one-out training sequences

    @property
    def density(self) -> float:
        return self.interactions / max(1, self.users * self.items)


def data_shape(ds: Any) -> DataShape:
    """The shape of a genrec.data ``Dataset``."""
    lengths = np.array([len(s) for s in ds.sequences], dtype=np.int64)
    return DataShape(
        users=ds.n_users,
        items=ds.n_items,
        interactions=int(lengths.sum()),
        train_targets=int(np.maximum(lengths - 3, 0).sum()),
    )


def dataset_key(dataset: str) -> str:
    """The name the tables know a dataset by: a path's last component."""
    return Path(dataset.rstrip("/")).name


def dataset_label(dataset: str) -> str:
    """The name files made from ``dataset`` carry (runs, result files, SID artifacts): ``dataset_key``,
    and for a holdout copy (genrec.data.holdout, known by its holdout.json) its folder's too
    (var/data/cold5/toys -> ``toys-cold5``), so a copy's files never replace the source dataset's."""
    path = Path(dataset.rstrip("/"))
    return f"{path.name}-{path.parent.name}" if (path / "holdout.json").is_file() else path.name


def is_tuned(dataset: str) -> bool:
    return dataset_key(dataset) in TUNED_DATASETS


def sid_digits(dataset: str, items: int) -> tuple[int, str]:
    """RPG's SID length m for a dataset, and why."""
    key = dataset_key(dataset)
    if key in AUTHORS_M:
        return AUTHORS_M[key], f"the authors' m for {key}"
    m = 16 if items < 30_000 else 32 if items < 60_000 else 64
    return m, f"{items:,} items: 16 below 30k, 32 below 60k, else 64"


@dataclass(frozen=True)
class DatasetDefaults:
    """The dataset layer of one run: the tuned table's (``tuned``) or these rules' values."""

    dataset: str
    tuned: bool
    overrides: Overrides = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    shape: DataShape | None = None

    def lines(self) -> list[str]:
        name = dataset_key(self.dataset)
        if self.tuned:
            return [f"dataset {name}: the tuned settings of the per-dataset tables"]
        if not self.overrides:
            return [f"dataset {name}: no tuned settings; this preset and model take no dataset defaults"]
        head = f"dataset {name} has no tuned settings: defaults from its size (genrec.train.defaults)"
        return [head, *(f"  {k} = {v}  ({self.reasons[k]})" for k, v in self.overrides.items())]

    def announce(self) -> None:
        from tqdm import tqdm

        for line in self.lines():
            tqdm.write(line)

    def record(self) -> dict[str, Any]:
        """The result file's ``dataset_defaults``."""
        shape = None
        if self.shape is not None:
            shape = {**self.shape.__dict__, "density": round(self.shape.density, 8)}
        return {
            "tuned": self.tuned,
            "values": dict(self.overrides),
            "reasons": dict(self.reasons),
            "shape": shape,
        }


def _scaled_epochs(epochs: int, shape: DataShape) -> tuple[int, str]:
    factor = min(2.0, max(0.25, BEAUTY_INTERACTIONS / max(1, shape.interactions)))
    return max(1, round(epochs * factor)), (
        f"the preset's {epochs} x {factor:.2f} (Beauty's {BEAUTY_INTERACTIONS:,} / "
        f"{shape.interactions:,} interactions, within 0.25-2x)"
    )


def _rpg_decode(items: int) -> tuple[tuple[int, int, int], str]:
    if items < 15_000:
        b, k, q, like = 20, 200, 3, "Beauty's (below 15k items)"
    elif items < 50_000:
        b, k, q, like = 100, 30, 5, "Sports' (15k-50k items)"
    else:
        b, k, q, like = 20, 500, 5, "CDs' (50k items and more)"
    return (max(10, min(b, items)), min(k, items), q), like


def derive(
    model: str, dataset: str, preset: str, shape: DataShape, preset_layer: Overrides, train: Any
) -> DatasetDefaults:
    """The dataset layer for ``model`` (rpg, diffgrm, sasrec, esasrec, popularity, content-knn).
    ``preset_layer`` and ``train`` (the model's default TrainConfig) give the values scaled."""
    if is_tuned(dataset):
        return DatasetDefaults(dataset, True, shape=shape)
    values: dict[str, object] = {}
    reasons: dict[str, str] = {}
    if preset in NO_LAYER_PRESETS or model in ("popularity", "content-knn"):
        return DatasetDefaults(dataset, False, values, reasons, shape)
    if model in ("rpg", "diffgrm"):
        lr = 0.003 if shape.items < 50_000 else 0.001
        values["train.lr"] = lr
        reasons["train.lr"] = f"{shape.items:,} items: 0.003 below 50k (Sports, Toys), else 0.001 (CDs)"
    if model == "rpg":
        (b, k, q), like = _rpg_decode(shape.items)
        for key, value in (("decode.beam", b), ("decode.neighbours", k), ("decode.steps", q)):
            values[key] = value
            reasons[key] = f"{shape.items:,} items: {like} b/k/q, capped by N"
    if model == "diffgrm":
        smoothing = 0.1 if shape.density < 6e-4 else 0.15
        values["ocn.label_smoothing"] = smoothing
        reasons["ocn.label_smoothing"] = (
            f"density {shape.density:.2e}: 0.1 below 6e-4 (Sports), else 0.15 (Toys)"
        )
    epochs = int(preset_layer.get("train.epochs", train.epochs))  # type: ignore[call-overload]
    if preset in BUDGET_PRESETS:
        epochs, why = _scaled_epochs(epochs, shape)
        values["train.epochs"], reasons["train.epochs"] = epochs, why
    warmup = int(preset_layer.get("train.warmup_steps", train.warmup_steps))  # type: ignore[call-overload]
    batch = int(preset_layer.get("train.batch_size", train.batch_size))  # type: ignore[call-overload]
    total = epochs * math.ceil(max(1, shape.train_targets) / batch)
    if warmup > total // 10:
        values["train.warmup_steps"] = max(1, total // 10)
        reasons["train.warmup_steps"] = f"a tenth of ~{total:,} steps ({epochs} epochs of batch {batch})"
    return DatasetDefaults(dataset, False, values, reasons, shape)
