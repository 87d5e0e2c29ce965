"""Item text for the semantic-ID encoder: one template used offline (building SIDs) and online
(cold-start `assign_sids`), so a new item's text is built exactly as the catalogue's was.

Fields, in this order: title, price, brand, categories, description (ALGORITHMS.md section 1).
Each value is cleaned: HTML entities unescaped, tags stripped, non-ASCII dropped, whitespace
collapsed; a field that is missing or empty after cleaning is skipped. Two styles:

- ``rpg``: the cleaned values joined by one space, no labels (RPG's public code).
- ``diffgrm``: ``Title: … Price: … Brand: … Category: … Description: …`` (DiffGRM's code).

Price is written with two decimals (``12.50``); categories are joined with ``", "``. The shared
Amazon copy holds only a short title-derived phrase, so both styles degrade to that phrase
(``diffgrm``: ``"Title: <phrase>"``); an item with no text at all gives ``""``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Literal, Protocol

TemplateStyle = Literal["rpg", "diffgrm"]
TEMPLATE_STYLES: tuple[TemplateStyle, ...] = ("rpg", "diffgrm")
TextSource = Literal["meta", "phrase"]
TEXT_SOURCES: tuple[TextSource, ...] = ("meta", "phrase")

_TAG = re.compile(r"<[^>]*>")
_LABELS = ("Title", "Price", "Brand", "Category", "Description")


class ItemFields(Protocol):
    """What the template reads: `genrec.data.ItemRecord` and the wire model `rpc.models.Item` both fit."""

    @property
    def title(self) -> str | None: ...
    @property
    def price(self) -> float | None: ...
    @property
    def brand(self) -> str | None: ...
    @property
    def categories(self) -> Sequence[str] | None: ...
    @property
    def description(self) -> str | None: ...


def clean_text(text: str) -> str:
    """HTML-unescape, strip tags, drop non-ASCII, collapse whitespace (to single spaces, trimmed)."""
    text = _TAG.sub(" ", html.unescape(text))
    # Collapse first so Unicode spaces (e.g. U+00A0) separate words before non-ASCII is dropped.
    text = " ".join(text.split())
    return " ".join(text.encode("ascii", "ignore").decode("ascii").split())


def field_values(item: ItemFields) -> list[str | None]:
    """The five cleaned values in template order; None where absent or empty after cleaning."""
    price = None if item.price is None else f"{item.price:.2f}"
    categories = ", ".join(c for c in (clean_text(c) for c in item.categories or ()) if c)
    raw = [item.title, price, item.brand, categories, item.description]
    return [(clean_text(v) or None) if v else None for v in raw]


def item_text(item: ItemFields, style: TemplateStyle = "rpg") -> str:
    """The text to embed for one item (see the module docstring for the two styles)."""
    values = field_values(item)
    if style == "rpg":
        return " ".join(v for v in values if v)
    if style == "diffgrm":
        return " ".join(f"{label}: {v}" for label, v in zip(_LABELS, values, strict=True) if v)
    raise ValueError(f"unknown template style {style!r}: use one of {TEMPLATE_STYLES}")


def source_text(item: ItemFields, style: TemplateStyle = "rpg", source: TextSource = "meta") -> str:
    """``item_text`` of the real fields (``meta``), or the shared Amazon copy's short title-derived
    ``phrase`` attribute where the item has one (``phrase``; see genrec.data.amazon_shared)."""
    if source not in TEXT_SOURCES:
        raise ValueError(f"unknown text source {source!r}: use one of {TEXT_SOURCES}")
    attributes = getattr(item, "attributes", None) or {}
    phrase = attributes.get("phrase") if source == "phrase" else None
    return clean_text(phrase) if isinstance(phrase, str) else item_text(item, style)


_LABEL_SEP = " / "


def text_source_label(source: TextSource, model: str) -> str:
    """The label an RPG set's manifest gives its text vectors (``text.source``): ``meta / <model>``."""
    return f"{source}{_LABEL_SEP}{model}"


def parse_text_source(label: str) -> tuple[TextSource, str]:
    """``text_source_label``'s inverse: (text source, encoder name); ValueError for anything else."""
    source, sep, model = label.partition(_LABEL_SEP)
    if not sep or source not in TEXT_SOURCES or not model:
        raise ValueError(f"text source {label[:200]!r} is not '<{'|'.join(TEXT_SOURCES)}> / <encoder>'")
    return source, model  # type: ignore[return-value]
