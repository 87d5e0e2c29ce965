"""Loader for the project's shared Amazon 2014 copy (``../shared/data/amazon2014/<category>/``).

That copy is the widely used public preprocessing of ``reviews_<Cat>_5.json.gz``: sequences are
already chronological. Each item has a short title-derived ``text`` phrase and, where known, the real
``title``, ``brand``, ``categories`` (a list of paths, flattened as in genrec.data.amazon_raw) and
``price``. Two readings of the item text (``text=``):

- ``meta`` (default): the real fields; an item without a real title gets the phrase as its title
  (every Sports item), so the SID template degrades gracefully. The phrase is kept as the
  ``phrase`` attribute.
- ``phrase``: the phrase as the title and nothing else, the text this project used before the
  metadata was shared (kept for comparisons and for the in-repo sample).

The anonymised ``attribute_ids`` are kept, in order, as one space-separated string attribute (the
wire shape allows only scalar attribute values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from genrec.data.amazon_raw import flatten_categories
from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import LoadReport, iter_records, resolve
from genrec.data.records import ItemRecord, check_id, parse_price

TextSource = Literal["meta", "phrase"]
TEXT_SOURCES: tuple[TextSource, ...] = get_args(TextSource)


def _string(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"bad {key}: expected a string, got {type(value).__name__}")
    return value or None


def _item(obj: dict[str, Any], text: TextSource) -> ItemRecord:
    phrase = _string(obj, "text")
    attrs = obj.get("attribute_ids", [])
    if not isinstance(attrs, list) or not all(isinstance(a, int) and not isinstance(a, bool) for a in attrs):
        raise ValueError("bad attribute_ids: expected a list of integers")
    attributes: dict[str, str | float | int | bool] = {}
    if attrs:
        attributes["attribute_ids"] = " ".join(map(str, attrs))
    item_id = check_id(obj.get("item"), "item")
    if text == "phrase":
        return ItemRecord(id=item_id, title=phrase, attributes=attributes)
    if phrase:
        attributes["phrase"] = phrase
    try:
        price = parse_price(obj.get("price"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad price: {obj.get('price')!r}") from e
    return ItemRecord(
        id=item_id,
        title=_string(obj, "title") or phrase,
        brand=_string(obj, "brand"),
        categories=flatten_categories(obj.get("categories")),
        price=price,
        attributes=attributes,
    )


def load_shared_amazon(
    directory: Path | str, name: str | None = None, skip_bad: bool = False, text: TextSource = "meta"
) -> tuple[Dataset, LoadReport]:
    """Load ``sequences.jsonl.gz`` ({user, items}) and ``items.jsonl.gz`` (module docstring)."""
    if text not in TEXT_SOURCES:
        raise ValueError(f"unknown item text source {text!r}: use one of {TEXT_SOURCES}")
    directory = Path(directory)
    report = LoadReport(source=str(directory), skip_bad=skip_bad)
    items_path = resolve(directory, "items.jsonl")
    records: dict[str, ItemRecord] = {}
    for lineno, obj in iter_records(items_path, report, kind="items"):
        try:
            rec = _item(obj, text)
            if rec.id in records:
                raise ValueError(f"duplicate item id: {rec.id}")
        except ValueError as e:
            report.bad(items_path, lineno, str(e))
            continue
        records[rec.id] = rec
    seq_path = resolve(directory, "sequences.jsonl")
    users: list[str] = []
    seqs: list[list[str]] = []
    seen: set[str] = set()
    for lineno, obj in iter_records(seq_path, report, kind="users"):
        try:
            user = check_id(obj.get("user"), "user")
            items = obj.get("items")
            if not isinstance(items, list) or not items:
                raise ValueError("bad items: expected a non-empty list")
            for x in items:
                check_id(x, "item id")
            if user in seen:
                raise ValueError(f"duplicate user: {user}")
        except ValueError as e:
            report.bad(seq_path, lineno, str(e))
            continue
        seen.add(user)
        users.append(user)
        seqs.append(items)
    return build_dataset(name or directory.name, users, seqs, records, report), report
