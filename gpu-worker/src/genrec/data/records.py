"""Item text records in the wire shape ``Item`` (shared/src/catalog.ts).

The same shape is used on disk (``items.jsonl``), in memory and on the wire so that an item's text
reaches the semantic-ID encoder identically offline and at serving time. Parsing validates types
(ids: non-empty, no whitespace; price: non-negative number; categories: list of non-empty strings)
and rejects unknown keys, as the strict zod schema does; length limits are left to the wire layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

AttributeValue = str | float | int | bool
ITEM_KEYS = frozenset({"id", "title", "brand", "categories", "description", "price", "attributes"})
PAD_ID = ""  # external id of internal index 0; never a valid ItemId (empty)


def check_id(value: Any, what: str = "id") -> str:
    """Return ``value`` if it is a valid opaque id (non-empty string without whitespace)."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError(f"bad {what}: {value!r} (need a non-empty string without whitespace)")
    return value


@dataclass(frozen=True)
class ItemRecord:
    """One catalogue item's text; every field but ``id`` is optional (None = absent)."""

    id: str
    title: str | None = None
    brand: str | None = None
    categories: tuple[str, ...] | None = None
    description: str | None = None
    price: float | None = None
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return any((self.title, self.brand, self.categories, self.description))

    def to_json(self) -> dict[str, Any]:
        """Wire/disk form: absent fields are omitted, not null (the schema is strict)."""
        out: dict[str, Any] = {"id": self.id}
        for key in ("title", "brand", "description", "price"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"bad {key}: expected a string, got {type(value).__name__}")


def parse_price(value: Any) -> float | None:
    """Accept numbers and numeric strings ("$12.50" is not numeric); reject negatives, NaN, booleans."""
    if value is None:
        return None
    if isinstance(value, str):
        value = float(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
        raise ValueError(f"bad price: {value!r}")
    return float(value)


def item_from_json(obj: dict[str, Any]) -> ItemRecord:
    """Validate one ``Item`` object; raises ValueError with a ``category: detail`` message."""
    unknown = set(obj) - ITEM_KEYS
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    categories = obj.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or not all(isinstance(c, str) and c for c in categories):
            raise ValueError("bad categories: expected a list of non-empty strings")
        categories = tuple(categories)
    attributes = obj.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str | int | float | bool) for k, v in attributes.items()
    ):
        raise ValueError("bad attributes: expected an object of string/number/boolean values")
    try:
        price = parse_price(obj.get("price"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad price: {obj.get('price')!r}") from e
    return ItemRecord(
        id=check_id(obj.get("id"), "id"),
        title=_opt_str(obj, "title"),
        brand=_opt_str(obj, "brand"),
        categories=categories,
        description=_opt_str(obj, "description"),
        price=price,
        attributes=attributes,
    )
