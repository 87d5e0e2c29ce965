"""Dotted ``section.field=value`` overrides for the frozen-dataclass run configs (SASRec, RPG,
DiffGRM): CLI strings are parsed by the field's declared type, unknown sections and fields fail
loudly, and every layer returns a new config."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

Overrides = Mapping[str, object]
C = TypeVar("C")


def parse_value(value: object, typ: object, key: str) -> object:
    """CLI strings -> the field's type; values already typed (and str / Literal fields) pass through."""
    if not isinstance(value, str) or typ in (str, "str") or "Literal" in str(typ):
        return value
    if typ in (bool, "bool"):
        if value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        raise ValueError(f"{key}: expected a boolean, got {value!r}")
    if typ in (int, "int"):
        return int(value)
    if typ in (float, "float"):
        return float(value)
    raise ValueError(f"{key}: cannot parse {value!r} as {typ}")


def apply_overrides(config: C, overrides: Overrides, sections: Sequence[str]) -> C:
    """``config`` with ``section.field`` overrides applied, ``section`` one of ``sections`` (each a
    dataclass attribute of ``config``)."""
    current: dict[str, Any] = {name: getattr(config, name) for name in sections}
    changes: dict[str, dict[str, object]] = {name: {} for name in sections}
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if section not in current:
            raise ValueError(
                f"unknown config key {key!r}: use <section>.<field>, section one of {tuple(sections)}"
            )
        fields = {f.name: f.type for f in dataclasses.fields(current[section])}
        if name not in fields:
            raise ValueError(f"unknown config key {key!r}; {section} fields: {sorted(fields)}")
        changes[section][name] = parse_value(value, fields[name], key)
    replaced = {name: dataclasses.replace(current[name], **changes[name]) for name in sections}
    return dataclasses.replace(config, **replaced)  # type: ignore[type-var]


def parse_sets(items: list[str]) -> dict[str, str]:
    """``["model.d=32", "train.epochs=5"]`` -> dict; the values stay strings until apply_overrides."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set expects key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out
