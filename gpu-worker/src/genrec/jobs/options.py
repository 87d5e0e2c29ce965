"""What a TrainRequest asks of the pipeline, checked before a job is created.

``overrides`` keys (values are JSON numbers, strings or booleans):

    activate            rpg: make the published version live at once (default false: the edge
                        registers it and an admin activates it)
    sid.<field>         rpg: SID tokenizer (genrec.sid.SidConfig: m, pca_dim, whiten, seed, pq_iters,
                        opq_iters); m defaults to the preset's (tiny 8, else 32; sports and toys 16)
    model.<field>, train.<field>, decode.<field>
                        the trainer's config (genrec.rpg.config; baselines: genrec.baselines.config,
                        no decode.*), applied after its preset and dataset layers
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from genrec.rpc.models import TrainRequest

if TYPE_CHECKING:
    from genrec.sid import SidConfig

BASELINES = ("popularity", "sasrec", "esasrec")
SID_DIGITS = {"tiny": 8}  # RPG's m per preset; quick/full use the authors' m per dataset
DATASET_DIGITS = {"sports": 16, "toys": 16}  # ALGORITHMS.md §2 (Beauty 32, the default)
SID_PRESETS: Mapping[str, Mapping[str, int]] = {"tiny": {"pq_iters": 10, "opq_iters": 10}}
CONFIG_SECTIONS = ("model", "train", "decode")


class InvalidOverride(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"overrides.{key}: {message}")
        self.key = key
        self.detail = message


@dataclass(frozen=True)
class JobOptions:
    activate: bool = False
    sid: Mapping[str, object] = dataclasses.field(default_factory=dict)  # SidConfig fields
    config: Mapping[str, str] = dataclasses.field(default_factory=dict)  # dotted, as CLI text


def as_text(value: float | str | bool) -> str:
    """JSON scalars as the trainers' ``--set`` text, which they parse by field type: JSON has only one
    number type, so 3 arrives as 3.0 and must become "3" for an int field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_options(request: TrainRequest) -> JobOptions:
    """Split ``overrides`` by destination; raises InvalidOverride naming the first bad key."""
    activate, sid, config = False, {}, {}
    for key, value in (request.overrides or {}).items():
        section, _, name = key.partition(".")
        if key == "activate":
            if not isinstance(value, bool):
                raise InvalidOverride(key, "must be a boolean")
            activate = value
        elif section == "sid" and name:
            sid[name] = value
        elif section in CONFIG_SECTIONS and name:
            config[key] = as_text(value)
        else:
            raise InvalidOverride(key, "unknown key: use activate, sid.*, model.*, train.* or decode.*")
        if request.model != "rpg" and (key == "activate" or section in ("sid", "decode")):
            raise InvalidOverride(key, f"only applies to rpg, not {request.model}")
    return JobOptions(activate, sid, config)


def dataset_name(request: TrainRequest) -> str:
    return request.dataset.name if request.dataset.kind == "builtin" else "snapshot"


def sid_config(request: TrainRequest, options: JobOptions) -> SidConfig:
    from genrec.sid import SidConfig, default_config

    known = {f.name for f in dataclasses.fields(SidConfig)} - {"scheme"}
    preset_digits = SID_DIGITS.get(request.preset, DATASET_DIGITS.get(dataset_name(request), 32))
    fields = {**SID_PRESETS.get(request.preset, {}), "m": preset_digits}
    for name, value in options.sid.items():
        if name not in known:
            raise InvalidOverride(f"sid.{name}", "unknown SID field (scheme is always rpg)")
        if name == "whiten":
            if not isinstance(value, bool):
                raise InvalidOverride(f"sid.{name}", "must be a boolean")
            fields[name] = value
        elif isinstance(value, bool) or not isinstance(value, float | int) or not float(value).is_integer():
            raise InvalidOverride(f"sid.{name}", "must be an integer")
        else:
            fields[name] = int(value)
    m = fields.pop("m")
    try:
        return default_config("rpg", m, **fields)
    except ValueError as e:
        raise InvalidOverride("sid.m" if "sid.m" in (request.overrides or {}) else "sid", str(e)) from None


def validate(request: TrainRequest) -> JobOptions:
    """Everything about a request that can be checked without data: raises InvalidOverride."""
    options = parse_options(request)
    name = dataset_name(request)
    if request.model == "rpg":
        from genrec.rpg.config import resolve_config

        config = sid_config(request, options)
        for key, value in options.config.items():
            try:
                resolve_config(name, request.preset, "validate", config.m, {key: value})
            except (ValueError, TypeError, AssertionError) as e:
                raise InvalidOverride(key, str(e) or "invalid value") from None
    elif request.model in BASELINES:
        from genrec.baselines.config import resolve_config as resolve_baseline

        for key, value in options.config.items():
            try:
                resolve_baseline(request.model, name, request.preset, {key: value})
            except (ValueError, TypeError, AssertionError) as e:
                raise InvalidOverride(key, str(e) or "invalid value") from None
    return options
