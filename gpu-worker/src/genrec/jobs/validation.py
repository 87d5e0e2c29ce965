"""Request validation: what a TrainRequest asks of the pipeline, checked before a job is created and
again in the job process, turned into typed ``JobOptions``.

``overrides`` keys (values are JSON numbers, strings or booleans):

    activate            a model the edge serves (rpg, sasrec, esasrec, content-knn): make the
                        published version live at once (default false: the edge registers it and
                        an admin activates it)
    sid.<field>         rpg: SID tokenizer (genrec.sid.SidConfig: m, pca_dim, whiten, seed, pq_iters,
                        opq_iters); m defaults to the preset's (tiny 8), else to the m `sid build`
                        picks (genrec.train.defaults.sid_digits: the authors' for beauty, sports
                        and toys, else from the item count)
    model.<field>, train.<field>, decode.<field>
                        the trainer's config (genrec.rpg.config; baselines: genrec.baselines.config,
                        no decode.*), applied after its preset and dataset layers; a number or boolean
                        must fit the field's type (JSON has one number type: 3 and 3.0 both fit an int)
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from genrec.jobs.errors import InvalidOverride, InvalidTrainRequest, UnsupportedModel
from genrec.rpc.models import TrainRequest

if TYPE_CHECKING:
    from genrec.sid import SidConfig

RPG = "rpg"
BASELINES = ("popularity", "content-knn", "sasrec", "esasrec")
PUBLISHED = (RPG, "content-knn", "sasrec", "esasrec")  # the models the edge serves from a set
TRAINABLE = (RPG, *BASELINES)
SID_DIGITS = {"tiny": 8}  # RPG's m per preset; the others take genrec.train.defaults.sid_digits
UNLOADED_DIGITS = 32  # stands in for an untuned dataset's m while a request is checked without data
SID_PRESETS: Mapping[str, Mapping[str, int]] = {"tiny": {"pq_iters": 10, "opq_iters": 10}}
CONFIG_SECTIONS = ("model", "train", "decode")
# What the edge hands out for its snapshots (shared/src/rpc.ts, SnapshotUri): the worker fetches
# nothing else, so a request can never point it at a file path or another host.
SNAPSHOT_URI = re.compile(r"https?://[^/?#\s]+/v1/snapshots/[a-z0-9-]{8,64}")

Scalar = bool | int | float | str


@dataclass(frozen=True)
class JobOptions:
    activate: bool = False
    sid: Mapping[str, object] = dataclasses.field(default_factory=dict)  # SidConfig fields
    config: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)  # dotted keys, as given


def parse_options(request: TrainRequest) -> JobOptions:
    """Split ``overrides`` by destination (no trainer involved); raises InvalidOverride naming the
    first bad key. ``validate`` also types ``config`` by the trainer's fields."""
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
            config[key] = value
        else:
            raise InvalidOverride(key, "unknown key: use activate, sid.*, model.*, train.* or decode.*")
        if (key == "activate" and request.model not in PUBLISHED) or (
            request.model != RPG and section in ("sid", "decode")
        ):
            raise InvalidOverride(key, f"only applies to rpg, not {request.model}")
    return JobOptions(activate, sid, config)


def check_dataset(request: TrainRequest) -> None:
    """A snapshot dataset must be a snapshot URL of the edge (the generated model checks the same
    pattern; this holds for requests built without validation too); raises InvalidTrainRequest."""
    if request.dataset.kind == "snapshot" and not SNAPSHOT_URI.fullmatch(request.dataset.uri):
        raise InvalidTrainRequest(
            ("dataset", "uri"),
            "invalid_dataset_uri",
            "must be a snapshot URL of the edge (<origin>/v1/snapshots/<id>), not a path or file:// URI",
            "the dataset is not a snapshot of the edge",
        )


def dataset_name(request: TrainRequest) -> str:
    return request.dataset.name if request.dataset.kind == "builtin" else "snapshot"


def sid_config(request: TrainRequest, options: JobOptions, items: int | None = None) -> SidConfig:
    """The job's SID tokenizer. m: ``sid.m``, else the preset's (tiny 8), else what ``python -m
    genrec.sid build`` picks for the dataset (genrec.train.defaults.sid_digits) from its ``items``
    (the job passes them once the data is loaded; a request checked before has none)."""
    from genrec.sid import SidConfig, default_config
    from genrec.train.defaults import AUTHORS_M, sid_digits

    known = {f.name for f in dataclasses.fields(SidConfig)} - {"scheme"}
    name = dataset_name(request)
    preset_digits = SID_DIGITS.get(request.preset)
    if preset_digits is None:
        if items is not None:
            preset_digits = sid_digits(name, items)[0]
        else:
            preset_digits = AUTHORS_M.get(name, UNLOADED_DIGITS)
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


def typed(value: Scalar, field_type: object, key: str) -> Scalar:
    """A JSON number or boolean as the config field's type (3.0 -> 3 for an int field); strings pass on
    to the trainer's resolver, which parses them by the field's type as it does ``--set`` text."""
    if isinstance(value, str):
        return value
    if field_type is bool:
        if isinstance(value, bool):
            return value
        raise InvalidOverride(key, "must be a boolean")
    if isinstance(value, bool) or field_type not in (int, float):
        raise InvalidOverride(key, f"must be {'a string' if field_type is str else field_type}")
    if field_type is int:
        if not float(value).is_integer():
            raise InvalidOverride(key, "must be an integer")
        return int(value)
    return float(value)


def _field_type(config: object, key: str) -> object | None:
    """The declared type of ``section.field`` in a run config; None for a key it lacks (the resolver
    then names the key and the fields it has)."""
    section, _, name = key.partition(".")
    part = getattr(config, section, None)
    if part is None or not dataclasses.is_dataclass(part):
        return None
    return typing.get_type_hints(type(part)).get(name)


def validate(request: TrainRequest) -> JobOptions:
    """Everything about a request that can be checked without data: raises UnsupportedModel,
    InvalidTrainRequest (a dataset URI that is no edge snapshot) or InvalidOverride. ``config`` comes
    back as the values the trainer's config will hold."""
    if request.model not in TRAINABLE:
        raise UnsupportedModel(
            request.model,
            f"model {request.model!r} cannot be trained by a job yet: use one of {', '.join(TRAINABLE)} "
            "(popularity reports metrics; the others publish an artifact set the edge serves)",
        )
    check_dataset(request)
    options = parse_options(request)
    name = dataset_name(request)
    if request.model == RPG:
        from genrec.rpg.config import resolve_config

        m = sid_config(request, options).m

        def resolve(overrides: Mapping[str, Scalar]) -> Any:
            return resolve_config(name, request.preset, "validate", m, overrides)
    else:
        from genrec.baselines.config import resolve_config as resolve_baseline

        def resolve(overrides: Mapping[str, Scalar]) -> Any:
            return resolve_baseline(request.model, name, request.preset, overrides)

    defaults = resolve({})
    given: dict[str, Scalar] = {}
    for key, value in options.config.items():
        field_type = _field_type(defaults, key)
        given[key] = value if field_type is None else typed(value, field_type, key)
    resolved = resolve_together(resolve, given)
    config: dict[str, Scalar] = {}
    for key in given:
        section, _, field = key.partition(".")
        config[key] = getattr(getattr(resolved, section), field)
    return dataclasses.replace(options, config=config)


def resolve_together(resolve: Callable[[Mapping[str, Scalar]], Any], given: Mapping[str, Scalar]) -> Any:
    """The config with every override at once, since some only hold together (``model.text_head``
    needs an item loss); raises InvalidOverride on the key to blame: the first the error names, else
    the first whose addition breaks the overrides before it."""
    errors = (ValueError, TypeError, AssertionError)
    try:
        return resolve(given)
    except errors as e:
        message = str(e) or "invalid value"
        named = [key for key in given if re.search(rf"(?<![\w.]){re.escape(key)}(?!\w)", message)]
        if named:
            raise InvalidOverride(named[0], message) from None
    prefix: dict[str, Scalar] = {}
    for key, value in given.items():
        prefix[key] = value
        try:
            resolve(prefix)
        except errors as e:
            raise InvalidOverride(key, str(e) or "invalid value") from None
    raise AssertionError("unreachable: the overrides resolved one by one but not together")
